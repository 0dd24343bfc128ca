"""Injection, oversized and malformed input: refused with a clear 4xx, never a 5xx."""

from __future__ import annotations

import httpx

from madoguchi.settings import Settings


async def test_sql_injection_in_login_and_filters_is_just_wrong_input(
    http: httpx.AsyncClient,
) -> None:
    for staff_id in ("' OR '1'='1", "admin01'--", 'x"; DROP TABLE users; --'):
        r = await http.post(
            "/api/auth/login", json={"staff_id": staff_id, "password": "' OR 1=1 --"}
        )
        assert r.status_code == 401, r.text
    r = await http.get("/api/visits", params={"counter": "C01' OR MadoDepartment != 'x"})
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["field"] == "counter"
    assert (await http.get("/api/auth/me")).status_code == 200  # the users table is fine


async def test_oversized_input_is_refused(http: httpx.AsyncClient, settings: Settings) -> None:
    huge = await http.post(
        "/api/visits", content=b"{" + b" " * (settings.max_request_bytes + 10) + b"}",
        headers={"content-type": "application/json"},
    )  # fmt: skip
    assert huge.status_code == 413
    vid = (await http.post("/api/visits")).json()["visit_id"]
    await http.post(f"/api/visits/{vid}/call", json={"counter": "C01"})
    long_name = await http.post(
        f"/api/visits/{vid}/identify",
        json={"source": "manual", "name": "長" * 5000, "birth_date": "1990-01-01"},
    )
    assert long_name.status_code == 422
    assert long_name.json()["error"]["problems"] == [
        {"field": "name", "message": "氏名が長すぎます（100文字まで） / too long"}
    ]
    strokes = [[[0.5, 0.5]] * 1000] * 30  # 30,000 points
    sig = await http.post(
        f"/api/visits/{vid}/confirm",
        json={"signature": {"strokes": strokes}, "confirmed_form_codes": []},
    )
    assert sig.status_code == 409  # wrong step, checked before the content


async def test_malformed_ids_paths_and_bodies(http: httpx.AsyncClient) -> None:
    vid = (await http.post("/api/visits")).json()["visit_id"]
    for name in ("../../etc/passwd", "..%2F..%2Fdata%2Fmadoguchi.db", "forms.pdf%00.txt"):
        r = await http.get(f"/api/visits/{vid}/documents/{name}")
        assert r.status_code == 404, name
    assert (await http.get("/api/visits/' or 1=1")).status_code in (404, 422)
    bad_json = await http.post(
        f"/api/visits/{vid}/call",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert bad_json.status_code == 422 and bad_json.json()["error"]["code"] == "InvalidRequest"
    nul = await http.post(f"/api/visits/{vid}/call", json={"counter": "C\x0001"})
    assert nul.status_code == 422


async def test_control_characters_are_refused_by_field(http: httpx.AsyncClient) -> None:
    vid = (await http.post("/api/visits")).json()["visit_id"]
    await http.post(f"/api/visits/{vid}/call", json={"counter": "C01"})
    r = await http.post(
        f"/api/visits/{vid}/identify",
        json={"source": "manual", "name": "試験\x00太郎", "birth_date": "1990-01-01"},
    )
    assert r.status_code == 422
    assert r.json()["error"]["problems"] == [
        {"field": "name", "message": "制御文字は使えません / control characters are not allowed"}
    ]
    search = await http.get("/api/residents", params={"kind": "name", "q": "a\x00b"})
    assert search.status_code == 422
