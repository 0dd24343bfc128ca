"""Connecting to a Temporal server that is still coming up (no server: Client.connect is
replaced, since what is under test is the waiting, not the connection)."""

from types import SimpleNamespace
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.converter import DataConverter

from adapters import temporal_client
from adapters.temporal_client import connect

NOT_HEALTHY = RuntimeError(
    "Failed client connect: `get_system_info` call error after connection: Status { code: "
    'Unavailable, message: "Frontend is not healthy yet" }'
)


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(temporal_client, "CONNECT_RETRY_SECONDS", 0.0)


def answers(monkeypatch: pytest.MonkeyPatch, *outcomes: Exception | None) -> list[str]:
    """Client.connect answers each outcome in turn, then the last one again (None:
    connected)."""
    calls: list[str] = []
    pending = list(outcomes)

    async def fake_connect(address: str, **_: Any) -> Any:
        calls.append(address)
        outcome = pending.pop(0) if len(pending) > 1 else pending[0]
        if outcome is not None:
            raise outcome
        return SimpleNamespace(data_converter=DataConverter.default)

    monkeypatch.setattr(Client, "connect", fake_connect)
    return calls


async def test_a_server_still_starting_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker or API started beside a server that has just (re)started waits for its
    frontend instead of crashing (CI once hit this on a restart)."""
    refused = RuntimeError("Failed client connect: transport error: Connection refused")
    calls = answers(monkeypatch, refused, NOT_HEALTHY, None)
    client = await connect("127.0.0.1:7999", "default", b"k" * 32)
    assert client is not None
    assert len(calls) == 3


async def test_a_server_that_never_comes_up_fails_after_the_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers(monkeypatch, NOT_HEALTHY)
    with pytest.raises(RuntimeError, match="not healthy yet"):
        await connect("127.0.0.1:7999", "default", b"k" * 32, wait_seconds=0.05)


async def test_an_error_that_is_not_start_up_fails_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = answers(monkeypatch, RuntimeError("Namespace nowhere is not found"), None)
    with pytest.raises(RuntimeError, match="not found"):
        await connect("127.0.0.1:7999", "nowhere", b"k" * 32)
    assert len(calls) == 1
