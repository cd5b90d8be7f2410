"""Printable cover and divider sheets (A4 PDF): one cover per register file, with its QR code (common.cover), its
file number large, subject, year, category, the branch in Hindi and English, and what the clerk must do with it.

Pages are drawn with Pillow (libraqm shapes Devanagari: conjuncts and matras come out right) at 200 dpi and put in a
PDF with img2pdf, so the sheet prints the same everywhere, with no font needed on the printing computer.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import img2pdf
import regex
import segno
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.cover import PART_NAMES, PARTS, SHEET_ID_LABEL, cover_payload, divider_payload, sheet_id
from store.models import Branch, Office
from store.register import cover_files

DPI = 200
A4 = (round(8.27 * DPI), round(11.69 * DPI))
MARGIN = round(0.6 * DPI)
QR_SIDE = round(2.2 * DPI)      # 5.6 cm: about 1.3 mm a module at version 6, read at 100 dpi
FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/truetype/lohit-devanagari"),
             Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype"))
DEVANAGARI = ("NotoSansDevanagari-{w}.ttf", "Lohit-Devanagari.ttf")
LATIN = ("DejaVuSans{w}.ttf", "NotoSans-{w}.ttf", "LiberationSans-{w}.ttf")
MARKER_HI = "नस्ती आवरण पृष्ठ"
MARKER_EN = "NASTI COVER SHEET"          # the OCR fallback looks for this line and "File No." after it
NUMBER_LABEL = "File No."
INSTRUCTION_HI = "स्कैन करने से पहले यह पृष्ठ नस्ती के सबसे ऊपर रखें — इसे न फाड़ें, न मोड़ें"
INSTRUCTION_EN = "Put this sheet on top of the file before scanning. Do not tear or fold it."
DIVIDER_HI = "स्कैन करते समय इस पृष्ठ को इस भाग के पहले पन्ने के ऊपर रखें"
DIVIDER_EN = "Put this sheet before the first page of this part when scanning."


class FontMissing(RuntimeError):
    """No Devanagari font on this computer (apt install fonts-noto-core or fonts-lohit-deva)."""


@dataclass(frozen=True)
class CoverFile:
    register_file_id: int
    file_number: str
    subject: str | None
    year: int | None
    category: str | None
    location: str | None = None


@dataclass(frozen=True)
class BranchInfo:
    office_key: str
    office_hi: str
    office_en: str
    key: str
    name_hi: str
    name_en: str


def _font_file(names: Sequence[str], bold: bool) -> Path:
    for name in names:
        for weight in (("Bold", "-Bold") if bold else ("Regular", "")):
            fname = name.format(w=weight).replace("DejaVuSansRegular", "DejaVuSans").replace("--", "-")
            for d in FONT_DIRS:
                if (d / fname).is_file():
                    return d / fname
    if bold:
        return _font_file(names, False)
    raise FontMissing(f"none of {', '.join(names)} found; install fonts-noto-core")


class Fonts:
    def __init__(self) -> None:
        self._cache: dict[tuple[bool, int, bool], ImageFont.FreeTypeFont] = {}

    def get(self, deva: bool, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        key = (deva, size, bold)
        if key not in self._cache:
            path = _font_file(DEVANAGARI if deva else LATIN, bold)
            self._cache[key] = ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)
        return self._cache[key]


_RUNS = regex.compile(r"[\p{Devanagari}\u200c\u200d]+(?:[ .,/()\-–:0-9]+[\p{Devanagari}\u200c\u200d]+)*"
                      r"|[^\p{Devanagari}]+")


class Sheet:
    """One page being drawn, top to bottom."""

    def __init__(self, fonts: Fonts) -> None:
        self.img = Image.new("L", A4, 255)
        self.draw = ImageDraw.Draw(self.img)
        self.fonts = fonts
        self.y = MARGIN

    def width(self, text: str, size: int, bold: bool = False) -> int:
        return sum(round(self.fonts.get(bool(regex.match(r"\p{Devanagari}", r)), size, bold).getlength(r))
                   for r in _RUNS.findall(text))

    def text(self, text: str, size: int, *, bold: bool = False, x: int | None = None, center: bool = False,
             gap: float = 0.45) -> None:
        """One line (Hindi and English runs each in their own font), then move down."""
        left = (A4[0] - self.width(text, size, bold)) // 2 if center else (MARGIN if x is None else x)
        for run in _RUNS.findall(text):
            font = self.fonts.get(bool(regex.match(r"\p{Devanagari}", run)), size, bold)
            self.draw.text((left, self.y), run, font=font, fill=0)
            left += round(font.getlength(run))
        self.y += round(size * (1 + gap))

    def wrapped(self, text: str, size: int, right: int, **kw: object) -> None:
        words, line = text.split(), ""
        for w in words:
            if line and self.width(f"{line} {w}", size) > right - MARGIN:
                self.text(line, size, **kw)  # type: ignore[arg-type]
                line = w
            else:
                line = f"{line} {w}".strip()
        if line:
            self.text(line, size, **kw)  # type: ignore[arg-type]

    def rule(self) -> None:
        self.draw.line((MARGIN, self.y, A4[0] - MARGIN, self.y), fill=0, width=3)
        self.y += 30

    def qr(self, payload: str, xy: tuple[int, int], side: int = QR_SIDE) -> None:
        code = segno.make(payload, error="h", micro=False, boost_error=False)
        buf = io.BytesIO()
        code.save(buf, kind="png", scale=1, border=4)
        buf.seek(0)
        with Image.open(buf) as small:
            self.img.paste(small.convert("L").resize((side, side), Image.Resampling.NEAREST), xy)


def _header(sheet: Sheet, branch: BranchInfo) -> None:
    sheet.text(branch.office_hi, 44, bold=True)
    sheet.text(branch.office_en, 34)
    sheet.text(f"शाखा: {branch.name_hi}", 40, bold=True)
    sheet.text(f"Branch: {branch.name_en}", 34)


def cover_page(fonts: Fonts, branch: BranchInfo, f: CoverFile) -> Image.Image:
    sheet = Sheet(fonts)
    payload = cover_payload(branch.office_key, branch.key, f.register_file_id, f.file_number)
    sheet.qr(payload, (A4[0] - MARGIN - QR_SIDE, MARGIN - 40))
    _header(sheet, branch)
    sheet.y = max(sheet.y, MARGIN + QR_SIDE - 20)
    sheet.text(f"{MARKER_HI} — {MARKER_EN}", 46, bold=True, center=True, gap=0.8)
    sheet.rule()
    sheet.text(f"नस्ती क्रमांक / {NUMBER_LABEL}", 40)
    size = 150
    while sheet.width(f.file_number, size, True) > A4[0] - 2 * MARGIN and size > 60:
        size -= 10
    sheet.text(f.file_number, size, bold=True, center=True, gap=0.3)
    sheet.text(f"{SHEET_ID_LABEL}: {sheet_id(branch.office_key, branch.key, f.register_file_id)}", 44, center=True,
               gap=0.6)
    sheet.rule()
    right = A4[0] - MARGIN
    sheet.wrapped(f"विषय / Subject: {f.subject or '—'}", 40, right)
    sheet.text(f"वर्ष / Year: {f.year or '—'}", 40)
    sheet.text(f"श्रेणी / Category: {f.category or '—'}", 40)
    if f.location:
        sheet.wrapped(f"स्थान / Location: {f.location}", 36, right)
    sheet.y += 30
    sheet.rule()
    sheet.wrapped(INSTRUCTION_HI, 40, right, bold=True)
    sheet.wrapped(INSTRUCTION_EN, 34, right)
    # a second copy of the code at the foot: a stain or a punch hole over one still leaves the other
    sheet.qr(payload, (MARGIN, A4[1] - MARGIN - QR_SIDE + 40))
    return sheet.img


def divider_page(fonts: Fonts, branch: BranchInfo, part: str) -> Image.Image:
    sheet = Sheet(fonts)
    payload = divider_payload(branch.office_key, branch.key, part)
    sheet.qr(payload, (A4[0] - MARGIN - QR_SIDE, MARGIN - 40))
    _header(sheet, branch)
    sheet.y = max(sheet.y, MARGIN + QR_SIDE + 200)
    hi, en = PART_NAMES[part]
    sheet.text(hi, 130, bold=True, center=True, gap=0.3)
    sheet.text(en.upper(), 110, bold=True, center=True, gap=1.0)
    sheet.wrapped(DIVIDER_HI, 40, A4[0] - MARGIN, bold=True)
    sheet.wrapped(DIVIDER_EN, 34, A4[0] - MARGIN)
    sheet.qr(payload, (MARGIN, A4[1] - MARGIN - QR_SIDE + 40))
    return sheet.img


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(DPI, DPI), compress_level=6)   # optimize=True: 5× slower, 8 % smaller
    return buf.getvalue()


def write_pdf(out: Path, branch: BranchInfo, files: Iterable[CoverFile], dividers: Sequence[str] = ()) -> int:
    """Write the covers of ``files`` (then one divider sheet per part in ``dividers``) to ``out``; page count."""
    fonts = Fonts()
    pages = [_png(cover_page(fonts, branch, f)) for f in files]
    pages += [_png(divider_page(fonts, branch, p)) for p in dividers]
    return _write(out, pages)


def _write(out: Path, pages: list[bytes]) -> int:
    if not pages:
        raise ValueError("no cover sheet to print")
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(img2pdf.convert(pages))
    tmp.replace(out)
    return len(pages)


def coversheets_pdf(s: Session, out: Path, *, branch: str | None = None, only_unscanned: bool = False,
                    file_number: str | None = None, dividers: bool = True,
                    office: str | None = None) -> dict[str, int]:
    """The cover sheets of one branch's register (or every branch's), each branch's followed by its divider sheets
    when asked; written to ``out``. Empty (and nothing written) when there is no register file to print.
    ``office``: that office's branches only (a branch is (office, key): another office may have one of that key)."""
    fonts = Fonts()
    pages: list[bytes] = []
    covers = divs = 0
    for b in s.scalars(select(Branch).order_by(Branch.key)):
        if branch is not None and b.key != branch:
            continue
        home = s.get_one(Office, b.office_id)
        if office is not None and home.key != office:
            continue
        info = BranchInfo(home.key, home.name_hi, home.name_en, b.key, b.name_hi, b.name_en)
        rows = cover_files(s, b.id, only_unscanned=only_unscanned, file_number=file_number)
        for r in rows:
            pages.append(_png(cover_page(fonts, info, CoverFile(r.id, r.file_number, r.subject, r.year, r.category,
                                                                r.location))))
        covers += len(rows)
        if rows and dividers and file_number is None:
            pages += [_png(divider_page(fonts, info, p)) for p in PARTS]
            divs += len(PARTS)
    if not pages:
        return {}
    _write(out, pages)
    return {"covers": covers, "dividers": divs, "pages": len(pages)}
