"""A blank back whose other side shows through is a blank page, not a page of garbage text.

The probe (ocr.probe) keeps faint show-through from passing for ink, but where the paper is thin the back's print
shows through dark enough to be read: a blank back with its front showing through mirrored at strength 0.4-0.5 (front
blurred 1.5 px, paper `235 - (255 - front) * s`) came out as 900-3000 characters of garbage at confidence 30-46,
stored as the page's text (searched, tagged) and sending its document to review.

What shows through is the other side's print seen from behind: mirrored. Read mirrored, it is print again, and
tesseract reads it far better than as it lies; real text read mirrored is garbage. So a page read below SHOW_BELOW
mean confidence is scored (orient.score: confidence-weighted characters of a band of its text, read as one block) as
read and mirrored (left-right, and top-bottom for a page read the other way up); when a mirror reads MIRROR_CLEAR
times as well as the page as read, and as much as a few confident words (MIRROR_FLOOR), the page is show-through
and blank — unless the page as read scores AS_READ_BELOW or more: print on the page itself with a strong show-through
behind it (an English letter in grey ink over a Hindi page showing through at 0.45 scored 302 as read, 681 mirrored)
keeps its read. Tuning pages (bench/results/showthrough.md): 12 show-through backs (seeds 0-11) scored 21-95 as
read and 3.2-5.4 times that mirrored (one back, its front blurred 2.4 px, read equally badly both ways and stays a
text page); the 27 odd real crops and 24 faded, pale and mixed pages (seeds 0-7) read mirrored at most 0.43 times as
well as upright, but for that grey English letter.
"""
from __future__ import annotations

from PIL import Image, ImageOps

from ocr import orient

SHOW_BELOW = 60.0       # mean word confidence under which a read may be the back's print showing through
MIRROR_CLEAR = 1.5      # a mirror must read this many times as well as the page as read ...
MIRROR_FLOOR = 60.0     # ... and score at least this much (about a dozen confident letters' worth of words) ...
AS_READ_BELOW = 150.0   # ... while the page as read scores less than this: print on the page itself reads as more


def mirrored(image: Image.Image, lang: str, *, dpi: int, timeout: float) -> bool:
    """Whether `image` (the page as it was read: upright, levelled) reads clearly better mirrored than as it is:
    the back's print showing through a blank page."""
    text = image.crop(orient.content_box(image))
    as_read = orient.score(orient.sample(text), lang, dpi=dpi, timeout=timeout)
    if as_read >= AS_READ_BELOW:
        return False
    mirror = max(orient.score(orient.sample(m), lang, dpi=dpi, timeout=timeout)
                 for m in (ImageOps.mirror(text), ImageOps.flip(text)))
    return mirror >= MIRROR_FLOOR and mirror >= MIRROR_CLEAR * as_read
