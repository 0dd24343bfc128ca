"""Timeouts and retry policies of each activity, in one place."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

# Reads and small writes: a few quick tries, then the visit needs attention.
QUICK = RetryPolicy(
    initial_interval=timedelta(milliseconds=500),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=5),
    maximum_attempts=5,
)

# Producing documents and application data must eventually happen: retry until it does,
# backing off to once a minute, and let the supervisor see the stalled step meanwhile.
PERSISTENT = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=0,
)

QUICK_TIMEOUT = timedelta(seconds=15)
DOCUMENT_TIMEOUT = timedelta(seconds=120)
PRINTER_TIMEOUT = QUICK_TIMEOUT * 4

# A printer gets a few tries; after that the visit is flagged and staff re-print.
PRINTER = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=10),
    maximum_attempts=3,
)
