from __future__ import annotations

from collections.abc import AsyncIterator

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
