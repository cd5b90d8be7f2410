"""One page, start to finish, inside a pool worker: rasterise, probe, turn upright, recognise, write its text layer.

Only this page's pixels are in memory; the worker keeps nothing between pages.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from ocr import born_digital, faint, handwriting, level, models, orient, pdfimage, raster, symbols, tesseract
from ocr.errors import EngineMissing, OcrError, PageTimeout
from ocr.frame import unframed
from ocr.grain import smoothed
from ocr.negative import positive
from ocr.probe import MIN_SKEW, Probe, probe
from ocr.showthrough import SHOW_BELOW, mirrored
from ocr.textlayer import orient_layer

BORN_DIGITAL = "pdf-text"   # PageResult.language of a page whose own text layer was used


@dataclass(frozen=True)
class PageTask:
    source: Path            # the original file (never modified)
    kind: str               # pdf | tiff | jpeg | png
    index: int              # 0-based
    languages: str          # a tesseract -l spec ("Devanagari", "eng+hin", ...) or "auto" (chosen per page)
    dpi: int                # rasterisation DPI for PDF; fallback DPI for images without a believable one
    timeout: float          # seconds, for each external program on this page
    max_pixels: int
    layer: Path             # where to write this page's text-only PDF
    psm: int = 3
    mode: str = "skip"      # PDF pages that already carry text: skip (use it) | redo | force (OCR anyway)


@dataclass(frozen=True)
class PageResult:
    number: int             # 1-based
    text: str
    confidence: float | None
    blank: bool
    language: str | None    # the model(s) that read the page; "pdf-text" for its own text; None when blank
    rotation: int           # degrees clockwise the page was turned to be read upright (0, 90, 180, 270)
    seconds: float
    layer: Path | None      # None: nothing to graft (blank page, or a page that already has its text)
    skew: float = 0.0       # degrees the page was levelled by before reading (counter-clockwise)
    turned_by: str | None = None        # what decided `rotation`: "probe" | "reread" (verified); None unread
    turn_margin: float | None = None    # 0-1: how sure that decision was
    handwritten: bool = False           # handwriting: `text` is empty, what tesseract made of it is in raw_text
    raw_text: str | None = None
    doubtful: tuple[str, ...] = ()      # words with a digit tesseract was unsure of
    trust: float | None = None          # the confidence to judge the read by, when not `confidence`: the first
                                        # model's, where a `Devanagari+hin` read was kept (it reads garbage surer)


def load(task: PageTask) -> tuple[Image.Image, int]:
    """The page's pixels when it is not a single full-page scan (process_page tries that first)."""
    if task.kind == "pdf":
        return raster.render_pdf_page(task.source, task.index, dpi=task.dpi, timeout=task.timeout,
                               max_pixels=task.max_pixels)
    return raster.image_page(task.source, task.index, max_pixels=task.max_pixels, default_dpi=task.dpi)


# Verification of the probe's turn (ocr.orient), measured on 27 real 300-dpi Devanagari crops × 4 turns
# (bench/results/orient.md): every wrong turn had a flip margin below 0.35, or fewer than 12 words measured, or was
# read at a mean confidence of 35 or less; right turns of clean pages read at 60-92.
SURE_FLIP = 0.45        # the probe's up/down vote at least this one-sided ...
SURE_AXIS = 0.6         # ... its line comb this much sharper along the axis than across ...
SURE_WORDS = 12         # ... over at least this many words: the probe is trusted
LOW_CONFIDENCE = 50.0   # a read below this mean word confidence is checked the other way(s) up
# ... and a read below UNSURE_BELOW when the probe was not sure. The first read of a real crop the probe was unsure
# of but turned right came out at 42-78 (CLI reads, tuning half); the gate was checked by reading both halves in
# all four turns: 0 wrong turns of 212 (bench/results/orient-real-*.md). Verifying every unsure page
# whatever its read (as before) verified 30 % of the tuning half's upright crops; this verifies 19 % (two of those five
# were wrong turns of the probe, caught), 12 % of the held-out half (bench/results/realscans.md).
UNSURE_BELOW = 60.0
NO_EVIDENCE_CLEAR = 1.1   # orient.verify's margin for another turn when the probe had no up/down evidence
# A page read below ENLARGE_BELOW mean confidence is read again enlarged twice (bicubic) and the read with the higher
# confidence is kept (it must beat the first by ENLARGE_GAIN). Tesseract binarises the enlarged page with smoother
# stroke edges; on real letterpress that is worth 1-7 CER points, on clean pages it can cost as much, which the
# confidence gate and the comparison keep away (27 real crops: 11.8 → 10.9 % measured on the tuning half; generated
# office letters: 3 of 12 pages re-read, two of them 14-16 points better). Not for pages already read at ENLARGE_UPTO
# dpi or more, nor for pages already enlarged from a low DPI (raster.upscale): a 96-dpi page enlarged six times read
# its grain as lines of text.
# The enlarged read is abandoned after ENLARGE_MAX_S (on a grainy photocopy tesseract can take minutes over the
# enlarged speckle; the first read then stands). A fixed, generous limit, not a multiple of the first read's wall
# time: that budget (2.5 × the first read) ran out on a loaded machine for one of two identical pages and not the
# other, so a page's text depended on the machine's load (a real crop's enlarged read takes 1-3 s).
ENLARGE_MAX_S = 60.0
ENLARGE_BELOW = 75.0
# A Devanagari read below COMBINE_BELOW mean confidence is read again by `Devanagari+hin` (models.WITH_HINDI) and the
# more confident read is kept. Tuning half of the real crops: every page gained or tied below 85; the two read at 90+
# tie (1.3 and 0 %); a generated office letter read at 86 by `Devanagari` is read worse by `Devanagari+hin` (stamp
# ink read as Devanagari words, 7.7 → 10.4 %), and at 85.5, less confidently: the confidence keeps `Devanagari`.
COMBINE_BELOW = 88.0
SECOND_SLACK = 5.0      # `auto`: eng / Devanagari+eng replace a Devanagari read unless this much less confident
ENLARGE_GAIN = 2.0
MIN_STEP_S = 10.0       # the least time a further read is given before the page's time-out is spent
ENLARGE_UPTO = 400


def upright(image: Image.Image, look: Probe) -> Image.Image:
    """The page turned by the probe's quarter turn and levelled by its deskew angle (same size, white fill)."""
    image = orient.turned(image, look.turn)
    if abs(look.deskew) >= MIN_SKEW:
        image = level.rotate(image, look.deskew)   # bilinear: bicubic's CER after tesseract's binarisation
    return image


def prepared(image: Image.Image, dpi: int, look: Probe) -> tuple[Image.Image, int]:
    """What tesseract reads, and at what DPI, as read_upright prepares it: the page turned upright (lossless), its
    paper made white, enlarged when it was scanned below raster.UPSCALE_BELOW dpi, then levelled."""
    base, read_dpi = raster.upscale(level.prepare(orient.turned(image, look.turn), dpi), dpi)
    return upright(base, replace(look, turn=0)), read_dpi


def settled(image: Image.Image, dpi: int, turn: int) -> tuple[Image.Image, Probe]:
    """The page turned `turn` (a lossless transpose) and looked at again as if it had been scanned that way up:
    a page turned 90° or 180° and brought back is then the very same pixels as its upright twin, with the same probe
    (skew, margins), and is read along the same path. A probe that now calls for another turn contradicts the
    first: the page stays as turned, unsure (verification decides), levelled only when the axis agrees."""
    page = orient.turned(image, turn)
    look = probe(page, dpi)
    if look.turn == 0:
        return page, look
    same_axis = look.turn == 180     # a half turn commutes with the levelling: its skew angle holds
    return page, replace(look, turn=0, deskew=look.deskew if same_axis else 0.0, flip_margin=0.0,
                         axis_margin=look.axis_margin if same_axis else 0.0)


def _sure(look: Probe) -> bool:
    return look.flip_margin >= SURE_FLIP and look.axis_margin >= SURE_AXIS and look.words >= SURE_WORDS


def _mass(read: tesseract.TesseractResult) -> float:
    """Confidence-weighted characters of a read (what a wrong turn loses most of)."""
    return (read.confidence or 0.0) * len("".join(read.text.split())) / 100


@dataclass(frozen=True)
class Reading:
    read: tesseract.TesseractResult
    look: Probe             # the probe of the page as read, with the turn (from the scan) it was read in
    turned_by: str          # probe | reread
    margin: float
    image: Image.Image      # exactly what tesseract read (the doubtful words' boxes are on it)
    dpi: int
    model: str = ""         # the model(s) whose read was kept
    first: float | None = None   # the first model's confidence, when a read with `also` was kept instead


def read_upright(image: Image.Image, dpi: int, look: Probe, lang: str, task: PageTask,
                 also: str | None = None) -> Reading:
    """Turn the page the probe's way up (lossless) and read it as an upright scan; verify that way (ocr.orient) when
    the probe was unsure or the read is poor, and read again the other way (turned from the scan, as an upright scan)
    when that reads clearly better; read a page below COMBINE_BELOW again with `also` (models.reading) and keep the
    more confident; read a poor page again enlarged."""
    deadline = time.monotonic() + task.timeout
    turn = look.turn
    page, look = settled(image, dpi, turn) if turn else (image, look)
    base, read_dpi = raster.upscale(level.prepare(page, dpi), dpi)
    first: float | None = None

    def left() -> float:
        """Seconds a further, optional read may take: what is left of the page's time-out (at least
        MIN_STEP_S), or 0 once it is spent, so that a page's reads end within about twice the time-out."""
        spare = deadline - time.monotonic()
        return 0.0 if spare <= 0 else min(task.timeout, max(MIN_STEP_S, spare))

    def recognise(how: Probe, model: str = lang, on: Image.Image | None = None,
                  timeout: float | None = None) -> tesseract.TesseractResult:
        return tesseract.recognise(upright(base if on is None else on, how), model, dpi=read_dpi,
                                   timeout=task.timeout if timeout is None else timeout, psm=task.psm)

    def optional(how: Probe, model: str = lang, on: Image.Image | None = None) -> tesseract.TesseractResult | None:
        """A further read, or None when the page's time is spent or the read ran out of it."""
        budget = left()
        if budget <= 0:
            return None
        try:
            return recognise(how, model, on, timeout=budget)
        except PageTimeout:
            return None

    read = recognise(look)
    turned_by, margin, seen, seen_dpi = "probe", look.margin, None, read_dpi
    verdict = None
    confidence = read.confidence if read.confidence is not None else 0.0
    if (confidence < LOW_CONFIDENCE or (confidence < UNSURE_BELOW and not _sure(look))) and left() > 0:
        try:
            # a probe without an up/down vote (flip margin 0: capitals and digits, split headlines) has only taken
            # the page as scanned: its turn gets a small head start only (a receipt turned 180° scored 1.22 × upside
            # down; none at all turned a handwritten noting sheet 180° on a 1.02 × score, read as print)
            verdict = orient.verify(base, 0, lang, dpi=read_dpi, timeout=left(),
                                    all_turns=look.axis_margin < SURE_AXIS or look.words < SURE_WORDS,
                                    clear=orient.CLEAR if look.flip_margin > 0 else NO_EVIDENCE_CLEAR)
        except EngineMissing:
            raise
        except OcrError:    # the check could not be made: the probe's turn stands, recorded as the probe's
            verdict = None
    if verdict is not None:
        turned_by, margin = "reread", verdict.margin
        if verdict.changed:
            other_turn = (turn + verdict.turn) % 360
            other_page, other = settled(image, dpi, other_turn)
            other_base = raster.upscale(level.prepare(other_page, dpi), dpi)[0]
            again = optional(other, on=other_base)
            if again is not None and _mass(again) > _mass(read):
                read, look, base, turn = again, other, other_base, other_turn
    if (also and also != lang and read.confidence is not None and read.confidence < COMBINE_BELOW
            and models.second_opinion(lang, read.text, read.confidence) != models.ENGLISH):
        both = optional(look, also)
        if both is not None and (both.confidence or 0.0) > read.confidence:
            first, read, lang = read.confidence, both, also
    if read.confidence is not None and read.confidence < ENLARGE_BELOW and dpi == read_dpi < ENLARGE_UPTO \
            and left() > 0:
        big = upright(base, look)
        big = big.resize((big.width * 2, big.height * 2), Image.Resampling.BICUBIC)
        try:
            enlarged = tesseract.recognise(big, lang, dpi=read_dpi * 2, timeout=min(left(), ENLARGE_MAX_S),
                                           psm=task.psm)
        except EngineMissing:
            raise
        except OcrError:    # a pathological read (minutes over enlarged speckle): the first read stands
            enlarged = None
        if enlarged is not None and (enlarged.confidence or 0.0) >= read.confidence + ENLARGE_GAIN:
            read, seen, seen_dpi = enlarged, big, read_dpi * 2
    return Reading(read, replace(look, turn=turn), turned_by, margin,
                   seen if seen is not None else upright(base, look), seen_dpi, lang, first)


def _second_opinion(got: Reading, lang: str, task: PageTask, *, only_english: bool = False) -> tuple[Reading, str]:
    """`auto`: read the page again with the model its first read points to, and keep the more confident read.
    `only_english` (the default `Devanagari`): only a read that is all Latin letters is tried again, with eng."""
    other = models.second_opinion(lang, got.read.text, got.read.confidence)
    if other is None:
        return got, lang
    if only_english and other != models.ENGLISH:
        return got, lang
    again = tesseract.recognise(got.image, other, dpi=got.dpi, timeout=task.timeout, psm=task.psm)
    # `auto`: Latin letters in a Devanagari read call for the model made for them, unless it reads clearly less
    # surely. The default keeps its Devanagari read unless eng is the more confident: on generated English letters
    # the Devanagari model read the prepared page better whenever it was the more confident (8 pages,
    # bench/results/english.md: 2.7 vs 6.2 % and 7.6 vs 11.2 % where auto's slack took eng).
    slack = SECOND_SLACK if lang == models.HINDI and not only_english else 0.0
    if (again.confidence or 0.0) > (got.read.confidence or 0.0) - slack:
        return replace(got, read=again, first=None), other   # judged by its own confidence
    return got, lang


def process_page(task: PageTask) -> PageResult:
    started = time.monotonic()

    def result(text: str, **kw: object) -> PageResult:
        fields: dict = {"confidence": None, "blank": False, "language": None, "rotation": 0, "layer": None} | kw
        return PageResult(number=task.index + 1, text=text, seconds=round(time.monotonic() - started, 3), **fields)

    scan = None
    if task.kind == "pdf":
        # a page that is nothing but one full-page image has no text of its own: no need to ask pdftotext
        scan = pdfimage.scanned_page(task.source, task.index, task.max_pixels, (raster.MIN_DPI, raster.MAX_DPI))
        if scan is None and task.mode == "skip":
            own = born_digital.existing_text(task.source, task.index, timeout=task.timeout)
            if own is not None:
                return result(own, language=BORN_DIGITAL)
    image, dpi = scan or load(task)
    image = positive(image, dpi)      # white print on a black page (a microfilm negative) made dark on light
    painted = unframed(image, dpi)    # a dark lid, table or gutter around the sheet made paper (ocr.frame)
    look = probe(grained := smoothed(painted, dpi), dpi)   # grain levelled into specks tesseract never ends
    if look.blank and painted is not image:   # what was painted may be the sheet (a dark card with faint print
        grained = smoothed(image, dpi)        # on a white bed, attack round 2): the page is read as scanned
        look = probe(grained, dpi)
    image = grained
    del painted, grained
    if look.blank or look.words < faint.FEW_WORDS:   # no clear ink, or little: faint text? (ocr.faint)
        lang = models.HINDI if task.languages.strip().lower() == models.AUTO else task.languages
        pale = faint.paler(image, dpi, look, lang, timeout=task.timeout)
        if pale is None and look.blank:
            return result("", blank=True)
        if pale is not None:
            image, look = pale
    width, height = image.width * 72 / dpi, image.height * 72 / dpi   # the page as displayed, in points
    # `auto` reads Devanagari first (it reads English nearly as well; the probe's script share misses real
    # letterpress) and lets the read's own letters call for eng or Devanagari+eng (_second_opinion)
    lang = models.HINDI if task.languages.strip().lower() == models.AUTO else task.languages
    got = read_upright(image, dpi, look, lang, task, also=models.reading(lang, tesseract.languages()))
    chosen = lang
    if task.languages.strip().lower() == models.AUTO:
        got, chosen = _second_opinion(got, lang, task)
    elif task.languages.strip() == models.HINDI:    # the default: a page that is clearly English may read better
        got, chosen = _second_opinion(got, lang, task, only_english=True)
    if (got.read.confidence or 0.0) < SHOW_BELOW and mirrored(   # the back's print seen from behind: blank
            got.image, lang, dpi=got.dpi, timeout=task.timeout):     # (scored by the page's first model)
        return result("", blank=True)
    # the model named for the page; its digits are checked by the first model (hin drops the digit 1)
    digits_lang, lang = (chosen, chosen) if chosen != lang else (lang, got.model or lang)
    read, look, turned_by, margin = got.read, got.look, got.turned_by, got.margin
    # poor reads and handwriting are judged by the first model's confidence: the combined model is surer of garbage
    trust = got.first if got.first is not None and read.confidence is not None and got.first < read.confidence \
        else None
    hand = handwriting.handwritten(image, dpi, read.confidence if trust is None else trust, look)
    doubtful = () if hand or not read.doubtful else symbols.still_doubtful(
        got.image, read.doubtful, digits_lang, dpi=got.dpi, timeout=task.timeout)
    del image, got
    if not hand:   # a handwritten page keeps its image in the archived PDF, without tesseract's garbage over it
        orient_layer(read.pdf, task.layer, width=width, height=height, turn_ccw=look.turn, deskew=look.deskew)
    return result("" if hand else read.text, confidence=read.confidence, language=lang,
                  rotation=(-look.turn) % 360, layer=None if hand else task.layer, skew=look.deskew,
                  turned_by=turned_by, turn_margin=round(margin, 3), handwritten=hand,
                  raw_text=read.text if hand else None, doubtful=doubtful, trust=trust)
