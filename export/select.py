"""Which physical files exist and which are ready for eOffice.

A physical file is a register file; else, for documents matched to none, a file number (per branch, by its key);
else the share folder the documents were dropped in (``<branch>/<file>/…``). Documents in none of these are not part
of any physical file and are not exported. A file is ready when it has documents, every one of them is done and none
waits for review (rejected and duplicate drops are not part of the file).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.text import file_number_key
from store.models import Branch, Document, Page, RegisterFile
from store.parts import DEFAULT, PARTS, part_of_folder

LEFT_OUT = ("rejected", "duplicate")


@dataclass
class DocPages:
    id: int
    source: str
    part: str
    sequence: int | None
    pdf_path: str | None
    pages: int
    blank: frozenset[int]          # 1-based numbers of blank pages (left out of the upload)
    handwritten: frozenset[int]    # 1-based numbers of handwritten pages (kept greyscale)
    done_at: dt.datetime | None
    exported_as: str | None
    sheets: frozenset[int] = frozenset()     # nasti's own cover and divider sheets: never uploaded
    page_parts: tuple[tuple[int, str], ...] = ()   # (page, part) set by a divider sheet inside a batch scan

    @property
    def total(self) -> int:
        """Pages of its searchable PDF: the file's pages and nasti's own sheets (``pages`` counts only the first)."""
        return self.pages + len(self.sheets)

    def only(self, part: str) -> DocPages | None:
        """This document as far as ``part`` holds it: its pages a divider put in another part, and nasti's own
        sheets, are left out like blank backs; None when no page of it belongs to ``part``."""
        own = dict(self.page_parts)
        every = set(range(1, self.total + 1))
        out = {n for n in every if (own.get(n) or self.part) != part} | set(self.sheets)
        if not every - out - set(self.blank):
            return None
        return replace(self, part=part, blank=self.blank | frozenset(out))

    def order(self) -> tuple[int, int, str, int]:
        return (PARTS.index(self.part) if self.part in PARTS else 1,
                self.sequence if self.sequence is not None else 1 << 30, self.source, self.id)


@dataclass
class PhysicalFile:
    key: str                       # rf:<id> | fn:<branch id>:<number key> | dir:<branch id>:<folder>
    file_number: str
    branch_key: str
    branch_code: str
    subject: str = ""
    year: int | None = None
    category: str = ""
    number_key: str = ""
    documents: list[DocPages] = field(default_factory=list)
    waiting: int = 0               # documents not done or waiting for review

    @property
    def ready(self) -> bool:
        return bool(self.documents) and self.waiting == 0

    def sort_key(self) -> tuple[str, str, int]:
        return self.branch_key, self.number_key, min((d.id for d in self.documents), default=0)

    def in_part(self, part: str) -> list[DocPages]:
        """The documents with pages in ``part``, in order, each restricted to those pages (a batch scan's divider
        sheets put one document's pages in several parts)."""
        docs = []
        for d in self.documents:
            if not d.page_parts and not d.sheets:
                if (d.part if d.part in PARTS else DEFAULT) == part:
                    docs.append(d)
            elif (view := d.only(part)) is not None:
                docs.append(view)
        return sorted(docs, key=DocPages.order)


def _folder_of(source: str) -> str | None:
    parts = source.split("/")
    if len(parts) < 3 or part_of_folder(parts[1]) is not None:
        return None
    return parts[1]


def physical_files(s: Session, unfiled: list[str] | None = None) -> list[PhysicalFile]:
    """Every physical file with at least one document (ready or not), in the naming order of export.names.
    ``unfiled`` (when given) receives ``#id source`` of each done document that is in no physical file."""
    branches = {b.id: b for b in s.scalars(select(Branch))}
    registers = {r.id: r for r in s.scalars(select(RegisterFile))}
    files: dict[str, PhysicalFile] = {}
    numbers: dict[str, Counter[str]] = {}
    blank: dict[int, list[int]] = {}
    hand: dict[int, list[int]] = {}
    sheets: dict[int, list[int]] = {}
    parts: dict[int, list[tuple[int, str]]] = {}
    for doc_id, number, is_blank, is_hand, kind, part in s.execute(
            select(Page.document_id, Page.number, Page.blank, Page.handwritten, Page.kind, Page.part)
            .where(Page.blank.is_(True) | Page.handwritten.is_(True) | Page.kind.is_not(None)
                   | Page.part.is_not(None))):
        if is_blank:
            blank.setdefault(doc_id, []).append(number)
        if is_hand:
            hand.setdefault(doc_id, []).append(number)
        if kind in ("cover", "divider"):
            sheets.setdefault(doc_id, []).append(number)
        if part in PARTS:
            parts.setdefault(doc_id, []).append((number, part))
    docs = s.scalars(select(Document).where(Document.status.not_in(LEFT_OUT), Document.branch_id.is_not(None))
                     .order_by(Document.id))
    for doc in docs:
        branch = branches[doc.branch_id]  # type: ignore[index]
        if doc.register_file_id is not None and doc.register_file_id in registers:
            rf = registers[doc.register_file_id]
            key, number = f"rf:{rf.id}", rf.file_number
        elif doc.file_number_key:
            key, number = f"fn:{branch.id}:{doc.file_number_key}", doc.file_number or doc.file_number_key
        elif (folder := _folder_of(doc.source)) is not None:
            key, number = f"dir:{branch.id}:{folder}", folder
        else:
            if unfiled is not None and doc.status == "done":
                unfiled.append(f"#{doc.id} {doc.source}")
            continue
        pf = files.get(key)
        if pf is None:
            pf = files[key] = PhysicalFile(key=key, file_number=number, branch_key=branch.key,
                                           branch_code=branch.code, number_key=file_number_key(number))
            if key.startswith("rf:"):
                rf = registers[int(key[3:])]
                pf.subject, pf.year, pf.category = rf.subject or "", rf.year, rf.category or ""
        numbers.setdefault(key, Counter())[number] += 1
        if not pf.subject and doc.subject:
            pf.subject = doc.subject
        if pf.year is None and doc.letter_date is not None:
            pf.year = doc.letter_date.year
        if doc.status != "done" or doc.needs_review:
            pf.waiting += 1
            continue
        pf.documents.append(DocPages(
            id=doc.id, source=doc.source, part=doc.part or DEFAULT, sequence=doc.sequence, pdf_path=doc.pdf_path,
            pages=doc.pages, blank=frozenset(blank.get(doc.id, ())),
            handwritten=frozenset(hand.get(doc.id, ())),
            done_at=doc.done_at,
            exported_as=doc.exported_as, sheets=frozenset(sheets.get(doc.id, ())),
            page_parts=tuple(sorted(parts.get(doc.id, ())))))
    for key, pf in files.items():
        if not key.startswith("rf:"):   # the number most documents print
            pf.file_number = numbers[key].most_common(1)[0][0]
    return sorted(files.values(), key=PhysicalFile.sort_key)


def chosen(files: list[PhysicalFile], *, branch: str | None = None, file_number: str | None = None,
           since: dt.datetime | None = None) -> list[PhysicalFile]:
    """The ready files the command asks for."""
    want = file_number_key(file_number) if file_number else None
    out = []
    for pf in files:
        if not pf.ready or (branch is not None and pf.branch_key != branch):
            continue
        if want is not None and pf.number_key != want:
            continue
        if since is not None and not any(d.done_at and d.done_at >= since for d in pf.documents):
            continue
        out.append(pf)
    return out
