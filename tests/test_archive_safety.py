"""An empty or older database never costs an archive file; fsck names missing, corrupt and unknown files; the
searchable PDFs describe their documents (XMP + record) so `nasti rebuild` gives every document back.

Real tesseract on four generated letters (Hindi and English, file numbers in the name, on the page, in Devanagari
digits); every test works on its own copy of that office."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from nasti.samples import make_letter, render_page, save_document
from ocr.xmp import read_description, read_xmp
from tests.conftest import Office, write_config

BRANCHES = ('[branches.revenue]\ncode = "REV"\nname_hi = "राजस्व शाखा"\nname_en = "Revenue"\n'
            '[branches.establishment]\ncode = "EST"\nname_hi = "स्थापना शाखा"\nname_en = "Establishment"\n')
FIRST = [("revenue/0255_अ-6_2021-22.png", "hi", False, "0255/अ-6/2021-22"),
         ("revenue/scan_2.pdf", "hi", False, "378/राज./2017"),
         ("establishment/letter-en.png", "en", False, "A-11011/2/2019-Admn")]
LATER = [("establishment/पत्र ३.png", "hi", True, "1420/खाद्य/2019")]
QUERIES = ["नामांतरण", "सीमांकन", "१४२०/खाद्य/२०१९", "0255/अ-6/2021-22", "Collector"]


def drop(office: Office, docs: list[tuple[str, str, bool, str]], seed: int) -> None:
    for i, (source, lang, deva, number) in enumerate(docs):
        letter = make_letter(seed + i, lang, devanagari_digits=deva, file_number=number)
        path = office.share / source
        path.parent.mkdir(parents=True, exist_ok=True)
        save_document([render_page(letter.lines, lang=lang)], path, source.rsplit(".", 1)[1])


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its sha256 (the archive's exact state; nasti's own top-level lock files, which
    hold the pid of the last watcher, are not content)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not (p.parent == root and p.name.startswith(".nasti"))}


def relative(docs: list[dict[str, Any]], root: Path) -> list[dict[str, Any]]:
    out = []
    for d in docs:
        d = dict(d)
        for k in ("pdf", "archive"):
            d[k] = str(Path(d[k]).relative_to(root)) if d[k] else None
        out.append(d)
    return out


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(office root, older backup): three letters, a backup, then one more letter."""
    root = tmp_path_factory.mktemp("golden")
    (root / "share").mkdir()
    office = Office(root, write_config(root, BRANCHES))
    drop(office, FIRST, 1)
    office.run("watch", "--once")
    office.run("backup", str(root.parent / f"{root.name}-older"))
    drop(office, LATER, 7)
    office.run("watch", "--once")
    assert [d["status"] for d in office.documents()] == ["done"] * 4
    return root, root.parent / f"{root.name}-older"


@pytest.fixture
def copy(golden: tuple[Path, Path], tmp_path: Path) -> Office:
    shutil.copytree(golden[0], tmp_path / "o", symlinks=True)
    return Office(tmp_path / "o", tmp_path / "o" / "config.toml")


def test_searchable_pdfs_describe_their_documents(copy: Office) -> None:
    for d in copy.documents():
        xmp = read_xmp(Path(d["pdf"]))
        assert xmp["id"] == str(d["id"]) and xmp["sha256"] == d["sha256"] and xmp["branch"] == d["branch"]
        assert xmp["file_number"] == d["file_number"] and xmp["archive_path"] == d["archive"].split("archive/", 1)[1]
        assert xmp.get("subject") == d["subject"] and xmp.get("letter_date") == d["letter_date"]
        rec = read_description(Path(d["pdf"]))
        assert rec is not None
        shown = copy.json("show", str(d["id"]))
        assert [p["text"] for p in rec["pages"]] == [p["text"] for p in shown["pages"]]
    assert "1420/खाद्य/2019" in {d["file_number"] for d in copy.documents()}


def test_empty_database_beside_an_archive_refuses_to_start(copy: Office) -> None:
    before = tree(copy.archive)
    for f in (copy.root / "var").glob("nasti.db*"):
        f.unlink()
    r = copy.run("watch", "--once", check=False)
    assert r.returncode == 5, r.stderr
    assert "डेटाबेस खाली है" in r.stderr and "the database is empty" in r.stderr
    assert r.stderr.index("डेटाबेस") < r.stderr.index("the database")   # Hindi first
    assert "--accept-archive-mismatch" in r.stderr
    assert tree(copy.archive) == before


def test_older_database_refuses_then_accept_reattaches_without_deleting(copy: Office, golden: tuple[Path, Path]
                                                                         ) -> None:
    want = relative(copy.documents(), copy.root)
    before = tree(copy.archive)
    for f in (copy.root / "var").glob("nasti.db*"):   # what a plain file copy of last night's database does
        f.unlink()
    shutil.copy2(golden[1] / "nasti.db", copy.root / "var" / "nasti.db")
    assert len(copy.documents()) == 3
    r = copy.run("watch", "--once", check=False)
    assert r.returncode == 5 and "डेटाबेस संग्रह से पुराना है" in r.stderr and "older than the archive" in r.stderr
    assert tree(copy.archive) == before
    r = copy.run("watch", "--once", "--accept-archive-mismatch")
    assert "1 documents re-attached" in r.stderr and "nothing deleted" in r.stderr
    assert tree(copy.archive) == before
    assert relative(copy.documents(), copy.root) == want
    assert copy.run("fsck").returncode == 0
    with sqlite3.connect(copy.root / "var" / "nasti.db") as con:
        assert con.execute("SELECT actor FROM event WHERE document_id = 4").fetchall() == [("watch",)]


def test_restore_of_last_nights_backup_reattaches_newer_scans_and_sets_aside_the_rest(
        copy: Office, golden: tuple[Path, Path]) -> None:
    want = relative(copy.documents(), copy.root)
    stray = copy.archive / "revenue" / "99-stray scan.png"
    stray.write_bytes(b"\x89PNG not really")
    before = tree(copy.archive)
    r = copy.run("restore", str(golden[1]), check=False)
    assert r.returncode == 2 and "--force" in r.stderr                  # the live database holds documents
    r = copy.run("restore", str(golden[1]), "--force")
    assert "1 documents re-attached" in r.stdout and "1 files set aside" in r.stdout, r.stdout
    assert list((copy.root / "var").glob("nasti.db.before-restore-*"))  # the replaced database is kept
    after = tree(copy.archive)
    moved = [k for k in after if k.startswith("_quarantine/")]
    assert len(moved) == 1 and moved[0].endswith("/revenue/99-stray scan.png")
    assert after[moved[0]] == before["revenue/99-stray scan.png"]
    assert {k: v for k, v in after.items() if not k.startswith("_quarantine/")} == \
        {k: v for k, v in before.items() if k != "revenue/99-stray scan.png"}
    assert relative(copy.documents(), copy.root) == want
    r = copy.run("fsck", "--json", check=False)
    found = json.loads(r.stdout)
    assert r.returncode == 1 and not found["ok"]
    assert found["counts"]["quarantined"] == 1 and found["counts"]["unknown"] == 0
    with sqlite3.connect(copy.root / "var" / "nasti.db") as con:
        assert con.execute("SELECT actor FROM event WHERE document_id = 4").fetchall() == [("restore",)]


def test_fsck_names_missing_corrupt_and_unknown_files_and_deletes_nothing(copy: Office) -> None:
    assert copy.run("fsck").returncode == 0
    docs = copy.documents()
    Path(docs[0]["pdf"]).unlink()
    original = Path(docs[1]["archive"])
    original.write_bytes(original.read_bytes()[:-10] + b"0123456789")
    (copy.archive / "legal").mkdir()
    (copy.archive / "legal" / "unknown.pdf").write_bytes(b"%PDF-1.4 stray")
    old = time.time() - 600   # a stray file from before: one written while fsck reads is in flight, not unknown
    os.utime(copy.archive / "legal" / "unknown.pdf", (old, old))
    (copy.archive / ".staging" / "9").mkdir(parents=True)
    (copy.archive / ".staging" / "9" / "page-00001.pdf").write_bytes(b"layer")
    before = tree(copy.archive)
    r = copy.run("fsck", "--json", check=False)
    assert r.returncode == 1
    report = json.loads(r.stdout)
    kinds = {(f["kind"], f["document_id"], f["path"]) for f in report["findings"]}
    rel = str(Path(docs[0]["pdf"]).relative_to(copy.archive))
    assert ("missing", docs[0]["id"], rel) in kinds
    assert ("corrupt", docs[1]["id"], str(original.relative_to(copy.archive))) in kinds
    assert ("unknown", None, "legal/unknown.pdf") in kinds
    assert ("in_flight", None, ".staging/9/page-00001.pdf") in kinds
    assert report["counts"]["missing"] == 1 and report["counts"]["corrupt"] == 1
    assert copy.run("fsck", check=False).returncode == 1
    assert tree(copy.archive) == before


def test_rebuild_from_the_archive_alone_gives_back_documents_text_tags_and_search(copy: Office) -> None:
    want = copy.documents()
    pages = {d["id"]: copy.json("show", str(d["id"]))["pages"] for d in want}
    hits = {q: copy.json("search", q) for q in QUERIES}
    assert all(hits.values()), hits
    assert copy.run("rebuild", check=False).returncode == 2     # never over a database that holds documents
    shutil.rmtree(copy.root / "var" / "nasti.db", ignore_errors=True)
    for f in (copy.root / "var").glob("nasti.db*"):
        f.unlink()
    assert copy.run("watch", "--once", check=False).returncode == 5
    r = copy.run("rebuild")
    assert "rebuilt 4 documents" in r.stdout
    assert copy.documents() == want
    assert {d["id"]: copy.json("show", str(d["id"]))["pages"] for d in want} == pages
    assert {q: copy.json("search", q) for q in QUERIES} == hits
    with sqlite3.connect(copy.root / "var" / "nasti.db") as con:
        assert set(con.execute("SELECT DISTINCT actor, to_state FROM event")) == {("rebuild", "done")}
    assert copy.run("fsck").returncode == 0
    copy.run("watch", "--once")          # the rebuilt database knows its archive: watch starts again


def test_reviewed_tags_reach_the_pdf_record_and_survive_a_rebuild(copy: Office) -> None:
    doc = copy.documents()[1]
    copy.run("review", "assign", str(doc["id"]), "--file-number", "९९९/राज./2020", "--by", "रेखा")
    assert read_xmp(Path(doc["pdf"]))["file_number"] == "999/राज./2020"
    with sqlite3.connect(copy.root / "var" / "nasti.db") as con:   # a change made without refreshing the record
        con.execute("UPDATE document SET subject = 'सीमांकन' WHERE id = ?", (doc["id"],))
    r = copy.run("fsck", "--json")
    assert [(f["kind"], f["document_id"]) for f in json.loads(r.stdout)["findings"]] == [("stale_record", doc["id"])]
    assert "records rewritten: 1" in copy.run("fsck", "--refresh-records").stdout
    assert json.loads(copy.run("fsck", "--json").stdout)["findings"] == []
    want = copy.documents()
    for f in (copy.root / "var").glob("nasti.db*"):
        f.unlink()
    copy.run("rebuild")
    got = copy.documents()
    assert got == want and got[1]["file_number"] == "999/राज./2020" and got[1]["subject"] == "सीमांकन"


def test_fsck_finds_summary_counts_that_went_around_the_documents_and_recount_mends_them(copy: Office) -> None:
    """A hand edit of the database (or a partial restore) leaves the status and readiness numbers wrong: fsck says so,
    and `--recount` rebuilds them from the documents, archive untouched."""
    want = copy.json("status")
    before = tree(copy.archive)
    with sqlite3.connect(copy.root / "var" / "nasti.db") as con:
        con.execute("UPDATE count_branch SET done = done + 5, documents = documents + 5")
    assert copy.json("status") != want                          # the dashboards read the summaries
    r = copy.run("fsck", "--json", check=False)
    report = json.loads(r.stdout)
    assert r.returncode == 1 and report["counts"]["counts"] >= 1
    assert any("--recount" in f["detail"] for f in report["findings"] if f["kind"] == "counts")
    r = copy.run("fsck", "--recount", "--json")
    assert json.loads(r.stdout)["ok"] and "summary counts rebuilt" in r.stderr
    assert copy.json("status") == want
    assert tree(copy.archive) == before


def test_files_of_work_in_flight_are_not_unknown(tmp_path: Path) -> None:
    """A crash mid-document leaves its own files (named after its row, or recorded on it), .part files and
    .staging/; the start-up check must not take those for an unknown archive — only a file no row explains."""
    from nasti.vault.guard import check
    from store import repo
    from store.models import Document
    from tests.tagdocs import Office as TagOffice

    o = TagOffice(tmp_path)
    archive = o.cfg.archive
    done_id = o.add("revenue/पत्र 1.png", ["नामांतरण आदेश"])
    with o.store.session() as s:
        done = s.get_one(Document, done_id)
        done.archive_path, done.pdf_path = "revenue/1-पत्र 1.png", "revenue/1-पत्र 1.ocr.pdf"
        working = repo.new_document(s, office_id=o.office_id, branch_id=done.branch_id, source="revenue/b.png",
                                    share_path="revenue/b.png", sha256="b" * 64, size=1)
        repo.transition(s, working, "processing")
        recorded = repo.new_document(s, office_id=o.office_id, branch_id=done.branch_id, source="revenue/c.png",
                                     share_path="revenue/c.png", sha256="c" * 64, size=1)
        recorded.status, recorded.archive_path = "rejected", "revenue/c-copy.png"
        ids = working.id
    for rel in ("revenue/1-पत्र 1.png", "revenue/1-पत्र 1.ocr.pdf", f"revenue/{ids}-b.png",
                f"revenue/{ids}-b.ocr.pdf.part", f".staging/{ids}/page-00001.pdf", "revenue/c-copy.png",
                ".nasti-marker"):
        (archive / rel).parent.mkdir(parents=True, exist_ok=True)
        (archive / rel).write_bytes(b"x")
    assert check(o.store, archive) is None
    (archive / "revenue" / "77-old.png").write_bytes(b"x")
    found = check(o.store, archive)
    assert found is not None and found.unknown == ["revenue/77-old.png"] and found.documents == 3
    assert "revenue/77-old.png" in found.message(archive) and "older than the archive" in found.message(archive)
