#!/usr/bin/env bash
# One-step set-up on Debian/Ubuntu with Python 3.11+: system packages, then a virtualenv
# in .venv with oitcheck installed (editable). `--test` adds what the test suite needs
# (WebDriver for the report and web-page tests, Scrapyd for the distributed test). Debian's headless
# Chromium renders the pages that need JavaScript (oitcheck.render drives it through Playwright's
# driver from its PyPI wheel; no browser is downloaded); without it a crawl goes on unrendered and
# its report says so.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

packages=(tesseract-ocr tesseract-ocr-tha tesseract-ocr-eng fonts-thai-tlwg python3-venv chromium)
[ "$want_test" = 1 ] && packages+=(chromium-driver)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3.11 python3.12 python3.13 python3; do
    if command -v "$c" >/dev/null && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then PY=$c; break; fi
  done
fi
[ -n "$PY" ] || { echo "setup: Python 3.11 or newer is needed" >&2; exit 1; }

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip "setuptools>=70.1,<81" >/dev/null
extra=""
[ "$want_test" = 1 ] && extra="[test]"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}"
echo "setup: ready (.venv/bin/oitcheck)" >&2
