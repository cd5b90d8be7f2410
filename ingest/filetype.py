"""What a file is, from its first bytes — never from its name."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SUPPORTED = ("pdf", "tiff", "jpeg", "png")


@dataclass(frozen=True)
class Sniffed:
    kind: str | None        # one of SUPPORTED, or None when unsupported
    name: str               # a human name of what it is, e.g. "a ZIP archive"


_MAGIC: list[tuple[bytes, int, str | None, str]] = [
    (b"%PDF-", 0, "pdf", "PDF"),
    (b"II*\x00", 0, "tiff", "TIFF image"),
    (b"MM\x00*", 0, "tiff", "TIFF image"),
    (b"II+\x00", 0, "tiff", "BigTIFF image"),
    (b"\xff\xd8\xff", 0, "jpeg", "JPEG image"),
    (b"\x89PNG\r\n\x1a\n", 0, "png", "PNG image"),
    (b"GIF8", 0, None, "GIF image"),
    (b"BM", 0, None, "BMP image"),
    (b"RIFF", 0, None, "RIFF file (WebP image, AVI or WAV)"),
    (b"\x00\x00\x00\x0cjP  ", 0, None, "JPEG 2000 image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, None, "old Microsoft Office document (.doc/.xls)"),
    (b"Rar!", 0, None, "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, None, "7-Zip archive"),
    (b"\x1f\x8b", 0, None, "gzip archive"),
    (b"{\\rtf", 0, None, "RTF document"),
    (b"AT&TFORM", 0, None, "DjVu document"),
    (b"MZ", 0, None, "Windows program"),
]


def _zip_name(head: bytes) -> str:
    if b"word/" in head:
        return "Word document (.docx)"
    if b"xl/" in head:
        return "Excel workbook (.xlsx)"
    if b"ppt/" in head:
        return "PowerPoint presentation (.pptx)"
    if b"mimetypeapplication/vnd.oasis" in head:
        return "OpenDocument file"
    return "ZIP archive"


def sniff(path: Path) -> Sniffed:
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head:
        return Sniffed(None, "empty file")
    if head.startswith(b"PK\x03\x04"):
        return Sniffed(None, _zip_name(head))
    # PDF readers accept a header within the first 1024 bytes.
    if b"%PDF-" in head[:1024]:
        return Sniffed("pdf", "PDF")
    for magic, offset, kind, name in _MAGIC:
        if head[offset:offset + len(magic)] == magic:
            return Sniffed(kind, name)
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return Sniffed(None, "HEIC photo")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return Sniffed(None, "HTML web page")
    if text.startswith(b"<?xml") or text.startswith(b"<svg"):
        return Sniffed(None, "XML/SVG file")
    try:
        head.decode("utf-8")
        return Sniffed(None, "plain text file")
    except UnicodeDecodeError:
        return Sniffed(None, "file of an unknown kind")
