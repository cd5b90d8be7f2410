"""Pages per minute, side by side in one run (issue #10): nasti on each resident engine, OCRmyPDF in two
arrangements, and the engine floor (bare `tesseract` CLI, one page per core) — the same upright pages, in one image
PDF (or, for the floor, the same pages as PNG files). Run by hand; writes bench/results/throughput.md.

    OMP_THREAD_LIMIT=1 .venv/bin/python bench/throughput_bench.py [--pages 16] [--seed 41] [--workers 2]
        [--engines wheel,system] [--rounds 2]

Each run is repeated `--rounds` times, alternating (nasti wheel, nasti system, OCRmyPDF …, floor), and the fastest
round of each is kept: load from other work only ever adds time. CER is the mean page CER of what each run gives
back (nasti: its page text; OCRmyPDF: pdftotext of its PDF; floor: the CLI's text).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import mean

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))
os.environ["OMP_THREAD_LIMIT"] = "1"

import img2pdf  # noqa: E402
from corpus import Doc, Page  # noqa: E402
from realistic_pages import synthetic  # noqa: E402
from runners import OCRMYPDF, bare_tesseract, run_nasti, run_ocrmypdf  # noqa: E402

from ocr.metrics import cer  # noqa: E402

RESULTS = HERE / "results" / "throughput.md"
ARRANGEMENTS = (("defaults", ()), ("--output-type pdf --optimize 0", ("--output-type", "pdf", "--optimize", "0")))


def nasti_once(pdf: Path, n: int, out: Path, workers: int) -> dict:
    """Runs in a child process (its own pool, started under this engine's NASTI_OCR_ENGINE)."""
    from ocr import tesseract
    doc = Doc(pdf, "pdf", [Page(f"{i:04d}", "", "upright", "") for i in range(n)])
    run = run_nasti([doc], out, languages="Devanagari", workers=workers)
    return {"wall": run.wall, "cpu": sum(m.cpu for m in run.pages[0]), "texts": [m.result.text for m in run.pages[0]],
            "models": [m.result.language for m in run.pages[0]], "engine": tesseract.engine()}


def nasti(engine: str, pdf: Path, n: int, out: Path, workers: int) -> dict:
    r = subprocess.run([sys.executable, __file__, "--child", str(pdf), str(n), str(out), str(workers)],
                       capture_output=True, text=True, env=os.environ | {"NASTI_OCR_ENGINE": engine}, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def floor(pngs: list[tuple[Path, int]], workers: int) -> dict:
    started = time.monotonic()
    with ThreadPoolExecutor(workers) as ex:
        got = list(ex.map(lambda p: bare_tesseract(p[0], "Devanagari", p[1]), pngs))
    return {"wall": time.monotonic() - started, "cpu": sum(c for _, c in got), "texts": [t for t, _ in got]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=16)
    ap.add_argument("--seed", type=int, default=41)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--engines", default="wheel,system")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--child", nargs=4)
    a = ap.parse_args()
    if a.child:
        pdf, n, out, workers = a.child
        print(json.dumps(nasti_once(Path(pdf), int(n), Path(out), int(workers)), ensure_ascii=False))
        return
    started, load0 = time.monotonic(), os.getloadavg()[0]
    pages = synthetic(a.pages, a.seed, a.workers)
    scratch = HERE / "out" / "throughput"
    scratch.mkdir(parents=True, exist_ok=True)
    pdf = scratch / "pages.pdf"
    pdf.write_bytes(img2pdf.convert([p.path for p in pages], rotation=img2pdf.Rotation.ifvalid))
    doc = Doc(pdf, "pdf", [Page(p.id, p.category, "upright", p.truth) for p in pages])
    runs: dict[str, list[dict]] = {}
    for _ in range(a.rounds):
        for engine in [e for e in a.engines.split(",") if e]:
            runs.setdefault(f"nasti (Devanagari, pool of {a.workers}, engine {engine})", []).append(
                nasti(engine, pdf, len(pages), scratch / f"nasti-{engine}", a.workers))
        if OCRMYPDF.exists():
            for name, extra in ARRANGEMENTS:
                run = run_ocrmypdf([doc], scratch / "ocrmypdf", "Devanagari", jobs=a.workers, extra=extra)
                runs.setdefault(f"ocrmypdf --jobs {a.workers} -l Devanagari {name}", []).append(
                    {"wall": run.wall, "cpu": run.cpu, "texts": run.texts[0]})
        runs.setdefault(f"engine floor: bare `tesseract -l Devanagari`, {a.workers} pages at a time", []).append(
            floor([(Path(p.path), p.dpi) for p in pages], a.workers))
    rows, best_ocrmypdf, best_nasti = [], None, None
    for name, tries in runs.items():
        fast = min(tries, key=lambda r: r["wall"])
        ppm = 60 * len(pages) / fast["wall"]
        score = mean(cer(p.truth, t) for p, t in zip(pages, fast["texts"], strict=True))
        rows.append(f"| {name} | {fast['wall']:.1f} | {ppm:.1f} | {fast['cpu'] / len(pages):.2f} | {score:.2f} |")
        if name.startswith("ocrmypdf"):
            best_ocrmypdf = ppm if best_ocrmypdf is None else max(best_ocrmypdf, ppm)
        if name.startswith("nasti"):
            best_nasti = ppm if best_nasti is None else max(best_nasti, ppm)
    engines = {r["engine"] for tries in runs.values() for r in tries if "engine" in r}
    text = (f"# Throughput: nasti vs OCRmyPDF vs the engine floor\n\n"
            f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {time.monotonic() - started:.0f} s; "
            f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, {a.workers} workers; load average "
            f"{load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end. Engines: {'; '.join(sorted(engines))}. "
            f"The fastest of {a.rounds} alternating rounds of each run.\n\n"
            f"{len(pages)} upright pages (nasti.samples.booklike seed {a.seed}) in one image PDF.\n\n"
            f"`{' '.join(sys.argv)}`\n\n"
            "| run | wall s | pages/min | CPU s per page | mean CER % |\n|---|---|---|---|---|\n" + "\n".join(rows))
    if best_ocrmypdf and best_nasti:
        text += f"\n\nnasti (faster engine) / OCRmyPDF's faster arrangement = **{best_nasti / best_ocrmypdf:.2f}×**" \
                " (target ≥ 2.5).\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
