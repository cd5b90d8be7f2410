"""Logs (one line per record off a terminal, ISO times in the office's zone, a rotating file, -v/-q), the progress
bar on a terminal (tmux), the end-of-run summary, and a missing share that is never created silently."""
from __future__ import annotations

import logging
import re
import shutil
import subprocess
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from nasti.logs import OneLineFormatter
from tests.conftest import NASTI, Office, write_config
from tests.terminal import window

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30 (DEBUG|INFO|WARNING|ERROR) ")


def _pdf(path: Path, pages: int) -> None:
    imgs = [Image.new("L", (1240, 1754), 255) for _ in range(pages)]
    for i, im in enumerate(imgs):
        ImageDraw.Draw(im).text((100, 100), f"F.No. {i + 1}/3/2021-Rev", fill=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    imgs[0].save(path, save_all=True, append_images=imgs[1:], resolution=150)


def test_a_traceback_is_one_record_on_one_line() -> None:
    try:
        raise ValueError("पृष्ठ 3 could not be read\nsecond line")
    except ValueError:
        import sys
        rec = logging.LogRecord("nasti.ingest", logging.ERROR, __file__, 1, "could not process %s", ("a.pdf",),
                                sys.exc_info())
    rec.created = 1_764_547_200.0  # 2025-12-01 00:00 UTC
    line = OneLineFormatter(ZoneInfo("Asia/Kolkata")).format(rec)
    assert "\n" not in line
    assert line.startswith("2025-12-01T05:30:00+05:30 ERROR nasti.ingest: could not process a.pdf ⏎ Traceback")
    assert "ValueError: पृष्ठ 3 could not be read ⏎ second line" in line


def test_watch_logs_every_outcome_with_its_time_to_stderr_and_a_rotating_file(office: Office) -> None:
    office.config.write_text(office.config.read_text() + '[log]\nfile = "log/nasti.log"\nmax_mb = 0.0005\n'
                             'backups = 3\n', encoding="utf-8")
    _pdf(office.share / "revenue" / "two pages.pdf", 2)
    (office.share / "revenue" / "empty.pdf").write_bytes(b"")
    r = office.run("watch", "--once", "-v")    # -v after the command works too
    lines = r.stderr.splitlines()
    assert lines and all(ISO.match(x) for x in lines), r.stderr  # never wrapped, never a bare continuation line
    assert any("INFO nasti.outcome: done revenue/two pages.pdf, 2 pages" in x for x in lines)
    assert any("INFO nasti.outcome: rejected revenue/empty.pdf — The file is empty" in x for x in lines)
    assert sum("DEBUG nasti.pages: revenue/two pages.pdf: page" in x for x in lines) == 2
    assert re.search(r"^summary: 2 files — 1 done, 1 rejected, 0 duplicate, \d need review, 0 failed; 2 pages in "
                     r"[\d.]+ s", r.stdout, re.M), r.stdout
    logs = sorted((office.root / "log").iterdir())
    assert [p.name for p in logs][:2] == ["nasti.log", "nasti.log.1"]  # rotated at 512 bytes
    text = "".join(p.read_text(encoding="utf-8") for p in logs)
    assert all(ISO.match(x) for x in text.splitlines())
    assert "summary: 2 files" in text

    (office.share / "revenue" / "empty2.pdf").write_bytes(b"")
    quiet = office.run("-q", "watch", "--once")
    assert quiet.stderr == "" and "1 rejected" in quiet.stdout


def test_office_timezone_sets_the_log_times(office: Office) -> None:
    office.config.write_text(office.config.read_text() + '[office]\ntimezone = "UTC"\n', encoding="utf-8")
    (office.share / "revenue").mkdir()
    (office.share / "revenue" / "empty.pdf").write_bytes(b"")
    r = office.run("watch", "--once")
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 INFO nasti.outcome: rejected", r.stderr, re.M)


def test_a_missing_share_is_an_error_not_an_empty_folder_watched_for_ever(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    office = Office(tmp_path, cfg)
    r = office.run("watch", "--once", check=False)
    assert r.returncode == 1
    assert "does not exist" in r.stderr and "mounted" in r.stderr and "साझा फ़ोल्डर" in r.stderr
    assert not office.share.exists()
    cfg.write_text(cfg.read_text().replace('path = "share"', 'path = "share"\nrequire_mount = true'))
    office.share.mkdir()
    r = office.run("watch", "--once", check=False)
    assert r.returncode == 1 and "not a mount point" in r.stderr
    shutil.rmtree(office.share)
    cfg.write_text(cfg.read_text().replace("require_mount = true", "create = true"))
    office.run("watch", "--once")
    assert office.share.is_dir()


def test_a_progress_bar_with_files_pages_rate_and_eta_on_a_terminal(office: Office) -> None:
    _pdf(office.share / "legal" / "long.pdf", 24)   # 8 pages read in 2.5 s on an idle machine: the bar came and went
    cmd = f"OMP_THREAD_LIMIT=1 {NASTI} --config {office.config} watch --once; sleep 60"
    with window("nasti-progress", cmd, 80, 20) as win:
        seen: list[str] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            screen = win.screen()
            seen.append(screen)
            if "summary:" in screen:
                break
            time.sleep(0.1)
    bars = [s for s in seen if re.search(r"pages\s+━.*\d+/24 .*/min .*ETA", s)]
    assert bars, seen[-1]
    assert any(re.search(r"files\s+━.*0/1 ", s) for s in bars)
    assert "summary: 1 files — 1 done" in seen[-1]
    assert "━" not in seen[-1]  # the bar is gone when the run ends


def test_the_dashboard_logs_through_the_same_one_line_records(office: Office) -> None:
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = office.popen("serve", "--port", str(port))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as resp:
                    assert resp.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.3)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=60)
    lines = err.splitlines()
    assert lines and all(ISO.match(x) for x in lines), err
    assert any('INFO uvicorn.access: 127.0.0.1' in x and '"GET /login HTTP/1.1" 200' in x for x in lines)


def test_under_journald_each_record_carries_its_syslog_priority(office: Office) -> None:
    import os

    (office.share / "revenue").mkdir()
    (office.share / "revenue" / "empty.pdf").write_bytes(b"")
    office.config.write_text(office.config.read_text().replace('path = "share"', 'path = "share"\ncreate = true'))
    read, write = os.pipe()
    st = os.fstat(write)
    env = {**os.environ, "JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}
    r = subprocess.run([NASTI, "--config", str(office.config), "watch", "--once"], stdout=subprocess.PIPE,
                       stderr=write, env=env, cwd=office.root, timeout=300)
    os.close(write)
    with os.fdopen(read, encoding="utf-8") as fh:
        err = fh.read()
    assert r.returncode == 0, err
    lines = err.splitlines()
    assert lines and all(re.match(r"^<[2-7]>\d{4}-\d\d-\d\dT", x) for x in lines), err
    assert any(x.startswith("<6>") and "nasti.outcome: rejected revenue/empty.pdf" in x for x in lines)


def test_a_log_file_that_cannot_be_opened_is_named_and_the_command_still_runs(tmp_path: Path) -> None:
    """[log] file in a folder that cannot be made (here: under a plain file), or a folder itself: a branch head's
    `nasti status` still answers; the warning names the file and the key. (`nasti doctor` fails on it, exit 6.)"""
    (tmp_path / "plain").write_text("x")
    for bad in (tmp_path / "plain" / "nasti.log", tmp_path):
        cfg = write_config(tmp_path, f'[log]\nfile = "{bad}"\n')
        r = subprocess.run([NASTI, "--config", str(cfg), "status", "--json"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("[")
        assert "[log] file" in r.stderr and str(bad) in r.stderr and "Errno" not in r.stderr, r.stderr
        assert len([line for line in r.stderr.splitlines() if "[log] file" in line]) == 1


def test_an_archive_nasti_cannot_write_stops_the_run_before_any_ocr(office: Office) -> None:
    """An [archive] path that cannot be made is named at start (exit 1), before a single page is read; the scan
    stays in the share and no document is left half-done."""
    (office.root / "var").mkdir(exist_ok=True)
    (office.root / "var" / "archive").write_text("not a folder")
    _pdf(office.share / "revenue" / "a.pdf", 1)
    r = office.run("watch", "--once", check=False)
    assert r.returncode == 1, r.stderr
    assert "[archive] path" in r.stderr and "Errno" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert (office.share / "revenue" / "a.pdf").exists()
    assert office.documents() == []

