"""The OCR engines: tesseract, the models nasti measures and may pick, a real read of a Hindi line, poppler."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from nasti.checks.registry import Context, Finding, check, fail, ok, warn

MODELS = {"Devanagari": "tesseract-ocr-script-deva", "hin": "tesseract-ocr-hin", "eng": "tesseract-ocr-eng",
          "osd": "tesseract-ocr-osd"}


def _first_line(cmd: list[str]) -> str | None:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return ((r.stdout or "") + (r.stderr or "")).strip().splitlines()[0] if (r.stdout or r.stderr) else ""


@check("ocr")
def check_tesseract(ctx: Context) -> Iterator[Finding]:
    from ocr import tesseract
    from ocr.errors import EngineMissing

    try:
        version = tesseract.version()
        installed = tesseract.languages()
    except EngineMissing as e:
        yield fail("tesseract", "ocr", e.detail)
        return
    yield ok("tesseract", "ocr", f"tesseract {version}", version=version, models=sorted(installed))
    try:
        tesseract.check_languages(ctx.cfg.ocr.languages)
    except EngineMissing as e:
        yield fail("tesseract", "ocr", f"[ocr] languages = {ctx.cfg.ocr.languages!r}: {e.detail}")
    prefix = os.environ.get("TESSDATA_PREFIX")
    where = (f"; TESSDATA_PREFIX={prefix} is set, so tesseract looks for models only there (unset it, or copy "
             "the models there)") if prefix else ""
    for model, package in MODELS.items():
        if model in installed:
            yield ok("tesseract", "ocr", f"model {model} installed", model=model)
        else:  # osd turns sideways pages; the others are the models nasti measures and may pick ("auto")
            yield (fail if model == "osd" else warn)("tesseract", "ocr", f"model {model} not installed "
                                                       f"(apt-get install {package}){where}", model=model)


@check("ocr", slow=True)
def check_tesseract_reads(ctx: Context) -> Iterator[Finding]:
    """A real read of a rendered Hindi line with a file number: the model loads and keeps every digit."""
    from PIL import Image, ImageDraw, ImageFont

    from ocr import tesseract
    from ocr.errors import OcrError

    font_file = _first_line(["fc-match", "-f", "%{file}", "Noto Sans Devanagari"])
    if not font_file or not Path(font_file).is_file():
        yield warn("ocr read", "ocr", "no Devanagari font to render a test line (apt-get install fonts-noto-core)")
        return
    img = Image.new("L", (1400, 160), 255)
    ImageDraw.Draw(img).text((40, 40), "राजस्व क्रमांक 2317/2019", font=ImageFont.truetype(font_file, 56), fill=0)
    installed = tesseract.languages()
    lang = next((m for m in ("Devanagari", "hin") if m in installed), None)
    if lang is None:  # the model check above names what is missing
        yield fail("ocr read", "ocr", "no Hindi model (Devanagari or hin) to read a test line with; see above")
        return
    try:
        text = tesseract.recognise(img, lang, dpi=300, timeout=60).text
    except OcrError as e:
        yield fail("ocr read", "ocr", f"tesseract could not read a test line with {lang}: {e.detail}")
        return
    if "2317/2019" in text.replace(" ", ""):
        yield ok("ocr read", "ocr", f"tesseract ({lang}) read a Hindi test line with every digit")
    else:
        yield warn("ocr read", "ocr", f"tesseract ({lang}) misread a test line: {text.strip()!r}")


@check("ocr")
def check_poppler(ctx: Context) -> Iterator[Finding]:
    from ocr import poppler
    from ocr.errors import EngineMissing

    for tool in poppler.TOOLS:
        try:
            v = poppler.version(tool)
        except EngineMissing as e:
            yield fail("poppler", "ocr", f"{tool}: {e.detail}")
        else:
            yield ok("poppler", "ocr", f"{tool} {v}", tool=tool, version=v)

