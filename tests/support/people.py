"""Using the app in a real browser as a person does: sign in as a role, go through the sidebar,
press a button and wait for its rerun, and check the page after every step (no exception, no
"This app has encountered an error", no None/nan/NaT, no English left by Streamlit's widgets)."""

from __future__ import annotations

import re

from tests.support.live import login, open_select, rerun_drawn, wait_drawn

ACCOUNTS = {"领导": ("leader", "demo-leader-1", "viewer"), "信用办": ("office", "demo-office-1", "editor"),
            "管理员": ("admin", "demo-admin-1", "admin")}
UNIT_ACCOUNTS = {"东阿镇": ("dongezhen", "demo-unit-1", "dong_e"), "发改局": ("fagaiju", "demo-unit-2", "fagai")}
ENGLISH = ["Drag and drop", "per file", "Browse files", "files are not allowed", "Print", "Record screen", "Made with Streamlit",
           "Press Enter", "Running...", "This app has encountered an error"]
LEFTOVER = re.compile(r"(?<![A-Za-z])(None|nan|NaN|NaT)(?![A-Za-z])")
# The buttons of the main area (plain and form-submit; download buttons write nothing), by label,
# including those in tabs and expanders that are not open (the text without a material icon's name).
# Buttons inside a preload box (`ui.preload`: hidden and disabled, only there to load their code) are
# no buttons a person has: left out, as they are left out of the screen.
BUTTON_LABELS_JS = """() => [...document.querySelectorAll(
  '[data-testid="stMain"] [data-testid="stButton"] button, [data-testid="stMain"] [data-testid="stFormSubmitButton"] button'
)].filter(b => !b.closest('[class*="st-key-element-code-"]'))
  .map(b => (b.querySelector('[data-testid="stMarkdownContainer"]') || b).textContent.trim())"""


def assert_clean(page, where: str) -> None:
    """Nothing broken and nothing English or None-like where a reader looks."""
    wait_drawn(page)
    assert page.get_by_test_id("stException").count() == 0, where
    text = page.locator("body").inner_text()
    assert not [w for w in ENGLISH if w in text], (where, [w for w in ENGLISH if w in text])
    bad = LEFTOVER.search(text)
    assert not bad, (where, bad.group(0) if bad else "", text[max(0, bad.start() - 60):][:120] if bad else "")


def chosen(page, key: str) -> str:
    """The label a keyed select box shows (its text content holds the chosen option); for the shared
    month picker ("month", the phone's "mobile_month") what its button says (考核月份：2022年10月)."""
    return page.locator(f".st-key-{key}, {_picker(key)}").first.evaluate(
        "e => e.textContent + ' ' + [...e.querySelectorAll('input')].map(i => i.value + ' ' + (i.getAttribute('aria-label') || '')).join(' ')")


def visit(page, title: str) -> None:
    """Through the sidebar (a reload would be a new session); page headings differ from menu titles."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.wait_for_timeout(300)  # the page switch starts a run; then wait until it has drawn
    wait_drawn(page)


def press(page, name: str | re.Pattern, where: str, scope=None) -> None:
    """Click the first button called `name` (inside `scope` if given), wait for the rerun, check the page."""
    within = scope if scope is not None else page
    rerun_drawn(page, lambda: within.get_by_role("button", name=name).first.click())
    assert_clean(page, f"{where}: {name}")


def pick(page, label: str, option: str | re.Pattern, scope=None, search: str = "") -> None:
    """Choose `option` in the visible select box labelled exactly `label` (in the main area unless
    `scope` is given; the phone's month picker at the top of the main area is hidden on a desktop).
    `search` is typed first, as a person narrows a long list (only the first options are drawn)."""
    within = scope if scope is not None else page.get_by_test_id("stMain")
    choose(page, within.get_by_role("combobox", name=label, exact=True).locator("visible=true").first, option, search)


def choose(page, combo, option: str | re.Pattern, search: str = "") -> None:
    """Choose `option` in the select box whose combobox is `combo`, and wait for what that does: the
    rerun it starts, or none inside a form (a form reruns only on submit) or when it is already chosen."""
    wanted = page.get_by_role("listbox").get_by_role("option", name=option).first
    in_form = combo.evaluate("e => !!e.closest('[data-testid=\"stForm\"]')")
    open_select(page, combo, search, shows=wanted)
    if in_form or wanted.get_attribute("aria-selected") == "true":
        wanted.click()
        wait_drawn(page)
        return
    rerun_drawn(page, lambda: wanted.click())


def _picker(key: str) -> str:
    """The month picker's popover (`ui.context._picker`: its key ends with the month it shows)."""
    return f'[class*="st-key-{key}-picker-"]'


def pick_month(page, label: str, key: str = "month") -> None:
    """Choose the month `label` ("2022年9月") in the shared month picker as a person does: open the
    list under the button that names the month, click the month, wait for the rerun. `key` is
    "mobile_month" for the phone's copy at the top of the page."""
    if label in chosen(page, key):
        return
    page.locator(_picker(key)).get_by_test_id("stPopoverButton").click()
    body = page.get_by_test_id("stPopoverBody")
    body.get_by_role("radio", name=label, exact=True).wait_for(state="attached")
    rerun_drawn(page, lambda: body.get_by_text(label, exact=True).click())
    page.locator(_picker(key)).get_by_text(f"考核月份：{label}", exact=True).wait_for()


def sidebar_month(page, label: str) -> None:
    """Switch the shared month picker in the sidebar, as a reader does."""
    pick_month(page, label)


def sign_in(page, url: str, role: str) -> None:
    """匿名 opens the site; a role or a unit name logs in with its demo account."""
    if role == "匿名":
        page.goto(url)
        wait_drawn(page)
    else:
        username, password, _ = ACCOUNTS.get(role) or UNIT_ACCOUNTS[role]
        login(page, url, username, password)


def button_labels(page) -> list[str]:
    """Labels of every button of the main area now drawn (the inventory check compares them)."""
    return page.evaluate(BUTTON_LABELS_JS)
