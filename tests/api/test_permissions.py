"""Nothing is reachable without the right role: every route, every default role."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI, routing
from fastapi.openapi.utils import _get_api_route_for_openapi

from api.app import create_app
from domain.security import Permission
from madoguchi.settings import Settings
from tests.api.conftest import bearer

ROLE_USERS = {
    "madoguchi_shokuin": "staff01",
    "kakuninsha": "kakunin01",
    "kantokusha": "kantoku01",
    "system_kanrisha": "admin01",
    "rpa_tanmatsu": "rpa01",
    "bpr_bunsekisha": "bpr01",
}


def api_routes(app: FastAPI) -> list[Any]:
    """Every API route with its dependant. FastAPI 0.16x includes routers lazily, so
    ``app.routes`` no longer lists them; this walks them as FastAPI's OpenAPI code does."""
    contexts = routing.iter_route_contexts(app.routes)
    return [r for ctx in contexts if (r := _get_api_route_for_openapi(ctx)) is not None]


def access_of(route: Any) -> list[str]:
    """What a route declares: permission codes, 'authenticated' or 'public'."""
    found: list[str] = []

    def walk(dependant: Any) -> None:
        for dep in dependant.dependencies:
            call = dep.call
            if hasattr(call, "permission"):
                found.append(str(call.permission))
            elif hasattr(call, "access"):
                found.append(str(call.access))
            walk(dep)

    walk(route.dependant)
    return found


def test_every_route_declares_exactly_one_access_rule(settings: Settings) -> None:
    routes = api_routes(create_app(settings))
    undeclared = [
        f"{sorted(r.methods)} {r.path}: {access_of(r)}" for r in routes if len(access_of(r)) != 1
    ]
    assert len(routes) >= 25 and undeclared == []


def _fill(path: str, visit_id: str) -> str:
    return (
        path.replace("{visit_id}", visit_id)
        .replace("{name}", "forms.pdf")
        .replace("{action}", "call")
    )


async def test_table_every_openapi_route_by_every_role(
    anon: httpx.AsyncClient, settings: Settings
) -> None:
    staff = await bearer(anon, "staff01")
    created = await anon.post("/api/visits", headers=staff)
    visit_id = created.json()["visit_id"]
    tokens = {role: await bearer(anon, user) for role, user in ROLE_USERS.items()}
    app = create_app(settings)
    routes = {(r.path, m.lower()): r for r in api_routes(app) for m in r.methods}
    spec = app.openapi()
    checked = 0
    for path, methods in spec["paths"].items():
        for method in methods:
            rule = access_of(routes[(path, method)])[0]
            url = _fill(path, visit_id)
            request: dict[str, Any] = {"json": {}} if method in ("post", "put", "patch") else {}
            if rule == "public":
                continue
            unauth = await anon.request(method, url, **request)
            assert unauth.status_code == 401, f"{method} {path} without login"
            assert unauth.json()["error"]["code"] == "NotAuthenticated"
            if rule == "authenticated":
                continue
            for role, headers in tokens.items():
                if path.startswith("/api/auth/logout"):
                    continue
                r = await anon.request(method, url, headers=headers, **request)
                role_perms = _permissions_of(settings, role)
                if Permission(rule) in role_perms:
                    assert r.status_code not in (401, 403), f"{role} {method} {path}: {r.text}"
                else:
                    assert r.status_code == 403, f"{role} {method} {path}: {r.status_code}"
                    assert r.json()["error"]["code"] == "Forbidden"
                checked += 1
    assert checked >= 50


def _permissions_of(settings: Settings, role: str) -> set[Permission]:
    from adapters import roles
    from adapters.db import session_scope

    with session_scope(settings.sqlalchemy_url) as session:
        return set(roles.get_many(session, [role])[0].permissions)


@pytest.mark.parametrize("path", ["/", "/ui/visits/0123456789abcdef0123456789abcdef"])
async def test_screens_send_strangers_to_the_login(anon: httpx.AsyncClient, path: str) -> None:
    r = await anon.get(path)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


async def test_another_counter_groups_visit_does_not_exist_for_you(anon: httpx.AsyncClient) -> None:
    honcho = await bearer(anon, "staff01")
    shisho = await bearer(anon, "staff02")  # same department, other counter group
    supervisor = await bearer(anon, "kantoku01")  # department-wide scope
    vid = (await anon.post("/api/visits", headers=honcho)).json()["visit_id"]

    theirs = await anon.get(f"/api/visits/{vid}", headers=shisho)
    guessed = await anon.get("/api/visits/0123456789abcdef0123456789abcdef", headers=shisho)
    assert theirs.status_code == guessed.status_code == 404
    assert theirs.json()["error"]["code"] == guessed.json()["error"]["code"] == "VisitNotFound"
    step = await anon.post(f"/api/visits/{vid}/call", json={"counter": "S1"}, headers=shisho)
    assert step.status_code == 404
    assert (await anon.get(f"/api/visits/{vid}", headers=honcho)).json()["step"] == "reception"
    assert (await anon.get(f"/api/visits/{vid}", headers=supervisor)).status_code == 200

    for _ in range(50):
        mine = (await anon.get("/api/visits", headers=honcho)).json()
        if any(v["visit_id"] == vid for v in mine):
            break
    assert any(v["visit_id"] == vid for v in mine)
    assert not any(
        v["visit_id"] == vid for v in (await anon.get("/api/visits", headers=shisho)).json()
    )


async def test_bearer_tokens_cannot_be_replayed_as_cookies_and_logout_everywhere(
    anon: httpx.AsyncClient,
) -> None:
    headers = await bearer(anon, "staff01")
    token = headers["Authorization"].removeprefix("Bearer ")
    anon.cookies.set("mado_session", token)
    assert (await anon.get("/api/auth/me")).status_code == 401
    anon.cookies.clear()
    other = await bearer(anon, "staff01")
    ended = await anon.post("/api/auth/logout-everywhere", headers=headers)
    assert ended.json() == {"sessions_ended": 2}
    assert (await anon.get("/api/auth/me", headers=other)).status_code == 401
