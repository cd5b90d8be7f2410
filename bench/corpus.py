"""The benchmark corpus: synthetic collectorate letters with ground truth, scanned the ways legacy files are.

43 pages in three files — corpus.pdf (JPEG pages: Hindi, English and mixed letters upright, turned 90/180, tilted,
speckled; blank backs between them; an office seal page), scan200.jpg (a 200-dpi JPEG) and g4.tif (a 1-bit CCITT G4
TIFF with a blank back). About a fifth of the pages are blank.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from nasti.samples import blank_page, degrade, make_letter, render_page, save_document, stamp_page
from nasti.samples.numbers import format_date, to_ascii_digits


@dataclass
class Page:
    id: str
    category: str               # hi | en | mixed | blank | stamp
    variant: str                # upright | r90 | r180 | skew | noisy | jpeg200 | g4 | blank | stamp
    truth: str = ""
    twin: str | None = None     # the upright page this one is a turned copy of
    numbers: list[str] = field(default_factory=list)   # file number and date as printed, ASCII digits


@dataclass
class Doc:
    path: Path
    kind: str
    pages: list[Page]


def _letter_page(number: int, lang: str, pid: str, variant: str, *, deva: bool = False, dpi: int = 300,
                 **degradation: float) -> tuple[Image.Image, Page]:
    letter = make_letter(number, lang, lines=random.Random(number).randint(18, 26), devanagari_digits=deva)
    truth = "\n".join(letter.lines)
    folded = to_ascii_digits(truth)
    numbers = [letter.file_number] if letter.file_number else []
    if letter.date:
        numbers += [d for d in (format_date(letter.date, s) for s in "./-") if d in folded][:1]
    image = render_page(letter.lines, lang=lang, dpi=dpi)
    if degradation:
        image = degrade(image, **degradation)  # type: ignore[arg-type]
    return image, Page(pid, lang, variant, truth, None, numbers)


def build(root: Path) -> list[Doc]:
    root.mkdir(parents=True, exist_ok=True)
    images: list[Image.Image] = []
    pages: list[Page] = []

    def add(image: Image.Image, page: Page) -> None:
        images.append(image)
        pages.append(page)

    blanks = iter(range(100))

    def blank() -> None:
        n = next(blanks)
        add(blank_page(noise=0.001 * (1 + n % 4), seed=900 + n), Page(f"blank{n}", "blank", "blank"))

    for c, lang in enumerate(("hi", "en", "mixed")):
        base = 1000 * (c + 1)
        upright = [_letter_page(base + i, lang, f"{lang}-u{i}", "upright") for i in range(4)]
        for k, (img, page) in enumerate(upright):
            add(img, page)
            if k in (1, 3):
                blank()
        for turn, (img, page) in zip((90, 180), upright[:2], strict=True):
            add(degrade(img, rotate=turn), Page(f"{page.id}-r{turn}", lang, f"r{turn}", page.truth, page.id,
                                                page.numbers))
        add(*_letter_page(base + 10, lang, f"{lang}-skew+3", "skew", skew=3.0, seed=base))
        add(*_letter_page(base + 11, lang, f"{lang}-skew-2", "skew", skew=-2.0, seed=base + 1))
        blank()
        add(*_letter_page(base + 12, lang, f"{lang}-noisy1", "noisy", noise=0.004, skew=0.7, seed=base + 2))
        add(*_letter_page(base + 13, lang, f"{lang}-noisy2", "noisy", noise=0.006, skew=-0.5, seed=base + 3))
    add(*_letter_page(4001, "hi", "hi-deva-digits", "upright", deva=True))
    add(stamp_page(seed=5), Page("stamp", "stamp", "stamp"))
    blank()
    docs = [Doc(save_document(images, root / "corpus.pdf", "pdf"), "pdf", pages)]

    img, page = _letter_page(4100, "hi", "hi-jpeg200", "jpeg200", dpi=200)
    docs.append(Doc(save_document([img], root / "scan200.jpg", "jpeg", dpi=200), "jpeg", [page]))

    img, page = _letter_page(4200, "mixed", "mixed-g4", "g4", skew=1.0, seed=7)
    n = next(blanks)
    back = Page(f"blank{n}", "blank", "blank")
    g4 = save_document([img, blank_page(noise=0.002, seed=950)], root / "g4.tif", "tiff-g4")
    docs.append(Doc(g4, "tiff", [page, back]))
    return docs


def page_images(doc: Doc) -> list[tuple[Image.Image, int]]:
    """Each page as the scan holds it (not turned), with its DPI — what bare tesseract is given."""
    from ocr import raster
    from ocr.pdfimage import scanned_page

    out = []
    for i in range(len(doc.pages)):
        if doc.kind == "pdf":
            out.append(scanned_page(doc.path, i, 10**9, (raster.MIN_DPI, raster.MAX_DPI))
                           or raster.render_pdf_page(doc.path, i, dpi=300, timeout=120, max_pixels=10**9))
        else:
            out.append(raster.image_page(doc.path, i, max_pixels=10**9, default_dpi=300))
    return out


def long_pdf(path: Path, pages: int = 300) -> Path:
    """A `pages`-page scanned PDF of short Hindi notes (each page its own JPEG), for the memory measurement."""
    notes = [render_page(make_letter(7000 + i, "hi", lines=12).lines[:8], lang="hi") for i in range(10)]
    return save_document([notes[i % len(notes)] for i in range(pages)], path, "pdf")
