"""An archive copy never replaces another file at its destination (a restored or emptied database, an id used
again): the other file stays byte for byte, the dropped original stays in the share, the document ends `failed`
(problem `archive_conflict`, bilingual reason, a health line) and the watcher goes on. The same bytes already there
(a crash after the copy, before the commit) are kept, and the resume finishes. The final step is a hard link, so a
file that appears between the temporary's write and that step is not replaced either.

Real files, real SQLite, real tesseract; `nasti watch --once` in its own process where the watcher is the subject."""
from __future__ import annotations

import errno
import hashlib
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
import regex

from ingest import archive as archmod
from ingest.archive import ArchiveConflict, verified_copy
from ingest.recover import recover
from ingest.steps import HOOKS
from store.health import health
from tests.conftest import Office
from tests.ingest_rig import archive_files, check_invariants, png, rig

FOREIGN = b"an older archived original nasti's database no longer knows\n" * 100


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def wait_for(folder: Path, pattern: str, timeout: float = 180) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if found := next(iter(folder.glob(pattern)), None):
            return found
        time.sleep(0.05)
    raise AssertionError(f"no {pattern} in {timeout} s")


def row(db: Path, sql: str, *args: object) -> sqlite3.Row:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(sql, args).fetchone()
    finally:
        con.close()


def test_another_file_at_the_archive_path_stays_and_the_watcher_goes_on(office: Office, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    monkeypatch.setenv("NASTI_WATCH_HOOKS", str(hooks))
    (hooks / "HOLD-before_copy").touch()
    drops = {"revenue/आदेश.png": png("नस्ती 4410"), "revenue/other.png": png("नस्ती 4411")}
    for source, data in drops.items():
        (office.share / source).parent.mkdir(parents=True, exist_ok=True)
        (office.share / source).write_bytes(data)
    watch = office.popen("watch", "--once")
    try:
        first = wait_for(hooks, "before_copy-*")
        doc_id = int(first.name.split("-")[1])
        db = office.root / "var" / "nasti.db"
        victim = row(db, "select source, archive_path from document where id = ?", doc_id)
        foreign = office.archive / victim["archive_path"]   # the name the copy is about to take
        foreign.parent.mkdir(parents=True, exist_ok=True)
        foreign.write_bytes(FOREIGN)
        before = os.stat(foreign)
        (hooks / "HOLD-before_copy").unlink()
        out, err = watch.communicate(timeout=300)
    finally:
        if watch.poll() is None:
            os.killpg(watch.pid, signal.SIGKILL)
            watch.wait()
    assert watch.returncode == 0, err
    assert foreign.read_bytes() == FOREIGN and os.stat(foreign).st_ino == before.st_ino, "never replaced"
    assert os.stat(foreign).st_mtime_ns == before.st_mtime_ns
    assert (office.share / victim["source"]).read_bytes() == drops[victim["source"]], "the original stays"
    docs = {d["source"]: d for d in office.documents()}
    d = docs[victim["source"]]
    assert d["status"] == "failed" and "Another file is already in the archive" in d["reason"], d
    assert d["pdf"] is None
    r = row(db, "select reason_hi, problem, settled, archive_path from document where id = ?", doc_id)
    assert r["problem"] == "archive_conflict" and r["settled"] == 1 and r["archive_path"] is None
    assert r["reason_hi"].startswith("संग्रह में") and regex.search(r"\p{Devanagari}", r["reason_hi"])
    ev = row(db, "select from_state, to_state, detail from event where document_id = ? order by id desc limit 1",
             doc_id)
    assert (ev["from_state"], ev["to_state"]) == ("processing", "failed")
    assert "another file is already in the archive" in ev["detail"]
    other = next(s for s in drops if s != victim["source"])
    assert docs[other]["status"] == "done" and not (office.share / other).exists(), "the next file was taken"
    for said in (out + err, office.run("status").stdout):   # the operator's health line, at the end and in status
        flat = " ".join(said.split())
        assert "संग्रह में 1 फ़ाइलों की प्रति की जगह पर पहले से दूसरी फ़ाइलें हैं" in flat, said
        assert "another file already stands where their archive copy goes (nothing was overwritten" in flat, said
    assert not list(office.archive.rglob("*.part"))


def test_the_same_bytes_already_there_after_a_crash_are_kept_and_the_resume_finishes(tmp_path: Path) -> None:
    class Crash(BaseException):
        pass

    def crash(**_: object) -> None:
        raise Crash

    with rig(tmp_path) as r:
        data = png("नस्ती 5120")
        path = r.drop("revenue/x.png", data)
        HOOKS["after_copy"] = crash   # the copy is in place; the commit never came
        with pytest.raises(Crash):
            r.handle(path)
        HOOKS.clear()
        [d] = r.docs()
        copy = r.archive / d["archive_path"]
        assert d["status"] == "processing" and copy.read_bytes() == data
        inode = os.stat(copy).st_ino
        recover(r.store, r.share, r.archive, walk=False)   # a shared archive: recovery leaves the copy where it is
        assert os.stat(copy).st_ino == inode
        r.handle(path)
        [d] = r.docs()
        assert d["status"] == "done" and d["problem"] is None and not path.exists()
        assert os.stat(copy).st_ino == inode and copy.read_bytes() == data, "the identical copy was kept"
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")


def test_a_crash_then_the_cli_recovery_finishes_the_drop(office: Office, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """kill -9 after the copy, before the commit; the next `watch --once` recovers and finishes it."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    monkeypatch.setenv("NASTI_WATCH_HOOKS", str(hooks))
    (hooks / "HOLD-after_copy").touch()
    data = png("नस्ती 5121")
    (office.share / "revenue").mkdir()
    (office.share / "revenue" / "y.png").write_bytes(data)
    watch = office.popen("watch", "--once")
    try:
        wait_for(hooks, "after_copy-*")
    finally:
        os.killpg(watch.pid, signal.SIGKILL)
        watch.wait()
    monkeypatch.delenv("NASTI_WATCH_HOOKS")
    office.run("watch", "--once")
    [d] = office.documents()
    assert d["status"] == "done" and not (office.share / "revenue" / "y.png").exists()
    check_invariants(office.share, office.archive, office.root / "var" / "nasti.db")


def test_a_file_that_appears_before_the_final_step_is_not_replaced(tmp_path: Path) -> None:
    with rig(tmp_path) as r:
        data = png("नस्ती 6230")
        path = r.drop("revenue/z.png", data)
        planted: list[Path] = []

        def plant(path: Path, **_: object) -> None:   # after the temporary is written and verified, before placing
            path.write_bytes(FOREIGN)
            planted.append(path)

        HOOKS["before_place"] = plant
        r.handle(path)
        HOOKS.clear()
        [d] = r.docs()
        assert (d["status"], d["problem"], d["reason_code"]) == ("failed", "archive_conflict", "archive_conflict")
        assert planted and planted[0].read_bytes() == FOREIGN, "the file that appeared was not replaced"
        assert path.read_bytes() == data and d["settled"] and d["archive_path"] is None
        assert not list(r.archive.rglob("*.part")), "the temporary is gone"
        with r.store.session() as s:
            [h] = health(s)
        assert h.code == "archive_conflict" and h.hi.startswith("संग्रह में") and "nothing was overwritten" in h.en
        # the operator sets the other file aside; the drop is taken on the next try, without OCR again
        planted[0].rename(tmp_path / "set-aside.bin")
        con = sqlite3.connect(r.root / "var" / "nasti.db")
        con.execute("update document set updated_at = '2000-01-01 00:00:00'")
        con.commit()
        con.close()
        r.handle(path)
        [d] = r.docs()
        assert d["status"] == "done" and d["problem"] is None and not path.exists() and r.ocr_runs == 1
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")


def test_recovery_never_deletes_another_file_at_an_unfinished_records_path(tmp_path: Path) -> None:
    """A crash after the archive path was written down, before the copy; another file at that name meanwhile (an
    older archive, an id used again): recovery sets it aside, it does not delete it as the record's half copy."""
    class Crash(BaseException):
        pass

    def crash(**_: object) -> None:
        raise Crash

    with rig(tmp_path) as r:
        path = r.drop("revenue/w.png", png("नस्ती 7340"))
        HOOKS["before_copy"] = crash
        with pytest.raises(Crash):
            r.handle(path)
        HOOKS.clear()
        [d] = r.docs()
        foreign = r.archive / d["archive_path"]
        foreign.parent.mkdir(parents=True, exist_ok=True)
        foreign.write_bytes(FOREIGN)
        counts = recover(r.store, r.share, r.archive)
        assert counts["unfinished_removed"] == 0 and counts["quarantined"] == 1
        [kept] = [p for p in (r.archive / "_quarantine").rglob("*") if p.is_file()]
        assert kept.read_bytes() == FOREIGN
        r.handle(path)
        [d] = r.docs()
        assert d["status"] == "done"
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")


def test_verified_copy_never_replaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, dest = tmp_path / "src.bin", tmp_path / "a" / "dest.bin"
    src.write_bytes(b"scan bytes")
    verified_copy(src, dest, sha(b"scan bytes"))
    inode = os.stat(dest).st_ino
    verified_copy(src, dest, sha(b"scan bytes"))   # the same bytes there: kept as they are
    assert os.stat(dest).st_ino == inode and os.stat(dest).st_nlink == 1
    other = tmp_path / "b" / "dest.bin"
    other.parent.mkdir()
    other.write_bytes(FOREIGN)
    with pytest.raises(ArchiveConflict) as e:
        verified_copy(src, other, sha(b"scan bytes"))
    assert e.value.errno == errno.EEXIST and "another file is already in the archive" in str(e.value)
    assert other.read_bytes() == FOREIGN and archive_files(tmp_path / "b") == {other}

    def no_links(*_a: object, **_k: object) -> None:   # a file system without hard links (exFAT, some SMB mounts)
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(archmod.os, "link", no_links)
    third = tmp_path / "c" / "dest.bin"
    verified_copy(src, third, sha(b"scan bytes"))
    assert third.read_bytes() == b"scan bytes"
    monkeypatch.setattr(archmod, "_kept", lambda *_a: False)   # the check passed; the name is taken by the link
    third.write_bytes(FOREIGN)
    with pytest.raises(FileExistsError):
        archmod._place(src, third)
    assert third.read_bytes() == FOREIGN
