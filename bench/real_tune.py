"""Where nasti's default read of real scans differs from bare `tesseract -l Devanagari`, page by page (run by hand).

    .venv/bin/python bench/real_tune.py --half odd  [--variants raw3,flat3,raw6,...] [--real DIR]

Only the odd-numbered pages (the tuning half) are for tuning; the even-numbered ones are held out and only reported
(bench/results/realscans.md). Per page: bare `-l Devanagari` and `-l hin` (the CLI on the page as scanned), nasti's
page pipeline with the default `languages = "Devanagari"`, and single reads of the page prepared in different ways by
the resident engine (variants), each with its CER, mean confidence and what nasti decided. Writes JSON to --out.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
os.environ["OMP_THREAD_LIMIT"] = "1"

from PIL import Image
from runners import bare_tesseract

from ocr import level, tsv
from ocr.metrics import cer
from ocr.page import PageTask, _sure, process_page
from ocr.probe import probe

REAL = Path("/work/shared/realscans-dev")


def pages(folder: Path, half: str) -> list[Path]:
    out = []
    for p in sorted(folder.glob("*.png")):
        if not p.with_suffix(".gt.txt").exists():
            continue
        number = int(p.stem.rsplit("-", 1)[-1])
        if (number % 2 == 1) == (half == "odd"):
            out.append(p)
    return out


def _cpu() -> float:
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


# name: (prepare the page, factor it was enlarged by, tesseract program arguments)
VARIANTS: dict[str, tuple[str, float, list[str]]] = {
    "raw3": ("raw", 1, []),
    "flat3": ("flat", 1, []),
    "raw6": ("raw", 1, ["--psm", "6"]),
    "raw4": ("raw", 1, ["--psm", "4"]),
    "th1": ("raw", 1, ["-c", "thresholding_method=1"]),
    "th2": ("raw", 1, ["-c", "thresholding_method=2"]),
    "up2": ("raw", 2, []),
    "up15": ("raw", 1.5, []),
    "flatup2": ("flat", 2, []),
    "hin": ("raw", 1, ["-l", "hin"]),
    "Dhin": ("raw", 1, ["-l", "Devanagari+hin"]),
    "hinD": ("raw", 1, ["-l", "hin+Devanagari"]),
    "hinup2": ("raw", 2, ["-l", "hin"]),
    "inv0": ("raw", 1, ["-c", "tessedit_do_invert=0"]),
    "Dhin_flat": ("flat", 1, ["-l", "Devanagari+hin"]),
    "Dhin_th1": ("raw", 1, ["-l", "Devanagari+hin", "-c", "thresholding_method=1"]),
    "Dhin_up2": ("raw", 2, ["-l", "Devanagari+hin"]),
}


def _variant(name: str, img: Image.Image, dpi: int, tmp: Path) -> tuple[str, str]:
    """One read by the `tesseract` program of the page prepared as VARIANTS[name] says: (text, TSV)."""
    prep, factor, args = VARIANTS[name]
    image = img.convert("L")
    if prep == "flat":
        image = level.flatten(image, dpi)
    if factor != 1:
        image = image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.BICUBIC)
    src = tmp / f"{name}.png"
    image.save(src, dpi=(dpi * factor, dpi * factor))
    lang = args[args.index("-l") + 1] if "-l" in args else "Devanagari"
    rest = [a for k, a in enumerate(args) if a != "-l" and (k == 0 or args[k - 1] != "-l")]
    out = tmp / name
    subprocess.run(["tesseract", str(src), str(out), "-l", lang, "--dpi", str(round(dpi * factor)), *rest,
                    "txt", "tsv"], capture_output=True, check=True, env=os.environ | {"OMP_THREAD_LIMIT": "1"})
    return (unicodedata.normalize("NFC", out.with_suffix(".txt").read_text(encoding="utf-8")),
            unicodedata.normalize("NFC", out.with_suffix(".tsv").read_text(encoding="utf-8")))


def _overrides() -> None:
    """NASTI_TUNE="NAME=VALUE,..." sets ocr.page's module constants in this worker (tuning half only)."""
    import ocr.page
    for item in filter(None, os.environ.get("NASTI_TUNE", "").split(",")):
        name, value = item.split("=")
        setattr(ocr.page, name, type(getattr(ocr.page, name))(value))


def one(path: Path, variants: list[str]) -> dict:
    _overrides()
    truth = unicodedata.normalize("NFC", path.with_suffix(".gt.txt").read_text(encoding="utf-8"))
    img = Image.open(path)
    img.load()
    dpi = round(float(img.info.get("dpi", (300, 300))[0]))
    row: dict = {"page": path.stem}
    for lang in ("Devanagari", "hin"):
        text, cpu = bare_tesseract(path, lang, dpi)
        row[f"bare {lang}"] = {"cer": cer(truth, text), "cpu": cpu}
    with tempfile.TemporaryDirectory() as tmp:
        task = PageTask(source=path, kind="png", index=0, languages="Devanagari", dpi=300, timeout=300,
                        max_pixels=10**9, layer=Path(tmp) / "l.pdf")
        process_page(task)   # warm the resident engine (a worker keeps it loaded)
        before = _cpu()
        got = process_page(task)
        cpu = _cpu() - before
    row["nasti"] = {"cer": cer(truth, got.text), "cpu": cpu, "conf": got.confidence, "lang": got.language,
                    "turned_by": got.turned_by, "margin": got.turn_margin, "rotation": got.rotation,
                    "skew": got.skew, "sure": _sure(probe(img.convert("L"), dpi))}
    with tempfile.TemporaryDirectory() as tmp:
        for v in variants:
            text, table = _variant(v, img, dpi, Path(tmp))
            read = tsv.read(table)
            row[v] = {"cer": cer(truth, text), "cer_tsv": cer(truth, read.text), "conf": read.confidence,
                      "cpu": 0.0, "tsv": table}
    row["truth"] = truth
    return row


def _paired_page(path: Path, repeats: int = 2) -> dict:
    """In one worker, back to back, alternating the order: nasti's whole page (its engines warmed), bare
    `tesseract -l Devanagari` and bare `tesseract` with the model(s) nasti's kept read used, on the page as scanned;
    the minimum CPU of `repeats` runs of each (load from elsewhere only adds CPU)."""
    _overrides()
    img = Image.open(path)
    dpi = round(float(img.info.get("dpi", (300, 300))[0]))
    with tempfile.TemporaryDirectory() as tmp:
        task = PageTask(source=path, kind="png", index=0, languages="Devanagari", dpi=300, timeout=300,
                        max_pixels=10**9, layer=Path(tmp) / "l.pdf")
        kept = process_page(task).language or "Devanagari"   # warms the resident engines
        ours: list[float] = []
        bare: dict[str, list[float]] = {"Devanagari": [], "kept": []}
        for r in range(repeats):
            steps = ["nasti", "Devanagari", "kept"]
            for step in steps if r % 2 == 0 else steps[::-1]:
                if step == "nasti":
                    before = _cpu()
                    process_page(task)
                    ours.append(_cpu() - before)
                else:
                    bare[step].append(bare_tesseract(path, "Devanagari" if step == "Devanagari" else kept, dpi)[1])
    return {"page": path.stem, "kept": kept, "nasti": min(ours), "Devanagari": min(bare["Devanagari"]),
            "bare kept": min(bare["kept"])}


def paired(todo: list[Path], workers: int) -> None:
    """CPU of nasti's whole page against bare `tesseract -l Devanagari` and against bare `tesseract` with the model(s)
    of nasti's kept read, per page, paired (see _paired_page)."""
    with ProcessPoolExecutor(workers) as ex:
        rows = list(ex.map(_paired_page, todo))
    n = len(rows)
    ours, deva, kept = (sum(r[k] for r in rows) for k in ("nasti", "Devanagari", "bare kept"))
    models = ", ".join(f"{m} ×{sum(r['kept'] == m for r in rows)}" for m in sorted({r["kept"] for r in rows}))
    print(f"{n} pages, load {os.getloadavg()[0]:.1f}: nasti {ours / n:.3f} s per page; bare -l Devanagari "
          f"{deva / n:.3f} s → {ours / deva:.3f}×; bare with nasti's kept model(s) ({models}) {kept / n:.3f} s → "
          f"{ours / kept:.3f}× (resident engine: {tesseract_engine()})")


def tesseract_engine() -> str:
    from ocr import tesseract
    return tesseract.engine()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--half", choices=["odd", "even"], default="odd")
    ap.add_argument("--real", type=Path, default=REAL)
    ap.add_argument("--variants", default="raw3,flat3")
    ap.add_argument("--out", type=Path, default=Path("/tmp/ocr3/tune.json"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cpu", action="store_true",
                    help="only CPU: nasti's page and bare `-l Devanagari`, paired")
    ap.add_argument("--summary", action="store_true", help="means only (the held-out half: no page is looked at)")
    a = ap.parse_args()
    variants = [v for v in a.variants.split(",") if v]
    todo = pages(a.real, a.half)
    if a.cpu:
        paired(todo, a.workers)
        return
    with ProcessPoolExecutor(a.workers) as ex:
        rows = list(ex.map(one, todo, [variants] * len(todo)))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(rows, indent=1))
    keys = ["bare Devanagari", "bare hin", "nasti", *variants]
    print(f"{len(rows)} pages ({a.half} half)")
    for k in keys:
        print(f"{k:16s} CER {mean(r[k]['cer'] for r in rows):6.2f}  CPU {mean(r[k]['cpu'] for r in rows):.3f}")
    verified = sum(r["nasti"]["turned_by"] == "reread" for r in rows)
    print(f"verified {verified}/{len(rows)} = {100 * verified / len(rows):.0f} %")
    if a.summary:
        return
    print("\nper page (nasti − bare Devanagari, worst first):")
    for r in sorted(rows, key=lambda r: r["bare Devanagari"]["cer"] - r["nasti"]["cer"]):
        n = r["nasti"]
        extra = " ".join(f"{v}={r[v]['cer']:.1f}/{r[v]['conf']}" for v in variants)
        print(f"{r['page']} bareD {r['bare Devanagari']['cer']:5.1f} hin {r['bare hin']['cer']:5.1f} nasti "
              f"{n['cer']:5.1f} ({n['cer'] - r['bare Devanagari']['cer']:+5.1f}) conf {n['conf']} {n['turned_by']} "
              f"sure {n['sure']} rot {n['rotation']} skew {n['skew']} lang {n['lang']} | {extra}")


if __name__ == "__main__":
    main()
