"""The three ways the benchmark reads the corpus: nasti's page pipeline over its process pool, OCRmyPDF, and bare
tesseract per model setting — each timed, with CPU taken from the kernel's accounting of the processes that did it."""
from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from corpus import Doc
from PIL import Image

from ocr.page import PageResult, PageTask, process_page
from ocr.pdf import build_searchable
from ocr.pool import OcrPool

OCRMYPDF = Path(__file__).resolve().parent / ".venv-ocrmypdf" / "bin" / "ocrmypdf"


@dataclass
class Measured:
    result: PageResult
    cpu: float              # seconds: the worker's own CPU plus its children's (tesseract, poppler)
    worker_rss_mb: float    # the worker process's peak resident set so far (VmHWM)
    child_rss_mb: float     # the largest child's peak resident set so far (tesseract; an upper bound, since Linux
                            # counts the worker's own RSS at the moment it forked the child)


def _hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def measured_page(task: PageTask) -> Measured:
    """process_page, with the CPU it cost (runs in a pool worker)."""
    before = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
    result = process_page(task)
    cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - before
    return Measured(result, cpu, _hwm_mb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


@dataclass
class NastiRun:
    pages: list[list[Measured]]     # per document, per page
    wall: float
    pdfs: list[Path]


def run_nasti(docs: list[Doc], out: Path, *, languages: str = "auto", workers: int = 2) -> NastiRun:
    """Every page of every document submitted at once to one pool; searchable PDFs written as documents finish."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with OcrPool(workers) as pool:
        futures = [[pool.submit(measured_page, PageTask(
            source=doc.path, kind=doc.kind, index=i, languages=languages, dpi=300, timeout=300,
            max_pixels=200_000_000, layer=out / f"{doc.path.stem}-{i:04d}.layer.pdf")) for i in range(len(doc.pages))]
            for doc in docs]
        pages, pdfs = [], []
        for doc, fs in zip(docs, futures, strict=True):
            measured = [f.result() for f in fs]
            pdf = out / f"{doc.path.stem}.ocr.pdf"
            build_searchable(doc.path, doc.kind, [m.result.layer for m in measured], pdf)
            pages.append(measured)
            pdfs.append(pdf)
    return NastiRun(pages, time.monotonic() - started, pdfs)


@dataclass
class ToolRun:
    texts: list[list[str]]   # per document, per page
    wall: float
    cpu: float


def pdf_page_texts(pdf: Path, n: int) -> list[str]:
    return [unicodedata.normalize("NFC", subprocess.run(
        ["pdftotext", "-q", "-enc", "UTF-8", "-f", str(i + 1), "-l", str(i + 1), str(pdf), "-"],
        capture_output=True, check=False).stdout.decode("utf-8", "replace")) for i in range(n)]


def run_ocrmypdf(docs: list[Doc], out: Path, lang: str, jobs: int = 2, extra: tuple[str, ...] = ()) -> ToolRun:
    """`ocrmypdf --jobs N -l LANG` with its defaults (or `extra` options), one document after the other; its text
    read back with pdftotext (that is the only text it gives)."""
    out.mkdir(parents=True, exist_ok=True)
    env = os.environ.copy()
    env.pop("OMP_THREAD_LIMIT", None)   # let OCRmyPDF manage its own threads, as users run it
    before = _cpu(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    pdfs = []
    for doc in docs:
        pdf = out / f"{doc.path.stem}.{lang.replace('+', '_')}.pdf"
        r = subprocess.run([str(OCRMYPDF), "--jobs", str(jobs), "-l", lang, "--quiet", *extra, str(doc.path), str(pdf)],
                           capture_output=True, text=True, env=env, check=False)
        if r.returncode != 0:
            raise RuntimeError(f"ocrmypdf failed on {doc.path.name}: {r.stderr.strip()[-500:]}")
        pdfs.append(pdf)
    wall = time.monotonic() - started
    cpu = _cpu(resource.RUSAGE_CHILDREN) - before
    return ToolRun([pdf_page_texts(pdf, len(doc.pages)) for pdf, doc in zip(pdfs, docs, strict=True)], wall, cpu)


def bare_tesseract(image_path: Path, lang: str, dpi: int, psm: int | None = None) -> tuple[str, float]:
    """One bare `tesseract IMAGE stdout -l LANG` (defaults unless `psm` is given, as a user runs it): its text and
    exactly its CPU."""
    env = os.environ | {"OMP_THREAD_LIMIT": "1"}
    layout = ["--psm", str(psm)] if psm else []
    p = subprocess.Popen(["tesseract", str(image_path), "stdout", "-l", lang, "--dpi", str(dpi), *layout],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert p.stdout is not None
    text = p.stdout.read().decode("utf-8", "replace")
    _, _, usage = os.wait4(p.pid, 0)
    p.returncode = 0
    return unicodedata.normalize("NFC", text), usage.ru_utime + usage.ru_stime


def run_bare(jobs: list[tuple[Image.Image, int, str]], workers: int = 2) -> list[tuple[str, float]]:
    """Each (page image, its DPI, model setting) through bare tesseract, `workers` at a time: (text, CPU s)."""
    with tempfile.TemporaryDirectory(prefix="nasti-bench-") as tmp:
        saved: dict[int, Path] = {}
        paths = []
        for k, (img, dpi, _) in enumerate(jobs):
            if id(img) not in saved:
                saved[id(img)] = Path(tmp) / f"p{k:04d}.png"
                img.save(saved[id(img)], dpi=(dpi, dpi))
            paths.append(saved[id(img)])
        with ThreadPoolExecutor(workers) as ex:
            return list(ex.map(lambda j: bare_tesseract(j[0], j[1][2], j[1][1]), zip(paths, jobs, strict=True)))


def _paired_page(task: PageTask, png: Path, dpi: int, lang: str, repeats: int) -> tuple[float, float]:
    """In one worker, back to back and alternating which goes first: nasti's whole page (process_page) and bare
    tesseract on the page as scanned with the model nasti chose. The minimum CPU of `repeats` runs of each, so
    that load from elsewhere on the machine, which only ever adds CPU, cancels out of the ratio."""
    ours, bare = [], []
    for r in range(repeats):
        for turn in ((0, 1) if r % 2 == 0 else (1, 0)):
            if turn == 0:
                before = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
                process_page(task)
                ours.append(_cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - before)
            else:
                bare.append(bare_tesseract(png, lang, dpi)[1])
    return min(ours), min(bare)


def run_paired(jobs: list[tuple[PageTask, Image.Image, int, str]], *, workers: int = 2,
               repeats: int = 3) -> list[tuple[float, float]]:
    """(nasti CPU, bare tesseract CPU) per (task, page image as scanned, its DPI, model nasti chose)."""
    with tempfile.TemporaryDirectory(prefix="nasti-paired-") as tmp, OcrPool(workers) as pool:
        futures = []
        for k, (task, img, dpi, lang) in enumerate(jobs):
            png = Path(tmp) / f"p{k:04d}.png"
            img.save(png, dpi=(dpi, dpi))
            scratch = PageTask(**{**task.__dict__, "layer": Path(tmp) / f"p{k:04d}.layer.pdf"})
            futures.append(pool.submit(_paired_page, scratch, png, dpi, lang, repeats))
        return [f.result() for f in futures]
