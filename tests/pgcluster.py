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
