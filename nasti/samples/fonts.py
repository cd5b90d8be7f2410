"""Fonts for the synthetic letters: locate them, shape with raqm, and split mixed-script lines into font runs.

Noto Serif Devanagari has Devanagari, digits and punctuation but no Latin letters, and DejaVu Serif has no
Devanagari, so every line is drawn as a sequence of runs, each in the first font that has its glyphs.
"""
from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageDraw, ImageFont, features

HAS_RAQM: bool = bool(features.check("raqm"))
LATIN_IN_DEVA_SCALE = 0.9

# family name for fc-match, then known paths (Debian packages fonts-noto-core, fonts-lohit-deva, fonts-dejavu-core)
_FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "deva": (
        "Noto Serif Devanagari",
        (
            "/usr/share/fonts/truetype/noto/NotoSerifDevanagari-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
            "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",
        ),
    ),
    "latin": (
        "Noto Serif",
        ("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
    ),
    "en": ("DejaVu Serif", ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",)),
}


class FontMissing(RuntimeError):
    """A font needed to draw the samples is not installed."""


@functools.cache
def font_path(role: str) -> Path:
    """The file of the font for `role` ("deva", "latin" or "en"), found with fc-match, else at a known path."""
    family, known = _FAMILIES[role]
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{family}\n%{file}", family], capture_output=True, text=True, timeout=20, check=True
            ).stdout.splitlines()
        except (subprocess.SubprocessError, OSError):
            out = []
        if len(out) >= 2 and family.lower() in out[0].lower() and Path(out[1]).is_file():
            return Path(out[1])
    for p in known:
        if Path(p).is_file():
            return Path(p)
    raise FontMissing(f"font {family!r} not found (install fonts-noto-core / fonts-dejavu-core)")


_USING: dict[str, Path] = {}


@contextlib.contextmanager
def using(**faces: Path | None) -> Iterator[None]:
    """Draw with other font files for some roles while the block runs: `using(deva=Path(...), latin=...)`."""
    saved = dict(_USING)
    _USING.update({role: Path(p) for role, p in faces.items() if p is not None})
    try:
        yield
    finally:
        _USING.clear()
        _USING.update(saved)


def face(role: str) -> Path:
    """The font file drawn for `role` now: the one `using` set, else font_path(role)."""
    return _USING.get(role) or font_path(role)


def font_roles(lang: str) -> tuple[str, str]:
    """(primary, fallback) font roles for a letter language."""
    if lang == "en":
        return "en", "deva"
    if lang in ("hi", "mixed"):
        return "deva", "latin"
    raise ValueError(f"lang must be 'hi', 'en' or 'mixed', not {lang!r}")


def load_font(role: str, size_px: int) -> ImageFont.FreeTypeFont:
    return _truetype(face(role), size_px)


@functools.cache
def _truetype(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    if not HAS_RAQM:
        warnings.warn(
            "Pillow has no raqm layout: Devanagari conjuncts and matras will be drawn wrongly "
            "(install libraqm0 and restart)",
            RuntimeWarning,
            stacklevel=2,
        )
    engine = ImageFont.Layout.RAQM if HAS_RAQM else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(path), size_px, layout_engine=engine)


@functools.cache
def _notdef(path: Path) -> tuple[tuple[int, int], bytes]:
    mask = _truetype(path, 48).getmask("\U0010fffd")
    return mask.size, bytes(mask)


def has_glyph(role: str, ch: str) -> bool:
    """Whether the font drawn for `role` draws `ch` as something other than its .notdef box."""
    return _has_glyph(face(role), ch)


@functools.cache
def _has_glyph(path: Path, ch: str) -> bool:
    if ch.isspace():
        return True
    mask = _truetype(path, 48).getmask(ch)
    return (mask.size, bytes(mask)) != _notdef(path)


def _joins_run(ch: str) -> bool:
    """Characters that never start a run of their own: combining marks, joiners, spaces."""
    return ch.isspace() or unicodedata.category(ch) in ("Mn", "Mc", "Me", "Cf")


def split_runs(text: str, lang: str) -> list[tuple[str, str]]:
    """Split a line into (text, font role) runs. Marks stay with their base; digits and punctuation stay in the
    current run when its font has them, so clusters and numbers are never cut."""
    primary, fallback = font_roles(lang)
    runs: list[tuple[str, str]] = []
    buf: list[str] = []
    cur: str | None = None
    for ch in text:
        if cur is not None and (_joins_run(ch) or (not ch.isalpha() and has_glyph(cur, ch))):
            buf.append(ch)
            continue
        role = primary if has_glyph(primary, ch) else fallback if has_glyph(fallback, ch) else primary
        if role != cur and buf:
            runs.append(("".join(buf), cur or primary))
            buf = []
        cur = role
        buf.append(ch)
    if buf:
        runs.append(("".join(buf), cur or primary))
    return runs


@dataclass(frozen=True)
class LineFont:
    """The fonts of one page: primary/fallback at one pixel size."""

    lang: str
    size_px: int

    def font(self, role: str) -> ImageFont.FreeTypeFont:
        # Noto Serif's Latin looks a size larger than Noto Serif Devanagari's letters at the same pixel size
        return load_font(role, round(self.size_px * LATIN_IN_DEVA_SCALE) if role == "latin" else self.size_px)

    @property
    def ascent(self) -> int:
        return max(self.font(r).getmetrics()[0] for r in font_roles(self.lang))

    def width(self, text: str) -> float:
        return sum(self.font(role).getlength(run) for run, role in split_runs(text, self.lang))

    def draw(self, draw: ImageDraw.ImageDraw, x: float, baseline: float, text: str, fill: int = 0) -> None:
        for run, role in split_runs(text, self.lang):
            font = self.font(role)
            draw.text((x, baseline), run, font=font, fill=fill, anchor="ls")
            x += font.getlength(run)


def wrap(text: str, max_width: float, lf: LineFont) -> list[str]:
    """Greedy word wrap of `text` to `max_width` pixels (a single over-long word gets a line of its own)."""
    lines: list[str] = []
    cur = ""
    for word in text.split():
        trial = f"{cur} {word}" if cur else word
        if cur and lf.width(trial) > max_width:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines
