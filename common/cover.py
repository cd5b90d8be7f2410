"""The payload of a nasti cover or divider sheet's QR code: one format, written by report.coversheet and read by
ingest (through ocr.qr, which only finds the text).

Cover:   ``NASTI1|office|branch|register_file_id|file_number|check``
Divider: ``NASTI1|office|branch|DIVIDER|part|check``

``check`` is 8 hex digits of CRC-32 over everything before it, so a mistyped or garbled code is refused rather than
read as another file. Fields are NFC; a ``|`` inside a field is not allowed (register keys and numbers never hold one).
"""
from __future__ import annotations

import unicodedata
import zlib
from dataclasses import dataclass

from common.text import nfc

MAGIC = "NASTI1"
DIVIDER = "DIVIDER"
PARTS = ("notes", "receipts", "issues", "references")
PART_NAMES = {"notes": ("टिप्पणी भाग", "Notes"), "receipts": ("पत्राचार भाग (प्राप्तियाँ)", "Receipts"),
              "issues": ("जारी पत्र", "Issues"), "references": ("संदर्भ", "References")}


MAX_FIELD = 200        # a register file number is at most 200 characters (store.models.RegisterFile)


def _clean(v: str) -> bool:
    """A field a nasti sheet can hold: not empty, not too long, no control or format character (NUL, a newline,
    a bidi override) — a forged code must not put those in a document's number or a review reason."""
    return 0 < len(v) <= MAX_FIELD and "|" not in v and \
        not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") and ch not in "\u200c\u200d" for ch in v)


class BadPayload(ValueError):
    """A QR text that is not a nasti code, or whose check does not hold."""


@dataclass(frozen=True)
class Sheet:
    office: str
    branch: str
    register_file_id: int | None = None   # a cover
    file_number: str | None = None
    part: str | None = None               # a divider

    @property
    def is_cover(self) -> bool:
        return self.register_file_id is not None


def _check(body: str) -> str:
    return f"{zlib.crc32(body.encode('utf-8')):08X}"


def _printable(v: str) -> str:
    """A register value as a code can carry it: a '|' becomes '/', a line break, tab or other control character a
    space (an Excel cell with Alt+Enter), spaces collapsed, at most MAX_FIELD characters. A file number keeps its
    key (common.text.file_number_key ignores those), which is what ingest checks against the register."""
    v = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") and ch not in "\u200c\u200d"
                else ch for ch in nfc(v).replace("|", "/"))
    return " ".join(v.split())[:MAX_FIELD].strip()


def _field(v: str) -> str:
    v = _printable(v)
    if not _clean(v):
        raise ValueError(f"a cover sheet field may not be empty, longer than {MAX_FIELD} or hold '|' or a control "
                         f"character: {v!r}")
    return v


def cover_payload(office: str, branch: str, register_file_id: int, file_number: str) -> str:
    body = "|".join((MAGIC, _field(office), _field(branch), str(int(register_file_id)), _field(file_number)))
    return f"{body}|{_check(body)}"


def divider_payload(office: str, branch: str, part: str) -> str:
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}")
    body = "|".join((MAGIC, _field(office), _field(branch), DIVIDER, part))
    return f"{body}|{_check(body)}"


def sheet_id(office: str, branch: str, register_file_id: int) -> str:
    """The sheet's id as printed under the number in Latin digits (``17-4F2A``): read by OCR when the codes are
    not, its 4 hex digits check the id against this office and branch."""
    return f"{int(register_file_id)}-{_check(f'{office}|{branch}|{int(register_file_id)}')[:4]}"


SHEET_ID_LABEL = "Sheet ID"


def read_sheet_id(text: str, office: str, branch: str) -> int | None:
    """The register file id of a sheet id found in OCR text whose check holds for this office and branch."""
    import regex

    found = {int(m.group(1))
             for m in regex.finditer(r"Sheet\s*ID\W{0,3}([0-9]{1,9})\s*[-–—]\s*([0-9A-Fa-f]{4})", text)
             if sheet_id(office, branch, int(m.group(1))).upper() == f"{m.group(1)}-{m.group(2).upper()}"}
    return next(iter(found)) if len(found) == 1 else None   # two ids: two covers on one sheet, neither decides


def parse(text: str) -> Sheet:
    """The sheet a QR text names; BadPayload when it is not a nasti code or its check fails."""
    fields = nfc(text).strip().split("|")
    if len(fields) != 6 or fields[0] != MAGIC:
        raise BadPayload("not a nasti cover code")
    body, check = "|".join(fields[:5]), fields[5].upper()
    if _check(body) != check:
        raise BadPayload("the code's check does not hold (damaged or mistyped)")
    _, office, branch, ident, value = fields[:5]
    if not all(_clean(f) for f in (office, branch, ident, value)):
        raise BadPayload("a field of the code is empty, too long or holds a control character")
    if ident == DIVIDER:
        if value not in PARTS:
            raise BadPayload(f"unknown divider part {value!r}")
        return Sheet(office, branch, part=value)
    if not ident.isascii() or not ident.isdigit() or int(ident) >= 2**63:   # SQLite's integers are 64-bit
        raise BadPayload("the register file id is not a number")
    return Sheet(office, branch, register_file_id=int(ident), file_number=value)
