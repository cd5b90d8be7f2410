"""`nasti migrate` is the one step that changes the schema; other commands refuse a database that is behind."""
from __future__ import annotations

import json
import sqlite3

from alembic import command
from sqlalchemy import create_engine

from nasti.schema import head_revision
from store.db import alembic_config


def _downgrade(db: str, to: str) -> None:
    engine = create_engine(f"sqlite:///{db}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, to)
    engine.dispose()


def _revision(db: str) -> str:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_a_new_database_is_created_and_an_older_one_refused_until_migrate(office) -> None:
    db = str(office.root / "var" / "nasti.db")
    assert office.json("status") == []          # first run: a brand-new database is created
    assert _revision(db) == head_revision()
    _downgrade(db, "0003")
    for args in (("status",), ("documents", "--json"), ("watch", "--once"), ("readiness", "--json")):
        r = office.run(*args, check=False)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "nasti migrate" in r.stderr and "0003" in r.stderr, r.stderr
    assert _revision(db) == "0003"              # nothing was changed behind the engineer's back
    done = json.loads(office.run("migrate", "--json").stdout)
    assert done["before"] == "0003" and done["after"] == head_revision() and done["changed"]
    assert "nasti.db" in done["database"]
    assert office.json("status") == []
    again = office.run("db", "upgrade").stdout
    assert "nothing to do" in again


def test_a_database_newer_than_this_nasti_is_refused(office) -> None:
    db = str(office.root / "var" / "nasti.db")
    office.run("migrate")
    with sqlite3.connect(db) as c:
        c.execute("UPDATE alembic_version SET version_num = '0999'")
    for args in (("status",), ("migrate",)):
        r = office.run(*args, check=False)
        assert r.returncode == 2 and "newer than this nasti" in r.stderr, r.stderr


def test_a_file_that_is_not_a_database_is_named_not_a_driver_error(office) -> None:
    """[store] url pointing at a text file (a mistyped path, a damaged disk): every command, migrate and watch say
    which file and what to do (exit 2: a restart cannot fix it), not '(sqlite3.DatabaseError) file is not a
    database' (exit 1); the file is left as it was."""
    db = office.root / "var" / "nasti.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    junk = "नस्ती नहीं — not a database\n" * 40
    db.write_text(junk, encoding="utf-8")
    for args in (("status",), ("migrate",), ("watch", "--once"), ("review",)):
        r = office.run(*args, check=False)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert str(db) in r.stderr and "not an SQLite database" in r.stderr, r.stderr
        assert "sqlite3.DatabaseError" not in r.stderr
    assert db.read_text(encoding="utf-8") == junk
