"""Batch splitting at cover sheets: a scan holding several physical files, each behind its nasti cover sheet,
becomes one document per cover (the pages after it, up to the next cover), each with its own searchable PDF, page
rows, tags and search rows, all linked to the drop (``document.batch_id``). The batch original is archived once,
byte-identical, by the drop's own record; every document of the batch points at it.

- Pages before the first cover form a document of their own that waits for review (which file are they?).
- A divider sheet sets the eOffice part (notes, receipts, ...) of the pages after it, up to the next divider or
  cover; a document's ``part`` is its first page's.
- A cover gives its document the register file and its number outright (source ``cover sheet``, confidence 1):
  no fuzzy matching, no review for the number. A cover printed for another branch or another office, one that
  names a file the register does not hold, or two covers of one file in one batch go to review with the reason.
- A cover whose code cannot be read is known by its printed heading (report.coversheet.MARKER_*) once OCR'd, and
  its printed number is matched to the register exactly (source ``cover sheet ocr``).

Crash safety: the documents of a batch are written down (status processing, archive paths) before any of their
PDFs, found again by (batch_id, batch_seq) when the drop is resumed, and all marked done in one transaction; the
drop's failure or rejection closes them with it (``close_with``).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path

import pikepdf
import regex
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.config import Config
from common.cover import BadPayload, Sheet, parse
from common.text import nfc
from ingest.archive import move_into
from ingest.cover_tags import (
    MARKER,
    MARKER_HI,
    Plan,
    Segment,
    clear_number,
    cover_tags,
    out_of_order,
    repeated,
    reversed_batch,
)
from ingest.pages import record_pages
from ingest.steps import hook
from ingest.tagger import tag_and_index
from ocr.page import PageResult
from ocr.pool import OcrPool
from ocr.qr import QrResult, QrTask, check_page
from ocr.xmp import write_description
from store import dblocks, repo
from store.db import Store
from store.describe import describe
from store.matching import ReviewReason, flag, review_reasons
from store.models import Branch, Document, Office, Page
from store.search.index import index_document

log = logging.getLogger("nasti.ingest")

CODE = "nasti-code"            # PageResult.language of a sheet read from its QR code (not OCR'd)
# a cover whose code did not read is known by its printed heading: the English line (no letter says it), or the
# Hindi one with the sheet id label under it — "आवरण पृष्ठ" alone is an ordinary phrase ("the report's cover page")
_SHEET_LABEL = regex.compile(r"Sheet\s*ID", regex.IGNORECASE)


# -- before OCR ---------------------------------------------------------------------------------------------------
def find_codes(pool: OcrPool, source: Path, kind: str, pages: int, timeout: float,
               max_pixels: int) -> dict[int, str]:
    """page index → the nasti code on it, for every page whose code reads and whose check holds (a garbled code
    is refused here, so that page is OCR'd like any other)."""
    futures: list[Future[QrResult]] = [pool.submit(check_page, QrTask(source, kind, i, timeout, max_pixels))
                                       for i in range(pages)]
    found: dict[int, str] = {}
    for f in futures:
        r = f.result()
        if r.error is not None:   # the page is OCR'd as any other; the check's own failure is said, not swallowed
            log.warning("%s page %d: the cover-sheet check failed (%s)", source.name, r.index + 1, r.error)
        if r.payload is None:
            continue
        try:
            parse(r.payload)
        except BadPayload as e:
            log.warning("%s page %d: a nasti code refused (%s)", source.name, r.index + 1, e)
            continue
        found[r.index] = r.payload
    return found


def code_result(index: int, payload: str) -> PageResult:
    """The page result of a sheet known by its code: not OCR'd, no text layer; the code kept in raw_text."""
    return PageResult(number=index + 1, text="", confidence=None, blank=False, language=CODE, rotation=0,
                      seconds=0.0, layer=None, raw_text=payload)


def _sheet(r: PageResult) -> Sheet | None:
    if r.language != CODE or not r.raw_text:
        return None
    try:
        return parse(r.raw_text)
    except BadPayload:
        return None


def _printed_cover(r: PageResult) -> str | None:
    """The OCR text of a cover sheet whose code did not read (known by its heading), else None."""
    text = nfc(r.text or "")
    if r.language == CODE:
        return None
    if not MARKER.search(text) and not (MARKER_HI.search(text) and _SHEET_LABEL.search(text)):
        return None
    return text


def plan(results: Sequence[PageResult]) -> Plan | None:
    """How a batch splits; None when it holds no cover sheet (an ordinary document)."""
    kinds: list[str | None] = []
    parts: list[str | None] = []
    starts: list[tuple[int, Sheet | None, str | None]] = []
    part: str | None = None
    for i, r in enumerate(results):
        sheet = _sheet(r)
        printed = None if sheet is not None else _printed_cover(r)
        if (sheet is not None and sheet.is_cover) or printed is not None:
            kinds.append("cover")
            starts.append((i, sheet, printed))
            part = None
        elif sheet is not None:
            kinds.append("divider")
            part = sheet.part
        else:
            kinds.append(None)
        parts.append(part if kinds[-1] is None else None)
    if not starts:   # no cover: an ordinary document — its dividers still set the parts of its pages
        return Plan((Segment(0, tuple(range(len(results))), whole=True),), tuple(kinds), tuple(parts)) \
            if "divider" in kinds else None
    segments: list[Segment] = []
    if starts[0][0] > 0:
        segments.append(Segment(0, tuple(range(starts[0][0]))))
    for n, (start, sheet, printed) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(results)
        segments.append(Segment(len(segments), tuple(range(start, end)), sheet, printed))
    return Plan(tuple(segments), tuple(kinds), tuple(parts))


# -- writing the documents ----------------------------------------------------------------------------------------
def _pdf_rel(drop_pdf: str, seq: int) -> str:
    if seq == 0:
        return drop_pdf
    stem = drop_pdf[: -len(".ocr.pdf")] if drop_pdf.endswith(".ocr.pdf") else drop_pdf.rsplit(".", 1)[0]
    return f"{stem}.{seq + 1}.ocr.pdf"


def part_source(source: str, seq: int) -> str:
    """The source of the batch's document ``seq`` (1-based after the drop's own): ``revenue/बैच.pdf//#2``. A share
    path never holds "//", so no file a clerk drops can ever have it (with "#2" alone, a file named "बैच.pdf#2" was
    taken for this document: it closed it as replaced, and resumed it as its own drop when it had the same bytes)."""
    return f"{source}//#{seq + 1}"


def _documents(s: Session, drop: Document, count: int) -> list[Document]:
    """The batch's documents, written down (processing, with their archive paths) before any PDF of theirs: the
    drop's own record first, then one per further segment — found again, never made twice, on a resumed run."""
    drop.batch_id, drop.batch_seq = drop.id, 0
    docs = [drop]
    existing = {d.batch_seq: d for d in s.scalars(select(Document).where(Document.batch_id == drop.id,
                                                                          Document.id != drop.id))}
    for seq in range(1, count):
        doc = existing.pop(seq, None)
        if doc is None:
            doc = repo.new_document(s, office_id=drop.office_id, branch_id=drop.branch_id,
                                    source=part_source(drop.source, seq), share_path=drop.share_path,
                                    sha256=drop.sha256, size=drop.size)
            doc.batch_id, doc.batch_seq, doc.settled = drop.id, seq, True
            repo.transition(s, doc, "processing", f"file {seq + 1} of batch document {drop.id}")
        elif doc.status in ("processing", "failed"):
            repo.transition(s, doc, "processing", f"resumed with batch document {drop.id}")
            repo.clear_pages(s, doc.id)
        doc.archive_path, doc.pdf_path = drop.archive_path, _pdf_rel(drop.pdf_path or "", seq)
        docs.append(doc)
    for stale in existing.values():   # a re-read found fewer covers than an interrupted run: close the extra ones
        if stale.status in repo.ACTIVE:
            _close(s, stale, "rejected", "the batch was split again with fewer cover sheets")
    s.flush()
    return docs


def _extract(built: Path, pages: Sequence[int], out: Path) -> None:
    tmp = out.with_name(out.name + ".part")
    with pikepdf.open(built) as src, pikepdf.new() as dst:
        for i in pages:
            dst.pages.append(src.pages[i])
        dst.save(tmp)
    tmp.replace(out)


def record_batch(cfg: Config, store: Store, doc_id: int, built: Path, kind: str, results: Sequence[PageResult],
                 split: Plan, staging: Path, path: Path) -> None:
    """The record step of a batch: each segment's searchable PDF cut from ``built`` (the whole batch, searchable),
    then every document's pages, tags and `done` in one transaction."""
    with store.session() as s:
        ids = [(d.id, d.pdf_path or "") for d in _documents(s, s.get_one(Document, doc_id), len(split.segments))]
    for seg, (sid, pdf_rel) in zip(split.segments, ids, strict=True):
        part_pdf = staging / f"segment-{seg.seq + 1}.pdf"
        _extract(built, seg.pages, part_pdf)
        with dblocks.fenced(store):   # a watcher that no longer leads writes nothing more into the archive
            move_into(part_pdf, cfg.archive / pdf_rel)
        hook("after_segment", path=path, doc_id=sid)
    with store.session() as s:
        drop = s.get_one(Document, doc_id)
        office = s.get_one(Office, drop.office_id)
        branch = s.get(Branch, drop.branch_id) if drop.branch_id else None
        docs = [s.get_one(Document, sid) for sid, _ in ids]
        extra: dict[int, list[ReviewReason]] = defaultdict(list)
        by_file: dict[int, list[Document]] = defaultdict(list)
        for seg, doc in zip(split.segments, docs, strict=True):
            texts = _record_segment(s, doc, seg, split, results, kind, cfg)
            extra[doc.id] += cover_tags(s, doc, seg, office, branch)
            index_document(s, doc, texts)   # again: the search rows carry the number and register file
            if doc.register_file_id is not None:
                by_file[doc.register_file_id].append(doc)
        if reversed_batch(split, docs):
            for seg, doc in zip(split.segments, docs, strict=True):
                if (seg.sheet is not None or seg.printed is not None) and doc.pages:
                    extra[doc.id].insert(0, out_of_order(doc))
                    by_file.pop(doc.register_file_id or 0, None)
                    clear_number(doc)
        for same in by_file.values():
            if len(same) > 1:
                for doc in same:
                    extra[doc.id].append(repeated(doc, len(same)))
        for doc in docs:
            flag(doc, [*extra[doc.id], *review_reasons(doc, branch, cfg)])
            repo.transition(s, doc, "done", f"{doc.pages} pages of batch document {drop.id} "
                                            f"({len(docs)} documents), archived as {drop.archive_path}")
            write_description(cfg.archive / (doc.pdf_path or ""), describe(s, doc))


def _record_segment(s: Session, doc: Document, seg: Segment, split: Plan, results: Sequence[PageResult],
                    kind: str, cfg: Config) -> list[tuple[int, str]]:
    """The segment's page rows, counts and tags (from its pages' text); the (number, text) of its file's pages."""
    sub = [replace(results[i], number=n) for n, i in enumerate(seg.pages, start=1)]
    record_pages(s, doc, sub)
    s.flush()
    for page in s.scalars(select(Page).where(Page.document_id == doc.id)):
        i = seg.pages[page.number - 1]
        page.kind, page.part = split.kinds[i], split.parts[i]
        if page.kind is not None:   # a nasti sheet is no page of the file: never a reason for review
            page.review_code = page.review_reason = page.review_reason_hi = None
    content = [(r, i) for r, i in zip(sub, seg.pages, strict=True) if split.kinds[i] is None]
    confs = [r.confidence for r, _ in content if r.confidence is not None and not r.blank and not r.handwritten]
    doc.kind = kind
    doc.pages = len(content)
    doc.blank_pages = sum(r.blank for r, _ in content)
    doc.confidence = round(sum(confs) / len(confs), 2) if confs else None
    doc.part = (split.parts[content[0][1]] if content else None) or "receipts"   # its first page's part
    doc.problem = None
    texts = [(r.number, r.text) for r, _ in content]
    tag_and_index(s, doc, texts, cfg)
    return texts


# -- when the drop does not get to done ---------------------------------------------------------------------------
def _close(s: Session, doc: Document, to: str, why: str) -> None:
    doc.reason_code = "batch_not_done"
    doc.reason = f"not digitised: {why}"
    doc.reason_hi = "डिजिटाइज़ नहीं हुआ — बैच की मूल फ़ाइल का कारण देखें"
    repo.transition(s, doc, to, why)


def close_with(store: Store, doc_id: int) -> None:
    """Documents split from a drop that did not get to done follow it to its final state (a retry of a failed
    drop takes them up again); none is left in processing."""
    with store.session() as s:
        drop = s.get(Document, doc_id)
        if drop is None or drop.status not in ("failed", "rejected"):
            return
        for doc in s.scalars(select(Document).where(Document.batch_id == doc_id, Document.id != doc_id,
                                                    Document.status.in_(repo.ACTIVE))):
            _close(s, doc, drop.status, f"batch document {doc_id} is {drop.status}")
