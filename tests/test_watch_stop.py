"""Stopping `nasti watch`: a first Ctrl+C lets the documents in flight finish; a second stops at once, and the
document it interrupted is still in the share and is read at the next start."""
from __future__ import annotations

import signal
import time

from PIL import Image, ImageDraw

from nasti.samples.fonts import font_roles, load_font
from tests.conftest import Office, wait_for


def _long_pdf(office: Office, pages: int = 40) -> None:
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
    assert [d["status"] for d in docs] == ["done"] and docs[0]["pages"] == 40
