"""A real Streamlit server and a real Chromium for the browser benchmarks and end-to-end tests.

Debian's /usr/bin/chromium only (never a downloaded browser), headless, with background
networking off (this machine's closed network refuses those connections).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.support.paths import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
ARTIFACTS = ROOT / "test-artifacts"  # screenshots the browser tests keep (CI uploads the folder)
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Streamlit loads each element's code on first use and shows a grey skeleton in its place until then:
# a select box the script has sent can still be a skeleton, with no label and no value, after the
# script finished (seen on a loaded machine: the unit picker read as empty on a fresh tab).
NO_SKELETON = """() => !document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def have_browser() -> str | None:
    """None when the real-browser path can run here, else the reason it cannot."""
    if not Path(CHROMIUM).exists():
        return "未安装 Debian chromium（/usr/bin/chromium）"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "未安装 Python 包 playwright"
    return None


@contextlib.contextmanager
def streamlit_server(script: str | Path, db: Path | None = None, timeout: float = 60.0,
                     env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run script` on a free loopback port; yields the base URL once healthy."""
    port = free_port()
    full_env = {**os.environ, **(env or {})}
    if db is not None:
        full_env["CREDIT_DB"] = str(db)
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"streamlit-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit 未能启动，日志见 {log.name}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_drawn(page, *selectors: str, timeout: float = 60_000) -> None:
    """Drawn = the script finished, every named element is visible and no element still waits for
    its code (no skeleton left)."""
    page.wait_for_selector(READY, timeout=timeout)
    for sel in selectors:
        page.wait_for_selector(sel, state="visible", timeout=timeout)
    page.wait_for_selector(READY, timeout=timeout)
    page.wait_for_function(NO_SKELETON, timeout=timeout)


def screenshot(page, name: str) -> Path:
    """The whole page as test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, url: str, username: str, password: str) -> None:
    """Sign in through the login page as a person would; the session then lives in this tab."""
    page.goto(f"{url}/login")
    wait_drawn(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("当前用户：").wait_for()
    wait_drawn(page)


def open_page(page, title: str) -> None:
    """Navigate through the sidebar: a full reload starts a new session (logged in again from the
    login cookie, but the widgets' state is gone)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    wait_drawn(page)
    page.get_by_role("heading", name=title).first.wait_for()


_WATCH_RUN = """() => {
  window.__scriptRan = false;
  const app = document.querySelector('[data-testid="stApp"]');
  const seen = () => { if (app.getAttribute('data-test-script-state') === 'running') window.__scriptRan = true; };
  window.__runWatch?.disconnect();
  window.__runWatch = new MutationObserver(seen);
  window.__runWatch.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def rerun_drawn(page, action, timeout: float = 30_000) -> None:
    """Do `action` (which makes Streamlit rerun) and wait until that rerun has finished drawing.

    A MutationObserver notes the switch to "running", so a rerun faster than Playwright's polling
    is still seen; waiting only for the finished state could stop the clock before the rerun began.
    """
    page.evaluate(_WATCH_RUN)
    action()
    page.wait_for_function("() => window.__scriptRan === true", timeout=timeout)
    wait_drawn(page, timeout=timeout)


# Into the middle of the window, then two frames so the scroll's own event has been delivered.
_SETTLE_IN_VIEW = """e => new Promise(done => {
  e.scrollIntoView({block: "center"});
  requestAnimationFrame(() => requestAnimationFrame(done));
})"""


def open_select(page, combo, search: str = "", shows=None) -> None:
    """Open the list of the select box whose combobox is `combo` and wait until it shows `shows` (an
    option locator; any option when None). `search` is typed first, as a person narrows a long list.

    Why not a plain click: a box near the window's edge is scrolled into view by the click, and the
    open list (react-aria) closes when the page under it scrolls. That scroll's event can arrive
    after the list opened, so the list never shows (deterministic for a box at the bottom of the
    window). The box is put in the middle first and the click waits until that scroll is over.
    A click during a redraw can still miss the control: up to three tries.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    shows = shows if shows is not None else page.get_by_role("listbox").get_by_role("option").first
    for attempt in range(3):
        combo.evaluate(_SETTLE_IN_VIEW)
        combo.click()
        if search:  # replace what an earlier, missed try typed (Escape keeps the text)
            page.keyboard.press("ControlOrMeta+A")
            page.keyboard.type(search)
        try:
            shows.wait_for(timeout=5_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
