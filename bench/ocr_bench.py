"""OCR benchmark, run by hand (not a test): nasti vs OCRmyPDF vs bare tesseract on one synthetic corpus, in one run.

    .venv/bin/python bench/ocr_bench.py            # writes bench/results/ocr.md and prints it (~10-15 min, 2 cores)

Needs OCRmyPDF in its own venv (not a project dependency):
    python3 -m venv bench/.venv-ocrmypdf && bench/.venv-ocrmypdf/bin/pip install ocrmypdf   # + apt ghostscript
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
os.environ["OMP_THREAD_LIMIT"] = "1"

from corpus import Doc, Page, build, long_pdf, page_images
from PIL import Image
from runners import OCRMYPDF, Measured, pdf_page_texts, run_bare, run_nasti, run_ocrmypdf, run_paired

from ocr import tesseract
from ocr.metrics import cer, normalise, wer
from ocr.page import PageTask, prepared
from ocr.probe import Probe

HERE = Path(__file__).resolve().parent
WORK = HERE / "out"
RESULTS = HERE / "results" / "ocr.md"
SETTINGS = ["hin", "eng", "hin+eng", "eng+hin", "Devanagari", "Devanagari+eng"]  # the five + auto's mixed model
CATEGORIES = ["hi", "en", "mixed"]
WORKERS = 2


def _fmt(v: float) -> str:
    return f"{v:.2f}"


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def quality(pages: list[Page], texts: list[str]) -> dict[str, tuple[float, float]]:
    """Mean page CER and WER per category."""
    out = {}
    for c in CATEGORIES:
        pairs = [(p.truth, t) for p, t in zip(pages, texts, strict=True) if p.category == c]
        out[c] = (mean(cer(a, b) for a, b in pairs), mean(wer(a, b) for a, b in pairs))
    return out


def numbers_read(pages: list[Page], texts: list[str]) -> tuple[int, int]:
    wanted = [(n, t) for p, t in zip(pages, texts, strict=True) for n in p.numbers]
    return sum(normalise(n) in normalise(t) for n, t in wanted), len(wanted)


def bare_on_nastis_input(images: list[tuple[Image.Image, int]], measured: list[Measured],
                         ) -> dict[int, tuple[str, float]]:
    """Bare tesseract given exactly what nasti gave it (the page flattened, turned, levelled and upscaled as nasti
    did, the model nasti chose): the CPU nasti adds around tesseract, isolated."""
    jobs, index = [], []
    for i, ((img, dpi), m) in enumerate(zip(images, measured, strict=True)):
        if m.result.language in SETTINGS:
            look = Probe(blank=False, turn=(-m.result.rotation) % 360, deskew=m.result.skew, devanagari=0.0,
                         words=0, ink_cells=0)
            jobs.append((*prepared(img, dpi, look), m.result.language))
            index.append(i)
    return dict(zip(index, run_bare(jobs, workers=WORKERS), strict=True))


def paired_cpu(docs: list[Doc], images: list[tuple[Image.Image, int]], measured: list[Measured],
               ) -> dict[int, tuple[float, float]]:
    """Every non-blank page again, nasti and bare tesseract (same model) back to back in the same worker."""
    jobs, index, k = [], [], 0
    for doc in docs:
        for i in range(len(doc.pages)):
            lang = measured[k].result.language
            if lang in SETTINGS:
                task = PageTask(source=doc.path, kind=doc.kind, index=i, languages="auto", dpi=300, timeout=300,
                                max_pixels=200_000_000, layer=WORK / "scratch.pdf")
                jobs.append((task, *images[k], lang))
                index.append(k)
            k += 1
    return dict(zip(index, run_paired(jobs, workers=WORKERS), strict=True))


def dump(pages: list[Page], measured: list[Measured], n_texts: list[str], layer_texts: list[str],
         bare: dict[str, list[tuple[str, float]]]) -> None:
    """Per-page details for digging: bench/out/pages.json."""
    rows = []
    for i, (p, m) in enumerate(zip(pages, measured, strict=True)):
        rows.append({"id": p.id, "category": p.category, "variant": p.variant, "language": m.result.language,
                     "rotation": m.result.rotation, "skew": m.result.skew, "blank": m.result.blank,
                     "cpu": round(m.cpu, 3), "cer": round(cer(p.truth, n_texts[i]), 2) if p.truth else None,
                     "layer_wer": round(wer(p.truth, layer_texts[i]), 2) if p.truth else None,
                     "missed": [x for x in p.numbers if normalise(x) not in normalise(n_texts[i])],
                     "bare_cer": {s: round(cer(p.truth, bare[s][i][0]), 2) for s in SETTINGS} if p.truth else None,
                     "text": n_texts[i]})
    (WORK / "pages.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


def main() -> int:
    if not OCRMYPDF.exists():
        print(f"OCRmyPDF not found at {OCRMYPDF}; see the module docstring", file=sys.stderr)
        return 2
    shutil.rmtree(WORK, ignore_errors=True)
    t0 = time.monotonic()
    docs: list[Doc] = build(WORK / "corpus")
    pages = [p for d in docs for p in d.pages]
    print(f"corpus: {len(pages)} pages in {len(docs)} files ({time.monotonic() - t0:.0f} s)", flush=True)

    nasti = run_nasti(docs, WORK / "nasti", workers=WORKERS)
    measured = [m for doc in nasti.pages for m in doc]
    n_texts = [m.result.text for m in measured]
    layer_texts = [t for pdf, d in zip(nasti.pdfs, docs, strict=True) for t in pdf_page_texts(pdf, len(d.pages))]
    print(f"nasti: {nasti.wall:.1f} s", flush=True)

    ocrmypdf = {lang: run_ocrmypdf(docs, WORK / "ocrmypdf", lang, jobs=WORKERS) for lang in ("hin+eng", "Devanagari")}
    for lang, r in ocrmypdf.items():
        print(f"ocrmypdf -l {lang}: {r.wall:.1f} s", flush=True)
    o_texts = {lang: [t for d in r.texts for t in d] for lang, r in ocrmypdf.items()}

    images = [im for d in docs for im in page_images(d)]
    done = run_bare([(img, dpi, s) for s in SETTINGS for img, dpi in images], workers=WORKERS)
    bare = {s: done[k * len(images):(k + 1) * len(images)] for k, s in enumerate(SETTINGS)}
    print(f"bare tesseract: {sum(c for _, c in done):.0f} CPU s", flush=True)
    same_input = bare_on_nastis_input(images, measured)
    paired = paired_cpu(docs, images, measured)
    print(f"paired CPU: nasti {sum(a for a, _ in paired.values()):.0f} s, "
          f"bare {sum(b for _, b in paired.values()):.0f} s", flush=True)

    big = long_pdf(WORK / "long" / "long.pdf")
    long_run = run_nasti([Doc(big, "pdf", [Page(str(i), "hi", "upright") for i in range(300)])], WORK / "long-out",
                         workers=WORKERS)
    print(f"300-page PDF: {long_run.wall:.1f} s", flush=True)

    dump(pages, measured, n_texts, layer_texts, bare)
    report = render(docs, pages, nasti, measured, n_texts, layer_texts, ocrmypdf, o_texts, bare, same_input,
                    paired, long_run)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    print(report)
    print(f"\nwritten to {RESULTS} ({time.monotonic() - t0:.0f} s in all)")
    return 0


def _ocrmypdf_version() -> str:
    return subprocess.run([str(OCRMYPDF), "--version"], capture_output=True, text=True).stdout.strip()


def render(docs, pages, nasti, measured, n_texts, layer_texts, ocrmypdf, o_texts, bare, same_input, paired,
           long_run) -> str:
    n = len(pages)
    text_pages = [i for i, p in enumerate(pages) if p.category in CATEGORIES]
    inked = [i for i, p in enumerate(pages) if p.category != "blank"]
    out = [f"# OCR benchmark\n\n{n} pages ({sum(p.category == 'blank' for p in pages)} blank) in {len(docs)} files "
           f"({', '.join(d.path.name for d in docs)}); {WORKERS} workers on {os.cpu_count()} cores, "
           f"{platform.machine()}; tesseract {tesseract.version()}; OCRmyPDF {_ocrmypdf_version()}; "
           f"run {time.strftime('%Y-%m-%d %H:%M')}; load average at the end {os.getloadavg()[0]:.1f} (other work "
           "on the machine inflates wall times and shifts CPU between runs — compare runs from a quiet machine).\n"]

    # throughput
    nasti_ppm = n / nasti.wall * 60
    rows = [["nasti (languages = auto, pool of 2)", f"{nasti.wall:.1f}", f"{nasti_ppm:.1f}",
             f"{sum(m.cpu for m in measured):.0f}"]]
    for lang, r in ocrmypdf.items():
        rows.append([f"ocrmypdf --jobs {WORKERS} -l {lang}", f"{r.wall:.1f}", f"{n / r.wall * 60:.1f}", f"{r.cpu:.0f}"])
    faster = max(n / r.wall * 60 for r in ocrmypdf.values())
    out += ["## Throughput", _table(["run", "wall s", "pages/min", "CPU s"], rows),
            f"\nnasti / faster OCRmyPDF = **{nasti_ppm / faster:.2f}×** (target ≥ 1.30)\n"]

    # CPU against bare tesseract with the same model per page, on non-blank pages
    same = [(measured[i].cpu, bare[measured[i].result.language][i][1]) for i in inked
            if measured[i].result.language in bare]
    nasti_cpu, bare_cpu = sum(a for a, _ in same), sum(b for _, b in same)
    blank_cpu = sum(measured[i].cpu for i, p in enumerate(pages) if p.category == "blank")
    rows = [[s, f"{sum(c for _, c in bare[s]):.0f}", f"{sum(bare[s][i][1] for i in inked):.0f}"] for s in SETTINGS]
    out += ["## CPU", _table(["bare tesseract (default psm 3)", "CPU s, all pages", "CPU s, non-blank pages"], rows),
            f"\nnasti on the {len(same)} non-blank pages: {nasti_cpu:.0f} CPU s (probe, turn, deskew, OCR with text "
            f"layer, layer re-laid) vs bare tesseract with the model nasti chose for each page: {bare_cpu:.0f} CPU s → "
            f"**{nasti_cpu / bare_cpu:.3f}×** (target ≤ 1.10). Blank pages cost nasti {blank_cpu:.1f} CPU s in all.\n",
            "The same pages with bare tesseract given exactly nasti's input (flattened, turned, levelled, upscaled, "
            "same model): "
            f"{sum(c for _, c in same_input.values()):.0f} CPU s → nasti's pipeline around tesseract costs "
            f"**{sum(measured[i].cpu for i in same_input) / sum(c for _, c in same_input.values()):.3f}×**.\n"]
    ours, theirs = sum(a for a, _ in paired.values()), sum(b for _, b in paired.values())
    out += [f"**Paired** (the measure for the target): each of the {len(paired)} non-blank pages again, nasti's whole "
            f"page and bare tesseract on the page as scanned (PNG, the model nasti chose) back to back in the same "
            f"worker, the minimum of 3 runs each: nasti {ours:.1f} CPU s vs bare {theirs:.1f} CPU s → "
            f"**{ours / theirs:.3f}×** "
            f"(target ≤ 1.10). The runs above are minutes apart on a shared machine; load only ever adds CPU, so "
            f"the back-to-back minimum is the fair comparison.\n"]
    upright_pages = [i for i in text_pages if pages[i].variant == "upright"]
    rows = [[name] + [f"{mean(cer(pages[i].truth, texts[i]) for i in upright_pages if pages[i].category == c):.2f}"
                      for c in CATEGORIES] for name, texts in
            {"nasti": n_texts, **{f"bare {s}": [t for t, _ in bare[s]] for s in SETTINGS}}.items()]
    out += ["### Upright, untilted, clean pages only (mean CER %)", _table(["reader", *CATEGORIES], rows), ""]

    # quality
    systems = {"nasti": n_texts, **{f"bare {s}": [t for t, _ in bare[s]] for s in SETTINGS},
               **{f"ocrmypdf {lang} (pdftotext)": t for lang, t in o_texts.items()}}
    q = {name: quality(pages, texts) for name, texts in systems.items()}
    rows = [[name] + [f"{q[name][c][0]:.2f} / {q[name][c][1]:.2f}" for c in CATEGORIES]
            + ["{}/{}".format(*numbers_read(pages, texts))] for name, texts in systems.items()]
    best = {c: min(q[f"bare {s}"][c][0] for s in SETTINGS[:5]) for c in CATEGORIES}   # the five
    verdict = ", ".join(f"{c}: {q['nasti'][c][0]:.2f} vs {best[c]:.2f} + 0.2 → "
                        f"{'met' if q['nasti'][c][0] <= best[c] + 0.2 else 'NOT met'}" for c in CATEGORIES)
    counts = {c: sum(1 for i in text_pages if pages[i].category == c) for c in CATEGORIES}
    out += ["## Accuracy (mean page CER % / WER %, NFC, Devanagari digits folded)",
            _table(["reader"] + [f"{c} ({counts[c]} pages)" for c in CATEGORIES] + ["file numbers + dates exact"],
                   rows),
            "\nnasti missed: " + ("; ".join(f"{pages[i].id}: {x}" for i in text_pages for x in pages[i].numbers
                                            if normalise(x) not in normalise(n_texts[i])) or "nothing"),
            f"\nCER per category against the best bare single setting + 0.2: {verdict}. Bare tesseract gets every page "
            "as scanned (turned and tilted pages included), as a user running it by hand would.\n"]

    chosen: dict[str, dict[str, int]] = {}
    for i in text_pages:
        lang = measured[i].result.language or "blank"
        chosen.setdefault(pages[i].category, {}).setdefault(lang, 0)
        chosen[pages[i].category][lang] += 1
    out += ["Model chosen per page by `auto`: " + "; ".join(
        f"{c}: " + ", ".join(f"{k} ×{v}" for k, v in chosen.get(c, {}).items()) for c in CATEGORIES) + "\n"]

    # rotated vs upright, blank detection
    by_id = {p.id: i for i, p in enumerate(pages)}
    rows = []
    for i, p in enumerate(pages):
        if p.twin:
            j = by_id[p.twin]
            a, b = cer(pages[j].truth, n_texts[j]), cer(p.truth, n_texts[i])
            rows.append([p.id, str(measured[i].result.rotation), f"{a:.2f}", f"{b:.2f}", f"{b - a:+.2f}"])
    skews = [f"{p.id}: {measured[i].result.skew:+.1f}°" for i, p in enumerate(pages) if p.variant in ("skew", "g4")]
    found = [pages[i].category == "blank" for i, m in enumerate(measured) if m.result.blank]
    out += ["## Turned and tilted pages (nasti)",
            _table(["page", "rotation found", "CER upright twin", "CER turned", "difference (target ≤ 1)"], rows),
            "\nDeskew found: " + ", ".join(skews) + "\n",
            f"Blank pages: {sum(found)} of {sum(p.category == 'blank' for p in pages)} found, "
            f"{len(found) - sum(found)} text/stamp pages wrongly called blank.\n"]

    # text layer
    hindi = [i for i in text_pages if pages[i].category == "hi"]
    lw, ow = mean(wer(pages[i].truth, layer_texts[i]) for i in hindi), mean(wer(pages[i].truth, n_texts[i])
                                                                                 for i in hindi)
    rows = [["nasti", f"{ow:.2f}", f"{lw:.2f}", f"{lw - ow:+.2f}"]]
    for lang, t in o_texts.items():
        rows.append([f"ocrmypdf -l {lang}", "–", f"{mean(wer(pages[i].truth, t[i]) for i in hindi):.2f}", "–"])
    allw = mean(wer(pages[i].truth, layer_texts[i]) - wer(pages[i].truth, n_texts[i]) for i in text_pages)
    out += ["## Text layer (pdftotext of the searchable PDF) on the Hindi pages",
            _table(["reader", "OCR-text WER %", "pdftotext WER %", "difference (target ≤ 2)"], rows),
            f"\nOver all {len(text_pages)} text pages, pdftotext WER − OCR-text WER = {allw:+.2f} points.\n"]

    # memory
    lm = [m for d in long_run.pages for m in d]
    out += ["## Memory on a 300-page scanned PDF (nasti, pool of 2, workers from a fork server)",
            _table(["measure", "value"], [
                ["pages", str(len(lm))], ["wall s", f"{long_run.wall:.1f}"],
                ["pages/min", f"{len(lm) / long_run.wall * 60:.1f}"],
                ["peak RSS of a worker (VmHWM: raster, probe, layer)", f"{max(m.worker_rss_mb for m in lm):.0f} MB"],
                ["peak RSS of its largest child (tesseract; upper bound)", f"{max(m.child_rss_mb for m in lm):.0f} MB"],
                ["original / searchable PDF", f"{(WORK / 'long' / 'long.pdf').stat().st_size / 2**20:.1f} MB / "
                                              f"{long_run.pdfs[0].stat().st_size / 2**20:.1f} MB"],
            ]), "\nTarget: ≤ 400 MB per worker.\n"]
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
