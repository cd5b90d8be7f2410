"""Many offices in one database: branches keyed (office, key), the 0006 → 0007 upgrade, division and state
roll-ups equal to the sums of their offices, the ranking rule, snapshots (upsert, stale), the CLI."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select

from common import config as configmod
from nasti.samples.offices import seed_local_office, seed_offices
from report.ranking import rank
from report.readiness import readiness
from report.rollup import SUMMED, rollup
from store import offices as store_offices
from store.db import Store, alembic_config
from store.models import Office, Snapshot, User, utcnow

TODAY = dt.date(2026, 11, 25)
CUT = TODAY + dt.timedelta(days=60)


def _cfg(root: Path) -> configmod.Config:
    from tests.conftest import write_config

    (root / "share").mkdir(exist_ok=True)
    return configmod.load(str(write_config(root, '[office]\ntimezone = "UTC"\n')))


def _two_divisions(s) -> None:  # type: ignore[no-untyped-def]
    store_offices.add_division(s, "gwalior-div", "ग्वालियर संभाग", "Gwalior Division")
    store_offices.add_division(s, "chambal-div", "चंबल संभाग", "Chambal Division")
    # same branch key 'revenue' in every office
    seed_local_office(s, "gwalior-comm", division="gwalior-div", cutover=CUT, today=TODAY, branches=["revenue"],
                      register_files=20, digitised=10, done_this_week=7, kind="commissioner")
    seed_local_office(s, "gwalior", division="gwalior-div", cutover=CUT, today=TODAY,
                      branches=["revenue", "legal"], register_files=30, digitised=5, done_this_week=1)
    seed_local_office(s, "morena", division="chambal-div", cutover=CUT, today=TODAY, branches=["revenue"],
                      register_files=40, digitised=40, done_this_week=7)
    store_offices.add_office(s, "bhind", "कलेक्टर कार्यालय भिंड", "Collectorate Bhind", division="chambal-div",
                             cutover=CUT, remote=True)


def test_branches_of_two_offices_with_one_key_never_merge(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path)
    with Store(cfg.store_url).session() as s:
        _two_divisions(s)
        g = readiness(s, cfg, as_of=TODAY, office="gwalior")
        m = readiness(s, cfg, as_of=TODAY, office="morena")
        default = readiness(s, cfg, as_of=TODAY)
    rev_g = next(r for r in g["branches"] if r["branch"] == "revenue")
    rev_m = next(r for r in m["branches"] if r["branch"] == "revenue")
    assert (rev_g["register_files"], rev_g["digitised_files"], rev_g["files_week"]) == (30, 5, 1)
    assert (rev_m["register_files"], rev_m["digitised_files"], rev_m["files_week"]) == (40, 40, 7)
    assert g["total"]["register_files"] == 60 and g["office_en"] == "Office gwalior"
    assert default["branches"] == [] and default["total"]["register_files"] == 0  # this deployment's own: none
    from store import cases

    csv = tmp_path / "register.csv"
    csv.write_text("नस्ती क्रमांक,विषय\n12/अ-6/2019,भू-अर्जन\n13/अ-6/2019,नामांतरण\n", encoding="utf-8")
    with Store(cfg.store_url).session() as s:
        done = cases.import_register(s, cfg, "revenue", csv, office_key="gwalior")
        legal = cases.import_register(s, cfg, "legal", csv, office_key="morena")   # a branch it did not have yet
        assert (done.result.created, legal.result.created) == (2, 2)
        after = {k: readiness(s, cfg, as_of=TODAY, office=k)["total"]["register_files"] for k in ("gwalior", "morena")}
    assert after == {"gwalior": 62, "morena": 42}


def test_division_and_state_figures_are_the_sums_of_their_offices(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path)
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    with Store(cfg.store_url).session() as s:
        _two_divisions(s)
        bhind = s.scalar(select(Office).where(Office.key == "bhind"))
        row = {"branch": "revenue", "name_hi": "राजस्व", "name_en": "Revenue", "register_files": 100,
               "digitised_files": 30, "documents": 35, "pages": 300, "files_week": 14, "files_today": 2,
               "pages_week": 140, "files_total": 30, "rejected": 1, "needs_review": 2}
        assert store_offices.upsert_snapshot(s, bhind, TODAY, [row], now - dt.timedelta(hours=3)) == (1, 0)
        state = rollup(s, cfg, as_of=TODAY, now=now)
        division = rollup(s, cfg, as_of=TODAY, division="chambal-div", now=now)
    offices = [o for d in state["divisions"] for o in d["offices"]]
    for d in state["divisions"]:
        for k in SUMMED:
            assert d["total"][k] == sum(o[k] for o in d["offices"]), (d["division"], k)
    for k in SUMMED:
        assert state["total"][k] == sum(d["total"][k] for d in state["divisions"]) == sum(o[k] for o in offices)
    gw = next(d for d in state["divisions"] if d["division"] == "gwalior-div")
    assert {o["office"] for o in gw["offices"]} == {"gwalior-comm", "gwalior"}   # the commissioner's own included
    assert gw["total"]["register_files"] == 20 + 60 and gw["total"]["digitised_files"] == 10 + 10
    ch = division["divisions"]
    assert [d["division"] for d in ch] == ["chambal-div"]
    assert ch[0]["total"]["register_files"] == 40 + 100 and ch[0]["total"]["files_week"] == 7 + 14
    counts = state["total"]["counts"]
    assert counts["done"] == 1 and counts["no_register"] == 0 and sum(counts[k] for k in (
        "on_track", "at_risk", "late", "done", "unknown", "no_register")) == 4 == state["total"]["offices"]
    with Store(cfg.store_url).session() as s:   # the roll-up's grouped queries = each office's own report
        for o in offices:
            if o["source"] == "local":
                own = readiness(s, cfg, as_of=TODAY, oldest=0, office=o["office"])["total"]
                assert {k: o[k] for k in SUMMED} == {k: own[k] for k in SUMMED}, o["office"]
                assert (o["status"], o["projected_completion"]) == (own["status"], own["projected_completion"])
    bh = next(o for o in offices if o["office"] == "bhind")
    assert bh["source"] == "snapshot" and not bh["stale"] and bh["register_files"] == 100


def test_a_snapshot_is_an_upsert_and_older_than_48_hours_is_stale(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path)
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    with Store(cfg.store_url).session() as s:
        store_offices.add_division(s, "d", "सं", "D")
        o = store_offices.add_office(s, "bhind", "भिंड", "Bhind", division="d", cutover=CUT, remote=True)
        row = {"branch": "revenue", "register_files": 10, "digitised_files": 2, "files_week": 7}
        assert store_offices.upsert_snapshot(s, o, TODAY, [row], now) == (1, 0)
        assert store_offices.upsert_snapshot(s, o, TODAY, [{**row, "digitised_files": 3}], now) == (0, 1)
        assert len(list(s.scalars(select(Snapshot)))) == 1
        fresh = rollup(s, cfg, as_of=TODAY, now=now + dt.timedelta(hours=47))["divisions"][0]["offices"][0]
        stale = rollup(s, cfg, as_of=TODAY, now=now + dt.timedelta(hours=49))["divisions"][0]["offices"][0]
    assert fresh["digitised_files"] == 3 and not fresh["stale"]
    assert stale["stale"] and stale["digitised_files"] == 3


def _o(key: str, *, reg: int = 100, dig: int = 0, per_day: float = 0.0, days_left: int | None = 50,
       end: str | None = None, stale: bool = False) -> dict:
    return {"office": key, "register_files": reg, "digitised_files": dig, "remaining": max(reg - dig, 0),
            "files_per_day": per_day, "days_left": days_left, "projected_completion": end, "stale": stale}


def test_the_ranking_follows_the_documented_rule() -> None:
    offices = [
        _o("slow", per_day=1.0),                       # needs 2/day: pace 0.5
        _o("fast", per_day=4.0),                       # pace 2.0
        _o("tie-more", dig=50, per_day=1.0, days_left=50, end="2027-02-01"),   # needs 1/day: pace 1.0, 50 %
        _o("tie-less", dig=20, per_day=1.6, days_left=50, end="2027-01-01"),   # needs 1.6/day: pace 1.0, 20 %
        _o("same-share-later", dig=50, per_day=1.0, end="2027-03-01"),        # pace 1.0, 50 %, later finish
        _o("finished", dig=100),
        _o("no-cutover", dig=10, per_day=3.0, days_left=None),
        _o("past-cutover", dig=90, per_day=5.0, days_left=-3),   # 10 left, 1 day: pace 0.5, 90 % beats slow's 0 %
        _o("no-register", reg=0),
        _o("stale", per_day=9.0, stale=True),
    ]
    result = rank(offices)
    assert [r["office"] for r in result["ranked"]] == [
        "finished", "fast", "tie-more", "same-share-later", "tie-less", "past-cutover", "slow", "no-cutover"]
    assert [r["rank"] for r in result["ranked"]] == list(range(1, 9))
    assert {(r["office"], r["reason"]) for r in result["apart"]} == {("no-register", "no_register"),
                                                                     ("stale", "stale_snapshot")}
    assert next(r for r in result["ranked"] if r["office"] == "fast")["pace"] == 2.0


def test_a_single_office_database_of_0006_upgrades_without_loss(tmp_path: Path) -> None:
    """A database made by 0006 (the one office 'default', two branches, register, documents, a collector and a
    branch head) is opened by this nasti: every row is kept, readiness is the same, the collector is the office's."""
    cfg = _cfg(tmp_path)
    (tmp_path / "var").mkdir()
    engine = create_engine(cfg.store_url)
    acfg = alembic_config()
    with engine.begin() as conn:
        acfg.attributes["connection"] = conn
        command.upgrade(acfg, "0006")
        conn.exec_driver_sql("INSERT INTO office (id, key, name_hi, name_en, cutover) VALUES "
                             "(1, 'default', 'कार्यालय', 'Office', '2027-01-24')")
        for bid, key in ((1, "revenue"), (2, "legal")):
            conn.exec_driver_sql(f"INSERT INTO branch (id, office_id, key, code, name_hi, name_en, configured) "
                                 f"VALUES ({bid}, 1, '{key}', 'X', '{key}', '{key}', 1)")
            for i in range(6):
                rid = bid * 100 + i
                conn.exec_driver_sql(
                    "INSERT INTO register_file (id, office_id, branch_id, file_number, key, imported_at, updated_at) "
                    f"VALUES ({rid}, 1, {bid}, 'F/{rid}', 'f{rid}', '2026-11-01', '2026-11-01')")
                if i < 3:
                    conn.exec_driver_sql(
                        "INSERT INTO document (office_id, branch_id, source, share_path, sha256, size, status, "
                        "needs_review, pages, blank_pages, register_file_id, settled, attempts, received_at, "
                        f"done_at, updated_at) VALUES (1, {bid}, 'a{rid}', 'a{rid}', '{rid:064d}', 1, 'done', 0, 4, "
                        f"0, {rid}, 1, 0, '2026-11-24 06:00:00', '2026-11-24 06:00:00', '2026-11-24 06:00:00')")
        conn.exec_driver_sql("INSERT INTO user (name, role, password_hash, created_at) VALUES ('collector', "
                             "'collector', 'x', '2026-11-01'), ('rekha', 'branch_head', 'x', '2026-11-01')")
        conn.exec_driver_sql("UPDATE user SET branch_id = 1 WHERE name = 'rekha'")
    engine.dispose()
    db = cfg.store_url.removeprefix("sqlite:///")
    tables = ("office", "branch", "document", "register_file", "user")
    with sqlite3.connect(db) as c:
        counts = [c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]
    with Store(cfg.store_url).session() as s:   # opening migrates to head
        after = readiness(s, cfg, as_of=TODAY)
        scopes = {u.name: store_offices.scope(s, u) for u in s.scalars(select(User))}
        collector = s.scalar(select(User).where(User.name == "collector"))
        office = s.scalar(select(Office).where(Office.key == "default"))
        assert (office.kind, office.division_id, office.remote) == ("collectorate", None, False)
        assert collector.office_id == office.id
    with sqlite3.connect(db) as c:
        assert counts == [c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
    assert counts == [1, 2, 6, 12, 2]
    assert [(r["branch"], r["register_files"], r["digitised_files"]) for r in after["branches"]] == [
        ("legal", 6, 3), ("revenue", 6, 3)]
    assert after["cutover"] == "2027-01-24" and after["total"]["files_week"] == 6
    assert scopes["collector"].offices == scopes["rekha"].offices == frozenset({"default"})
    engine = create_engine(cfg.store_url)   # and back down to 0006: every row still there
    with engine.begin() as conn:
        acfg.attributes["connection"] = conn
        command.downgrade(acfg, "0006")
    engine.dispose()
    with sqlite3.connect(db) as c:
        assert counts == [c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]
        assert "division" not in {r[0] for r in c.execute("SELECT name FROM sqlite_master")}


def test_cli_office_readiness_state_ranking_and_the_demo_offices(office) -> None:  # type: ignore[no-untyped-def]
    office.run("division", "add", "gwalior-div", "--name-hi", "ग्वालियर संभाग", "--name-en", "Gwalior Division")
    r = office.run("office", "add", "datia", "--name-hi", "कलेक्टर कार्यालय दतिया", "--name-en", "Collectorate Datia",
                   "--division", "gwalior-div", "--cutover", "2027-03-01", "--remote")
    assert "snapshot key" in r.stdout
    bad = office.run("office", "add", "x", "--name-hi", "x", "--name-en", "x", "--division", "nowhere", check=False)
    assert bad.returncode == 2 and "unknown division 'nowhere'" in bad.stderr
    listed = office.json("office", "list")
    assert {o["office"]: o["division"] for o in listed} == {"datia": "gwalior-div"}
    state = office.json("readiness", "--state")
    assert state["scope"] == "state" and [d["division"] for d in state["divisions"]] == ["gwalior-div"]
    one = office.json("readiness", "--office", "datia")
    assert one["office_en"] == "Collectorate Datia" and one["branches"] == []
    table = office.run("readiness", "--division", "gwalior-div", "--lang", "en").stdout
    assert "Datia" in table and "stale" in table
    ranking = office.json("ranking")
    assert [r["office"] for r in ranking["apart"]] == ["datia"] and ranking["ranked"] == []


def test_the_demo_seeds_two_divisions_with_shifted_dates(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path)
    with Store(cfg.store_url).session() as s:
        assert seed_offices(s, TODAY) == 10
        assert seed_offices(s, TODAY) == 10    # again: nothing doubled
        report = rollup(s, cfg, as_of=TODAY, now=utcnow())
        ranked = rank([o for d in report["divisions"] for o in d["offices"]])
        chambal = s.scalar(select(Office).where(Office.key == "chambal-comm"))
        assert chambal.cutover == TODAY + dt.timedelta(days=4)   # 05/01/2021 with 01/01/2021 as today
    assert [d["division"] for d in report["divisions"]] == ["chambal-div", "gwalior-div"]
    assert {r["reason"] for r in ranked["apart"]} == {"no_register", "stale_snapshot"} and len(ranked["ranked"]) == 8
    assert json.dumps(report, ensure_ascii=False)


def test_one_share_with_a_first_level_per_office(tmp_path: Path) -> None:
    """[share] per_office = true: share/<office>/<branch>/…; each file lands in its office's branch (two offices'
    'revenue' stay apart), a file directly in an office folder is returned like one at the top of the share."""
    from tests.conftest import Office as Rig
    from tests.conftest import write_config

    (tmp_path / "share").mkdir()
    rig = Rig(tmp_path, write_config(tmp_path))
    text = rig.config.read_text(encoding="utf-8").replace('[share]\npath = "share"\n',
                                                          '[share]\npath = "share"\nper_office = true\n')
    rig.config.write_text(text, encoding="utf-8")
    for rel in ("morena/revenue/a.pdf", "gwalior/revenue/b.pdf", "morena/c.pdf"):
        (rig.share / rel).parent.mkdir(parents=True, exist_ok=True)
        (rig.share / rel).write_bytes(b"not a pdf " + rel.encode())
    from PIL import Image, ImageDraw

    img = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(img).text((20, 80), "LETTER 51/2019", fill=0)
    for rel in ("morena/revenue/letter.png", "gwalior/revenue/letter.png"):   # one letter sent to two offices
        img.save(rig.share / rel)
    rig.run("watch", "--once")
    cfg = configmod.load(str(rig.config))
    with Store(cfg.store_url).session() as s:
        from store.models import Branch, Document

        rows = {d.source: (s.get(Office, d.office_id).key, s.get(Branch, d.branch_id).key if d.branch_id else None,
                           d.status, d.reason_code) for d in s.scalars(select(Document))}
    assert rows["morena/revenue/a.pdf"][:3] == ("morena", "revenue", "rejected")
    assert rows["gwalior/revenue/b.pdf"][:3] == ("gwalior", "revenue", "rejected")
    assert rows["morena/c.pdf"][1:] == (None, "rejected", "top_level")
    assert (rig.share / "_rejected" / "morena" / "revenue" / "a.pdf").exists()
    assert rows["morena/revenue/letter.png"][:3] == ("morena", "revenue", "done")   # each office keeps its copy:
    assert rows["gwalior/revenue/letter.png"][:3] == ("gwalior", "revenue", "done")  # no duplicate across offices
    # a collector asks for their own office only: the CLI's --office on status and documents
    morena = rig.json("status", "--office", "morena")
    counts = {r["branch"]: r["documents"] for r in morena}   # c.pdf, dropped in the office folder: its share root
    assert counts == {"revenue": 2, "(share root)": 1}, morena
    docs = rig.json("documents", "--office", "gwalior")
    assert sorted(d["source"] for d in docs) == ["gwalior/revenue/b.pdf", "gwalior/revenue/letter.png"]
    bad = rig.run("status", "--office", "मुरैना", check=False)
    assert bad.returncode == 2 and "मुरैना" in bad.stderr and "Traceback" not in bad.stderr
