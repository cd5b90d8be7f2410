"""Text rules shared by ocr, store, ingest and report: NFC, invisible characters, Devanagari digit folding,
file-number labels and the file-number matching key. Imports no project package.
"""
from __future__ import annotations

import unicodedata

import regex

__all__ = ["INVISIBLE", "JOINERS", "LABELS", "LABEL_PATTERN", "assigned_number", "digit_groups", "file_number_key",
           "fold_digits", "nfc", "strip_invisible", "strip_label"]

_FOLD = str.maketrans("०१२३४५६७८९", "0123456789")
#: Invisible inside a word (ZWNJ, ZWJ, soft hyphen, BOM): dropped, the word stays one word.
JOINERS = "\u200c\u200d\u00ad\ufeff"
#: JOINERS plus the zero-width space, which the taggers drop too (OCR and PDFs put it inside numbers).
INVISIBLE = "\u200b" + JOINERS
_NOT_KEY = regex.compile(r"[^\p{L}\p{M}\p{N}]+")
_ABR = "[.०॰]"  # abbreviation marks: क्र. / क्र० / क्र॰

#: (regex, kind, confidence) of file-number labels, most specific first. Matched on NFC text *before* digit
#: folding (``०`` is also an abbreviation mark). ``endorsement`` (पृ.क्र.) ranks below the others.
LABELS: tuple[tuple[str, str, float], ...] = (
    (rf"पृष्ठांकन\s*(?:क्रमांक|क्रं?{_ABR}?)", "endorsement", 0.45),
    (rf"पृ\s*{_ABR}\s*क्र(?:मांक|ं)?{_ABR}?", "endorsement", 0.45),
    (r"(?i:end(?:orsement|st|t)\s*\.?\s*no)\.?", "endorsement", 0.45),
    (rf"(?:फ़ाइल|फाइल|फाईल|नस्ती)\s*(?:क्रमांक|क्रं?{_ABR}?|नं{_ABR}?)", "file", 0.95),
    (rf"फा\s*{_ABR}?\s*क्र(?:मांक|ं)?{_ABR}?", "file", 0.95),
    (r"(?i:f\s*\.\s*no|file\s*no)\.?", "file", 0.95),
    (rf"प्रकरण\s*(?:क्रमांक|क्रं?{_ABR}?)", "case", 0.9),
    (r"(?i:(?:revenue\s*)?case\s*no)\.?", "case", 0.9),
    (r"(?i:(?:letter|memo|order)\s*no)\.?", "letter", 0.8),
    (rf"क्रमांक|क्रमाँक|क्रं{_ABR}?|क्र{_ABR}", "number", 0.85),
    (r"(?i:no)(?:\.|(?=\s*:))", "number", 0.65),
)

#: Any label, as one regex source (no groups). Not preceded by a letter/mark/digit/dot, so the क्र. inside
#: पृ.क्र. is never read alone; a label ending in a letter must not continue into a word (क्रमांकों).
LABEL_PATTERN = (
    r"(?<![\p{L}\p{M}\p{N}.])(?:"
    + "|".join(pattern for pattern, _, _ in LABELS)
    + r")(?:(?<=[.०॰])|(?![\p{L}\p{M}]))"
)
_LEADING_LABEL = regex.compile(r"^\s*" + LABEL_PATTERN + r"[\s:ः\-–—/_]*")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_invisible(text: str, chars: str = INVISIBLE) -> str:
    """NFC with ``chars`` (default :data:`INVISIBLE`) removed."""
    return nfc(text.translate({ord(c): None for c in chars}) if chars else text) if text else text


def fold_digits(text: str) -> str:
    """NFC-normalise and fold Devanagari digits ०-९ (U+0966–U+096F) to ASCII 0-9 (same length as the NFC text)."""
    return nfc(text).translate(_FOLD)


def strip_label(text: str) -> tuple[str | None, str]:
    """Split a leading label (क्रमांक, फा.क्र., F.No., …) from a number: ``(label or None, rest)``."""
    text = nfc(text)
    m = _LEADING_LABEL.match(text)
    if m is None or m.end() == len(text):
        return None, text
    label = regex.sub(r"[\s:ः\-–—/_]+$", "", m.group()).strip()
    return label, text[m.end() :]


def file_number_key(text: str) -> str:
    """Matching key: digits folded, Latin casefolded, leading label dropped, every separator/space/punctuation
    dropped, Devanagari letters kept with their combining marks.

    ``REV-03/2027/2019-COLL`` and ``rev_03_2027_2019_coll`` → ``rev0320272019coll``;
    ``क्रमांक/३७८/राज./२०१७`` → ``378राज2017``.
    """
    _, rest = strip_label(text)
    return nfc(_NOT_KEY.sub("", fold_digits(rest)).casefold())


def digit_groups(text: str) -> tuple[str, ...]:
    """The digit runs of a file number, either digit set: ``1/23/2021`` → ``('1', '23', '2021')``. Two numbers with
    one key (``1/23/2021``, ``12/3/2021``) but other groups are other files."""
    return tuple(regex.findall(r"[0-9]+", fold_digits(text)))


def assigned_number(text: str) -> tuple[str, str]:
    """A number a person typed (either digit set, with or without its label): ``(as printed, key)`` — digits
    folded, label stripped, spaces collapsed."""
    value = " ".join(strip_label(fold_digits(text))[1].split()).strip()
    return value, file_number_key(value)
