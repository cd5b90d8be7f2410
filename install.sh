#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install everything, then digitise a generated demo share
# with the embedded default configuration (./config.toml: share ./share, SQLite and archive under ./var).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/nasti --config config.toml demo
