"""異動者: a move names who moves. The staff screen offers the resident's household, the
forms list only those ticked, and the core system gets one 住民異動 record per person."""

from __future__ import annotations

import csv
import io
import json
import re

import httpx
from temporalio.client import Client

from adapters import residents
from adapters.db import session_scope
from madoguchi.settings import Settings
from tests import factories
from tests.api.conftest import after_signing, bearer
from tests.api.test_staff_screen import cookie_login, visit_url
from tests.pdf_pages import page_texts


async def test_one_of_a_household_moves_and_only_they_are_on_the_form_and_in_the_csv(
    anon: httpx.AsyncClient, client: Client, settings: Settings
) -> None:
    r = factories.resident(settings.sqlalchemy_url)
    with session_scope(settings.sqlalchemy_url) as session:
        household = residents.households(session, [r.household_no])[r.household_no]
    staying = [m for m in household if m.atena_no != r.atena_no]
    assert staying, "the demo resident must share a household"
    csrf = await cookie_login(anon, "staff01")

    def form(**data: str | list[str]) -> dict[str, str | list[str]]:
        return {**data, "csrf_token": csrf}

    url = visit_url(await anon.post("/ui/visits", data=form(form_key="m0")))
    await anon.post(f"{url}/call", data=form(counter="C01", form_key="m1"))
    await anon.post(
        f"{url}/identify",
        data=form(source="mynumber_card", name=r.name, birth_date=r.birth_date, form_key="m2"),
    )
    page = await anon.post(
        f"{url}/choose_resident", data=form(atena_no=r.atena_no, form_key="m3"),
        follow_redirects=True,
    )  # fmt: skip
    # Under 転居届: a ticked box for each person of the household, the resident too.
    box = page.text.split('id="members-tenkyo"', 1)[1].split("</fieldset>", 1)[0]
    ticks = re.findall(r'name="answer\.tenkyo\.movers" value="([^"]+)"[^>]*checked', box)
    assert sorted(ticks) == sorted(m.atena_no for m in household)
    assert all(f"{m.name}（{m.relationship}）" in box for m in household)

    move = {"answer.new_address": "香川県高松市番町一丁目8番15号", "answer.moved_on": "2026-11-20"}
    # 手続ナビ looks at who moves too; nobody ticked is refused there as well.
    alone = {"offered.tenkyo.movers": ["1"], "answer.tenkyo.movers": [r.atena_no]}
    navi = await anon.post(
        f"{url}/navi", data=form(procedures=["tenkyo"], form_key="mn", **move, **alone),
        follow_redirects=True,
    )  # fmt: skip
    assert navi.status_code == 200 and 'id="proposals"' in navi.text
    # The clerk answers each proposal; here, none is taken up.
    rejected = {
        f"decision.{c}": "reject" for c in set(re.findall(r'name="decision\.([a-z_]+)"', navi.text))
    }
    navi = await anon.post(
        f"{url}/navi",
        data=form(procedures=["tenkyo"], form_key="mn2", **move, **{"offered.tenkyo.movers": "1"}),
    )
    assert navi.status_code == 422 and "異動者: 1人以上選んでください" in navi.text

    nobody = await anon.post(
        f"{url}/choose_procedures",
        data=form(procedures=["tenkyo"], form_key="m4", **move, **{"offered.tenkyo.movers": "1"}),
    )
    assert nobody.status_code == 422 and "異動者: 1人以上選んでください" in nobody.text
    # 転居届 and 転出届 are one move: ticking different people under each is refused.
    differ = await anon.post(
        f"{url}/choose_procedures",
        data=form(procedures=["tenkyo", "tenshutsu"], form_key="m5", **move, **{
            "offered.tenkyo.movers": ["1"], "answer.tenkyo.movers": [r.atena_no],
            "offered.tenshutsu.movers": ["1"],
            "answer.tenshutsu.movers": [m.atena_no for m in household],
        }),
    )  # fmt: skip
    assert differ.status_code == 422 and "手続ごとに違う人が選ばれています" in differ.text
    # What the clerk ticked is drawn again after a refusal, not everyone.
    again = differ.text.split('id="members-tenkyo"', 1)[1].split("</fieldset>", 1)[0]
    assert re.findall(r'value="([^"]+)"[^>]*checked', again) == [r.atena_no]

    page = await anon.post(
        f"{url}/choose_procedures",
        data=form(procedures=["tenkyo"], form_key="m6", **move, **rejected, **{
            "offered.tenkyo.movers": "1", "answer.tenkyo.movers": r.atena_no,
        }),
        follow_redirects=True,
    )  # fmt: skip
    assert 'data-step="confirm"' in page.text
    # The review lists who moves, as the form will.
    listed = page.text.split("<caption>異動した人（異動者）</caption>", 1)[1].split("</table>", 1)[
        0
    ]
    assert r.name in listed and not any(m.name in listed for m in staying)
    visit_id = url.rsplit("/", 1)[1]
    preview = page_texts((await anon.get(f"/api/visits/{visit_id}/preview.pdf")).content)
    idou = next(p for p in preview if "住民異動届" in p)
    assert r.name in idou and not any(m.name in idou for m in staying)
    assert "新しい\n世帯主 " + r.name in idou  # moving alone: heads their own household

    # At review the clerk corrects it: one more of the household moves too.
    assert r.relationship == "世帯主"  # so no new 世帯主 is asked
    two = [r.atena_no, staying[0].atena_no]
    page = await anon.post(
        f"{url}/correct",
        data=form(form_key="m6c", reason="子も転居", **{
            "offered.tenkyo.movers": ["1"], "answer.tenkyo.movers": two,
            "answer.new_address": [move["answer.new_address"]],
            "answer.moved_on": [move["answer.moved_on"]],
        }),
        follow_redirects=True,
    )  # fmt: skip
    assert 'data-step="confirm"' in page.text, page.text[-2000:]
    preview = page_texts((await anon.get(f"/api/visits/{visit_id}/preview.pdf")).content)
    idou = next(p for p in preview if "住民異動届" in p)
    assert r.name in idou and staying[0].name in idou
    assert not any(m.name in idou for m in staying[1:])

    form_codes = re.findall(r'name="form_codes" value="([^"]+)"', page.text)
    strokes = json.dumps([[[0.1, 0.2], [0.4, 0.6], [0.7, 0.3]]])
    await anon.post(
        f"{url}/confirm", data=form(strokes=strokes, form_codes=form_codes, form_key="m7")
    )
    page = await after_signing(anon, url)
    records = re.findall(r'data-record="([^"]+)"', page.text)
    assert records == [f"{visit_id}-tenkyo-{a}" for a in two]
    shown = page.text.split('id="records"', 1)[1]
    assert f"{r.name}（{r.relationship}）" in shown and staying[0].name in shown

    # The core system's CSV: a 住民異動 row per mover, with their own 宛名番号 and name.
    await factories.run_batch(client, settings.task_queue)
    robot = await bearer(anon, "rpa01")
    batch = next(
        b for b in (await anon.get("/api/rpa/batches", headers=robot)).json()
        if b["layout"].startswith("idou@")
    )  # fmt: skip
    lease = (await anon.post(f"/api/rpa/batches/{batch['batch_id']}/claim", headers=robot)).json()
    data = await anon.get(
        f"/api/rpa/batches/{batch['batch_id']}/csv",
        headers={**robot, "X-Lease-Id": lease["lease_id"]},
    )
    rows = [
        x for x in csv.DictReader(io.StringIO(data.content.decode("utf-8")))
        if x["受付番号"].startswith(visit_id)
    ]  # fmt: skip
    assert [(x["宛名番号"], x["氏名"]) for x in rows] == [
        (r.atena_no, r.name),
        (staying[0].atena_no, staying[0].name),
    ]
