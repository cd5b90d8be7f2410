"""Builders for the hostile files a share really receives — each made in code, small on disk."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw


def small_page(text: str = "नस्ती 2317") -> Image.Image:
    from nasti.samples.fonts import load_font

    img = Image.new("L", (900, 300), 255)
    ImageDraw.Draw(img).text((40, 100), text, font=load_font("deva", 60), fill=0)
    return img


def pdf_bytes(pages: int = 1) -> bytes:
    buf = io.BytesIO()
    imgs = [small_page(f"पृष्ठ {i + 1}") for i in range(pages)]
    imgs[0].save(buf, "PDF", resolution=300, save_all=True, append_images=imgs[1:])
    return buf.getvalue()


def truncated_pdf() -> bytes:
    data = pdf_bytes(2)
    return data[: len(data) // 2]


def encrypted_pdf() -> bytes:
    src = pikepdf.open(io.BytesIO(pdf_bytes()))
    out = io.BytesIO()
    src.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner", R=6))
    return out.getvalue()


def no_pages_pdf() -> bytes:
    out = io.BytesIO()
    pikepdf.new().save(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>नामांतरण</w:document>")
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("scan1.jpg", b"not really")
    return out.getvalue()


HTML = "<!DOCTYPE html><html><body>Login to eOffice — ई-ऑफिस</body></html>".encode()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(side: int = 40_000) -> bytes:
    """A valid 1-bit PNG of side × side white pixels: ~200 KB on disk, 1.6 GB once decoded as grayscale."""
    comp = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    body = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def slow_pdf(levels: int = 8, fan: int = 10) -> bytes:
    """A 3 KB one-page PDF that poppler needs minutes to render: forms that each draw the one below `fan` times."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    form = pdf.make_stream(b"0 0 1 1 re f")
    for _ in range(levels + 1):
        form.Type, form.Subtype, form.BBox = pikepdf.Name.XObject, pikepdf.Name.Form, [0, 0, 595, 842]
        upper = pdf.make_stream(b"".join(b"q 1 0 0 1 %d %d cm /X Do Q\n" % (k * 3, k * 5) for k in range(fan)))
        upper.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X=form))
        form = upper
    page = pdf.pages[0]
    page.Resources = form.Resources
    page.Contents = pdf.make_stream(b"".join(b"q 1 0 0 1 %d %d cm /X Do Q\n" % (k * 3, k * 5) for k in range(fan)))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
