"""What a person typed or a path carried, checked: a date (DD/MM/YYYY) and a document id; else 400."""
from __future__ import annotations

import datetime as dt

from starlette.exceptions import HTTPException


def parse_day(text: str) -> dt.date | None:
    """A date typed as DD/MM/YYYY (also DD-MM-YYYY, DD.MM.YYYY) or sent as YYYY-MM-DD; empty: None; else 400."""
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 10 and text[4] == "-":
            return dt.date.fromisoformat(text)
        day, month, year = (int(p) for p in text.replace("-", "/").replace(".", "/").split("/"))
        return dt.date(year, month, day)
    except ValueError as e:
        raise HTTPException(400, "bad_date") from e


def parse_id(text: str) -> int:
    """A document id from a form or a path: ASCII digits, at most 12 of them ("²".isdigit() is True); else 400."""
    if not (text.isascii() and text.isdigit() and len(text) <= 12) or int(text) == 0:
        raise HTTPException(400, "bad_id")
    return int(text)
