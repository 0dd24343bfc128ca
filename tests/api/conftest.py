from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from api.app import create_app
from madoguchi.settings import Settings


@pytest.fixture
async def http(
    worker: Worker, client: Client, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """The real app (lifespan included) over ASGI, against the real Temporal server and worker."""
    app = create_app(settings, client=client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
