"""Ending a process that loaded the Temporal SDK without CPython's finalization.

The SDK's Rust (Tokio) threads can still hold a Python thread state while the interpreter
finalizes. CPython then aborts (SIGABRT, "PyGILState_Release: thread state ... must be current
when releasing") *after* the work is done: a passed ``mado replay check`` exits -6, and a worker
stopped cleanly by systemd is recorded as crashed with a core dump (temporalio/sdk-python#300).
Callers release what they hold first (span exporter, database pool); only buffers are left.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn


def exit_skipping_teardown(code: int) -> NoReturn:
    """Flush logs and standard streams, then leave with ``code``. Never call it in-process
    from tests: it ends the test runner too."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
