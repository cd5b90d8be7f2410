"""Hindi and English throughout (issue 13, item 6): every message in both gettext catalogs, every key the
dashboard uses in them, and no English UI string on any page of the Hindi view."""
from __future__ import annotations

from pathlib import Path

import pytest
import regex
from babel.messages.pofile import read_po

from report.i18n import LOCALE
from tests.test_web import (
    client,
    fast_hashes,  # noqa: F401  (light argon2 parameters in this module)
    seed_web,
)

WEB = Path(__file__).resolve().parent.parent / "report" / "web"
DEVANAGARI = regex.compile(r"\p{Devanagari}")
NOT_HINDI = {"language"}  # the switch to the other language names it in that language


def _catalog(lang: str) -> dict[str, str]:
    with (LOCALE / lang / "LC_MESSAGES" / "nasti.po").open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh) if m.id}


def test_every_message_has_both_translations() -> None:
    hi, en = _catalog("hi"), _catalog("en")
    assert set(hi) == set(en), set(hi) ^ set(en)
    for key in hi:
        assert hi[key].strip() and en[key].strip(), key
        assert (DEVANAGARI.search(hi[key]) is not None) is (key not in NOT_HINDI), (key, hi[key])
        assert DEVANAGARI.search(en[key]) is None or key in NOT_HINDI, (key, en[key])


def test_every_key_the_dashboard_uses_is_translated() -> None:
    hi = _catalog("hi")
    used: set[str] = set()
    for path in (WEB / "templates").glob("*.html"):
        used |= set(regex.findall(r"""\bt\(\s*['"]([a-z0-9_]+)['"]\s*\)""", path.read_text(encoding="utf-8")))
    for path in WEB.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= {f"why_{d}" for d in regex.findall(r"""HTTPException\(\d+, ['"]([a-z_]+)['"]\)""", text)}
        used |= set(regex.findall(r"""\bt\(['"]([a-z0-9_]+)['"]\s*[,)]""", text))
    from store.audit import ACTIONS

    used |= {f"action_{a}" for a in ACTIONS} | {"error_400", "error_403", "error_404", "error_500"}
    missing = sorted(k for k in used if k not in hi)
    assert not missing, missing


def _visible(html: str) -> str:
    html = regex.sub(r"(?s)<(script|style|svg)\b.*?</\1>", " ", html)
    html = regex.sub(r'(?s)<((?!html\b)\w+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", html)  # data kept in English (reasons)
    html = regex.sub(r'(?s)<pre\b.*?</pre>', " ", html)  # page text: data
    return regex.sub(r"<[^>]+>", " ", html)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    return seed_web(tmp_path_factory.mktemp("i18n"))


def test_the_hindi_view_has_no_english_ui_string(web: tuple) -> None:
    _, _, ids = web
    en = {k: v for k, v in _catalog("en").items() if k not in NOT_HINDI and len(v) >= 3}
    pages = {
        "collector": ["/readiness", "/branch/revenue", "/admin", "/audit", "/workers", "/search?q=भू-अर्जन",
                      f"/document/{ids['review']}", "/document/²", "/no/such/page", "/outcomes?branch=revenue"],
        "head": ["/branch/revenue", "/readiness", f"/document/{ids['est']}"],
        "clerk": ["/outcomes", f"/document/{ids['rejected']}"],
        None: ["/login"],
    }
    seen = 0
    for who, paths in pages.items():
        c = client(web, who)
        for path in paths:
            text = _visible(c.get(path).text)
            leaks = sorted({v for v in en.values() if regex.search(rf"(?<![\w/]){regex.escape(v)}(?![\w/])", text)})
            assert not leaks, (who, path, leaks)
            seen += 1
    assert seen == 16
