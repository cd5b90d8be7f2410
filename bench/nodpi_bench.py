"""Scans without a believable DPI: real crops resampled to 96-300 dpi and saved as PNG with no DPI (`dNNN`) or with
it written (`dNNNw`, the control), read by nasti and by bare tesseract on the same file (which estimates the
resolution itself when none is given). Writes bench/results/nodpi.md.

    bench/nodpi_bench.py --half even [--dpis 96,120,150,200,300] [--controls 96,150,300] [--workers 2]

The odd half of the crops tuned ocr.textsize.BODY_PITCH_INCHES; report on the even half.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["OMP_THREAD_LIMIT"] = "1"

from PIL import Image

from ocr.metrics import cer
from ocr.page import PageTask, process_page

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "realscans-dev"
WORK = Path("/tmp/nasti-nodpi")
OUT = Path(__file__).resolve().parent / "results" / "nodpi.md"


def variant(name: str, v: str) -> Path:
    """The crop resampled from its 300 dpi to NNN dpi (Lanczos), saved with no DPI, or with it for `dNNNw`."""
    dpi = int(v[1:].rstrip("w"))
    path = WORK / f"{name}-{v}.png"
    if not path.exists():
        image = Image.open(REAL / f"{name}.png").convert("L")
        if dpi != 300:
            image = image.resize((round(image.width * dpi / 300), round(image.height * dpi / 300)),
                                 Image.Resampling.LANCZOS)
        image.save(path, dpi=(dpi, dpi)) if v.endswith("w") else image.save(path)
    return path


def bare(path: Path, lang: str) -> str:
    return subprocess.run(["tesseract", str(path), "-", "-l", lang], capture_output=True, text=True,
                          timeout=600).stdout


def one(job: tuple[str, str]) -> dict:
    name, v = job
    path = variant(name, v)
    truth = (REAL / f"{name}.gt.txt").read_text(encoding="utf-8")
    started = time.process_time()
    r = process_page(PageTask(source=path, kind="png", index=0, languages="Devanagari", dpi=300, timeout=180,
                              max_pixels=200_000_000, layer=WORK / f"layer-{os.getpid()}.pdf"))
    return {"name": name, "v": v, "nasti": cer(truth, r.text), "Devanagari": cer(truth, bare(path, "Devanagari")),
            "hin": cer(truth, bare(path, "hin")), "turned": r.rotation != 0, "hand": r.handwritten,
            "empty": not r.text.strip(), "cpu": time.process_time() - started}


def table(rows: list[dict]) -> list[str]:
    by: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by[r["v"]].append(r)
    out = ["| variant | crops | nasti | bare Devanagari | bare hin | nasti / Devanagari | nasti / hin "
           "| > Devanagari + 10 | worst vs Devanagari | turned | handwritten | empty |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for v in sorted(by, key=lambda k: (k.endswith("w"), int(k[1:].rstrip("w")))):
        rs = by[v]
        n = len(rs)
        mean = {k: sum(r[k] for r in rs) / n for k in ("nasti", "Devanagari", "hin")}
        worst = max(rs, key=lambda r: r["nasti"] - r["Devanagari"])
        out.append(f"| {v} | {n} | {mean['nasti']:.2f} | {mean['Devanagari']:.2f} | {mean['hin']:.2f} "
                   f"| {mean['nasti'] / mean['Devanagari']:.3f} | {mean['nasti'] / mean['hin']:.3f} "
                   f"| {sum(r['nasti'] > r['Devanagari'] + 10 for r in rs)} "
                   f"| {worst['nasti'] - worst['Devanagari']:+.1f} ({worst['name']}) "
                   f"| {sum(r['turned'] for r in rs)} | {sum(r['hand'] for r in rs)} | {sum(r['empty'] for r in rs)} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--half", choices=("odd", "even", "all"), default="even")
    ap.add_argument("--dpis", default="96,120,150,200,300")
    ap.add_argument("--controls", default="96,150,300", help="DPIs also run with the DPI written")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    WORK.mkdir(exist_ok=True)
    names = sorted(p.stem for p in REAL.glob("*.png") if p.with_suffix(".gt.txt").exists())
    if args.half != "all":
        names = [n for n in names if int(n[-3:]) % 2 == (1 if args.half == "odd" else 0)]
    variants = [f"d{d}" for d in args.dpis.split(",") if d] + [f"d{d}w" for d in args.controls.split(",") if d]
    started = time.time()
    with Pool(args.workers) as pool:
        rows = pool.map(one, [(n, v) for n in names for v in variants])
    load = os.getloadavg()[0]
    lines = ["# Scans without a DPI", "",
             f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {time.time() - started:.0f} s, "
             f"{args.workers} workers, load {load:.1f} at the end. `bench/nodpi_bench.py --half {args.half}`: "
             f"{len(names)} real crops of realscans-dev ({args.half} half), each resampled from 300 dpi and saved as "
             "PNG with no DPI (`dNNN`) or with its DPI written (`dNNNw`, the control). nasti `process_page` "
             "(languages = Devanagari, fallback 300 dpi) against bare `tesseract FILE - -l L` on the same file. "
             "Mean page CER %.", "", *table(rows), "",
             f"CPU per page (nasti, whole page): {sum(r['cpu'] for r in rows) / max(1, len(rows)):.2f} s.", ""]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    (WORK / f"rows-{args.half}.json").write_text(json.dumps(rows), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
