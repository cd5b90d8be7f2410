"""Volume: 500 small files dropped at once while the watcher runs; a 300-page PDF with bounded memory."""
from __future__ import annotations

import io
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import img2pdf
from PIL import Image, ImageDraw

from nasti.samples import render_page
from nasti.samples.fonts import load_font
from tests.conftest import NASTI, Office, wait_for


def tiny_png(i: int) -> bytes:
    img = Image.new("L", (600, 160), 255)
    ImageDraw.Draw(img).text((30, 40), f"पत्र {i}", font=load_font("deva", 56), fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


def test_500_small_files_dropped_at_once(office: Office, tmp_path: Path) -> None:
    staging = tmp_path / "batch"
    staging.mkdir()
    for i in range(500):
        (staging / f"scan {i:03d}.png").write_bytes(tiny_png(i))
    proc = office.popen("watch")
    try:
        shutil.copytree(staging, office.share / "revenue")        # one burst of 500 create/write events

        def all_final() -> bool:
            rows = office.json("status")
            return sum(r["done"] + r["rejected"] + r["duplicate"] for r in rows) >= 500
        wait_for(all_final, timeout=900, every=3)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    docs = office.documents()
    assert len(docs) == 500 and len({d["source"] for d in docs}) == 500
    assert all(d["status"] == "done" for d in docs), [d for d in docs if d["status"] != "done"][:3]
    assert not any((office.share / "revenue").iterdir())


def test_300_page_pdf_is_read_page_by_page_with_bounded_memory(office: Office, tmp_path: Path) -> None:
    page = tmp_path / "page.png"
    lines = ["कार्यालय कलेक्टर, जिला राजगढ़", "नस्ती क्रमांक/2317/राज./2016", "विषय: पुराने अभिलेखों का डिजिटलीकरण",
             "नामांतरण प्रकरण की जानकारी"]
    render_page(lines).save(page, dpi=(300, 300))                 # an A4 page with a few lines, 300 times
    big = office.share / "record_room" / "पुरानी नस्ती 300 पृष्ठ.pdf"
    big.parent.mkdir()
    big.write_bytes(img2pdf.convert([str(page)] * 300))
    # run the watcher under a small wrapper that reports the largest resident set of any process it waited for
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)")
    r = subprocess.run([sys.executable, "-c", probe, NASTI, "--config", str(office.config), "watch", "--once"],
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-2000:]
    peak_mb = int(r.stdout.strip().splitlines()[-1]) / 1024
    [doc] = office.documents()
    assert doc["status"] == "done" and doc["pages"] == 300
    shown = office.json("show", str(doc["id"]))
    assert sum("2317" in p["text"] for p in shown["pages"]) >= 295
    assert peak_mb < 600, f"peak RSS {peak_mb:.0f} MB"   # the benchmark reports the number; this guards a leak
    print(f"300-page PDF: peak RSS of the largest process {peak_mb:.0f} MB")
