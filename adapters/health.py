"""Is each thing the counter depends on reachable: the database, the object store and
the Temporal server. Answers are reused for a moment, because every open staff screen
asks (the banner) and a step asks before it is sent."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import text
from temporalio.client import Client

from adapters.db import engine_for
from adapters.object_store import ObjectStore

TEMPORAL, DATABASE, OBJECT_STORE = "temporal", "database", "object_store"

BANNER_JA = {
    TEMPORAL: "ワークフローサーバー（Temporal）に接続できません",
    DATABASE: "データベースに接続できません",
    OBJECT_STORE: "帳票の保存先（オブジェクトストア）に接続できません",
}
BANNER_EN = {
    TEMPORAL: "the workflow server (Temporal) is unreachable",
    DATABASE: "the database is unreachable",
    OBJECT_STORE: "the object store is unreachable",
}


class ServiceDown(RuntimeError):
    """Something a step needs is unreachable: the step was not sent, nothing changed."""

    def __init__(self, component: str) -> None:
        super().__init__(component)
        self.component = component

    @property
    def message(self) -> str:
        return (
            f"{BANNER_JA[self.component]}。手続は受け付けていません（変更なし）。"
            "入力内容はこの画面に残っています。復旧後にもう一度送信してください / "
            f"{BANNER_EN[self.component]}: the step was not applied; what you typed is kept, "
            "send it again once it is back"
        )


@dataclass(frozen=True)
class Check:
    component: str
    ok: bool
    detail: str
    ms: float


async def _timed(component: str, probe: Awaitable[object], seconds: float) -> Check:
    start = time.perf_counter()
    try:
        async with asyncio.timeout(seconds):
            answer = await probe
        # Temporal's health check answers False for "reachable but not serving".
        ok, detail = (False, "not serving") if answer is False else (True, "ok")
    except TimeoutError:
        ok, detail = False, f"no answer within {seconds:g} s"
    except Exception as e:  # any failure to reach it is the answer, not an error of ours
        ok, detail = False, type(e).__name__
    return Check(component, ok, detail, round((time.perf_counter() - start) * 1000, 1))


def _select_one(url: str) -> None:
    with engine_for(url).connect() as conn:
        conn.execute(text("SELECT 1"))


def _store_answers(store: ObjectStore) -> None:
    store.exists("health/probe")  # absent is an answer too; only failing to ask is not


@dataclass
class HealthMonitor:
    client: Client
    database_url: str
    store: ObjectStore
    cache_seconds: float = 2.0
    timeout_seconds: float = 2.0
    _last: dict[str, tuple[float, Check]] = field(default_factory=dict)
    _asking: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def _probe(self, component: str) -> Check:
        probe: Awaitable[object]
        if component == TEMPORAL:
            probe = self.client.service_client.check_health(
                timeout=timedelta(seconds=self.timeout_seconds)
            )
        elif component == DATABASE:
            probe = asyncio.to_thread(_select_one, self.database_url)
        else:
            probe = asyncio.to_thread(_store_answers, self.store)
        return await _timed(component, probe, self.timeout_seconds)

    def _fresh(self, component: str) -> Check | None:
        cached = self._last.get(component)
        if cached is not None and time.monotonic() - cached[0] < self.cache_seconds:
            return cached[1]
        return None

    async def check(self, component: str) -> Check:
        if (known := self._fresh(component)) is not None:
            return known
        # One probe at a time: requests arriving meanwhile take its answer.
        async with self._asking.setdefault(component, asyncio.Lock()):
            if (known := self._fresh(component)) is not None:
                return known
            result = await self._probe(component)
            self._last[component] = (time.monotonic(), result)
            return result

    async def all(self) -> list[Check]:
        return list(
            await asyncio.gather(*(self.check(c) for c in (DATABASE, OBJECT_STORE, TEMPORAL)))
        )

    def saw_down(self, component: str) -> None:
        """A call just failed to reach it: the next check asks again instead of trusting
        an older 'ok'."""
        self._last.pop(component, None)

    async def require(self, component: str) -> None:
        if not (await self.check(component)).ok:
            raise ServiceDown(component)
