"""Engine, sessions and migrate-on-first-use (SQLite in WAL mode, or PostgreSQL)."""
from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # a watcher holds a connection per drop in flight (the same-bytes lock, store.dblocks) beside its sessions
    engine = create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=20)
    event.listen(engine, "connect", _pg_keepalive)
    return engine


def _pg_keepalive(dbapi_conn: Any, _record: Any) -> None:
    """The server drops this session within about a minute once the machine holding it is cut off the network
    (the kernel's defaults: over two hours) — and with it the leader lock and any hold on the leader epoch
    (store/dblocks.py), so a stand-by can lead. Ignored on a Unix socket."""
    cur = dbapi_conn.cursor()
    cur.execute("SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3")
    dbapi_conn.commit()   # a session setting made in a transaction lasts only if it commits
    try:
        cur.execute("SET tcp_user_timeout = 60000")   # PostgreSQL 12 and later
        dbapi_conn.commit()
    except Exception:
        dbapi_conn.rollback()
    cur.close()


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest migration this nasti ships (the schema revision a current database records)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One process migrates at a time (a watcher and a CLI command may both open a new database)."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with open(f"{engine.url.database}.migrate.lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    elif engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(7061737469)"))  # 'nasti'
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(7061737469)"))
                conn.commit()
    else:
        yield


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (creates the database on first use)."""
    cfg = alembic_config()
    with _migration_lock(engine), engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            # pysqlite opens a transaction only before INSERT/UPDATE/DELETE: without this BEGIN every CREATE and
            # ALTER commits on its own, and a process killed while a new database is made leaves tables with no
            # schema version (a database nasti then refuses as another program's)
            conn.exec_driver_sql("BEGIN")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Store:
    """One database: an engine and a session factory, migrated on open."""

    def __init__(self, url: str, *, migrate_schema: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if migrate_schema:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()
