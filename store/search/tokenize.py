"""Hindi-correct tokens for indexing and querying, FTS5 MATCH expressions and snippets.

Tokens
    A token is a maximal run of letters, combining marks and digits (Unicode ``L*``, ``M*``, ``N*``), so a
    Devanagari word keeps its vowel signs, virama, nukta, anusvara, chandrabindu and visarga: ``कार्यालय`` is one
    token and ``कार`` is never a token of it. Input is NFC-normalised, ZWJ/ZWNJ (and soft hyphen, BOM) are removed,
    Devanagari digits ०-९ fold to ASCII and Latin is casefolded. Everything else separates tokens: whitespace,
    ASCII punctuation (``/ . , ( ) _``), danda ``।`` and double danda ``॥``.

Hyphenated compounds (``ई-ऑफिस``, ``भू-अभिलेख``, ``2021-22``)
    The parts are tokens in text order, and each whole compound is an *extra* token appended after the positional
    stream. Keeping the parts adjacent lets phrases and file numbers match (``378/राज./2017`` is the phrase
    ``378 राज 2017``); the appended compound gives exact-term lookups one token. A query ``ई-ऑफिस`` is searched as
    the phrase ``"ई ऑफिस"``, which also finds the word written with a space or a lost hyphen.

FTS5
    :data:`FTS5_TOKENIZE` keeps letters, marks, digits and ``-`` as token characters and splits on everything else.
    Feed the table :func:`index_text` output (space-joined tokens), query it with :func:`fts5_match`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from common.text import JOINERS, file_number_key, fold_digits, nfc, strip_invisible

__all__ = [
    "FTS5_TOKENIZE",
    "FTS5_TOKENIZE_SQL",
    "Query",
    "Term",
    "file_key",
    "fts5_match",
    "index_text",
    "normalize",
    "parse_query",
    "snippet",
    "tokens",
    "word_tokens",
]

#: Value of the FTS5 ``tokenize`` option: unicode61 with combining marks (M*) as token characters, no diacritic
#: removal (it would strip Devanagari signs), and ``-`` kept so a compound from :func:`index_text` is one term.
FTS5_TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* M* N* Co' tokenchars '-'"
#: The same, as an SQL string literal: ``CREATE VIRTUAL TABLE t USING fts5(body, tokenize=<this>)``.
FTS5_TOKENIZE_SQL = "'" + FTS5_TOKENIZE.replace("'", "''") + "'"

_WORD = regex.compile(r"[\p{L}\p{M}\p{N}\u200c\u200d\u00ad]+")
_HYPHENS = frozenset("-\u2010\u2011")
_DATE = regex.compile(r"^[0-9]{1,2}[./-][0-9]{1,2}[./-](?:[0-9]{2}|[0-9]{4})$")
_QUERY_CHUNK = regex.compile(r'"([^"]*)"(\*?)|“([^”]*)”(\*?)|(\S+)')


def normalize(text: str) -> str:
    """NFC with ZWJ/ZWNJ/soft hyphen/BOM removed (a zero-width space still separates words)."""
    return strip_invisible(text, JOINERS)


def _token(word: str) -> str:
    return nfc(fold_digits(strip_invisible(word, JOINERS)).casefold())


@dataclass(frozen=True)
class _Word:
    token: str
    start: int
    end: int


def _words(text: str) -> list[_Word]:
    """Positional words of already-NFC ``text``, with spans into it."""
    out: list[_Word] = []
    for m in _WORD.finditer(text):
        tok = _token(m.group())
        if tok:
            out.append(_Word(tok, m.start(), m.end()))
    return out


def _compounds(text: str, words: list[_Word]) -> list[str]:
    out: list[str] = []
    chain: list[str] = []
    for i, w in enumerate(words):
        chain.append(w.token)
        nxt = words[i + 1] if i + 1 < len(words) else None
        linked = nxt is not None and nxt.start == w.end + 1 and text[w.end] in _HYPHENS
        if not linked:
            if len(chain) > 1:
                out.append("-".join(chain))
            chain = []
    return out


def word_tokens(text: str) -> list[str]:
    """Positional tokens only (no appended compounds)."""
    return [w.token for w in _words(nfc(text))]


def tokens(text: str) -> list[str]:
    """Tokens for indexing: the positional tokens, then every hyphenated compound as one extra token."""
    norm = nfc(text)
    words = _words(norm)
    return [w.token for w in words] + _compounds(norm, words)


def index_text(text: str) -> str:
    """The canonical token stream, space-joined, for an FTS table using :data:`FTS5_TOKENIZE`."""
    return " ".join(tokens(text))


#: The file-number matching key (one rule: ``common.text.file_number_key``), under the name search code uses.
file_key = file_number_key


@dataclass
class Term:
    """One AND-ed query term.

    ``text`` is the token (plain/prefix term) or the normalised query text (phrase). ``phrase`` lists the tokens of
    a quoted phrase, a hyphenated word or a file number; with ``prefix`` its last token is a prefix. ``file_key`` is
    set for file-number-like terms and compares with the stored file-number key.
    """

    text: str
    prefix: bool = False
    phrase: list[str] | None = None
    file_key: str | None = None

    @property
    def parts(self) -> list[str]:
        return list(self.phrase) if self.phrase else [self.text]


@dataclass
class Query:
    terms: list[Term] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.terms)


def _term(raw: str, prefix: bool, quoted: bool) -> Term | None:
    parts = word_tokens(raw)
    if not parts:
        return None
    shown = fold_digits(normalize(raw)).strip()
    if len(parts) == 1:
        return Term(parts[0], prefix=prefix)
    is_number = any(c.isdigit() for c in "".join(parts)) and not _DATE.match(shown)
    if is_number and not prefix and (not quoted or " " not in shown):
        return Term(shown, prefix=False, phrase=parts, file_key=file_number_key(shown))
    return Term(shown, prefix=prefix, phrase=parts)


def parse_query(q: str) -> Query:
    """Parse a search box query: words (AND), ``कार्या*`` prefixes, ``"quoted phrases"`` and file numbers
    (``378/राज./2017``, ``३७८/राज./२०१७``: a phrase of their tokens plus ``file_key``)."""
    terms: list[Term] = []
    for m in _QUERY_CHUNK.finditer(normalize(q)):
        if m.group(5) is not None:
            raw = m.group(5).replace('"', "")
            prefix, quoted = raw.endswith("*"), False
            raw = raw.rstrip("*")
        else:
            raw = m.group(1) if m.group(1) is not None else m.group(3)
            prefix, quoted = bool(m.group(2) or m.group(4)), True
        term = _term(raw, prefix, quoted)
        if term is not None:
            terms.append(term)
    return Query(terms)


def _quote(tokens_: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens_) + '"'


def fts5_match(query: Query) -> str:
    """FTS5 MATCH expression (terms AND-ed, every token double-quoted). Raises ValueError for an empty query."""
    if not query.terms:
        raise ValueError("empty search query")
    return " AND ".join(_quote(t.parts) + ("*" if t.prefix else "") for t in query.terms)


def _hits(words: list[_Word], query: Query) -> list[tuple[int, int]]:
    """(first word index, last word index) of every whole-word hit of any term."""
    hits: list[tuple[int, int]] = []
    toks = [w.token for w in words]
    for term in query.terms:
        parts = term.parts
        n = len(parts)
        for i in range(len(toks) - n + 1):
            if toks[i : i + n - 1] != parts[:-1]:
                continue
            last = toks[i + n - 1]
            if last == parts[-1] or (term.prefix and last.startswith(parts[-1])):
                hits.append((i, i + n - 1))
    hits.sort()
    return hits


def _collapse(text: str) -> str:
    return regex.sub(r"\s+", " ", text).strip()


def snippet(text: str, query: Query, width: int = 160) -> str:
    """About ``width`` characters of the NFC text around the first whole-word hit, hits marked ``[`` ``]``, whitespace
    collapsed, ``…`` where cut. Without a hit: the start of the text, unmarked."""
    norm = nfc(text)
    words = _words(norm)
    if not words:
        return _collapse(norm[:width])
    hits = _hits(words, query)
    lo, hi = hits[0] if hits else (0, 0)
    grew = True
    while grew:
        grew = False
        if lo > 0 and words[hi].end - words[lo - 1].start <= width:
            lo, grew = lo - 1, True
        if hi + 1 < len(words) and words[hi + 1].end - words[lo].start <= width:
            hi, grew = hi + 1, True
    out: list[str] = []
    pos = words[lo].start
    last_end = -1
    for a, b in hits:
        if a < lo or b > hi or a <= last_end:
            continue
        out += [norm[pos : words[a].start], "[", norm[words[a].start : words[b].end], "]"]
        pos, last_end = words[b].end, b
    out.append(norm[pos : words[hi].end])
    body = _collapse("".join(out))
    return ("… " if lo > 0 else "") + body + (" …" if hi < len(words) - 1 else "")
