"""schemathesis as the counter's people: no input, generated or hostile, makes the server
fail (5xx). Run as every kind of user, so authorized code is reached and not only the
401/403 answers; the administrator and the API clients are in
test_schemathesis_clients.py: a file each, so the two halves (about ten minutes of one
pytest worker together on a slow machine) run on both workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.openapi_fuzz import assert_no_server_errors

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("staff_id", ["staff01", "kantoku01"])
def test_no_server_errors(stack: Stack, staff_id: str, tmp_path: Path) -> None:
    assert_no_server_errors(stack, staff_id, tmp_path)
