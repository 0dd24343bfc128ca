"""OIDC login against a local OpenID provider over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from api.app import create_app
from madoguchi.settings import Settings
from tests.api.conftest import BASE_URL
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, LocalProvider, running_provider

CALLBACK = f"{BASE_URL}/login/oidc/callback"


@pytest.fixture
def provider() -> Iterator[LocalProvider]:
    with running_provider(CALLBACK) as p:
        yield p


@pytest.fixture
async def app_client(
    worker: Worker, client: Client, settings: Settings, provider: LocalProvider
) -> AsyncIterator[httpx.AsyncClient]:
    configured = settings.model_copy(
        update={
            "oidc_issuer": provider.url,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "oidc_redirect_url": CALLBACK,
        }
    )
    app = create_app(configured, client=client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
            yield c


async def _through_provider(app_client: httpx.AsyncClient) -> httpx.Response:
    start = await app_client.get("/login/oidc", params={"next": "/"})
    assert start.status_code == 303
    async with httpx.AsyncClient() as browser_at_provider:
        at_provider = await browser_at_provider.get(start.headers["location"])
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["location"])
    return await app_client.get(f"{back.path}?{back.query}")


async def test_login_through_the_city_identity_provider(
    app_client: httpx.AsyncClient, provider: LocalProvider
) -> None:
    assert "職員ポータルでログイン" in (await app_client.get("/login")).text
    done = await _through_provider(app_client)
    assert done.status_code == 303 and done.headers["location"] == "/"
    home = await app_client.get("/")
    assert home.status_code == 200 and "窓口 一郎" in home.text


async def test_unknown_staff_and_forged_state_are_refused(
    app_client: httpx.AsyncClient, provider: LocalProvider
) -> None:
    provider.user = "ghost"  # known to the provider, not to the city's staff list
    refused = await _through_provider(app_client)
    assert refused.status_code == 401
    assert (await app_client.get("/")).status_code == 303

    provider.user = "staff01"
    start = await app_client.get("/login/oidc")
    async with httpx.AsyncClient() as browser_at_provider:
        at_provider = await browser_at_provider.get(start.headers["location"])
    back = urlsplit(at_provider.headers["location"])
    forged = await app_client.get(f"{back.path}?code=x&state=forged")
    assert forged.status_code == 400
