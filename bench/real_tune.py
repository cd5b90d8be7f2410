"""Where nasti's default read of real scans differs from bare `tesseract -l Devanagari`, page by page (run by hand).

    .venv/bin/python bench/real_tune.py --half odd  [--variants raw3,flat3,raw6,...] [--real DIR]
    .venv/bin/python bench/real_tune.py --half odd --degrade plain,blur0.8,blur1.2,blur1.6,noise,jpg30,bitonal,dpi200

`--degrade`: each page is also worn in each of the named ways (DEGRADE; seeded by page and wear, the same pixels in
every run) and written as the file nasti and bare tesseract both read (with its DPI); one row per page and wear,
nasti read once (its engines warmed once per worker), and a table per wear (`--table FILE.md` appends it).
Soft pages are sharpened only with `NASTI_TUNE=level.SHARPEN=1` (ocr.level: off by default, bench/results/blur.md).

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

import hashlib

import numpy as np
from PIL import Image, ImageFilter
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
        if half == "all" or (number % 2 == 1) == (half == "odd"):
            out.append(p)
    return out


def generated(seeds: list[int], folder: Path, count: int = 10) -> Path:
    """Booklike sheets 0..count-1 of each seed (nasti.samples.booklike; English letters left out: this is about
    Devanagari) as FOLDER/s{seed}-{index}.png (with their DPI) and .gt.txt."""
    from nasti.samples.booklike import sheet
    folder.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        for index in range(count):
            path = folder / f"s{seed}-{index:03d}.png"
            if path.exists():
                continue
            page = sheet(index, seed)
            if page.lang == "en":
                continue
            page.image.save(path, dpi=(page.dpi, page.dpi))
            path.with_suffix(".gt.txt").write_text(page.truth, encoding="utf-8")
    return folder


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
    "Dhin_th2": ("raw", 1, ["-l", "Devanagari+hin", "-c", "thresholding_method=2"]),
    "sharp": ("sharp", 1, []),
    "Dhin_sharp": ("sharp", 1, ["-l", "Devanagari+hin"]),
    "Dhin_flat_th2": ("flat", 1, ["-l", "Devanagari+hin", "-c", "thresholding_method=2"]),
}


def _sharp_variant(name: str) -> tuple[str, float, list[str]]:
    """`D_fs2x150` / `Dhin_fs1.5x200`: flattened and unsharp-masked (radius x percent), read by that model."""
    model, prep = name.split("_", 1)
    prep, _, extra = prep.partition("_")    # Dhin_fm3_th2: and thresholding_method=2
    th = ["-c", f"thresholding_method={extra[2:]}"] if extra.startswith("th") else []
    return prep, 1, ["-l", {"D": "Devanagari", "Dhin": "Devanagari+hin"}[model], *th]


def _variant(name: str, img: Image.Image, dpi: int, tmp: Path) -> tuple[str, str]:
    """One read by the `tesseract` program of the page prepared as VARIANTS[name] says: (text, TSV)."""
    prep, factor, args = VARIANTS[name] if name in VARIANTS else _sharp_variant(name)
    image = img.convert("L")
    if prep == "flat":
        image = level.flatten(image, dpi)
    if prep == "sharp":
        image = image.filter(ImageFilter.UnsharpMask(radius=2, percent=150, threshold=0))
    if prep.startswith("fs"):    # flattened, then unsharp-masked: fsRADIUSxPERCENT
        image = level.flatten(image, dpi)
        radius, percent = prep[2:].split("x")
        image = image.filter(ImageFilter.UnsharpMask(radius=float(radius), percent=int(percent), threshold=0))
    if prep.startswith("fm"):    # flattened, then a median filter of this size: fm3
        image = level.flatten(image, dpi).filter(ImageFilter.MedianFilter(int(prep[2:])))
    if prep.startswith("fg"):    # flattened, then a Gaussian blur of this radius: fg0.7
        image = level.flatten(image, dpi).filter(ImageFilter.GaussianBlur(float(prep[2:])))
    if prep == "prep":           # as nasti prepares it (level.prepare: flattened, sharpened when soft)
        image = level.prepare(image, dpi)
    if factor != 1:
        image = image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.BICUBIC)
    name = name.replace(".", "p")   # a file name without a dot of its own (D_fs0.7x100)
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
    """NASTI_TUNE="NAME=VALUE,module.NAME=VALUE,var:NAME=VALUE,..." sets module constants of ocr.page (or of
    ocr.MODULE), or a tesseract variable of the resident engine, in this worker (tuning half only)."""
    import importlib

    from ocr import resident
    for item in filter(None, os.environ.get("NASTI_TUNE", "").split(",")):
        name, value = item.split("=")
        if name.startswith("var:"):
            resident.VARIABLES[name[4:]] = value
            continue
        where, _, name = name.rpartition(".")
        module = importlib.import_module(f"ocr.{where or 'page'}")
        kind = type(getattr(module, name))
        setattr(module, name, value.lower() in ("1", "true", "yes") if kind is bool else kind(value))


# wear: how a page is degraded before both nasti and bare tesseract read it (the file they read, with its DPI)
DEGRADE = ("plain", "blur0.8", "blur1.2", "blur1.6", "noise", "jpg30", "bitonal", "dpi200")


def worn(img: Image.Image, dpi: int, wear: str, key: str) -> tuple[Image.Image, int, str]:
    """The page (mode L) worn as `wear` says: (image, its DPI, file suffix). Seeded by (wear, key)."""
    rng = np.random.default_rng(int(hashlib.sha1(f"{wear}|{key}".encode()).hexdigest()[:8], 16))
    img = img.convert("L")
    if wear == "plain":
        return img, dpi, "png"
    if wear.startswith("blur"):       # a soft scan: Gaussian blur of this radius in pixels
        return img.filter(ImageFilter.GaussianBlur(float(wear[4:]))), dpi, "png"
    if wear == "noise":               # sensor grain, sigma 25 grey levels
        a = np.asarray(img, dtype=np.float32) + rng.normal(0, 25, (img.height, img.width))
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L"), dpi, "png"
    if wear.startswith("jpg"):        # written as a JPEG of this quality
        return img, dpi, f"jpg{wear[3:]}"
    if wear == "bitonal":             # a black-and-white scanner's fixed threshold
        return img.point(lambda v: 255 if v >= 150 else 0), dpi, "png"
    if wear.startswith("dpi"):        # rescanned at a lower resolution (Lanczos), that DPI written
        f = int(wear[3:]) / dpi
        return img.resize((round(img.width * f), round(img.height * f)), Image.Resampling.LANCZOS), int(wear[3:]), \
            "png"
    raise ValueError(wear)


def _worn_file(path: Path, wear: str, tmp: Path) -> tuple[Path, str, int]:
    img = Image.open(path)
    img.load()
    dpi = round(float(img.info.get("dpi", (300, 300))[0]))
    image, dpi, suffix = worn(img, dpi, wear, path.stem)
    out = tmp / f"{path.stem}.{suffix[:3]}"
    if suffix.startswith("jpg"):
        image.save(out, quality=int(suffix[3:]), dpi=(dpi, dpi))
        return out, "jpeg", dpi
    image.save(out, dpi=(dpi, dpi))
    return out, "png", dpi


_WARM: list[bool] = []


def one_worn(path: Path, wear: str, variants: list[str]) -> dict:
    """One page worn as `wear`: bare `-l Devanagari` and `-l hin` and nasti's default read of the same file."""
    _overrides()
    truth = unicodedata.normalize("NFC", path.with_suffix(".gt.txt").read_text(encoding="utf-8"))
    row: dict = {"page": path.stem, "wear": wear}
    with tempfile.TemporaryDirectory() as tmp:
        src, kind, dpi = _worn_file(path, wear, Path(tmp))
        for lang in ("Devanagari", "hin"):
            text, cpu = bare_tesseract(src, lang, dpi)
            row[f"bare {lang}"] = {"cer": cer(truth, text), "cpu": cpu}
        task = PageTask(source=src, kind=kind, index=0, languages="Devanagari", dpi=300, timeout=300,
                        max_pixels=10**9, layer=Path(tmp) / "l.pdf")
        if not _WARM:
            process_page(task)   # warm the resident engines once per worker (a worker keeps them loaded)
            _WARM.append(True)
        before = _cpu()
        got = process_page(task)
        row["nasti"] = {"cer": cer(truth, got.text), "cpu": _cpu() - before, "conf": got.confidence,
                        "lang": got.language, "turned_by": got.turned_by, "rotation": got.rotation}
        img = Image.open(src).convert("L")
        row["sharpness"] = level.sharpness(level.flatten(img, dpi), dpi) if dpi >= level.SHARPEN_FROM_DPI else None
        if variants:
            img = Image.open(src)
            img.load()
            for v in variants:
                text, table = _variant(v, img, dpi, Path(tmp))
                read = tsv.read(table)
                row[v] = {"cer": cer(truth, text), "conf": read.confidence, "cpu": 0.0}
    return row


def worn_table(rows: list[dict], variants: list[str]) -> str:
    """Per wear: mean CER of bare Devanagari, bare hin, nasti (and variants), nasti's ratios, pages worse."""
    head = ("| wear | pages | bare Devanagari | bare hin | nasti | ÷ Devanagari | ÷ hin | worse than bare D "
            "(> 0.05) | worst vs bare D | nasti CPU s/page | soft (sharpened) |" + "".join(f" {v} |" for v in variants))
    out = [head, "|" + "---|" * (head.count("|") - 1)]
    for wear in dict.fromkeys(r["wear"] for r in rows):
        some = [r for r in rows if r["wear"] == wear]
        d, h, n = (mean(r[k]["cer"] for r in some) for k in ("bare Devanagari", "bare hin", "nasti"))
        worse = sum(r["nasti"]["cer"] > r["bare Devanagari"]["cer"] + 0.05 for r in some)
        worst = max(r["nasti"]["cer"] - r["bare Devanagari"]["cer"] for r in some)
        cpu = mean(r["nasti"]["cpu"] for r in some)
        soft = sum(level.SHARPEN and r["sharpness"] is not None
                   and level.SMEARED_BELOW <= r["sharpness"] < level.SOFT_BELOW for r in some)
        extra = "".join(f" {mean(r[v]['cer'] for r in some):.2f} |" for v in variants)
        out.append(f"| {wear} | {len(some)} | {d:.2f} | {h:.2f} | {n:.2f} | {n / d:.3f} | {n / h:.3f} | {worse} | "
                   f"{worst:+.2f} | {cpu:.2f} | {soft} |{extra}")
    return "\n".join(out)


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
    ap.add_argument("--half", choices=["odd", "even", "all"], default="odd",
                    help="all: every page of --real (generated pages: `--generated`)")
    ap.add_argument("--generated", help="SEEDS:FOLDER: write the booklike sheets 0-9 of each seed (not English "
                    "letters) with their truth into FOLDER, and read those as --real")
    ap.add_argument("--real", type=Path, default=REAL)
    ap.add_argument("--variants", default="raw3,flat3")
    ap.add_argument("--out", type=Path, default=Path("/tmp/ocr3/tune.json"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cpu", action="store_true",
                    help="only CPU: nasti's page and bare `-l Devanagari`, paired")
    ap.add_argument("--summary", action="store_true", help="means only (the held-out half: no page is looked at)")
    ap.add_argument("--degrade", default="", help=f"wears, comma-separated, of {','.join(DEGRADE)}")
    ap.add_argument("--table", type=Path, help="with --degrade: append the table to this Markdown file")
    ap.add_argument("--label", default="", help="with --table: a heading for the table")
    a = ap.parse_args()
    variants = [v for v in a.variants.split(",") if v]
    if a.generated:
        seeds, _, folder = a.generated.partition(":")
        a.real = generated([int(x) for x in seeds.split(",")], Path(folder))
    todo = pages(a.real, a.half)
    if a.degrade:
        _overrides()   # here too: the table counts pages below this run's level.SOFT_BELOW
        wears = a.degrade.split(",")
        jobs = [(p, w) for w in wears for p in todo]
        a.out.parent.mkdir(parents=True, exist_ok=True)
        rows = []
        with ProcessPoolExecutor(a.workers) as ex, a.out.with_suffix(".jsonl").open("w") as partial:
            for row in ex.map(one_worn, [p for p, _ in jobs], [w for _, w in jobs], [variants] * len(jobs)):
                rows.append(row)   # as they come: a run cut short still leaves its rows
                partial.write(json.dumps(row) + "\n")
                partial.flush()
        a.out.write_text(json.dumps(rows, indent=1))
        table = worn_table(rows, variants)
        print(table)
        if a.table:
            with a.table.open("a", encoding="utf-8") as f:
                f.write(f"\n### {a.label or a.half + ' half'}, NASTI_TUNE={os.environ.get('NASTI_TUNE', '')!r}, load "
                        f"{os.getloadavg()[0]:.1f}\n\n{table}\n")
        if not a.summary:
            for r in sorted(rows, key=lambda r: r["bare Devanagari"]["cer"] - r["nasti"]["cer"])[:12]:
                n = r["nasti"]
                extra = " ".join(f"{v}={r[v]['cer']:.1f}/{r[v]['conf']}" for v in variants)
                print(f"{r['page']} {r['wear']} bareD {r['bare Devanagari']['cer']:5.1f} hin "
                      f"{r['bare hin']['cer']:5.1f} nasti {n['cer']:5.1f} conf {n['conf']} {n['lang']} | {extra}")
        return
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
