"""The one place that knows how tesseract is run: the engine kept loaded in each worker (`ocr.resident`, through
libtesseract's C API) when a library loads, else the `tesseract` program (through pytesseract); its version probe,
its models and its error mapping."""
from __future__ import annotations

import os
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# One thread per tesseract process; parallelism comes from the pool, never from OpenMP (set before any libtesseract
# is loaded: ocr.resident loads one into this process).
os.environ["OMP_THREAD_LIMIT"] = "1"

import pytesseract
from PIL import Image
from pytesseract.pytesseract import TesseractError, TesseractNotFoundError, run_tesseract

from ocr import resident, tsv
from ocr.errors import EngineMissing, OcrError, PageTimeout


@dataclass(frozen=True)
class TesseractResult:
    text: str                     # NFC
    confidence: float | None      # mean word confidence 0-100, None when no words
    words: int
    pdf: bytes                    # text-only PDF layer (invisible text, no image)
    doubtful: tuple[tuple[str, tuple[int, int, int, int]], ...] = ()   # tsv.Read.doubtful: digit words read
                                                                      # at low confidence, with their boxes


TESSDATA_ENV = "NASTI_TESSDATA"
LANGUAGES_ENV = "NASTI_LANGUAGES"


@cache
def version() -> str:
    try:
        return str(pytesseract.get_tesseract_version())
    except TesseractNotFoundError as e:
        raise EngineMissing("tesseract is not installed (apt-get install tesseract-ocr)") from e


class EngineSlow(RuntimeError):
    """`tesseract --list-langs` did not answer in time: a loaded machine, not a missing program. Not an
    EngineMissing (that stops the watcher) and not an OcrError (that rejects the clerk's file): the document fails
    and is tried again."""


@cache
def _list_langs() -> str:
    try:
        return subprocess.run([pytesseract.pytesseract.tesseract_cmd, "--list-langs"], capture_output=True,
                              text=True, timeout=120, check=True).stdout
    except subprocess.TimeoutExpired as e:
        raise EngineSlow("`tesseract --list-langs` did not answer within 120 s") from e
    except (OSError, subprocess.SubprocessError) as e:
        raise EngineMissing("tesseract is not installed (apt-get install tesseract-ocr)") from e


@cache
def languages() -> frozenset[str]:
    """Installed models, from `tesseract --list-langs` (pytesseract's own parser skips names like Devanagari); an
    OCR worker takes them from its parent (NASTI_LANGUAGES, set by ocr.pool), as it takes the models folder."""
    if inherited := os.environ.get(LANGUAGES_ENV):
        return frozenset(inherited.split(","))
    return frozenset(line.strip() for line in _list_langs().splitlines()[1:] if line.strip())


@cache
def tessdata() -> str:
    """The folder the `tesseract` program reads its models from (its `--list-langs` header names it), so that the
    resident engine reads the very same models. An OCR worker takes it from its parent (NASTI_TESSDATA, set by
    ocr.pool), so no worker runs `tesseract --list-langs` on a loaded machine."""
    if inherited := os.environ.get(TESSDATA_ENV):
        return inherited
    head = _list_langs().splitlines()[0] if _list_langs() else ""
    if '"' in head:
        return head.split('"')[1]
    return os.environ.get("TESSDATA_PREFIX", "/usr/share/tesseract-ocr/5/tessdata/")


def forget() -> None:
    """Forget what was probed, so the next check looks at the machine again (a package installed or removed)."""
    for probe in (version, _list_langs, languages, tessdata):
        probe.cache_clear()


def engine() -> str:
    """Which engine reads pages in this process, with its version (for logs and benchmark reports)."""
    return resident.describe() or f"tesseract program {version()} (pytesseract)"


def check_languages(spec: str) -> None:
    """Raise EngineMissing naming the package when a model the spec (or `auto`) can use is not installed."""
    from ocr.models import needed

    missing = [m for m in needed(spec).split("+") if m and m not in languages()]
    if missing:
        pkgs = {"Devanagari": "tesseract-ocr-script-deva", "hin": "tesseract-ocr-hin", "eng": "tesseract-ocr-eng",
                "osd": "tesseract-ocr-osd"}
        hint = ", ".join(pkgs.get(m, f"tesseract-ocr-{m.lower()}") for m in missing)
        raise EngineMissing(f"tesseract model(s) {', '.join(missing)} not installed (apt-get install {hint})")


def recognise(image: Image.Image, lang: str, *, dpi: int, timeout: float, psm: int = 3) -> TesseractResult:
    """One tesseract pass: words with their confidences (TSV, the text rebuilt from it) and a text-only PDF.
    Read by this worker's resident engine when it loads (`ocr.resident`), else by the `tesseract` program."""
    lib = resident.library()
    if lib is not None:
        raw = resident.recognise(lib, image, lang, datapath=tessdata(), dpi=dpi, timeout=timeout, psm=psm)
        return _result(raw.tsv, raw.pdf)
    return _program(image if image.mode in ("L", "1") else image.convert("L"), lang, dpi=dpi, timeout=timeout,
                    psm=psm)


def tsv_text(image: Image.Image, lang: str, *, dpi: int, timeout: float, psm: int = 6) -> str:
    """Tesseract's TSV (header and one row per page, block, paragraph, line and word) for `image`, no text layer:
    a short read (a band of a page, a strip) by this worker's resident engine, else by the `tesseract` program."""
    lib = resident.library()
    if lib is not None:
        return unicodedata.normalize("NFC", resident.recognise(lib, image, lang, datapath=tessdata(), dpi=dpi,
                                                               timeout=timeout, psm=psm, layer=False).tsv)
    with _program_errors(timeout):
        return unicodedata.normalize("NFC", pytesseract.image_to_data(
            image, lang=lang, config=f"--psm {psm} --dpi {dpi} -c tessedit_do_invert=0", timeout=timeout))


def hocr_text(image: Image.Image, lang: str, *, dpi: int, timeout: float, psm: int = 8) -> str:
    """Tesseract's hOCR for `image` with a box and confidence per symbol (`hocr_char_boxes`): one word read alone
    (ocr.symbols), by this worker's resident engine (no process and model load per word), else by the program."""
    lib = resident.library()
    if lib is not None:
        return unicodedata.normalize("NFC", resident.recognise(lib, image, lang, datapath=tessdata(), dpi=dpi,
                                                               timeout=timeout, psm=psm, hocr=True).hocr)
    with _program_errors(timeout):
        got = pytesseract.image_to_pdf_or_hocr(image, lang=lang, extension="hocr", timeout=timeout,
                                               config=f"--psm {psm} --dpi {dpi} -c hocr_char_boxes=1")
    return unicodedata.normalize("NFC", got.decode("utf-8", "replace") if isinstance(got, bytes) else str(got))


@contextmanager
def _program_errors(timeout: float) -> Iterator[None]:
    """pytesseract's failures as OcrError: not installed, killed at the time-out, or failed."""
    try:
        yield
    except TesseractNotFoundError as e:
        raise EngineMissing("tesseract is not installed (apt-get install tesseract-ocr)") from e
    except RuntimeError as e:
        if "timeout" in str(e).lower():
            raise PageTimeout(f"tesseract took longer than {timeout:.0f} s on this page") from e
        raise OcrError(f"tesseract failed: {e}") from e
    except (TesseractError, subprocess.SubprocessError) as e:
        raise OcrError(f"tesseract failed: {e}") from e


def _result(table: str, pdf: bytes) -> TesseractResult:
    got = tsv.read(unicodedata.normalize("NFC", table))
    return TesseractResult(text=got.text, confidence=got.confidence, words=got.words, pdf=pdf,
                           doubtful=got.doubtful)


def _program(image: Image.Image, lang: str, *, dpi: int, timeout: float, psm: int) -> TesseractResult:
    """The page read by a `tesseract` process of its own (pytesseract), which loads the model for this page."""
    with tempfile.TemporaryDirectory(prefix="nasti-tess-") as tmp:
        # uncompressed TIFF: Pillow writes it in milliseconds (a PNG costs ~0.07 s) and tesseract reads it ~0.08 s
        # faster than PGM (measured, tesseract 5.3 / leptonica 1.82)
        src = Path(tmp) / "page.tif"
        image.save(src, dpi=(dpi, dpi), compression="raw")
        base = Path(tmp) / "out"
        # tessedit_do_invert=0: legacy letters carry no white-on-black text, and re-reading every doubtful line
        # inverted costs 4 % of the CPU for no gain (measured: CER 10.85 % vs 11.15 % on 23 realistic scans)
        config = f"--psm {psm} --dpi {dpi} -c tessedit_create_tsv=1 -c textonly_pdf=1 -c tessedit_do_invert=0"
        with _program_errors(timeout):
            run_tesseract(str(src), str(base), "pdf", lang, config=config, timeout=timeout)   # + TSV
        return _result(base.with_suffix(".tsv").read_text(encoding="utf-8"), base.with_suffix(".pdf").read_bytes())
