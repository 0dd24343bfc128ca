"""In a real browser on the real stack: a city admin adds a form on the admin screen and
the next visit fills it; a clerk runs 手続ナビ for a 転入, decides each proposal, and the
guidance sheet joins the forms; after signing, the clerk can re-print."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.test_forms_admin import NEW_FORM
from tests.e2e.conftest import Stack, draw_signature, login_page

pytestmark = pytest.mark.slow


def start_visit(page: Page, stack: Stack, name: str, birth: str) -> None:
    page.goto(stack.url + "/")
    page.get_by_role("button", name="整理券を発行").click()
    page.get_by_role("button", name="呼び出す").click()
    page.get_by_label("氏名", exact=True).fill(name)
    page.get_by_label("生年月日", exact=True).fill(birth)
    page.get_by_role("button", name="読み取り・検索").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "lookup")
    page.get_by_role("button", name="この住民で進む").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "interview")


def sign(page: Page) -> None:
    page.get_by_text("この画面で署名する").click()
    draw_signature(page)
    page.get_by_role("button", name="確認して署名").click()


def head_of_household(stack: Stack, status: str) -> tuple[str, str]:
    with sqlite3.connect(stack.data_dir / "madoguchi.db") as db:
        row = db.execute(
            "select name, birth_date from residents where relationship = '世帯主'"
            " and status = ? order by atena_no",
            (status,),
        ).fetchone()
    assert row is not None, status
    return str(row[0]), str(row[1])


def test_admin_adds_a_form_on_the_screen_and_the_next_visit_fills_it(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    admin = login_page(browser, stack, "admin01")
    admin.goto(stack.url + "/admin/forms")
    expect(admin.locator('tr[data-form="idou"]')).to_be_visible()

    # A definition with a wrong source is refused with the form, field and problem named.
    bad = tmp_path / "bad.json"
    wrong = {"key": "name", "label": "氏名", "source": "resident.nope"}
    broken = dict(NEW_FORM, fields=[wrong, NEW_FORM["fields"][1]])
    bad.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    admin.get_by_label("定義ファイル").set_input_files(bad)
    admin.get_by_role("button", name="送信 / Send").click()
    expect(admin.locator("#problems li")).to_have_text(
        ["form juminhyo_moushide, field name: unknown resident item: nope"]
    )

    good = tmp_path / "juminhyo_moushide.json"
    good.write_text(json.dumps(NEW_FORM, ensure_ascii=False), encoding="utf-8")
    admin.get_by_label("定義ファイル").set_input_files(good)
    admin.get_by_role("button", name="送信 / Send").click()
    expect(admin.locator("#message")).to_contain_text("登録しました")
    row = admin.locator('tr[data-form="juminhyo_moushide"]')
    row.get_by_role("button", name="公開 / publish").click()
    expect(row).to_contain_text("v1")
    expect(row.get_by_role("button")).to_have_count(0)  # published: nothing left to publish

    clerk = login_page(browser, stack, "staff01")
    start_visit(clerk, stack, *head_of_household(stack, "住民"))
    clerk.get_by_label("住民票の写し").check()
    clerk.locator("#proc-juminhyo").get_by_label("通数").fill("1")
    clerk.get_by_role("button", name="帳票を作成").click()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "confirm")
    expect(clerk.get_by_role("heading", name="住民票の写し 使用目的申出書")).to_be_visible()


def test_navi_for_a_tennyu_then_sign_and_reprint(
    stack: Stack, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    shots = tmp_path_factory.getbasetemp()
    clerk = login_page(browser, stack, "staff01")
    start_visit(clerk, stack, *head_of_household(stack, "転入予定"))
    expect(clerk.locator("#interview")).to_contain_text("状態: 転入予定")

    clerk.get_by_label("転入届").check()
    moved_on = clerk.locator('#proc-tennyu input[name="answer.moved_on"]')
    moved_on.fill("2026-11-20")
    navi = clerk.locator("#navi")
    for fact, answer in {"dog": "yes", "kokuho": "no", "mynumber_card": "yes"}.items():
        navi.locator(f'input[name="fact.{fact}"][value="{answer}"]').check()
    navi.get_by_role("button", name="関連する手続を確認").click()

    proposals = clerk.locator("#proposals")
    expect(proposals).to_be_visible()
    dog = proposals.locator('tr[data-code="inu"]')
    expect(dog).to_contain_text("提案")
    expect(proposals.locator('tr[data-code="kokuho"]')).to_contain_text("対象外")
    # What staff answered is kept on the re-drawn screen.
    expect(clerk.get_by_label("転入届")).to_be_checked()
    expect(navi.locator('input[name="fact.dog"][value="yes"]')).to_be_checked()
    expect(moved_on).to_have_value("2026-11-20")

    # A proposal that still needs an answer must be decided before the forms are made.
    asks = proposals.locator("tr.proposal-ask")
    expect(proposals.locator('tr[data-code="ninpu"]')).to_contain_text("要確認")
    clerk.get_by_role("button", name="帳票を作成").click()
    expect(clerk.locator("#error")).to_contain_text("採否を選んでください")
    assert clerk.url.split("/")[-2] == "visits"  # the visit's address, not the step's POST
    clerk.screenshot(path=str(shots / "navi-proposals.png"), full_page=True)
    for i in range(asks.count()):
        asks.nth(i).get_by_label("不採用").check()
    expect(moved_on).to_have_value("2026-11-20")
    clerk.get_by_role("button", name="帳票を作成").click()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "confirm")
    expect(clerk.get_by_role("heading", name="住民異動届")).to_be_visible()
    expect(clerk.get_by_role("heading", name="手続案内書")).to_be_visible()

    sign(clerk)
    expect(clerk.locator("#step")).to_have_attribute("data-step", "await_rpa")
    reprint = clerk.locator("#reprint")
    reprint.locator("summary").click()
    reprint.get_by_label("再印刷の理由").fill("紙詰まり")
    reprint.get_by_role("button", name="再印刷する").click()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "await_rpa")
    expect(clerk.locator("#error")).to_have_count(0)
