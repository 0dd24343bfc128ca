"""The plain staff screen walks one visit through every step with ordinary HTML forms."""

from __future__ import annotations

import json
import re

import httpx

from madoguchi.settings import Settings
from tests import factories


def visit_url(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def test_walk_a_visit_through_the_screens(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    r = factories.resident(settings.sqlalchemy_url)
    home = await http.get("/")
    assert home.status_code == 200 and "整理券を発行" in home.text

    url = visit_url(await http.post("/ui/visits", data={"form_key": "press-1"}))
    page = await http.get(url)
    assert "受付番号" in page.text and 'data-step="reception"' in page.text

    await http.post(f"{url}/call", data={"counter": "C01", "staff": "s1", "form_key": "a"})
    page = await http.post(
        f"{url}/identify",
        data={
            "source": "mynumber_card",
            "name": r.name,
            "birth_date": r.birth_date,
            "form_key": "b",
        },
        follow_redirects=True,
    )
    assert 'data-step="lookup"' in page.text and r.name in page.text

    page = await http.post(
        f"{url}/choose_resident",
        data={"atena_no": r.atena_no, "form_key": "c"},
        follow_redirects=True,
    )
    assert 'data-step="interview"' in page.text

    page = await http.post(
        f"{url}/choose_procedures",
        data={
            "procedures": ["inkan_shomei"],
            "answer.copies": "1",
            "answer.new_address": "",
            "form_key": "d",
        },
        follow_redirects=True,
    )
    assert 'data-step="confirm"' in page.text and "印鑑登録証明書交付申請書" in page.text

    # Submitting without a signature shows the server's message and keeps the step.
    page = await http.post(
        f"{url}/confirm",
        data={"strokes": "[]", "form_codes": ["inkan_shomei_shinsei"], "form_key": "e"},
    )
    assert page.status_code == 422 and "署名がありません" in page.text

    strokes = json.dumps([[[0.1, 0.2], [0.4, 0.6], [0.7, 0.3]]])
    page = await http.post(
        f"{url}/confirm",
        data={"strokes": strokes, "form_codes": ["inkan_shomei_shinsei"], "form_key": "f"},
        follow_redirects=True,
    )
    assert 'data-step="await_rpa"' in page.text and "forms.pdf" in page.text
    record = re.search(r'name="record_id" value="([^"]+)"', page.text)
    assert record is not None
    page = await http.post(
        f"{url}/rpa_result",
        data={"record_id": record.group(1), "outcome": "done", "form_key": "g"},
        follow_redirects=True,
    )
    assert 'data-step="done"' in page.text and "完了しました" in page.text


async def test_the_same_form_submitted_twice_is_one_step(http: httpx.AsyncClient) -> None:
    url = visit_url(await http.post("/ui/visits", data={"form_key": "press-2"}))
    again = visit_url(await http.post("/ui/visits", data={"form_key": "press-2"}))
    assert url == again
    data = {"counter": "C01", "staff": "s1", "form_key": "same"}
    assert (await http.post(f"{url}/call", data=data)).status_code == 303
    assert (await http.post(f"{url}/call", data=data)).status_code == 303  # deduplicated
    page = await http.get(url)
    assert 'data-step="identify"' in page.text
