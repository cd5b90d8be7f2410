"""How wide a string is drawn in a terminal, for Devanagari as terminals really draw it.

Measured in tmux 3.3 (80 columns, `tmux display -p '#{cursor_x}'` after printing each word) and against glibc's
wcwidth, which xterm, VTE (GNOME Terminal, Tilix), Konsole and screen follow:

- a consonant or independent vowel (Lo), a digit, a danda: 1 cell;
- the *spacing* vowel signs and visarga (category Mc: ा ि ी ॉ ो ौ ः …): 1 cell each — `का` is 2 cells;
- the *non-spacing* signs (Mn: ् virama, ु ू ृ below, े ै above, ं anusvara, ँ, ़ nukta) and format characters
  (ZWJ, ZWNJ): 0 cells;
- East Asian wide/fullwidth characters: 2 cells.

So `कार्यालय` is 7 cells, `स्थापना शाखा` 11, `रिक्त पृष्ठ` 8. rich 15 counts the Mc signs as 0 (5, 7 and 7), so its
Hindi rows came out wider than their borders. `install()` teaches rich this rule (one table, shared by every
table, panel and help screen), and `tests/test_tables.py` checks the borders in a real 80-column tmux window.

One case differs between terminals: a ZWJ (U+200D) inside a conjunct. tmux draws `क्‍ष` in 1 cell, glibc and VTE
in 2; table cells therefore drop ZWJ (`for_display`), which changes no letter a reader sees.
"""
from __future__ import annotations

import unicodedata
from functools import cache

ZWJ = "\u200d"


@cache
def char_width(ch: str) -> int:
    cp = ord(ch)
    if cp == 0 or cp < 32 or 0x7F <= cp < 0xA0:
        return 0
    if unicodedata.category(ch) in ("Mn", "Me", "Cf") or 0x1160 <= cp <= 0x11FF:
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Terminal cells `text` takes (see the module docstring for the rule)."""
    return sum(char_width(c) for c in text)


def for_display(text: str) -> str:
    """NFC text as a table cell shows it: no ZWJ (terminals disagree on its width)."""
    return unicodedata.normalize("NFC", text).replace(ZWJ, "")


@cache
def _patched_table(unicode_version: str = "auto"):  # -> rich.cells.CellTable
    from rich._unicode_data import load
    from rich.cells import CellTable

    table = load(unicode_version)
    widths: list[tuple[int, int, int]] = []
    for start, end, width in table.widths:
        # rich calls these 0 cells; terminals draw the spacing combining marks (Mc) among them as 1
        spacing = {cp for cp in range(start, end + 1) if width == 0 and unicodedata.category(chr(cp)) == "Mc"}
        if not spacing:
            widths.append((start, end, width))
            continue
        run_start, run_width = start, 1 if start in spacing else 0
        for cp in range(start + 1, end + 2):
            w = (1 if cp in spacing else 0) if cp <= end else -1
            if w != run_width:
                widths.append((run_start, cp - 1, run_width))
                run_start, run_width = cp, w
    return CellTable(table.unicode_version, widths, table.narrow_to_wide)


def install() -> None:
    """Make rich measure spacing vowel signs as terminals draw them (idempotent)."""
    import rich.cells as cells

    if getattr(cells.load_cell_table, "_nasti", False):
        return

    def load(unicode_version: str = "auto"):  # type: ignore[no-untyped-def]
        return _patched_table(unicode_version)

    load._nasti = True  # type: ignore[attr-defined]
    cells.load_cell_table = load
    cells.get_character_cell_size.cache_clear()
    cells.cached_cell_len.cache_clear()
