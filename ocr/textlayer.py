"""Tesseract's text-only PDF of the page it read, laid back over the page as scanned.

Tesseract read an upright, levelled copy; the scan may be sideways and tilted. Every word of the layer is moved to
where it lies on the scan, but its glyphs stay level with the reading direction: `pdftotext` (poppler) joins level
words into lines and lines into paragraphs, while tilted runs come out one word per line. A sideways or upside-down
page gets a /Rotate on its layer page that `build_searchable` adds to the original page, so viewers show it upright
and `pdftotext` reads it in order; the scan's own content is not touched.
"""
from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from ocr import geometry
from ocr.geometry import Matrix


def _linear(m: Matrix) -> Matrix:
    return m[0], m[1], m[2], m[3], 0.0, 0.0


def _reposition(ops: list, place: Matrix, orient: Matrix) -> list:
    """Give every text-showing operator its own absolute Tm: its origin mapped by `place`, its orientation by
    `orient`. The words of one line share one baseline, the mean of theirs, so poppler keeps the line whole."""
    out: list = []
    line: Matrix = geometry.IDENTITY
    lines: dict[float, list[list]] = {}
    for operands, op in ops:
        name = str(op)
        if name == "BT":
            line = geometry.IDENTITY
        elif name == "Tm":
            line = tuple(float(v) for v in operands)  # type: ignore[assignment]
            continue
        elif name == "Td":
            tx, ty = (float(v) for v in operands)
            line = geometry.compose(geometry.translate(tx, ty), line)
            continue
        elif name in ("TJ", "Tj", "'", '"'):
            x, y = geometry.apply(place, line[4], line[5])
            a, b, c, d, _, _ = geometry.compose(_linear(line), orient)
            tm: list = [a, b, c, d, x, y]
            lines.setdefault(round(line[5], 1), []).append(tm)
            out.append((tm, pikepdf.Operator("Tm")))
        out.append((operands, op))
    for words in lines.values():
        # share the baseline across the line, measured across it (the reading direction is (a, b))
        a, b = words[0][0], words[0][1]
        norm = (a * a + b * b) ** 0.5 or 1.0
        nx, ny = -b / norm, a / norm
        mean = sum(w[4] * nx + w[5] * ny for w in words) / len(words)
        for w in words:
            off = mean - (w[4] * nx + w[5] * ny)
            w[4], w[5] = w[4] + off * nx, w[5] + off * ny
    return out


def orient_layer(layer_pdf: bytes, out: Path, *, width: float, height: float, turn_ccw: int, deskew: float) -> None:
    """Write tesseract's text-only PDF (of the page turned by `turn_ccw` and levelled by `deskew`) as a
    `width` × `height` page whose words lie on the words of the page as scanned."""
    with pikepdf.open(io.BytesIO(layer_pdf)) as pdf:
        page = pikepdf.Page(pdf.pages[0])
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        tw, th = geometry.turned_size(turn_ccw, width, height)
        fit = geometry.compose(geometry.translate(-x0, -y0), geometry.scale(tw / (x1 - x0), th / (y1 - y0)))
        place = geometry.compose(fit, geometry.read_to_scanned(turn_ccw, deskew, width, height))
        orient = _linear(geometry.compose(fit, geometry.turn(-turn_ccw % 360, tw, th)))
        ops = _reposition(list(pikepdf.parse_content_stream(page)), place, orient)
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))
        page.mediabox = pikepdf.Array([0, 0, width, height])
        for box in ("/CropBox", "/TrimBox", "/ArtBox", "/BleedBox"):
            if box in page.obj:
                del page.obj[box]
        if turn_ccw % 360:
            page.obj.Rotate = (-turn_ccw) % 360   # clockwise, as PDF counts: shows the text upright
        out.parent.mkdir(parents=True, exist_ok=True)
        pdf.save(out)
