"""Show-through backs, faded / pale / mixed pages and grey typewriter pages: nasti's page OCR against bare tesseract on
the same seeded pages (bench/showthrough_pages.py).

    OMP_THREAD_LIMIT=1 nice -n 10 .venv/bin/python bench/showthrough_bench.py OUT.jsonl --kinds back,typed \
        --seeds 100-109 [--tree /path/to/other/checkout] [--no-bare]

One JSON line per page: nasti's blank / characters / confidence / CER / seconds (or its error), and bare
`tesseract -l Devanagari` (and `-l eng` for English fronts) on the very same PNG: characters, CER, seconds.
`--tree` runs another checkout's `ocr` package (the code before a change) on the same pages.
`--table OUT.jsonl...` prints a markdown summary of result files instead.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"
HERE = Path(__file__).resolve().parent


def _seeds(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def bare(path: Path, model: str, timeout: float) -> tuple[str | None, float, float]:
    t, c = time.monotonic(), _cpu(resource.RUSAGE_CHILDREN)
    try:
        out = subprocess.run(["tesseract", str(path), "-", "-l", model], capture_output=True, text=True,
                             timeout=timeout, env={"OMP_THREAD_LIMIT": "1", "PATH": os.environ["PATH"]}).stdout
    except subprocess.TimeoutExpired:
        out = None
    return out, round(time.monotonic() - t, 1), round(_cpu(resource.RUSAGE_CHILDREN) - c, 1)


def run(out: Path, kinds: list[str], seeds: list[int], *, with_bare: bool, timeout: float) -> None:
    import showthrough_pages as sp

    from ocr.metrics import cer
    from ocr.page import PageTask, process_page

    tmp = Path(tempfile.mkdtemp(prefix="showthrough-"))
    with out.open("a", encoding="utf-8") as f:
        for kind in kinds:
            for seed in seeds:
                image, truth, params = sp.page(kind, seed)
                path = tmp / f"{kind}{seed}.png"
                image.save(path, dpi=(300, 300))
                row: dict = {"kind": kind, "seed": seed, "params": params}
                t, c = time.monotonic(), _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
                try:
                    r = process_page(PageTask(source=path, kind="png", index=0, languages="Devanagari", dpi=300,
                                              timeout=timeout, max_pixels=200_000_000, layer=tmp / "layer.pdf"))
                    row |= {"blank": r.blank, "hand": r.handwritten, "chars": len("".join(r.text.split())),
                            "conf": r.confidence, "lang": r.language, "rot": r.rotation,
                            "cer": round(cer(truth, r.text), 2) if truth else None}
                except Exception as e:   # a page error is a result here
                    row["error"] = repr(e)[:200]
                row["s"] = round(time.monotonic() - t, 1)
                row["cpu"] = round(_cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - c, 1)
                if with_bare:
                    english = kind == "typed" or str(params.get("front", "")).startswith("en")
                    for model in ("Devanagari", "eng") if english else ("Devanagari",):
                        text, secs, cpu = bare(path, model, timeout)
                        row[f"bare_{model}"] = {"chars": None if text is None else len("".join(text.split())),
                                                "cer": round(cer(truth, text), 2) if truth and text is not None
                                                else None, "s": secs, "cpu": cpu}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                f.flush()
                print(json.dumps(row, ensure_ascii=False), flush=True)


def table(paths: list[Path]) -> str:
    rows = [json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = ["| kind | pages | nasti: blank / text-less | nasti mean CER | best bare mean CER | nasti errors | "
             "nasti max s (CPU s) | bare max s (CPU s) |", "|---|---|---|---|---|---|---|---|"]
    for kind in sorted({r["kind"] for r in rows}):
        rs = [r for r in rows if r["kind"] == kind]
        blank = sum(1 for r in rs if r.get("blank"))
        textless = sum(1 for r in rs if r.get("chars") == 0)
        cers = [r["cer"] for r in rs if r.get("cer") is not None]
        bares = [min(v["cer"] for k, v in r.items() if k.startswith("bare_") and v["cer"] is not None)
                 for r in rs if any(k.startswith("bare_") and v["cer"] is not None for k, v in r.items())]
        bare_s = [v["s"] for r in rs for k, v in r.items() if k.startswith("bare_")]
        bare_c = [v.get("cpu", 0.0) for r in rs for k, v in r.items() if k.startswith("bare_")]
        lines.append(f"| {kind} | {len(rs)} | {blank} / {textless} | ")
        lines[-1] += (f"{statistics.mean(cers):.2f} | " if cers else "- | ")
        lines[-1] += (f"{statistics.mean(bares):.2f} | " if bares else "- | ")
        lines[-1] += (f"{sum(1 for r in rs if 'error' in r)} | {max(r['s'] for r in rs)} "
                      f"({max(r.get('cpu', 0.0) for r in rs)}) | "
                      f"{f'{max(bare_s)} ({max(bare_c)})' if bare_s else '-'} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path, nargs="+")
    ap.add_argument("--kinds", default="back,faded,pale,mixed,typed")
    ap.add_argument("--seeds", default="100-109")
    ap.add_argument("--tree", type=Path, help="another checkout whose `ocr` package is measured")
    ap.add_argument("--no-bare", action="store_true")
    ap.add_argument("--timeout", type=float, default=180.0)
    ap.add_argument("--table", action="store_true", help="print a summary of the result files")
    a = ap.parse_args()
    if a.table:
        print(table(a.out))
        return
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(a.tree or HERE.parent))
    run(a.out[0], a.kinds.split(","), _seeds(a.seeds), with_bare=not a.no_bare, timeout=a.timeout)


if __name__ == "__main__":
    main()
