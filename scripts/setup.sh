#!/usr/bin/env bash
# Installs what nasti needs on Debian 12: system packages (as root, or through sudo) and a Python virtualenv (.venv).
# Idempotent: a second run only checks. Used by ./install.sh and ./test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-hin tesseract-ocr-script-deva tesseract-ocr-osd
  poppler-utils qpdf fonts-noto-core fonts-lohit-deva fonts-dejavu-core fontconfig
  fonts-gargi fonts-nakula fonts-sahadeva fonts-sarai fonts-samyak-deva
  fonts-urw-base35 fonts-liberation
  chromium postgresql redis-server
  python3 python3-venv python3-pip
)
APT_PACKAGES+=("$@")

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PY --version)"
  $PY -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v -i warning || true
.venv/bin/python -m pip install -q -e '.[test]' 2>&1 | grep -v -i -E 'warning|editable|careful|\*\*\*|!!|^\s*$|wheel_obj' || true
.venv/bin/nasti --help >/dev/null
# axe-core for the dashboard's accessibility check in tests/test_browser*.py (git-ignored vendor/; #13)
if [ ! -f vendor/axe/node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null; then
  npm install --prefix vendor/axe --no-audit --no-fund --silent axe-core@4 >/dev/null 2>&1 \
    || echo "setup: npm could not install axe-core (the browser accessibility test will fail)"
fi
echo "setup: ready ($(tesseract --version 2>&1 | head -1), models: $(tesseract --list-langs 2>/dev/null | tail -n +2 | tr '\n' ' '))"
