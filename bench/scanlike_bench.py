"""Realistic-scan OCR benchmark, run by hand (not a test): psm 3 vs psm 6 and nasti's preprocessing vs bare tesseract
on ~30 synthetic legacy-office scans (nasti/samples/scanlike.py), measured against bare `tesseract -l hin`.

    .venv/bin/python bench/scanlike_bench.py [--pages 30] [--workers 2]   # writes bench/results/scanlike.md

Results are cached per (page image hash, setting, ocr/ sources hash) in $SCANLIKE_WORK/cache.json (default
/tmp/nasti-scanlike), so a rerun only runs what changed. SCANLIKE_OCR_FROM=<dir holding an ocr/ package> measures
that copy instead of the working tree's.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# measure another copy of the ocr package, e.g. `git archive <commit> ocr | tar -x -C /tmp/x`, SCANLIKE_OCR_FROM=/tmp/x
sys.path.insert(0, os.environ.get("SCANLIKE_OCR_FROM") or str(Path(__file__).resolve().parent.parent))
os.environ["OMP_THREAD_LIMIT"] = "1"

from runners import bare_tesseract

import ocr
from nasti.samples.scanlike import LEVELS, Scan, ScanPage, random_spec, scan_letter
from ocr import models, raster
from ocr.metrics import cer, normalise
from ocr.page import PageTask, process_page
from ocr.probe import probe

OCR_FROM = os.environ.get("SCANLIKE_OCR_FROM")
HERE = Path(__file__).resolve().parent
# outside bench/out, which bench/ocr_bench.py wipes at its start
WORK = Path(os.environ.get("SCANLIKE_WORK") or Path(tempfile.gettempdir()) / "nasti-scanlike")
RESULTS = HERE / "results" / "scanlike.md"
# name -> (-l, psm or None for tesseract's default 3); nasti settings: (languages, psm)
BARE = {"hin": ("hin", None), "Deva": ("Devanagari", None), "Deva psm6": ("Devanagari", 6),
        "hin psm6": ("hin", 6), "Deva+eng": ("Devanagari+eng", None)}
NASTI = {"nasti Deva psm6": ("Devanagari", 6), "nasti Deva psm3": ("Devanagari", 3),
         "nasti auto psm6": ("auto", 6), "nasti auto psm3": ("auto", 3)}
SETTINGS = [*BARE, *NASTI]
BASE = "hin"
# the single-artefact sweep: the same letters, a light base scan, one artefact at a time
SWEEP_SETTINGS = ["hin", "Deva", "Deva psm6", "nasti Deva psm3", "nasti Deva psm6"]
SWEEP_BASE = Scan(paper=238, blur=0.3, stamp="round", tick=True)
SWEEP: dict[str, dict] = {
    "none": {}, "tinted 200": {"paper": 200}, "faded ink 100": {"ink": 100, "paper": 215},
    "gradient 0.3": {"gradient": 0.3}, "blur 1.0": {"blur": 1.0}, "toner 1.5/cm²": {"toner": 1.5},
    "toner 4/cm²": {"toner": 4.0},
    "show-through 0.12": {"show_through": 0.12}, "border strips": {"border": True}, "punch holes": {"holes": True},
    "noise σ6": {"noise": 6.0}, "jpeg q45": {"jpeg": 45}, "200 dpi": {"dpi": 200}, "skew +1.5": {"skew": 1.5},
    "skew −3": {"skew": -3.0}, "200 dpi + skew +1.5": {"dpi": 200, "skew": 1.5},
    "stamp over text": {"stamp_over_text": True}, "table": {"table": True},
    "border + skew +1.5": {"border": True, "skew": 1.5},
}
# probe-only check (no tesseract): does nasti's probe keep the page upright and level it?
PROBE_CASES: dict[str, dict] = {
    "none": {}, "skew +1.5": {"skew": 1.5}, "skew −2.5": {"skew": -2.5}, "border strips": {"border": True},
    "border + skew +1.5": {"border": True, "skew": 1.5}, "border + skew −0.7": {"border": True, "skew": -0.7},
    "holes + skew +1.5": {"holes": True, "skew": 1.5}, "gradient 0.3 + skew +1.5": {"gradient": 0.3, "skew": 1.5},
    "faded 100 + gradient 0.3": {"ink": 100, "paper": 210, "gradient": 0.3},
    "toner 4 + skew +1.5": {"toner": 4.0, "skew": 1.5},
}


@dataclass(frozen=True)
class Item:
    name: str
    path: Path
    dpi: int
    kind: str
    level: str
    lang: str
    truth: str
    artefacts: list[str]
    skew: float
    numbers: list[str]
    dates: list[str]


def _item(page: ScanPage, name: str, level: str, lang: str, folder: Path) -> Item:
    folder.mkdir(parents=True, exist_ok=True)
    path = page.save(folder / f"{name}{page.suffix}")
    (folder / f"{name}.txt").write_text(page.truth + "\n", encoding="utf-8")
    return Item(name, path, page.spec.dpi, page.kind, level, lang, page.truth, page.spec.artefacts(), page.spec.skew,
                page.file_numbers, page.dates)


def build(n: int) -> list[Item]:
    """n pages: about 30 % clean, 40 % office, 30 % hard; every 7th mixed Hindi/English; a third with Devanagari
    digits."""
    items = []
    for i in range(n):
        level = LEVELS[0] if i % 10 < 3 else LEVELS[1] if i % 10 < 7 else LEVELS[2]
        lang = "mixed" if i % 7 == 5 else "hi"
        page = scan_letter(100 + i, lang, random_spec(100 + i, level), devanagari_digits=i % 3 == 1)
        items.append(_item(page, f"{i:02d}-{level}-{lang}", level, lang, WORK))
    return items


def build_sweep(letters: int) -> list[Item]:
    """Each SWEEP variant on the same `letters` Hindi letters; Item.level carries the variant name."""
    items = []
    for v, (variant, change) in enumerate(SWEEP.items()):
        for k in range(letters):
            spec = Scan(**(SWEEP_BASE.__dict__ | {"table": False} | change))
            page = scan_letter(300 + k, "hi", spec, devanagari_digits=k % 2 == 1)
            items.append(_item(page, f"v{v:02d}-{k}", variant, "hi", WORK / "sweep"))
    return items


def run(job: tuple[str, str, int, str]) -> dict:
    """One setting on one page, in a worker process: the text, the seconds, and for nasti what it did."""
    path, kind, dpi, setting = job
    started = time.monotonic()
    if setting in BARE:
        lang, psm = BARE[setting]
        out, _ = bare_tesseract(Path(path), lang, dpi, psm)
        return {"text": out, "seconds": time.monotonic() - started}
    languages, psm = NASTI[setting]
    with tempfile.TemporaryDirectory() as tmp:
        r = process_page(PageTask(source=Path(path), kind=kind, index=0, languages=languages, dpi=300, timeout=600,
                                  max_pixels=200_000_000, layer=Path(tmp) / "layer.pdf", psm=psm, mode="skip"))
    return {"text": r.text, "seconds": time.monotonic() - started, "skew": r.skew, "rotation": r.rotation,
            "language": r.language}


def auto_model(item: Item) -> str:
    image, dpi = raster.image_page(item.path, 0, max_pixels=200_000_000, default_dpi=300)
    return models.choose("auto", probe(image, dpi))


def ocr_version() -> str:
    """A hash of the ocr package's sources: nasti results are cached per version of the code that made them."""
    h = hashlib.sha1()
    for f in sorted(Path(ocr.__file__).parent.glob("*.py")):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:10]


def git_head() -> str:
    def git(*a: str) -> str:
        return subprocess.run(["git", "-C", str(HERE.parent), *a], capture_output=True, text=True).stdout.strip()

    if OCR_FROM:
        return f"ocr/ from {OCR_FROM}"
    dirty = " + uncommitted changes in ocr/" if git("status", "--porcelain", "ocr") else ""
    return git("log", "-1", "--format=%h %s")[:90] + dirty


def measure(items: list[Item], workers: int, settings: list[str]) -> dict[tuple[str, str], dict]:
    cache_path = WORK / "cache.json"
    code = ocr_version()
    cache: dict[str, dict] = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    digest = {it.name: hashlib.sha1(it.path.read_bytes()).hexdigest()[:16] for it in items}
    auto = {it.name: auto_model(it) for it in items} if "nasti auto psm6" in settings else {}
    out: dict[tuple[str, str], dict] = {}
    todo = []
    for it in items:
        for s in settings:
            key = f"{digest[it.name]}|{s}" + (f"|{code}" if s in NASTI else "")
            if key in cache:
                out[it.name, s] = cache[key]
            elif s.startswith("nasti auto") and auto.get(it.name) == models.HINDI:
                continue  # the same pipeline as nasti Deva: filled in below
            else:
                todo.append((it, s, key))
    print(f"{len(todo)} runs to do with {workers} workers", flush=True)
    with ProcessPoolExecutor(workers) as pool:
        futures = [(it, s, key, pool.submit(run, (str(it.path), it.kind, it.dpi, s))) for it, s, key in todo]
        for n, (it, s, key, f) in enumerate(futures, 1):
            out[it.name, s] = cache[key] = f.result()
            print(f"[{n}/{len(todo)}] {it.name} {s}: {cer(it.truth, cache[key]['text']):.1f} %", flush=True)
            cache_path.write_text(json.dumps(cache, ensure_ascii=False))
    if ocr_version() != code:
        print("WARNING: ocr/ changed during the run; rerun to measure one version", flush=True)
    for it in items:
        for psm in (3, 6) if auto else ():
            if (it.name, f"nasti auto psm{psm}") not in out:
                out[it.name, f"nasti auto psm{psm}"] = out[it.name, f"nasti Deva psm{psm}"] | {"copied": True}
    return out


def _table(head: list[str], rows: list[list[str]]) -> str:
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] +
                     ["| " + " | ".join(r) + " |" for r in rows])


def _found(wanted: str, text: str) -> bool:
    return normalise(wanted).replace(" ", "") in normalise(text).replace(" ", "")


def report(items: list[Item], res: dict[tuple[str, str], dict]) -> str:
    c = {(it.name, s): cer(it.truth, res[it.name, s]["text"]) for it in items for s in SETTINGS}

    def mc(s: str, subset: list[Item]) -> float:
        return mean(c[it.name, s] for it in subset)

    base = mc(BASE, items)
    rows = []
    for s in SETTINGS:
        nums = [_found(n, res[it.name, s]["text"]) for it in items for n in it.numbers]
        dates = [_found(d, res[it.name, s]["text"]) for it in items for d in it.dates]
        better = sum(c[it.name, s] < c[it.name, BASE] for it in items)
        own = [res[it.name, s]["seconds"] for it in items if not res[it.name, s].get("copied")]
        secs = f"{mean(own):.1f}" if own else "–"
        rows.append([s, f"{mc(s, items):.2f}", f"{median(c[it.name, s] for it in items):.2f}",
                     f"{mc(s, items) / base:.3f}", f"{better}/{len(items)}", f"{sum(nums)}/{len(nums)}",
                     f"{sum(dates)}/{len(dates)}", secs])
    parts = [
        "# Realistic-scan OCR benchmark (psm 3 vs 6, nasti preprocessing vs bare tesseract)",
        "",
        f"Run by hand: `.venv/bin/python bench/scanlike_bench.py`. {len(items)} pages from nasti/samples/scanlike.py "
        f"({sum(it.lang == 'hi' for it in items)} Hindi, {sum(it.lang == 'mixed' for it in items)} mixed), levels "
        + ", ".join(f"{lv} {sum(it.level == lv for it in items)}" for lv in LEVELS)
        + ". Bare tesseract 5.3 gets `--dpi <true dpi>`, OMP_THREAD_LIMIT=1; `nasti …` is "
        "`ocr.page.process_page` on the saved PNG/JPEG (probe, flatten, turn, deskew ≥ 0.3°, upscale < 140 dpi, "
        "junk lines dropped). CER % via "
        "`ocr.metrics.cer`. `nasti auto` on pages the probe calls Hindi is the `nasti Deva` run (same pipeline). "
        f"nasti code: `{git_head()}` (ocr/ sources hash {ocr_version()}).",
        "",
        "## All pages",
        "",
        _table(["setting", "mean CER", "median", "ratio to bare hin", "pages better than hin", "file no. exact",
                "date exact", "s/page"], rows),
        "",
        "## By level (mean CER %)",
        "",
        _table(["level", "pages", *SETTINGS],
               [[lv, str(len(sub)), *(f"{mc(s, sub):.2f}" for s in SETTINGS)]
                for lv in (*LEVELS, "hi", "mixed")
                for sub in [[it for it in items if lv in (it.level, it.lang)]] if sub]),
        "",
        "## By artefact (pages carrying it; mean CER %; Δ = psm 6 − psm 3)",
        "",
    ]
    arts = sorted({a for it in items for a in it.artefacts})
    arows = []
    for a in arts:
        sub = [it for it in items if a in it.artefacts]
        rest = [it for it in items if a not in it.artefacts]
        arows.append([a, str(len(sub)), *(f"{mc(s, sub):.2f}" for s in ("hin", "Deva", "Deva psm6", "nasti Deva psm3",
                                                                       "nasti Deva psm6")),
                      f"{mc('Deva psm6', sub) - mc('Deva', sub):+.2f}",
                      f"{mc('Deva psm6', rest) - mc('Deva', rest):+.2f}" if rest else "",
                      f"{mc('nasti Deva psm6', sub) - mc('nasti Deva psm3', sub):+.2f}"])
    parts += [_table(["artefact", "pages", "hin", "Deva", "Deva psm6", "nasti Deva psm3", "nasti Deva psm6",
                      "Δ bare Deva", "Δ bare Deva, pages without", "Δ nasti Deva"], arows), ""]
    parts += ["## Per page (CER %; nasti's deskew vs the true skew; Δpre = nasti − bare at the same model and psm)",
              "", _page_table(items, res, c), ""]
    return "\n".join(parts)


def _page_table(items: list[Item], res: dict[tuple[str, str], dict], c: dict[tuple[str, str], float]) -> str:
    cols = ["hin", "Deva", "Deva psm6", "nasti Deva psm3", "nasti Deva psm6", "Deva+eng", "nasti auto psm6"]
    rows = []
    for it in items:
        n = res[it.name, "nasti Deva psm6"]
        pre3 = c[it.name, "nasti Deva psm3"] - c[it.name, "Deva"]
        pre6 = c[it.name, "nasti Deva psm6"] - c[it.name, "Deva psm6"]
        rows.append([it.name, f"{it.dpi}", f"{it.skew:+.2f}", f"{n['skew']:+.2f}", str(n["rotation"]),
                     *(f"{c[it.name, s]:.1f}" for s in cols), f"{pre3:+.1f}", f"{pre6:+.1f}",
                     res[it.name, "nasti auto psm6"]["language"] or "", ", ".join(it.artefacts)])
    return _table(["page", "dpi", "true skew", "nasti deskew", "turn", *cols, "Δpre psm3", "Δpre psm6", "auto →",
                   "artefacts"], rows)


def sweep_report(items: list[Item], res: dict[tuple[str, str], dict]) -> str:
    c = {(it.name, s): cer(it.truth, res[it.name, s]["text"]) for it in items for s in SWEEP_SETTINGS}
    rows = []
    for variant in SWEEP:
        sub = [it for it in items if it.level == variant]
        m = {s: mean(c[it.name, s] for it in sub) for s in SWEEP_SETTINGS}
        did = "; ".join(f"{res[it.name, 'nasti Deva psm6']['rotation']}°/{res[it.name, 'nasti Deva psm6']['skew']:+.1f}"
                        for it in sub)
        rows.append([variant, *(f"{m[s]:.2f}" for s in SWEEP_SETTINGS), f"{m['Deva psm6'] - m['Deva']:+.2f}",
                     f"{m['nasti Deva psm6'] - m['nasti Deva psm3']:+.2f}", f"{m['nasti Deva psm3'] - m['Deva']:+.2f}",
                     f"{m['nasti Deva psm6'] - m['Deva psm6']:+.2f}", did])
    letters = len(items) // len(SWEEP)
    return "\n".join([
        f"## Single-artefact sweep ({letters} Hindi letters × {len(SWEEP)} variants; mean CER %)",
        "",
        "Base scan: paper 238, blur 0.3 px, round stamp beside the signature, tick and margin note; each variant adds "
        "one artefact. Δpsm = psm 6 − psm 3; Δpre = nasti − bare tesseract at the same model and psm (nasti's "
        "probe, turn, deskew and upscale); `nasti did` = rotation° / deskew° per letter.",
        "",
        _table(["variant", *SWEEP_SETTINGS, "Δpsm bare Deva", "Δpsm nasti", "Δpre psm3", "Δpre psm6", "nasti did"],
               rows),
    ])


def probe_report(letters: int) -> str:
    rows = []
    for case, change in PROBE_CASES.items():
        wrong, errs, words = 0, [], []
        for k in range(letters):
            spec = Scan(**(SWEEP_BASE.__dict__ | change))
            page = scan_letter(500 + k, "hi", spec)
            look = probe(page.image, spec.dpi)
            wrong += look.turn != 0
            errs.append(abs(look.deskew + spec.skew))
            words.append(look.words)
        rows.append([case, f"{wrong}/{letters}", f"{mean(errs):.2f}", f"{max(errs):.2f}", f"{mean(words):.0f}"])
    return "\n".join([
        f"## Probe check ({letters} Hindi letters per case, no OCR)",
        "",
        "`ocr.probe.probe` on the scan: a wrong quarter/half turn makes the page unreadable (CER ~85 %); the deskew "
        "error is |probe deskew + true skew| in degrees (the probe ignores tilts under 0.3°).",
        "",
        _table(["case", "wrong turn", "mean deskew error", "max deskew error", "words measured"], rows),
    ])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=30)
    ap.add_argument("--sweep-letters", type=int, default=6, help="letters per sweep variant (0: no sweep)")
    ap.add_argument("--probe-letters", type=int, default=8, help="letters per probe case (0: no probe check)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    items = build(args.pages)
    sweep = build_sweep(args.sweep_letters) if args.sweep_letters else []
    print(f"built {len(items)} + {len(sweep)} pages in {time.monotonic() - t0:.0f} s", flush=True)
    text = report(items, measure(items, args.workers, SETTINGS))
    if sweep:
        text += "\n" + sweep_report(sweep, measure(sweep, args.workers, SWEEP_SETTINGS))
    if args.probe_letters:
        text += "\n\n" + probe_report(args.probe_letters)
    RESULTS.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
