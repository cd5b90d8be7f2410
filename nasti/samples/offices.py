"""The demo's many offices: the Gwalior and Chambal divisions, their commissioners' offices and collectorates, with
the go-live dates of the rollout (Chambal division's office 05/01/2021, Gwalior division's 20/01/2021,
Collectorate Gwalior 06/02/2021, …) shifted so that 01/01/2021 is the demo's today.

The other offices keep their own servers (``remote``): the demo writes a readiness snapshot for each, as their
daily ``nasti snapshot push`` would — one a little stale, one without a register yet — so the division and state
views and the ranking have something to show at once. This deployment's own office (``default``) joins no
division; it is read from its documents as always.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Office, Snapshot, utcnow
from store.offices import add_division, add_office, upsert_snapshot

REFERENCE = dt.date(2021, 1, 1)   # the rollout's dates are shifted so that this day is the demo's today

DIVISIONS = (("gwalior-div", "ग्वालियर संभाग", "Gwalior Division"), ("chambal-div", "चंबल संभाग", "Chambal Division"))
# key, Hindi, English, kind, division, go-live date (before the shift), snapshot: fresh | stale | none_register
OFFICES = (
    ("chambal-comm", "आयुक्त कार्यालय चंबल संभाग", "Commissioner Chambal Division", "commissioner", "chambal-div",
     dt.date(2021, 1, 5), "fresh"),
    ("gwalior-comm", "आयुक्त कार्यालय ग्वालियर संभाग", "Commissioner Gwalior Division", "commissioner",
     "gwalior-div", dt.date(2021, 1, 20), "fresh"),
    ("gwalior", "कलेक्टर कार्यालय ग्वालियर", "Collectorate Gwalior", "collectorate", "gwalior-div",
     dt.date(2021, 2, 6), "fresh"),
    ("shivpuri", "कलेक्टर कार्यालय शिवपुरी", "Collectorate Shivpuri", "collectorate", "gwalior-div",
     dt.date(2021, 6, 1), "fresh"),
    ("guna", "कलेक्टर कार्यालय गुना", "Collectorate Guna", "collectorate", "gwalior-div", dt.date(2021, 5, 1),
     "stale"),
    ("datia", "कलेक्टर कार्यालय दतिया", "Collectorate Datia", "collectorate", "gwalior-div", dt.date(2021, 7, 1),
     "fresh"),
    ("ashoknagar", "कलेक्टर कार्यालय अशोकनगर", "Collectorate Ashoknagar", "collectorate", "gwalior-div",
     dt.date(2021, 9, 1), "no_register"),
    ("morena", "कलेक्टर कार्यालय मुरैना", "Collectorate Morena", "collectorate", "chambal-div", dt.date(2021, 4, 15),
     "fresh"),
    ("bhind", "कलेक्टर कार्यालय भिंड", "Collectorate Bhind", "collectorate", "chambal-div", dt.date(2021, 8, 1),
     "fresh"),
    ("sheopur", "कलेक्टर कार्यालय श्योपुर", "Collectorate Sheopur", "collectorate", "chambal-div",
     dt.date(2021, 10, 1), "fresh"),
)
BRANCHES = (("revenue", "राजस्व शाखा", "Revenue"), ("establishment", "स्थापना शाखा", "Establishment"),
            ("legal", "विधि शाखा", "Legal"), ("land-records", "भू-अभिलेख शाखा", "Land Records"))


def shifted(day: dt.date, today: dt.date) -> dt.date:
    return day + (today - REFERENCE)


def seed_offices(s: Session, today: dt.date, seed: int = 16) -> int:
    """Divisions, offices and a snapshot per remote office as of ``today``; again on a later day only the
    snapshots are added (upserted). The number of offices seeded."""
    rng = random.Random(seed)
    for key, hi, en in DIVISIONS:
        add_division(s, key, hi, en)
    now = utcnow()
    paces = (1.5, 1.25, 0.7, 1.4, 1.0, 1.3, 1.2, 0.55, 1.6, 1.1)  # of what each office's cutover needs
    for (key, hi, en, kind, division, live, snap), pace in zip(OFFICES, paces, strict=True):
        known = s.scalar(select(Office).where(Office.key == key))
        office = known or add_office(s, key, hi, en, kind=kind, division=division, cutover=shifted(live, today),
                                     remote=True)
        if s.scalar(select(Snapshot.id).where(Snapshot.office_id == office.id, Snapshot.day == today)):
            continue
        days_left = max(((office.cutover or today) - today).days, 1)
        rows = []
        for bkey, bhi, ben in BRANCHES[: 2 + (len(key) % 3)]:
            files = 0 if snap == "no_register" else rng.randrange(300, 1500)
            done = int(files * rng.uniform(0.2, 0.85))
            week = round(max(files - done, 0) / days_left * pace * rng.uniform(0.97, 1.03) * 7)
            rows.append({"branch": bkey, "name_hi": bhi, "name_en": ben, "cutover": None, "register_files": files,
                         "digitised_files": done, "documents": done + rng.randrange(0, 40),
                         "pages": done * rng.randrange(8, 30), "rejected": rng.randrange(0, 12),
                         "needs_review": rng.randrange(0, 20), "files_today": week // 7, "files_week": week,
                         "pages_week": week * 15, "files_total": done})
        taken = now - (dt.timedelta(hours=60) if snap == "stale" else dt.timedelta(hours=2))
        upsert_snapshot(s, office, today - dt.timedelta(days=2) if snap == "stale" else today, rows, taken)
    return len(OFFICES)


def seed_local_office(s: Session, key: str, *, division: str | None, cutover: dt.date, today: dt.date,
                      branches: list[str], register_files: int, digitised: int, done_this_week: int,
                      kind: str = "collectorate", pages: int = 10) -> Office:
    """An office held in this database with ``branches``, each with ``register_files`` register files of which
    the first ``digitised`` have one done document (``done_this_week`` of them done within the last 7 days, at
    noon UTC, the rest 30 days ago). Bulk inserts (tests and bench/rollup_bench.py)."""
    from store.models import Branch, Document, RegisterFile

    office = add_office(s, key, f"कार्यालय {key}", f"Office {key}", kind=kind, division=division, cutover=cutover)
    now = utcnow()
    for bkey in branches:
        branch = Branch(office_id=office.id, key=bkey, code=bkey[:8].upper(), name_hi=bkey, name_en=bkey,
                        configured=True)
        s.add(branch)
        s.flush()
        s.bulk_insert_mappings(RegisterFile, [  # type: ignore[arg-type]
            {"office_id": office.id, "branch_id": branch.id, "file_number": f"{bkey}/{i}/2019",
             "key": f"{bkey}{i}2019", "year": 2019, "imported_at": now, "updated_at": now}
            for i in range(register_files)])
        ids = list(s.scalars(select(RegisterFile.id).where(RegisterFile.branch_id == branch.id)
                             .order_by(RegisterFile.id).limit(digitised)))
        docs = []
        for n, rid in enumerate(ids):
            days = n % 7 if n < done_this_week else 30
            done = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(6, 30), tzinfo=dt.UTC)
            docs.append({"office_id": office.id, "branch_id": branch.id, "source": f"{bkey}/{key}-{n}.pdf",
                         "share_path": f"{bkey}/{key}-{n}.pdf", "sha256": f"{key}-{bkey}-{n}".ljust(64, "0")[:64],
                         "size": 1000, "kind": "pdf", "status": "done", "needs_review": False, "pages": pages,
                         "blank_pages": 0, "register_file_id": rid, "file_number_key": f"{bkey}{n}2019",
                         "settled": True, "attempts": 0, "received_at": done, "done_at": done, "updated_at": done})
        s.bulk_insert_mappings(Document, docs)  # type: ignore[arg-type]
    s.flush()
    return office
