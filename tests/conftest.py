"""Shared fixtures: a temporary office (config + share + var) and a way to run the real `nasti` command."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

NASTI = str(Path(sys.executable).with_name("nasti"))
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


@dataclass
class Office:
    root: Path
    config: Path

    @property
    def share(self) -> Path:
        return self.root / "share"

    @property
    def archive(self) -> Path:
        return self.root / "var" / "archive"

    def run(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
        r = subprocess.run([NASTI, "--config", str(self.config), *args], capture_output=True, text=True,
                           timeout=timeout, cwd=self.root)
        if check and r.returncode != 0:
            raise AssertionError(f"nasti {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
        return r

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def documents(self) -> list[dict[str, Any]]:
        return self.json("documents")

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([NASTI, "--config", str(self.config), *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.root, start_new_session=True)


def write_config(root: Path, extra: str = "") -> Path:
    cfg = root / "config.toml"
    cfg.write_text(
        '[share]\npath = "share"\n[store]\nurl = "sqlite:///var/nasti.db"\n[archive]\npath = "var/archive"\n'
        '[watch]\nquiet_seconds = 0.5\nrecheck_seconds = 0.3\npoll_interval = 0.5\n' + extra, encoding="utf-8")
    return cfg


@pytest.fixture
def office(tmp_path: Path) -> Office:
    (tmp_path / "share").mkdir()
    return Office(tmp_path, write_config(tmp_path))


def wait_for(cond: Callable[[], Any], timeout: float = 120, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(every)


@pytest.fixture(scope="session")
def output_dir() -> Iterator[Path]:
    OUTPUT.mkdir(exist_ok=True)
    yield OUTPUT


os.environ.setdefault("OMP_THREAD_LIMIT", "1")

# The inner loop: `./test.sh -m "not slow and not browser"`. A test is slow when it OCRs many pages, runs live
# watchers or many `nasti` processes (measured once with --durations on this 2-core machine; several seconds to
# minutes each). None: every test of the module. CI runs everything.
SLOW: dict[str, set[str] | None] = {
    "test_volume.py": None,
    "test_watch_stop.py": None,
    "test_crash.py": None,
    "test_watcher_live.py": None,
    "test_walking_skeleton.py": None,
    "test_tags_pipeline.py": None,
    "test_hostile.py": None,
    "test_ocr_page.py": None,
    "test_ocr_pdf.py": None,
    "test_ocr_office_scans.py": None,
    "test_network_share.py": {"test_a_slow_copy_over_30_seconds_is_taken_once_whole"},
    "test_samples.py": {"test_demo_share", "test_blank_page_has_no_marks_but_stamp_page_does"},
    "test_readiness.py": {"test_cli_json_table_and_exports"},
    "test_users.py": {"test_user_add_and_authenticate"},
    "test_search.py": {"test_cli_json_contract"},
    "test_register.py": {"test_cli_import_and_list"},
    "test_review.py": {"test_assign_errors", "test_reasons", "test_assign_is_audited_and_searchable"},
    # real servers, real OCR of batches and exports, attack loops (fourth session)
    "test_celery.py": None,
    "test_atk15_leader_drops.py": None,
    "test_scale_attack.py": None,
    "test_pg.py": None,
    "test_export.py": None,
    "test_export_attack.py": None,
    "test_export_out.py": None,
    "test_cover_split.py": None,
    "test_cover_attack.py": None,
    "test_cover_sheets.py": None,
    "test_samples_orientation.py": None,
    "test_soak.py": None,
    "test_backup.py": None,
    "test_archive_safety.py": None,
    "test_attack_ingest.py": None,
    "test_celery_kills.py": None,
    "test_pg_fencing.py": {"test_old_leader_held_before_its_commit_is_fenced_out"},
}
BROWSER = {"test_browser.py", "test_browser_a11y.py"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = item.path.name
        if module in BROWSER:
            item.add_marker(pytest.mark.browser)
        names = SLOW.get(module, set())
        if names is None or getattr(item, "originalname", item.name) in names:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """One throwaway PostgreSQL server (Debian's packages) for the session; tests make their own databases on it
    (tests.pgcluster.new_database). Never skipped: a missing PostgreSQL fails loudly."""
    from tests.pgcluster import server

    with server() as url:
        yield url
