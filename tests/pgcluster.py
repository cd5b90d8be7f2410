"""A throwaway PostgreSQL cluster for a test: initdb in a temporary folder (as the postgres user when run as root),
Unix socket only, server time zone as asked; stopped and removed afterwards. Needs Debian's postgresql package
(scripts/setup.sh installs it)."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), Path("/usr/lib/postgresql/15/bin"))


def _run(*cmd: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    r = subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")


@contextmanager
def cluster(timezone: str) -> Iterator[str]:
    """A running server whose ``TimeZone`` is ``timezone``; yields its SQLAlchemy URL (database ``postgres``)."""
    root = Path(tempfile.mkdtemp(prefix="nasti-pg-"))
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    data = root / "data"
    try:
        _run(str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
             "--locale=C.UTF-8")
        _run(str(BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"), "-o",
             f"-c listen_addresses='' -k {root} -c timezone={timezone} -c fsync=off", "start")
        try:
            yield f"postgresql+psycopg://postgres@/postgres?host={root}"
        finally:
            _run(str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


_counter = iter(range(1, 1_000_000))


def new_database(url: str, prefix: str = "t") -> str:
    """A fresh, empty database on the cluster at ``url``; returns its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}{os.getpid()}_{next(_counter)}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@contextmanager
def server(port: int | None = None) -> Iterator[str]:
    """A running server with the default time zone (UTC), listening on a Unix socket (and on 127.0.0.1:``port``
    when given); yields its URL."""
    cl, root = private_cluster(port)
    try:
        yield cl.url
    finally:
        cl.stop()
        shutil.rmtree(root, ignore_errors=True)


def private_cluster(port: int | None = None) -> tuple[Cluster, Path]:
    """A new cluster, started, in a fresh short folder (its Unix socket lives there) owned by postgres when run as
    root; the caller stops it and removes the folder."""
    root = Path(tempfile.mkdtemp(prefix="nasti-pg-"))
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    cl = Cluster(root, port)
    try:
        cl.init()
        cl.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return cl, root


class Cluster:
    """A cluster the test may stop (``-m immediate``: a crash) and start again."""

    def __init__(self, root: Path, port: int | None = None) -> None:
        self.root, self.port, self.data = root, port, root / "data"
        self.url = f"postgresql+psycopg://postgres@/postgres?host={root}"
        if port:
            self.url += f"&port={port}"

    def init(self) -> None:
        _run(str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
             "--locale=C.UTF-8")

    def start(self) -> None:
        listen = f"-c listen_addresses=127.0.0.1 -p {self.port}" if self.port else "-c listen_addresses=''"
        _run(str(BIN / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.root / "log"), "-o",
             f"{listen} -k {self.root} -c timezone=UTC -c fsync=off -c max_connections=200", "start")

    def stop(self, mode: str = "immediate") -> None:
        _run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
