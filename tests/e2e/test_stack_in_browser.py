"""`mado run` brings the stack up; a clerk walks a visit through in a real browser;
Ctrl-C stops everything; running it again keeps the visit."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest
from playwright.sync_api import Browser, expect

from madoguchi.seed import DEMO_PIN, DEMO_STAFF, demo_password
from tests.e2e.conftest import Stack, draw_signature


def staff_headers(stack: Stack) -> dict[str, str]:
    r = httpx.post(
        stack.url + "/api/auth/login",
        json={"staff_id": "staff01", "password": demo_password("staff01")},
    )
    return {"Authorization": f"Bearer {r.json()['token']}"}


pytestmark = pytest.mark.slow


def test_walk_one_visit_in_the_browser_then_restart_keeps_it(
    stack: Stack, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with sqlite3.connect(stack.data_dir / "madoguchi.db") as db:
        name, birth = db.execute(
            "select name, birth_date from residents where relationship = '世帯主' order by atena_no"
        ).fetchone()

    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="ja-JP")
    page.goto(stack.url + "/")
    # Not logged in: the login screen. The card middleware fills the card ID; the clerk the PIN.
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    page.get_by_label("カードID").fill(DEMO_STAFF[0][4])
    page.get_by_label("PIN").fill(DEMO_PIN)
    page.get_by_role("button", name="カードでログイン").click()
    expect(page.locator("#me")).to_contain_text("staff01")
    page.get_by_role("button", name="整理券を発行").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "reception")
    visit_url = page.url

    page.get_by_role("button", name="呼び出す").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "identify")

    page.get_by_label("氏名", exact=True).fill(name)
    page.get_by_label("生年月日", exact=True).fill(birth)
    page.get_by_role("button", name="読み取り・検索").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "lookup")
    expect(page.locator("label.name").first).to_have_text(name)

    page.get_by_role("button", name="この住民で進む").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "interview")

    page.get_by_label("住民票の写し").check()
    page.locator("#proc-juminhyo").get_by_label("通数").fill("2")
    # Each certificate has its own count: 印鑑登録証明書's 通数 is not filled in with it.
    expect(page.locator("#proc-inkan_shomei").get_by_label("通数")).to_have_value("")
    page.get_by_role("button", name="帳票を作成").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "confirm")
    expect(page.get_by_text("住民票の写し等交付請求書")).to_be_visible()

    # No tablet here: the clerk opens the fallback pad on the staff screen.
    page.get_by_text("この画面で署名する").click()
    draw_signature(page)
    page.get_by_role("button", name="確認して署名").click()
    expect(page.locator("#step")).to_have_attribute("data-step", "await_rpa")

    href = page.get_by_role("link", name="forms.pdf").get_attribute("href")
    assert href is not None
    pdf = httpx.get(stack.url + href, headers=staff_headers(stack))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # A supervisor batches now (instead of waiting for the schedule); the robot — here
    # `mado rpa-sim` with its own login — claims the batch, types it in, and reports.
    boss = httpx.post(
        stack.url + "/api/auth/login",
        json={"staff_id": "kantoku01", "password": demo_password("kantoku01")},
    ).json()["token"]
    robot = httpx.post(
        stack.url + "/api/auth/login",
        json={"staff_id": "rpa01", "password": demo_password("rpa01")},
    ).json()["token"]
    started = httpx.post(
        stack.url + "/api/handoff/run", headers={"Authorization": f"Bearer {boss}"}
    )
    assert started.status_code == 202, started.text
    for _ in range(100):
        ready = httpx.get(
            stack.url + "/api/rpa/batches", headers={"Authorization": f"Bearer {robot}"}
        )
        if ready.json():
            break
        time.sleep(0.2)
    sim = subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", "rpa-sim", "--once", "--url", stack.url,
         "--fail-rate", "0"],
        env=stack.env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert sim.returncode == 0, sim.stderr
    assert json.loads(sim.stdout.splitlines()[-1])["done"] == 1  # the 住民票 record
    page.reload()
    expect(page.locator("#done")).to_be_visible()
    page.screenshot(path=str(tmp_path_factory.getbasetemp() / "visit-done.png"), full_page=True)

    # Ctrl-C stops the whole stack cleanly ...
    assert stack.stop() == 0
    assert stack.output is not None
    assert "停止しました" in stack.output.read_text(encoding="utf-8")
    # ... and running it again on the same data keeps the visit (and the login).
    stack.start()
    page.goto(visit_url)
    expect(page.locator("#step")).to_have_attribute("data-step", "done")
