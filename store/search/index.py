"""Write the search index: one ``page_fts`` row per page of a done document (see migration 0002).

``body`` is the page's token stream (:func:`~store.search.tokenize.index_text`); the first row of a document also
carries ``meta``: its subject, its file number and the matching keys (document, register file, conflicting number),
so a file-number query in either digit set finds the document even when the number was only in the file name.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from common.text import file_number_key
from store.models import Document, RegisterFile
from store.search.pg import tsvector_literal
from store.search.tokenize import index_text

__all__ = ["index_document", "meta_text", "reindex_meta", "unindex_document"]

_INSERT = {
    "sqlite": "INSERT INTO page_fts (body, meta, document_id, page) VALUES (:body, :meta, :doc, :page)",
    "postgresql": "INSERT INTO page_fts (body, meta, document_id, page, tsv) "
                  "VALUES (:body, :meta, :doc, :page, CAST(:tsv AS tsvector))",
}


def _dialect(s: Session) -> str:
    return s.get_bind().dialect.name


def meta_text(doc: Document, register: RegisterFile | None = None) -> str:
    """Index text of what describes the whole document: subject, file number(s) and their keys."""
    numbers = [doc.file_number, doc.file_number_alt, register.file_number if register else None]
    keys = [doc.file_number_key, register.key if register else None]
    keys += [file_number_key(n) for n in numbers if n]
    parts = [index_text(doc.subject or "")] + [index_text(n) for n in numbers if n]
    parts += list(dict.fromkeys(k for k in keys if k))
    return " ".join(p for p in parts if p)


def unindex_document(s: Session, doc_id: int) -> None:
    s.execute(text("DELETE FROM page_fts WHERE document_id = :d"), {"d": doc_id})


def index_document(s: Session, doc: Document, pages: Iterable[tuple[int, str]], *, fresh: bool = False) -> int:
    """(Re)index ``doc`` from ``(page number, text)`` pairs; returns the number of rows written. ``fresh``: the
    document has no rows yet (rebuild) — skips the delete, a full scan of the FTS5 table by its UNINDEXED column."""
    if not fresh:
        unindex_document(s, doc.id)
    register = s.get(RegisterFile, doc.register_file_id) if doc.register_file_id else None
    meta = meta_text(doc, register)
    rows = []
    for i, (number, page_text) in enumerate(sorted(pages)):
        body = index_text(page_text or "")
        row_meta = meta if i == 0 else ""
        rows.append({"body": body, "meta": row_meta, "doc": doc.id, "page": number,
                     "tsv": tsvector_literal(body, row_meta)})
    if not rows and meta:
        rows.append({"body": "", "meta": meta, "doc": doc.id, "page": 1, "tsv": tsvector_literal("", meta)})
    if rows:
        s.execute(text(_INSERT.get(_dialect(s), _INSERT["postgresql"])), rows)
    return len(rows)


def reindex_meta(s: Session, doc: Document) -> None:
    """After the tags of a done document change (review): index its stored pages again with the new meta."""
    rows = s.execute(text("SELECT number, text FROM page WHERE document_id = :d"), {"d": doc.id}).all()
    index_document(s, doc, [(int(n), t) for n, t in rows])
