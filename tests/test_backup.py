"""`nasti backup` while a real `watch` process ingests, and `nasti restore` on another machine (a fresh folder): the
same documents, text and search; backups are incremental (unchanged files neither copied nor hashed again)."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
from pathlib import Path
from typing import Any

from nasti.samples import make_letter, render_page, save_document
from tests.conftest import Office, wait_for, write_config

BRANCHES = '[branches.revenue]\ncode = "REV"\n[branches.legal]\ncode = "LEG"\n'
N = 6


def drop(office: Office, start: int, count: int) -> None:
    tmp = office.root / "made"
    tmp.mkdir(exist_ok=True)
    for i in range(start, start + count):
        fmt, lang = ("png", "pdf")[i % 2], ("hi", "hi", "en")[i % 3]
        letter = make_letter(i + 1, lang, file_number=f"{2317 + i}/राज./2016" if lang == "hi" else None)
        made = save_document([render_page(letter.lines, lang=lang)], tmp / f"f{i}.{fmt}", fmt)
        dest = office.share / ("revenue", "legal")[i % 2] / f"पत्र {i}.{fmt}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(made, dest)


def done(office: Office) -> list[dict[str, Any]]:
    return [d for d in office.documents() if d["status"] == "done"]


def portable(docs: list[dict[str, Any]], root: Path) -> list[dict[str, Any]]:
    return [{**d, **{k: str(Path(d[k]).relative_to(root)) for k in ("pdf", "archive") if d[k]}} for d in docs]


def fresh(tmp: Path) -> Office:
    tmp.mkdir()
    (tmp / "share").mkdir()
    return Office(tmp, write_config(tmp, BRANCHES))


def test_backup_while_watch_runs_restores_elsewhere_to_the_same_documents(tmp_path: Path) -> None:
    live = fresh(tmp_path / "live")
    out = tmp_path / "backup"
    proc = live.popen("watch")
    stops: list[str] = []

    def watching(n: int) -> bool:
        # The watcher stopped once inside the full suite (never alone); a second stop is the failure, with its words.
        nonlocal proc
        if proc.poll() is not None:
            stops.append(f"watch exited {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
            assert len(stops) < 2, stops
            proc = live.popen("watch")
        return len(done(live)) >= n

    try:
        drop(live, 0, N)
        wait_for(lambda: watching(2), timeout=300)
        mid = json.loads(live.run("backup", str(tmp_path / "mid"), "--json").stdout)   # taken mid-ingest
        with sqlite3.connect(tmp_path / "mid" / "nasti.db") as con:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            at_snapshot = con.execute("SELECT count(*) FROM document WHERE status = 'done'").fetchone()[0]
        assert at_snapshot >= 2 and mid["files"] >= 2 * at_snapshot
        wait_for(lambda: watching(N), timeout=600)
        first = json.loads(live.run("backup", str(out), "--json").stdout)      # watch still running, idle
        assert first["files"] == 2 * N and first["copied"] == 2 * N
        again = json.loads(live.run("backup", str(out), "--json").stdout)
        assert again["files"] == 2 * N and again["copied"] == 0 and again["hashed"] == 0
        drop(live, N, 1)
        wait_for(lambda: watching(N + 1), timeout=300)
        third = json.loads(live.run("backup", str(out), "--json").stdout)
        assert third["copied"] == 2 and third["hashed"] == 2 and third["files"] == 2 * (N + 1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    want = portable(done(live), live.root)
    hits = live.json("search", "कलेक्टर")
    assert len(want) == N + 1 and hits

    there = fresh(tmp_path / "elsewhere")
    r = there.run("restore", str(out))
    assert f"{2 * (N + 1)} files brought back" in r.stdout
    assert portable(there.documents(), there.root) == want
    assert [(h["id"], h["snippet"]) for h in there.json("search", "कलेक्टर")] == [(h["id"], h["snippet"]) for h in hits]
    assert there.run("fsck").returncode == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    sums = (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert len(manifest["files"]) == len(sums) == 2 * (N + 1)

    early = fresh(tmp_path / "from-mid")
    early.run("restore", str(tmp_path / "mid"))
    got = {d["id"]: d for d in portable(early.documents(), early.root) if d["status"] == "done"}
    assert len(got) >= at_snapshot
    assert all(got[i] == d for d in want if (i := d["id"]) in got)   # what it holds is what the live office held
    assert early.run("fsck").returncode == 0


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    office = fresh(tmp_path / "o")
    (tmp_path / "junk").mkdir()
    r = office.run("restore", str(tmp_path / "junk"), check=False)
    assert r.returncode == 2 and "not a nasti backup" in " ".join(r.stderr.split())
