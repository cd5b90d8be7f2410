"""Negative pages (white print on black), run by hand (not a test): real crops worn, inverted, read by nasti's
default pipeline and by bare `tesseract -l Devanagari` on the same file, beside the positive page's reads.

    .venv/bin/python bench/negative_bench.py [--half even|odd|all] [--wear plain,dpi150,noise] [--workers 2]
        [--table bench/results/negative.md]

Odd-numbered crops were used while building ocr.negative; the even-numbered half is held out. One table row per
wear: mean CER of the negative read by nasti and by bare Devanagari, negatives read blank, the worst page against
bare, and the positive's nasti and bare reads (the negative should read as its positive).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
os.environ["OMP_THREAD_LIMIT"] = "1"

from PIL import Image, ImageOps
from real_tune import REAL, worn
from runners import bare_tesseract

from ocr.metrics import cer
from ocr.page import PageTask, process_page


def _one(args: tuple[str, str, str, str]) -> dict:
    png, wear, tmp, truth = args
    img = Image.open(png)
    img.load()
    dpi = round(float(img.info.get("dpi", (300, 300))[0]))
    image, dpi, _ = worn(img, dpi, wear, Path(png).stem)
    row: dict = {"name": Path(png).stem, "wear": wear}
    for side, page in (("pos", image), ("neg", ImageOps.invert(image.convert("L")))):
        path = Path(tmp) / f"{Path(png).stem}-{wear}-{side}.png"
        page.save(path, dpi=(dpi, dpi))
        r = process_page(PageTask(source=path, kind="png", index=0, languages="Devanagari", dpi=dpi, timeout=300,
                                  max_pixels=300_000_000, layer=path.with_suffix(".pdf")))
        row[f"{side}_nasti"] = cer(truth, r.text)
        row[f"{side}_blank"] = not r.text.strip()
        row[f"{side}_bare"] = cer(truth, bare_tesseract(path, "Devanagari", dpi)[0])
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--half", default="even", choices=("even", "odd", "all"))
    ap.add_argument("--wear", default="plain,dpi150,noise")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--table", type=Path, default=None)
    a = ap.parse_args()
    pngs = [p for p in sorted(REAL.glob("*.png")) if p.with_suffix(".gt.txt").exists()
            and (a.half == "all" or int(p.stem.rsplit("-", 1)[-1]) % 2 == (0 if a.half == "even" else 1))]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nasti-neg-") as tmp, ProcessPoolExecutor(a.workers) as ex:
        jobs = [(str(p), w, tmp, p.with_suffix(".gt.txt").read_text(encoding="utf-8")) for w in a.wear.split(",")
                for p in pngs]
        rows = list(ex.map(_one, jobs))
    lines = [f"{len(pngs)} crops ({a.half} half) × {len(a.wear.split(','))} wears, "
             f"{time.monotonic() - started:.0f} s, load {os.getloadavg()[0]:.1f}", "",
             "| wear | negative: nasti | negative: bare Devanagari | negatives read blank | worst negative vs bare "
             "| max abs(negative − positive), nasti | positive: nasti | positive: bare |",
             "|---|---|---|---|---|---|---|---|"]
    for wear in a.wear.split(","):
        rs = [r for r in rows if r["wear"] == wear]
        lines.append(f"| {wear} | {mean(r['neg_nasti'] for r in rs):.2f} | {mean(r['neg_bare'] for r in rs):.2f} "
                     f"| {sum(r['neg_blank'] for r in rs)} | {max(r['neg_nasti'] - r['neg_bare'] for r in rs):+.1f} "
                     f"| {max(abs(r['neg_nasti'] - r['pos_nasti']) for r in rs):.1f} "
                     f"| {mean(r['pos_nasti'] for r in rs):.2f} | {mean(r['pos_bare'] for r in rs):.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.table:
        with a.table.open("a", encoding="utf-8") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
