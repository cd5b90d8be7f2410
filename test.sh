#!/usr/bin/env bash
# The test command: installs what the tests need (same setup as install.sh), lints, then runs every test
# against the real engines (tesseract, poppler, watchdog, SQLite).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/python -m pytest -q "$@"
