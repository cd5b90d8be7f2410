"""Rich tables for people at a terminal (the --json forms are for scripts); they fit the window (nasti.tables)."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from nasti.tables import Col, build, dropped_note
from store.queries import BranchCounts

_STATUS_COLS = {  # key: (hi, en, keep)
    "branch": ("शाखा", "Branch", 9), "documents": ("दस्तावेज़", "Documents", 8), "pages": ("पृष्ठ", "Pages", 7),
    "blank_pages": ("रिक्त पृष्ठ", "Blank", 2), "done": ("पूर्ण", "Done", 8), "rejected": ("लौटाए", "Rejected", 6),
    "duplicate": ("दोहराव", "Duplicate", 3), "in_progress": ("प्रक्रिया में", "In progress", 4),
    "needs_review": ("समीक्षा", "Review", 5),
}
_DOC_COLS = {
    "id": ("क्र.", "id", 9), "status": ("स्थिति", "status", 9), "branch": ("शाखा", "branch", 6),
    "source": ("फ़ाइल", "source", 9), "file_number": ("नस्ती क्रमांक", "file no.", 7), "pages": ("पृष्ठ", "pages", 5),
    "confidence": ("विश्वसनीयता", "conf.", 3),
}
_STATUS_WORDS = {"done": "पूर्ण", "rejected": "लौटाया", "duplicate": "दोहराव", "received": "प्राप्त",
                 "processing": "प्रक्रिया में", "failed": "विफल"}


def _cols(spec: dict[str, tuple[str, str, int]], lang: str, numeric: set[str]) -> list[Col]:
    return [Col(k, hi if lang == "hi" else en, numeric=k in numeric, keep=keep) for k, (hi, en, keep) in spec.items()]


def _note(console: Console, dropped: list[Col], lang: str) -> None:
    note = dropped_note(dropped, console.width, lang)
    if note:
        console.print(note, style="dim", highlight=False, markup=False)


def status_table(console: Console, rows: list[BranchCounts], lang: str = "hi") -> None:
    keys = [k for k in _STATUS_COLS if k != "branch"]
    cells: list[dict[str, str]] = []
    total = dict.fromkeys(keys, 0)
    for r in rows:
        name = r.name_hi if lang == "hi" else r.name_en
        vals = {"documents": r.documents, "pages": r.pages, "blank_pages": r.blank_pages, "done": r.done,
                "rejected": r.rejected, "duplicate": r.duplicate, "in_progress": r.in_progress,
                "needs_review": r.needs_review}
        total = {k: total[k] + vals[k] for k in keys}
        cells.append({"branch": r.branch if name == r.branch else f"{name} ({r.branch})",
                      **{k: str(v) for k, v in vals.items()}})
    cells.append({"branch": "कुल" if lang == "hi" else "Total", **{k: str(v) for k, v in total.items()}})
    table, dropped = build(_cols(_STATUS_COLS, lang, set(keys)), cells, console.width,
                           title="nasti — स्थिति" if lang == "hi" else "nasti — status",
                           styles=[None] * len(rows) + ["bold"],
                           sections=[i == len(rows) - 1 for i in range(len(cells))])
    console.print(table)
    _note(console, dropped, lang)


def documents_table(console: Console, docs: list[dict[str, Any]], lang: str = "en") -> None:
    cells = [{"id": str(d["id"]), "status": (_STATUS_WORDS.get(d["status"], d["status"]) if lang == "hi"
                                            else d["status"]) + (" ⚑" if d["needs_review"] else ""),
              "branch": d["branch"] or "", "source": d["source"], "file_number": d["file_number"] or "",
              "pages": str(d["pages"]), "confidence": f"{d['confidence']:.0f}" if d["confidence"] is not None else ""}
             for d in docs]
    table, dropped = build(_cols(_DOC_COLS, lang, {"id", "pages", "confidence"}), cells, console.width)
    console.print(table)
    _note(console, dropped, lang)


def rejected_table(console: Console, docs: list[dict[str, Any]], lang: str = "hi") -> None:
    cols = [Col("id", "क्र." if lang == "hi" else "id", numeric=True), Col("branch", "शाखा" if lang == "hi"
            else "branch", keep=5), Col("source", "फ़ाइल" if lang == "hi" else "source"),
            Col("status", "स्थिति" if lang == "hi" else "status", keep=4),
            Col("reason", "कारण / reason")]
    first, second = ("reason_hi", "reason") if lang == "hi" else ("reason", "reason_hi")
    cells = [{"id": str(d["id"]), "branch": d["branch"] or "", "source": d["source"],
              "status": _STATUS_WORDS.get(d["status"], d["status"]) if lang == "hi" else d["status"],
              "reason": f"{d.get(first) or ''}\n{d.get(second) or ''}".strip()} for d in docs]
    table, dropped = build(cols, cells, console.width,
                           title="लौटाई गई फ़ाइलें" if lang == "hi" else "returned files")
    console.print(table)
    _note(console, dropped, lang)


def review_table(console: Console, docs: list[dict[str, Any]], lang: str = "hi") -> None:
    hi = lang == "hi"
    cols = [Col("id", "क्र." if hi else "id", numeric=True), Col("branch", "शाखा" if hi else "branch", keep=5),
            Col("source", "फ़ाइल" if hi else "source"), Col("file_number", "नस्ती क्रमांक" if hi else "file number",
                                                            keep=6), Col("reason", "कारण" if hi else "why")]
    cells = [{"id": str(d["id"]), "branch": d["branch"] or "", "source": d["source"],
              "file_number": d["file_number"] or "—", "reason": d["reason"] or ""} for d in docs]
    table, dropped = build(cols, cells, console.width, title="समीक्षा कतार" if hi else "review queue")
    console.print(table)
    _note(console, dropped, lang)
    n = len(docs)
    console.print(f"समीक्षा हेतु {n} दस्तावेज़ / {n} documents need review" if hi else f"{n} documents need review",
                  highlight=False, markup=False)


def document_panel(console: Console, d: dict[str, Any]) -> None:
    head = (f"#{d['id']} {d['source']} — {d['status']}  branch={d['branch']}  file no.={d['file_number']}  "
            f"pages={d['page_count']} blank={d['blank_pages']} conf={d['confidence']}")
    console.print(Panel(escape(head)))
    for p in d["pages"]:
        tag = " (blank)" if p["blank"] else ""
        console.print(f"[bold]— page {p['number']}{tag} \\[{escape(str(p['language']))}, conf {p['confidence']}][/]")
        console.print(p["text"], highlight=False, markup=False)
