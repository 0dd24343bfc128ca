#!/usr/bin/env bash
# Makes sure a CUPS server answers on 127.0.0.1:631 with a PDF queue (cups-pdf) that the
# printing tests can send real IPP jobs to. Starts cupsd without systemd when needed.
#   scripts/ensure-cups.sh [queue]      (default queue: MadoPDF)
set -euo pipefail
queue="${1:-MadoPDF}"
if ! command -v cupsd >/dev/null && [[ ! -x /usr/sbin/cupsd ]]; then
  echo "cupsd is missing: run scripts/install-system-deps.sh test" >&2
  exit 1
fi
if ! lpstat -r 2>/dev/null | grep -q "is running"; then
  /usr/sbin/cupsd
  for _ in $(seq 1 50); do lpstat -r 2>/dev/null | grep -q "is running" && break; sleep 0.1; done
fi
if ! lpstat -p "$queue" >/dev/null 2>&1; then
  lpadmin -p "$queue" -E -v cups-pdf:/ -P /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd 2>/dev/null
fi
echo "CUPS ready: ipp://127.0.0.1:631/printers/$queue"
