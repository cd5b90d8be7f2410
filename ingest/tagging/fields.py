"""Letter fields from page text: subject (विषय / Subject) and letter date (दिनांक / Dated)."""
from __future__ import annotations

import datetime

import regex

from common.text import fold_digits, strip_invisible

__all__ = ["letter_date", "subject"]

_SUBJECT = regex.compile(
    r"(?im)^[ \t]*(?:विषय(?:[ \t]*ः)?(?![\p{L}\p{M}])|(?i:subject)(?![\p{L}])|(?i:sub)(?:\.|(?=[ \t]*[:\-–—])))"
    r"[ \t:ः\-–—.]*(?P<rest>[^\n]*)"
)
_LEADING_MARKS = " \t:ः-–—"
_D = "[0-9०-९]"
_DATE = regex.compile(
    r"(?<![\p{L}\p{M}])(?:दिनांक|दिनाँक|दि\s*[.०॰]|(?i:dated|date|dt\.?))(?![\p{L}\p{M}])"
    rf"[ \t]*[:ः]?[ \t]*[-–—]?[ \t]*(?P<d>{_D}{{1,2}})[ \t]*(?P<s>[./-])[ \t]*(?P<m>{_D}{{1,2}})[ \t]*(?P=s)[ \t]*"
    rf"(?P<y>{_D}{{4}}|{_D}{{2}})(?!{_D})"
)
_REFERENCE_LINE = regex.compile(r"(?i)^\W*(?:संदर्भ|सन्दर्भ|ref\b|reference)")


def subject(text: str) -> str | None:
    """Text after ``विषय``/``विषयः``/``Subject``/``Sub.`` to the end of that line (leading ``:``/``-``/``—``
    stripped); if that line is empty after the label, the next non-empty line. None when absent."""
    text = strip_invisible(text)
    for m in _SUBJECT.finditer(text):
        rest = m.group("rest").strip().lstrip(_LEADING_MARKS).strip()
        if not rest:
            following = [line.strip() for line in text[m.end() :].split("\n") if line.strip()]
            rest = following[0] if following else ""
        if rest:
            return regex.sub(r"\s+", " ", rest)
    return None


def _year(two_or_four: str, today: datetime.date) -> int:
    year = int(two_or_four)
    if len(two_or_four) == 4:
        return year
    return 2000 + year if year <= today.year % 100 else 1900 + year


def letter_date(text: str, today: datetime.date | None = None) -> datetime.date | None:
    """The letter's date: a DD.MM.YYYY / DD/MM/YYYY / DD-MM-YYYY / DD/MM/YY date after दिनांक, दि., Dated or Date
    (either digit set). Dates on a reference line (संदर्भ, Ref) are used only if no other is found; invalid dates
    (31.02.2021) are skipped. Two-digit years up to this year's are 20YY, others 19YY."""
    today = today or datetime.date.today()
    preferred: list[datetime.date] = []
    referenced: list[datetime.date] = []
    text = strip_invisible(text)
    for m in _DATE.finditer(text):
        day, month, year = (fold_digits(m.group(g)) for g in ("d", "m", "y"))
        try:
            found = datetime.date(_year(year, today), int(month), int(day))
        except ValueError:
            continue
        line = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
        (referenced if _REFERENCE_LINE.match(line) else preferred).append(found)
        if preferred:
            return preferred[0]
    return referenced[0] if referenced else None
