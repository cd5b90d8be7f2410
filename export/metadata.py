"""The export root's ``metadata.csv`` (UTF-8 with BOM, so Excel shows Hindi) and ``SHA256SUMS`` manifest.

A text cell that starts with ``=`` ``+`` ``-`` ``@`` (or a tab / carriage return) would be a formula to Excel or
LibreOffice — a subject read by OCR or typed in a register could run one (CSV injection) — so it gets a leading
``'``, which spreadsheets show as text and hide."""
from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = ("file_number", "folder", "subject", "branch", "branch_code", "year", "category", "pages", "volumes",
           "notes_pages", "receipts_pages", "issues_pages", "references_pages", "volume_sha256", "source_documents")


FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA):
        return "'" + value
    return value


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """One row per exported folder, sorted by folder name; ``volume_sha256`` is ``Part/volume.pdf=sha256`` joined by
    ``; ``, ``source_documents`` ``#id share/path`` joined by ``; ``."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for row in sorted(rows, key=lambda r: r["folder"]):
        w.writerow([_cell(row.get(c)) for c in COLUMNS])
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def sums_bytes(rows: list[dict[str, Any]]) -> bytes:
    """``sha256  fl-…/Part/volume.pdf`` for every volume (the format ``sha256sum -c`` reads)."""
    lines = sorted(f"{sha}  {row['folder']}/{path}" for row in rows for path, sha in row["_volumes"].items())
    return "".join(line + "\n" for line in lines).encode("utf-8")
