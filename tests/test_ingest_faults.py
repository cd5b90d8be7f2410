"""Every exception ends in a state: odd images, errors nasti did not foresee (bounded retries), a full archive disk,
a read-only branch folder; rejections that are fixed; portable archive names; reasons a clerk can read."""
from __future__ import annotations

import datetime as dt
import errno
import io
import os
import sqlite3
import subprocess
from pathlib import Path

import pikepdf
import pytest
import regex
from PIL import Image

from ingest import reasons
from ingest.archive import safe_component
from ingest.steps import HOOKS
from nasti.samples import make_letter, render_page, save_document
from store import repo
from store.health import health
from store.models import Document
from store.repo import MAX_ATTEMPTS
from tests.conftest import NASTI
from tests.ingest_rig import archive_files, check_invariants, mounted, png, rig


def big_page_pdf(points: float) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(points, points))
    pdf.pages[0].Contents = pdf.make_stream(b"0 0 m 100 100 l S")
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


ODD = {   # source: (bytes, reason_code)
    "revenue/dot.png": (lambda: png("", (1, 1)), "image_too_small"),
    "revenue/strip.png": (lambda: png("", (100000, 120)), "image_odd_shape"),
    "revenue/tall.png": (lambda: png("", (20000, 300)), "image_odd_shape"),
    "revenue/poster.pdf": (lambda: big_page_pdf(8400), "image_too_large"),   # 35000 × 35000 px at 300 dpi
}


def test_odd_images_end_rejected_before_any_pixel_is_rasterised(tmp_path: Path) -> None:
    with rig(tmp_path) as r:
        for source, (make, _) in ODD.items():
            r.handle(r.drop(source, make()))
        docs = {d["source"]: d for d in r.docs()}
        for source, (_, code) in ODD.items():
            d = docs[source]
            assert (d["status"], d["reason_code"]) == ("rejected", code), dict(d)
            assert d["settled"] and (r.share / d["rejected_path"]).exists()
            assert regex.search(r"\p{Devanagari}", d["reason_hi"]) and "/" not in d["reason"]
        assert "35000 × 35000" in docs["revenue/poster.pdf"]["reason"]
        assert r.ocr_runs == 0, "refused from headers, before OCR"
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")


def test_an_unforeseen_error_ends_failed_with_bounded_retries(tmp_path: Path) -> None:
    with rig(tmp_path) as r:
        path = r.drop("revenue/x.png", png("नस्ती 9001"))

        def boom(**_: object) -> None:
            raise RuntimeError("boom at /srv/secret/path")

        HOOKS["after_copy"] = boom
        for attempt in range(1, MAX_ATTEMPTS + 2):
            r.handle(path)
            [d] = r.docs()
            assert d["status"] == "failed" and d["reason_code"] == "internal_error"
            assert d["attempts"] == min(attempt, MAX_ATTEMPTS)
            assert "boom" not in d["reason"] and "/srv" not in d["reason_hi"]
            assert "boom at /srv/secret/path" in r.events(d["id"])[-1]["detail"]
            assert path.exists(), "the original stays in the share"
            assert archive_files(r.archive) == set(), "no orphan archive copy"
            runs = r.ocr_runs
            r.handle(path)   # at once: inside the back-off, nothing is tried
            assert r.ocr_runs == runs and len(r.docs()) == 1
            _age(r, d["id"], minutes=60)   # the back-off elapses
        [d] = r.docs()
        assert d["attempts"] == MAX_ATTEMPTS and d["needs_review"] and r.ocr_runs == MAX_ATTEMPTS
        with r.store.session() as s:
            assert [h.code for h in health(s)] == ["failed_for_good"]
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")


def _age(r, doc_id: int, minutes: int) -> None:  # type: ignore[no-untyped-def]
    """Move the document's last change back in time (the back-off has passed)."""
    db = sqlite3.connect(r.root / "var" / "nasti.db")
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)).replace(tzinfo=None, microsecond=0)
    db.execute("update document set updated_at = ? where id = ?", (past.isoformat(sep=" "), doc_id))
    db.commit()
    db.close()


def test_a_full_archive_disk_keeps_the_ocr_and_retries_only_the_copy(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "var" / "archive"
    with mounted("tmpfs", archive, size_kb=1024) as real, rig(tmp_path) as r:
        path = r.drop("revenue/x.png", png("नस्ती 3100"))
        filler = archive / "filler.bin"

        def fill(**_: object) -> None:
            if real:   # fill the real disk up to the last byte
                with open(filler, "wb") as fh:
                    try:
                        while True:
                            fh.write(b"\0" * 65536)
                    except OSError:
                        pass
            else:
                import ingest.pipeline as p

                def full(*_a: object, **_k: object) -> None:
                    raise OSError(errno.ENOSPC, "No space left on device")
                monkeypatch.setattr(p, "verified_copy", full)

        HOOKS["after_ocr"] = fill
        r.handle(path)
        [d] = r.docs()
        assert (d["status"], d["reason_code"], d["problem"]) == ("failed", "archive_full", "archive_full")
        assert d["attempts"] == 0 and path.exists()
        assert not [p for p in archive.rglob("*.part")], "no half copy left on the full disk"
        with r.store.session() as s:
            [h] = health(s)
        assert h.code == "archive_full" and "full" in h.en and regex.search(r"\p{Devanagari}", h.hi)
        HOOKS.clear()
        filler.unlink(missing_ok=True)
        monkeypatch.undo()
        _age(r, d["id"], minutes=5)
        r.handle(path)
        [d] = r.docs()
        assert d["status"] == "done" and d["problem"] is None and not path.exists()
        assert r.ocr_runs == 1, "the OCR of the first attempt was kept; only the copy was retried"
        with r.store.session() as s:
            assert health(s) == []
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")


def test_a_read_only_branch_folder_is_recorded_not_looped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with rig(tmp_path) as r:
        good = r.drop("revenue/good.png", png("नस्ती 6100"))
        bad = r.drop("revenue/empty.pdf", b"")
        with mounted("bind-ro", r.share / "revenue") as real:
            if not real:   # not root: the same error the kernel gives for a read-only folder
                def refuse(*_a: object, **_k: object) -> None:
                    raise PermissionError(errno.EROFS, "Read-only file system")
                monkeypatch.setattr(os, "unlink", refuse)
                monkeypatch.setattr(os, "rename", refuse)
            for _ in range(2):
                r.handle(good)
                r.handle(bad)
            g, b = r.docs()
            assert (g["status"], g["settled"], g["problem"]) == ("done", 0, "share_unwritable")
            assert (r.archive / g["archive_path"]).is_file() and good.exists()
            assert (b["status"], b["settled"], b["problem"]) == ("rejected", 0, "share_unwritable")
            assert bad.exists() and not list((r.share / "_rejected").rglob("*.reason.txt")), \
                "no reason file claims a move that did not happen"
            assert r.ocr_runs == 1 and len(r.docs()) == 2, "not re-OCR'd, not recorded twice"
            with r.store.session() as s:
                [h] = health(s)
            assert h.code == "share_unwritable" and h.count == 2
            shown = subprocess.run([NASTI, "--config", str(r.config), "status", "--lang", "en"], capture_output=True,
                                   text=True, cwd=r.root, timeout=120).stdout
            assert "read-only" in shown and "केवल-पढ़ने" in shown, shown   # `nasti status` shows the health line
        monkeypatch.undo()
        r.handle(good)
        r.handle(bad)
        g, b = r.docs()
        assert g["settled"] and b["settled"] and not good.exists() and not bad.exists()
        assert (r.share / (b["rejected_path"] + ".reason.txt")).is_file()
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")


def test_a_fixed_file_closes_the_old_rejection(tmp_path: Path) -> None:
    with rig(tmp_path) as r:
        r.handle(r.drop("revenue/आदेश.png", b""))
        [old] = r.docs()
        note = r.share / (old["rejected_path"] + ".reason.txt")
        assert old["status"] == "rejected" and note.is_file()
        r.handle(r.drop("revenue/आदेश.png", png("नस्ती 8800")))
        old, new = r.docs()
        assert new["status"] == "done" and old["resolved_by_id"] == new["id"]
        assert not note.exists() and Path(str(note).replace(".reason.txt", ".resolved.txt")).is_file()
        from store import queries

        with r.store.session() as s:
            [row] = [x for x in queries.status_counts(s) if x.branch == "revenue"]
        assert row.rejected == 0 and row.done == 1


def test_archive_names_are_portable(tmp_path: Path) -> None:
    name = 'a\nb<c>:d"e|f?g*h\x07.png'
    with rig(tmp_path) as r:
        r.handle(r.drop(f"revenue/{name}", png("नस्ती 1200")))
        [d] = r.docs()
        assert d["status"] == "done"
        for rel in (d["archive_path"], d["pdf_path"]):
            assert not regex.search(r'[\p{Cc}<>:"\\|?*]', rel), rel
    assert safe_component("CON.pdf") != "CON.pdf" and safe_component("x. ") == "x"
    assert safe_component("क्\u200dष.pdf") == "क्\u200dष.pdf"   # ZWJ is part of Devanagari spelling


def test_a_scan_with_a_text_footer_is_ocrd(tmp_path: Path) -> None:
    letter = make_letter(11, "hi")
    scan = save_document([render_page(letter.lines)], tmp_path / "scan.pdf", "pdf")
    with pikepdf.open(scan, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        page.Resources.Font = pikepdf.Dictionary(F9=font)
        page.contents_add(pdf.make_stream(b"BT /F9 9 Tf 30 14 Td (Scanned with CamScanner) Tj ET"))
        pdf.save(scan)
    with rig(tmp_path) as r:   # [ocr] mode = "skip", the default
        r.handle(r.drop("revenue/camscanner.pdf", scan.read_bytes()))
        [d] = r.docs()
        [p] = r.rows("select * from page where document_id = ?", d["id"])
        assert d["status"] == "done" and p["language"] != "pdf-text", dict(p)
        words = [w for w in (letter.subject or "").split() if regex.search(r"\p{Devanagari}{3,}", w)]
        assert any(w in p["text"] for w in words), p["text"][:300]


def test_reasons_are_clean_and_hindi_lines_are_hindi() -> None:
    allowed = {"PDF", "TIFF", "JPEG", "PNG", "dpi", "A4", "MB", "nasti", "revenue", "Word", "docx", "ZIP"}
    for code in reasons._CATALOG:
        r = reasons.reason(code, "12 × 34 pixels", "12 × 34 पिक्सेल", first="revenue/a.pdf (#3)")
        latin = set(regex.findall(r"[A-Za-z][A-Za-z0-9]+", r.hi.replace("revenue/a.pdf", "")))
        assert latin <= allowed, (code, latin)
        assert "()" not in r.hi and "()" not in r.en
    for en, hi in reasons.TYPE_HI.items():
        assert regex.search(r"\p{Devanagari}", hi), en


def test_transitions_are_declared_once_and_enforced(tmp_path: Path) -> None:
    with rig(tmp_path) as r:
        r.handle(r.drop("revenue/x.png", png("नस्ती 1")))
        with r.store.session() as s:
            doc = s.get_one(Document, 1)
            with pytest.raises(repo.BadTransition):
                repo.transition(s, doc, "processing")
            s.rollback()
    assert set(repo.ALLOWED) >= {None, *repo.FINAL, *repo.ACTIVE}


def test_image_size_check_reads_headers_only(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    Image.new("1", (30000, 30000)).save(big)   # 900 Mpx, a few kB on disk
    from ingest.validate import Rejected, inspect

    with pytest.raises(Rejected) as e:
        inspect(big, max_file_bytes=2**30, max_pixels=200_000_000, max_pages=10, timeout=5)
    assert e.value.code == "image_too_large"


def test_a_lost_archive_copy_keeps_the_original_and_says_so(tmp_path: Path) -> None:
    class Crash(BaseException):
        pass

    def crash(**_: object) -> None:
        raise Crash

    with rig(tmp_path) as r:
        path = r.drop("revenue/x.png", png("नस्ती 7310"))
        HOOKS["after_record"] = crash
        with pytest.raises(Crash):
            r.handle(path)
        HOOKS.clear()
        [d] = r.docs()
        (r.archive / d["archive_path"]).unlink()   # lost between the crash and the restart
        r.handle(path)
        [d] = r.docs()
        assert (d["status"], d["settled"], d["problem"]) == ("done", 0, "archive_missing") and path.exists()
        with r.store.session() as s:
            [h] = health(s)
        assert h.code == "archive_missing" and regex.search(r"\p{Devanagari}", h.hi)


def test_an_engine_that_fails_to_start_once_does_not_stop_the_watcher(tmp_path: Path) -> None:
    """A worker that could not start its engine on a loaded machine (a probe timed out) while tesseract and poppler
    are installed: the file fails for now and is taken again; the runner keeps taking files. Seen once: the watcher
    of a long test run stopped on its own, its tesseract probe inside a worker having timed out under load."""
    from ingest.runner import Runner
    from ocr.errors import EngineMissing

    with rig(tmp_path) as r:
        calls = 0

        def flaky(**_: object) -> None:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise EngineMissing("tesseract model(s) Devanagari cannot be loaded from /usr/share/tesseract-ocr")

        HOOKS["after_inspect"] = flaky
        runner = Runner(r.ingestor, documents_in_flight=1)
        try:
            first = r.drop("revenue/letter.png", png("कलेक्टर कार्यालय 12/2024"))
            assert runner.submit(first)
            runner.wait_idle()
            assert runner.fatal is None and runner.errors == 1
            [doc] = r.docs()
            assert (doc["status"], doc["problem"]) == ("failed", "engine_missing") and first.exists()
            with r.store.session() as s:   # the back-off has passed
                d = s.get_one(Document, doc["id"])
                d.updated_at = d.updated_at - dt.timedelta(minutes=5)
            assert runner.submit(first)
            runner.wait_idle()
        finally:
            runner.close()
        assert [d["status"] for d in r.docs()] == ["done"]
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")
