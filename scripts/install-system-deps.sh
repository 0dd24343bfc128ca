#!/usr/bin/env bash
# Installs the Debian packages madoguchi needs, once. Safe to run again: installed
# packages are skipped and apt is not touched at all when nothing is missing.
#   scripts/install-system-deps.sh            packages the stack needs (make run)
#   scripts/install-system-deps.sh test       plus what the test suite needs (make test)
set -euo pipefail

packages=(fonts-ipamj-mincho)   # IPAmj明朝: MJ characters on printed forms
if [[ "${1:-}" == "test" ]]; then
  packages+=(poppler-utils)     # pdftotext / pdffonts: tests read the PDFs we print
  packages+=(chromium)          # browser tests (Playwright drives Debian's Chromium)
  packages+=(cups printer-driver-cups-pdf)  # a real IPP print queue whose output is a PDF
  if ! command -v pg_ctlcluster >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    packages+=(postgresql)      # tests run the SQL suite on PostgreSQL too
  fi
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Missing Debian packages: ${missing[*]} (no apt-get here; install them by hand)" >&2
  exit 1
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "Missing Debian packages: ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
echo "Installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
