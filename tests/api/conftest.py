from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from api.app import create_app
from madoguchi.seed import demo_password
from madoguchi.settings import Settings

BASE_URL = "https://testserver"  # the session cookie is Secure: HTTPS as in production


async def bearer(http: httpx.AsyncClient, staff_id: str) -> dict[str, str]:
    r = await http.post(
        "/api/auth/login", json={"staff_id": staff_id, "password": demo_password(staff_id)}
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture
async def anon(
    worker: Worker, client: Client, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """The real app (lifespan included) over ASGI, against the real Temporal server and worker."""
    app = create_app(settings, client=client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
            yield c


@pytest.fixture
async def http(anon: httpx.AsyncClient) -> httpx.AsyncClient:
    """Logged in as counter staff (staff01, counter group honcho) with a bearer token."""
    anon.headers.update(await bearer(anon, "staff01"))
    return anon


@pytest.fixture
async def rpa(anon: httpx.AsyncClient) -> dict[str, str]:
    """Headers of the RPA terminal (rpa01)."""
    return await bearer(anon, "rpa01")


async def after_signing(http: httpx.AsyncClient, path: str, **kw: Any) -> httpx.Response:
    """GET ``path`` until the visit has left 印刷 / 基幹連携: signing answers at 印刷 and
    the PDF, the printer and the handoff follow by themselves."""
    for _ in range(300):
        r = await http.get(path, **kw)
        if r.headers.get("content-type", "").startswith("application/json"):
            step = r.json().get("step")
        else:
            found = re.search(r'id="step"[^>]*data-step="([a-z_]+)"', r.text)
            step = found.group(1) if found else None
        if step not in ("print", "handoff"):
            return r
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} still printing / handing off")
