"""Moments are stored as UTC whatever zone they arrive in, read back aware in UTC; the office's days ("today", the
7-day window, the burn-down) are counted in ``[office] timezone`` (default Asia/Kolkata) and times shown in it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from common import config as configmod
from common.config import ConfigError
from report.burndown import burndown
from report.i18n import ddmmyyyy, local_time
from report.readiness import readiness
from store.db import Store
from store.models import Branch, Document, Event, Office, RegisterFile
from tests.conftest import write_config

KOLKATA = ZoneInfo("Asia/Kolkata")
BRANCH = '[branches.revenue]\ncode = "REV"\nname_hi = "राजस्व शाखा"\nname_en = "Revenue"\n'


def office(root: Path, extra: str = "") -> tuple[configmod.Config, Store]:
    cfg = configmod.load(str(write_config(root, BRANCH + extra)))
    return cfg, Store(cfg.store_url)


def test_aware_moments_are_stored_as_utc_and_read_back_aware(tmp_path: Path) -> None:
    _, store = office(tmp_path)
    evening_utc = dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC)
    with store.session() as s:
        o = Office(key="default", name_hi="का", name_en="O")
        s.add(o)
        s.flush()
        b = Branch(office_id=o.id, key="revenue", code="REV", name_hi="रा", name_en="R")
        s.add(b)
        s.flush()
        doc = Document(office_id=o.id, branch_id=b.id, source="revenue/a.pdf", share_path="revenue/a.pdf",
                       sha256="0" * 64, status="done", received_at=evening_utc.astimezone(KOLKATA),
                       done_at=evening_utc.astimezone(KOLKATA))  # 01:30 on the 25th in Kolkata
        s.add(doc)
        s.flush()
        s.add(Event(document_id=doc.id, to_state="done", at=evening_utc))
    with store.session() as s:
        raw = s.execute(text("SELECT done_at FROM document")).scalar_one()
        assert str(raw).startswith("2026-11-24 20:00:00")    # UTC wall time, not 01:30 the next day
        got = s.scalar(select(Document.done_at))
        assert got == evening_utc and got.tzinfo is not None and got.utcoffset() == dt.timedelta(0)
        naive = s.scalar(select(Document).where(Document.done_at >= dt.datetime(2026, 11, 24, 19, 59)))
        assert naive is not None  # a naive bound is taken as UTC
        assert local_time(s.scalar(select(Event.at)), KOLKATA) == "25/11/2026 01:30"
    assert ddmmyyyy("2026-11-24T20:00:00+00:00", KOLKATA) == "25/11/2026"
    assert ddmmyyyy("2026-11-24T20:00:00+00:00") == "24/11/2026"


def _done_at(store: Store, moments: list[dt.datetime]) -> None:
    with store.session() as s:
        o = Office(key="default", name_hi="का", name_en="O")
        s.add(o)
        s.flush()
        b = Branch(office_id=o.id, key="revenue", code="REV", name_hi="राजस्व शाखा", name_en="Revenue")
        s.add(b)
        s.flush()
        for i, at in enumerate(moments):
            rf = RegisterFile(office_id=o.id, branch_id=b.id, file_number=f"{i}/2026", key=f"{i}2026")
            s.add(rf)
            s.flush()
            s.add(Document(office_id=o.id, branch_id=b.id, source=f"revenue/{i}.pdf", share_path=f"revenue/{i}.pdf",
                           sha256=f"{i:064d}", status="done", pages=1, done_at=at, register_file_id=rf.id))


def test_days_are_the_offices(tmp_path: Path) -> None:
    """Done at 20:00 UTC on the 24th is the 25th in Kolkata: today's work there (not in UTC); 19:00 UTC on the 18th
    is the 19th in Kolkata: inside the 7-day window ending on the 25th (19th-25th), outside it counted in UTC."""
    cfg, store = office(tmp_path)
    assert cfg.office.timezone == "Asia/Kolkata"
    _done_at(store, [dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC), dt.datetime(2026, 11, 18, 19, 0, tzinfo=dt.UTC)])
    with store.session() as s:
        rev = next(r for r in readiness(s, cfg, as_of=dt.date(2026, 11, 25))["branches"] if r["branch"] == "revenue")
        assert (rev["files_today"], rev["files_week"]) == (1, 2)
        chart = burndown(s, dt.date(2026, 11, 25), None, 0.0, zone=cfg.office.zone)
        assert chart.remaining[-2:] == [1, 0]  # the second file was digitised on the 25th (Kolkata), not the 24th
    utc_cfg, _ = office(tmp_path, '[office]\ntimezone = "UTC"\n')
    with store.session() as s:
        rev = next(r for r in readiness(s, utc_cfg, as_of=dt.date(2026, 11, 25))["branches"]
                   if r["branch"] == "revenue")
        assert (rev["files_today"], rev["files_week"]) == (0, 1)


def test_a_wrong_zone_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"office\.timezone"):
        office(tmp_path, '[office]\ntimezone = "India/Delhi"\n')


def test_postgresql_in_kolkata_stores_utc(tmp_path: Path) -> None:
    """The reported bug: on a PostgreSQL server set to Asia/Kolkata, 20:00 UTC was stored as 01:30 the next day
    (a naive column given an aware value) and the document moved into the next day's throughput."""
    from tests.pgcluster import cluster

    with cluster("Asia/Kolkata") as url:
        cfg, _ = office(tmp_path)
        store = Store(url)   # every migration, on PostgreSQL
        try:
            _done_at(store, [dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC),
                             dt.datetime(2026, 11, 24, 18, 0, tzinfo=dt.UTC)])
            with store.session() as s:
                assert s.execute(text("SHOW TimeZone")).scalar_one() == "Asia/Kolkata"
                raw = sorted(s.execute(text("SELECT done_at::text FROM document")).scalars())
                assert raw == ["2026-11-24 18:00:00", "2026-11-24 20:00:00"]
                assert sorted(s.scalars(select(Document.done_at))) == [
                    dt.datetime(2026, 11, 24, 18, 0, tzinfo=dt.UTC), dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC)]
                rev = next(r for r in readiness(s, cfg, as_of=dt.date(2026, 11, 24))["branches"]
                           if r["branch"] == "revenue")
                assert rev["files_today"] == 1   # 18:00 UTC is 23:30 on the 24th in Kolkata; 20:00 UTC the 25th
        finally:
            store.close()
