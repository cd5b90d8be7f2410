"""Way-up and accuracy check, run by hand (not a test): nasti's page pipeline against bare tesseract, on real scans
(held-out half) and on generated pages, each upright and turned 90/180/270.

    .venv/bin/python bench/orient_check.py [--real DIR] [--half even|odd|all] [--generated N] [--workers 2]
    # writes bench/results/orient.md (and orient.json with every page)

- real: `DIR/*.png` with `NAME.gt.txt` beside them (e.g. a copy of shared/realscans-dev); `--half even` keeps the
  files whose number is even (the held-out half: thresholds were tuned on the odd half).
- generated: scanlike office/hard letters in Hindi and English at 96-300 dpi, some bitonal (seeded).
Per page and turn: the turn nasti chose (wrong turn = page not brought upright), what decided it (probe | reread),
CER of nasti (default config: languages = "Devanagari") and, upright only, of nasti with languages = "auto" and of bare
`tesseract -l Devanagari | hin | eng` on the page as scanned. OMP_THREAD_LIMIT=1, `--workers` processes.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["OMP_THREAD_LIMIT"] = "1"

from PIL import Image
from runners import bare_tesseract

from nasti.samples.scanlike import random_spec, scan_letter
from ocr.metrics import cer
from ocr.page import PageTask, process_page

HERE = Path(__file__).resolve().parent
TURNS = (0, 90, 180, 270)
BARE = ("Devanagari", "hin", "eng")


def _generated(n: int) -> list[tuple[str, str, Image.Image, int, str]]:
    """(name, category, image, dpi, truth): Hindi and English letters, office and hard scans, 96-300 dpi."""
    out = []
    dpis = (300, 200, 150, 96)
    for k in range(n):
        lang = "en" if k % 3 == 2 else "hi"     # English at every DPI (k = 2, 5, 8, 11: 150, 200, 300, 96)
        level = "hard" if k % 2 else "office"
        dpi = dpis[k % len(dpis)]
        spec = random_spec(100 + k, level, dpi=dpi)
        page = scan_letter(100 + k, lang, spec, lines=14)
        image = page.image.convert("L")
        bitonal = k % 5 == 2
        if bitonal:
            image = image.point(lambda v: 255 if v >= 150 else 0)
        cat = f"generated-{'english' if lang == 'en' else 'hindi'}"
        out.append((f"gen{100 + k}-{lang}-{level}-{dpi}{'-bw' if bitonal else ''}", cat, image, dpi,
                    "\n".join(page.lines)))
    return out


def _real(folder: Path, half: str) -> list[tuple[str, str, Image.Image, int, str]]:
    out = []
    for png in sorted(folder.glob("*.png")):
        number = int("".join(c for c in png.stem if c.isdigit()) or 0)
        if half != "all" and number % 2 != (0 if half == "even" else 1):
            continue
        gt = png.with_suffix("").with_suffix(".gt.txt")
        if not gt.exists():
            gt = png.parent / f"{png.stem}.gt.txt"
        image = Image.open(png).convert("L")
        out.append((png.stem, "real-devanagari", image, 300, gt.read_text(encoding="utf-8")))
    return out


def _job(args: tuple[str, str, int, str, int, str, str]) -> dict:
    name, path, dpi, truth, turn, languages, tmp = args
    t0 = time.monotonic()
    r = process_page(PageTask(source=Path(path), kind="png", index=0, languages=languages, dpi=dpi, timeout=300,
                              max_pixels=300_000_000, layer=Path(tmp) / f"{name}-{turn}-{languages}.pdf"))
    return {"name": name, "turn": turn, "languages": languages, "rotation": r.rotation, "turned_by": r.turned_by,
            "margin": r.turn_margin, "confidence": r.confidence, "cer": round(cer(truth, r.text), 2),
            "seconds": round(time.monotonic() - t0, 2), "model": r.language, "handwritten": r.handwritten}


def _bare(args: tuple[str, str, int, str, str]) -> dict:
    name, path, dpi, truth, lang = args
    text, cpu = bare_tesseract(Path(path), lang, dpi)
    return {"name": name, "lang": lang, "cer": round(cer(truth, text), 2), "cpu": round(cpu, 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--real", type=Path, default=None)
    ap.add_argument("--half", default="even", choices=("even", "odd", "all"))
    ap.add_argument("--generated", type=int, default=12)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "orient.md")
    a = ap.parse_args()
    pages = (_real(a.real, a.half) if a.real else []) + _generated(a.generated)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nasti-orient-") as tmp:
        jobs, bare_jobs, cats = [], [], {}
        for name, cat, image, dpi, truth in pages:
            cats[name] = cat
            for turn in TURNS:
                path = Path(tmp) / f"{name}-{turn}.png"
                image.rotate(turn, expand=True, fillcolor=255).save(path, dpi=(dpi, dpi))
                jobs.append((name, str(path), dpi, truth, turn, "Devanagari", tmp))
                if turn == 0:
                    jobs.append((name, str(path), dpi, truth, 0, "auto", tmp))
                    bare_jobs += [(name, str(path), dpi, truth, lang) for lang in BARE]
        with ProcessPoolExecutor(a.workers) as ex:
            ours = list(ex.map(_job, jobs))
            bare = list(ex.map(_bare, bare_jobs))
    wall = time.monotonic() - started
    a.out.with_suffix(".json").write_text(json.dumps({"nasti": ours, "bare": bare}, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
    a.out.write_text(report(ours, bare, cats, wall, a), encoding="utf-8")
    print(a.out.read_text(encoding="utf-8"))


def report(ours: list[dict], bare: list[dict], cats: dict[str, str], wall: float, a: argparse.Namespace) -> str:
    counts = ", ".join(f"{c}: {sum(v == c for v in cats.values())}" for c in sorted(set(cats.values())))
    lines = ["# Way up and accuracy: nasti vs bare tesseract (bench/orient_check.py)", "",
             f"Pages: {len(cats)} ({counts})"
             f" × 4 turns; real half: `{a.half}`. {a.workers} worker processes, OMP_THREAD_LIMIT=1, shared 2-core "
             f"machine with other jobs running; wall {wall / 60:.1f} min.", "",
             "## Turns", "", "| category | turn | pages | wrong turns | verified (reread) |", "|---|---|---|---|---|"]
    default = [o for o in ours if o["languages"] == "Devanagari"]
    for cat in sorted(set(cats.values())):
        for turn in TURNS:
            rows = [o for o in default if cats[o["name"]] == cat and o["turn"] == turn]
            wrong = [o["name"] for o in rows if o["rotation"] != turn]
            verified = sum(o["turned_by"] == "reread" for o in rows)
            lines.append(f"| {cat} | {turn} | {len(rows)} | {len(wrong)}{' ' + ', '.join(wrong) if wrong else ''} "
                         f"| {verified} ({100 * verified / max(1, len(rows)):.0f} %) |")
    lines += ["", "## CER (%), mean per category (upright pages; turned: mean over the three turns)", "",
              "| category | pages | nasti | nasti turned | nasti auto | bare Devanagari | bare hin | bare eng | "
              "nasti / Devanagari | worst page vs Devanagari |", "|---|---|---|---|---|---|---|---|---|---|"]
    by = {(b["name"], b["lang"]): b["cer"] for b in bare}
    for cat in sorted(set(cats.values())):
        names = sorted(n for n, c in cats.items() if c == cat)
        up = {o["name"]: o["cer"] for o in default if o["turn"] == 0 and o["name"] in names}
        turned = [o["cer"] for o in default if o["turn"] != 0 and o["name"] in names]
        auto = [o["cer"] for o in ours if o["languages"] == "auto" and o["name"] in names]
        deva = [by[(n, "Devanagari")] for n in names]
        worst = max(names, key=lambda n: up[n] - by[(n, "Devanagari")])
        lines.append(f"| {cat} | {len(names)} | {mean(up.values()):.2f} | {mean(turned):.2f} | {mean(auto):.2f} | "
                     f"{mean(deva):.2f} | {mean(by[(n, 'hin')] for n in names):.2f} | "
                     f"{mean(by[(n, 'eng')] for n in names):.2f} | {mean(up.values()) / max(0.01, mean(deva)):.3f} | "
                     f"{worst} {up[worst] - by[(worst, 'Devanagari')]:+.1f} |")
    twins = []
    for o in default:
        if o["turn"]:
            upright = next(u for u in default if u["name"] == o["name"] and u["turn"] == 0)
            twins.append((abs(o["cer"] - upright["cer"]), o["name"], o["turn"]))
    far = sorted(t for t in twins if t[0] > 2)
    lines += ["", f"Turned pages more than 2 CER points from their upright twin: {len(far)} of {len(twins)}"
              + (": " + ", ".join(f"{n}@{t} ({d:.1f})" for d, n, t in far) if far else "."),
              f"Seconds per page (nasti, default): mean {mean(o['seconds'] for o in default):.2f}; "
              f"verified pages {mean([o['seconds'] for o in default if o['turned_by'] == 'reread'] or [0]):.2f}, "
              f"others {mean([o['seconds'] for o in default if o['turned_by'] != 'reread'] or [0]):.2f}.", ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
