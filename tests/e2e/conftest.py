"""The real embedded stack (`mado run`) on free ports, and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from adapters.temporal_server import wait_for_port
from bench.stack import stack_ports
from madoguchi.seed import demo_password
from madoguchi.settings import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@dataclass
class Stack:
    data_dir: Path
    env: dict[str, str]
    url: str
    process: subprocess.Popen[bytes] | None = None
    output: Path | None = None

    def start(self) -> None:
        self.output = self.data_dir.parent / "stack.out"
        with open(self.output, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "madoguchi.cli", "run"],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port("127.0.0.1", int(self.env["MADO_API_PORT"]), 90)

    def stop(self) -> int:
        """Ctrl-C, as a person at the terminal would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(60)


def new_stack(tmp: Path, *port_settings: str) -> Stack:
    """A stack not yet started, on free ports (bench.stack.stack_ports)."""
    api_port, ports = stack_ports(*port_settings)
    env = {
        **os.environ,
        "MADO_DATA_DIR": str(tmp / "data"),
        **ports,
        "MADO_DEMO_RESIDENTS": "80",
        # Whatever the environment says: the tests are where the sandbox must catch a
        # non-deterministic call, for a city that runs without it (MADO_WORKFLOW_SANDBOX).
        "MADO_WORKFLOW_SANDBOX": "true",
    }
    return Stack(tmp / "data", env, f"http://127.0.0.1:{api_port}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = new_stack(tmp_path_factory.mktemp("stack"))
    s.start()
    yield s
    if s.process is not None and s.process.poll() is None:
        s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def login_page(
    browser: Browser, stack: Stack, staff_id: str, width: int = 1366, height: int = 768
) -> Page:
    """A fresh browser context logged in with the staff member's password."""
    page = browser.new_context(
        viewport={"width": width, "height": height}, locale="ja-JP"
    ).new_page()
    page.goto(stack.url + "/login")
    page.get_by_label("職員ID").fill(staff_id)
    page.get_by_label("パスワード").fill(demo_password(staff_id))
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.locator("#me")).to_contain_text(staff_id)
    return page


def draw_signature(page: Page) -> None:
    """A signature on the pad with the mouse (pointer events), as a finger would."""
    pad = page.locator("#pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 40, y)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 40 + i * 30, y - (i % 3) * 20)
    page.mouse.up()
