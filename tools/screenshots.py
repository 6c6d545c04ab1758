"""Screenshots of every page, per role, at 1440×900 and 390×844: `python tools/screenshots.py [OUT]`.

Runs the real server on a copy of the demo database and Debian's Chromium (tests/support/live),
so anyone can look at the whole app in a minute. Files: OUT/<role>-<page>-<width>.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from credit.app.demo import build_demo  # noqa: E402
from credit.model.accounts import Actor  # noqa: E402
from tests.support.live import chromium, login, streamlit_server, wait_drawn  # noqa: E402
from ui.nav import registered  # noqa: E402

ROLES = {"匿名": None, "领导": ("leader", "demo-leader-1", "viewer"), "信用办": ("office", "demo-office-1", "editor"),
         "管理员": ("admin", "demo-admin-1", "admin")}
SIZES = ((1440, 900), (390, 844))


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        build_demo(db)
        with streamlit_server(Path(__file__).resolve().parent.parent / "Home.py", db=db) as url, chromium() as b:
            for role, account in ROLES.items():
                actor = None if account is None else Actor(account[0], account[2])
                for width, height in SIZES:
                    ctx = b.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
                    page = ctx.new_page()
                    page.set_default_timeout(60_000)
                    if account is None:
                        page.goto(url)
                        wait_drawn(page)
                    else:
                        login(page, url, account[0], account[1])
                    for _path, title in registered(actor, login_required=False):
                        if width < 768:  # the sidebar is collapsed on a phone: open it, then the page
                            page.get_by_test_id("stExpandSidebarButton").click()
                            page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
                            page.wait_for_timeout(300)
                        else:
                            page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
                            page.wait_for_timeout(300)
                        wait_drawn(page)
                        page.screenshot(path=str(out / f"{role}-{title}-{width}.png"), full_page=width < 768)
                    ctx.close()
    print(f"截图已写入 {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("test-artifacts/screenshots"))
