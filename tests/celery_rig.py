"""Test rig for the scale-out path: a throwaway redis-server on a loopback port (Debian's package; never skipped: a
missing redis-server fails loudly), a PostgreSQL database, `nasti worker` processes and `nasti watch`, and the
never-lose invariant checked against PostgreSQL."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pikepdf
from sqlalchemy import create_engine, text

from tests.conftest import NASTI
from tests.hostile import small_page

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Redis:
    """redis-server on 127.0.0.1:``port``, data in a temporary folder, no persistence (a restart loses every
    message: the worst case, that the database must make up for)."""

    def __init__(self) -> None:
        assert os.path.exists(REDIS), "redis-server is not installed: run scripts/setup.sh (apt package redis-server)"
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="nasti-redis-"))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen([REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                                      "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._up, 10, "redis-server did not start")

    def _up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def redis_server() -> Iterator[Redis]:
    r = Redis()
    try:
        r.start()
        yield r
    finally:
        r.close()


def wait_until(cond: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        time.sleep(every)
    raise AssertionError(f"{what} (after {timeout:.0f} s)")


def pdf(pages: int, label: str) -> bytes:
    import io

    buf = io.BytesIO()
    imgs = [small_page(f"{label} पृष्ठ {i + 1}") for i in range(pages)]
    imgs[0].save(buf, "PDF", resolution=300, save_all=True, append_images=imgs[1:])
    return buf.getvalue()


class Site:
    """A district server on one machine: share, archive, PostgreSQL, Redis, workers and a watcher."""

    def __init__(self, root: Path, db_url: str, redis: Redis, *, batch_pages: int = 2, page_timeout: float = 30,
                 requeue_seconds: float = 2, batch_seconds: float = 0) -> None:
        self.root, self.db_url, self.redis = root, db_url, redis
        self.share, self.archive, self.hooks = root / "share", root / "archive", root / "hooks"
        for d in (self.share / "revenue", self.archive, self.hooks):
            d.mkdir(parents=True, exist_ok=True)
        self.config = root / "config.toml"
        self.config.write_text(
            f'[share]\npath = "share"\n[store]\nurl = "{db_url}"\n[archive]\npath = "archive"\n'
            f'[ocr]\npage_timeout = {page_timeout}\n'
            '[watch]\nquiet_seconds = 0.3\nrecheck_seconds = 0.2\npoll_interval = 0.3\n'
            f'[queue]\nbackend = "celery"\nurl = "{redis.url}"\nbatch_pages = {batch_pages}\n'
            f'requeue_seconds = {requeue_seconds}\nbatch_seconds = {batch_seconds}\n'
            '[branches.revenue]\ncode = "REV"\nname_hi = "राजस्व"\nname_en = "Revenue"\n', encoding="utf-8")
        self.workers: list[subprocess.Popen[str]] = []
        self.extra_env: dict[str, str] = {}
        self.drops: dict[str, bytes] = {}
        from nasti.schema import upgrade

        upgrade(db_url)     # what `nasti db upgrade` does (tests/test_pg.py runs the command itself)

    def env(self) -> dict[str, str]:
        return {**os.environ, "NASTI_WORKER_HOOKS": str(self.hooks), "OMP_THREAD_LIMIT": "1", **self.extra_env}

    def run(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        r = subprocess.run([NASTI, "--config", str(self.config), *args], capture_output=True, text=True,
                           timeout=timeout, cwd=self.root, env=self.env())
        assert r.returncode == 0, f"nasti {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}"
        return r

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([NASTI, "--config", str(self.config), *args], stdout=subprocess.DEVNULL,
                                stderr=open(self.root / f"log-{len(self.workers)}-{time.monotonic_ns()}.txt", "w"),
                                text=True, cwd=self.root, env=self.env(), start_new_session=True)

    def start_worker(self, concurrency: int = 1) -> subprocess.Popen[str]:
        p = self.popen("worker", f"--concurrency={concurrency}", "--loglevel=warning")
        self.workers.append(p)
        return p

    def drop(self, name: str, pages: int) -> None:
        data = pdf(pages, name)
        self.drops[f"revenue/{name}"] = data
        tmp = self.share / "revenue" / f".{name}.part"
        tmp.write_bytes(data)
        tmp.rename(self.share / "revenue" / name)

    def hook_files(self, kind: str) -> list[tuple[int, int]]:
        """(batch id, pid) of every hook file of this kind."""
        out = []
        for f in self.hooks.glob(f"{kind}-*-*"):
            _, batch, pid = f.name.split("-")
            out.append((int(batch), int(pid)))
        return out

    def hold(self, kind: str) -> None:
        """Workers reaching hook ``kind`` wait there until :meth:`release`."""
        (self.hooks / f"HOLD-{kind}").touch()

    def release(self, kind: str) -> None:
        (self.hooks / f"HOLD-{kind}").unlink()

    def held(self, kind: str) -> int:
        """Wait for a worker to reach hook ``kind``; its pid."""
        f = wait_until(lambda: next(iter(self.hooks.glob(f"{kind}-*")), None), 60, f"no worker reached {kind}")
        return int(f.name.rsplit("-", 1)[1])

    def close(self) -> None:
        for p in self.workers:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)

    def logs(self) -> str:
        return "\n".join(f.read_text(errors="replace")[-3000:] for f in sorted(self.root.glob("log-*.txt")))

    def check(self) -> dict[str, int]:
        """The never-lose invariant: one final, settled record per drop; every done drop archived byte-identical
        with a searchable PDF of the right page count; the archive holds exactly what the database references."""
        engine = create_engine(self.db_url)
        with engine.connect() as c:
            rows = c.execute(text("SELECT id, source, sha256, status, settled, archive_path, pdf_path, pages "
                                  "FROM document ORDER BY id")).all()
            batches_left = c.execute(text("SELECT count(*) FROM ocr_batch")).scalar()
        engine.dispose()
        counts: dict[str, int] = {}
        referenced: set[Path] = set()
        sources = [r.source for r in rows]
        assert sorted(sources) == sorted(self.drops), (sources, sorted(self.drops))   # one record per drop
        for r in rows:
            counts[r.status] = counts.get(r.status, 0) + 1
            assert r.status in ("done", "rejected", "duplicate", "failed") and r.settled, r
            if r.status == "done":
                data = self.drops[r.source]
                assert hashlib.sha256((self.archive / r.archive_path).read_bytes()).hexdigest() == r.sha256
                assert hashlib.sha256(data).hexdigest() == r.sha256
                with pikepdf.open(self.archive / r.pdf_path) as p, pikepdf.open(self.archive / r.archive_path) as o:
                    assert len(p.pages) == len(o.pages) == r.pages, (r.source, len(p.pages), r.pages)
                referenced |= {self.archive / r.archive_path, self.archive / r.pdf_path}
        files = {p for p in self.archive.rglob("*") if p.is_file() and ".staging" not in p.parts
                 and "_quarantine" not in p.parts and not (p.parent == self.archive and p.name.startswith(".nasti"))}
        assert files == referenced, sorted(map(str, files ^ referenced))[:5]
        assert batches_left == 0
        return counts
