"""What `watch --accept-archive-mismatch` (and `restore`) tell the engineer about files set aside: every
`_quarantine/` folder written to (a taken name sends a file to `<time>-2/`), and a file that vanished from disk
before it could be moved is reported as vanished — Hindi first — never as quarantined."""
from __future__ import annotations

import datetime as dt

import pytest

from common import config as configmod
from ingest.recover import QUARANTINE
from nasti.vault import guard, rebuild
from store.db import Store
from tests.conftest import Office


@pytest.mark.parametrize("walk", [1, 2])
def test_a_file_that_vanished_before_it_was_set_aside_is_reported_vanished_not_quarantined(
        walk: int, office: Office, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Deleted by hand after the first walk (before re-attachment) or after the last one (before the move)."""
    office.run("migrate")
    folder = office.archive / "revenue"
    folder.mkdir(parents=True)
    (folder / "7-आदेश.png").write_bytes(b"\x89PNG no record")
    (folder / "8-नोटशीट.png").write_bytes(b"\x89PNG no record either")
    real, calls = rebuild.unknown, []

    def unknown_then_deleted(*args, **kwargs):   # an operator removes one by hand just after that walk
        calls.append(1)
        found = real(*args, **kwargs)
        if len(calls) == walk:
            (folder / "8-नोटशीट.png").unlink()
        return found

    monkeypatch.setattr(rebuild, "unknown", unknown_then_deleted)
    cfg = configmod.load(office.config)
    store = Store(cfg.store_url)
    try:
        assert guard.before_recovery(store, cfg, accept=True) == 0
    finally:
        store.close()
    err = capsys.readouterr().err
    set_aside = next(x for x in err.splitlines() if "set aside in" in x)
    vanished = next(x for x in err.splitlines() if "ग़ायब" in x)
    assert "1 files set aside" in set_aside and "8-नोटशीट.png" not in set_aside
    assert "revenue/8-नोटशीट.png" in vanished and "not in _quarantine/" in vanished
    assert vanished.index("ग़ायब") < vanished.index("files vanished")        # Hindi first, as the rest of the CLI
    kept = [p.relative_to(office.archive / QUARANTINE).parts[1:] for p in (office.archive / QUARANTINE).rglob("*.png")]
    assert kept == [("revenue", "7-आदेश.png")]


def test_every_quarantine_folder_written_to_is_named(office: Office) -> None:
    """A clock stepped back: this second's `_quarantine/<time>/` already holds a *file* named `revenue`, so a file
    under revenue/ goes to `<time>-2/`, while a file at the archive's top goes to `<time>/`."""
    now = dt.datetime.now(dt.UTC)
    for s in range(-2, 180):                    # whichever second the watcher sets aside in
        stamp = (now + dt.timedelta(seconds=s)).strftime("%Y%m%dT%H%M%SZ")
        (office.archive / QUARANTINE / stamp).mkdir(parents=True, exist_ok=True)
        (office.archive / QUARANTINE / stamp / "revenue").write_bytes(b"an earlier round's file named revenue")
    (office.archive / "revenue").mkdir()
    (office.archive / "revenue" / "9-पत्र.png").write_bytes(b"\x89PNG nine")
    (office.archive / "10-top.png").write_bytes(b"\x89PNG ten")
    office.run("migrate")
    r = office.run("watch", "--once", guard.FLAG)
    moved = {p.read_bytes(): p for p in (office.archive / QUARANTINE).rglob("*.png")}
    first, second = moved[b"\x89PNG ten"].parent, moved[b"\x89PNG nine"].parent.parent
    assert second.name == f"{first.name}-2", moved
    line = next(x for x in r.stderr.splitlines() if "set aside in" in x)
    assert "2 files set aside" in line and str(first) in line and str(second) in line, r.stderr
    assert not (office.archive / "revenue" / "9-पत्र.png").exists()
