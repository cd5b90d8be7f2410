"""Pure-text tagging: file numbers from paths and page text, subject and letter date."""
from __future__ import annotations

import datetime
import unicodedata

import pytest

from ingest.tagging.digits import file_number_key, fold_digits, strip_label
from ingest.tagging.fields import letter_date, subject
from ingest.tagging.file_number import FileNumber, best, conflicts, find_conflict, from_path, from_text
from store.search.tokenize import file_key


def test_fold_digits() -> None:
    assert fold_digits("०१२३४५६७८९") == "0123456789"
    assert fold_digits("क्रमांक/३७८/राज./२०१७") == "क्रमांक/378/राज./2017"
    assert fold_digits(unicodedata.normalize("NFD", "क़ानून")) == unicodedata.normalize("NFC", "क़ानून")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("REV-03/2027/2019-COLL", "rev_03_2027_2019_coll"),
        ("REV-03/2027/2019-COLL", "REV-03_2027_2019-COLL"),
        ("A-11011/2/2019-Admn", "a 11011.2.2019 (admn)"),
        ("क्रमांक/378/राज./2017", "378/राज./2017"),
        ("क्रमांक/३७८/राज./२०१७", "378-राज-2017"),
        ("0255/अ-6/2021-22", "0255-अ-6-2021-22"),
    ],
)
def test_file_number_key_equal(a: str, b: str) -> None:
    assert file_number_key(a) == file_number_key(b)


def test_file_number_key_keeps_marks_and_drops_label() -> None:
    assert file_number_key("REV-03/2027/2019-COLL") == "rev0320272019coll"
    assert file_number_key("क्रमांक/378/राज./2017") == "378राज2017"
    assert file_number_key("फा.क्र. 17(ई) 93/04/21-ब(दो)") == "17ई930421बदो"
    assert strip_label("F.No. 12/3/2021-Rev") == ("F.No.", "12/3/2021-Rev")
    assert strip_label("378/राज./2017") == (None, "378/राज./2017")


@pytest.mark.parametrize("number", ["378/राज./2017", "REV-03/2027/2019-COLL", "0255/अ-6/2021-22", "१२/३/२०२१-Rev"])
def test_search_key_agrees_with_tagging_key(number: str) -> None:
    assert file_key(number) == file_number_key(number)


TEXT_CASES = [
    ("A-11011/2/2019-Admn", "A-11011/2/2019-Admn", None),
    ("REV-03/2027/2019-COLL", "REV-03/2027/2019-COLL", None),
    ("T-18015/3/70/2015-IDSP(Part)", "T-18015/3/70/2015-IDSP(Part)", None),
    ("क्रमांक/378/राज./2017", "378/राज./2017", "क्रमांक"),
    ("क्रमांक/378/राज./2017 भोपाल, दिनांक 12.03.2017", "378/राज./2017", "क्रमांक"),
    ("क्रमांक/३७८/राज./२०१७", "378/राज./2017", "क्रमांक"),
    ("क्र./खाद्य/2026/1420", "खाद्य/2026/1420", "क्र."),
    ("क्र./खाद्य/२०२६/१४२०", "खाद्य/2026/1420", "क्र."),
    ("फा.क्र. 17(ई) 93/04/21-ब(दो)", "17(ई) 93/04/21-ब(दो)", "फा.क्र."),
    ("क्रमांक एफ 5-8/2026/1/4", "एफ 5-8/2026/1/4", "क्रमांक"),
    ("एफ-15-01/2014/1-10", "एफ-15-01/2014/1-10", None),
    ("0255/अ-6/2021-22", "0255/अ-6/2021-22", None),
    ("०२५५/अ-६/२०२१-२२", "0255/अ-6/2021-22", None),
    ("प्रकरण क्रमांक 0255/अ-6/2021-22", "0255/अ-6/2021-22", "प्रकरण क्रमांक"),
    ("F.No. 12/3/2021-Rev", "12/3/2021-Rev", "F.No."),
    ("File No. REV-03/2027/2019-COLL, Dated 15.08.2019", "REV-03/2027/2019-COLL", "File No."),
    ("No. 102/PDS", "102/PDS", "No."),
    ("फाइल क्रमांक 12/2019/स्था.", "12/2019/स्था", "फाइल क्रमांक"),  # a final dot is punctuation
    ("नस्ती क्रमांक 45/2020", "45/2020", "नस्ती क्रमांक"),
    ("Case No. 0255/अ-6/2021-22", "0255/अ-6/2021-22", "Case No."),
    ("क्रं. 12/खाद्य/2019", "12/खाद्य/2019", "क्रं."),
]


@pytest.mark.parametrize(("text", "value", "label"), TEXT_CASES)
def test_from_text_patterns(text: str, value: str, label: str | None) -> None:
    found = from_text(f"कलेक्टर कार्यालय राजगढ़\n{text}\nविषय: परीक्षण", page=3)
    assert found, text
    top = found[0]
    assert (top.value, top.label) == (value, label)
    assert top.key == file_number_key(value)
    assert top.source == "page 3"
    assert 0 < top.confidence <= 1


def test_endorsement_ranks_below_number() -> None:
    text = "पृ.क्र. 379/राज./2017 भोपाल, दिनांक 12.03.2017\nक्रमांक/378/राज./2017 भोपाल, दिनांक 12.03.2017"
    found = from_text(text, page=1)
    assert [c.value for c in found] == ["378/राज./2017", "379/राज./2017"]
    assert found[1].label == "पृ.क्र."
    assert found[1].confidence < found[0].confidence
    fa = from_text("पृष्ठांकन क्रमांक 380/राज./2017\nफा.क्र. 17(ई) 93/04/21-ब(दो)", page=1)
    assert [c.label for c in fa] == ["फा.क्र.", "पृष्ठांकन क्रमांक"]
    assert from_text("पृ० क्र० १२/२०१९", page=1)[0].confidence < from_text("क्र० १२/२०१९", page=1)[0].confidence


@pytest.mark.parametrize(
    "text",
    [
        "15.08.2019",
        "दिनांक 12/03/2021",
        "दिनांक १२/०३/२०२१",
        "Dated 15.08.2019",
        "क्रमांक 12/03/2021",
        "Khasra No. 123/4",
        "मोबाइल नं. 9876543210",
        "क्रमांक ........ दिनांक ........",
        "No. of pages: 12",
        "यह एक सामान्य पत्र है।",
    ],
)
def test_from_text_no_false_positive(text: str) -> None:
    assert from_text(text, page=1) == []


def test_from_text_one_candidate_per_key() -> None:
    found = from_text("क्रमांक/378/राज./2017\nक्रमांक/३७८/राज./२०१७", page=2)
    assert len(found) == 1


@pytest.mark.parametrize(
    ("relpath", "value"),
    [
        ("revenue/REV-03_2027_2019-COLL.pdf", "REV-03_2027_2019-COLL"),
        ("establishment/fl-A-11011_2_2019-Admn/Notes/p1.tif", "A-11011_2_2019-Admn"),
        ("revenue/0255-अ-6-2021-22.pdf", "0255-अ-6-2021-22"),
        ("revenue/०२५५-अ-६-२०२१-२२.pdf", "0255-अ-6-2021-22"),
        ("health/T-18015_3_70_2015-IDSP(Part).pdf", "T-18015_3_70_2015-IDSP(Part)"),
        ("revenue/REV-03_2027_2019-COLL (1).pdf", "REV-03_2027_2019-COLL"),
        ("food/क्र-खाद्य-2026-1420.pdf", "खाद्य-2026-1420"),
        ("revenue/378_राज_2017/page1.tif", "378_राज_2017"),
    ],
)
def test_from_path(relpath: str, value: str) -> None:
    fn = from_path(relpath)
    assert fn is not None
    assert fn.value == value
    assert fn.source == "path"
    assert fn.key == file_number_key(value)


def test_from_path_matches_text_key() -> None:
    path = from_path("revenue/0255-अ-6-2021-22.pdf")
    text = from_text("प्रकरण क्रमांक ०२५५/अ-६/२०२१-२२", page=1)[0]
    assert path is not None and path.key == text.key
    nfd = from_path(unicodedata.normalize("NFD", "revenue/0255-अ-6-2021-22.pdf"))
    assert nfd is not None and nfd.key == path.key


@pytest.mark.parametrize(
    "relpath",
    [
        "revenue/scan0001.pdf",
        "revenue/हिंदी पत्र.png",
        "revenue/letter.pdf",
        "revenue/IMG_20240101_1200.jpg",
        "revenue/IMG-20240101-WA0003.jpg",
        "revenue/Scan_2019_03_12.pdf",
        "revenue/2024-01-01 12-30-45.pdf",
        "revenue/Document_2019_12.pdf",
        "revenue/notice_2019_12.pdf",
        "revenue/page_01_02.tif",
        "revenue/Notes/p1.tif",
        "revenue",
        "",
    ],
)
def test_from_path_no_false_positive(relpath: str) -> None:
    assert from_path(relpath) is None


def _fn(value: str, confidence: float = 0.85, source: str = "page 1") -> FileNumber:
    return FileNumber(value, file_number_key(value), source, confidence, None)


def test_conflicts() -> None:
    path = from_path("revenue/REV-03_2027_2019-COLL.pdf")
    assert not conflicts(path, _fn("REV-03/2027/2019-COLL"))
    assert not conflicts(path, _fn("REV-03/2027/2019-C0LL"))  # OCR noise: ratio ≥ 90
    assert conflicts(path, _fn("A-11011/2/2019-Admn"))
    assert not conflicts(path, None)
    assert not conflicts(None, _fn("378/राज./2017"))


def test_best() -> None:
    path = from_path("revenue/REV-03_2027_2019-COLL.pdf")
    assert path is not None
    texts = [_fn("A-11011/2/2019-Admn", 0.95), _fn("REV-03/2027/2019-COLL", 0.6, "page 2")]
    chosen = best(path, texts)
    assert chosen is not None and chosen.value == "REV-03/2027/2019-COLL" and chosen.source == "page 2"
    assert chosen.confidence > 0.7
    assert find_conflict(path, texts) is None
    other = [_fn("A-11011/2/2019-Admn", 0.95)]
    assert best(path, other) == path
    assert find_conflict(path, other) == other[0]
    assert best(None, []) is None
    assert best(path, []) == path
    # text only: a number repeated on several pages beats a single slightly stronger mention
    many = [_fn("378/राज./2017", 0.85, "page 1"), _fn("378/राज./2017", 0.85, "page 4"), _fn("12/2019", 0.9)]
    chosen = best(None, many)
    assert chosen is not None and chosen.value == "378/राज./2017" and chosen.confidence == pytest.approx(0.9)
    page_one = from_text("पृ.क्र. 379/राज./2017\nक्रमांक/378/राज./2017", page=1)
    assert best(None, page_one) == page_one[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("कार्यालय कलेक्टर\nविषयः- भूमि आवंटन बाबत।\nमहोदय,", "भूमि आवंटन बाबत।"),
        ("विषय : नामांतरण प्रकरण", "नामांतरण प्रकरण"),
        ("विषय — अवकाश स्वीकृति", "अवकाश स्वीकृति"),
        ("Subject: Transfer of land records", "Transfer of land records"),
        ("Sub.- Leave sanction", "Leave sanction"),
        ("SUBJECT:-   Inspection", "Inspection"),
        ("विषय:\n  अगली पंक्ति का विषय", "अगली पंक्ति का विषय"),
        ("भूमि विषयक पत्र", None),
        ("no subject here", None),
    ],
)
def test_subject(text: str, expected: str | None) -> None:
    assert subject(text) == expected


def test_subject_nfd() -> None:
    assert subject(unicodedata.normalize("NFD", "विषयः भूमि")) == "भूमि"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("क्रमांक/378/राज./2017 भोपाल, दिनांक 12.03.2017", datetime.date(2017, 3, 12)),
        ("दिनांक १२/०३/२०१७", datetime.date(2017, 3, 12)),
        ("दि. 01-04-2021", datetime.date(2021, 4, 1)),
        ("दिनांक: 5/8/19", datetime.date(2019, 8, 5)),
        ("Dated 15.08.2019", datetime.date(2019, 8, 15)),
        ("Date: 01/04/98", datetime.date(1998, 4, 1)),
        ("दिनांक 31.02.2021", None),
        ("दिनांक 12.13.2021", None),
        ("15.08.2019", None),
        ("संदर्भ: पत्र दिनांक 01.01.2017\nदिनांक 05.02.2017", datetime.date(2017, 2, 5)),
        ("संदर्भ: पत्र दिनांक 01.01.2017", datetime.date(2017, 1, 1)),
    ],
)
def test_letter_date(text: str, expected: datetime.date | None) -> None:
    assert letter_date(text, today=datetime.date(2025, 1, 1)) == expected


@pytest.mark.parametrize(("text", "value"), [
    ("क्रमांक 378/राज./ 2017\nराजगढ़, दिनांक 02.05.2017", "378/राज./2017"),   # OCR put a space after a slash
    ("क्रमांक 378 /राज./2017 दिनांक 02.05.2017", "378/राज./2017"),
    ("No. 102/ PDS", "102/PDS"),
    ("क्रमांक 378/ दिनांक 02.05.2017", "378"),
])
def test_number_split_at_a_slash_by_ocr(text: str, value: str) -> None:
    assert from_text(text, 1)[0].value == value


def test_a_file_cited_in_the_body_ranks_below_the_letters_own_number() -> None:
    text = ("कार्यालय कलेक्टर, जिला राजगढ़\nNo. A-31141/11/2014-Admn\nदिनांक: 15/07/2014\nविषय: डिजिटाइजेशन बाबत।\n"
            "File No. EST-14/1117/2014-COLL की सभी Receipts को Notes से link करें।")
    assert best(None, from_text(text, 1)).value == "A-31141/11/2014-Admn"
    only_body = "विषय: डिजिटाइजेशन बाबत।\nFile No. EST-14/1117/2014-COLL की सभी Receipts देखें।"
    assert best(None, from_text(only_body, 1)).value == "EST-14/1117/2014-COLL"


@pytest.mark.parametrize(("name", "value"), [
    ("revenue/4111-Nazul.png", "4111-Nazul"), ("revenue/102_PDS.pdf", "102_PDS"), ("revenue/2021-Final.pdf", None),
    ("revenue/7-Notes.pdf", None), ("revenue/001-scan.pdf", None),
])
def test_number_then_office_code_in_a_file_name(name: str, value: str | None) -> None:
    found = from_path(name.split("/", 1)[1])
    assert (found.value if found else None) == value
