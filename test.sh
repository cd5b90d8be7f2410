#!/usr/bin/env bash
# The test command: installs what the tests need (same setup as install.sh), lints, then runs every test
# against the real engines (tesseract, poppler, watchdog, SQLite, PostgreSQL, Redis, Chromium).
# Two pytest processes (pytest-xdist, one per core; a module's tests stay in one process): most tests wait on
# watchers, servers and subprocesses, so two halve the wait. NASTI_TEST_JOBS=1 runs them in one process.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/python -m pytest -q -n "${NASTI_TEST_JOBS:-2}" --dist loadfile "$@"
