"""A batch document's file number from its cover sheet, and the reasons a person must look at it (ingest/split.py
cuts the batch; this module says which file each part is). A cover gives its register file outright (source
``cover sheet``, confidence 1) only when it fits: this office and branch, a row the register still holds, the number
that row has, pages behind it, and a batch in the usual order. Anything else keeps no register file and goes to
review with the reason, Hindi and English."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex
from sqlalchemy.orm import Session

from common.cover import Sheet, read_sheet_id
from common.text import file_number_key, nfc
from ingest.tagging.file_number import from_text
from store.matching import ReviewReason
from store.models import Branch, Document, Office
from store.register import RegisterIndex, cover_target


# -- the plan of a batch (made by ingest/split.py) -------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    seq: int
    pages: tuple[int, ...]          # 0-based indexes into the batch, in order (the cover first, if any)
    sheet: Sheet | None = None      # the cover's code
    printed: str | None = None      # a cover without a readable code: its OCR text
    whole: bool = False             # a file scanned without a cover but with dividers: tagged as usual


@dataclass(frozen=True)
class Plan:
    segments: tuple[Segment, ...]
    kinds: tuple[str | None, ...]   # per batch page: cover | divider | None (a page of the file)
    parts: tuple[str | None, ...]   # per batch page: the part a divider put it in (None before any divider)

COVER_SOURCE = "cover sheet"
COVER_OCR_SOURCE = "cover sheet ocr"
MARKER = regex.compile(r"NASTI\s*COVER\s*SHEET", regex.IGNORECASE)
MARKER_HI = regex.compile(r"नस्ती\s*आवरण\s*पृष्ठ")


def _printed_number(text: str) -> str:
    """The number printed under the "File No." label of a cover sheet, as OCR read it ("" when not found)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines[:-1]):
        if regex.search(r"File\s*No|नस्ती\s*क्रमांक", line):
            return regex.sub(r"\s+", "", lines[i + 1])
    found = sorted(from_text(text, 1), key=lambda c: -c.confidence)
    return found[0].value if found else ""


def _set_number(doc: Document, number: str, key: str, source: str, register_file_id: int | None) -> None:
    doc.file_number, doc.file_number_key, doc.file_number_source = number, key, source
    doc.file_number_confidence = 1.0
    doc.file_number_alt = None
    doc.register_file_id = register_file_id
    doc.match_score = 100.0 if register_file_id else None


def cover_tags(s: Session, doc: Document, seg: Segment, office: Office, branch: Branch | None,
                ) -> list[ReviewReason]:
    """The document's number and register file from its cover; the reasons a person must look (empty: none)."""
    if seg.whole:
        return []
    if seg.sheet is None and seg.printed is None:
        return [ReviewReason(
            "before_cover", "pages scanned before the first cover sheet of the batch: which file are they? assign "
                            "the file number, or scan them again behind their file's cover sheet",
            "बैच में पहले आवरण पृष्ठ से पहले के पृष्ठ — ये किस नस्ती के हैं? क्रमांक दर्ज करें, या इन्हें उनकी नस्ती के "
            "आवरण पृष्ठ के पीछे दोबारा स्कैन करें")]
    if doc.pages == 0:
        return [_empty(doc, seg)]
    if seg.sheet is None:
        return _printed_tags(s, doc, seg.printed or "", office, branch)
    sheet = seg.sheet
    number = sheet.file_number or ""
    if sheet.office != office.key:
        _set_number(doc, number, file_number_key(number), COVER_SOURCE, None)
        return [ReviewReason(
            "cover_other_office", f"the cover sheet of file {number} was printed for another office "
                                  f"('{sheet.office}'); check where this file belongs",
            f"नस्ती {number} का आवरण पृष्ठ किसी दूसरे कार्यालय ('{sheet.office}') का है — जाँचें कि नस्ती कहाँ की है")]
    if branch is None or sheet.branch != branch.key:
        _set_number(doc, number, file_number_key(number), COVER_SOURCE, None)
        return [ReviewReason(
            "cover_other_branch", f"the cover sheet of file {number} belongs to branch '{sheet.branch}', but the "
                                  f"scan was dropped in '{branch.key if branch else '?'}'; move it or assign it",
            f"नस्ती {number} का आवरण पृष्ठ शाखा '{sheet.branch}' का है, पर स्कैन "
            f"'{branch.key if branch else '?'}' में रखा गया — सही शाखा में रखें या तय करें")]
    register = cover_target(s, sheet.register_file_id or 0)
    if register is None or register.branch_id != branch.id:
        _set_number(doc, number, file_number_key(number), COVER_SOURCE, None)
        return [ReviewReason(
            "cover_not_in_register", f"the cover sheet names file {number}, which the branch register no longer "
                                     "holds; print its cover sheet again or assign the file",
            f"आवरण पृष्ठ पर नस्ती {number} है, जो अब शाखा के रजिस्टर में नहीं — आवरण पृष्ठ दोबारा छापें या नस्ती तय करें")]
    if file_number_key(number) != register.key and nfc(number) != register.file_number:
        # Every nasti keys its office "default", so a cover printed by another office's nasti (its register ids
        # are other files here), or an old cover of a deleted row whose id was given again, names this id with
        # another number: the id alone must not assign the file.
        _set_number(doc, number, file_number_key(number), COVER_SOURCE, None)
        return [ReviewReason(
            "cover_number_differs", f"the cover sheet says file {number}, but the register's file of that sheet is "
                                    f"{register.file_number}: a cover from another office or an old one; check the "
                                    "file and print its cover sheet again",
            f"आवरण पृष्ठ पर नस्ती {number} है, पर रजिस्टर में उस पृष्ठ की नस्ती {register.file_number} है — दूसरे "
            "कार्यालय का या पुराना आवरण पृष्ठ; नस्ती जाँचें और आवरण पृष्ठ दोबारा छापें")]
    _set_number(doc, register.file_number, register.key, COVER_SOURCE, register.id)
    return []


def clear_number(doc: Document) -> None:
    doc.file_number = doc.file_number_key = doc.file_number_source = doc.file_number_alt = None
    doc.file_number_confidence = doc.match_score = None
    doc.register_file_id = None


def _empty(doc: Document, seg: Segment) -> ReviewReason:
    """A cover with no page of its file behind it (two covers back to back, a cover scanned last): its file is not
    scanned, so the document takes no number and no register file (readiness must not count the file)."""
    number = (seg.sheet.file_number if seg.sheet is not None else _printed_number(seg.printed or "")) or "?"
    clear_number(doc)
    return ReviewReason(
        "cover_empty", f"the cover sheet of file {number} has no page behind it (two cover sheets back to back, or "
                       "the cover scanned last); scan the file behind its cover sheet",
        f"नस्ती {number} के आवरण पृष्ठ के पीछे कोई पृष्ठ नहीं (दो आवरण पृष्ठ एक साथ, या आवरण अंत में स्कैन हुआ) — "
        "नस्ती को उसके आवरण पृष्ठ के पीछे रखकर स्कैन करें")


def _printed_tags(s: Session, doc: Document, text: str, office: Office, branch: Branch | None,
                  ) -> list[ReviewReason]:
    """A cover whose code did not read: its printed sheet id (Latin digits with a check: OCR reads those well),
    else its printed number matched to the register exactly."""
    if len(MARKER.findall(text)) > 1 or len(MARKER_HI.findall(text)) > 1:
        clear_number(doc)
        return [ReviewReason(   # two covers copied 2-up onto one sheet: neither file may take the pages after it
            "cover_ambiguous", "one sheet holds two cover sheets (copied side by side); which file's pages follow "
                               "it? scan each file behind its own cover sheet, or assign the file",
            "एक ही पन्ने पर दो आवरण पृष्ठ हैं (साथ-साथ कॉपी किए गए) — इसके बाद के पृष्ठ किस नस्ती के हैं? हर नस्ती को "
            "उसके अपने आवरण पृष्ठ के पीछे स्कैन करें, या नस्ती तय करें")]
    rf_id = read_sheet_id(text, office.key, branch.key) if branch else None
    register = cover_target(s, rf_id) if rf_id is not None else None
    if register is not None and branch is not None and register.branch_id == branch.id:
        _set_number(doc, register.file_number, register.key, COVER_OCR_SOURCE, register.id)
        return []
    printed = _printed_number(text)
    key = file_number_key(printed) if printed else ""
    found = RegisterIndex(s, branch.id).match(key, 101.0, printed) if branch and key else None
    if found is not None and found.digits_agree:
        _set_number(doc, found.file_number, key, COVER_OCR_SOURCE, found.register_file_id)
        return []
    if printed:
        _set_number(doc, printed, key, COVER_OCR_SOURCE, None)
        doc.file_number_confidence = 0.5
    return [ReviewReason(
        "cover_unread", "the cover sheet's code could not be read and its printed number "
                        f"({printed or 'unreadable'}) is not in the register; check the number",
        f"आवरण पृष्ठ का कोड नहीं पढ़ा जा सका और छपा क्रमांक ({printed or 'अपठनीय'}) रजिस्टर में नहीं मिला — "
        "क्रमांक जाँचें")]


def reversed_batch(split: Plan, docs: Sequence[Document]) -> bool:
    """A batch that starts with pages and ends with a cover: covers were scanned after their files (or the stack
    went through reversed), so each cover's pages are the next file's."""
    first = split.segments[0]
    return first.sheet is None and first.printed is None and not first.whole and len(split.segments) > 1 and \
        docs[-1].pages == 0


def out_of_order(doc: Document) -> ReviewReason:
    number = doc.file_number or "?"
    return ReviewReason(
        "cover_order", f"the batch starts with pages and ends with a cover sheet: the covers seem to follow their "
                       f"files, so these pages behind the cover of {number} may be another file's; check and assign",
        f"बैच पृष्ठों से शुरू होकर आवरण पृष्ठ पर ख़त्म होता है — आवरण पृष्ठ नस्तियों के बाद लगे लगते हैं, इसलिए "
        f"{number} के आवरण के पीछे के ये पृष्ठ किसी दूसरी नस्ती के हो सकते हैं; जाँचकर नस्ती तय करें")


def repeated(doc: Document, times: int) -> ReviewReason:
    return ReviewReason(
        "cover_repeated", f"the batch holds {times} cover sheets of file {doc.file_number}; check whether pages of "
                          "another file went behind a copied cover",
        f"बैच में नस्ती {doc.file_number} के {times} आवरण पृष्ठ हैं — जाँचें कि किसी दूसरी नस्ती के पृष्ठ कॉपी किए गए "
        "आवरण पृष्ठ के पीछे तो नहीं")
