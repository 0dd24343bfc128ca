"""schemathesis against the OpenAPI document of the running stack, as one user: no input,
generated or hostile, makes the server fail (5xx)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from bench.stack import login
from tests.e2e.conftest import Stack


def assert_no_server_errors(stack: Stack, staff_id: str, workdir: Path) -> None:
    with httpx.Client(base_url=stack.url) as http:
        authorization = login(http, staff_id)["Authorization"]
    st = Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [
            str(st), "run", f"{stack.url}/openapi.json",
            "--checks", "not_a_server_error",
            "--header", f"Authorization: {authorization}",
            "--max-examples", "6",
            "--seed", "37201",
            # Logging out would end the very session the run uses.
            "--exclude-path-regex", "^/api/auth/logout",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=workdir,  # schemathesis keeps a cache in its working directory
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:]
