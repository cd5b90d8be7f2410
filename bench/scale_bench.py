"""Scale-out benchmark (run by hand): pages/min with 1 and 2 Celery worker processes, CPU per page against the local
pool, and the time to recover after kill -9 of a worker. Writes bench/results/scale.md.

    OMP_THREAD_LIMIT=1 .venv/bin/python -m bench.scale_bench [--docs 4] [--pages 4] [--kills 3]

Each run starts from a fresh share, archive and database: the local pool on SQLite (`[ocr] workers = 2`), then
PostgreSQL + Redis (throwaway servers, tests/pgcluster.py and tests/celery_rig.py) with `nasti worker
--concurrency 1` and `--concurrency 2`. Pages are generated Hindi office letters (nasti.samples) at 200 dpi.
As deployed, `nasti watch` is running before the files are dropped: a run is timed from the drops until every drop is
final and settled in the database (the watcher's and the workers' start-up are not counted, in any run).
CPU is the user+system time of every process of the run (the watcher, the workers and their tesseract/poppler
children) from getrusage(RUSAGE_CHILDREN), less a worker's own start-up and shutdown measured idle.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from nasti.samples import make_letter, render_page
from tests.celery_rig import Redis, Site, wait_until
from tests.conftest import NASTI
from tests.pgcluster import new_database, server

RESULTS = Path(__file__).resolve().parent / "results" / "scale.md"


class CpuMeter:
    """CPU seconds (user + system) of every process in the given sessions (each nasti process is started in its own
    session, and its pool processes and tesseract/poppler children stay in it), sampled from /proc every 0.1 s;
    :meth:`mark` takes the baseline, so a worker's start-up is not counted. Processes shorter than 0.1 s are missed
    alike in every run."""

    def __init__(self) -> None:
        self.sessions: set[int] = set()
        self.seen: dict[tuple[int, int], float] = {}
        self.base: dict[tuple[int, int], float] = {}
        self.session_of: dict[tuple[int, int], int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                raw = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            f = raw[raw.rindex(")") + 2:].split()
            if int(f[3]) in self.sessions:   # field 6: session id
                self.seen[(int(d), int(f[19]))] = (int(f[11]) + int(f[12])) / tick   # utime, stime; key: starttime
                self.session_of[(int(d), int(f[19]))] = int(f[3])

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self._sample()

    def mark(self) -> None:
        self._sample()
        self.base = dict(self.seen)

    def total(self, session: int | None = None) -> float:
        """CPU seconds since :meth:`mark`, of every watched session or of one."""
        self._sample()
        return sum(v - self.base.get(k, 0.0) for k, v in self.seen.items()
                   if session is None or self.session_of.get(k) == session)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def make_pdfs(folder: Path, docs: int, pages: int) -> dict[str, bytes]:
    import io

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for d in range(docs):
        imgs = [render_page(make_letter(100 * d + p, "hi", lines=12).lines, lang="hi", dpi=200) for p in range(pages)]
        buf = io.BytesIO()
        imgs[0].save(buf, "PDF", resolution=200, save_all=True, append_images=imgs[1:])
        out[f"doc{d}.pdf"] = buf.getvalue()
    return out


def drop_all(site_share: Path, corpus: dict[str, bytes]) -> None:
    for name, data in corpus.items():
        tmp = site_share / "revenue" / f".{name}.part"
        tmp.write_bytes(data)
        tmp.rename(site_share / "revenue" / name)


def settled(db_url: str, docs: int) -> bool:
    """Every drop has its final, settled record."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            return c.execute(text("SELECT count(*) FROM document WHERE settled AND status IN "
                                  "('done', 'rejected', 'duplicate', 'failed')")).scalar() == docs
    finally:
        engine.dispose()


def serve_and_drop(meter: CpuMeter, watch: subprocess.Popen[str], log: Path, share: Path, db_url: str,
                   corpus: dict[str, bytes], pages: int) -> dict[str, float]:
    """A watcher as deployed (running before the clerks drop): wait until it watches, drop every file, time until
    every drop is final and settled. The watcher's start-up is not counted (CPU from :meth:`CpuMeter.mark`)."""
    meter.sessions.add(watch.pid)
    wait_until(lambda: "watching" in log.read_text(errors="replace"), 120, "the watcher did not start")
    meter.mark()
    t0 = time.monotonic()
    drop_all(share, corpus)
    wait_until(lambda: settled(db_url, len(corpus)), 3600, "not every drop was settled", every=0.2)
    wall = time.monotonic() - t0
    used, watcher = meter.total(), meter.total(watch.pid)
    stop(watch)
    meter.close()
    return {"wall": wall, "cpu": used, "ppm": pages / wall * 60, "cpu_page": used / pages,
            "watcher_page": watcher / pages}


def run_local(root: Path, corpus: dict[str, bytes], pages: int) -> dict[str, float]:
    (root / "share" / "revenue").mkdir(parents=True)
    cfg = root / "config.toml"
    cfg.write_text('[share]\npath = "share"\n[store]\nurl = "sqlite:///var/nasti.db"\n[archive]\npath = "archive"\n'
                   '[ocr]\nworkers = 2\n[watch]\nquiet_seconds = 0.3\nrecheck_seconds = 0.2\npoll_interval = 0.3\n'
                   '[branches.revenue]\ncode = "REV"\nname_hi = "राजस्व"\nname_en = "Revenue"\n', encoding="utf-8")
    subprocess.run([NASTI, "--config", str(cfg), "migrate"], check=True, capture_output=True, cwd=root)
    log = root / "watch.log"
    w = subprocess.Popen([NASTI, "--config", str(cfg), "watch"], stdout=subprocess.DEVNULL, stderr=open(log, "w"),
                         cwd=root, start_new_session=True)
    return serve_and_drop(CpuMeter(), w, log, root / "share", f"sqlite:///{root / 'var' / 'nasti.db'}", corpus,
                          pages)


def stop(p: subprocess.Popen[str]) -> None:
    os.kill(p.pid, signal.SIGTERM)     # warm shutdown: the parent reaps its pool, so its CPU reaches our rusage
    try:
        p.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(10)


def run_celery(root: Path, pg: str, corpus: dict[str, bytes], pages: int, concurrency: int) -> dict[str, float]:
    redis = Redis()
    redis.start()
    try:
        site = Site(root, new_database(pg, f"bench{concurrency}"), redis, batch_pages=2, page_timeout=180)
        meter = CpuMeter()
        w = site.start_worker(concurrency)
        meter.sessions.add(w.pid)
        time.sleep(8)   # the worker is up (Celery's start-up is not what is measured)
        site.drops = {f"revenue/{n}": d for n, d in corpus.items()}
        log = root / "watch.log"
        watch = subprocess.Popen([NASTI, "--config", str(site.config), "watch"], stdout=subprocess.DEVNULL,
                                 stderr=open(log, "w"), cwd=root, env=site.env(), start_new_session=True)
        got = serve_and_drop(meter, watch, log, site.share, site.db_url, corpus, pages)
        stop(w)
        site.check()
        return got
    finally:
        redis.close()


def run_kills(root: Path, pg: str, corpus: dict[str, bytes], kills: int, seed: int) -> list[float]:
    """kill -9 of the worker process reading a batch, ``kills`` times at a random page; seconds from each kill to
    the batch claimed again by a live process. Ends with the never-lose invariant."""
    rnd = random.Random(seed)
    redis = Redis()
    redis.start()
    site = Site(root, new_database(pg, "kills"), redis, batch_pages=2, page_timeout=180)
    try:
        site.start_worker(2)
        site.drops = {f"revenue/{n}": d for n, d in corpus.items()}
        drop_all(site.share, corpus)
        watch = site.popen("watch", "--once")
        times = []
        for _ in range(kills):
            (site.hooks / "HOLD-page").touch()
            time.sleep(0.5)     # a page file written before the hold is not a held worker's: clear them
            for p in site.hooks.glob("page-*-*"):
                p.unlink()
            f = wait_until(lambda: [p for p in site.hooks.glob("page-*-*")], 120, "no page read (all done?)")
            f = rnd.choice(f)
            batch, pid = (int(x) for x in f.name.split("-")[1:])
            before = set(site.hook_files("claimed"))
            os.kill(pid, signal.SIGKILL)
            t0 = time.monotonic()
            for p in site.hooks.glob("page-*-*"):
                p.unlink()
            (site.hooks / "HOLD-page").unlink()
            wait_until(lambda b=batch, k=before: any(c[0] == b and c not in k for c in site.hook_files("claimed")),
                       600, "the killed batch was not taken again", every=0.05)
            times.append(time.monotonic() - t0)
        assert watch.wait(3600) == 0, site.logs()
        site.check()
        return times
    finally:
        site.close()
        redis.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=4)
    ap.add_argument("--pages", type=int, default=4)
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--seed", type=int, default=15)
    a = ap.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    pages = a.docs * a.pages
    with tempfile.TemporaryDirectory(prefix="nasti-scale-") as tmp, server() as pg:
        tmpd = Path(tmp)
        corpus = {n: d for n, d in make_pdfs(tmpd / "corpus", a.docs, a.pages).items()}
        local = run_local(tmpd / "local", corpus, pages)
        print("local", local, flush=True)
        one = run_celery(tmpd / "c1", pg, corpus, pages, 1)
        print("celery 1", one, flush=True)
        two = run_celery(tmpd / "c2", pg, corpus, pages, 2)
        print("celery 2", two, flush=True)
        try:
            more = make_pdfs(tmpd / "corpus2", 3 * a.docs, a.pages)     # enough pages left for every kill
            kills = run_kills(tmpd / "kills", pg, more, a.kills, a.seed) if a.kills else []
            kill_error = ""
        except AssertionError as e:
            kills, kill_error = [], str(e).splitlines()[0]
        print("kills", kills, flush=True)
    rows = [("local pool, 2 processes (SQLite)", local), ("celery, 1 worker process", one),
            ("celery, 2 worker processes", two)]
    lines = [
        "# Scale-out: Celery workers against the local pool",
        "",
        f"`python -m bench.scale_bench --docs {a.docs} --pages {a.pages} --kills {a.kills}` on this machine "
        f"({os.cpu_count()} cores; see the load average for other work): {a.docs} generated Hindi letters × "
        f"{a.pages} pages = {pages} pages at 200 dpi, batches of 2 pages, PostgreSQL + Redis on loopback.",
        "",
        f"Load average when it ended: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        "",
        "| run | wall s | pages/min | CPU s | CPU s/page | of which the watcher, s/page |",
        "|---|---|---|---|---|---|",
        *[f"| {n} | {r['wall']:.1f} | {r['ppm']:.1f} | {r['cpu']:.1f} | {r['cpu_page']:.3f} | "
          f"{r['watcher_page']:.3f} |" if "watcher_page" in r else
          f"| {n} | {r['wall']:.1f} | {r['ppm']:.1f} | {r['cpu']:.1f} | {r['cpu_page']:.3f} | (one process) |"
          for n, r in rows],
        "",
        f"- scaling, 2 worker processes / 1: **{two['ppm'] / one['ppm']:.2f}×** pages/min (target ≥ 1.8)",
        f"- CPU per page, celery (2 processes, watcher + workers) / local pool: "
        f"**{two['cpu_page'] / local['cpu_page']:.2f}×** (target ≤ 1.05)",
    ]
    if kills:
        lines.append(f"- kill -9 of the worker process reading a batch, {len(kills)} times at random pages: the batch "
                     f"was claimed again by a live process after {', '.join(f'{k:.2f}' for k in kills)} s "
                     f"(max {max(kills):.2f} s); every drop done once, archive = database, page counts right")
    if kill_error:
        lines.append(f"- kill -9 loop FAILED: {kill_error}")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
