"""PostgreSQL search literals built from our own tokens, so PostgreSQL's text parser (locale-dependent, unproven on
Devanagari) never splits a word: the index stores ``tsvector`` literals and queries use ``tsquery`` literals."""
from __future__ import annotations

from store.search.tokenize import Query, Term

__all__ = ["tsquery_literal", "tsvector_literal"]

_MAX_POSITION = 16383    # PostgreSQL's largest tsvector position
_MAX_POSITIONS = 255     # positions kept per lexeme


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(body: str, meta: str = "") -> str:
    """``body`` and ``meta`` are :func:`~store.search.tokenize.index_text` outputs. Body tokens get positions
    1, 2, …; meta tokens follow after a gap (so no phrase spans the two) with weight A."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for tok in body.split():
        pos += 1
        positions.setdefault(tok, []).append(str(min(pos, _MAX_POSITION)))
    pos += 1
    for tok in meta.split():
        pos += 1
        positions.setdefault(tok, []).append(f"{min(pos, _MAX_POSITION)}A")
    return " ".join(f"{_lexeme(tok)}:{','.join(ps[:_MAX_POSITIONS])}" for tok, ps in positions.items())


def _term(term: Term) -> str:
    parts = [_lexeme(p) for p in term.parts]
    if term.prefix:
        parts[-1] += ":*"
    expr = " <-> ".join(parts)
    if term.file_key:
        expr = f"( {expr} | {_lexeme(term.file_key)} )"
    elif len(parts) > 1:
        expr = f"( {expr} )"
    return expr


def tsquery_literal(query: Query) -> str:
    """The ``tsquery`` for a parsed query: terms AND-ed, phrases as ``<->``, prefixes as ``:*``, a file number
    also as its key. Raises ValueError for an empty query."""
    if not query.terms:
        raise ValueError("empty search query")
    return " & ".join(_term(t) for t in query.terms)
