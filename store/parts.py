"""The parts of a physical file (eOffice's Notes, Receipts, Issues, References) and a document's order in it.

A document's part comes from the share path (``<branch>/<file>/Notes/…``, see ``part_of_folder``), from a divider
sheet, or from a person (``set_part``, an audited event). Folder names are matched NFC and case-insensitively, in
English or Hindi.
"""
from __future__ import annotations

import regex
from sqlalchemy.orm import Session

from common.text import fold_digits, nfc
from store.models import Document, Event, utcnow

PARTS = ("notes", "receipts", "issues", "references")
DEFAULT = "receipts"
#: eOffice's folder name of each part
FOLDER = {"notes": "Notes", "receipts": "Receipts", "issues": "Issues", "references": "References"}

_NAMES: dict[str, tuple[str, ...]] = {
    "notes": ("notes", "note", "noting", "notings", "notesheet", "notesheets", "note sheet", "note-sheet",
              "टिप्पणी", "टिप्पणियाँ", "टिप्पणियां", "नोटशीट", "नोट शीट", "नोटिंग"),
    "receipts": ("receipts", "receipt", "correspondence", "letters", "पत्र", "पत्राचार", "प्राप्ति", "प्राप्तियाँ",
                 "आवक", "आवती"),
    "issues": ("issues", "issue", "dispatch", "dispatched", "outgoing", "जावक", "निर्गम", "प्रेषित", "जारी"),
    "references": ("references", "reference", "refs", "ref", "संदर्भ", "सन्दर्भ", "संलग्नक"),
}
_BY_NAME = {nfc(name).casefold(): part for part, names in _NAMES.items() for name in names}


class PartError(ValueError):
    """A part name or document that cannot be set; the message is Hindi first, then English."""


def part_of_folder(name: str) -> str | None:
    """The part a share folder name stands for (``Notes``, ``टिप्पणी``, ``RECEIPTS``), or None."""
    return _BY_NAME.get(" ".join(nfc(name).replace("_", " ").split()).casefold())


def part_of_source(source: str) -> str | None:
    """The part named by a folder of a share-relative path below the branch folder (the innermost one wins)."""
    folders = source.split("/")[1:-1]
    for folder in reversed(folders):
        if (part := part_of_folder(folder)) is not None:
            return part
    return None


def check_part(part: str) -> str:
    """The canonical part for what a person typed (English or Hindi, any case)."""
    found = part.strip().lower() if part.strip().lower() in PARTS else part_of_folder(part)
    if found is None:
        raise PartError(f"भाग '{part}' ज्ञात नहीं; notes, receipts, issues या references लिखें / unknown part "
                        f"'{part}'; use notes, receipts, issues or references")
    return found


def set_part(s: Session, doc_id: int, part: str, *, sequence: int | None = None, actor: str = "nasti") -> Event:
    """Give a document its part (and order); recorded as an event."""
    doc = s.get(Document, doc_id)
    if doc is None:
        raise PartError(f"दस्तावेज़ {doc_id} नहीं मिला / no document with id {doc_id}")
    new = check_part(part)
    before = f"{doc.part}" + (f" #{doc.sequence}" if doc.sequence is not None else "")
    doc.part = new
    if sequence is not None:
        doc.sequence = sequence
    after = f"{doc.part}" + (f" #{doc.sequence}" if doc.sequence is not None else "")
    doc.updated_at = utcnow()
    event = Event(document_id=doc.id, from_state=doc.status, to_state=doc.status, actor=actor, at=utcnow(),
                  detail=f"part: {before} → {after}")
    s.add(event)
    s.flush()
    return event


_LEADING_NUMBER = regex.compile(r"^\s*([0-9]{1,6})(?![0-9])[\s._\-)]")


def sequence_of_source(source: str) -> int | None:
    """The order a clerk gave a scan by its name: a leading number (``03 पत्र.pdf``, ``१२-notesheet.tif``)."""
    m = _LEADING_NUMBER.match(fold_digits(source.rsplit("/", 1)[-1]))
    return int(m[1]) if m else None
