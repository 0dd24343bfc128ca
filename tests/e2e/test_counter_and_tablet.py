"""A whole 転入 visit at the counter, in Debian's Chromium: the clerk on the staff screen
(1366×768) and the resident on a paired tablet (1280×800), each in its own browser
context. Screenshots of every step land in test-artifacts/screens/. Reloads keep the
step and what was typed; a second submission is refused; a visit can be run from the
keyboard alone."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from madoguchi.settings import REPO_ROOT
from tests.e2e.conftest import Stack, draw_signature, login_page

pytestmark = pytest.mark.slow
SCREENS = REPO_ROOT / "test-artifacts" / "screens"


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def staff_context(browser: Browser, stack: Stack, staff_id: str = "staff01") -> Page:
    return login_page(browser, stack, staff_id)


def tablet_context(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")


def moving_in_head(stack: Stack) -> tuple[str, str]:
    with sqlite3.connect(stack.data_dir / "madoguchi.db") as db:
        row = db.execute(
            "select name, birth_date from residents where relationship = '世帯主'"
            " and status = '転入予定' order by atena_no"
        ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def test_a_tennyu_visit_with_staff_screen_and_tablet(stack: Stack, browser: Browser) -> None:
    clerk = staff_context(browser, stack)
    # A resident took a ticket at the machine; the clerk calls the next one to counter C03.
    clerk.get_by_role("button", name="整理券を発行").click()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "reception")
    clerk.goto(stack.url + "/")
    expect(clerk.locator("#waiting")).to_have_text("1")
    shot(clerk, "01-queue")
    clerk.get_by_label("窓口").fill("C03")
    clerk.get_by_role("button", name="次の番号を呼出").click()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "identify")
    visit_url = clerk.url

    # Pair the counter's tablet: the code from the staff screen, typed once on the tablet.
    clerk.goto(stack.url + "/")
    clerk.get_by_role("button", name="タブレット接続コードを発行").click()
    code = clerk.locator("#pairing-code").inner_text().strip()
    expect(clerk.locator("#pair-counter")).to_have_text("C03")
    tablet = tablet_context(browser).new_page()
    tablet.goto(stack.url + "/tablet")
    tablet.get_by_label("接続コード", exact=False).fill(code)
    tablet.get_by_role("button", name="接続する / Connect").click()
    expect(tablet.locator("#screen")).to_have_attribute("data-state", "idle")
    shot(tablet, "02-tablet-idle")

    name, birth = moving_in_head(stack)
    clerk.goto(visit_url)
    clerk.get_by_label("氏名", exact=True).fill(name)
    clerk.reload()  # typed, not yet sent: still there after a reload
    expect(clerk.get_by_label("氏名", exact=True)).to_have_value(name)
    # The card reader types its line; its values are marked カード読取.
    card = {"source": "mynumber_card", "name": name, "birth_date": birth}
    clerk.locator("#card-data").fill(json.dumps(card, ensure_ascii=False))
    clerk.locator("#card-data").press("Enter")
    expect(clerk.get_by_label("生年月日", exact=True)).to_have_value(birth)
    expect(clerk.locator('.origin[data-for="birth_date"]')).to_have_text("カード読取")
    expect(clerk.locator('.origin[data-for="address"]')).to_have_text("手入力")
    shot(clerk, "03-identify")
    clerk.get_by_role("button", name="読み取り・検索").click()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "lookup")
    expect(clerk.locator("#id-card")).to_contain_text("生年月日（カード読取）")
    clerk.reload()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "lookup")
    expect(clerk.locator("label.name").first).to_have_text(name)
    shot(clerk, "04-lookup")
    clerk.get_by_role("button", name="この住民で進む").click()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "interview")

    # A second tab on the same step: whichever submits second is refused.
    other = clerk.context.new_page()
    other.goto(visit_url)
    clerk.get_by_label("転入届").check()
    clerk.locator('#proc-tennyu input[name="answer.moved_on"]').fill("2026-11-20")
    # One move, one date: 転居届's 異動年月日 shows it too (the answer is shared).
    expect(clerk.locator('#proc-tenkyo input[name="answer.moved_on"]')).to_have_value("2026-11-20")
    # 異動者 too: a person unticked under 転入届 is unticked under 転居届 (then ticked again:
    # the whole family moves in).
    last_in, last_tenkyo = (
        clerk.locator(f'#members-{code} input[type="checkbox"]').last
        for code in ("tennyu", "tenkyo")
    )
    expect(last_in).to_be_checked()
    last_in.uncheck()
    expect(last_tenkyo).not_to_be_checked()
    last_in.check()
    expect(last_tenkyo).to_be_checked()
    clerk.reload()
    expect(clerk.get_by_label("転入届")).to_be_checked()
    expect(clerk.locator('#proc-tennyu input[name="answer.moved_on"]')).to_have_value("2026-11-20")
    for fact, answer in {"kokuho": "no", "mynumber_card": "yes", "dog": "no"}.items():
        clerk.locator(f'input[name="fact.{fact}"][value="{answer}"]').check()
    clerk.get_by_role("button", name="関連する手続を確認").click()
    expect(clerk.locator("#proposals")).to_be_visible()
    for row in clerk.locator("tr.proposal-ask").all():
        row.get_by_label("不採用").check()
    shot(clerk, "05-interview-navi")
    clerk.get_by_role("button", name="帳票を作成", exact=True).last.click()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "confirm")
    other.get_by_label("転入届").check()
    other.get_by_role("button", name="帳票を作成", exact=True).last.click()
    expect(other.locator("#error")).to_be_visible()  # refused: the visit has moved on
    expect(other.locator("#step")).to_have_attribute("data-step", "confirm")
    # Drawn into the page, the refusal leaves the visit's address: a reload shows the visit.
    assert other.url == visit_url
    other.reload()
    expect(other.locator("#step")).to_have_attribute("data-step", "confirm")
    other.close()

    # Review, then send to the tablet in English.
    expect(clerk.get_by_role("heading", name="住民異動届")).to_be_visible()
    # The PDF as it will print, fetched when the clerk opens it (Alt+P).
    expect(clerk.locator("#pdf-preview object")).to_have_count(0)
    with clerk.expect_response(lambda r: r.url.endswith("/preview.pdf")) as preview:
        clerk.keyboard.press("Alt+p")
    assert preview.value.status == 200
    assert preview.value.headers["content-type"] == "application/pdf"
    shot(clerk, "06-review")
    clerk.get_by_label("表示言語").select_option("en")
    clerk.get_by_role("button", name="タブレットに送信").click()
    expect(clerk.locator("#tablet-status")).to_contain_text("English")

    expect(tablet.locator("#screen")).to_have_attribute("data-state", "confirm", timeout=10_000)
    expect(tablet.get_by_role("heading", name="Please check the details")).to_be_visible()
    expect(tablet.get_by_text("Notification of change of residence")).to_be_visible()
    expect(tablet.get_by_text(name).first).to_be_visible()
    shot(tablet, "07-tablet-confirm")
    assert wcag_violations(tablet) == []
    tablet.set_viewport_size({"width": 800, "height": 1280})  # the tablet turned upright
    shot(tablet, "07b-tablet-confirm-portrait")
    assert wcag_violations(tablet) == []
    tablet.set_viewport_size({"width": 1280, "height": 800})
    tablet.get_by_role("button", name="Confirm and sign").click()  # no signature yet
    expect(tablet.locator("#error")).to_contain_text("no signature")
    draw_signature(tablet)
    shot(tablet, "08-tablet-signed")
    tablet.get_by_role("button", name="Confirm and sign").click()
    expect(tablet.locator("#screen")).to_have_attribute("data-state", "thanks")
    # The tablet forgets the resident and waits for the next one.
    expect(tablet.locator("#screen")).to_have_attribute("data-state", "idle", timeout=10_000)
    expect(tablet.get_by_text(name)).to_have_count(0)

    # The staff screen notices by itself: printed, handed off, waiting for the robot.
    expect(clerk.locator("#step")).to_have_attribute("data-step", "await_rpa", timeout=10_000)
    expect(clerk.get_by_role("link", name="forms.pdf")).to_be_visible()
    expect(clerk.locator("#records")).to_contain_text("RPA処理待ち")
    shot(clerk, "09-handoff")
    assert wcag_violations(clerk) == []


def test_a_visit_from_the_keyboard_alone(stack: Stack, browser: Browser) -> None:
    clerk = staff_context(browser, stack)
    with sqlite3.connect(stack.data_dir / "madoguchi.db") as db:
        name, birth = db.execute(
            "select name, birth_date from residents where status = '住民' order by atena_no"
        ).fetchone()
    keys = clerk.keyboard
    keys.press("Alt+n")  # 整理券を発行
    expect(clerk.locator("#step")).to_have_attribute("data-step", "reception")
    keys.press("Enter")  # 呼び出す (the counter field has the focus)
    expect(clerk.locator("#step")).to_have_attribute("data-step", "identify")
    keys.type(name)  # the name field has the focus
    keys.press("Tab")  # フリガナ: not on this card
    keys.press("Tab")
    keys.type(birth)
    keys.press("Enter")
    expect(clerk.locator("#step")).to_have_attribute("data-step", "lookup")
    keys.press("Enter")  # この住民で進む has the focus
    expect(clerk.locator("#step")).to_have_attribute("data-step", "interview")
    while clerk.evaluate("document.activeElement.value") != "juminhyo":
        keys.press("Tab")
    keys.press("Space")
    keys.press("Tab")
    keys.type("1")  # 通数
    keys.press("Enter")  # 帳票を作成
    expect(clerk.locator("#step")).to_have_attribute("data-step", "confirm")
    focused = clerk.evaluate("document.activeElement.textContent")
    assert "タブレットに送信" in focused
    shot(clerk, "10-keyboard-confirm")


AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"  # MPL-2.0, LICENSE-axe-core


def wcag_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA rules on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag',"
        " values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    return [str(v) for v in result]


def test_both_screens_meet_wcag_21_aa_by_axe(stack: Stack, browser: Browser) -> None:
    probe = browser.new_page()
    probe.set_content(
        '<html lang="ja"><title>t</title><img src="x.png"><p style="color:#aaa">薄い</p>'
    )
    assert [v.split(":")[0] for v in wcag_violations(probe)] == ["color-contrast", "image-alt"]
    probe.close()
    found: dict[str, list[str]] = {}
    clerk = staff_context(browser, stack, "staff02")
    found["queue"] = wcag_violations(clerk)
    clerk.get_by_role("button", name="整理券を発行").click()
    found["reception"] = wcag_violations(clerk)
    clerk.get_by_role("button", name="呼び出す").click()
    found["identify"] = wcag_violations(clerk)
    with sqlite3.connect(stack.data_dir / "madoguchi.db") as db:
        name, birth = db.execute(
            "select name, birth_date from residents where status = '住民' order by atena_no"
        ).fetchone()
    clerk.get_by_label("氏名", exact=True).fill(name)
    clerk.get_by_label("生年月日", exact=True).fill(birth)
    clerk.get_by_role("button", name="読み取り・検索").click()
    found["lookup"] = wcag_violations(clerk)
    clerk.get_by_role("button", name="この住民で進む").click()
    clerk.get_by_role("button", name="関連する手続を確認").click()
    found["interview"] = wcag_violations(clerk)
    clerk.get_by_label("住民票の写し").check()
    clerk.locator("#proc-juminhyo").get_by_label("通数").fill("1")
    for row in clerk.locator("tr.proposal-ask").all():
        row.get_by_label("不採用").check()
    clerk.get_by_role("button", name="帳票を作成", exact=True).last.click()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "confirm")
    found["confirm"] = wcag_violations(clerk)
    tablet = tablet_context(browser).new_page()
    tablet.goto(stack.url + "/tablet")
    found["tablet pairing"] = wcag_violations(tablet)
    assert {k: v for k, v in found.items() if v} == {}
