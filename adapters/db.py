"""SQL engine for SQLite (WAL, the embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

import adapters.tables  # noqa: F401  (registers the tables on SQLModel.metadata)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    # WAL lets the API read while the worker writes; busy_timeout waits instead of failing.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


# An audited read holds two connections at once: the caller's session and the audit
# chain's own transaction (adapters/audit). Every thread that may do that (the worker's 16
# activity threads, the API's 40 request threads) must find two, or the pool runs dry and
# they all wait for each other until the pool's timeout — seen under 135 simulated clerks
# as 8-30 s stalls. SQLite connections cost little; PostgreSQL's are capped lower (its
# max_connections, 100 by default, is shared by the API and the worker).
SQLITE_POOL = {"pool_size": 20, "max_overflow": 80}
POSTGRES_POOL = {"pool_size": 10, "max_overflow": 35}


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, **SQLITE_POOL
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **POSTGRES_POOL)


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine (and pool) per URL per process, its tables created once."""
    engine = _engines.get(url)
    if engine is None:
        with _engines_lock:  # activity threads may all ask at the first task
            engine = _engines.get(url)
            if engine is None:
                engine = make_engine(url)
                SQLModel.metadata.create_all(engine)
                _engines[url] = engine
    return engine


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    with Session(engine_for(url)) as session:
        yield session


def dispose(url: str) -> None:
    """Close the URL's pooled connections and forget its engine (a test's own database)."""
    with _engines_lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def create_database(server_url: str, name: str) -> str:
    """A new, empty PostgreSQL database ``name`` on the server of ``server_url`` (a
    throwaway one for a test or a bench); its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"
