"""Run a search: whole-word Hindi/English terms, prefixes, phrases and file numbers, ranked, one hit per document.

SQLite: FTS5 ``MATCH`` with bm25 (the ``meta`` column — subject, file numbers — weighs double). PostgreSQL:
``tsvector @@ tsquery`` with ``ts_rank``, both sides literals of our own tokens (see ``store.search.pg``).
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from common.text import fold_digits
from store.models import Document, Page
from store.search.pg import tsquery_literal
from store.search.tokenize import Query, fts5_match, parse_query, snippet

__all__ = ["CANDIDATES", "Hit", "match_expression", "search"]

_SQLITE = """
WITH h AS MATERIALIZED (
    SELECT document_id, page, bm25(page_fts, 1.0, 2.0) AS r FROM page_fts WHERE page_fts MATCH :m
)
SELECT h.document_id, h.page, min(h.r) AS r FROM h JOIN document AS d ON d.id = h.document_id {branch_join}
GROUP BY h.document_id ORDER BY r, h.document_id LIMIT :limit
"""
#: PostgreSQL ranks at most this many matching pages (the GIN index finds them; ts_rank reads each one's tsvector):
#: a word on 75 k pages stays fast. Pages past the cap are still found by a narrower query.
CANDIDATES = 2000
#: A word on many pages (``कार्यालय`` on 3 of 4): its first CANDIDATES pages lie among the first rows of the table,
#: found by reading those rows in order — the GIN index would first gather every one of its millions of pages. The
#: planner's estimate of the matching share says how many rows that takes; past MAX_PREFIX rows the index is
#: cheaper. The candidates are the same either way: the first matching pages in the table's physical order.
MAX_PREFIX = 16000
_POSTGRES = """
WITH c AS MATERIALIZED (
    SELECT f.document_id, f.page, f.tsv FROM {source} AS f {filter_join}
    WHERE f.tsv @@ CAST(:m AS tsquery) LIMIT :candidates
)
SELECT document_id, page, r, (SELECT count(*) FROM c) AS n FROM (
    SELECT DISTINCT ON (c.document_id) c.document_id, c.page, ts_rank(c.tsv, CAST(:m AS tsquery)) AS r
    FROM c JOIN document AS d ON d.id = c.document_id
    ORDER BY c.document_id, r DESC, c.page
) AS h ORDER BY r DESC, document_id LIMIT :limit
"""
_PREFIX_SOURCE = "(SELECT document_id, page, tsv FROM page_fts LIMIT :prefix)"
_PREFIX_SETTINGS = ("SET LOCAL max_parallel_workers_per_gather = 0",   # one scan, in the table's order
                    "SET LOCAL synchronize_seqscans = off")            # from its first block
_BRANCH_JOIN = "JOIN branch AS b ON b.id = d.branch_id AND b.key = :branch"


@dataclass(frozen=True)
class Hit:
    id: int
    source: str
    branch: str | None
    file_number: str | None
    subject: str | None
    page: int
    snippet: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def match_expression(query: Query) -> str:
    """FTS5 MATCH text: each term's phrase/prefix; a file-number term also matches its key token in ``meta``."""
    parts = []
    for term in query.terms:
        expr = fts5_match(Query([term]))
        if term.file_key:
            expr = f'({expr} OR "{term.file_key}")'
        parts.append(expr)
    return " AND ".join(parts)


def _ranked(s: Session, query: Query, branch: str | None, limit: int,
            office_ids: Collection[int] | None = None) -> list[tuple[int, int, float]]:
    dialect = s.get_bind().dialect.name
    params: dict[str, Any] = {"limit": limit}
    join = _BRANCH_JOIN if branch else ""
    if office_ids is not None:   # whole numbers only: safe to write into the SQL
        join = (f"AND d.office_id IN ({', '.join(str(int(i)) for i in office_ids)}) " if office_ids
                else "AND 1 = 0 ") + join
    if branch:
        params["branch"] = branch
    if dialect == "sqlite":
        params["m"] = match_expression(query)
        rows = s.execute(text(_SQLITE.format(branch_join=join)), params).all()
        return [(int(d), int(p), round(-float(r), 6)) for d, p, r in rows]
    return _ranked_pg(s, query, branch, limit, office_ids)


def _prefix_rows(s: Session, m: str, candidates: int) -> int | None:
    """How many rows from the start of ``page_fts`` should hold ``candidates`` pages matching ``m`` (the planner's
    estimate, with a margin), or None when the GIN index is the cheaper way (a rarer word; no statistics yet)."""
    plan = s.execute(text("EXPLAIN (FORMAT JSON) SELECT 1 FROM page_fts WHERE tsv @@ CAST(:m AS tsquery)"),
                     {"m": m}).scalar_one()
    matching = float(plan[0]["Plan"]["Plan Rows"])
    rows = float(s.execute(text("SELECT reltuples FROM pg_class WHERE oid = CAST('page_fts' AS regclass)"))
                 .scalar_one())
    if rows <= 0 or matching < candidates:
        return None
    needed = int(candidates * rows / matching * 1.5) + 1
    return needed if needed <= MAX_PREFIX else None


def _ranked_pg(s: Session, query: Query, branch: str | None, limit: int,
               office_ids: Collection[int] | None) -> list[tuple[int, int, float]]:
    params: dict[str, Any] = {"limit": limit, "m": tsquery_literal(query), "candidates": max(CANDIDATES, limit)}
    filter_join = ""
    if branch or office_ids is not None:   # the candidates are of the person's own offices and branch
        filter_join = "JOIN document AS bd ON bd.id = f.document_id"
        if office_ids is not None:         # whole numbers only: safe to write into the SQL
            filter_join += (f" AND bd.office_id IN ({', '.join(str(int(i)) for i in office_ids)})" if office_ids
                            else " AND 1 = 0")
        if branch:
            params["branch"] = branch
            filter_join += " JOIN branch AS b ON b.id = bd.branch_id AND b.key = :branch"
    elif (prefix := _prefix_rows(s, params["m"], params["candidates"])) is not None:
        params["prefix"] = prefix
        for setting in _PREFIX_SETTINGS:
            s.execute(text(setting))
        rows = s.execute(text(_POSTGRES.format(source=_PREFIX_SOURCE, filter_join="")), params).all()
        for setting in _PREFIX_SETTINGS:
            s.execute(text(setting.split("=")[0].replace("SET LOCAL", "RESET")))
        if rows and rows[0][3] >= params["candidates"]:   # a word on most pages: its candidates were all there
            return [(int(d), int(p), round(float(r), 6)) for d, p, r, _ in rows]
    # with a LIMIT the planner bets on a scan that stops early; for a rare word or a file number (whose phrase it
    # cannot estimate) it reads the whole table: the GIN index is always right for @@, so take it for this query
    # (an error aborts the transaction, whose rollback undoes the SET LOCAL too)
    s.execute(text("SET LOCAL enable_seqscan = off"))
    rows = s.execute(text(_POSTGRES.format(source="page_fts", filter_join=filter_join)), params).all()
    s.execute(text("SET LOCAL enable_seqscan TO DEFAULT"))
    return [(int(d), int(p), round(float(r), 6)) for d, p, r, _ in rows]


def _near_hit(page_text: str, query: Query, span: int = 400) -> str | None:
    """The snippet from a window around an early occurrence of the first token (tokenising a whole page for every
    hit is the slow part of a search); None when no window holds a whole-word hit."""
    lowered = fold_digits(page_text).lower()  # same length as the text for Devanagari and Latin
    needle = query.terms[0].parts[0]
    pos = lowered.find(needle)
    for _ in range(3):
        if pos < 0:
            return None
        a, b = max(0, pos - span), pos + len(needle) + span
        shown = snippet(page_text[a:b], query)
        if "[" in shown:
            lead = "… " if a > 0 and not shown.startswith("…") else ""
            tail = " …" if b < len(page_text) and not shown.endswith("…") else ""
            return lead + shown + tail
        pos = lowered.find(needle, pos + len(needle))
    return None


def _snippet(page_text: str, doc: Document, query: Query) -> str:
    shown = _near_hit(page_text, query) or snippet(page_text, query)
    if "[" in shown:
        return shown
    described = " — ".join(x for x in (doc.file_number, doc.subject) if x)
    if described:
        alt = snippet(described, query)
        if "[" in alt:
            return alt
    return shown


def search(s: Session, q: str, *, branch: str | None = None, limit: int = 20,
           office_ids: Collection[int] | None = None) -> list[Hit]:
    """Hits best first, at most ``limit`` (one per document, its best page). ValueError for an empty query.
    ``office_ids``: only documents of those offices (before the limit: another office's hits never crowd a
    person's own out)."""
    query = parse_query(q)
    if not query:
        raise ValueError("empty search query: give a word, a \"phrase\", a prefix* or a file number")
    ranked = _ranked(s, query, branch, max(1, limit), office_ids)
    if not ranked:
        return []
    ids = [d for d, _, _ in ranked]
    docs = {d.id: d for d in s.scalars(select(Document).options(selectinload(Document.branch))
                                       .where(Document.id.in_(ids)))}
    hits = []
    for doc_id, page, score in ranked:
        doc = docs[doc_id]
        page_text = s.scalar(select(Page.text).where(Page.document_id == doc_id, Page.number == page)) or ""
        hits.append(Hit(id=doc_id, source=doc.source, branch=doc.branch.key if doc.branch else None,
                        file_number=doc.file_number, subject=doc.subject, page=page,
                        snippet=_snippet(page_text, doc, query), score=score))
    return hits
