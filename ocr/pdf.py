"""The searchable PDF: the original page images, untouched, with tesseract's text-only layer grafted under them."""
from __future__ import annotations

import io
from contextlib import ExitStack
from pathlib import Path

import img2pdf
import pikepdf
from PIL import Image

from ocr.raster import sane_dpi


def _image_pdf(source: Path, fallback_dpi: int) -> bytes:
    """img2pdf embeds JPEG, PNG and CCITT/LZW TIFF frames without re-encoding them."""
    with Image.open(source) as img:
        believable = sane_dpi(img.info, 0) != 0
    if believable:
        return img2pdf.convert(str(source), rotation=img2pdf.Rotation.ifvalid)
    layout = img2pdf.get_fixed_dpi_layout_fun((fallback_dpi, fallback_dpi))
    return img2pdf.convert(str(source), layout_fun=layout, rotation=img2pdf.Rotation.ifvalid)


def build_searchable(source: Path, kind: str, layers: list[Path | None], out: Path, *, fallback_dpi: int = 300) -> None:
    """Write `out` (through a temporary name, then rename) with one invisible text layer under each original page."""
    tmp = out.with_name(out.name + ".part")
    with ExitStack() as stack:
        base = pikepdf.open(source) if kind == "pdf" else pikepdf.open(io.BytesIO(_image_pdf(source, fallback_dpi)))
        stack.enter_context(base)
        for page, layer in zip(base.pages, layers, strict=False):
            if layer is None:
                continue
            text_pdf = stack.enter_context(pikepdf.open(layer))
            target = pikepdf.Page(page)
            target.add_underlay(pikepdf.Page(text_pdf.pages[0]), target.mediabox and pikepdf.Rectangle(target.mediabox))
        base.save(tmp)
    tmp.replace(out)
