"""schemathesis as the administrator and the API clients (RPA terminal, BPR analyst): no
input makes the server fail (5xx). The counter's people are in test_schemathesis.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.openapi_fuzz import assert_no_server_errors

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("staff_id", ["admin01", "rpa01", "bpr01"])
def test_no_server_errors(stack: Stack, staff_id: str, tmp_path: Path) -> None:
    assert_no_server_errors(stack, staff_id, tmp_path)
