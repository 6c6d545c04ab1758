"""Screenshots of every page, per role, at 1440×900 and 390×844, plus a contact sheet.

    .venv/bin/python -m tools.screenshots [--out screenshots] [--role 领导 --role 单位 …]

Builds a fresh demo database in a temporary folder, runs the real server on it and Debian's
Chromium (tests/support/live), signs in as each role, opens every page in that role's sidebar (the
menu the person sees, so a page a role has but the walk forgot cannot hide), waits until it has
drawn and writes full-page PNGs to OUT/<role>/<nn>-<page>-<width>.png and OUT/index.html. Each
shot is also checked for what a reader must never see (exception boxes, None/nan/NaT, Streamlit's
English labels); those findings head the contact sheet and make the command exit 1.
`tests/browser/test_screenshots_walk.py` runs the same walk.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # also runnable as `python tools/screenshots.py`
    sys.path.insert(0, str(ROOT))

from tests.support.live import chromium, login, new_context, rerun_drawn, streamlit_server, wait_drawn  # noqa: E402
from ui.style import UPLOAD_BUTTON  # noqa: E402

# folder name → (username, password) of the demo accounts (credit/app/demo.py); None = not logged in
ROLES: dict[str, tuple[str, str] | None] = {
    "匿名": None,
    "领导": ("leader", "demo-leader-1"),
    "信用办": ("office", "demo-office-1"),
    "管理员": ("admin", "demo-admin-1"),
    "单位": ("dongezhen", "demo-unit-1"),
}
SIZES = ((1440, 900), (390, 844))
NARROW_PX = 768  # Streamlit collapses the sidebar below this width
# Streamlit's own English that must never reach a reader (checked as whole words/phrases)
ENGLISH = ["Drag and drop", "per file", "Browse files", "Upload", "Print", "Record screen", "Made with Streamlit",
           "Press Enter", "Running...", "Deploy", "No results", "Choose an option", "Select all", "No options",
           "This app has encountered an error", "Show password", "Hide password", "Clear all", "Rerun",
           "Page not found", "does not seem to exist", "cannot be interpreted as a number"]
LEFTOVER = re.compile(r"(?<![A-Za-z])(None|nan|NaN|NaT|null|undefined)(?![A-Za-z])")
# ASCII words a Chinese page may legitimately show (formats, standards, product names)
ALLOWED_WORDS = {"Excel", "Word", "PDF", "XLSX", "XLS", "xlsx", "xls", "docx", "pdf", "CSV", "csv", "sha", "SHA",
                 "GB", "MB", "KB", "OIDC", "SQLite", "TOML", "toml", "LibreOffice"}
# What a reader sees: text nodes whose element is visible and has a size, without icon ligatures
# (":material/upload:" is drawn from the text "upload") and the zero-size "Skip to main content" link.
VISIBLE_TEXT = """() => {
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), out = [];
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const e = n.parentElement;
    if (!e || e.closest('[data-testid="stIconMaterial"], [translate="no"], script, style')) continue;
    if (!e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const r = e.getBoundingClientRect();
    if (r.width > 1 && r.height > 1) out.push(n.textContent);
  }
  return out.join("\\n");
}"""
# The uploader buttons' text comes from ui.style's CSS (::after): what each visible one draws
UPLOAD_LABELS = """() => [...document.querySelectorAll('[data-testid="stFileUploaderDropzone"] button [data-has-shortcut]')]
  .filter(e => e.checkVisibility()).map(e => getComputedStyle(e, '::after').content)"""
WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")
# Internal wording a reader must not meet: the interpretation marker, a rules file's path, an
# indicator code pointed at (→ D2a) or listed bare (D2a、D2b), a package name with its version.
JARGON = [
    (re.compile(r"\[interp\]"), "[interp]"),
    (re.compile(r"data/\w+\.toml"), "规则文件路径"),
    (re.compile(r"→\s*[A-Z]\d{1,2}[a-z]?(?![A-Za-z0-9])"), "箭头指向指标代码"),
    (re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{1,2}[a-z]?(?:[、，,]\s*[A-Z]\d{1,2}[a-z]?)+(?![A-Za-z0-9])"), "成串的指标代码"),
    (re.compile(r"(?<![A-Za-z])[a-z]+(?:[-_][a-z]+)+\s*v?\d+\.\d+"), "程序包名和版本"),
]
# A table cell holding an indicator code alone is a code where a name belongs (codes go in a tooltip).
BARE_CODE = re.compile(r"^[A-Z]\d{1,2}[a-z]?(?:[、，,]\s*[A-Z]\d{1,2}[a-z]?)*$")
# Cells of the visible data tables (glide's accessible copy of the grid), one string per cell
TABLE_CELLS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"], [data-testid="stTable"] td')]
  .map(e => e.textContent.trim()).filter(t => t)"""


@dataclass
class Shot:
    role: str
    title: str
    width: int
    file: Path | None
    problems: list[str] = field(default_factory=list)  # must be fixed: the walk fails on these
    words: list[str] = field(default_factory=list)  # other ASCII words on the page, for a person to judge


def findings(text: str, exceptions: int, cells: list[str] | tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """(problems, other ASCII words) in a page's visible text and its tables' cells."""
    problems = [f"异常框 {exceptions} 个"] if exceptions else []
    problems += [f"术语：{name}" for pattern, name in JARGON if pattern.search(text)]
    bare = sorted({c for c in cells if BARE_CODE.match(c)})
    if bare:
        problems.append(f"表格中只有指标代码：{'、'.join(bare[:5])}")
    cut = sorted({c for c in cells if c.endswith(("…", "...")) and len(c) <= 12})
    if cut:
        problems.append(f"表格中被截断的文字：{'、'.join(cut[:5])}")
    problems += [f"英文：{w}" for w in ENGLISH if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text)]
    problems += [f"空值：{m}" for m in sorted(set(LEFTOVER.findall(text)))]
    if "**" in text:  # Markdown bold that did not render (CommonMark: ** next to CJK punctuation)
        problems.append("未渲染的 Markdown：**")
    words = sorted({w for w in WORD.findall(text) if w not in ALLOWED_WORDS} - {w for w in ENGLISH})
    return problems, words


def _sidebar_open(page) -> bool:
    """Streamlit shows the expand button (in the header) only while the sidebar is collapsed."""
    return not page.get_by_test_id("stExpandSidebarButton").is_visible()


def _show_sidebar(page, narrow: bool) -> None:
    if narrow and not _sidebar_open(page):
        page.get_by_test_id("stExpandSidebarButton").click()
        page.get_by_test_id("stSidebarNav").wait_for(state="visible")


def _hide_sidebar(page, narrow: bool) -> None:
    """On a phone the page is read with the sidebar closed, as Streamlit shows it after a tap."""
    if narrow and _sidebar_open(page):
        page.get_by_test_id("stSidebar").hover()
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        page.get_by_test_id("stExpandSidebarButton").wait_for(state="visible")


def menu(page, narrow: bool) -> list[tuple[str, str, str]]:
    """(title, url slug, href) of every link in the sidebar menu, in menu order."""
    _show_sidebar(page, narrow)
    links = page.get_by_test_id("stSidebarNav").get_by_test_id("stSidebarNavLink")
    out = []
    for i in range(links.count()):
        link = links.nth(i)
        href = link.get_attribute("href") or ""
        slug = href.rstrip("/").rsplit("/", 1)[-1]
        title = link.inner_text().strip().splitlines()[-1].strip()  # the first line is the icon's name
        out.append((title, slug if slug and ":" not in slug else "home", href))
    return out


def open_from_menu(page, href: str, narrow: bool) -> None:
    """Tap the page in the sidebar (a reload would start a new, signed-out session) and wait until drawn."""
    _show_sidebar(page, narrow)
    link = page.get_by_test_id("stSidebarNav").locator(f'a[href="{href}"]')
    if link.get_attribute("aria-current") == "page":
        wait_drawn(page)  # already there (the first page after sign-in): clicking would not rerun
    else:
        rerun_drawn(page, link.click, timeout=90_000)
    _hide_sidebar(page, narrow)
    wait_drawn(page)


def full_page_png(page, path: Path, width: int, height: int) -> None:
    """Streamlit scrolls inside its main block, not the document: grow the viewport to the content."""
    tall = page.evaluate("""() => document.querySelector('[data-testid="stMain"]').scrollHeight""")
    page.set_viewport_size({"width": width, "height": max(height, min(int(tall), 20_000))})
    page.wait_for_timeout(500)  # charts re-measure their width/height
    wait_drawn(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": height})


def shoot(page, role: str, title: str, width: int, height: int, stem: Path | None) -> Shot:
    """Check what is on screen now and, unless `stem` is None, save it as `<stem>-<width>.png`."""
    wait_drawn(page)
    file = None if stem is None else stem.with_name(f"{stem.name}-{width}.png")
    if file is not None:
        full_page_png(page, file, width, height)
    problems, words = findings(page.evaluate(VISIBLE_TEXT), page.get_by_test_id("stException").count(),
                               page.evaluate(TABLE_CELLS))
    labels = page.evaluate(UPLOAD_LABELS)
    if any(label != f'"{UPLOAD_BUTTON}"' for label in labels):
        problems.append(f"上传按钮只有图标（{len(labels)} 个中有未显示“{UPLOAD_BUTTON}”的）")
    return Shot(role, title, width, file, problems, words)


def sign_in(page, url: str, role: str) -> None:
    account = ROLES[role]
    if account is None:
        page.goto(url)
        wait_drawn(page)
    else:
        login(page, url, *account)


def walk(browser, url: str, role: str, width: int, height: int, out: Path | None) -> Iterator[Shot]:
    """Sign in as `role` in a fresh tab of `width`×`height` and open every page of its menu in turn;
    one Shot per page (with a PNG under `out` unless it is None)."""
    ctx = new_context(browser, width, height)
    page = ctx.new_page()
    narrow = width < NARROW_PX
    try:
        sign_in(page, url, role)
        for n, (title, slug, href) in enumerate(menu(page, narrow), start=1):
            open_from_menu(page, href, narrow)
            yield shoot(page, role, title, width, height, None if out is None else out / role / f"{n:02d}-{slug}")
            tabs = page.get_by_test_id("stMain").get_by_role("tab")
            for k in range(1, tabs.count()):  # a tab's content is hidden until it is chosen
                tab = tabs.nth(k)
                name = tab.inner_text().strip()
                tab.click()
                page.wait_for_timeout(300)
                yield shoot(page, role, f"{title}·{name}", width, height,
                            None if out is None else out / role / f"{n:02d}-{slug}-t{k + 1}")
    finally:
        ctx.close()


def contact_sheet(shots: list[Shot], out: Path) -> Path:
    """OUT/index.html: problems first, then one row per role and page with both widths side by side."""
    rows, bad = [], [s for s in shots if s.problems]
    pages: dict[tuple[str, str], dict[int, Shot]] = {}
    for s in shots:
        pages.setdefault((s.role, s.title), {})[s.width] = s
    for (role, title), by_width in pages.items():
        cells = []
        for width, _ in SIZES:
            s = by_width.get(width)
            if s is None or s.file is None:
                cells.append("<td></td>")
                continue
            rel = html.escape(s.file.relative_to(out).as_posix())
            note = "".join(f"<div class=bad>{html.escape(p)}</div>" for p in s.problems)
            if s.words:
                note += f"<div class=words>英文词：{html.escape('、'.join(s.words))}</div>"
            cells.append(f'<td><a href="{rel}"><img src="{rel}" class="w{width}" loading="lazy"></a>{note}</td>')
        rows.append(f"<tr><th>{html.escape(role)}<br>{html.escape(title)}</th>{''.join(cells)}</tr>")
    summary = ("<p>没有发现异常框、空值或 Streamlit 英文标签。</p>" if not bad else
               "<ul>" + "".join(f"<li>{html.escape(s.role)} · {html.escape(s.title)} · {s.width}：{html.escape('；'.join(s.problems))}</li>"
                                for s in bad) + "</ul>")
    page = f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>页面截图一览</title>
<style>body{{font-family:sans-serif;margin:1em}} td,th{{vertical-align:top;padding:6px;border-bottom:1px solid #ddd}}
th{{text-align:left;white-space:nowrap}} img{{border:1px solid #ccc}} img.w1440{{width:480px}} img.w390{{width:160px}}
.bad{{color:#b00;font-weight:bold}} .words{{color:#666;font-size:12px;max-width:480px}}</style>
<h1>页面截图一览（{len(shots)} 张，{' / '.join(f'{w}×{h}' for w, h in SIZES)}）</h1>{summary}
<table><tr><th>角色 · 页面</th>{''.join(f'<th>{w}×{h}</th>' for w, h in SIZES)}</tr>{''.join(rows)}</table></html>"""
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="每个角色、每个页面在 1440×900 与 390×844 下的整页截图")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="输出目录（默认 screenshots/）")
    parser.add_argument("--role", action="append", choices=list(ROLES), help="只截这些角色（可重复）")
    args = parser.parse_args(argv)
    from credit.app.demo import build_demo

    shots: list[Shot] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        print("正在生成演示数据库…", flush=True)
        build_demo(db)
        with streamlit_server(ROOT / "Home.py", db=db) as url, chromium() as browser:
            for role in args.role or list(ROLES):
                for width, height in SIZES:
                    for shot in walk(browser, url, role, width, height, args.out):
                        shots.append(shot)
                        flag = "；".join(shot.problems) or "正常"
                        print(f"{role} · {shot.title} · {width}：{flag}", flush=True)
    index = contact_sheet(shots, args.out)
    bad = sum(1 for s in shots if s.problems)
    print(f"{len(shots)} 张截图已写入 {args.out}，一览：{index}" + (f"；{bad} 张有问题" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
