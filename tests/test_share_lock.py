"""One watcher per share: a second one exits with a clear bilingual message (or waits); two started together record
every file exactly once; kill -9 at a named step resumes to one final state; recovery quarantines, never deletes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests import hostile
from tests.conftest import Office, wait_for
from tests.ingest_rig import check_invariants, png

HOOKED = textwrap.dedent("""
    import os, signal, sys
    from rich.console import Console
    from ingest.steps import HOOKS
    from common import config
    from nasti.service import run_watch
    if __name__ == "__main__":   # OCR workers (forkserver) import this module too
        HOOKS[sys.argv[2]] = lambda **_: os.kill(os.getpid(), signal.SIGKILL)
        sys.exit(run_watch(config.load(sys.argv[1]), once=True, console=Console()))
""")


def drop_batch(share: Path, n: int) -> dict[str, bytes]:
    files = {f"{('revenue', 'legal')[i % 2]}/पत्र {i}.png": png(f"नस्ती {i} क्रमांक {3100 + i}") for i in range(n)}
    files["revenue/empty.pdf"] = b""
    files["legal/copy.png"] = files["revenue/पत्र 0.png"]
    for source, data in files.items():
        hostile.write(share / source, data)
    return files


def records(office: Office) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for d in office.documents():
        out.setdefault(d["source"], []).append(d)
    return out


def test_two_watchers_started_together_record_every_file_once(office: Office) -> None:
    files = drop_batch(office.share, 8)
    a, b = office.popen("watch", "--once"), office.popen("watch", "--once")
    (out_a, err_a), (out_b, err_b) = a.communicate(timeout=600), b.communicate(timeout=600)
    codes = sorted([a.returncode, b.returncode])
    assert codes[0] == 0, (out_a, err_a, out_b, err_b)
    if codes[1] == 1:   # the usual case: the second found the share held
        loser = err_a if a.returncode == 1 else err_b
        assert "already being watched" in loser and "पहले से" in loser, loser
        assert len(loser.strip().splitlines()) == 1, "one line on stderr"
    by_source = records(office)
    assert set(by_source) == set(files) and all(len(v) == 1 for v in by_source.values()), by_source
    assert "Traceback" not in err_a + err_b
    counts = check_invariants(office.share, office.archive, office.root / "var" / "nasti.db")
    assert counts == {"done": 8, "rejected": 1, "duplicate": 1}
    left = [p for p in office.share.rglob("*") if p.is_file() and "_rejected" not in p.parts]
    assert left == [], "every file taken, and the lock file goes with a clean exit"


def test_a_second_watcher_exits_or_waits_and_leaves_the_first_alone(office: Office) -> None:
    first = office.popen("watch")
    try:
        wait_for(lambda: (office.share / ".nasti.lock").exists() and
                 "pid" in (office.share / ".nasti.lock").read_text(), timeout=60, every=0.2)
        files = drop_batch(office.share, 3)
        second = office.run("watch", "--once", check=False, timeout=120)
        assert second.returncode == 1
        assert "already being watched" in second.stderr and "--wait" in second.stderr
        assert second.stderr.index("शेयर") < second.stderr.index("already"), "Hindi first"
        waiter = office.popen("watch", "--once", "--wait")
        time.sleep(1.0)
        assert waiter.poll() is None, "waits while the first one runs"

        def all_final() -> bool:
            docs = office.documents()
            return len(docs) == len(files) and all(d["status"] in ("done", "rejected", "duplicate") for d in docs)

        wait_for(all_final, timeout=300)
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    out, err = waiter.communicate(timeout=300)
    assert waiter.returncode == 0, (out, err)
    assert all(len(v) == 1 for v in records(office).values())
    check_invariants(office.share, office.archive, office.root / "var" / "nasti.db")


@pytest.mark.parametrize("step", ["after_preflight", "after_inspect", "after_ocr", "before_copy", "after_copy",
                                  "after_record", "before_settle", "after_settle"])
def test_kill_minus_nine_at_a_named_step_resumes_to_one_final_state(office: Office, step: str) -> None:
    files = {"revenue/a.png": png("नस्ती 2201"), "legal/b.png": png("नस्ती 2202")}
    for source, data in files.items():
        hostile.write(office.share / source, data)
    script = office.root / "hooked.py"
    script.write_text(HOOKED, encoding="utf-8")
    log = office.root / "hooked.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, str(script), str(office.config), step], stdout=fh, stderr=fh,
                                cwd=office.root, start_new_session=True)
        code = proc.wait(timeout=300)
    try:   # the OCR workers of the killed watcher, like a power cut takes them too
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    assert code == -signal.SIGKILL, log.read_text()[-2000:]
    office.run("watch", "--once", timeout=300)
    by_source = records(office)
    assert set(by_source) == set(files) and all(len(v) == 1 for v in by_source.values())
    assert all(v[0]["status"] == "done" for v in by_source.values())
    check_invariants(office.share, office.archive, office.root / "var" / "nasti.db")
    assert not (office.archive / "_quarantine").exists(), "a crash's half-made files are known, not quarantined"


def test_recovery_quarantines_unreferenced_archive_files(office: Office) -> None:
    stray = office.archive / "revenue" / "99-lost.pdf"
    hostile.write(stray, b"%PDF-1.4 stray")
    office.run("watch", "--once", "--accept-archive-mismatch", timeout=120)  # else watch refuses (nasti.vault.guard)
    assert not stray.exists()
    [moved] = list((office.archive / "_quarantine").rglob("99-lost.pdf"))
    assert moved.read_bytes() == b"%PDF-1.4 stray" and moved.parts[-2] == "revenue"


def test_a_share_without_flock_locks_in_the_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some SMB/NFS mounts refuse flock (ENOLCK): the lock falls back to the archive, and still excludes."""
    import errno
    import fcntl

    from ingest.sharelock import ShareBusy, ShareLock

    share, archive = tmp_path / "share", tmp_path / "archive"
    share.mkdir()
    archive.mkdir()
    real = fcntl.flock

    def no_flock_on_share(fd: int, op: int) -> None:   # the mount's refusal, which a local disk cannot produce
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(share)):
            raise OSError(errno.ENOLCK, "No locks available")
        real(fd, op)

    monkeypatch.setattr(fcntl, "flock", no_flock_on_share)
    first = ShareLock(share, fallback=archive)
    first.acquire()
    assert first.path == archive / ".nasti-share.lock" and "pid" in first.holder()
    with pytest.raises(ShareBusy):
        ShareLock(share, fallback=archive).acquire()
    first.release()
    ShareLock(share, fallback=archive).acquire()
