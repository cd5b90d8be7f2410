"""Turned twins, run by hand (not a test): every page read by nasti's default pipeline in its four quarter turns;
does each correctly turned page give exactly the text of its upright twin, and how far apart are their CERs?

    .venv/bin/python bench/twins_check.py [--real DIR] [--half odd|even|all] [--generated N] [--workers 2]

Real pages: DIR/*.png with NAME.gt.txt beside them (turned losslessly by transposes); generated: booklike sheets
(nasti.samples.booklike, seed 7). Prints a summary: twins identical, twins more than 2 CER points apart, wrong turns.
No per-page CER of a held-out page is printed (only the names of twins that differ, with their CER gap).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["OMP_THREAD_LIMIT"] = "1"

from PIL import Image

from nasti.samples.booklike import sheet
from ocr.metrics import cer
from ocr.page import PageTask, process_page

TURNS = (0, 90, 180, 270)


def _job(args: tuple[str, str, int, str, int, str]) -> dict:
    name, path, dpi, truth, turn, tmp = args
    r = process_page(PageTask(source=Path(path), kind="png", index=0, languages="Devanagari", dpi=dpi, timeout=300,
                              max_pixels=300_000_000, layer=Path(tmp) / f"{name}-{turn}.pdf"))
    return {"name": name, "turn": turn, "rotation": r.rotation, "text": r.text, "cer": cer(truth, r.text),
            "turned_by": r.turned_by}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--real", type=Path, default=None)
    ap.add_argument("--half", default="all", choices=("even", "odd", "all"))
    ap.add_argument("--generated", type=int, default=0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    pages: list[tuple[str, Image.Image, int, str]] = []
    if a.real:
        for png in sorted(a.real.glob("*.png")):
            gt = png.with_suffix(".gt.txt")
            number = int(png.stem.rsplit("-", 1)[-1])
            if not gt.exists() or (a.half != "all" and number % 2 != (0 if a.half == "even" else 1)):
                continue
            pages.append((png.stem, Image.open(png).convert("L"), 300, gt.read_text(encoding="utf-8")))
    for k in range(a.generated):
        s = sheet(k, a.seed)
        pages.append((f"gen{a.seed}-{k:03d}", s.image.convert("L"), s.dpi, s.truth))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nasti-twins-") as tmp:
        jobs = []
        for name, image, dpi, truth in pages:
            for turn in TURNS:
                path = Path(tmp) / f"{name}-{turn}.png"
                image.rotate(turn, expand=True).save(path, dpi=(dpi, dpi))   # multiples of 90: a transpose
                jobs.append((name, str(path), dpi, truth, turn, tmp))
        with ProcessPoolExecutor(a.workers) as ex:
            got = list(ex.map(_job, jobs))
    up = {g["name"]: g for g in got if g["turn"] == 0}
    turned = [g for g in got if g["turn"]]
    wrong = [f"{g['name']}@{g['turn']}" for g in got if g["rotation"] != g["turn"]]
    right = [g for g in turned if g["rotation"] == g["turn"]]
    same = sum(g["text"] == up[g["name"]]["text"] for g in right)
    far = [(round(abs(g["cer"] - up[g["name"]]["cer"]), 1), f"{g['name']}@{g['turn']}") for g in turned
           if abs(g["cer"] - up[g["name"]]["cer"]) > 2]
    differ = [f"{g['name']}@{g['turn']}" for g in right if g["text"] != up[g["name"]]["text"]]
    print(f"{len(pages)} pages × 4 turns, {time.monotonic() - started:.0f} s, load {os.getloadavg()[0]:.1f}")
    print(f"wrong turns: {len(wrong)} of {len(got)} {wrong}")
    print(f"correctly turned pages with exactly their upright twin's text: {same} of {len(right)}; differ: {differ}")
    print(f"turned pages > 2 CER points from their upright twin: {len(far)} of {len(turned)} {sorted(far)}")


if __name__ == "__main__":
    main()
