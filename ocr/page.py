"""One page, start to finish, inside a pool worker: rasterise, recognise, write its text layer."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ocr import raster, tesseract


@dataclass(frozen=True)
class PageTask:
    source: Path            # the original file (never modified)
    kind: str               # pdf | tiff | jpeg | png
    index: int              # 0-based
    languages: str
    dpi: int                # rasterisation DPI for PDF; fallback DPI for images without a believable one
    timeout: float          # seconds, for each external program on this page
    max_pixels: int
    layer: Path             # where to write this page's text-only PDF
    psm: int = 6


@dataclass(frozen=True)
class PageResult:
    number: int             # 1-based
    text: str
    confidence: float | None
    blank: bool
    language: str | None
    rotation: int
    seconds: float
    layer: Path | None


def load(task: PageTask):  # -> tuple[Image.Image, int]
    if task.kind == "pdf":
        return raster.pdf_page(task.source, task.index, dpi=task.dpi, timeout=task.timeout,
                               max_pixels=task.max_pixels)
    return raster.image_page(task.source, task.index, max_pixels=task.max_pixels, default_dpi=task.dpi)


def process_page(task: PageTask) -> PageResult:
    started = time.monotonic()
    image, dpi = load(task)
    result = tesseract.recognise(image, task.languages, dpi=dpi, timeout=task.timeout, psm=task.psm)
    task.layer.parent.mkdir(parents=True, exist_ok=True)
    task.layer.write_bytes(result.pdf)
    return PageResult(number=task.index + 1, text=result.text, confidence=result.confidence, blank=False,
                      language=task.languages, rotation=0, seconds=round(time.monotonic() - started, 3),
                      layer=task.layer)
