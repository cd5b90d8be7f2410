"""The searchable PDF: the original page images, untouched, with tesseract's text-only layer grafted under them.

The original page's content stream is kept byte for byte; each page gains one form XObject (the invisible text) and a
short stream `q <matrix> cm /NastiText Do Q` placed before the original content. The matrix maps the layer, which
is drawn as the page is displayed, into the page's own user space (its /Rotate and box origin). A layer page with a
/Rotate (a page scanned sideways or upside down) adds it to the page's /Rotate, so viewers show the page upright.

``[ocr] mode = "redo"`` replaces a page's earlier text layer: the text it draws invisibly (render mode 3, what OCR
layers use, in the page or its forms) is dropped before the new layer goes in; visible text and images stay.
``"force"`` keeps whatever the page had and adds the new layer.
"""
from __future__ import annotations

import io
from contextlib import ExitStack
from pathlib import Path

import img2pdf
import pikepdf
from PIL import Image

from ocr import geometry
from ocr.geometry import Matrix
from ocr.raster import image_dpi


def _cm(m: Matrix) -> bytes:
    return (" ".join(f"{v:.6f}" for v in m) + " cm").encode()


def _place(pdf: pikepdf.Pdf, target: pikepdf.Page, layer: pikepdf.Page, matrix: Matrix, *, prepend: bool) -> None:
    """Draw `layer` (a page of any PDF) as a form XObject on `target` (a page of `pdf`) through `matrix`."""
    form = pdf.copy_foreign(layer.as_form_xobject(handle_transformations=False))
    name = target.add_resource(form, pikepdf.Name.XObject, prefix="NastiText")
    stream = pikepdf.Stream(pdf, b"q " + _cm(matrix) + b" " + bytes(name.unparse()) + b" Do Q\n")
    target.contents_add(stream, prepend=prepend)


_SHOW = {"Tj", "TJ", "'", '"'}
_INVISIBLE = 3   # text render mode: neither fill nor stroke


def _without_invisible_text(content: list) -> tuple[list, bool]:
    """The content stream instructions with the invisible text-showing ones dropped (``'`` and ``"`` keep their
    move to the next line), and whether anything was dropped."""
    out: list = []
    mode, saved, dropped = 0, [], False
    for operands, op in content:
        name = str(op)
        if name == "q":
            saved.append(mode)
        elif name == "Q":
            mode = saved.pop() if saved else 0
        elif name == "Tr" and operands:
            mode = int(operands[0])
        elif name in _SHOW and mode == _INVISIBLE:
            dropped = True
            if name == '"':
                out += [([operands[0]], pikepdf.Operator("Tw")), ([operands[1]], pikepdf.Operator("Tc"))]
            if name in ("'", '"'):
                out.append(([], pikepdf.Operator("T*")))
            continue
        out.append((operands, op))
    return out, dropped


def _drop_old_text(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """Remove the invisible text the page (and the forms it draws) carries: an earlier OCR layer."""
    kept, dropped = _without_invisible_text(pikepdf.parse_content_stream(page))
    if dropped:
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
    for _, xobject in page.resources.get("/XObject", {}).items():
        if xobject.get("/Subtype") == "/Form":
            kept, dropped = _without_invisible_text(pikepdf.parse_content_stream(xobject))
            if dropped:
                xobject.write(pikepdf.unparse_content_stream(kept))


def _box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    return min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)


def displayed_to_user(page: pikepdf.Page) -> tuple[Matrix, float, float]:
    """(matrix, width, height): from the page as a viewer displays it (what poppler rasterises) to user space."""
    x0, y0, w, h = _box(page)
    rot = int(page.obj.get("/Rotate", 0)) % 360
    dw, dh = geometry.turned_size(rot, w, h)
    # the viewer turns user space clockwise by /Rotate; undo it by turning the displayed page counter-clockwise
    return geometry.compose(geometry.turn(rot, dw, dh), geometry.translate(x0, y0)), dw, dh


def _image_pdf(source: Path, fallback_dpi: int) -> bytes:
    """img2pdf embeds JPEG, PNG and CCITT/LZW TIFF frames without re-encoding them, at the DPI the raster used."""
    with Image.open(source) as img:
        dpis = []
        for i in range(getattr(img, "n_frames", 1)):
            img.seek(i)
            dpis.append(image_dpi(img, fallback_dpi))
    frame = iter(dpis)

    def layout(imgwidthpx: int, imgheightpx: int, ndpi: tuple[float, float]) -> tuple[float, float, float, float]:
        dpi = next(frame, fallback_dpi)
        w, h = imgwidthpx * 72 / dpi, imgheightpx * 72 / dpi
        return w, h, w, h

    return img2pdf.convert(str(source), layout_fun=layout, rotation=img2pdf.Rotation.ifvalid)


def build_searchable(source: Path, kind: str, layers: list[Path | None], out: Path, *, fallback_dpi: int = 300,
                     replace_text: bool = False) -> None:
    """Write `out` (through a temporary name, then rename) with one invisible text layer under each original page.
    A page whose layer is None (blank, or already carrying text) is left exactly as it was. ``replace_text``
    (``redo``): a page that gets a layer loses its earlier invisible text first."""
    tmp = out.with_name(out.name + ".part")
    with ExitStack() as stack:
        base = pikepdf.open(source) if kind == "pdf" else pikepdf.open(io.BytesIO(_image_pdf(source, fallback_dpi)))
        stack.enter_context(base)
        for page, layer in zip(base.pages, layers, strict=False):
            if layer is None:
                continue
            text_pdf = stack.enter_context(pikepdf.open(layer))
            target = pikepdf.Page(page)
            if replace_text:
                _drop_old_text(base, target)
            matrix, dw, dh = displayed_to_user(target)
            drawn = pikepdf.Page(text_pdf.pages[0])
            _, _, lw, lh = _box(drawn)
            _place(base, target, drawn, geometry.compose(geometry.scale(dw / lw, dh / lh), matrix), prepend=True)
            turn = int(drawn.obj.get("/Rotate", 0)) % 360   # the layer asks for the page to be shown upright
            if turn:
                page.Rotate = (int(page.get("/Rotate", 0)) + turn) % 360
        base.save(tmp)
    tmp.replace(out)
