"""Tagging benchmark, run by hand (not a test): file-number precision/recall on generated letters through the real
pipeline (tesseract), and the time to import a 5,000-row register.

    .venv/bin/python bench/tags_bench.py [--letters 48] [--seed 1000]   # writes bench/results/tags.md (~1 min)

Letters: Hindi (ASCII and Devanagari digits), English and mixed, from the sample generator's own number formats.
Placement rotates: number in the page text only (camera-style file name), in the file name only (its line removed
from the page, '/' written '_' or '-'), in both; every third scan is degraded (skew, photocopy noise).
A number is correct when its key (digits, case and separators folded) equals the truth's.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from openpyxl import Workbook

from ingest.tagging.digits import file_number_key, fold_digits
from nasti.samples import degrade, make_letter, render_page, save_document

HERE = Path(__file__).resolve().parent
WORK = HERE / "out" / "tags"
RESULTS = HERE / "results" / "tags.md"
NASTI = str(Path(sys.executable).with_name("nasti"))
VARIANTS = [("hi", False), ("hi", True), ("en", False), ("mixed", False)]
PLACES = ["text", "name", "both"]
CONFIG = """[share]\npath = "share"\n[store]\nurl = "sqlite:///var/nasti.db"\n[archive]\npath = "var/archive"
[watch]\nquiet_seconds = 0.3\nrecheck_seconds = 0.2\npoll_interval = 0.5\n[branches.revenue]\ncode = "REV"\n"""


def nasti(*args: str) -> str:
    r = subprocess.run([NASTI, "--config", str(WORK / "config.toml"), *args], capture_output=True, text=True,
                       check=True)
    return r.stdout


def build(n: int, seed: int) -> dict[str, dict[str, str]]:
    """Write ``n`` letters into the share; return truth by source."""
    truth: dict[str, dict[str, str]] = {}
    for i in range(n):
        lang, deva = VARIANTS[i % len(VARIANTS)]
        place = PLACES[(i // len(VARIANTS)) % len(PLACES)]
        letter = make_letter(seed + i, lang, devanagari_digits=deva)
        number = letter.file_number or ""
        lines = letter.lines
        if place == "name":
            lines = [x for x in lines if number not in fold_digits(x)]
        sep = "_" if i % 2 else "-"
        name = (number.replace("/", sep) if place != "text" else f"scan_{i:04d}") + ".png"
        image = render_page(lines, lang=lang)
        degraded = i % 3 == 2
        if degraded:
            image = degrade(image, skew=1.5 if i % 2 else -1.0, noise=0.01, seed=i)
        path = WORK / "share" / "revenue" / name
        save_document([image], path, "png")
        truth[f"revenue/{name}"] = {"number": number, "lang": f"{lang}{'-deva' if deva else ''}", "place": place,
                                    "degraded": "yes" if degraded else "no"}
    return truth


def register_timing(rows: int) -> tuple[float, float]:
    """(seconds for `nasti register import` of an XLSX with ``rows`` rows, seconds for re-importing it)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["क्र.", "नस्ती क्रमांक", "विषय", "वर्ष", "श्रेणी", "पृष्ठ संख्या", "स्थान"])
    for i in range(rows):
        ws.append([i + 1, f"{1000 + i}/राज./{2000 + i % 25}", f"विषय {i}", 2000 + i % 25, "कखग"[i % 3],
                   10 + i % 80, f"रैक {i % 40}"])
    path = WORK / "register.xlsx"
    wb.save(path)
    out = []
    for _ in range(2):
        start = time.perf_counter()
        nasti("register", "import", str(path), "--branch", "revenue")
        out.append(time.perf_counter() - start)
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=48)
    ap.add_argument("--seed", type=int, default=1000, help="first letter seed")
    args = ap.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "share").mkdir(parents=True)
    (WORK / "config.toml").write_text(CONFIG, encoding="utf-8")
    truth = build(args.letters, args.seed)
    start = time.perf_counter()
    nasti("watch", "--once")
    seconds = time.perf_counter() - start
    docs = {d["source"]: d for d in json.loads(nasti("documents", "--json"))}
    rows, tp, predicted, wanted, branch_ok = [], 0, 0, 0, 0
    for source, t in truth.items():
        d = docs[source]
        got = d["file_number"]
        ok = bool(got) and file_number_key(got) == file_number_key(t["number"])
        tp += ok
        predicted += bool(got)
        wanted += bool(t["number"])
        branch_ok += d["branch"] == "revenue"
        rows.append((source, t, got, ok, d))
    precision = 100 * tp / predicted if predicted else 0.0
    recall = 100 * tp / wanted if wanted else 0.0
    # what nasti trusts: numbers it did not send to review (a doubtful number waits for a person, unmatched)
    trusted = [ok for _, _, got, ok, d in rows if got and not d["needs_review"]]
    caught = sum(1 for _, _, got, ok, d in rows if got and not ok and d["needs_review"])
    wrong = sum(1 for _, _, got, ok, _ in rows if got and not ok)
    first, again = register_timing(5000)
    lines = [
        "# Tagging benchmark", "",
        f"`.venv/bin/python bench/tags_bench.py --letters {args.letters} --seed {args.seed}` — real tesseract, "
        "one PNG page per letter.",
        "",
        "| measure | value |", "|---|---|",
        f"| letters | {len(truth)} |",
        f"| branch correct | {branch_ok}/{len(truth)} |",
        f"| file-number precision | {precision:.1f} % ({tp}/{predicted}) |",
        f"| file-number recall | {recall:.1f} % ({tp}/{wanted}) |",
        f"| flagged for review | {sum(d['needs_review'] for *_, d in rows)} |",
        f"| precision of the numbers not sent to review | "
        f"{100 * sum(trusted) / len(trusted) if trusted else 0.0:.1f} % ({sum(trusted)}/{len(trusted)}) |",
        f"| wrong numbers sent to review | {caught} of {wrong} |",
        f"| `watch --once` wall time | {seconds:.1f} s |",
        f"| `register import` 5,000-row XLSX (new) | {first:.2f} s (CLI wall, incl. start-up) |",
        f"| `register import` 5,000-row XLSX (re-import, all unchanged) | {again:.2f} s |",
        "", "By group (correct/total):", "",
        "| group | correct |", "|---|---|",
    ]
    for key in ("lang", "place", "degraded"):
        for value in sorted({t[key] for _, t, *_ in rows}):
            members = [r for r in rows if r[1][key] == value]
            lines.append(f"| {key} = {value} | {sum(r[3] for r in members)}/{len(members)} |")
    misses = [r for r in rows if not r[3]]
    if misses:
        lines += ["", "Misses:", "", "| source | truth | got | source of tag | review reason |",
                  "|---|---|---|---|---|"]
        for source, t, got, _, d in misses:
            lines.append(f"| {source} | {t['number']} | {got or '—'} | {d['file_number_source'] or '—'} | "
                         f"{d['reason'] or ''} |")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(RESULTS.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
