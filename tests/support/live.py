"""A real Streamlit server and a real Chromium for the browser benchmarks and end-to-end tests.

Debian's /usr/bin/chromium only (never a downloaded browser), headless, with background
networking off (this machine's closed network refuses those connections).
"""

from __future__ import annotations

import contextlib
import os
import re
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
# A phone's browser, as Playwright's "iPhone 13" descriptor has it (its user agent, touch, a mobile
# viewport), in Chromium and at 1× pixels: the app draws the month's copy at the top of the page only
# for a phone's User-Agent (ui.context.on_phone). The size is the test's own (390×844).
PHONE = {"user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                       "Version/26.0 Mobile/15E148 Safari/604.1", "is_mobile": True, "has_touch": True}
ARTIFACTS = ROOT / "test-artifacts"  # screenshots the browser tests keep (CI uploads the folder)
# Drawn, in the page: the script is not running, its last run finished (not cut short by st.rerun:
# the app shows "notRunning" for a moment between a run that calls st.rerun and the next one, and
# that run's elements stay until the next finishes), and no element waits for its code (Streamlit
# loads each element's code on first use and shows a grey skeleton until then: a select box could
# be a skeleton with no label and no value after the script had finished).
DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const run = window.__stRun;  // undefined on a page opened without RUN_WATCH: the attribute alone
  return app !== null && app.getAttribute('data-test-script-state') === 'notRunning'
    && (run === undefined || (run.finished !== null && run.finished !== 2))
    && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]');
}"""
# Before the app's own script (BrowserContext.add_init_script): read the top-level fields of every
# ForwardMsg the server sends (protobuf; field 4 new_session = a run began, field 6 script_finished
# = how it ended, 2 = FINISHED_EARLY_FOR_RERUN; streamlit/proto/ForwardMsg.proto). `at` holds when each
# run began (performance.now(), the last 50): a benchmark can time a page from the moment its run began.
RUN_WATCH = """(() => {
  const Native = window.WebSocket;
  window.__stRun = {finished: null, started: 0, at: []};
  const scan = (buffer) => {
    const b = new Uint8Array(buffer);
    let i = 0;
    const varint = () => { let r = 0, s = 0, x; do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return r; };
    while (i < b.length) {
      const key = varint(), field = Math.floor(key / 8), wire = key % 8;
      if (wire === 0) { const v = varint(); if (field === 6) window.__stRun.finished = v; }
      else if (wire === 2) {
        const n = varint();
        if (field === 4) {
          const run = window.__stRun;
          run.finished = null; run.started += 1; run.at.push(performance.now());
          if (run.at.length > 50) run.at.shift();
        }
        i += n;
      }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return;
    }
  };
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => { if (e.data instanceof ArrayBuffer) scan(e.data); });
    }
  };
})();"""


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
                     env: dict[str, str] | None = None, cwd: Path = ROOT) -> Iterator[str]:
    """`streamlit run script` on a free loopback port; yields the base URL once healthy.

    `cwd`: the server's working directory, whose .streamlit/config.toml Streamlit reads (the
    production path runs in its data directory with deploy/streamlit-config.toml there)."""
    port = free_port()
    full_env = {**os.environ, **(env or {})}
    if db is not None:
        full_env["CREDIT_DB"] = str(db)
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"streamlit-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=log, stderr=subprocess.STDOUT)
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


def new_context(browser, width: int = 1440, height: int = 900, timeout: float = 60_000, locale: str = "zh-CN",
                **options):
    """A fresh browser context (one person's browser; each tab a new Streamlit session) whose pages
    report how the server's script runs end (`RUN_WATCH`, for `wait_drawn`); `locale` is the
    browser's language."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale=locale, **options)
    ctx.set_default_timeout(timeout)
    ctx.add_init_script(RUN_WATCH)
    return ctx


# `DRAWN`, and each of the given selectors matches a visible element (a box with a size, not
# visibility: hidden — what Playwright calls visible).
DRAWN_WITH = """(selectors) => (""" + DRAWN + """)() && selectors.every((s) =>
  Array.from(document.querySelectorAll(s)).some((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
  }))"""


def wait_drawn(page, *selectors: str, timeout: float = 60_000) -> None:
    """Drawn = the script finished, every named element is visible, the last run was not cut short
    by st.rerun (in a context with `RUN_WATCH`) and no element is a skeleton (`DRAWN_WITH`).

    One condition checked at every animation frame: Playwright's selector waits retry ever more
    slowly (after the first 0.8 s only every 0.5 s), which added up to half a second to any wait
    longer than that — a slow page looked slower still beside a fast one in the benchmarks."""
    css = [sel for sel in selectors if not _ENGINE.match(sel) and ">>" not in sel]
    page.wait_for_function(DRAWN_WITH, arg=css, polling="raf", timeout=timeout)
    for sel in selectors:  # Playwright's own selectors (text=…, xpath=…): its wait, after the run has drawn
        if sel not in css:
            page.wait_for_selector(sel, state="visible", timeout=timeout)


_ENGINE = re.compile(r"^(internal:)?[a-z][a-z0-9_-]*=")  # "text=…", "xpath=…", "internal:…=": not a CSS selector


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
    A run of a few milliseconds can still end before React ever draws "running"; in a context
    with `RUN_WATCH` the server's new_session message counts as the run having begun.
    """
    page.evaluate(_WATCH_RUN)
    before = page.evaluate("() => window.__stRun ? window.__stRun.started : null")
    action()
    page.wait_for_function(
        "before => window.__scriptRan === true || (before !== null && window.__stRun.started > before)",
        arg=before, timeout=timeout)
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
            # 15 s: on a loaded 2-core box the list can take several seconds to open; a shorter wait
            # closed a list that was about to show (Escape) and the next click raced the same way.
            shows.wait_for(timeout=15_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
