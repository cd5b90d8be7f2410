"""Sheets with a dark surround (ocr.frame): nasti with and without the surround painted, against bare tesseract.

    OMP_THREAD_LIMIT=1 nice -n 10 .venv/bin/python bench/frame_bench.py real --half even [--real DIR] [--table F.md]
    OMP_THREAD_LIMIT=1 nice -n 10 .venv/bin/python bench/frame_bench.py receipts --seeds 100-149 [--table F.md]
    OMP_THREAD_LIMIT=1 nice -n 10 .venv/bin/python bench/frame_bench.py all [--half even] [--seeds 100-149]
        [--baseline main] [--workers 2] [--table F.md]      (both corpora, and the plain crops, in one run)

`real`: each real crop of realscans-dev (`--half odd` is the tuning half, `even` the held-out one) is laid on a dark
surround three ways — `plain` (0.3-0.9 in of grey 20-110 all round, sensor noise), `tilt` (the same, turned ±2°),
`gutter` (the same, with a shadow darkening the last quarter of the width by up to 45 %), and with `--kinds`
`wood` or `cloth` (a dark textured surround, 0.3-0.9 in, sensor noise) — seeded by name, so every
run reads the same pixels. Per page: nasti's CER, nasti's CER with `ocr.page.unframed` switched off (the code before
the change), bare `tesseract -l Devanagari` on the framed file, and on the crop alone.
`receipts`: generated English receipts (bench/receipts_pages.py); bare is `-l eng` (the acceptance check's English
baseline) and `-l Devanagari`. A receipt's CER mostly measures tesseract's reading order across its columns, so the
order-free "bag" error (words of the truth not read, as a multiset) is given too.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
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

import ocr.frame  # noqa: E402
import ocr.page  # noqa: E402
from ocr.metrics import cer, normalise  # noqa: E402

REAL = Path("/work/shared/realscans-dev")
KINDS = ("plain", "tilt", "gutter")      # the default; `--kinds` may add "wood" and "cloth" (textured surrounds)


def texture(kind: str, h: int, w: int, seed: int) -> np.ndarray:
    """A dark textured surround: wood grain with dark late-wood lines, or a woven cloth."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    noise = rng.normal(0, 4, (h, w))
    if kind == "wood":
        phase = x * 0.06 + 4 * np.sin(y * 0.002) + 2 * np.sin(y * 0.0065)
        return 95 - 75 * (np.sin(phase) > 0.93) + 10 * np.sin(phase * 0.5) + noise
    return 80 - 45 * (np.sin(x * 0.35) * np.sin(y * 0.35) > 0.5) + 1.5 * noise


def framed(crop: Image.Image, kind: str, seed: int, dpi: int = 300) -> Image.Image:
    rng = random.Random(seed)
    pad = int(dpi * rng.uniform(0.3, 0.9))
    ground = rng.randint(20, 110)
    canvas = Image.new("L", (crop.width + 2 * pad, crop.height + 2 * pad), ground)
    if kind in ("wood", "cloth"):
        canvas = Image.fromarray(np.clip(texture(kind, canvas.height, canvas.width, seed), 0, 255).astype(np.uint8))
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


BASELINE = None      # ocr.frame as it is at --baseline, loaded in the parent before the workers fork


def load_baseline(ref: str) -> None:
    global BASELINE
    code = subprocess.run(["git", "-C", str(HERE.parent), "show", f"{ref}:ocr/frame.py"], check=True,
                          capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp(prefix="nasti-frame-base-")) / "frame_baseline.py"
    path.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("frame_baseline", path)
    assert spec is not None and spec.loader is not None
    BASELINE = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(BASELINE)


def variants() -> dict:
    """The page painters compared: this checkout's ocr.frame, the baseline's, and none."""
    assert BASELINE is not None
    return {"nasti": ocr.frame.unframed, "before": BASELINE.unframed, "off": lambda image, dpi: image}


def read_variants(path: Path) -> dict[str, ocr.page.PageResult]:
    """nasti's read of `path` with each painter; a painter that leaves the very pixels another one left is not
    read again."""
    keep, done, out = ocr.page.unframed, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        task = ocr.page.PageTask(source=path, kind="png" if path.suffix == ".png" else "jpeg", index=0,
                                 languages="Devanagari", dpi=300, timeout=180, max_pixels=10**9,
                                 layer=Path(tmp) / "l.pdf")
        image, dpi = ocr.page.load(task)
        image = ocr.page.positive(image, dpi)        # the page as ocr.page hands it to unframed
        try:
            for name, paint in variants().items():
                painted = paint(image, dpi)
                key = hashlib.sha1(painted.tobytes() + painted.mode.encode()).hexdigest()
                if key not in done:
                    ocr.page.unframed = paint
                    done[key] = ocr.page.process_page(task)
                out[name] = done[key]
        finally:
            ocr.page.unframed = keep
    return out


def real_row(job: tuple[str, str, str]) -> dict:
    crop_path, kind, out = Path(job[0]), job[1], Path(job[2])
    truth = crop_path.with_suffix(".gt.txt").read_text(encoding="utf-8")
    path = out / f"{crop_path.stem}-{kind}.png"
    framed(Image.open(crop_path).convert("L"), kind, zlib.crc32(f"{crop_path.stem}{kind}".encode())).save(
        path, dpi=(300, 300))
    got = read_variants(path)
    return {"page": path.name, "kind": kind, "nasti": cer(truth, got["nasti"].text),
            "before": cer(truth, got["before"].text), "off": cer(truth, got["off"].text),
            "bare": cer(truth, bare(path, "Devanagari")), "bare_alone": cer(truth, bare(crop_path, "Devanagari"))}


def plain_row(job: tuple[str, str, str]) -> dict:
    """A crop without a surround: does either version find one (its read would then change)?"""
    assert BASELINE is not None
    with Image.open(job[0]) as img:
        grey = img.convert("L")
    return {"page": Path(job[0]).name, "found": ocr.frame.surround(grey, 300) is not None,
            "found_before": BASELINE.surround(grey, 300) is not None}


def receipt_row(job: tuple[str, str, str]) -> dict:
    path = Path(job[0])
    truth = path.with_suffix(".gt.txt").read_text(encoding="utf-8")
    got = read_variants(path)
    eng, deva = bare(path, "eng"), bare(path, "Devanagari")
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return {"page": path.name, "kind": f"{meta['style']} {meta['capture']}", "nasti": cer(truth, got["nasti"].text),
            "before": cer(truth, got["before"].text), "off": cer(truth, got["off"].text), "bare": cer(truth, eng),
            "bare_deva": cer(truth, deva), "bag": bag(truth, got["nasti"].text),
            "bag_before": bag(truth, got["before"].text), "bag_off": bag(truth, got["off"].text),
            "bag_bare": bag(truth, eng)}


def table(rows: list[dict], title: str, bare_name: str) -> str:
    out = [f"### {title}", "", f"| set | pages | nasti | nasti before | unframed off | bare {bare_name} | worse than "
           "bare + 10 (now / before) | worse than bare + 2 (now / before) | better / worse than before by 2+ |",
           "|---|---|---|---|---|---|---|---|---|"]
    groups = sorted({r["kind"] for r in rows})
    for name, rs in [(g, [r for r in rows if r["kind"] == g]) for g in groups] + [("all", rows)]:
        out.append(
            f"| {name} | {len(rs)} | {statistics.mean(r['nasti'] for r in rs):.2f} | "
            f"{statistics.mean(r['before'] for r in rs):.2f} | {statistics.mean(r['off'] for r in rs):.2f} | "
            f"{statistics.mean(r['bare'] for r in rs):.2f} | "
            f"{sum(r['nasti'] > r['bare'] + 10 for r in rs)} / {sum(r['before'] > r['bare'] + 10 for r in rs)} | "
            f"{sum(r['nasti'] > r['bare'] + 2 for r in rs)} / {sum(r['before'] > r['bare'] + 2 for r in rs)} | "
            f"{sum(r['nasti'] < r['before'] - 2 for r in rs)} / {sum(r['nasti'] > r['before'] + 2 for r in rs)} |")
    if "bag" in rows[0]:
        out += ["", "Order-free word error (bag of words), all receipts: nasti "
                f"{statistics.mean(r['bag'] for r in rows):.2f}, "
                f"before {statistics.mean(r['bag_before'] for r in rows):.2f}, "
                f"off {statistics.mean(r['bag_off'] for r in rows):.2f}, "
                f"bare eng {statistics.mean(r['bag_bare'] for r in rows):.2f}; bare Devanagari CER "
                f"{statistics.mean(r['bare_deva'] for r in rows):.2f}."]
    else:
        out += ["", f"Bare `Devanagari` on the crops without a surround: "
                f"{statistics.mean(r['bare_alone'] for r in rows):.2f}."]
    return "\n".join(out) + "\n"


def receipt_jobs(seeds: str, work: Path) -> list[tuple[str, str, str]]:
    from receipts_pages import receipt, write
    lo, _, hi = seeds.partition("-")
    jobs = []
    for seed in range(int(lo), int(hi) + 1):
        img, truth, meta = receipt(seed)
        path = write(img, meta, work / f"r{seed:03d}")
        path.with_suffix(".gt.txt").write_text(truth, encoding="utf-8")
        path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
        jobs.append((str(path), "", ""))
    return jobs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", choices=["real", "receipts", "all"])
    ap.add_argument("--half", choices=["odd", "even"], default="even")
    ap.add_argument("--real", type=Path, default=REAL)
    ap.add_argument("--seeds", default="100-149")
    ap.add_argument("--baseline", default="main", help="git ref whose ocr/frame.py is the 'before' column")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--kinds", default=",".join(KINDS), help="plain,tilt,gutter,wood,cloth")
    ap.add_argument("--table", type=Path)
    args = ap.parse_args()
    load_baseline(args.baseline)
    work = Path(tempfile.mkdtemp(prefix="nasti-frame-"))
    crops = [p for p in sorted(args.real.glob("*.png"))
             if (int(p.stem.rsplit("-", 1)[-1]) % 2 == 1) == (args.half == "odd")]
    parts = []      # (title, bare model, run, jobs)
    if args.corpus in ("real", "all"):
        parts.append((f"Real crops on a dark surround, {args.half} half", "Devanagari", real_row,
                      [(str(p), k, str(work)) for p in crops for k in args.kinds.split(",")]))
    if args.corpus in ("receipts", "all"):
        parts.append((f"Generated receipts, seeds {args.seeds}", "eng", receipt_row, receipt_jobs(args.seeds, work)))
    text = ""
    with ProcessPoolExecutor(args.workers) as pool:
        plain = list(pool.map(plain_row, [(str(p), "", "") for p in crops]))
        text += (f"Plain crops of the {args.half} half without a surround ({len(plain)}): a surround found on "
                 f"{sum(r['found'] for r in plain)} (before: {sum(r['found_before'] for r in plain)}).\n\n")
        for title, bare_name, run, jobs in parts:
            rows = list(pool.map(run, jobs))
            for r in rows:
                print(json.dumps(r, ensure_ascii=False), flush=True)
            text += table(rows, title, bare_name) + "\n"
    print(text)
    if args.table:
        with args.table.open("a", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
