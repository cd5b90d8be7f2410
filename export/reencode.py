"""Page images re-encoded for upload, in place in the page, so nasti's text layer stays where it was.

Each image a page draws (found with its placement, by following the content stream's ``cm``) and scanned finer than
the target resolution is resampled to it and written back into the same image XObject: the page's content stream,
MediaBox and text layer are untouched, so every word stays over its image. 1-bit scans, and printed greyscale pages
that are almost pure black and white, become CCITT G4; photographs, handwritten notings and everything else
greyscale JPEG. Images with a soft mask, stencil masks and images the decoder cannot read are kept as they are.
Works on an in-memory copy: the archive's file is never written.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

import img2pdf
import pikepdf
from PIL import Image

from ocr.geometry import IDENTITY, Matrix, compose

JPEG_QUALITY = 70
MID_TONES = (48, 208)       # grey levels that are neither ink nor paper
BITONAL_BELOW = 0.02        # a printed page with fewer mid-tone pixels than this is bitonal-able
THRESHOLD = 160             # as scanners in black-and-white mode do (nasti.samples)
SLACK = 1.02                # an image at most 2 % above the target resolution is left as it is


@dataclass
class Recoded:
    images: int = 0          # re-encoded
    kept: int = 0            # left as they were (already coarse enough, masked, or unreadable)
    bitonal: int = 0         # of `images`, written as G4
    dpi: float = 0.0         # the coarsest resulting resolution on the page (0: no image)


def placements(page: pikepdf.Page) -> dict[str, tuple[float, float]]:
    """Image XObject name → its drawn (width, height) in points (the largest if drawn more than once)."""
    xobjects = page.resources.get("/XObject", {})
    sizes: dict[str, tuple[float, float]] = {}
    ctm: Matrix = IDENTITY
    stack: list[Matrix] = []
    for operands, op in pikepdf.parse_content_stream(page):
        name = str(op)
        if name == "q":
            stack.append(ctm)
        elif name == "Q":
            ctm = stack.pop() if stack else IDENTITY
        elif name == "cm":
            ctm = compose(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif name == "Do" and operands:
            key = str(operands[0])
            xobj = xobjects.get(key)
            if xobj is None or xobj.get("/Subtype") != "/Image":
                continue
            a, b, c, d = ctm[:4]
            w, h = math.hypot(a, b), math.hypot(c, d)
            old = sizes.get(key, (0.0, 0.0))
            sizes[key] = (max(old[0], w), max(old[1], h))
    return sizes


def _bitonal_able(img: Image.Image) -> bool:
    hist = img.histogram()
    mid = sum(hist[MID_TONES[0]:MID_TONES[1]])
    return mid < BITONAL_BELOW * (img.width * img.height)


def _g4(img: Image.Image) -> tuple[bytes, pikepdf.Dictionary]:
    """CCITT G4 data and its decode parameters (img2pdf lifts them out of a one-strip TIFF without re-encoding)."""
    buf = io.BytesIO()
    img.save(buf, "TIFF", compression="group4")
    with pikepdf.open(io.BytesIO(img2pdf.convert(buf.getvalue(), nodate=True))) as pdf:
        obj = next(iter(pdf.pages[0].Resources.XObject.values()))
        raw = obj.read_raw_bytes()
        dp = obj.DecodeParms
        dp = dp[0] if isinstance(dp, pikepdf.Array) else dp
        parms = pikepdf.Dictionary({k: (bool(v) if isinstance(v, bool) else int(v)) for k, v in dp.items()})
        decode = [int(v) for v in obj.get("/Decode", [])]
    if decode:
        parms["/NastiDecode"] = pikepdf.Array(decode)
    return raw, parms


def _write(obj: pikepdf.Object, data: bytes, *, bitonal: bool, width: int, height: int,
           parms: pikepdf.Dictionary | None) -> None:
    for key in ("/DecodeParms", "/Decode", "/SMask", "/Mask", "/Intent", "/Metadata", "/ImageMask"):
        if key in obj:
            del obj[key]
    if bitonal:
        assert parms is not None
        decode = parms.get("/NastiDecode")
        if decode is not None:
            del parms["/NastiDecode"]
            obj.Decode = decode
        obj.write(data, filter=pikepdf.Name.CCITTFaxDecode, decode_parms=parms)
        obj.BitsPerComponent = 1
    else:
        obj.write(data, filter=pikepdf.Name.DCTDecode)
        obj.BitsPerComponent = 8
    obj.ColorSpace = pikepdf.Name.DeviceGray
    obj.Width, obj.Height = width, height


def recode_page(page: pikepdf.Page, *, dpi: int, handwritten: bool = False,
                done: set[tuple[int, int]] | None = None) -> Recoded:
    """Resample the page's images finer than ``dpi`` to ``dpi`` (see the module). ``done``: objects already
    recoded (an image shared by several pages is recoded once)."""
    done = set() if done is None else done
    result = Recoded()
    coarsest = math.inf
    xobjects = page.resources.get("/XObject", {})
    for name, (w_pt, h_pt) in placements(page).items():
        obj = xobjects[name]
        px_w, px_h = int(obj.Width), int(obj.Height)
        if w_pt <= 0 or h_pt <= 0:
            continue
        have = min(px_w / (w_pt / 72), px_h / (h_pt / 72))
        if obj.objgen in done:
            coarsest = min(coarsest, have)
            continue
        if have <= dpi * SLACK or "/SMask" in obj or bool(obj.get("/ImageMask", False)):
            result.kept += 1
            coarsest = min(coarsest, have)
            continue
        try:
            img = pikepdf.PdfImage(obj).as_pil_image()
        except Exception:   # an encoding PIL or pikepdf cannot decode: upload it as scanned
            result.kept += 1
            coarsest = min(coarsest, have)
            continue
        one_bit = img.mode == "1"
        grey = img.convert("L")
        size = (max(1, round(w_pt / 72 * dpi)), max(1, round(h_pt / 72 * dpi)))
        small = grey.resize(size, Image.Resampling.BILINEAR)   # area-weighted when shrinking; 4x LANCZOS speed
        bitonal = one_bit or (not handwritten and _bitonal_able(small))
        if bitonal:
            bw = small.point(lambda v: 255 if v >= THRESHOLD else 0).convert("1", dither=Image.Dither.NONE)
            data, parms = _g4(bw)
            _write(obj, data, bitonal=True, width=size[0], height=size[1], parms=parms)
            result.bitonal += 1
        else:
            buf = io.BytesIO()
            small.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
            _write(obj, buf.getvalue(), bitonal=False, width=size[0], height=size[1], parms=None)
        done.add(obj.objgen)
        result.images += 1
        coarsest = min(coarsest, min(size[0] / (w_pt / 72), size[1] / (h_pt / 72)))
    result.dpi = 0.0 if coarsest is math.inf else round(coarsest, 1)
    return result
