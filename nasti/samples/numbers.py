"""File numbers, dates and digits as printed on MP collectorate letters (DESIGN §5).

Digits are drawn with a strong bias towards 1, because tesseract's `hin` models are known to drop it (DESIGN §4).
"""
from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from common.text import fold_digits

_TO_DEVA = str.maketrans("0123456789", "०१२३४५६७८९")


def to_devanagari_digits(text: str) -> str:
    return text.translate(_TO_DEVA)


def to_ascii_digits(text: str) -> str:
    return fold_digits(text)


def digits(rng: random.Random, k: int, *, lead_zero: bool = False) -> str:
    """k random digits, about a third of them 1; no leading zero unless asked."""
    out = []
    for i in range(k):
        d = "1" if rng.random() < 0.33 else str(rng.randint(0, 9))
        if i == 0 and not lead_zero and d == "0":
            d = str(rng.randint(1, 9))
        out.append(d)
    return "".join(out)


def num(rng: random.Random, lo_digits: int, hi_digits: int) -> str:
    return digits(rng, rng.randint(lo_digits, hi_digits))


def fin_year(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


# Each template: (rng, year, branch abbreviation/code) -> (label, number). The label is printed before the number.
Template = Callable[[random.Random, int, str, str], tuple[str, str]]


def _hi_kramank_slash(rng: random.Random, year: int, abbr: str, code: str) -> tuple[str, str]:
    return "क्रमांक/", f"{num(rng, 2, 4)}/{abbr}/{year}"  # क्रमांक/378/राज./2017


def _hi_kra_dept(rng: random.Random, year: int, abbr: str, code: str) -> tuple[str, str]:
    return "क्र./", f"{abbr}/{year}/{num(rng, 3, 4)}"  # क्र./खाद्य/2026/1420


def _hi_f_series(rng: random.Random, year: int, abbr: str, code: str) -> tuple[str, str]:
    return "क्रमांक", f"एफ {num(rng, 1, 2)}-{num(rng, 1, 2)}/{year}/{num(rng, 1, 1)}/{num(rng, 1, 2)}"


def _hi_f_dash(rng: random.Random, year: int, abbr: str, code: str) -> tuple[str, str]:
    return "क्रमांक", f"एफ-{digits(rng, 2, lead_zero=True)}-{digits(rng, 2, lead_zero=True)}/{year}/1-{num(rng, 1, 2)}"


def _hi_fa_kra(rng: random.Random, year: int, abbr: str, code: str) -> tuple[str, str]:
    return "फा.क्र.", f"{num(rng, 1, 2)}(ई) {num(rng, 2, 3)}/{digits(rng, 2, lead_zero=True)}/{year % 100:02d}-ब(दो)"


def _hi_case(rng: random.Random, year: int, abbr: str, code: str) -> tuple[str, str]:
    kind = rng.choice(["अ-6", "अ-12", "अ-27", "अ-6-अ", "अ-19"])
    return "प्रकरण क्रमांक", f"{digits(rng, 4, lead_zero=True)}/{kind}/{fin_year(year)}"  # 0255/अ-6/2021-22


def _en_f_no(rng: random.Random, year: int, abbr: str, code: str) -> tuple[str, str]:
    return "F.No.", f"{num(rng, 1, 3)}/{num(rng, 1, 2)}/{year}-{code}"  # F.No. 12/3/2021-Rev


def _en_eoffice_coll(rng: random.Random, year: int, abbr: str, code: str) -> tuple[str, str]:
    head = {"Rev": "REV", "LR": "LR", "Estt": "EST", "PDS": "FOOD", "eGov": "EGOV"}.get(code, code.upper())
    return "File No.", f"{head}-{digits(rng, 2, lead_zero=True)}/{digits(rng, 4)}/{year}-COLL"


def _en_no_short(rng: random.Random, year: int, abbr: str, code: str) -> tuple[str, str]:
    return "No.", f"{num(rng, 2, 4)}/{code}"  # No. 102/PDS


def _en_csmop(rng: random.Random, year: int, abbr: str, code: str) -> tuple[str, str]:
    return "No.", f"A-{digits(rng, 5)}/{num(rng, 1, 2)}/{year}-Admn"  # A-11011/2/2019-Admn


HI_TEMPLATES: list[tuple[Template, int]] = [
    (_hi_kramank_slash, 5), (_hi_kra_dept, 3), (_hi_f_series, 2), (_hi_f_dash, 1), (_hi_fa_kra, 1),
]
REVENUE_CASE: tuple[Template, int] = (_hi_case, 4)
EN_TEMPLATES: list[tuple[Template, int]] = [(_en_f_no, 4), (_en_eoffice_coll, 3), (_en_no_short, 2), (_en_csmop, 1)]
EOFFICE_TEMPLATES: list[tuple[Template, int]] = [(_en_eoffice_coll, 3), (_en_csmop, 1)]


def file_number(
    rng: random.Random, templates: list[tuple[Template, int]], year: int, abbr: str, code: str
) -> tuple[str, str]:
    """(label, number) from a weighted template; most numbers contain at least one digit 1."""
    fn = rng.choices([t for t, _ in templates], weights=[w for _, w in templates])[0]
    want_one = rng.random() < 0.85
    label, number = fn(rng, year, abbr, code)
    for _ in range(20):
        if not want_one or "1" in number.replace(str(year), ""):
            break
        label, number = fn(rng, year, abbr, code)
    return label, number


def join_label(label: str, number: str) -> str:
    """The printed line: `क्रमांक/378/...` after a slash label, `F.No. 12/3/...` otherwise."""
    return f"{label}{number}" if label.endswith("/") else f"{label} {number}"


def random_date(rng: random.Random, year: int) -> datetime.date:
    return datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))


def date_separator(rng: random.Random) -> str:
    return rng.choices([".", "/", "-"], weights=[6, 3, 1])[0]


def format_date(d: datetime.date, sep: str = ".") -> str:
    return f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}"
