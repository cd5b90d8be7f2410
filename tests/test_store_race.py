"""Two nasti processes starting on one new database (the watch service and an engineer's `nasti register import`)
both create the office and its branches: the second one finds the first one's row instead of failing with
"UNIQUE constraint failed: office.key". Real SQLite (WAL, busy timeout), two sessions on two threads."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from store import repo
from store.db import Store
from store.models import Branch, Office


def _race(store: Store, make: Callable[[Session], Office | Branch]) -> None:
    """Session 1 creates the row and holds its transaction; session 2 tries the same meanwhile; 1 commits."""
    result: dict[str, object] = {}

    def second() -> None:
        try:
            with store.session() as s2:
                result["row"] = make(s2).id
        except Exception as e:  # reported by the assert below
            result["error"] = e

    with store.session() as s1:
        first = make(s1).id
        t = threading.Thread(target=second)
        t.start()
        time.sleep(1.0)  # session 2 read "no row" and now waits for the write lock
    t.join(30)
    assert result.get("row") == first, result


def test_two_processes_creating_the_office_and_a_branch_at_once(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'n.db'}")

    def office(s: Session) -> Office:
        return repo.ensure_office(s, key="default", name_hi="कार्यालय", name_en="Office", cutover=None)

    _race(store, office)

    def branch(s: Session) -> Branch:
        return repo.ensure_branch(s, office(s).id, key="राजस्व", code="REV", name_hi="राजस्व शाखा",
                                  name_en="Revenue", cutover=None, configured=True)

    _race(store, branch)
    with store.session() as s:
        assert s.query(Office).count() == 1 and s.query(Branch).count() == 1
