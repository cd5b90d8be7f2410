"""Readiness on a seeded database: every number compared with a hand count; CLI JSON shape, table and exports."""
from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from common import config as configmod
from report.readiness import classify, readiness
from store.db import Store
from store.models import Branch, Document, Office, RegisterFile

AS_OF = dt.date(2026, 11, 25)
OFFICE = """
[office]
name_hi = "कलेक्टर कार्यालय राजगढ़"
name_en = "Collectorate Rajgarh"
cutover = "2027-01-31"
at_risk_days = 14
[branches.revenue]
code = "REV"
name_hi = "राजस्व शाखा"
name_en = "Revenue"
[branches.establishment]
code = "EST"
name_hi = "स्थापना शाखा"
name_en = "Establishment"
cutover = "2026-12-01"
[branches.nazul]
code = "NZL"
name_hi = "नजूल शाखा"
name_en = "Nazul"
"""


def _at(days_ago: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(AS_OF - dt.timedelta(days=days_ago), dt.time(hour))


def seed(root: Path) -> configmod.Config:
    """revenue: 40 register files, 14 digitised (done documents over 10 days), 2 rejected, 1 review, 1 duplicate.
    establishment: 10 register files, 2 digitised, cutover 01/12/2026. nazul: no register, no documents."""
    from tests.conftest import write_config

    cfg = configmod.load(str(write_config(root, OFFICE)))
    store = Store(cfg.store_url)
    with store.session() as s:
        office = Office(key="default", name_hi=cfg.office.name_hi, name_en=cfg.office.name_en,
                        cutover=cfg.office.cutover)
        s.add(office)
        s.flush()
        branches = {}
        for key, b in cfg.branches.items():
            branches[key] = Branch(office_id=office.id, key=key, code=b.code, name_hi=b.name_hi, name_en=b.name_en,
                                   cutover=b.cutover, configured=True)
            s.add(branches[key])
        s.flush()

        def register(key: str, n: int) -> list[RegisterFile]:
            files = [RegisterFile(office_id=office.id, branch_id=branches[key].id, file_number=f"{key}/{i}/2019",
                                  key=f"{key}{i}2019", year=2000 + i) for i in range(n)]
            s.add_all(files)
            s.flush()
            return files

        n = 0

        def doc(key: str, status: str, *, rf: RegisterFile | None = None, done: dt.datetime | None = None,
                pages: int = 10, blank: int = 1, review: bool = False) -> None:
            nonlocal n
            n += 1
            s.add(Document(office_id=office.id, branch_id=branches[key].id, source=f"{key}/{n}.pdf",
                           share_path=f"{key}/{n}.pdf", sha256=f"{n:064x}", status=status, needs_review=review,
                           register_file_id=rf.id if rf else None, pages=pages, blank_pages=blank,
                           received_at=_at(12), done_at=done))

        rev = register("revenue", 40)
        # 14 done, matched: 2 today, 5 yesterday, 3 six days ago (7 in window... see hand count), 4 ten days ago
        days = [0, 0, 1, 1, 1, 1, 1, 6, 6, 6, 10, 10, 10, 10]
        for rf, d in zip(rev[-14:], days, strict=True):
            doc("revenue", "done", rf=rf, done=_at(d), pages=20, blank=2)
        doc("revenue", "done", rf=rev[0], done=_at(3), pages=5, blank=0, review=True)  # waits: not digitised
        doc("revenue", "rejected", pages=0, blank=0)
        doc("revenue", "rejected", pages=0, blank=0)
        doc("revenue", "duplicate", pages=0, blank=0)
        doc("revenue", "done", rf=rev[-1], done=_at(7), pages=8, blank=0)  # day 7 ago: outside the window
        est = register("establishment", 10)
        doc("establishment", "done", rf=est[0], done=_at(2), pages=30, blank=3)
        doc("establishment", "done", rf=est[1], done=_at(20), pages=30, blank=3)
    store.close()
    return cfg


@pytest.fixture
def report(tmp_path: Path) -> dict:
    cfg = seed(tmp_path)
    with Store(cfg.store_url).session() as s:
        return readiness(s, cfg, as_of=AS_OF)


def test_hand_count(report: dict) -> None:
    b = {r["branch"]: r for r in report["branches"]}
    assert report["office"] == "Collectorate Rajgarh" and report["cutover"] == "2027-01-31"
    assert report["as_of"] == "2026-11-25"
    assert list(b) == ["establishment", "nazul", "revenue"]
    rev = b["revenue"]
    # 40 register files; 14 matched done documents (+1 on rev[-1] again) → 14 distinct; rev[0] waits for review
    assert (rev["register_files"], rev["digitised_files"]) == (40, 14)
    # 16 done documents, 15 physical files: rev[-1] was done twice (issue 14: readiness counts files)
    assert rev["documents"] == 19 and rev["files_total"] == 15
    assert rev["pages"] == 14 * 20 + 5 + 8 and rev["blank_pages"] == 14 * 2
    assert (rev["rejected"], rev["needs_review"], rev["duplicates"]) == (2, 1, 1)
    # today: 2 files, 40 pages; window (today .. 6 days ago): 2 + 5 + 3 + the review one (3 days ago) = 11
    assert (rev["files_today"], rev["pages_today"]) == (2, 40)
    assert (rev["files_week"], rev["pages_week"]) == (11, 10 * 20 + 5)
    assert rev["files_per_day"] == round(11 / 7, 2) and rev["pages_per_day"] == round(205 / 7, 2)
    # 26 files left at 11/7 a day → ceil(16.55) = 17 days → 12/12/2026; cutover 31/01/2027, 50 days margin
    assert rev["projected_completion"] == "2026-12-12" and rev["status"] == "on_track"
    assert rev["cutover"] == "2027-01-31" and rev["days_left"] == 67
    assert rev["blockers"]["rejected"] == 2 and rev["blockers"]["needs_review"] == 1
    assert rev["blockers"]["not_scanned"] == 26
    oldest = rev["blockers"]["not_scanned_oldest"]
    assert [o["year"] for o in oldest] == [2000, 2001, 2002, 2003, 2004]
    est = b["establishment"]
    # 8 left at 1/7 a day → 56 days → after the branch's own cutover 01/12/2026
    assert (est["register_files"], est["digitised_files"], est["files_week"]) == (10, 2, 1)
    assert est["cutover"] == "2026-12-01" and est["days_left"] == 6
    assert est["projected_completion"] == "2027-01-20" and est["status"] == "late"
    nz = b["nazul"]
    assert nz["register_files"] == 0 and nz["projected_completion"] is None and nz["status"] == "no_register"
    tot = report["total"]
    assert (tot["register_files"], tot["digitised_files"], tot["pages"]) == (50, 16, 293 + 60)
    assert tot["files_week"] == 12 and tot["blockers"]["not_scanned"] == 34
    # the office is as ready as its worst branch: establishment is late; the latest branch finish is the office's
    assert tot["status"] == "late" and tot["projected_completion"] == "2027-01-20"
    assert (tot["rejected"], tot["needs_review"], tot["duplicates"]) == (2, 1, 1)


def test_classify_thresholds() -> None:
    cut = dt.date(2026, 12, 31)
    assert classify(0, 5, 0, AS_OF, cut, 14)[0] == "done"
    assert classify(10, 20, 0, AS_OF, cut, 14) == ("unknown", None, 36)  # no throughput: no projection
    assert classify(10, 20, 1, AS_OF, cut, 14)[:2] == ("on_track", "2026-12-05")
    assert classify(30, 40, 1, AS_OF, cut, 14)[:2] == ("at_risk", "2026-12-25")
    assert classify(40, 50, 1, AS_OF, cut, 14)[:2] == ("late", "2027-01-04")
    assert classify(1, 2, 0, dt.date(2027, 1, 2), cut, 14)[0] == "late"  # the cutover has passed
    assert classify(1, 2, 1, AS_OF, None, 14)[0] == "unknown"


def test_cli_json_table_and_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import Office

    monkeypatch.setenv("COLUMNS", "400")  # one table row per line
    seed(tmp_path)
    office = Office(tmp_path, tmp_path / "config.toml")
    data = office.json("readiness", "--as-of", "2026-11-25")
    assert set(data) >= {"office", "cutover", "as_of", "branches", "total"}
    for r in data["branches"]:
        assert set(r) >= {"branch", "cutover", "register_files", "digitised_files", "pages", "files_per_day",
                          "pages_per_day", "projected_completion", "status", "blockers"}
        assert set(r["blockers"]) >= {"rejected", "needs_review", "not_scanned"}
        assert r["status"] in {"on_track", "at_risk", "late", "done", "unknown"}   # DESIGN.md §3's values only
    # nazul has no register yet: the contract's `unknown`, nasti's own verdict in `judged`
    nazul = next(r for r in data["branches"] if r["branch"] == "nazul")
    assert (nazul["status"], nazul["judged"]) == ("unknown", "no_register")
    assert data["total"]["digitised_files"] == 16
    hi = office.run("readiness", "--as-of", "2026-11-25", "--lang", "hi").stdout
    assert "राजस्व शाखा" in hi and "12/12/2026" in hi and "समय पर" in hi and "31/01/2027" in hi
    en = office.run("readiness", "--as-of", "2026-11-25", "--lang", "en").stdout
    assert "Revenue" in en and "late" in en and "—*" in en and "no throughput" in en
    office.run("export", "progress", "--format", "csv", str(tmp_path / "p.csv"), "--as-of", "2026-11-25")
    rows = list(csv.DictReader((tmp_path / "p.csv").open(encoding="utf-8-sig")))
    assert [r["branch"] for r in rows] == ["establishment", "nazul", "revenue", "total"]
    assert rows[2]["name_hi"] == "राजस्व शाखा" and rows[2]["projected_completion"] == "12/12/2026"
    office.run("export", "progress", "--format", "xlsx", str(tmp_path / "p.xlsx"), "--as-of", "2026-11-25")
    ws = load_workbook(tmp_path / "p.xlsx").active
    assert ws.cell(2, 1).value == "branch" and ws.cell(5, 5).value == 40
    bad = office.run("export", "progress", "--format", "pdf", str(tmp_path / "p.pdf"), check=False)
    assert bad.returncode == 2


def test_burndown_hand_count(tmp_path: Path) -> None:
    from report.burndown import burndown, svg

    cfg = seed(tmp_path)
    with Store(cfg.store_url).session() as s:
        b = burndown(s, AS_OF, dt.date(2027, 1, 31), 12 / 7)
        rev = burndown(s, AS_OF, None, 0, branch="revenue")
    by_day = dict(zip(b.days, b.remaining, strict=True))
    assert b.total == 50 and len(b.days) == 30 and b.days[-1] == AS_OF
    # establishment 20 days ago; revenue 4 files 10 days ago, 3 six days ago; establishment 2 days ago;
    # revenue 5 yesterday and 2 today (the file whose document awaits review is not digitised)
    expected = {29: 50, 20: 49, 11: 49, 10: 45, 6: 42, 3: 42, 2: 41, 1: 36, 0: 34}
    for ago, left in expected.items():
        assert by_day[AS_OF - dt.timedelta(days=ago)] == left, ago
    assert rev.total == 40 and rev.remaining[-1] == 26
    drawing = svg(b)
    assert drawing.startswith("<svg") and "31/01/2027" in drawing and 'class="projected"' in drawing
    assert 'class="projected"' not in svg(rev)  # no throughput given: no projection drawn


def test_no_cutover_date_is_said_not_left_blank(tmp_path: Path) -> None:
    """An office with no [office] cutover yet: the title said '(As of 01/12/2026; Cutover )'."""
    import subprocess

    from tests.conftest import NASTI
    from tests.tagdocs import Office as Docs

    o = Docs(tmp_path)
    o.add("revenue/a.pdf", ["फा.क्र. 1/2/2020-Rev"])
    for lang, said in (("en", "no cutover date"), ("hi", "अंतिम तिथि तय नहीं")):
        r = subprocess.run([NASTI, "--config", str(o.config_path), "readiness", "--lang", lang], capture_output=True,
                           text=True, env={**os.environ, "COLUMNS": "200"})
        assert r.returncode == 0, r.stderr
        title = r.stdout.splitlines()[0]
        assert said in title and "[office] cutover" in title and not title.rstrip().endswith(" )"), title


def test_as_of_out_of_range_or_in_devanagari_digits_and_a_bad_port(tmp_path: Path) -> None:
    """`--as-of 9999-12-31` said 'date value out of range' (exit 1); `--as-of २०२६-१२-०१` was 'not a date';
    `serve --port 99999` logged uvicorn's traceback."""
    import subprocess

    from tests.conftest import NASTI
    from tests.tagdocs import Office as Docs

    o = Docs(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([NASTI, "--config", str(o.config_path), *args], capture_output=True, text=True,
                              timeout=60)

    r = run("readiness", "--as-of", "9999-12-31")
    assert r.returncode == 2 and "9999-12-31" in r.stderr, r.stderr
    r = run("readiness", "--as-of", "२०२६-१२-०१", "--json")
    assert r.returncode == 0 and '"as_of": "2026-12-01"' in r.stdout, r.stderr
    r = run("serve", "--port", "99999")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "65535" in r.stderr, r.stderr
