"""What a visit's update handlers queue for its main loop, one human step at a time in the
order they came, and how a step's activity failure travels back to it.

Kept out of workflows/counter_visit.py and passed through the sandbox, as the domain is:
the sandbox imports that module afresh for every new visit, and building these classes
there each time was a good part of that import's cost (bench/sandbox.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.steps import Action


@dataclass
class Inbound:
    seq: int
    action: Action
    payload: Any


class StepFailed(Exception):
    """A step's activity failed for good: the visit is flagged, the caller told."""
