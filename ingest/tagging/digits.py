"""The file-number key and digit folding live in ``common.text`` (shared with store, ocr and report); these names
stay importable from here for the tagging code and its tests."""
from __future__ import annotations

from common.text import LABEL_PATTERN, LABELS, file_number_key, fold_digits, strip_label

__all__ = ["LABELS", "LABEL_PATTERN", "file_number_key", "fold_digits", "strip_label"]
