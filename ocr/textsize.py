"""How big the text of a page is in pixels, from the pixels alone: the distance between its text lines.

A scan whose DPI neither the file nor its pixel size tells (a crop saved without one) is read at the DPI its text
size implies (then enlarged by ocr.raster.upscale when that is low). The line pitch, baseline to
baseline, is the same measure for Devanagari and Latin print (a Devanagari word is one connected blob under its
shirorekha, a Latin word a row of letters: blob heights differ by script; line pitch does not), and it scales
exactly with the resolution: measured on 53 real 300-dpi crops resampled to 96, 150 and 600 dpi, the pitch found at
each resolution was that at 300 dpi times the ratio, to a pixel, in all four turns.

The pitch is the strongest peak of the autocorrelation of the ink's row profile (or a clear peak at a whole fraction
of its lag), taken in vertical strips (a tilt of a few degrees smears one profile across a wide page, not a strip's)
and averaged. The same across the page, for a page scanned sideways: lines show a comb along one axis only, and
where letter spacing makes one across them too, the axis whose profile swings more (empty rows between lines) wins.
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

STRIPS = 4              # vertical strips whose row profiles are correlated separately
MIN_PEAK = 0.12         # an autocorrelation peak weaker than this is no line comb (a picture, a single line)
MAX_SIDE = 1600         # pixels: a larger image is measured on a reduced copy (the pitch is scaled back)
MIN_PITCH = 5           # pixels: finer than this is halftone or grain, not text lines
PROMINENCE = 0.15       # a line comb's peak stands this far above the deepest dip before it
# a peak at least this share of the strongest, at a half, third or quarter of its lag, is the pitch (verse: a long
# and a short line in turn make every other line the strongest period)
HARMONIC_SHARE = 0.5
# The line pitch, in inches, taken for the page's when its DPI is inferred: between book type (10-12 pt on 12-14 pt
# lines, 0.15-0.2 in) and office letters (12 pt at 1.5 spacing, 0.25 in), erring on the side of enlarging small text.
# Chosen on the odd half of 53 real crops resampled to 96-300 dpi and saved without a DPI (mean CER at 0.17 / 0.22 /
# 0.27 in: 96 dpi 29.5 / 29.8 / 29.8, 120 dpi 20.0 / 18.7 / 18.3, 150 dpi 15.2 / 13.5 / 13.1, 300 dpi - / 10.1 /
# 9.8; bare Devanagari 61.1, 41.2, 26.3, 11.5); the even half is the held-out check (bench/nodpi_bench.py).
BODY_PITCH_INCHES = 0.25


def _banded(ink: np.ndarray) -> float:
    """How much the ink's row profile swings within each vertical strip (coefficient of variation over its inked
    rows, averaged): lines of text leave empty rows between them; across the lines every column of a strip holds
    some letter of some line (a strip, so that a gutter between two columns of text does not count as a swing)."""
    width = ink.shape[1]
    swings = []
    for k in range(STRIPS):
        profile = ink[:, k * width // STRIPS:(k + 1) * width // STRIPS].mean(axis=1)
        inked = np.nonzero(profile)[0]
        if len(inked) < 2:
            continue
        profile = profile[inked[0]:inked[-1] + 1]
        swings.append(float(profile.std() / max(float(profile.mean()), 1e-9)))
    return float(np.mean(swings)) if swings else 0.0


def _comb(ink: np.ndarray) -> tuple[int, float] | None:
    """The line pitch (pixels) along the rows of an ink mask, and how sharp its comb is (0-1)."""
    height, width = ink.shape
    if height < 4 * MIN_PITCH:
        return None
    curves = []
    for k in range(STRIPS):
        profile = ink[:, k * width // STRIPS:(k + 1) * width // STRIPS].mean(axis=1)
        profile = profile - profile.mean()
        spectrum = np.fft.rfft(profile, 2 * height)          # the autocorrelation, through the FFT
        curve = np.fft.irfft(spectrum * np.conj(spectrum))[:height]
        if curve[0] > 0:
            curves.append(curve / curve[0])
    if not curves:
        return None
    curve = np.mean(curves, axis=0)
    top = min(len(curve) - 1, height // 2)
    low = np.minimum.accumulate(curve)     # the deepest dip before each lag
    peaks = [lag for lag in range(MIN_PITCH, top)
             if curve[lag] > curve[lag - 1] and curve[lag] >= curve[lag + 1] and curve[lag] >= MIN_PEAK
             and curve[lag] - low[lag] >= PROMINENCE]
    if not peaks:
        return None
    best = max(peaks, key=lambda lag: float(curve[lag]))
    # the strongest peak can be a multiple of the pitch (paragraph spacing, verse): the pitch is then a clear peak
    # at a half, a third or a quarter of its lag
    for lag in peaks:
        times = best / lag
        if round(times) in (2, 3, 4) and abs(times - round(times)) <= 0.08 * round(times) \
                and curve[lag] >= HARMONIC_SHARE * curve[best]:
            best = lag
            break
    return best, float(curve[best])


def line_pitch(image: Image.Image) -> float | None:
    """Baseline-to-baseline distance of the page's text lines in pixels, or None when it shows no lines of text."""
    gray = image.convert("L")
    scale = 1.0
    if max(gray.size) > MAX_SIDE:
        scale = MAX_SIDE / max(gray.size)
        gray = gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))),
                           Image.Resampling.BOX)
    pixels = np.ascontiguousarray(np.asarray(gray, dtype=np.uint8))
    threshold, _ = cv2.threshold(pixels, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)   # as ocr.grain, tesseract
    ink = (pixels <= threshold).astype(np.float32)
    share = float(ink.mean())
    if not 0.002 <= share <= 0.5:      # blank, or a photo / dark border rather than print on paper
        return None
    across = np.ascontiguousarray(ink.T)
    along, other = _comb(ink), _comb(across)
    if along is not None and other is not None:     # letter spacing can make a comb across the lines too
        comb = along if _banded(ink) >= _banded(across) else other
    else:
        comb = along or other
    return None if comb is None else comb[0] / scale


def implied_dpi(pitch: float | None) -> int | None:
    """The DPI at which lines `pitch` pixels apart are ordinary body text (BODY_PITCH_INCHES apart), or None."""
    return None if pitch is None else round(pitch / BODY_PITCH_INCHES)
