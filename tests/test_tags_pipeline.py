"""End to end with real tesseract: dropped letters get branch, file number (from the name or the page), review flags,
register matches and digitised counts; search finds them by a Devanagari-digit file number."""
from __future__ import annotations

from typing import Any

import pytest

from ingest.tagging.digits import file_number_key, fold_digits
from nasti.samples import make_letter, render_page, save_document
from tests.conftest import Office, write_config

# name: (share path, lang, Devanagari digits, forced number, drop the number's line from the page)
DROPS: dict[str, tuple[str, str, bool, str | None, bool]] = {
    "name_only": ("revenue/0255_अ-6_2021-22.png", "hi", False, "0255/अ-6/2021-22", True),
    "text_only": ("revenue/scan_0002.png", "hi", False, "378/राज./2017", False),
    "devanagari": ("establishment/पत्र ३.png", "hi", True, "1420/खाद्य/2019", False),
    "english": ("establishment/letter-en.png", "en", False, "A-11011/2/2019-Admn", False),
    "conflict": ("establishment/REV-07_4455_2018-COLL.png", "hi", False, "2317/राज./2016", False),
    "none": ("revenue/scan_0006.png", "hi", False, None, True),
    "stray": ("misc/x.png", "hi", False, "13/राज./2018", False),
}
REGISTER = "नस्ती क्रमांक,विषय,वर्ष\n0255/अ-6/2021-22,बंटवारा,2021\n३७८/राज./२०१७,सीमांकन,2017\n99/राज./2099,—,2099\n"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, dict[str, str], dict[str, dict[str, Any]]]:
    root = tmp_path_factory.mktemp("tags")
    (root / "share").mkdir()
    extra = 'unknown_branch = "review"\n[branches.revenue]\ncode = "REV"\n[branches.establishment]\ncode = "EST"\n'
    office = Office(root, write_config(root, extra))   # the extra line lands in [watch]
    (root / "register.csv").write_text(REGISTER, encoding="utf-8")
    office.run("register", "import", str(root / "register.csv"), "--branch", "revenue")
    truth: dict[str, str] = {}
    for i, (name, (source, lang, deva, number, drop)) in enumerate(DROPS.items()):
        letter = make_letter(i + 1 if number or drop else 6, lang, devanagari_digits=deva, file_number=number)
        lines = [x for x in letter.lines if not (drop and letter.file_number in fold_digits(x))]
        assert len(lines) == len(letter.lines) - (1 if drop else 0)
        path = office.share / source
        path.parent.mkdir(parents=True, exist_ok=True)
        save_document([render_page(lines, lang=lang)], path, "png")
        truth[name] = letter.file_number or ""
    office.run("watch", "--once")
    by_source = {d["source"]: d for d in office.documents()}
    return office, truth, {name: by_source[source] for name, (source, *_) in DROPS.items()}


def test_branch_is_the_folder(run) -> None:
    _, _, docs = run
    for name, d in docs.items():
        assert d["status"] == "done", d
        assert d["branch"] == DROPS[name][0].split("/")[0]


def test_file_numbers_from_name_and_page(run) -> None:
    _, truth, docs = run
    for name in ("name_only", "text_only", "devanagari", "english"):
        d = docs[name]
        assert d["file_number"] and file_number_key(d["file_number"]) == file_number_key(truth[name]), (name, d)
        assert not d["needs_review"], (name, d["reason"])
    assert docs["name_only"]["file_number_source"] == "path"
    assert docs["text_only"]["file_number_source"] == "page 1"
    assert docs["devanagari"]["file_number"] == "1420/खाद्य/2019"     # folded to ASCII digits
    assert docs["text_only"]["subject"] and docs["text_only"]["letter_date"]


def test_review_flags(run) -> None:
    office, _, docs = run
    assert docs["conflict"]["needs_review"] and docs["conflict"]["reason_code"] == "file_number_conflict"
    assert "2317/राज./2016" in docs["conflict"]["reason"]
    assert docs["none"]["needs_review"] and docs["none"]["reason_code"] == "no_file_number"
    assert docs["stray"]["needs_review"] and docs["stray"]["reason_code"] == "unknown_branch"
    queue = {d["id"] for d in office.json("review")}
    assert queue == {docs[n]["id"] for n in ("conflict", "none", "stray")}


def test_register_matches_and_status_counts(run) -> None:
    office, _, docs = run
    assert docs["name_only"]["register_file_id"] and docs["name_only"]["match_score"] == 100
    assert docs["text_only"]["register_file_id"] and docs["text_only"]["match_score"] == 100
    rows = {r["branch"]: r for r in office.json("status")}
    assert (rows["revenue"]["register_files"], rows["revenue"]["digitised_files"]) == (3, 2)
    # no register: the numbers seen (devanagari, english, conflict); the conflicting one awaits review
    assert (rows["establishment"]["register_files"], rows["establishment"]["digitised_files"]) == (3, 2)
    unmatched = office.json("register", "unmatched")
    assert [d["id"] for d in unmatched] == [] or all(d["branch"] == "revenue" for d in unmatched)


def test_search_by_devanagari_digits(run) -> None:
    office, _, docs = run
    hits = office.json("search", "१४२०/खाद्य/२०१९")
    assert [h["id"] for h in hits] == [docs["devanagari"]["id"]]
    hits = office.json("search", "0255/अ-6/2021-22")
    assert [h["id"] for h in hits] == [docs["name_only"]["id"]]
