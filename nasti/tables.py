"""Tables that fit the terminal: numbers never squeezed to nothing, columns left out (least useful first) when the
window is too narrow, text columns wrapped on words, Devanagari measured as terminals draw it (nasti.textwidth)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex
from rich.markup import escape
from rich.table import Table

from nasti.textwidth import display_width, for_display, install


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    numeric: bool = False     # right-aligned, never wrapped: its widest value is its minimum width
    keep: int = 9             # lower = left out first when the window is narrow
    nowrap: bool = False      # dates, codes: never wrapped either


def _longest_word(text: str) -> int:
    return max((display_width(w) for w in regex.split(r"\s+", text) if w), default=0)


def min_width(col: Col, cells: Sequence[str]) -> int:
    """The narrowest this column may be: the header's longest word, and every value whole (numbers, dates) or its
    longest word (text)."""
    need = _longest_word(col.header)
    for c in cells:
        need = max(need, display_width(c) if (col.numeric or col.nowrap) else _longest_word(c))
    return max(need, 1)


def natural_width(col: Col, cells: Sequence[str]) -> int:
    """The width at which nothing in the column wraps."""
    lines = [col.header, *(line for c in cells for line in c.splitlines())]
    return max(display_width(x) for x in lines)


def widths(cols: Sequence[Col], mins: Sequence[int], rows: Sequence[dict[str, str]], width: int) -> list[int]:
    """Each column's content width: its minimum, then the spare cells given out, cheapest unwrapping first (a
    header that needs two more cells to fit on one line before a long name that needs twenty)."""
    out = list(mins)
    spare = width - (sum(mins) + 3 * len(cols) + 1)
    wants = [natural_width(c, [r.get(c.key, "") for r in rows]) for c in cols]
    for i in sorted(range(len(cols)), key=lambda i: wants[i] - mins[i]):
        give = max(0, min(spare, wants[i] - out[i]))
        out[i] += give
        spare -= give
    return out


def _total(cols: Sequence[Col], rows: Sequence[dict[str, str]]) -> tuple[list[int], int]:
    mins = [min_width(c, [r.get(c.key, "") for r in rows]) for c in cols]
    return mins, sum(mins) + 3 * len(cols) + 1


def fit(cols: Sequence[Col], rows: Sequence[dict[str, str]], width: int) -> tuple[list[Col], list[int], list[Col]]:
    """The columns that fit in ``width`` cells (box borders and padding included), their minimum widths, and the
    columns left out: the least useful go first, then any that fits again comes back (most useful first)."""
    kept = list(cols)
    while _total(kept, rows)[1] > width and len(kept) > 2:
        victim = min(kept[1:], key=lambda c: c.keep)
        if victim.keep >= 9:
            break
        kept.remove(victim)
    for c in sorted((c for c in cols if c not in kept), key=lambda c: -c.keep):
        trial = [x for x in cols if x in kept or x is c]
        if _total(trial, rows)[1] <= width:
            kept = trial
    mins, _ = _total(kept, rows)
    return kept, mins, [c for c in cols if c not in kept]


def build(cols: Sequence[Col], rows: Sequence[dict[str, str]], width: int, *, title: str | None = None,
          caption: str | None = None, styles: Sequence[str | None] | None = None,
          sections: Sequence[bool] | None = None, cell_styles: dict[tuple[int, str], str] | None = None
          ) -> tuple[Table, list[Col]]:
    """A rich Table of ``rows`` (plain text cells, escaped here) fitting ``width``; returns it and the columns left
    out. ``cell_styles[(row, key)]`` colours one cell; ``sections[i]`` draws a rule after row i."""
    install()  # rich measures Devanagari as display_width does
    rows = [{k: for_display(v) for k, v in r.items()} for r in rows]
    kept, mins, dropped = fit(cols, rows, width)
    sizes = widths(kept, mins, rows, width)
    table = Table(title=escape(title) if title else None, caption=escape(caption) if caption else None,
                  title_justify="left", caption_justify="left")
    for c, w in zip(kept, sizes, strict=True):  # fixed widths: rich's own shrinking overshot 80 columns
        table.add_column(escape(c.header), justify="right" if c.numeric else "left", width=w, overflow="fold")
    for i, r in enumerate(rows):
        cells = []
        for c in kept:
            text = escape(r.get(c.key, ""))
            style = (cell_styles or {}).get((i, c.key))
            cells.append(f"[{style}]{text}[/]" if style and text else text)
        table.add_row(*cells, style=(styles[i] if styles else None),
                      end_section=bool(sections[i]) if sections else False)
    return table, dropped


def dropped_note(dropped: Sequence[Col], width: int, lang: str) -> str | None:
    if not dropped:
        return None
    names = ", ".join(c.header for c in dropped)
    if lang == "hi":
        return f"{width} कॉलम की चौड़ाई में छोड़े गए: {names} — विंडो चौड़ी करें या --json देखें"
    return f"left out at {width} columns: {names} — widen the window or use --json"
