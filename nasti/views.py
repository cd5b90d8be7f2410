"""Rich tables for people at a terminal (the --json forms are for scripts)."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from store.queries import BranchCounts

_HEAD = {
    "hi": ("शाखा", "दस्तावेज़", "पृष्ठ", "रिक्त पृष्ठ", "पूर्ण", "लौटाए", "दोहराव", "प्रक्रिया में", "समीक्षा"),
    "en": ("Branch", "Documents", "Pages", "Blank", "Done", "Rejected", "Duplicate", "In progress", "Review"),
}


def status_table(console: Console, rows: list[BranchCounts], lang: str = "hi") -> None:
    head = _HEAD.get(lang, _HEAD["en"])
    table = Table(title="nasti — स्थिति / status", title_justify="left")
    table.add_column(head[0])
    for h in head[1:]:
        table.add_column(h, justify="right")
    total = [0] * 8
    for r in rows:
        name = r.name_hi if lang == "hi" else r.name_en
        label = r.branch if name == r.branch else f"{name} ({r.branch})"
        vals = [r.documents, r.pages, r.blank_pages, r.done, r.rejected, r.duplicate, r.in_progress, r.needs_review]
        total = [a + b for a, b in zip(total, vals, strict=True)]
        table.add_row(label, *map(str, vals))
    table.add_section()
    table.add_row("कुल / Total", *map(str, total), style="bold")
    console.print(table)


def documents_table(console: Console, docs: list[dict[str, Any]]) -> None:
    table = Table()
    for h in ("id", "status", "branch", "source", "file no.", "pages", "conf."):
        table.add_column(h)
    for d in docs:
        conf = f"{d['confidence']:.0f}" if d["confidence"] is not None else ""
        table.add_row(str(d["id"]), d["status"] + (" ⚑" if d["needs_review"] else ""), d["branch"] or "",
                      d["source"], d["file_number"] or "", str(d["pages"]), conf)
    console.print(table)


def rejected_table(console: Console, docs: list[dict[str, Any]]) -> None:
    table = Table(title="लौटाई गई फ़ाइलें / returned files", title_justify="left")
    for h in ("id", "branch", "source", "status", "कारण / reason"):
        table.add_column(h)
    for d in docs:
        table.add_row(str(d["id"]), d["branch"] or "", d["source"], d["status"],
                      f"{d.get('reason_hi') or ''}\n{d['reason'] or ''}")
    console.print(table)


def document_panel(console: Console, d: dict[str, Any]) -> None:
    head = (f"#{d['id']} {d['source']} — {d['status']}  branch={d['branch']}  file no.={d['file_number']}  "
            f"pages={d['page_count']} blank={d['blank_pages']} conf={d['confidence']}")
    console.print(Panel(head))
    for p in d["pages"]:
        tag = " (blank)" if p["blank"] else ""
        console.print(f"[bold]— page {p['number']}{tag} [{p['language']}, conf {p['confidence']}][/]")
        console.print(p["text"], highlight=False)
