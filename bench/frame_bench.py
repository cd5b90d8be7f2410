"""Sheets with a dark surround (ocr.frame): nasti with and without the surround painted, against bare tesseract.

    OMP_THREAD_LIMIT=1 nice -n 10 .venv/bin/python bench/frame_bench.py real --half even [--real DIR] [--table F.md]
    OMP_THREAD_LIMIT=1 nice -n 10 .venv/bin/python bench/frame_bench.py receipts --seeds 100-149 [--table F.md]

`real`: each real crop of realscans-dev (`--half odd` is the tuning half, `even` the held-out one) is laid on a dark
surround three ways — `plain` (0.3-0.9 in of grey 20-110 all round, sensor noise), `tilt` (the same, turned ±2°),
`gutter` (the same, with a shadow darkening the last quarter of the width by up to 45 %) — seeded by name, so every
run reads the same pixels. Per page: nasti's CER, nasti's CER with `ocr.page.unframed` switched off (the code before
the change), bare `tesseract -l Devanagari` on the framed file, and on the crop alone.
`receipts`: generated English receipts (bench/receipts_pages.py); bare is `-l eng` (the acceptance check's English
baseline) and `-l Devanagari`. A receipt's CER mostly measures tesseract's reading order across its columns, so the
order-free "bag" error (words of the truth not read, as a multiset) is given too.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import unicodedata
import zlib
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import ocr.page  # noqa: E402
from ocr.metrics import cer, normalise  # noqa: E402

REAL = Path("/work/shared/realscans-dev")
KINDS = ("plain", "tilt", "gutter")


def framed(crop: Image.Image, kind: str, seed: int, dpi: int = 300) -> Image.Image:
    rng = random.Random(seed)
    pad = int(dpi * rng.uniform(0.3, 0.9))
    ground = rng.randint(20, 110)
    canvas = Image.new("L", (crop.width + 2 * pad, crop.height + 2 * pad), ground)
    canvas.paste(crop, (pad, pad))
    if kind == "tilt":
        canvas = canvas.rotate(rng.uniform(-2, 2), resample=Image.Resampling.BILINEAR, fillcolor=ground)
    a = np.asarray(canvas, dtype=np.float32)
    if kind == "gutter":
        x = np.linspace(0, 1, a.shape[1])[None, :]
        a = a * (1 - 0.45 * np.clip((x - 0.75) / 0.25, 0, 1))
    a = a + np.random.default_rng(seed).normal(0, rng.uniform(1, 6), a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), mode="L")


def bare(path: Path, lang: str) -> str:
    r = subprocess.run(["tesseract", str(path), "stdout", "-l", lang], capture_output=True,
                       env=os.environ | {"OMP_THREAD_LIMIT": "1"})
    return unicodedata.normalize("NFC", r.stdout.decode("utf-8", "replace"))


def bag(truth: str, text: str) -> float:
    want, got = Counter(normalise(truth).split()), Counter(normalise(text).split())
    return 100 * (1 - sum((want & got).values()) / max(1, sum(want.values())))


def nasti(path: Path, *, painted: bool) -> ocr.page.PageResult:
    keep = ocr.page.unframed
    if not painted:
        ocr.page.unframed = lambda image, dpi: image
    try:
        with tempfile.TemporaryDirectory() as tmp:
            kind = "png" if path.suffix == ".png" else "jpeg"
            return ocr.page.process_page(ocr.page.PageTask(
                source=path, kind=kind, index=0, languages="Devanagari", dpi=300, timeout=180,
                max_pixels=10**9, layer=Path(tmp) / "l.pdf"))
    finally:
        ocr.page.unframed = keep


def real_row(job: tuple[str, str, str]) -> dict:
    crop_path, kind, out = Path(job[0]), job[1], Path(job[2])
    truth = crop_path.with_suffix(".gt.txt").read_text(encoding="utf-8")
    path = out / f"{crop_path.stem}-{kind}.png"
    framed(Image.open(crop_path).convert("L"), kind, zlib.crc32(f"{crop_path.stem}{kind}".encode())).save(
        path, dpi=(300, 300))
    now, before = nasti(path, painted=True), nasti(path, painted=False)
    return {"page": path.name, "kind": kind, "nasti": cer(truth, now.text), "before": cer(truth, before.text),
            "bare": cer(truth, bare(path, "Devanagari")), "bare_alone": cer(truth, bare(crop_path, "Devanagari"))}


def receipt_row(job: tuple[str, str, str]) -> dict:
    path = Path(job[0])
    truth = path.with_suffix(".gt.txt").read_text(encoding="utf-8")
    now, before = nasti(path, painted=True), nasti(path, painted=False)
    eng, deva = bare(path, "eng"), bare(path, "Devanagari")
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return {"page": path.name, "kind": f"{meta['style']} {meta['capture']}", "nasti": cer(truth, now.text),
            "before": cer(truth, before.text), "bare": cer(truth, eng), "bare_deva": cer(truth, deva),
            "bag": bag(truth, now.text), "bag_before": bag(truth, before.text), "bag_bare": bag(truth, eng)}


def table(rows: list[dict], title: str, bare_name: str) -> str:
    out = [f"### {title}", "", f"| set | pages | nasti | nasti before | bare {bare_name} | worse than bare + 10 "
           "(now / before) | worse than bare + 2 (now / before) |", "|---|---|---|---|---|---|---|"]
    groups = sorted({r["kind"] for r in rows})
    for name, rs in [(g, [r for r in rows if r["kind"] == g]) for g in groups] + [("all", rows)]:
        out.append(
            f"| {name} | {len(rs)} | {statistics.mean(r['nasti'] for r in rs):.2f} | "
            f"{statistics.mean(r['before'] for r in rs):.2f} | {statistics.mean(r['bare'] for r in rs):.2f} | "
            f"{sum(r['nasti'] > r['bare'] + 10 for r in rs)} / {sum(r['before'] > r['bare'] + 10 for r in rs)} | "
            f"{sum(r['nasti'] > r['bare'] + 2 for r in rs)} / {sum(r['before'] > r['bare'] + 2 for r in rs)} |")
    if "bag" in rows[0]:
        out += ["", "Order-free word error (bag of words), all receipts: nasti "
                f"{statistics.mean(r['bag'] for r in rows):.2f}, "
                f"before {statistics.mean(r['bag_before'] for r in rows):.2f}, "
                f"bare eng {statistics.mean(r['bag_bare'] for r in rows):.2f}; bare Devanagari CER "
                f"{statistics.mean(r['bare_deva'] for r in rows):.2f}."]
    else:
        out += ["", f"Bare `Devanagari` on the crops without a surround: "
                f"{statistics.mean(r['bare_alone'] for r in rows):.2f}."]
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", choices=["real", "receipts"])
    ap.add_argument("--half", choices=["odd", "even"], default="even")
    ap.add_argument("--real", type=Path, default=REAL)
    ap.add_argument("--seeds", default="100-149")
    ap.add_argument("--table", type=Path)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nasti-frame-"))
    if args.corpus == "real":
        crops = [p for p in sorted(args.real.glob("*.png"))
                 if (int(p.stem.rsplit("-", 1)[-1]) % 2 == 1) == (args.half == "odd")]
        jobs, run, title = [(str(p), k, str(work)) for p in crops for k in KINDS], real_row, \
            f"Real crops on a dark surround, {args.half} half"
    else:
        from receipts_pages import receipt, write
        lo, _, hi = args.seeds.partition("-")
        jobs = []
        for seed in range(int(lo), int(hi) + 1):
            img, truth, meta = receipt(seed)
            path = write(img, meta, work / f"r{seed:03d}")
            path.with_suffix(".gt.txt").write_text(truth, encoding="utf-8")
            path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
            jobs.append((str(path), "", ""))
        run, title = receipt_row, f"Generated receipts, seeds {args.seeds}"
    with ProcessPoolExecutor(2) as pool:
        rows = list(pool.map(run, jobs))
    for r in rows:
        print(json.dumps(r, ensure_ascii=False))
    text = table(rows, title, "eng" if args.corpus == "receipts" else "Devanagari")
    print(text)
    if args.table:
        with args.table.open("a", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
