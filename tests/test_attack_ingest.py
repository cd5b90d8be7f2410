"""Attacks on ingest as a scanning clerk, an operator and an attacker would make them, with the real CLI (real
watcher, tesseract, SQLite). Each test is a finding: it failed before its fix."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.conftest import NASTI, Office, wait_for
from tests.ingest_rig import check_invariants, mounted, png


def _invariants(office: Office) -> dict[str, int]:
    return check_invariants(office.share, office.archive, office.root / "var" / "nasti.db")


def test_a_pipe_or_device_in_the_share_is_returned_not_read(office: Office) -> None:
    """A FIFO (or a device file) in a branch folder: `watch --once` hung forever reading it; now it is returned
    to the clerk with a reason, and the good scan beside it is digitised."""
    (office.share / "revenue").mkdir()
    os.mkfifo(office.share / "revenue" / "pipe.pdf")
    os.mknod(office.share / "revenue" / "zero.png", 0o600 | 0o020000, os.makedev(1, 5))  # like /dev/zero
    (office.share / "revenue" / "good.png").write_bytes(png("नस्ती पाइप 5120"))
    t0 = time.monotonic()
    office.run("watch", "--once", timeout=60)
    assert time.monotonic() - t0 < 50
    docs = {d["source"]: d for d in office.documents()}
    assert docs["revenue/good.png"]["status"] == "done"
    for name in ("pipe.pdf", "zero.png"):
        d = docs[f"revenue/{name}"]
        assert d["status"] == "rejected" and d["reason_code"] == "not_a_file", d
        assert "not a file" in d["reason"] and "/" not in d["reason"]
        assert not (office.share / "revenue" / name).exists()
        assert (office.share / "_rejected" / "revenue" / f"{name}.reason.txt").is_file()
    _invariants(office)


def test_a_huge_sparse_file_is_refused_without_reading_it(office: Office) -> None:
    """An 8 GB sparse file (an attacker's, or a broken scanner's): nasti hashed every byte before looking at the
    size (≈ 1 min per 8 GB here; hours for 1 TB); now it is refused at once, from its size alone."""
    (office.share / "revenue").mkdir()
    big = office.share / "revenue" / "big.pdf"
    with open(big, "wb") as fh:
        fh.truncate(8 * 2**30)
    t0 = time.monotonic()
    office.run("watch", "--once", timeout=120)
    took = time.monotonic() - t0
    [d] = office.documents()
    assert d["status"] == "rejected" and d["reason_code"] == "file_too_large", d
    assert "8192 MB" in d["reason"]
    assert took < 20, f"{took:.0f} s: the file was read"
    assert (office.share / "_rejected" / "revenue" / "big.pdf").stat().st_size == 8 * 2**30
    _invariants(office)


def test_a_file_nasti_may_not_read_is_a_failed_record_that_says_so(office: Office) -> None:
    """chmod 000 on a scan (nasti runs without the right to read it): there was no record at all, only a traceback
    in the log; now a `failed` record with a clear reason and a health line in `nasti status`, the original kept,
    no new record at each rescan, and the same record digitised once the permissions are fixed."""
    (office.share / "revenue").mkdir()
    scan = office.share / "revenue" / "secret.png"
    data = png("नस्ती अनुमति 6021")
    scan.write_bytes(data)
    scan.chmod(0)
    no_root_reads = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]   # root, but bound by modes
    for _ in range(2):
        r = subprocess.run([*no_root_reads, NASTI, "--config", str(office.config), "watch", "--once"],
                           capture_output=True, text=True, timeout=60, cwd=office.root)
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr
    [d] = office.documents()
    assert d["status"] == "failed" and d["reason_code"] == "file_unreadable", d
    assert "not allowed to read" in d["reason"] and "/" not in d["reason"]
    assert scan.read_bytes() == data
    status = office.run("status").stdout
    assert "not allowed to read 1 files" in status
    scan.chmod(0o644)
    office.run("watch", "--once", timeout=120)
    [d2] = office.documents()
    assert d2["id"] == d["id"] and d2["status"] == "done"
    assert Path(d2["archive"]).read_bytes() == data
    assert "not allowed" not in office.run("status").stdout
    _invariants(office)


def test_the_summary_counts_files_that_ended_failed(office: Office) -> None:
    """The archive disk fills up (a real 200 kB tmpfs): `watch --once` said "2 files — 0 done, … 0 failed", so
    the operator could not see from the summary that both scans were still waiting."""
    (office.share / "revenue").mkdir()
    for i in range(2):
        (office.share / "revenue" / f"s{i}.png").write_bytes(png(f"नस्ती डिस्क {i} " + "भरी " * 40))
    with mounted("tmpfs", office.archive, size_kb=8) as ok:
        assert ok, "this test mounts a small tmpfs (root)"
        r = office.run("watch", "--once", timeout=120)
        docs = office.documents()
        assert [d["status"] for d in docs] == ["failed", "failed"], docs
        assert "2 files — 0 done, 0 rejected, 0 duplicate, 0 need review, 2 failed" in r.stdout, r.stdout
        assert all((office.share / d["source"]).is_file() for d in docs)


def test_a_full_archive_disk_during_ocr_is_archive_full_not_an_error_of_nasti(office: Office) -> None:
    """The archive disk (a real 8 kB tmpfs) fills while OCR writes its page layers to staging: that was recorded
    as nasti's own error (`internal_error`, an attempt counted; after 3 the scan waits for review for good); it is
    the full disk, retried without counting attempts until there is room."""
    (office.share / "revenue").mkdir()
    (office.share / "revenue" / "s.png").write_bytes(png("नस्ती डिस्क " + "भरी " * 60))
    with mounted("tmpfs", office.archive, size_kb=4) as ok:
        assert ok, "this test mounts a small tmpfs (root)"
        office.run("watch", "--once", timeout=120)
        [d] = office.documents()
        assert d["status"] == "failed" and d["reason_code"] == "archive_full", d
        assert "archive disk is full" in office.run("status").stdout
        con = sqlite3.connect(office.root / "var" / "nasti.db")
        try:
            assert con.execute("select attempts from document").fetchone() == (0,)
        finally:
            con.close()


def test_a_name_that_is_not_utf8_is_digitised(office: Office) -> None:
    """A scan whose name was written in Latin-1 (an old Windows PC, a USB stick): the watcher logged a traceback
    at every look and never made a record (the name could not be stored); now it is digitised, shown with U+FFFD
    for the odd bytes, and its exact on-disk name is kept for recovery."""
    from ingest import share as sharefs

    (office.share / "revenue").mkdir()
    raw = os.fsencode(office.share / "revenue") + b"/r\xe9sum\xe9 \xff.png"
    data = png("नस्ती नाम 7310")
    with open(raw, "wb") as fh:
        fh.write(data)
    path = Path(os.fsdecode(raw))
    assert sharefs.on_disk(office.share, sharefs.raw_relative(office.share, path)) == path
    r = office.run("watch", "--once", timeout=120)
    assert "Traceback" not in r.stderr
    [d] = office.documents()
    assert d["status"] == "done" and d["source"] == "revenue/r\ufffdsum\ufffd \ufffd.png", d
    assert Path(d["archive"]).read_bytes() == data
    assert not os.path.exists(raw)
    _invariants(office)


def test_restore_is_refused_while_a_watcher_works_on_the_share(office: Office) -> None:
    """`restore --force` while `watch` ran swapped the database under the live watcher (its documents in flight
    vanished mid-way, their half-made archive files were set aside); now it is refused like a second watcher,
    and works once the watcher has stopped."""
    (office.share / "revenue").mkdir()
    (office.share / "revenue" / "a.png").write_bytes(png("नस्ती बहाली 8101"))
    office.run("watch", "--once", timeout=120)
    office.run("backup", str(office.root / "bk"))
    watcher = office.popen("watch")
    try:
        wait_for(lambda: "pid" in ((office.share / ".nasti.lock").read_text()
                                    if (office.share / ".nasti.lock").exists() else ""), timeout=60)
        r = office.run("restore", str(office.root / "bk"), "--force", check=False)
        assert r.returncode == 1, (r.stdout, r.stderr)
        assert "already being watched" in r.stderr and "पहले से" in r.stderr
        assert not list((office.root / "var").glob("nasti.db.before-restore-*")), "the database was not touched"
    finally:
        watcher.terminate()
        watcher.communicate(timeout=60)
    office.run("restore", str(office.root / "bk"), "--force")
    [d] = office.documents()
    assert d["status"] == "done"
    _invariants(office)


def test_a_copy_that_stalls_is_not_left_returned_half_written(office: Office) -> None:
    """Explorer creates the file, then the network stalls longer than the quiet time: the 0-byte file was returned
    to _rejected/ as "empty", the copy went on into the moved file, and the complete scan sat there, never
    digitised. Now a returned file that grows is put back and taken; the early rejections are resolved by it."""
    (office.share / "revenue").mkdir()
    data = png("नस्ती धीमी 4242")
    watcher = office.popen("watch")
    try:
        wait_for(lambda: (office.share / ".nasti.lock").exists(), timeout=60)
        with open(office.share / "revenue" / "slow.png", "wb") as fh:
            wait_for(lambda: any(d["status"] == "rejected" for d in office.documents()), timeout=60)
            fh.write(data)
        wait_for(lambda: any(d["status"] == "done" for d in office.documents()), timeout=90)
    finally:
        watcher.terminate()
        watcher.communicate(timeout=60)
    docs = office.documents()
    [done] = [d for d in docs if d["status"] == "done"]
    assert Path(done["archive"]).read_bytes() == data
    assert all(d["status"] == "done" or d["reason_code"] == "empty_file" for d in docs), docs
    assert not list((office.share / "_rejected").rglob("slow.png*"))
    con = sqlite3.connect(office.root / "var" / "nasti.db")
    try:
        assert con.execute("select count(*) from document where status = 'rejected' and resolved_by_id is null"
                           ).fetchone() == (0,)
    finally:
        con.close()
    _invariants(office)


def test_a_copy_of_a_scan_whose_archive_copy_is_damaged_is_no_duplicate(office: Office) -> None:
    """Bit rot in the archive, then the clerk drops the same scan again: it was returned as a duplicate ("this copy
    can be deleted") although it had become the only good copy; now it is digitised again."""
    (office.share / "revenue").mkdir()
    data = png("नस्ती सड़न 9044")
    (office.share / "revenue" / "a.png").write_bytes(data)
    office.run("watch", "--once", timeout=120)
    [first] = office.documents()
    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0xFF
    Path(first["archive"]).write_bytes(bytes(damaged))
    (office.share / "revenue" / "a again.png").write_bytes(data)
    office.run("watch", "--once", timeout=120)
    again = {d["source"]: d for d in office.documents()}["revenue/a again.png"]
    assert again["status"] == "done", again
    assert Path(again["archive"]).read_bytes() == data


def test_deleting_the_share_lock_file_lets_no_second_watcher_in(office: Office) -> None:
    """`.nasti.lock` is a file in the clerks' share; one deleted it while `watch` ran, and a second watcher then
    started beside the first. The lock in the archive keeps it out."""
    (office.share / "revenue").mkdir()
    first = office.popen("watch")
    try:
        wait_for(lambda: (office.share / ".nasti.lock").exists(), timeout=60)
        (office.share / ".nasti.lock").unlink()
        r = office.run("watch", "--once", timeout=60, check=False)
        assert r.returncode == 1, (r.stdout, r.stderr)
        assert "already being watched" in r.stderr and "पहले से" in r.stderr
        assert first.poll() is None
    finally:
        first.terminate()
        first.communicate(timeout=60)
    office.run("watch", "--once", timeout=60)   # and once the first has stopped, the next one starts


def test_a_backup_into_the_share_or_the_archive_is_refused(office: Office) -> None:
    """`nasti backup share/revenue/nightly`: the watcher then digitised the backup's PDFs and returned the rest to
    _rejected/, taking the backup apart (into the archive, recovery would have set it aside). Both are refused."""
    (office.share / "revenue").mkdir()
    (office.share / "revenue" / "a.png").write_bytes(png("नस्ती बैकअप 3303"))
    office.run("watch", "--once", timeout=120)
    for dest in (office.share / "revenue" / "nightly", office.archive / "nightly"):
        r = office.run("backup", str(dest), check=False)
        assert r.returncode == 2 and "choose a folder outside both" in r.stderr, (r.stdout, r.stderr)
        assert not dest.exists()
    office.run("backup", str(office.root / "nightly"))
    assert (office.root / "nightly" / "manifest.json").is_file()


def test_a_folder_made_where_a_file_was_is_left_alone(tmp_path: Path) -> None:
    """The clerk deletes a scan mid-OCR and makes a folder of that name (to sort scans into): the folder must not be
    taken as a drop and moved to _rejected/ with what the clerk puts in it."""
    from ingest.steps import HOOKS
    from tests.ingest_rig import rig

    with rig(tmp_path) as r:
        path = r.drop("revenue/2026", png("नस्ती फ़ोल्डर 5151"))

        def to_folder(**_: object) -> None:
            HOOKS.clear()
            path.unlink()
            path.mkdir()
            (path / "inside.png").write_bytes(png("नस्ती भीतर 5152"))

        HOOKS["after_ocr"] = to_folder
        r.handle(path)
        [d] = r.docs()
        assert d["status"] == "rejected" and d["reason_code"] in ("removed", "replaced")
        assert (path / "inside.png").is_file()
        assert not (r.share / "_rejected").exists()


def test_a_pdf_whose_page_inflates_to_gigabytes_is_refused_before_ocr(office: Office) -> None:
    """A 1 MB PDF whose one page holds 550 MB of drawing instructions (Flate): the OCR worker parsed them all into
    memory (5 GB RSS here, no time limit applies there) and `watch --once` never finished; now the page's content
    is measured in chunks at inspection and the file is returned with a reason."""
    import zlib

    import pikepdf

    (office.share / "revenue").mkdir()
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    chunk, inflate = b"0 0 m 1 1 l S\n" * (1 << 16), zlib.compressobj(9)
    stream = pikepdf.Stream(pdf, b"".join(inflate.compress(chunk) for _ in range(600)) + inflate.flush())
    stream["/Filter"] = pikepdf.Name.FlateDecode
    page.obj["/Contents"] = stream
    pdf.save(office.share / "revenue" / "bomb.pdf")
    office.run("watch", "--once", timeout=60)
    [d] = office.documents()
    assert d["status"] == "rejected" and d["reason_code"] == "page_too_complex", d
    assert "too complex" in d["reason"] and "पृष्ठ 1" in d["reason_hi"]
    assert (office.share / "_rejected" / "revenue" / "bomb.pdf.reason.txt").is_file()
    _invariants(office)
