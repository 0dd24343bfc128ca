"""Named points where a test can freeze an activity, to kill the worker at that moment.

Only active when ``MADO_FAULT_HOLD`` names the point; the activity then writes the marker
file ``MADO_FAULT_MARKER`` and waits (heartbeating) until its process is killed. In
production the variables are unset and a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


def hold_point(name: str, heartbeat: Callable[[], None]) -> None:
    if os.environ.get("MADO_FAULT_HOLD") != name:
        return
    marker = os.environ.get("MADO_FAULT_MARKER")
    if marker:
        Path(marker).write_text(name)
    while True:  # until the test kills this worker
        heartbeat()
        time.sleep(0.2)
