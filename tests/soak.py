"""A seeded randomised soak of the real `nasti watch` against what clerks and operators do: many drops, duplicate
drops, overwrites (in place and by rename), renames, deletions, kill -9 of the watcher and a second watcher — then
the invariants (DESIGN.md §2) are checked on what is left. Used by tests/test_soak.py (bounded) and bench/soak.py.
"""
from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests import hostile
from tests.conftest import write_config

NASTI = str(Path(sys.executable).with_name("nasti"))
BRANCHES = ("revenue", "legal", "establishment")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Report:
    seed: int
    drops: int = 0
    actions: Counter = field(default_factory=Counter)
    kills: int = 0
    second_watchers: int = 0
    second_exit_codes: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    contents: int = 0
    exempt: int = 0
    seconds: float = 0.0
    violations: list[str] = field(default_factory=list)


class Soak:
    def __init__(self, root: Path, seed: int) -> None:
        self.root, self.rng = root, random.Random(seed)
        self.share = root / "share"
        self.archive = root / "var" / "archive"
        for b in BRANCHES:
            (self.share / b).mkdir(parents=True, exist_ok=True)
        self.config = write_config(root, "[ocr]\nworkers = 1\npage_timeout = 60\n")
        self.report = Report(seed)
        self.dropped: dict[str, bytes] = {}     # every content ever put in the share
        self.exempt: set[str] = set()           # contents the clerk deleted or overwrote themselves
        self.n = 0
        self.watcher: subprocess.Popen[bytes] | None = None
        self.second: subprocess.Popen[bytes] | None = None

    # -- the clerk ---------------------------------------------------------------------------------------------
    def _content(self) -> bytes:
        self.n += 1
        if self.rng.random() < 0.1:
            return self.rng.choice([b"", hostile.truncated_pdf(), hostile.HTML + str(self.n).encode()])
        buf = io.BytesIO()
        hostile.small_page(f"नस्ती {self.n} क्रमांक/{4000 + self.n}").save(buf, "PNG", dpi=(300, 300))
        return buf.getvalue()

    def _name(self) -> Path:
        self.n += 1
        ext = self.rng.choice([".png", ".png", ".pdf"])
        return self.share / self.rng.choice(BRANCHES) / f"पत्र {self.n}{ext}"

    def _put(self, path: Path, data: bytes, inplace: bool = False) -> None:
        self.dropped[sha(data)] = data
        self.exempt.discard(sha(data))
        if inplace:
            with open(path, "r+b") as fh:
                fh.truncate(0)
                fh.write(data)
        else:
            tmp = path.with_name(f".copying-{self.n}")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        self.report.drops += 1

    def _files(self) -> list[Path]:
        return sorted(p for b in BRANCHES for p in (self.share / b).glob("*") if p.is_file()
                      and not p.name.startswith("."))

    def act(self) -> None:
        files = self._files()
        kind = self.rng.choices(["drop", "duplicate", "overwrite", "rename", "delete"], [6, 1.5, 1.5, 1.5, 1])[0]
        if kind in ("overwrite", "rename", "delete") and not files:
            kind = "drop"
        if kind == "duplicate" and not self.dropped:
            kind = "drop"
        try:
            if kind == "drop":
                self._put(self._name(), self._content())
            elif kind == "duplicate":
                self._put(self._name(), self.dropped[self.rng.choice(sorted(self.dropped))])
            elif kind == "overwrite":
                victim = self.rng.choice(files)
                old = victim.read_bytes()
                inplace = self.rng.random() < 0.5
                self._put(victim, self._content(), inplace=inplace)
                self.exempt.add(sha(old))
            elif kind == "rename":
                victim = self.rng.choice(files)
                os.rename(victim, self._name())
            else:
                victim = self.rng.choice(files)
                old = victim.read_bytes()
                victim.unlink()
                self.exempt.add(sha(old))
        except FileNotFoundError:
            kind = f"{kind} (missed: nasti took it first)"
        self.report.actions[kind] += 1

    # -- the operator ------------------------------------------------------------------------------------------
    def _nasti(self, *args: str) -> subprocess.Popen[bytes]:
        with open(self.root / "watch.log", "ab") as log:   # the child keeps its own copy of the descriptor
            return subprocess.Popen([NASTI, "--config", str(self.config), *args], stdout=log, stderr=log,
                                    cwd=self.root, start_new_session=True)

    def start(self) -> None:
        self.watcher = self._nasti("watch", "--wait")

    def kill(self) -> None:
        if self.watcher is not None:
            try:
                os.killpg(self.watcher.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.watcher.wait(timeout=60)
            self.report.kills += 1

    def second_watcher(self) -> None:
        if self.second is not None and self.second.poll() is None:
            return
        if self.second is not None:
            self.report.second_exit_codes[self.second.returncode] += 1
        self.second = self._nasti("watch", "--once")
        self.report.second_watchers += 1

    def run(self, *, actions: int, kills: int, seconds: float) -> Report:
        started = time.monotonic()
        kill_at = sorted(self.rng.sample(range(5, max(actions, kills + 6)), kills))
        second_at = set(self.rng.sample(range(actions), min(actions, max(1, kills // 2 + 1))))
        pause = seconds / max(actions, 1)
        self.start()
        for i in range(actions):
            self.act()
            if i in kill_at:
                self.kill()
                self.start()
            if i in second_at:
                self.second_watcher()
            time.sleep(self.rng.uniform(0.2, 1.8) * pause)
        self.finish()
        self.report.seconds = round(time.monotonic() - started, 1)
        return self.report

    def finish(self) -> None:
        """Stop everything, then one last `watch --once` brings the share to rest."""
        if self.second is not None:
            self.report.second_exit_codes[self.second.wait(timeout=600)] += 1
        if self.watcher is not None:
            self.watcher.send_signal(signal.SIGTERM)
            try:
                self.watcher.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.kill()
        last = subprocess.run([NASTI, "--config", str(self.config), "watch", "--once"], capture_output=True,
                              text=True, cwd=self.root, timeout=900)
        if last.returncode != 0:
            self.report.violations.append(f"final watch --once exited {last.returncode}: {last.stdout[-500:]}")
        self.check()

    # -- the invariants ----------------------------------------------------------------------------------------
    def check(self) -> None:
        v = self.report.violations
        db = sqlite3.connect(self.root / "var" / "nasti.db")
        rows = db.execute("select id, source, sha256, status, reason_code, archive_path, pdf_path, rejected_path, "
                          "settled from document").fetchall()
        db.close()
        archived: set[str] = set()
        returned: set[str] = set()
        referenced: set[Path] = set()
        per_drop = Counter((r[1], r[2]) for r in rows)
        for doc_id, source, digest, status, code, arch, pdf, rej, settled in rows:
            self.report.statuses[status] += 1
            if status != "done":
                self.report.reasons[code] += 1
            if status not in ("done", "rejected", "duplicate"):
                v.append(f"#{doc_id} {source} ended {status} ({code})")
            if not settled:
                v.append(f"#{doc_id} {source} not settled")
            if status == "done":
                a, p = self.archive / arch, self.archive / pdf
                if not a.is_file() or sha(a.read_bytes()) != digest or not p.is_file():
                    v.append(f"#{doc_id} {source}: archive copy missing or different")
                else:
                    archived.add(digest)
                referenced |= {a, p}
            elif rej:
                moved = self.share / rej
                notes = [Path(str(moved) + s) for s in (".reason.txt", ".resolved.txt")]
                if moved.is_file() and sha(moved.read_bytes()) == digest and any(n.is_file() for n in notes):
                    returned.add(digest)
                else:
                    v.append(f"#{doc_id} {source}: not under _rejected/ with a reason")
        for (source, digest), n in per_drop.items():
            if n > 1:
                v.append(f"{source} ({digest[:8]}) recorded {n} times")
        for digest in set(self.dropped) - self.exempt:
            if digest not in archived and digest not in returned:
                v.append(f"content {digest[:8]} dropped, not deleted by the clerk, yet neither archived nor returned")
        on_disk = {p for p in self.archive.rglob("*")   # nasti's own share-lock file (the last watcher's pid) aside
                   if p.is_file() and not (p.parent == self.archive and p.name.startswith(".nasti"))}
        orphans = on_disk - referenced
        if orphans:
            v.append(f"{len(orphans)} orphans in the archive, e.g. {sorted(map(str, orphans))[:3]}")
        left = self._files()
        if left:
            v.append(f"{len(left)} files left in the share, e.g. {left[:3]}")
        self.report.contents = len(self.dropped)
        self.report.exempt = len(self.exempt)


def run_soak(root: Path, *, seed: int, actions: int, kills: int, seconds: float) -> Report:
    return Soak(root, seed).run(actions=actions, kills=kills, seconds=seconds)
