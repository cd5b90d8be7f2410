"""Where the database's schema stands against this nasti's migrations, and the one gate every command opens it by.

`nasti migrate` (also `nasti db upgrade`) is the one step that changes an existing schema. A brand-new database (no
tables at all: a first run) on SQLite is created and migrated by whichever command opens it first, so `./install.sh` and
`nasti register import` before the first `watch` keep working; a new PostgreSQL database only by `nasti db upgrade`.
A database that is behind, or ahead of this nasti, is refused with the command to run.
"""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import DatabaseError

from store.db import Store, alembic_config, head_revision, make_engine, migrate

log = logging.getLogger("nasti")


class SchemaError(Exception):
    """The database is not at this nasti's schema; the message names the command that fixes it."""


@dataclass(frozen=True)
class SchemaState:
    current: str | None   # alembic revision recorded in the database; None: never migrated
    head: str             # newest migration this nasti ships
    tables: int           # tables present (0: a brand-new database)
    known: bool           # the current revision is one of ours

    @property
    def state(self) -> str:
        if self.current is None:
            return "new" if self.tables == 0 else "foreign"
        if self.current == self.head:
            return "current"
        return "behind" if self.known else "ahead"


def schema_state(engine: Engine) -> SchemaState:
    script = ScriptDirectory.from_config(alembic_config())
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            tables = len(inspect(conn).get_table_names())
    except DatabaseError as e:
        if type(e.orig) is not sqlite3.DatabaseError:  # e.g. a server that is down: a retry may help
            raise
        raise SchemaError(f"the database file {engine.url.database} is not an SQLite database (damaged, or another "
                          "program's file): check [store] url in the config, or restore the latest backup; nasti "
                          "leaves the file as it is") from e
    known = current is not None and any(r.revision == current for r in script.walk_revisions())
    return SchemaState(current, head_revision(), tables, known)


def explain(st: SchemaState, url: str) -> str:
    where = safe_url(url)
    if st.state == "behind":
        return (f"the database {where} is at schema {st.current}, this nasti needs {st.head}: back it up, then run "
                "`nasti migrate` (the one step that changes the schema)")
    if st.state == "ahead":
        return (f"the database {where} is at schema {st.current}, newer than this nasti knows ({st.head}): "
                "install the nasti version that wrote it")
    if st.state == "foreign":
        return f"the database {where} has {st.tables} tables but no nasti schema version: is it another program's?"
    return ""


def safe_url(url: str) -> str:
    """The URL without a password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL the config check let through but SQLAlchemy cannot parse: name no secrets
        return "(configured database)"


def open_checked(url: str, *, create: bool = True) -> Store:
    """A Store on ``url`` whose schema is this nasti's; a brand-new SQLite database is created (unless ``create``
    is False: an OCR worker never changes a schema, not even a new one's); else SchemaError. A PostgreSQL database
    is a server's: only `nasti db upgrade` creates its schema (an empty one may be a typo in the database name)."""
    engine = make_engine(url)
    try:
        st = schema_state(engine)
        if st.state == "new" and (not create or engine.dialect.name == "postgresql"):
            raise SchemaError(f"the database {safe_url(url)} has no nasti schema yet: run `nasti db upgrade` once "
                              "(on the server, not on a worker)")
        if st.state == "new":
            migrate(engine)
            log.info("created a new database at %s (schema %s)", safe_url(url), st.head)
        elif st.state != "current":
            raise SchemaError(explain(st, url))
    finally:
        engine.dispose()
    return Store(url, migrate_schema=False)


def upgrade(url: str) -> tuple[str | None, str]:
    """`nasti migrate`: bring the schema to head; returns (before, after)."""
    engine = make_engine(url)
    try:
        st = schema_state(engine)
        if st.state in ("ahead", "foreign"):
            raise SchemaError(explain(st, url))
        if st.state != "current":
            migrate(engine)
        return st.current, schema_state(engine).current or st.head
    finally:
        engine.dispose()
