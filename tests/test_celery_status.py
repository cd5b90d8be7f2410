"""Worker progress (issue 15, item 4): `nasti worker status [--json]` and the dashboard's /workers page, from real
ocr_batch / ocr_batch_log / ocr_result rows written by workers/batches.py (claim, record, finish) on SQLite; Hindi
first, English on the switch; only the collector (who administers the deployment) sees it."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import regex
from sqlalchemy import select

from ocr.page import PageResult
from store.models import Document
from store.workerstatus import worker_status
from tests.conftest import NASTI
from tests.test_web import (
    client,
    fast_hashes,  # noqa: F401  (light argon2 parameters in this module)
    seed_web,
)
from tests.test_web_i18n import _catalog, _visible
from workers import batches


def _page(n: int) -> PageResult:
    return PageResult(number=n, text="कार्यालय आदेश", confidence=90.0, blank=False, language="hin", rotation=0,
                      seconds=0.1, layer=None)


@pytest.fixture
def rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """Two worker machines: this one reads pages 1–2 of a document (page 1 read, batch 3–4 queued) and finished a
    batch of another; `scanner-2` finished one and had one rejected (a page over the time limit)."""
    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    web = seed_web(tmp_path)
    _, store, _ = web
    with store.session() as s:
        docs = [(d.id, d.sha256) for d in s.scalars(select(Document).where(Document.status == "done")
                                                    .order_by(Document.id).limit(4))]
    (a, sa), (b, sb), (c, sc), (d, sd) = docs
    running, queued = batches.plan(store, a, sa, "pdf", 4, 2)
    mine = batches.claim(store, running, lease=300)
    assert mine is not None and batches.record(store, mine, _page(1), lease=300)
    (done_here,) = batches.plan(store, b, sb, "pdf", 2, 2)
    got = batches.claim(store, done_here, lease=300)
    assert got is not None and batches.finish(store, got, "done")
    monkeypatch.setattr(batches, "worker_id", lambda: "scanner-2/1a2b3c4d:4242")
    (done_there,) = batches.plan(store, c, sc, "pdf", 3, 3)
    got = batches.claim(store, done_there, lease=300)
    assert got is not None and batches.finish(store, got, "done")
    (slow,) = batches.plan(store, d, sd, "pdf", 1, 2)
    got = batches.claim(store, slow, lease=300)
    assert got is not None and batches.finish(store, got, "rejected", "page_timeout", "batch over its limit of 70 s")
    monkeypatch.undo()
    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    return web, {"running": a, "queued": queued, "here": b, "there": c, "rejected": d}


def test_status_from_real_rows(rows: tuple) -> None:
    (cfg, store, _), ids = rows
    with store.session() as s:
        st = worker_status(s)
    assert (st.queued_batches, st.queued_pages) == (1, 2)
    by = {w.machine: w for w in st.workers}
    assert set(by) == {os.uname().nodename, "scanner-2"}, by
    here, there = by[os.uname().nodename], by["scanner-2"]
    assert here.process == str(os.getpid())
    (r,) = here.running
    assert (r.document, r.first_page, r.last_page, r.pages_read) == (ids["running"], 1, 2, 1)
    assert r.since is not None and r.lease_left is not None and 200 < r.lease_left <= 300
    assert (here.batches_hour, here.pages_hour) == (1, 2)
    assert (there.batches_hour, there.pages_hour, there.running) == (1, 3, [])
    assert there.pages_per_minute == 0.05
    (f,) = st.failed
    assert (f.document, f.state, f.code, f.machine, f.process) == (ids["rejected"], "rejected", "page_timeout",
                                                                   "scanner-2", "4242")
    out = subprocess.run([NASTI, "--config", str(cfg.path), "worker", "status", "--json"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["queued_batches"] == 1 and len(got["workers"]) == 2 and got["failed"][0]["code"] == "page_timeout"
    assert {w["machine"]: w["pages_hour"] for w in got["workers"]} == {os.uname().nodename: 2, "scanner-2": 3}
    text = subprocess.run([NASTI, "--config", str(cfg.path), "worker", "status"], capture_output=True, text=True,
                          timeout=60)
    assert text.returncode == 0, text.stderr
    first = text.stdout.splitlines()[0]
    assert first.index("प्रतीक्षा") < first.index("waiting")          # Hindi first, then English
    assert "scanner-2 · 4242" in text.stdout and "समय-सीमा" in text.stdout


def test_workers_page_for_the_collector_in_hindi_and_english(rows: tuple) -> None:
    web, ids = rows
    assert client(web, "head").get("/workers").status_code == 403
    assert client(web, "clerk").get("/workers").status_code == 403
    c = client(web, "collector")
    page = c.get("/workers")
    assert page.status_code == 200
    html = page.text
    assert "scanner-2" in html and f"/document/{ids['running']}" in html and f"/document/{ids['rejected']}" in html
    assert "पृष्ठ प्रति मिनट" in html and "1 पढ़े" in html and "एक पृष्ठ पढ़ने में बैच की समय-सीमा" in html
    visible = _visible(html)
    en = {k: v for k, v in _catalog("en").items() if k != "language" and len(v) >= 3}
    leaks = sorted({v for v in en.values() if regex.search(rf"(?<![\w/]){regex.escape(v)}(?![\w/])", visible)})
    assert not leaks, leaks
    c.get("/lang/en")
    english = c.get("/workers").text
    assert "Pages per minute" in english and "Batches waiting for a worker: 1 (2 pages)" in english
