"""The plain staff screen walks one visit through every step with ordinary HTML forms,
logged in with a session cookie and a CSRF token in every form."""

from __future__ import annotations

import json
import re

import httpx

from domain.wareki import iso_to_wareki
from madoguchi.seed import demo_password
from madoguchi.settings import Settings
from tests import factories
from tests.api.conftest import after_signing
from tests.pdf_pages import page_texts


def csrf_of(page: httpx.Response) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert m is not None, "no CSRF token in the page"
    return m.group(1)


async def cookie_login(anon: httpx.AsyncClient, staff_id: str) -> str:
    r = await anon.post(
        "/login", data={"staff_id": staff_id, "password": demo_password(staff_id), "next": "/"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    return csrf_of(await anon.get("/"))


def visit_url(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def test_walk_a_visit_through_the_screens(
    anon: httpx.AsyncClient, settings: Settings
) -> None:
    r = factories.resident(settings.sqlalchemy_url)
    assert (await anon.get("/")).headers["location"].startswith("/login")  # redirected
    csrf = await cookie_login(anon, "staff01")
    home = await anon.get("/")
    assert home.status_code == 200 and "整理券を発行" in home.text and "窓口 一郎" in home.text

    url = visit_url(await anon.post("/ui/visits", data={"form_key": "press-1", "csrf_token": csrf}))
    page = await anon.get(url)
    assert "受付番号" in page.text and 'data-step="reception"' in page.text

    def form(**data: str | list[str]) -> dict[str, str | list[str]]:
        return {**data, "csrf_token": csrf}

    await anon.post(f"{url}/call", data=form(counter="C01", form_key="a"))
    # The clerk can look the person up in the register by kana before reading the card.
    found = await anon.post(
        f"{url}/search", data=form(kind="kana", q=r.kana.split("　")[0], form_key="s"),
        follow_redirects=True,
    )  # fmt: skip
    assert 'data-step="lookup"' in found.text and r.name in found.text
    page = await anon.post(
        f"{url}/identify",
        data=form(source="mynumber_card", name=r.name, birth_date=r.birth_date, form_key="b"),
        follow_redirects=True,
    )
    assert 'data-step="lookup"' in page.text and r.name in page.text
    assert "氏名・生年月日" in page.text  # what the candidate matched, in the screen's words
    # The birthday as the resident says it (和暦), the ISO date beneath.
    assert f"{iso_to_wareki(r.birth_date)}<br><small>{r.birth_date}</small>" in page.text

    page = await anon.post(
        f"{url}/choose_resident",
        data=form(atena_no=r.atena_no, form_key="c"),
        follow_redirects=True,
    )
    assert 'data-step="interview"' in page.text
    # A 住民 cannot file a 転入届 (the catalog's subject_status): dimmed, cannot be ticked.
    tennyu = page.text.split('id="proc-tennyu"', 1)[1].split("</legend>", 1)[0]
    assert tennyu.startswith(' disabled class="not-for"') and "disabled>" in tennyu
    assert "対象外（住民状態: 住民）" in tennyu
    assert 'id="proc-tenkyo">' in page.text  # one they can
    # 通数 is asked under every procedure that needs it, each procedure its own count.
    for code in ("juminhyo", "koseki", "fuhyo", "inkan_shomei"):
        box = page.text.split(f'id="proc-{code}"', 1)[1].split("</fieldset>", 1)[0]
        assert f'name="answer.{code}.copies"' in box, code
    # An answer of one move (異動年月日 under 転入届, 転居届, 転出届 and 世帯変更届) is
    # shared: its fields must agree.
    refused = await anon.post(
        f"{url}/choose_procedures",
        data=form(procedures=["tenkyo"], form_key="d0",
                  **{"answer.new_address": ["香川県高松市番町一丁目8番15号", ""],
                     "answer.moved_on": ["", "2026-11-20", "2026-11-21", ""]}),
    )  # fmt: skip
    assert refused.status_code == 422
    assert "異動年月日: 欄ごとに違う値です" in refused.text
    assert 'data-step="interview"' in refused.text

    # 住民票の写し 2通 and 印鑑登録証明書 1通 in one visit.
    page = await anon.post(
        f"{url}/choose_procedures",
        data=form(procedures=["juminhyo", "inkan_shomei"], form_key="d",
                  **{"answer.juminhyo.copies": "2", "answer.inkan_shomei.copies": "1"}),
        follow_redirects=True,
    )  # fmt: skip
    assert 'data-step="confirm"' in page.text and "印鑑登録証明書交付申請書" in page.text
    juminhyo, inkan = page.text.split("印鑑登録証明書交付申請書", 1)
    assert "2通" in juminhyo and "住民票の写し等交付請求書" in juminhyo and "1通" in inkan
    # What to collect at the counter: each certificate at its own count.
    assert "手数料 合計 <strong>900円</strong>" in page.text
    assert "住民票の写し 2通 600円・印鑑登録証明書 1通 300円" in page.text
    form_codes = re.findall(r'name="form_codes" value="([^"]+)"', page.text)
    assert "inkan_shomei_shinsei" in form_codes and len(form_codes) == 2
    # The review shows the forms as they will print, unsigned and marked 確認用.
    preview = await anon.get(f"/api/visits/{url.rsplit('/', 1)[1]}/preview.pdf")
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    first, second = page_texts(preview.content)[:2]
    assert "確認用" in first and "住民票の写し等交付請求書" in first and "通数 2通" in first
    assert "確認用" in second and "印鑑登録証明書交付申請書" in second and "1通" in second

    # Submitting without a signature shows the server's message and keeps the step.
    page = await anon.post(
        f"{url}/confirm", data=form(strokes="[]", form_codes=form_codes, form_key="e")
    )
    assert page.status_code == 422 and "署名がありません" in page.text

    strokes = json.dumps([[[0.1, 0.2], [0.4, 0.6], [0.7, 0.3]]])
    page = await anon.post(
        f"{url}/confirm",
        data=form(strokes=strokes, form_codes=form_codes, form_key="f"),
        follow_redirects=True,
    )
    assert 'data-step="print"' in page.text  # signed; the screen watches the rest happen
    page = await after_signing(anon, url)
    assert 'data-step="await_rpa"' in page.text and "forms.pdf" in page.text
    assert "手数料 合計 <strong>900円</strong>" in page.text  # still there for the 会計
    assert (await anon.get(f"/api/visits/{url.rsplit('/', 1)[1]}/preview.pdf")).status_code == 409
    assert "RPA処理待ち" in page.text
    # Counter staff cannot re-queue or finish records by hand; the buttons are not shown.
    assert "手動完了" not in page.text
    record = re.search(r'data-record="([^"]+)"', page.text)
    assert record is not None
    refused = await anon.post(f"{url}/records/{record.group(1)}/done", data=form(reason="x"))
    assert refused.status_code == 403


async def test_csrf_is_required_on_every_form_and_double_submits_are_one_step(
    anon: httpx.AsyncClient,
) -> None:
    csrf = await cookie_login(anon, "staff01")
    no_token = await anon.post("/ui/visits", data={"form_key": "press-2"})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    wrong = await anon.post("/ui/visits", data={"form_key": "press-2", "csrf_token": "forged"})
    assert wrong.status_code == 403

    url = visit_url(await anon.post("/ui/visits", data={"form_key": "press-2", "csrf_token": csrf}))
    again = visit_url(
        await anon.post("/ui/visits", data={"form_key": "press-2", "csrf_token": csrf})
    )
    assert url == again
    data = {"counter": "C01", "form_key": "same", "csrf_token": csrf}
    assert (await anon.post(f"{url}/call", data=data)).status_code == 303
    assert (await anon.post(f"{url}/call", data=data)).status_code == 303  # deduplicated
    assert 'data-step="identify"' in (await anon.get(url)).text


async def test_login_failures_lock_out_and_a_new_session_on_every_login(
    anon: httpx.AsyncClient,
) -> None:
    bad = await anon.post("/login", data={"staff_id": "staff01", "password": "wrong"})
    assert bad.status_code == 401 and "職員IDまたはパスワードが違います" in bad.text
    unknown = await anon.post("/login", data={"staff_id": "nobody", "password": "wrong"})
    assert unknown.status_code == 401 and "職員IDまたはパスワードが違います" in unknown.text

    await cookie_login(anon, "staff01")
    first = anon.cookies.get("mado_session")
    await cookie_login(anon, "staff01")
    second = anon.cookies.get("mado_session")
    assert first and second and first != second  # session id never reused (fixation)
    # The replaced session is dead.
    anon.cookies.clear()
    anon.cookies.set("mado_session", first)
    assert (await anon.get("/")).status_code == 303

    for _ in range(4):
        await anon.post("/login", data={"staff_id": "kakunin01", "password": "wrong"})
    locked = await anon.post("/login", data={"staff_id": "kakunin01", "password": "wrong"})
    assert locked.status_code == 401 and "ロック" in locked.text
    right_but_locked = await anon.post(
        "/login", data={"staff_id": "kakunin01", "password": demo_password("kakunin01")}
    )
    assert right_but_locked.status_code == 401 and "ロック" in right_but_locked.text


async def test_ic_card_login_and_logout(anon: httpx.AsyncClient) -> None:
    wrong_pin = await anon.post("/login/card", data={"card_id": "0123456789ABCDEF", "pin": "9999"})
    assert wrong_pin.status_code == 401
    ok = await anon.post("/login/card", data={"card_id": "0123456789abcdef", "pin": "1234"})
    assert ok.status_code == 303
    page = await anon.get("/")
    assert "窓口 一郎" in page.text
    out = await anon.post("/logout", data={"csrf_token": csrf_of(page)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert (await anon.get("/")).status_code == 303
