"""The dashboard attacked (issue 13's acceptance, tried as a clerk, a branch head, a collector of another office and
an outsider would): each test is a hole that was found open, kept shut."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_web import (
    client,
    fast_hashes,  # noqa: F401  (light argon2 parameters in this module)
    seed_web,
)


@pytest.fixture
def web(tmp_path: Path) -> tuple:
    return seed_web(tmp_path)


def test_a_deeply_nested_snapshot_body_is_a_400_not_a_500(web: tuple) -> None:
    """An outsider with no key at all sent ``[[[[…`` (100 000 deep) to /api/snapshot: json.loads raised
    RecursionError, a 500 with a traceback in the log."""
    r = client(web).post("/api/snapshot", content=b"[" * 100_000, headers={"authorization": "Bearer x"})
    assert r.status_code == 400 and "error" in r.json()
