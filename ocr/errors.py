"""Errors from the OCR side. Each carries a stable code that ingest maps to a bilingual reason."""
from __future__ import annotations


class OcrError(Exception):
    """A page or file could not be read. `code` is stable; `detail` is a short English explanation."""

    code = "ocr_failed"

    def __init__(self, detail: str, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code


class EngineMissing(OcrError):
    """tesseract / poppler / a language model is not installed: an operator problem, not a bad file."""

    code = "engine_missing"


class PageTimeout(OcrError):
    code = "page_timeout"


class ImageTooLarge(OcrError):
    code = "image_too_large"


class UnreadableImage(OcrError):
    code = "unreadable_image"
