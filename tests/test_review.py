"""The review queue: why a document needs a person, listing it, and the audited assignment that resolves it."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from ingest.tagger import rematch_branch
from ingest.tagging.digits import file_number_key
from store.models import Branch, Event
from store.register import import_register
from store.search.query import search
from tests.conftest import NASTI
from tests.tagdocs import Office

LETTER = "कार्यालय कलेक्टर, जिला राजगढ़\n{number}\nविषय: सीमांकन प्रकरण\nउपरोक्त विषय में लेख है।"


@pytest.fixture
def office(tmp_path: Path) -> Office:
    return Office(tmp_path, '[watch]\nunknown_branch = "review"\n[tags]\nmin_confidence = 55\n')


def cli(o: Office, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NASTI, "--config", str(o.config_path), *args], capture_output=True, text=True)


def test_reasons(office: Office) -> None:
    o = office
    fine = o.add("revenue/scan1.pdf", [LETTER.format(number="क्रमांक/378/राज./2017 दिनांक 01.02.2017")])
    none = o.add("revenue/scan2.pdf", [LETTER.format(number="")])
    clash = o.add("revenue/0255_अ-6_2021-22.pdf", [LETTER.format(number="फा.क्र. 17/2020/राज./5")])
    agree = o.add("revenue/0255_अ-6_2021-22 (2).pdf", [LETTER.format(number="प्रकरण क्रमांक 0255/अ-6/2021-22")])
    faint = o.add("revenue/scan3.pdf", [LETTER.format(number="क्रमांक/12/राज./2018")], confidence=41.5)
    stray = o.add("misc/scan4.pdf", [LETTER.format(number="क्रमांक/13/राज./2018")])
    d = {k: o.doc(v) for k, v in dict(fine=fine, none=none, clash=clash, agree=agree, faint=faint,
                                     stray=stray).items()}
    assert not d["fine"].needs_review and d["fine"].file_number == "378/राज./2017"
    assert d["fine"].subject == "सीमांकन प्रकरण" and d["fine"].letter_date.isoformat() == "2017-02-01"
    assert d["none"].needs_review and d["none"].reason_code == "no_file_number"
    assert d["none"].reason == "no file number found in the file name or the first 3 pages"
    assert d["clash"].needs_review and d["clash"].reason_code == "file_number_conflict"
    assert d["clash"].file_number == "0255_अ-6_2021-22" and d["clash"].file_number_source == "path"
    assert "17/2020/राज./5" in d["clash"].reason and d["clash"].file_number_alt == "17/2020/राज./5"
    assert not d["agree"].needs_review and d["agree"].file_number == "0255/अ-6/2021-22"
    assert d["faint"].needs_review and "mean OCR confidence 41.5 is below 55" in d["faint"].reason
    assert d["faint"].reason.startswith("page 1 reads poorly")   # the page that read badly is named first
    assert d["stray"].needs_review and d["stray"].reason_code == "unknown_branch"
    assert d["none"].reason_hi and "क्रमांक" in d["none"].reason_hi

    listed = json.loads(cli(o, "review", "--json").stdout)
    assert [x["id"] for x in listed] == [none, clash, faint, stray]
    assert all(x["reason"] for x in listed)
    only = json.loads(cli(o, "review", "--branch", "misc", "--json").stdout)
    assert [x["id"] for x in only] == [stray]
    assert "need review" in cli(o, "review").stdout


def test_assign_is_audited_and_searchable(office: Office) -> None:
    o = office
    doc_id = o.add("revenue/scan2.pdf", [LETTER.format(number="")])
    r = cli(o, "review", "assign", str(doc_id), "--file-number", "क्रमांक/३७८/राज./२०१७", "--by", "आर. शर्मा",
            "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["file_number"] == "378/राज./2017" and not data["needs_review"] and data["reason"] is None
    assert data["file_number_source"] == "review"
    with o.store.session() as s:
        events = s.scalars(select(Event).where(Event.document_id == doc_id).order_by(Event.id)).all()
        last = events[-1]
        assert (last.actor, last.from_state, last.to_state) == ("आर. शर्मा", "done", "done")
        assert "378/राज./2017" in (last.detail or "") and "no file number" in (last.detail or "")
        assert [h.id for h in search(s, "378/राज./2017")] == [doc_id]
    assert json.loads(cli(o, "review", "--json").stdout) == []


def test_assign_moves_branch_and_survives_register_rematch(office: Office) -> None:
    o = office
    doc_id = o.add("misc/x.pdf", [LETTER.format(number="")])
    r = cli(o, "review", "assign", str(doc_id), "-n", "12/3/2021-Rev", "--branch", "revenue", "--by", "clerk")
    assert r.returncode == 0, r.stderr
    assert "branch misc → revenue" in r.stdout
    reg = o.root / "r.csv"
    reg.write_text("File No.\n12/3/2021-Rev\n", encoding="utf-8")
    with o.store.session() as s:
        branch = s.scalar(select(Branch).where(Branch.key == "revenue"))
        import_register(s, branch, reg, file_number_key)
        rematch_branch(s, branch, o.cfg)
    doc = o.doc(doc_id)
    assert doc.register_file_id and doc.match_score == 100 and not doc.needs_review
    assert doc.file_number_source == "review"


def test_assign_errors(office: Office) -> None:
    o = office
    doc_id = o.add("revenue/scan2.pdf", [LETTER.format(number="")])
    assert cli(o, "review", "assign", "999", "-n", "1/2020", "--by", "x").returncode == 1
    assert cli(o, "review", "assign", str(doc_id), "-n", "1/2020", "--branch", "nowhere", "--by", "x").returncode == 2
    assert cli(o, "review", "assign", str(doc_id), "-n", "...", "--by", "x").returncode == 2
    assert cli(o, "review", "assign", str(doc_id), "-n", "1/2020").returncode == 2   # --by is required
