"""Hindi/English messages for the CLI tables, exports and the web UI: gettext catalogs (report/locale/*/LC_MESSAGES/
nasti.po, read with Babel; the msgid is a short key), dates as DD/MM/YYYY and times in the office's zone."""
from __future__ import annotations

import datetime as dt
import unicodedata
from functools import cache
from pathlib import Path

LANGS = ("hi", "en")

LOCALE = Path(__file__).with_name("locale")
DOMAIN = "nasti"


def _read(lang: str) -> dict[str, str]:
    """The gettext catalog ``report/locale/<lang>/LC_MESSAGES/nasti.po`` (read with Babel; NFC), msgid → text."""
    from babel.messages.pofile import read_po

    with (LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    return {str(m.id): unicodedata.normalize("NFC", str(m.string)) for m in catalog if m.id}


@cache
def catalog(lang: str) -> dict[str, str]:
    return _read(lang if lang in LANGS else "hi")


def t(key: str, lang: str) -> str:
    """The message ``key`` in ``lang`` (hi|en) from its gettext catalog; an unknown key comes back as itself."""
    return catalog("en" if lang == "en" else "hi").get(key) or key


def ddmmyyyy(value: str | dt.date | None, zone: dt.tzinfo | None = None) -> str:
    """An ISO date (or date) as DD/MM/YYYY; empty for None. A moment (an ISO date and time with its offset, or an
    aware datetime) is shown as its day in ``zone`` (the office's) when one is given."""
    if value is None or value == "":
        return ""
    if zone is not None and isinstance(value, str) and len(value) > 10:
        value = dt.datetime.fromisoformat(value)
    if zone is not None and isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(zone)
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return d.strftime("%d/%m/%Y")


def local_time(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """A stored moment (aware, UTC) as the office reads it: DD/MM/YYYY HH:MM in ``zone``."""
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def branch_name(row: dict[str, object], lang: str) -> str:
    return str(row.get("name_hi" if lang == "hi" else "name_en") or row.get("branch") or "")
