"""Batch splitting at cover sheets, through the real pipeline (tesseract, poppler, SQLite): a scan of three files
behind their cover sheets, with divider sheets, becomes three documents with the register's numbers and parts; the
batch original is archived once, byte-identical; a crash in the middle of the split resumes to the same documents."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pikepdf
import pytest

from ingest import failures
from ingest.recover import recover
from ingest.steps import HOOKS
from nasti.samples import save_document
from report.readiness import readiness
from tests import hostile
from tests.coverkit import BRANCH, NUMBERS, branch_info, cover, divider, import_demo_register
from tests.coverscan import Scan
from tests.ingest_rig import check_invariants, rig


def content(text: str):  # type: ignore[no-untyped-def]
    return hostile.small_page(text)


def batch_pages(root_rig, ids: dict[str, int]) -> list:  # type: ignore[no-untyped-def]
    info = branch_info(root_rig.store)
    a, b, c = NUMBERS[:3]
    return [
        cover(info, ids[a], a, Scan(200)),
        divider(info, "notes", Scan(200, bitonal=True)),
        content("टिप्पणी पृष्ठ एक"),
        divider(info, "receipts", Scan(150)),
        content("पत्र क्रमांक/999/राज./2016 दिनांक"),        # another number on a letter: the cover wins
        content("पत्र दूसरा पृष्ठ"),
        cover(info, ids[b], b, Scan(150, bitonal=True, tilt=2)),
        content("नामांतरण आदेश"),
        cover(info, ids[c], c, Scan(300, jpeg=40, noise=0.02)),
        divider(info, "notes", Scan(150)),
        content("टिप्पणी"),
        content("दूसरी टिप्पणी"),
    ]


def test_three_files_in_one_batch_become_three_documents(tmp_path: Path) -> None:
    with rig(tmp_path, BRANCH) as r:
        ids = import_demo_register(r.store, tmp_path)
        pdf = save_document(batch_pages(r, ids), tmp_path / "b.pdf", "pdf", dpi=200)
        data = pdf.read_bytes()
        out = r.handle(r.drop("revenue/बैच 1.pdf", data))
        assert out is not None and out.status == "done"
        docs = r.rows("select * from document order by batch_seq")
        assert [d["file_number"] for d in docs] == list(NUMBERS[:3])
        assert [d["register_file_id"] for d in docs] == [ids[n] for n in NUMBERS[:3]]
        assert {d["file_number_source"] for d in docs} == {"cover sheet"}
        assert [d["needs_review"] for d in docs] == [0, 0, 0], [d["reason"] for d in docs]
        assert [d["pages"] for d in docs] == [3, 1, 2]          # covers and dividers are not pages of the file
        assert [d["part"] for d in docs] == ["notes", "receipts", "notes"]
        assert {d["batch_id"] for d in docs} == {docs[0]["id"]} and {d["status"] for d in docs} == {"done"}
        first = r.rows("select number, kind, part from page where document_id = ? order by number", docs[0]["id"])
        assert [(p["kind"], p["part"]) for p in first] == [("cover", None), ("divider", None), (None, "notes"),
                                                          ("divider", None), (None, "receipts"), (None, "receipts")]
        # the batch original archived once, byte-identical; each document its own searchable PDF
        assert len({d["archive_path"] for d in docs}) == 1
        assert (r.archive / docs[0]["archive_path"]).read_bytes() == data
        originals = [p for p in r.archive.rglob("*") if p.is_file() and not p.name.endswith(".ocr.pdf")
                     and ".staging" not in p.parts and not p.name.startswith(".nasti")]
        assert len(originals) == 1
        counts = []
        for d in docs:
            with pikepdf.open(r.archive / d["pdf_path"]) as p:
                counts.append(len(p.pages))
        assert counts == [6, 2, 4]
        assert not (r.share / "revenue/बैच 1.pdf").exists()
        assert check_invariants(r.share, r.archive, tmp_path / "var" / "nasti.db") == {"done": 3}
        hits = r.rows("select count(*) n from page where text like '%नामांतरण%' and document_id = ?", docs[1]["id"])
        assert hits[0]["n"] == 1
        with r.store.session() as s:   # search finds a file by the number its cover gave, not the letter's
            from store.search.query import search

            assert [h.id for h in search(s, NUMBERS[1])] == [docs[1]["id"]]
        # the first file's rest, scanned in a later batch: 4 documents, still 3 physical files
        info = branch_info(r.store)
        more = save_document([cover(info, ids[NUMBERS[0]], NUMBERS[0]), content("बाद का पत्र")], tmp_path / "c.pdf",
                             "pdf")
        assert r.handle(r.drop("revenue/बैच 1 शेष.pdf", more.read_bytes())).status == "done"  # type: ignore[union-attr]
        with r.store.session() as s:
            rev = next(b for b in readiness(s, r.cfg)["branches"] if b["branch"] == "revenue")
        assert (rev["documents"], rev["files_total"], rev["files_today"], rev["digitised_files"]) == (4, 3, 3, 3)
        # no cover, but a divider: an ordinary document whose pages after the divider are notes
        plain = save_document([content("पत्र क्रमांक/378/राज./2017"), divider(info, "notes"), content("टिप्पणी")],
                              tmp_path / "d.pdf", "pdf")
        assert r.handle(r.drop("revenue/नस्ती.pdf", plain.read_bytes())).status == "done"  # type: ignore[union-attr]
        last = r.rows("select * from document order by id desc limit 1")[0]
        assert (last["pages"], last["file_number_source"], last["part"]) == (2, "page 1", "receipts"), last["reason"]
        parts = r.rows("select kind, part from page where document_id = ? order by number", last["id"])
        assert [(p["kind"], p["part"]) for p in parts] == [(None, None), ("divider", None), (None, "notes")]


def test_pages_before_the_first_cover_and_covers_that_do_not_fit_go_to_review(tmp_path: Path) -> None:
    with rig(tmp_path, BRANCH) as r:
        ids = import_demo_register(r.store, tmp_path)
        legal = import_demo_register(r.store, tmp_path, "legal")
        info, other_office = branch_info(r.store), branch_info(r.store, office_key="jabalpur")
        pages = [content("बिना आवरण का पत्र"),
                 cover(info, ids[NUMBERS[0]], NUMBERS[0]), content("पत्र"),
                 cover(branch_info(r.store, "legal"), legal[NUMBERS[1]], NUMBERS[1]), content("पत्र"),
                 cover(other_office, ids[NUMBERS[2]], NUMBERS[2]), content("पत्र"),
                 cover(info, ids[NUMBERS[3]], NUMBERS[3]), content("पत्र"),
                 cover(info, ids[NUMBERS[3]], NUMBERS[3], Scan(150)), content("पत्र")]
        out = r.handle(r.drop("revenue/बैच 2.tif", save_document(pages, tmp_path / "b.tif", "tiff").read_bytes()))
        assert out is not None and out.status == "done"
        docs = r.rows("select * from document order by batch_seq")
        codes = [d["reason_code"] for d in docs]
        assert codes == ["before_cover", None, "cover_other_branch", "cover_other_office", "cover_repeated",
                         "cover_repeated"], [d["reason"] for d in docs]
        assert [bool(d["needs_review"]) for d in docs] == [True, False, True, True, True, True]
        assert "विधि" not in docs[2]["reason_hi"] and "legal" in docs[2]["reason"] and "शाखा" in docs[2]["reason_hi"]
        assert docs[2]["register_file_id"] is None and docs[3]["register_file_id"] is None


class Crash(BaseException):
    """A power cut: nothing of nasti's error handling runs."""


@pytest.mark.parametrize("at", ["after_segment", "after_copy"])
def test_a_crash_in_the_middle_of_the_split_resumes_to_the_same_documents(tmp_path: Path, at: str) -> None:
    with rig(tmp_path, BRANCH) as r:
        ids = import_demo_register(r.store, tmp_path)
        info = branch_info(r.store)
        pages = [cover(info, ids[n], n) if k % 2 == 0 else content(f"पत्र {k}")
                 for k, n in enumerate(x for n in NUMBERS[:3] for x in (n, n))]
        data = save_document(pages, tmp_path / "b.pdf", "pdf").read_bytes()
        path = r.drop("revenue/बैच 3.pdf", data)
        seen: list[int] = []

        def crash(**kw: object) -> None:
            seen.append(1)
            if len(seen) == 2 or at != "after_segment":
                raise Crash

        HOOKS[at] = crash
        with pytest.raises(Crash):
            r.handle(path)
        HOOKS.clear()
        assert {d["status"] for d in r.docs()} == {"processing"}
        recover(r.store, r.share, r.archive)
        out = r.handle(path)
        assert out is not None and out.status == "done"
        docs = r.rows("select * from document order by batch_seq")
        assert [d["file_number"] for d in docs] == list(NUMBERS[:3]) and len(docs) == 3
        assert check_invariants(r.share, r.archive, tmp_path / "var" / "nasti.db") == {"done": 3}
        assert hashlib.sha256((r.archive / docs[0]["archive_path"]).read_bytes()).hexdigest() == \
            hashlib.sha256(data).hexdigest()
        assert r.rows("select count(*) n from page")[0]["n"] == 6


def test_an_error_in_the_middle_of_the_split_leaves_no_document_in_work(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with rig(tmp_path, BRANCH) as r:
        ids = import_demo_register(r.store, tmp_path)
        info = branch_info(r.store)
        pages = [cover(info, ids[NUMBERS[0]], NUMBERS[0]), content("पत्र"), cover(info, ids[NUMBERS[1]], NUMBERS[1]),
                 content("पत्र")]
        path = r.drop("revenue/बैच 4.pdf", save_document(pages, tmp_path / "b.pdf", "pdf").read_bytes())

        def fail(**kw: object) -> None:
            raise RuntimeError("injected: the disk went away")

        HOOKS["after_segment"] = fail
        out = r.handle(path)
        assert out is not None and out.status == "failed"
        docs = r.docs()
        assert [d["status"] for d in docs] == ["failed", "failed"] and docs[1]["batch_id"] == docs[0]["id"]
        assert docs[1]["reason_code"] == "batch_not_done" and "बैच" in docs[1]["reason_hi"]
        assert path.exists()                     # the original stays in the share for the retry
        HOOKS.clear()
        monkeypatch.setattr(failures, "backoff", lambda attempts: dt.timedelta(0))
        out = r.handle(path)                     # the retry takes the same two documents up again
        assert out is not None and out.status == "done"
        assert [(d["id"], d["status"], d["file_number"]) for d in r.docs()] == \
            [(docs[0]["id"], "done", NUMBERS[0]), (docs[1]["id"], "done", NUMBERS[1])]
        assert check_invariants(r.share, r.archive, tmp_path / "var" / "nasti.db") == {"done": 2}


def test_a_batch_split_by_covers_exports_each_part_without_the_sheets(tmp_path: Path) -> None:
    """#14 meets #17: the dividers inside one file's scan put its pages in Notes and Receipts of its eOffice
    folder, and nasti's own cover and divider sheets are not uploaded."""
    from export.run import export_eoffice

    with rig(tmp_path, BRANCH) as r:
        ids = import_demo_register(r.store, tmp_path)
        pdf = save_document(batch_pages(r, ids), tmp_path / "b.pdf", "pdf", dpi=200)
        assert r.handle(r.drop("revenue/बैच 2.pdf", pdf.read_bytes())).status == "done"  # type: ignore[union-attr]
        out = tmp_path / "eoffice"
        summary = export_eoffice(r.store, r.cfg, out)
        assert not summary.refused and summary.pages == 6, summary
        got = {}
        for folder in sorted(p for p in out.iterdir() if p.name.startswith("fl-")):
            counts = {}
            for part in folder.iterdir():
                n = 0
                for vol in part.glob("*.pdf"):
                    with pikepdf.open(vol) as p:
                        n += len(p.pages)
                if n:
                    counts[part.name] = n
            got[folder.name] = counts
        want = [{"Notes": 1, "Receipts": 2}, {"Receipts": 1}, {"Notes": 2}]
        assert sorted(sorted(c.items()) for c in got.values()) == sorted(sorted(c.items()) for c in want), got
