"""Error types a visit raises to callers; the API maps each to an HTTP status."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

from domain.validation import Problem

WRONG_STEP = "WrongStep"  # 409: the action is not allowed at the visit's step
INVALID_INPUT = "InvalidInput"  # 422: the data itself is wrong
STEP_FAILED = "StepFailed"  # 409: the step's work failed; the visit needs attention


def rejection(kind: str, message: str, problems: list[Problem] | None = None) -> ApplicationError:
    details = [{"field": p.field, "message": p.message} for p in problems or []]
    return ApplicationError(message, details, type=kind, non_retryable=True)


def invalid(problems: list[Problem]) -> ApplicationError:
    return rejection(INVALID_INPUT, "; ".join(str(p) for p in problems), problems)
