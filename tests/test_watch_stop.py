"""Stopping `nasti watch`: a first Ctrl+C lets the documents in flight finish; a second stops at once, and the
document it interrupted is still in the share and is read at the next start."""
from __future__ import annotations

import signal
import time
from pathlib import Path

from PIL import Image, ImageDraw

from nasti.samples.fonts import font_roles, load_font
from tests.conftest import Office, wait_for


def _long_pdf(office: Office, pages: int = 16) -> None:
    font = load_font(font_roles("hi")[0], 40)
    sheets = []
    for i in range(pages):
        img = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(img)
        for line in range(40):
            draw.text((200, 200 + 80 * line), f"राजस्व शाखा आदेश क्रमांक {i}/{line} दिनांक 12/03/2016", font=font,
                      fill=0)
        sheets.append(img)
    (office.share / "revenue").mkdir(parents=True, exist_ok=True)
    sheets[0].save(office.share / "revenue" / "लंबी नस्ती.pdf", save_all=True, append_images=sheets[1:],
                   resolution=300)


def test_a_second_ctrl_c_stops_at_once_and_nothing_is_lost(office: Office) -> None:
    _long_pdf(office)
    proc = office.popen("watch")
    try:
        wait_for(lambda: any(d["status"] == "processing" for d in office.documents()), timeout=120)
        proc.send_signal(signal.SIGINT)
        time.sleep(1)
        assert proc.poll() is None            # the first only asks: the document in flight may finish
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)   # returns once every worker (they hold its stderr) is gone too
        assert time.monotonic() - started < 15
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 128 + signal.SIGINT, err
    assert "again" in err                     # the first said how to stop at once
    assert (office.share / "revenue" / "लंबी नस्ती.pdf").exists()   # the original is untouched in the share
    office.run("watch", "--once")
    docs = office.documents()
    assert [d["status"] for d in docs] == ["done"] and docs[0]["pages"] == 16


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_ocr_workers_end_with_a_killed_watcher(office: Office) -> None:
    """kill -9 (the OOM killer, a power-cut of the service): the OCR workers are children of a fork server, not of
    the watcher, and lived on idle with their models loaded; now they and the fork server end with it."""
    _long_pdf(office, 10)
    proc = office.popen("watch")
    try:
        wait_for(lambda: any(d["status"] == "processing" for d in office.documents()), timeout=120)
        workers: list[int] = []

        def started() -> bool:   # the pool starts its workers as pages are handed to it, after `processing`
            workers[:] = [w for s in _children(proc.pid) for w in _children(s)]
            return bool(workers)

        wait_for(started, timeout=60)
        servers = _children(proc.pid)
        proc.kill()
        proc.communicate(timeout=60)
        wait_for(lambda: not any(_alive(p) for p in servers + workers), timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    office.run("watch", "--once")   # the document the kill interrupted is read at the next start
    assert [d["status"] for d in office.documents()] == ["done"]
