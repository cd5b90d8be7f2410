"""The use cases the CLI and the web share (store.cases): each bug they fixed, reproduced through both paths.

- A register imported through the web re-matches the branch's documents, as `nasti register import` does: readiness
  counts the digitised files at once.
- A review assignment follows the tagger's matching rules: a register file whose digits differ is never trusted.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from report.readiness import readiness
from report.web.app import create_app
from store.models import Document
from store.users import create
from tests.conftest import NASTI
from tests.tagdocs import Office

PASSWORD = "पासवर्ड-1234"
LETTER = "कार्यालय कलेक्टर, जिला राजगढ़\nफा.क्र. {number}\nविषय: नामांतरण प्रकरण\nउपरोक्त विषय में लेख है।"
DIGITISED = ["१२/१/२०२१-Rev", "12/2/2021-Rev", "12/4/2021-Rev", "0255/अ-6/2021-22", "378/राज./2017"]
NOT_YET = ["12/5/2021-Rev", "12/6/2021-Rev", "19/2/2019-Rev", "402/राज./2018"]
REGISTER = ("क्र.,नस्ती क्रमांक,विषय,वर्ष,स्थान\n"
            + "".join(f"{i},{n},नामांतरण प्रकरण {i},20{18 + i % 4},रैक {i}\n"
                      for i, n in enumerate(DIGITISED + NOT_YET, start=1)))


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Office:
    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    o = Office(tmp_path)
    with o.store.session() as s:
        create(s, "collector", "collector", PASSWORD)
    return o


def cli(o: Office, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NASTI, "--config", str(o.config_path), *args], capture_output=True, text=True)


def web(o: Office, who: str) -> tuple[TestClient, str]:
    c = TestClient(create_app(o.cfg, o.store), follow_redirects=False)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    assert c.post("/login", data={"name": who, "password": PASSWORD, "csrf": token}).status_code == 303
    return c, re.search(r'name="csrf" value="([^"]+)"', c.get("/search").text).group(1)  # type: ignore[union-attr]


def scanned(o: Office) -> None:
    """Five files of the nine in the register are already digitised (done, before any register exists)."""
    for i, number in enumerate(DIGITISED):
        o.add(f"revenue/scan{i}.pdf", [LETTER.format(number=number)])


def revenue(o: Office) -> dict:
    with o.store.session() as s:
        report = readiness(s, o.cfg)
    return next(r for r in report["branches"] if r["branch"] == "revenue")


def check_rematched(o: Office) -> None:
    row = revenue(o)
    assert (row["register_files"], row["digitised_files"]) == (9, 5)
    assert row["blockers"]["not_scanned"] == 4
    listed = {f["file_number"] for f in row["blockers"]["not_scanned_oldest"]}
    assert listed == set(NOT_YET)  # no digitised file is listed as "not scanned"


def test_register_import_rematches_through_the_web(office: Office) -> None:
    scanned(office)
    c, token = web(office, "collector")
    r = c.post("/admin/register", data={"branch": "revenue", "csrf": token},
               files={"file": ("पंजी.csv", REGISTER.encode(), "text/csv")})
    assert r.status_code == 200 and "9 नई" in r.text and "5 दस्तावेज़ पुनः मिलाए गए" in r.text, r.text
    check_rematched(office)


def test_register_import_rematches_through_the_cli(office: Office) -> None:
    scanned(office)
    path = office.root / "पंजी.csv"
    path.write_text(REGISTER, encoding="utf-8")
    r = cli(office, "register", "import", str(path), "--branch", "revenue", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rematched_documents"] == 5
    check_rematched(office)


def _review_item(o: Office) -> int:
    """A document with no file number, in a branch whose register has 12/3/2021-Rev (and not 12/8/2021-Rev)."""
    path = o.root / "r.csv"
    path.write_text("File No.,Subject\n12/3/2021-Rev,भूमि आवंटन\n", encoding="utf-8")
    assert cli(o, "register", "import", str(path), "--branch", "revenue").returncode == 0
    doc_id = o.add("revenue/scan.pdf", [LETTER.format(number="")])
    assert o.doc(doc_id).needs_review
    return doc_id


def check_not_trusted(o: Office, doc_id: int) -> None:
    doc = o.doc(doc_id)
    assert doc.file_number == "12/8/2021-Rev" and doc.file_number_source == "review"
    assert doc.needs_review and doc.reason_code == "low_match"
    assert doc.match_score is not None and doc.match_score < o.cfg.tags.review_match_below
    assert "12/3/2021-Rev" in (doc.reason or "") and "other digits" in (doc.reason or "")
    assert doc.reason_hi and "अंक अलग" in doc.reason_hi
    assert revenue(o)["digitised_files"] == 0  # 12/3/2021-Rev is not digitised by another file's scan


def test_assign_other_digits_is_flagged_through_the_cli(office: Office) -> None:
    doc_id = _review_item(office)
    r = cli(office, "review", "assign", str(doc_id), "--file-number", "12/8/2021-Rev", "--by", "आर. शर्मा")
    assert r.returncode == 0, r.stderr
    assert "still needs review" in r.stdout
    check_not_trusted(office, doc_id)
    ok = cli(office, "review", "assign", str(doc_id), "-n", "F.No. १२/३/२०२१-Rev", "--by", "आर. शर्मा", "--json")
    data = json.loads(ok.stdout)
    assert not data["needs_review"] and data["match_score"] == 100 and data["register_file_id"]


def test_assign_other_digits_is_flagged_through_the_web(office: Office) -> None:
    doc_id = _review_item(office)
    with office.store.session() as s:
        create(s, "head", "branch_head", PASSWORD, s.get_one(Document, doc_id).branch)
    c, token = web(office, "head")
    r = c.post("/branch/revenue/assign", data={"doc_id": doc_id, "file_number": "12/8/2021-Rev", "csrf": token})
    assert r.status_code == 303
    check_not_trusted(office, doc_id)
    assert "12/3/2021-Rev" in c.get("/branch/revenue").text  # still in the branch head's review queue
    assert c.post("/branch/revenue/assign", data={"doc_id": 999, "file_number": "1/2", "csrf": token}
                  ).status_code == 404


def _register_12_3(o: Office) -> int:
    """A review item in a branch whose register has 12/3/2021-Rev but no 1/23/2021-Rev."""
    path = o.root / "r.csv"
    path.write_text("File No.,Subject\n12/3/2021-Rev,भूमि आवंटन\n", encoding="utf-8")
    assert cli(o, "register", "import", str(path), "--branch", "revenue").returncode == 0
    return o.add("revenue/scan.pdf", [LETTER.format(number="")])


def check_regrouped_not_trusted(o: Office, doc_id: int) -> None:
    doc = o.doc(doc_id)
    assert doc.file_number == "1/23/2021-Rev"
    assert doc.needs_review and doc.reason_code == "low_match", doc.reason
    assert "12/3/2021-Rev" in (doc.reason or "") and "other digits" in (doc.reason or "")
    assert revenue(o)["digitised_files"] == 0


def test_assign_same_digits_other_grouping_is_flagged_through_the_cli(office: Office) -> None:
    """1/23/2021 and 12/3/2021 are two files (same digits, other grouping): the key alone cannot tell them apart."""
    doc_id = _register_12_3(office)
    r = cli(office, "review", "assign", str(doc_id), "-n", "१/२३/२०२१-Rev", "--by", "आर. शर्मा")
    assert r.returncode == 0, r.stderr
    assert "still needs review" in r.stdout
    check_regrouped_not_trusted(office, doc_id)


def test_assign_same_digits_other_grouping_is_flagged_through_the_web(office: Office) -> None:
    doc_id = _register_12_3(office)
    c, token = web(office, "collector")
    r = c.post("/branch/revenue/assign", data={"doc_id": doc_id, "file_number": "1/23/2021-Rev", "csrf": token})
    assert r.status_code == 303
    check_regrouped_not_trusted(office, doc_id)


def test_tagged_number_with_other_grouping_waits_for_review(office: Office) -> None:
    _register_12_3(office)
    doc_id = office.add("revenue/other.pdf", [LETTER.format(number="1/23/2021-Rev")])
    assert office.doc(doc_id).needs_review and office.doc(doc_id).reason_code == "low_match"


@pytest.mark.parametrize("number", ["क्रमांक", "फा.क्र.", "F.No.", "राज."])
def test_assign_a_label_or_word_without_digits_is_refused(office: Office, number: str) -> None:
    doc_id = _register_12_3(office)
    r = cli(office, "review", "assign", str(doc_id), "-n", number, "--by", "आर. शर्मा")
    assert r.returncode == 2 and "is not a file number" in r.stderr, (r.stdout, r.stderr)
    assert office.doc(doc_id).file_number is None
    c, token = web(office, "collector")
    r = c.post("/branch/revenue/assign", data={"doc_id": doc_id, "file_number": number, "csrf": token})
    assert r.status_code == 400 and office.doc(doc_id).file_number is None


@pytest.mark.parametrize("doc_id", ["²", "9" * 30, "99999999999999999999"])
def test_a_document_id_out_of_range_is_not_found_not_a_crash(office: Office, doc_id: str) -> None:
    """An id no database row can have (a superscript digit, more than 64 bits): 400 on the web (issue 13: a bad
    id is a bad request) / exit 1, not a 500 or 'Python int too large to convert to SQLite INTEGER'."""
    _register_12_3(office)
    c, token = web(office, "collector")
    r = c.post("/branch/revenue/assign", data={"doc_id": doc_id, "file_number": "12/3/2021-Rev", "csrf": token})
    assert r.status_code == 400, r.status_code
    if doc_id.isascii():
        assert c.get(f"/document/{doc_id}").status_code == 400
        assert c.get(f"/document/{doc_id}/pdf").status_code == 400
        for args in (("show", doc_id), ("review", "assign", doc_id, "-n", "12/3/2021-Rev", "--by", "x")):
            r2 = cli(office, *args)
            assert r2.returncode == 1 and f"no document with id {doc_id}" in r2.stderr, r2.stderr
