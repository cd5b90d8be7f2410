"""Honest readiness without a register (issue 13, item 4): a branch with scans but no register says "no register
yet" — never done or on track — and the burn-down, the total row and the branch rows agree in every state."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import select

from report.burndown import burndown
from report.readiness import readiness
from store.db import Store
from store.models import Branch, Document, RegisterFile
from tests.test_web import (
    client,
    fast_hashes,  # noqa: F401  (light argon2 parameters in this module)
    seed_web,
)


def _agree(store: Store, cfg: object) -> dict:
    with store.session() as s:
        report = readiness(s, cfg)  # type: ignore[arg-type]
        chart = burndown(s, dt.date.fromisoformat(report["as_of"]), None, 0.0)
    rows, total = report["branches"], report["total"]
    assert chart.total == total["register_files"] == sum(r["register_files"] for r in rows)
    assert chart.remaining[-1] == total["blockers"]["not_scanned"] == sum(r["blockers"]["not_scanned"] for r in rows)
    for r in rows:
        if not r["register_files"]:
            assert r["status"] == "no_register" and r["projected_completion"] is None, r
    return report


def test_no_register_is_said_and_chart_table_and_totals_agree(tmp_path: Path) -> None:
    cfg, store, _ = seed_web(tmp_path)
    _agree(store, cfg)
    with store.session() as s:  # nazul: ten scans with file numbers, done today, and still no register
        nazul = s.scalar(select(Branch).where(Branch.key == "nazul"))
        now = dt.datetime.now(dt.UTC)
        for i in range(10):
            s.add(Document(office_id=nazul.office_id, branch_id=nazul.id, source=f"nazul/{i}.pdf",
                           share_path=f"nazul/{i}.pdf", sha256=f"{900 + i:064x}", status="done", pages=3,
                           file_number=f"NZL-{i}/2021", file_number_key=f"nzl{i}2021", received_at=now, done_at=now))
    report = _agree(store, cfg)
    nz = next(r for r in report["branches"] if r["branch"] == "nazul")
    assert nz["status"] == "no_register" and nz["digitised_files"] == 10 and nz["files_today"] == 10
    c = client((cfg, store, {}), "collector")
    page = c.get("/readiness").text
    assert "पंजी अभी नहीं" in page
    assert re.search(r'<tr class="[^"]*nazul[^"]*">.*?status no_register', page, re.S) or \
        page.count("status no_register") == 1
    with store.session() as s:  # every branch without a register: the office has none yet either
        s.query(Document).filter(Document.register_file_id.is_not(None)).update({"register_file_id": None})
        for rf in s.scalars(select(RegisterFile)):
            s.delete(rf)
    report = _agree(store, cfg)
    assert report["total"]["status"] == "no_register"
    svg = c.get("/readiness").text
    assert "पंजी अभी नहीं" in svg
