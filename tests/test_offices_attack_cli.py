"""Attacks on the many-office work that need no dashboard: snapshot pushes from the command line, roll-up sums
and days in the office's zone, the ranking's ties, per-office shares, renaming an office (the web attacks are in
tests/test_offices_attack.py)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from common import config as configmod
from nasti.samples.offices import seed_local_office
from store import offices as store_offices
from store.db import Store
from store.models import Branch, Office

PASSWORD = "पासवर्ड-1234"
TODAY = dt.date(2026, 11, 25)


def test_snapshot_push_refuses_http_and_names_an_unreachable_server(tmp_path: Path) -> None:
    from report.snapshot import PushError, push

    with pytest.raises(PushError, match="https"):
        push("http://state.example.org", "k", {})
    with pytest.raises(PushError, match="https"):
        push("ftp://127.0.0.1", "k", {})
    with pytest.raises(PushError) as e:
        push("http://127.0.0.1:9", "k", {}, timeout=5)
    assert "127.0.0.1" in str(e.value)


def test_days_are_counted_in_the_offices_zone_in_every_roll_up(tmp_path: Path) -> None:
    from report.readiness import readiness, readiness_many
    from store.models import Document
    from tests.conftest import write_config

    (tmp_path / "share").mkdir()
    cfg = configmod.load(str(write_config(tmp_path, '[office]\ntimezone = "Asia/Kolkata"\n')))
    store = Store(cfg.store_url)
    ist = cfg.office.zone
    with store.session() as s:
        o = seed_local_office(s, "guna", division=None, cutover=TODAY + dt.timedelta(days=30), today=TODAY,
                              branches=["revenue"], register_files=4, digitised=0, done_this_week=0)
        b = s.scalar(select(Branch).where(Branch.office_id == o.id))
        for n, local in enumerate((dt.datetime.combine(TODAY, dt.time(23, 30)),              # today, late
                                   dt.datetime.combine(TODAY, dt.time(0, 30)),               # today, early
                                   dt.datetime.combine(TODAY - dt.timedelta(days=1), dt.time(23, 59)))):
            at = local.replace(tzinfo=ist).astimezone(dt.UTC)
            s.add(Document(office_id=o.id, branch_id=b.id, source=f"revenue/z{n}.pdf", share_path=f"revenue/z{n}.pdf",
                           sha256=f"z{n}".ljust(64, "2"), size=1, kind="pdf", status="done", needs_review=False,
                           pages=2, settled=True, attempts=0, received_at=at, done_at=at, updated_at=at))
        s.flush()
        one = readiness(s, cfg, as_of=TODAY, oldest=0, office="guna")["total"]
        many = readiness_many(s, cfg, [o], TODAY)["guna"]["total"]
    assert one["files_today"] == many["files_today"] == 2
    assert one["files_week"] == many["files_week"] == 3


def test_ranking_ties_are_ordered_the_same_whatever_the_input_order() -> None:
    from report.ranking import rank

    def office(key: str) -> dict:
        return {"office": key, "register_files": 100, "digitised_files": 50, "remaining": 50, "days_left": 10,
                "files_per_day": 5.0, "stale": False, "projected_completion": "2026-12-10"}

    a = [r["office"] for r in rank([office("datia"), office("bhind")])["ranked"]]
    b = [r["office"] for r in rank([office("bhind"), office("datia")])["ranked"]]
    assert a == b
    done = {**office("guna"), "digitised_files": 100, "remaining": 0, "days_left": -3}   # cutover passed, all done
    late = {**office("katni"), "days_left": -30, "files_per_day": 0.0}                 # cutover passed, nothing moves
    r = rank([late, done])["ranked"]
    assert [x["office"] for x in r] == ["guna", "katni"] and r[1]["pace"] == 0.0 and r[0]["pace"] is None


def test_a_file_directly_in_an_office_folder_is_that_offices_rejection(tmp_path: Path) -> None:
    """[share] per_office: share/morena/c.pdf is returned (no branch) — to Morena, whose collector sees it, not
    counted in this deployment's own office; Hindi office folders come NFC whatever the disk holds."""
    import unicodedata

    from ingest.pipeline import Ingestor
    from tests.conftest import write_config

    (tmp_path / "share").mkdir()
    path = write_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('[share]\npath = "share"\n',
                                                             '[share]\npath = "share"\nper_office = true\n'),
                    encoding="utf-8")
    cfg = configmod.load(str(path))
    assert cfg.share_per_office
    store = Store(cfg.store_url)
    ing = Ingestor(cfg, store, None)  # type: ignore[arg-type]   # placing a file needs no OCR
    with store.session() as s:
        morena = store_offices.add_office(s, "morena", "मुरैना", "Morena").id
    assert ing._place("morena/c.pdf") == (morena, None)
    assert ing._place("c.pdf") == (ing.office_id, None)
    hindi = unicodedata.normalize("NFD", "दतिया")
    from ingest import share as sharefs

    (tmp_path / "share" / hindi / "राजस्व").mkdir(parents=True)
    source = sharefs.source_of(cfg.share, tmp_path / "share" / hindi / "राजस्व" / "a.pdf")
    office_id, _ = ing._place(source)
    with store.session() as s:
        assert s.get(Office, office_id).key == unicodedata.normalize("NFC", "दतिया")


def test_snapshot_push_cli_fails_with_a_message_never_a_traceback(tmp_path: Path) -> None:
    """The state server is down: exit 1, its address named, no traceback (http:// elsewhere and a future day are
    refused by report.snapshot, tested above)."""
    from tests.conftest import Office as Rig
    from tests.conftest import write_config

    (tmp_path / "share").mkdir()
    rig = Rig(tmp_path, write_config(tmp_path))
    key = tmp_path / "key"
    key.write_text("not-the-key\n", encoding="utf-8")
    r = rig.run("snapshot", "push", "--office", "morena", "--url", "http://127.0.0.1:9", "--key-file", str(key),
                check=False)
    assert r.returncode == 1 and "127.0.0.1:9" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_roll_up_sums_hold_for_offices_in_every_state(tmp_path: Path) -> None:
    """No register, no documents, cutover passed, cutover today, everything done, a remote office with local
    documents too (counted once: from its snapshot) — division and state figures stay the sums, ranking runs."""
    from report.ranking import rank
    from report.rollup import SUMMED, rollup
    from tests.conftest import write_config

    (tmp_path / "share").mkdir()
    cfg = configmod.load(str(write_config(tmp_path)))
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    with Store(cfg.store_url).session() as s:
        store_offices.add_division(s, "d", "संभाग", "D")
        for key, cut, reg, dig in (("passed", TODAY - dt.timedelta(days=10), 10, 4),
                                   ("today", TODAY, 10, 4), ("done", TODAY + dt.timedelta(days=5), 5, 5),
                                   ("noreg", TODAY + dt.timedelta(days=5), 0, 0)):
            seed_local_office(s, key, division="d", cutover=cut, today=TODAY, branches=["revenue"],
                              register_files=reg, digitised=dig, done_this_week=dig)
        store_offices.add_office(s, "empty", "खाली", "Empty", division="d")
        seed_local_office(s, "both", division="d", cutover=TODAY + dt.timedelta(days=20), today=TODAY,
                          branches=["revenue"], register_files=7, digitised=2, done_this_week=2)
        both = store_offices.add_office(s, "both", "दोनों", "Both", division="d", remote=True,
                                        cutover=TODAY + dt.timedelta(days=20))
        store_offices.upsert_snapshot(s, both, TODAY, [{"branch": "revenue", "register_files": 100,
                                                        "digitised_files": 10, "files_week": 7}], now)
        state = rollup(s, cfg, as_of=TODAY, now=now)
    rows = {o["office"]: o for d in state["divisions"] for o in d["offices"]}
    for k in SUMMED:
        assert state["total"][k] == sum(o[k] for o in rows.values()), k
    assert rows["both"]["register_files"] == 100          # the snapshot, not its 7 local files as well
    assert rows["empty"]["judged"] == rows["noreg"]["judged"] == "no_register"
    assert rows["passed"]["days_left"] < 0 and rows["today"]["days_left"] == 0
    ranked = rank(list(rows.values()))
    assert {r["office"] for r in ranked["apart"]} == {"empty", "noreg"}
    assert ranked["ranked"][0]["office"] == "done"


def test_renaming_an_office_keeps_its_division_kind_share_and_remote(tmp_path: Path) -> None:
    """`nasti office add KEY --name-hi … --name-en …` again (its docstring: "or update the one with this key")
    must not drop the office out of its division nor turn a remote district local."""
    from tests.conftest import write_config

    (tmp_path / "share").mkdir()
    cfg = configmod.load(str(write_config(tmp_path)))
    with Store(cfg.store_url).session() as s:
        store_offices.add_division(s, "d", "संभाग", "D")
        store_offices.add_office(s, "bhind", "भिंड", "Bhind", kind="commissioner", division="d", share="/srv/b",
                                 remote=True, cutover=TODAY)
        o = store_offices.add_office(s, "bhind", "भिण्ड", "Bhind District")
        assert (o.name_hi, o.kind, o.division.key, o.share, o.remote, o.cutover) == (
            "भिण्ड", "commissioner", "d", "/srv/b", True, TODAY)
        fresh = store_offices.add_office(s, "guna", "गुना", "Guna")
        assert (fresh.kind, fresh.division_id, fresh.remote) == ("collectorate", None, False)
