"""The supervisor's and the consultant's screens in Chromium on the embedded stack: a visit
waiting too long appears on the dashboard by itself and is cancelled from it; the BPR
screen shows the heatmap, the process map and a what-if run; the BPMN models draw; all
pass axe's WCAG 2.1 AA rules. Screenshots land in test-artifacts/screens/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from madoguchi.settings import REPO_ROOT
from tests.e2e.conftest import Stack, login_page, new_stack
from tests.e2e.test_counter_and_tablet import wcag_violations

pytestmark = pytest.mark.slow
SCREENS = REPO_ROOT / "test-artifacts" / "screens"


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = new_stack(tmp_path_factory.mktemp("stack"))
    s.env["MADO_STALL_MINUTES"] = '{"reception": 0.05}'  # 3 s in the waiting room is long
    s.start()
    yield s
    if s.process is not None and s.process.poll() is None:
        s.stop()


def test_a_waiting_visit_shows_as_stalled_by_itself_and_is_cancelled(
    stack: Stack, browser: Browser
) -> None:
    boss = login_page(browser, stack, "kantoku01")
    boss.get_by_role("link", name="監督者画面").click()
    expect(boss.locator("h1")).to_contain_text("監督者画面")
    clerk = login_page(browser, stack, "staff01")
    clerk.get_by_role("button", name="整理券を発行").click()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "reception")
    visit_id = clerk.url.rsplit("/", 1)[1]

    # No reload: the dashboard asks again every 15 s.
    row = boss.locator(f'#stalled tr[data-visit="{visit_id}"]')
    expect(row).to_be_visible(timeout=40_000)
    expect(row.locator(".reason")).to_contain_text("受付で")
    expect(row).to_contain_text("未呼出 / not called")  # no counter, no clerk yet
    expect(boss.locator("#waiting")).to_have_text("1")
    shot(boss, "20-supervisor-stalled")
    assert wcag_violations(boss) == []

    row.get_by_text("取消", exact=True).click()
    row.get_by_label("理由").fill("呼出に応答なし")
    row.get_by_role("button", name="取消する").click()
    expect(boss.locator("#message")).to_contain_text("取消しました")
    expect(boss.locator(f'#stalled tr[data-visit="{visit_id}"]')).to_have_count(0)
    clerk.reload()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "cancelled")


def test_bpr_screen_heatmap_what_if_and_the_bpmn_models(stack: Stack, browser: Browser) -> None:
    clerk = login_page(browser, stack, "staff01")
    clerk.get_by_role("button", name="整理券を発行").click()
    clerk.get_by_role("button", name="呼び出す").click()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "identify")
    clerk.get_by_text("来庁を取り消す").click()
    clerk.get_by_label("取消理由").fill("書類不足")
    clerk.get_by_role("button", name="取り消す").click()
    expect(clerk.locator("#step")).to_have_attribute("data-step", "cancelled")

    analyst = login_page(browser, stack, "bpr01", width=1366, height=768)
    analyst.get_by_role("link", name="BPR分析").click()
    expect(analyst.locator("#cases strong")).not_to_have_text("0", timeout=15_000)
    expect(analyst.locator('#heatmap [data-id="identify"]')).to_be_visible()
    expect(analyst.locator("#step-stats")).to_contain_text("本人確認")
    analyst.get_by_label("現行の窓口数").fill("6")
    analyst.get_by_label("変更後の窓口数").fill("6")
    analyst.get_by_label("転入の事前申請(QR)").fill("50")
    analyst.get_by_role("button", name="シミュレーション").click()
    expect(analyst.locator("#whatif tbody tr")).to_have_count(2)
    expect(analyst.locator("#whatif")).to_contain_text("現行 / current")
    shot(analyst, "21-bpr-heatmap-whatif")
    assert wcag_violations(analyst) == []

    analyst.get_by_role("link", name="業務プロセス").click()
    analyst.get_by_label("モデル").select_option("variants/tennyu")
    analyst.get_by_role("button", name="表示").click()
    expect(analyst.locator('#diagram [data-id="await_rpa"]')).to_be_visible()
    expect(analyst.locator("#notes")).to_contain_text("転入した日")
    shot(analyst, "22-bpmn-tennyu")
    assert wcag_violations(analyst) == []
