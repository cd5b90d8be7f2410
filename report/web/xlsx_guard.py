"""A workbook's size as its XML declares it, read before any spreadsheet reader opens it: the reader pads every
row to the sheet's width and yields every row up to the last one named, so a 1.5 KB file naming cell XFD1048576
unfolds into 17 billion cells. Only the sheets' row and cell references are scanned (streamed, bounded)."""
from __future__ import annotations

import io
import zipfile

import regex

CHUNK = 1024 * 1024
MAX_UNZIPPED = 64 * 1024 * 1024   # the sheets' XML, read at most this far
MAX_COLUMNS = 200                 # a register has a dozen columns
_REF = regex.compile(rb'\b(?:r|ref)="(?:[A-Z]{1,3}[0-9]{1,7}:)?([A-Z]{0,3})([0-9]{1,9})"')


def _column(letters: bytes) -> int:
    n = 0
    for c in letters:
        n = n * 26 + (c - 64)
    return n


def too_big(data: bytes, max_rows: int) -> str | None:
    """None if the workbook stays within ``max_rows`` rows and MAX_COLUMNS columns on every sheet; else why not
    (an error key: ``bad_register`` for a file that is not a zip at all, else ``register_too_big``)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return "bad_register"
    read = 0
    for info in book.infolist():
        if not regex.match(r"xl/worksheets/[^/]+\.xml$", info.filename):
            continue
        try:
            with book.open(info) as sheet:
                tail = b""
                while chunk := sheet.read(CHUNK):
                    read += len(chunk)
                    if read > MAX_UNZIPPED:
                        return "register_too_big"
                    text = tail + chunk
                    for letters, row in _REF.findall(text):
                        if int(row) > max_rows or (letters and _column(letters) > MAX_COLUMNS):
                            return "register_too_big"
                    tail = text[-64:]
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
            return "bad_register"
    return None
