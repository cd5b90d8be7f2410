"""Write pages as the files scanners and clerks produce (PNG, JPEG, TIFF, G4 TIFF, image PDF) and a demo share."""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import img2pdf
from PIL import Image

from nasti.samples.letters import Letter, make_letter
from nasti.samples.render import blank_page, degrade, render_letter, stamp_page

FORMATS = ("png", "jpeg", "tiff", "tiff-g4", "pdf")
JPEG_QUALITY = 85


def _bilevel(img: Image.Image) -> Image.Image:
    """1-bit page by a fixed threshold (no dithering: scanners in B/W mode threshold)."""
    if img.mode == "1":
        return img
    return img.convert("L").point(lambda v: 255 if v >= 160 else 0).convert("1", dither=Image.Dither.NONE)


def _gray(img: Image.Image) -> Image.Image:
    return img if img.mode in ("L", "RGB") else img.convert("L")


def _pdf_page_bytes(img: Image.Image, dpi: int, codec: str) -> bytes:
    buf = io.BytesIO()
    if codec == "jpeg":
        _gray(img).save(buf, "JPEG", quality=JPEG_QUALITY, dpi=(dpi, dpi))
    elif codec == "png":
        img.save(buf, "PNG", dpi=(dpi, dpi))
    elif codec == "g4":
        _bilevel(img).save(buf, "TIFF", compression="group4", dpi=(dpi, dpi))
    else:
        raise ValueError(f"pdf codec must be jpeg, png or g4, not {codec!r}")
    return buf.getvalue()


def save_document(
    pages: list[Image.Image], path: Path, fmt: str, *, dpi: int = 300, pdf_codec: str | None = None
) -> Path:
    """Write `pages` to `path` as fmt: "png" | "jpeg" (one page only) | "tiff" (multi-page, LZW) | "tiff-g4" (1-bit
    CCITT G4, multi-page) | "pdf" (an image PDF, one page per image, page size = pixels at dpi).

    dpi is embedded in every format. PDF pages are embedded by img2pdf without re-encoding: JPEG for grey pages and
    CCITT G4 for 1-bit pages unless pdf_codec ("jpeg" | "png" | "g4") says otherwise. Parent folders are created.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    if not pages:
        raise ValueError("no pages to save")
    if fmt in ("png", "jpeg") and len(pages) > 1:
        raise ValueError(f"{fmt} holds one page, got {len(pages)}; use tiff or pdf")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    res = (dpi, dpi)
    if fmt == "png":
        pages[0].save(path, "PNG", dpi=res)
    elif fmt == "jpeg":
        _gray(pages[0]).save(path, "JPEG", quality=JPEG_QUALITY, dpi=res)
    elif fmt in ("tiff", "tiff-g4"):
        conv = _bilevel if fmt == "tiff-g4" else (lambda im: im)
        imgs = [conv(p) for p in pages]
        compression = "group4" if fmt == "tiff-g4" else "tiff_lzw"
        imgs[0].save(path, "TIFF", save_all=True, append_images=imgs[1:], compression=compression, dpi=res)
    else:
        blobs = [_pdf_page_bytes(p, dpi, pdf_codec or ("g4" if p.mode == "1" else "jpeg")) for p in pages]
        layout = img2pdf.get_fixed_dpi_layout_fun(res)
        path.write_bytes(img2pdf.convert(blobs, layout_fun=layout, nodate=True))
    return path


def _nfc(root: Path, *parts: str) -> Path:
    return root.joinpath(*(unicodedata.normalize("NFC", p) for p in parts))


def demo_share(root: Path, *, seed: int = 0) -> list[tuple[Path, Letter]]:
    """A small share to try nasti on: root/revenue/ and root/establishment/, six files, some names in Hindi.

    revenue/नामांतरण आदेश.png                Hindi letter, slightly skewed photocopy
    revenue/सीमांकन प्रतिवेदन.pdf             Hindi letter over 2 pages (JPEG in PDF), page 2 upside down
    revenue/REV-03_2027_2019-COLL.pdf       Hindi letter whose file name carries its file number REV-03/2027/2019-COLL
    establishment/transfer order.jpg        English letter
    establishment/ई-ऑफिस प्रशिक्षण.tif      mixed Hindi/English letter over 2 pages with a blank back between (LZW)
    establishment/अवकाश स्वीकृति.tif        Hindi letter with Devanagari digits and an office seal page (G4)
    Returns (path, letter) for each file; a file's pages hold the letter's lines in order.
    """
    root = Path(root)
    s = seed * 100
    out: list[tuple[Path, Letter]] = []

    letter = make_letter(s + 1, "hi", branch="revenue", lines=16)
    pages = [degrade(p, skew=0.8, noise=0.004, seed=s + 1) for p in render_letter(letter)]
    out.append((save_document(pages, _nfc(root, "revenue", "नामांतरण आदेश.png"), "png"), letter))

    letter = make_letter(s + 2, "hi", branch="revenue", lines=50)
    first, second = render_letter(letter)
    pages = [degrade(first, skew=-1.2, noise=0.003, seed=s + 2), degrade(second, rotate=180, noise=0.003, seed=s + 3)]
    out.append((save_document(pages, _nfc(root, "revenue", "सीमांकन प्रतिवेदन.pdf"), "pdf"), letter))

    letter = make_letter(s + 3, "hi", branch="revenue", lines=14, file_number="REV-03/2027/2019-COLL")
    pages = [degrade(p, skew=0.4, seed=s + 4) for p in render_letter(letter)]
    out.append((save_document(pages, _nfc(root, "revenue", "REV-03_2027_2019-COLL.pdf"), "pdf"), letter))

    letter = make_letter(s + 4, "en", branch="establishment", lines=18)
    pages = [degrade(p, skew=1.5, noise=0.002, seed=s + 5) for p in render_letter(letter)]
    out.append((save_document(pages, _nfc(root, "establishment", "transfer order.jpg"), "jpeg"), letter))

    letter = make_letter(s + 5, "mixed", branch="egovernance", lines=48)
    first, second = render_letter(letter)
    pages = [degrade(first, skew=-0.6, seed=s + 6), blank_page(noise=0.001, seed=s + 7), degrade(second, seed=s + 8)]
    out.append((save_document(pages, _nfc(root, "establishment", "ई-ऑफिस प्रशिक्षण.tif"), "tiff"), letter))

    letter = make_letter(s + 6, "hi", branch="establishment", lines=15, devanagari_digits=True)
    pages = [degrade(p, skew=2.0, seed=s + 9) for p in render_letter(letter)] + [stamp_page(seed=s + 10)]
    out.append((save_document(pages, _nfc(root, "establishment", "अवकाश स्वीकृति.tif"), "tiff-g4"), letter))
    return out
