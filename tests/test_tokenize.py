"""Hindi-correct tokens, query parsing, FTS5 MATCH round trip and snippets."""
from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterator

import pytest

from store.search.tokenize import (
    FTS5_TOKENIZE,
    FTS5_TOKENIZE_SQL,
    Query,
    Term,
    file_key,
    fts5_match,
    index_text,
    parse_query,
    snippet,
    tokens,
    word_tokens,
)


def test_devanagari_words_keep_their_marks() -> None:
    assert tokens("प्रशासन कार्यालय") == ["प्रशासन", "कार्यालय"]
    # the stdlib pitfall this module exists to avoid (DESIGN §4)
    assert re.findall(r"\w+", "कार्यालय") != ["कार्यालय"]
    assert "कार" not in tokens("कार्यालय")
    # nukta, anusvara, chandrabindu, visarga stay inside the word
    assert tokens("क़ानून हिंदी चाँद दुःख") == ["क़ानून", "हिंदी", "चाँद", "दुःख"]


def test_danda_and_punctuation_separate() -> None:
    assert tokens("आदेश पारित। प्रति॥ अंत") == ["आदेश", "पारित", "प्रति", "अंत"]
    assert tokens("क्रमांक/378/राज./2017, दिनांक") == ["क्रमांक", "378", "राज", "2017", "दिनांक"]


def test_digits_folded_latin_casefolded() -> None:
    assert tokens("क्रमांक/३७८/राज./२०१७") == ["क्रमांक", "378", "राज", "2017"]
    assert tokens("File No. REV") == ["file", "no", "rev"]


def test_hyphenated_compound_is_a_token_and_its_parts() -> None:
    assert tokens("ई-ऑफिस प्रणाली") == ["ई", "ऑफिस", "प्रणाली", "ई-ऑफिस"]
    assert tokens("भू-अभिलेख शाखा") == ["भू", "अभिलेख", "शाखा", "भू-अभिलेख"]
    assert word_tokens("ई-ऑफिस प्रणाली") == ["ई", "ऑफिस", "प्रणाली"]


def test_nfd_input_gives_nfc_tokens() -> None:
    text = unicodedata.normalize("NFC", "\u0929ई कार्यालय ई-ऑफिस Café")  # ऩ composes under NFC, so does é
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert tokens(nfd) == tokens(text) == ["\u0929ई", "कार्यालय", "ई", "ऑफिस", "café", "ई-ऑफिस"]
    assert all(unicodedata.is_normalized("NFC", t) for t in tokens(nfd))
    # precomposed क़ (U+0958) is a composition exclusion: NFC is क + nukta, and both spellings index alike
    assert tokens("\u0958ानून") == tokens("\u0915\u093cानून") == ["\u0915\u093cानून"]


def test_zero_width_joiners_removed() -> None:
    assert tokens("क्\u200dष नस्\u200cती") == ["क्ष", "नस्ती"]


def test_index_text() -> None:
    assert index_text("प्रशासन, कार्यालय।\nई-ऑफिस") == "प्रशासन कार्यालय ई ऑफिस ई-ऑफिस"


def test_parse_query_terms() -> None:
    q = parse_query('कार्या* "जिला प्रशासन" ई-ऑफिस ३७८/राज./२०१७ कार')
    assert q.terms == [
        Term("कार्या", prefix=True),
        Term("जिला प्रशासन", phrase=["जिला", "प्रशासन"]),
        Term("ई-ऑफिस", phrase=["ई", "ऑफिस"]),
        Term("378/राज./2017", phrase=["378", "राज", "2017"], file_key="378राज2017"),
        Term("कार"),
    ]
    assert parse_query("378/राज./2017").terms == parse_query("३७८/राज./२०१७").terms
    assert parse_query("REV-03/2027/2019-COLL").terms[0].file_key == "rev0320272019coll"
    assert parse_query("15.08.2019").terms[0].file_key is None  # a date is not a file number
    assert not parse_query("  । * \"\" ")


def test_fts5_match_quotes_everything() -> None:
    q = parse_query('कार्या* "जिला प्रशासन" ई-ऑफिस 378/राज./2017 NOT')
    assert fts5_match(q) == '"कार्या"* AND "जिला प्रशासन" AND "ई ऑफिस" AND "378 राज 2017" AND "not"'
    assert fts5_match(Query([Term('a"b')])) == '"a""b"'
    with pytest.raises(ValueError):
        fts5_match(Query())


DOCS = {
    1: "कलेक्टर कार्यालय राजगढ़ में बैठक",
    2: "सामान्य प्रशासन विभाग का आदेश",
    3: "ई-ऑफिस प्रणाली लागू करने बाबत",
    4: "क्रमांक/३७८/राज./२०१७ भोपाल, दिनांक १२.०३.२०१७",
    5: "कार खरीदी हेतु निविदा",
    6: "File No. REV-03/2027/2019-COLL, Dated 15.08.2019",
}


@pytest.fixture
def fts() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(body, tokenize={FTS5_TOKENIZE_SQL})")
    db.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", [(k, index_text(v)) for k, v in DOCS.items()])
    yield db
    db.close()


def _search(db: sqlite3.Connection, q: str) -> set[int]:
    rows = db.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts5_match(parse_query(q)),)).fetchall()
    return {r[0] for r in rows}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("कार", {5}),  # not 1: कार is not a word of कार्यालय
        ("कार्यालय", {1}),
        ("प्रशासन", {2}),
        ("ई-ऑफिस", {3}),
        ("ई-ऑफ*", {3}),
        ("कार्या*", {1}),
        ("कार*", {1, 5}),
        ('"प्रशासन विभाग"', {2}),
        ('"विभाग प्रशासन"', set()),
        ("378/राज./2017", {4}),
        ("३७८/राज./२०१७", {4}),
        ("राजगढ़ बैठक", {1}),
        ("राजगढ़ आदेश", set()),
        ("rev-03/2027/2019-coll", {6}),
        ("REV_03_2027_2019_COLL", {6}),
    ],
)
def test_fts5_round_trip(fts: sqlite3.Connection, q: str, expected: set[int]) -> None:
    assert _search(fts, q) == expected


def test_fts5_tokenizer_keeps_compound_terms(fts: sqlite3.Connection) -> None:
    assert "M*" in FTS5_TOKENIZE and "remove_diacritics 0" in FTS5_TOKENIZE
    fts.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    terms = {r[0] for r in fts.execute("SELECT term FROM v")}
    assert {"कार्यालय", "प्रशासन", "ई-ऑफिस", "378", "राज"} <= terms
    assert not {"क", "र", "य", "लय", "रश"} & terms
    # the unicode61 default is the pitfall: it splits Devanagari words at every vowel sign
    fts.execute("CREATE VIRTUAL TABLE plain USING fts5(body)")
    fts.execute("INSERT INTO plain(body) VALUES ('कार्यालय')")
    assert fts.execute("SELECT count(*) FROM plain WHERE plain MATCH '\"कार\"'").fetchone()[0] == 1


def test_file_key_matches_query_key() -> None:
    assert file_key("३७८/राज./२०१७") == parse_query("378-राज-2017").terms[0].file_key == "378राज2017"


def test_snippet_marks_whole_words_only() -> None:
    text = "कलेक्टर कार्यालय राजगढ़ की कार खराब है"
    assert snippet(text, parse_query("कार")) == "कलेक्टर कार्यालय राजगढ़ की [कार] खराब है"
    assert snippet("केवल कार्यालय", parse_query("कार")) == "केवल कार्यालय"
    assert snippet(text, parse_query("कार्या*")) == "कलेक्टर [कार्यालय] राजगढ़ की कार खराब है"
    assert snippet(text, parse_query("कार*")) == "कलेक्टर [कार्यालय] राजगढ़ की [कार] खराब है"


def test_snippet_file_number_and_compound() -> None:
    text = "विषय: भूमि आवंटन\nक्रमांक/३७८/राज./२०१७ भोपाल"
    assert snippet(text, parse_query("378/राज./2017")) == "विषय: भूमि आवंटन क्रमांक/[३७८/राज./२०१७] भोपाल"
    assert snippet("नई ई-ऑफिस प्रणाली", parse_query("ई-ऑफिस")) == "नई [ई-ऑफिस] प्रणाली"


def test_snippet_window_and_nfd() -> None:
    text = "शब्द " * 100 + "प्रशासन " + "अंत " * 100
    out = snippet(unicodedata.normalize("NFD", text), parse_query("प्रशासन"), width=60)
    assert "[प्रशासन]" in out and out.startswith("… ") and out.endswith(" …")
    assert len(out) <= 60 + 4
    assert unicodedata.is_normalized("NFC", out)
