"""Staff screen timings in a real browser on the embedded stack, one clerk at a time.

Starts ``mado run`` on free ports, drives Debian's Chromium with Playwright through N
visits (ticket → call → identify → resident → procedures → sign on the staff screen) and
prints, per step, the browser's time from the click to the next step's screen being shown,
and the server's time for the screens (``Server-Timing``) — alone, or while simulated
clerks (madoguchi/load.py, think times on) work at the same time:

    .venv/bin/python -m bench.screens --visits 20
    .venv/bin/python -m bench.screens --visits 20 --load-staff 135
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

from playwright.sync_api import Page, Response, sync_playwright

from adapters import users
from adapters.db import session_scope
from adapters.users import StaffAccount
from bench.stack import embedded_stack, machine, pct
from madoguchi.load import LoadConfig, LoadReport, procedure_mix, residents
from madoguchi.load import run as run_load
from madoguchi.seed import DEPARTMENT, demo_password
from madoguchi.settings import Settings
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

STEPS = ["ticket", "call", "identify", "resident", "procedures", "sign"]


CURRENT = {"step": ""}  # which step's click the browser's requests belong to
PARTS_MS: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))


# The click's time as the page saw it (epoch ms), kept across the navigation it starts;
# and, for a step drawn into the page (htmx), when the frame after the swap was painted.
CLICK_CLOCK = """document.addEventListener('click', (e) => {
  if (e.target.closest('button')) {
    sessionStorage.setItem('bench.click', String(performance.timeOrigin + e.timeStamp));
  }
}, true);
document.addEventListener('htmx:afterSwap', (e) => {
  if (e.detail.target.tagName !== 'MAIN') return;  // not the health banner's own swaps
  requestAnimationFrame(() => setTimeout(() => sessionStorage.setItem(
    'bench.shown', String(performance.timeOrigin + performance.now())), 0));
});"""
# From that click to the next step painted, by the browser's own clocks: the frame after
# the swap, or the first paint of the next page.
CLICK_TO_PAINT = """() => {
  const click = Number(sessionStorage.getItem('bench.click'));
  const shown = Number(sessionStorage.getItem('bench.shown') || 0);
  if (shown > click) return shown - click;
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const ms = paint && performance.timeOrigin + paint.startTime - click;
  return ms > 0 ? ms : null;
}"""
# Where that time went: from the step's request (POST → 303 → GET, a navigation or the
# htmx request) to the paint.
PARTS = ("click → request", "POST", "GET", "→ painted")
CLICK_PARTS = """() => {
  const t0 = performance.timeOrigin;
  const click = Number(sessionStorage.getItem('bench.click'));
  const shown = Number(sessionStorage.getItem('bench.shown') || 0);
  let r = performance.getEntriesByType('navigation')[0], end;
  if (shown > click) {
    r = performance.getEntriesByType('resource').find((e) => e.initiatorType ===
      'xmlhttprequest' && t0 + e.startTime >= click && !/watch|health-banner/.test(e.name));
    end = shown;
  } else {
    end = t0 + performance.getEntriesByName('first-contentful-paint')[0].startTime;
  }
  performance.clearResourceTimings();  // the buffer holds 250; a page now lives long
  const start = r.redirectEnd || r.fetchStart;
  return [t0 + r.startTime - click, start - r.startTime, r.responseEnd - start,
          end - (t0 + r.responseEnd)];
}"""


def _timed(
    page: Page, clicks: dict[str, list[float]], step: str, button: str, to: tuple[str, ...]
) -> None:
    """Two figures per click: from Playwright's click() call until the next step's screen
    is there (includes Playwright's own work: finding the button, waiting for it to be
    still, driving the browser over CDP), and — what the clerk sees — from the click event
    in the page to the first paint of the next step's page (``<step> in page``)."""
    CURRENT["step"] = step
    start = time.perf_counter()
    page.get_by_role("button", name=button).first.click()
    # Checked on every animation frame: Playwright's expect() retries at 100/250/500 ms,
    # which would be measured instead of the screen.
    page.wait_for_function(
        "(to) => to.includes(document.querySelector('#step')?.dataset.step)",
        arg=list(to), polling="raf", timeout=30_000,
    )  # fmt: skip
    clicks[step].append((time.perf_counter() - start) * 1000)
    painted = page.wait_for_function(CLICK_TO_PAINT, polling="raf", timeout=30_000)
    clicks[f"{step} in page"].append(float(painted.json_value()))
    for part, ms in zip(PARTS, page.evaluate(CLICK_PARTS), strict=True):
        PARTS_MS[step][part].append(float(ms))


def _visit(page: Page, url: str, person: tuple[str, str], clicks: dict[str, list[float]]) -> None:
    CURRENT["step"] = "queue"
    page.goto(url + "/")
    _timed(page, clicks, "ticket", "整理券を発行", ("reception",))
    _timed(page, clicks, "call", "呼び出す", ("identify",))
    page.get_by_label("氏名", exact=True).fill(person[0])
    page.get_by_label("生年月日", exact=True).fill(person[1])
    _timed(page, clicks, "identify", "読み取り・検索", ("lookup",))
    _timed(page, clicks, "resident", "この住民で進む", ("interview",))
    page.get_by_label("住民票の写し").check()
    page.locator("#proc-juminhyo").get_by_label("通数").fill("1")
    _timed(page, clicks, "procedures", "帳票を作成", ("confirm",))
    page.get_by_text("この画面で署名する").click()
    page.locator("#pad").scroll_into_view_if_needed()
    box = page.locator("#pad").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 40, box["y"] + 100)
    page.mouse.down()
    page.mouse.move(box["x"] + 300, box["y"] + 60)
    page.mouse.up()
    # Signing answers at 印刷 (the documents follow by themselves, the screen watches).
    _timed(page, clicks, "sign", "確認して署名", ("print", "handoff", "await_rpa"))


def _polled(r: Response) -> bool:
    """The health banner and a printing visit ask the server by themselves."""
    path = urlsplit(r.url).path
    return path.endswith("/watch") or path.endswith("/health-banner")


def _kind(r: Response) -> str:
    """What a timed request was: the step itself (POST), the screen it led to, the queue
    screen the next visit starts from, or the PDF preview embedded in the review screen."""
    if r.request.method == "POST":
        return "POST"
    path = urlsplit(r.url).path
    if path.endswith(".pdf"):
        return "GET pdf"
    return "GET queue" if path == "/" else "GET screen"


class _Load:
    """The load tool in a thread of its own, for as long as the browser runs."""

    def __init__(self, cfg: LoadConfig, people: list[tuple[str, str, str]]) -> None:
        self.cfg, self.report = cfg, cast(LoadReport | None, None)
        self.thread = threading.Thread(target=self._run, args=(people,), daemon=True)
        self.thread.start()

    def _run(self, people: list[tuple[str, str, str]]) -> None:
        self.report = asyncio.run(run_load(self.cfg, people))

    def stop(self) -> None:
        self.cfg.stop.set()  # clerks leave the visit in hand and stop
        self.thread.join()


def _background_load(url: str, data: Path, staff: int, after: float) -> _Load | None:
    if not staff:
        return None
    settings = Settings(data_dir=data, database_url="")
    cfg = LoadConfig(
        url=url, staff=staff, duration=3600, think_scale=1.0,
        password=demo_password("staff01"), robots=[("rpa01", demo_password("rpa01"))],
        mix=procedure_mix(settings.catalog_dir), settle_seconds=0,
    )  # fmt: skip
    load = _Load(cfg, residents(settings))
    # The clerks log in and start their first visits; with --after the browser waits until
    # their first tickets (spread over a minute) are behind them.
    time.sleep(max(15.0, after))
    return load


BROWSER_CLERK, GROUP = "bench01", "honcho"


def _browser_clerk(data: Path) -> None:
    """The browser's clerk is not one of the simulated ones (they all log in as staff01):
    its queue screen lists the waiting tickets and its own visits, as a clerk's does."""
    url = Settings(data_dir=data, database_url="").sqlalchemy_url
    with session_scope(url) as session:
        clerk = StaffAccount(BROWSER_CLERK, "計測 太郎", ["madoguchi_shokuin"], DEPARTMENT, GROUP)
        users.upsert(session, clerk, password=demo_password(BROWSER_CLERK))
        session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument(
        "--load-staff", type=int, default=0,
        help="simulated clerks (madoguchi/load.py, think times on) working meanwhile",
    )  # fmt: skip
    parser.add_argument(
        "--after", type=float, default=0,
        help="seconds the simulated clerks work before the browser starts (their first minute "
        "is the burst of 135 first tickets; 90 measures the working day after it)",
    )  # fmt: skip
    parser.add_argument(
        "--save", type=Path, default=None,
        help="also write every click's figures (ms) as JSON, to pool several runs",
    )  # fmt: skip
    args = parser.parse_args()
    clicks: dict[str, list[float]] = defaultdict(list)
    server: dict[str, list[float]] = defaultdict(list)

    def on_response(r: Response) -> None:
        timing = r.headers.get("server-timing", "")
        screen = r.request.resource_type in ("document", "xhr")
        if screen and "dur=" in timing and CURRENT["step"] and not _polled(r):
            server[f"{CURRENT['step']} {_kind(r)}"].append(float(timing.split("dur=")[1]))

    with embedded_stack(MADO_HANDOFF_INTERVAL_SECONDS="30") as stack:
        with sqlite3.connect(stack.data / "madoguchi.db") as db:
            people = db.execute(
                "select name, birth_date from residents where status = '住民' order by atena_no"
            ).fetchall()
        _browser_clerk(stack.data)
        load = _background_load(stack.url, stack.data, args.load_staff, args.after)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="ja-JP")
            page.add_init_script(CLICK_CLOCK)
            page.goto(stack.url + "/login")
            page.get_by_label("職員ID").fill(BROWSER_CLERK)
            page.get_by_label("パスワード").fill(demo_password(BROWSER_CLERK))
            page.get_by_role("button", name="ログイン", exact=True).click()
            page.on("response", on_response)
            _visit(page, stack.url, people[0], defaultdict(list))  # warm-up
            server.clear()
            PARTS_MS.clear()
            for i in range(args.visits):
                _visit(page, stack.url, people[(i + 1) % len(people)], clicks)
            browser.close()
        if load is not None:
            load.stop()
    others = (
        f"{args.load_staff} simulated clerks working meanwhile"
        f" (browser from {max(15, args.after):.0f} s)"
        if args.load_staff
        else ""
    )
    print(f"staff screen, {args.visits} visits, one clerk, {others or 'alone'}, {machine()}")
    if load is not None and load.report is not None:
        print("the simulated clerks (requests over the same time):")
        print("\n".join("  " + line for line in load.report.lines()))
    print("click → next step (Playwright's click() to the screen; in page: the click event to the")
    print("next step painted — the frame after the swap, or a new page's first paint)")
    print(f"{'':<20}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name in (name for step in STEPS for name in (step, f"{step} in page")):
        v = clicks[name]
        print(f"{name:<20}{statistics.median(v):9.0f}{pct(v, 95):9.0f}{max(v):9.0f}")
    print("the click in the page, in parts (p50 / p95 ms): click → the step's request starts; the")
    print("POST and its redirect; the next screen's GET; its response → painted")
    print(f"{'':<20}" + "".join(f"{part:>17}" for part in PARTS))
    for step in STEPS:
        figures = [PARTS_MS[step][part] for part in PARTS]
        cells = "".join(f"{statistics.median(v):8.0f} /{pct(v, 95):6.0f}" for v in figures)
        print(f"{step:<20}{cells}")
    print(
        "server time (POST: the step and the activities it runs; GET screen: the next step's"
        " screen; GET pdf: the review screen's PDF preview; GET queue: the queue screen)"
    )
    print(f"{'':<20}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'n':>6}")
    for kind, v in sorted(
        server.items(), key=lambda kv: ((["queue", *STEPS]).index(kv[0].split()[0]), kv[0])
    ):
        p50, p95 = statistics.median(v), pct(v, 95)
        print(f"{kind:<20}{p50:9.1f}{p95:9.1f}{max(v):9.1f}{len(v):6d}")
    if args.save:
        args.save.write_text(json.dumps({"clicks": clicks, "server": server}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
