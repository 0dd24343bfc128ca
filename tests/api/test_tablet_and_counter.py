"""The tablet may show and sign only what its own counter sent, only while it is waiting;
pairing codes are single-use; the counter calls the next ticket and opens visits from a
scanned QR code."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import select

from adapters.db import session_scope
from adapters.tables import AuditRow, TabletRequestRow
from adapters.temporal_client import VisitGateway
from api import ui_pages
from domain.steps import Action, Step
from domain.visit import CallInput
from madoguchi.settings import Settings
from tests import factories
from tests.api.conftest import bearer
from tests.api.test_staff_screen import cookie_login
from tests.workflow.test_counter_visit import walk_to_confirm

STROKES = json.dumps([[[0.1, 0.2], [0.4, 0.6], [0.7, 0.3]]])


def state_of(page: httpx.Response) -> str:
    m = re.search(r'id="screen"[^>]*data-state="(\w+)"', page.text)
    assert m is not None, page.text[:500]
    return m.group(1)


async def test_a_tablet_signs_only_what_its_counter_sent(
    anon: httpx.AsyncClient, gateway: VisitGateway, settings: Settings
) -> None:
    csrf = await cookie_login(anon, "staff01")
    page = await anon.post("/ui/tablet/pairing", data={"counter": "C07", "csrf_token": csrf})
    code = re.search(r'id="pairing-code"[^>]*>(\d+)<', page.text)
    assert code is not None

    tablet = httpx.AsyncClient(transport=anon._transport, base_url=str(anon.base_url))
    wrong = await tablet.post("/tablet/pair", data={"code": "00000000"})
    assert wrong.status_code == 422 and "期限切れ" in wrong.text
    paired = await tablet.post("/tablet/pair", data={"code": code.group(1)})
    assert paired.status_code == 303 and "HttpOnly" in paired.headers["set-cookie"]
    again = await httpx.AsyncClient(transport=anon._transport, base_url=str(anon.base_url)).post(
        "/tablet/pair", data={"code": code.group(1)}
    )
    assert again.status_code == 422  # single use
    assert state_of(await tablet.get("/tablet/screen")) == "idle"

    visit_id = await gateway.start(**factories.HOME)
    await walk_to_confirm(gateway, settings, visit_id)
    state = await gateway.state(visit_id)
    assert state.counter == factories.CALL.counter
    # Sent to another counter's tablet: this one stays idle and cannot sign it.
    await anon.post(f"/ui/visits/{visit_id}/tablet", data={"language": "vi", "csrf_token": csrf})
    assert state_of(await tablet.get("/tablet/screen")) == "idle"
    csrf_tablet = "x" * 64
    refused = await tablet.post(
        "/tablet/sign", data={"visit_id": visit_id, "strokes": STROKES, "csrf_token": csrf_tablet}
    )
    assert refused.status_code == 403
    assert (await gateway.state(visit_id)).step == Step.CONFIRM

    # Sent to this tablet's counter (C07, where the visit is called again): shown in Vietnamese.
    with session_scope(settings.sqlalchemy_url) as session:
        row = session.get(TabletRequestRow, state.counter)
        assert row is not None
        session.delete(row)
        session.add(
            TabletRequestRow(
                counter="C07", visit_id=visit_id, language="vi", sent_by="staff01",
                expires_at=datetime.now(UTC) + timedelta(minutes=5),
            )
        )  # fmt: skip
        session.commit()
    shown = await tablet.get("/tablet/screen")
    assert state_of(shown) == "confirm" and "Vui lòng kiểm tra nội dung" in shown.text
    assert "<caption>Người chuyển nơi ở</caption>" in shown.text  # 異動した人（異動者）
    # Fixed values stay as they print, with their translation beside them; names do not.
    gloss = ' <small class="gloss" lang="vi">（{}）</small>'
    assert "転居" + gloss.format("Chuyển chỗ ở trong thành phố") in shown.text
    assert "マイナンバーカード" + gloss.format("Thẻ My Number") in shown.text
    assert shown.text.count('class="gloss"') < 20  # not on every value
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', shown.text)
    assert token is not None
    other = await tablet.post(
        "/tablet/sign",
        data={"visit_id": "f" * 32, "strokes": STROKES, "csrf_token": token.group(1)},
    )
    assert state_of(other) == "idle"  # not the visit it was sent
    content = re.search(r'name="content" value="([0-9a-f]{64})"', shown.text)
    assert content is not None
    empty = await tablet.post(
        "/tablet/sign",
        data={"visit_id": visit_id, "strokes": "[]", "csrf_token": token.group(1),
              "content": content.group(1)},
    )  # fmt: skip
    assert state_of(empty) == "confirm" and "Chưa có chữ ký" in empty.text
    # Staff correct an answer after sending: the old content cannot be signed.
    digest = re.search(r'name="content" value="([0-9a-f]{64})"', shown.text)
    assert digest is not None
    fixed = await anon.post(
        f"/ui/visits/{visit_id}/correct",
        data={"answer.moved_on": "2026-11-18", "reason": "聞き違い", "form_key": "fix",
              "csrf_token": csrf},
    )  # fmt: skip
    assert fixed.status_code == 303, fixed.text
    stale = await tablet.post(
        "/tablet/sign",
        data={"visit_id": visit_id, "strokes": STROKES, "csrf_token": token.group(1),
              "content": digest.group(1)},
    )  # fmt: skip
    assert state_of(stale) == "confirm" and "Nội dung đã được sửa" in stale.text
    assert "令和8年11月18日" in stale.text
    assert (await gateway.state(visit_id)).step == Step.CONFIRM
    fresh = re.search(r'name="content" value="([0-9a-f]{64})"', stale.text)
    assert fresh is not None and fresh.group(1) != digest.group(1)
    signed = await tablet.post(
        "/tablet/sign",
        data={"visit_id": visit_id, "strokes": STROKES, "csrf_token": token.group(1),
              "content": fresh.group(1)},
    )  # fmt: skip
    assert state_of(signed) == "thanks"
    assert (await factories.settled(gateway, visit_id)).step == Step.AWAIT_RPA
    assert state_of(await tablet.get("/tablet/screen")) == "idle"  # forgets the resident
    with session_scope(settings.sqlalchemy_url) as session:
        actions = [
            a.action for a in session.exec(select(AuditRow).where(AuditRow.visit_id == visit_id))
        ]
    assert {"tablet.send", "tablet.show", "tablet.sign"} <= set(actions)


async def test_a_request_nobody_signs_times_out(
    anon: httpx.AsyncClient, gateway: VisitGateway, settings: Settings
) -> None:
    csrf = await cookie_login(anon, "staff01")
    visit_id = await gateway.start(**factories.HOME)
    await walk_to_confirm(gateway, settings, visit_id)
    await anon.post(f"/ui/visits/{visit_id}/tablet", data={"language": "en", "csrf_token": csrf})
    page = await anon.get(f"/ui/visits/{visit_id}")
    assert "English" in page.text and 'id="tablet-status"' in page.text
    with session_scope(settings.sqlalchemy_url) as session:
        row = session.get(TabletRequestRow, factories.CALL.counter)
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(row)
        session.commit()
    assert 'id="tablet-status"' not in (await anon.get(f"/ui/visits/{visit_id}")).text


async def test_call_next_and_open_a_visit_from_its_qr_code(
    anon: httpx.AsyncClient, gateway: VisitGateway, settings: Settings
) -> None:
    csrf = await cookie_login(anon, "staff01")
    first = await gateway.start(**factories.HOME)
    second = await gateway.start(**factories.HOME)
    for _ in range(100):  # visibility catches up
        home = await anon.get("/")
        if 'id="waiting">2<' in home.text:
            break
        await asyncio.sleep(0.1)
    assert 'id="waiting">2<' in home.text
    called = await anon.post("/ui/queue/next", data={"counter": "C05", "csrf_token": csrf})
    assert called.status_code == 303 and called.headers["location"] == f"/ui/visits/{first}"
    assert (await gateway.state(first)).counter == "C05"
    assert (await gateway.state(second)).step == Step.RECEPTION

    qr = f"{settings.public_url}/ui/visits/{second}"
    opened = await anon.get("/ui/qr", params={"code": qr})
    assert opened.headers["location"] == f"/ui/visits/{second}"
    staff = await bearer(anon, "staff01")
    pre = await anon.post("/api/visits", json={"channel": "pre_application"}, headers=staff)
    pre_id = pre.json()["visit_id"]
    from_pre = await anon.get("/ui/qr", params={"code": f"madoguchi:visit:{pre_id}"})
    assert from_pre.headers["location"] == f"/ui/visits/{pre_id}"
    junk = await anon.get("/ui/qr", params={"code": "hello"})
    assert junk.headers["location"] == "/?error=qr"
    assert "読み取れないコード" in (await anon.get("/?error=qr")).text
    csrf2 = await cookie_login(anon, "staff02")  # another counter group
    assert csrf2
    assert (await anon.get("/ui/qr", params={"code": qr})).status_code == 404


async def test_guessing_pairing_codes_is_cut_off(anon: httpx.AsyncClient) -> None:
    from api import tablet_pages

    tablet_pages._failures.clear()
    for _ in range(tablet_pages.MAX_FAILURES):
        assert (await anon.post("/tablet/pair", data={"code": "12345678"})).status_code == 422
    blocked = await anon.post("/tablet/pair", data={"code": "12345678"})
    assert blocked.status_code == 429 and "しばらく待って" in blocked.text
    tablet_pages._failures.clear()


async def test_the_queue_screen_counts_waiting_tickets_and_lists_the_clerks_own_visits(
    anon: httpx.AsyncClient,
    gateway: VisitGateway,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await cookie_login(anon, "staff01")
    waiting, mine, theirs, also_mine = [await gateway.start(**factories.HOME) for _ in range(4)]
    await gateway.wait_for_ticket(also_mine)
    await gateway.act(mine, Action.CALL, factories.CALL)
    await gateway.act(also_mine, Action.CALL, CallInput(counter="C02", staff="staff01"))
    await gateway.act(theirs, Action.CALL, CallInput(counter="C07", staff="staff09"))
    # Signed and handed off: now the robot's (listed again if it were flagged).
    signed = await gateway.start(**factories.HOME)
    await gateway.wait_for_ticket(signed)
    await walk_to_confirm(gateway, settings, signed)
    assert (await factories.sign(gateway, signed)).step == Step.AWAIT_RPA
    for _ in range(100):  # visibility catches up
        home = await anon.get("/")
        if 'id="waiting">1<' in home.text and mine in home.text and also_mine in home.text:
            break
        await asyncio.sleep(0.1)
    assert 'id="waiting">1<' in home.text and mine in home.text and also_mine in home.text
    assert waiting not in home.text and theirs not in home.text and signed not in home.text
    assert "新しい順に" not in home.text
    everyone = await anon.get("/", params={"all": "1"})
    assert all(v in everyone.text for v in (waiting, mine, theirs, also_mine, signed))
    assert 'id="waiting">1<' in everyone.text
    # Past its row limit the list says it is cut; the figures still count every visit.
    monkeypatch.setattr(ui_pages, "QUEUE_ROWS", 1)
    cut = await anon.get("/")
    assert "新しい順に1件を表示" in cut.text and 'id="waiting">1<' in cut.text
    assert (mine in cut.text) != (also_mine in cut.text)
