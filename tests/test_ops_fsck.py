"""`nasti fsck` on a district office's database: the counts check is set-based (seconds, not hours, at tens of
thousands of documents) and `fsck --quick` leaves it out, saying so."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from pathlib import Path

from sqlalchemy import text

from store import repo
from store.counts_check import check, scan_register_counts
from store.db import Store
from tests.conftest import Office

BRANCHES = ("राजस्व", "भू-अभिलेख", "स्थापना")


def _bulk(url: str, n: int) -> dict[int, tuple[int, int]]:
    """``n`` done/rejected documents in 3 branches without a register (inserted in SQL, as a restore or a years-old
    office would hold them; the triggers count them). Returns what the counts must be: branch id → (file-number
    keys with a done document, of them none awaiting review)."""
    store = Store(url)
    with store.session() as s:
        o = repo.ensure_office(s, key=repo.OFFICE, name_hi="कार्यालय", name_en="office", cutover=dt.date(2027, 3, 31))
        ids = [repo.ensure_branch(s, o.id, key=k, code=k[:2], name_hi=k, name_en=k, cutover=None,
                                  configured=True).id for k in BRANCHES]
        office_id = o.id
    rows = []
    for i in range(n):
        rows.append({"i": 1000 + i, "o": office_id, "b": ids[i % 3], "st": "rejected" if i % 10 == 0 else "done",
                     "r": i % 7 == 0, "k": f"{i % (n // 4)}/राज./2019" if i % 2 == 0 else None})
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO document (id, office_id, branch_id, source, share_path, sha256, size, status, needs_review,"
            " settled, pages, blank_pages, received_at, updated_at, part, attempts, file_number_key, done_at) VALUES"
            " (:i, :o, :b, 'x/' || :i, 'x/' || :i, printf('%064d', :i), 1, :st, :r, 1, 2, 0, '2026-11-01',"
            " '2026-11-01', 'receipts', 0, :k, '2026-11-02')"), rows)
    store.close()
    want: dict[int, tuple[int, int]] = {}
    for b in ids:
        mine = [r for r in rows if r["b"] == b and r["k"]]
        done = {r["k"] for r in mine if r["st"] == "done"}
        waiting = {r["k"] for r in mine if r["r"]}
        want[b] = (len(done), len(done - waiting))
    return want


def test_the_counts_check_of_20k_documents_takes_seconds(tmp_path: Path) -> None:
    """It took 50 s at 20,000 documents (a correlated EXISTS per done document) and over 12 min at 300,000."""
    url = f"sqlite:///{tmp_path / 'n.db'}"
    want = _bulk(url, 20_000)
    store = Store(url)
    with store.session() as s:
        t = time.monotonic()
        got = scan_register_counts(s)
        assert {b: (v["register_files"], v["digitised_files"]) for b, v in got.items()} == want
        assert check(s) == []
        assert time.monotonic() - t < 15, "the counts check grows faster than the documents"
    store.close()


def test_fsck_quick_skips_the_counts_check_and_says_so(office: Office) -> None:
    office.run("fsck")                                  # creates the database
    db = office.root / "var" / "nasti.db"
    _bulk(f"sqlite:///{db}", 300)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE document SET status = 'rejected'")    # no archive files to look for
        conn.execute("UPDATE count_branch SET done = done + 3")     # a change that went around the triggers
    full = office.run("fsck", "--json", check=False)
    assert full.returncode == 1 and json.loads(full.stdout)["counts"]["counts"] > 0
    details = [f["detail"] for f in json.loads(full.stdout)["findings"] if f["kind"] == "counts"]
    assert all("BranchCounts(" not in d and len(d) < 400 for d in details), details   # readable, not a repr
    assert any("branch राजस्व done: summary 3, rows 0" in d for d in details), details
    quick = office.run("fsck", "--quick", check=False)
    assert quick.returncode == 0, quick.stdout + quick.stderr
    assert "summary counts not checked (--quick)" in quick.stdout and "गिनती नहीं जाँची" in quick.stdout
    quick = office.run("fsck", "--quick", "--json", check=False)
    assert quick.returncode == 0 and json.loads(quick.stdout)["counts"]["counts"] == 0
    assert "summary counts not checked" in quick.stderr


def test_fsck_names_an_item_tally_that_drifted_and_recount_mends_it(office: Office) -> None:
    """A register-less branch counts a file-number key as digitised while none of its documents awaits review. An
    item's `review` 1 → 2 moves no branch count today (the old check passed it), but once the one document awaiting
    review is reviewed, the key would still count as waiting: fsck names the item now."""
    office.run("fsck")
    db = office.root / "var" / "nasti.db"
    _bulk(f"sqlite:///{db}", 300)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE document SET status = 'rejected'")    # no archive files to look for
        key = conn.execute("SELECT item FROM count_item WHERE kind = 'k' AND review = 1 ORDER BY item").fetchone()[0]
        conn.execute("UPDATE count_item SET review = 2 WHERE kind = 'k' AND item = ?", (key,))
    full = office.run("fsck", "--json", check=False)
    assert full.returncode == 1, full.stdout
    [detail] = [f["detail"] for f in json.loads(full.stdout)["findings"] if f["kind"] == "counts"]
    assert "count_item: 1 items differ" in detail and f"file-number key {key}: summary done 0 review 2" in detail
    assert "rows done 0 review 1" in detail and len(detail) < 400
    office.run("fsck", "--recount")
    assert office.run("fsck", check=False).returncode == 0
