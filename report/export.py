"""Progress export: one row per branch plus the office total, as CSV (UTF-8 with BOM for Excel) or XLSX."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from report.i18n import ddmmyyyy

COLUMNS = ("branch", "name_hi", "name_en", "cutover", "register_files", "digitised_files", "documents", "pages",
           "blank_pages", "pages_ocr", "rejected", "needs_review", "duplicates", "files_today", "pages_today",
           "files_week", "pages_week", "files_total", "files_per_day", "pages_per_day", "projected_completion",
           "status", "days_left", "not_scanned", "exported_files")
_DATES = {"cutover", "projected_completion"}


def rows(report: dict[str, Any]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for r in [*report["branches"], report["total"]]:
        flat = {**r, "not_scanned": r["blockers"]["not_scanned"]}
        out.append([ddmmyyyy(flat[c]) if c in _DATES else flat[c] for c in COLUMNS])
    return out


def write(report: dict[str, Any], out: Path, fmt: str) -> None:
    """Write the readiness ``report`` to ``out`` in ``fmt`` (csv | xlsx)."""
    data = rows(report)
    if fmt == "csv":
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            w.writerows(data)
        return
    if fmt != "xlsx":
        raise ValueError(f"unknown format '{fmt}'; use csv or xlsx")
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "progress"
    ws.append([f"{report['office_hi']} / {report['office_en']}", f"as of {ddmmyyyy(report['as_of'])}"])
    ws.append(list(COLUMNS))
    for row in data:
        ws.append(row)
    wb.save(out)
