"""Scale check: a city-wide deployment — 10 years of months and a 500-unit register — against
the same page targets as the county (Home ≤ 1.5× a bare page, what-if < 0.5 s, upload-to-preview
< 2 s). Run: `python -m benchmarks.bench_scale` (builds /tmp/credit-scale.db once, ~1 minute)."""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_browser import BARE_READY, HOME_READY, time_page, time_upload_preview, time_whatif
from credit.app.demo import DEMO_ACCOUNTS, MonthData, fill_template
from credit.app.service import open_store
from credit.model.accounts import SYSTEM
from credit.model.contract import SHEETS
from credit.model.parsed import ParsedSheet, ParsedWorkbook
from credit.workbook.template import build_template
from tests.support.live import chromium, have_browser, streamlit_server

YEARS = range(2013, 2023)
EXTRA_TOWNS, EXTRA_DEPTS = 60, 400  # + the county's 40 = 500 units
MASTER = Path(tempfile.gettempdir()) / "credit-scale.db"


def unit_rows(rng: random.Random, sheet: str, units, m: int) -> list[dict]:
    rows = []
    for i, u in enumerate(units):
        rec: dict[str, object] = {"row": i + 3, "unit_id": u.id, "单位名称": u.name}
        for c in SHEETS[sheet].columns:
            if c.kind == "flow":
                rec[c.header] = float(rng.randint(0, 3))
            elif c.kind == "stock":
                big = "金额" in c.header or "企业" in c.header
                rec[c.header] = float(rng.randint(0, 3) if not big else 100 * m + rng.randint(0, 500))
        rows.append(rec)
    return rows


def county_rows(m: int) -> list[dict]:
    values = {"全县信易贷平台注册企业数": 269 + 300 * m, "信易贷注册企业数全市位次": 4, "信易贷融资需求金额全市位次": 5,
              "信易贷授信成功金额全市位次": 6, "全市区县数": 12, "A级纳税人数": 800, "海关高级认证企业数": 4,
              "法人企业数": 12000, "全市守信企业平均比例": 0.07, "本月信用核查和联合奖惩系统应用次数": 250,
              "市场主体数量": 60000, "全市信用核查应用比例平均值": 0.004 * m, "全县信用监测全市排名": 3}
    return [{"row": i + 3, "item": k, "value": float(v)} for i, (k, v) in enumerate(values.items())]


def event_rows(rng: random.Random, units, month: str) -> list[dict]:
    rows = []
    for i in range(40):
        u = units[rng.randrange(len(units))]
        kind = rng.choice(["村居失信案件", "严重失信事件", "异议信息"])
        rows.append({"row": i + 3, "unit_id": u.id, "单位名称": u.name, "事项类型": kind,
                     "发生日期": f"{month}-{rng.randint(1, 28):02d}", "事项说明": "模拟事项",
                     "处理情况": rng.choice(["主动处理", "未处理"]) if kind == "严重失信事件" else "",
                     "异议处理用时（工作日）": float(rng.randint(1, 3)) if kind == "异议信息" else None, "数量": 1})
    return rows


def build(path: Path) -> None:
    rng = random.Random(7)
    with open_store(path) as store:
        store.settings.set("demo", "1", by=SYSTEM)
        for username, password, role, display in DEMO_ACCOUNTS:
            store.accounts.add_account(username, password, role, by=SYSTEM, display=display)
        for i in range(EXTRA_TOWNS):
            store.units.add(f"town{i:03d}", f"模拟镇{i:03d}", "镇街", "镇", "2013-01", SYSTEM)
        for i in range(EXTRA_DEPTS):
            store.units.add(f"dept{i:03d}", f"模拟局{i:03d}", "部门", "部门", "2013-01", SYSTEM)
        register = store.units.register()
        towns, depts = register.active("2013-01", "镇街"), register.active("2013-01", "部门")
        for y in YEARS:
            for m in range(1, 13):
                month = f"{y}-{m:02d}"
                sheets = {
                    "镇街": ParsedSheet("镇街", unit_rows(rng, "镇街", towns, m)),
                    "部门": ParsedSheet("部门", unit_rows(rng, "部门", depts, m)),
                    "全县": ParsedSheet("全县", county_rows(m)),
                    "扣分事项": ParsedSheet("扣分事项", event_rows(rng, towns + depts, month)),
                }
                raw = f"scale {month}".encode()
                store.datasets.import_workbook(ParsedWorkbook(month, sheets), raw, f"{month}.xlsx", SYSTEM)


def upload_workbook(tmp: Path) -> Path:
    """A month's workbook for all 500 units, as the office would upload it."""
    with open_store(MASTER) as store:
        register = store.units.register()
    rng = random.Random(1)
    towns, depts = register.active("2023-01", "镇街"), register.active("2023-01", "部门")
    sheets = {s: [{k: v for k, v in r.items() if k not in ("row", "unit_id")} for r in unit_rows(rng, s, us, 1)]
              for s, us in (("镇街", towns), ("部门", depts))}
    path = tmp / "2023-01.xlsx"
    path.write_bytes(fill_template(build_template("2023-01", register), MonthData("2023-01", sheets)))
    return path


def main(runs: int = 5) -> dict[str, float] | None:
    reason = have_browser()
    if reason:
        print(f"跳过规模测试：{reason}")
        return None
    if not MASTER.exists():
        t0 = time.perf_counter()
        build(MASTER)
        print(f"生成规模测试库：120 个月、500 个单位，用时 {time.perf_counter() - t0:.0f} s（{MASTER}）")
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        db = Path(tmp) / "scale.db"
        shutil.copyfile(MASTER, db)
        with streamlit_server(root / "benchmarks" / "bare_app.py") as bare_url:
            time_page(browser, bare_url, BARE_READY, 1)
            bare = statistics.median(time_page(browser, bare_url, BARE_READY, runs))
        with streamlit_server(root / "Home.py", db=db) as url:
            cold = time_page(browser, url, HOME_READY, 1)[0]
            home = statistics.median(time_page(browser, url, HOME_READY, runs))
            whatif = statistics.median(time_whatif(browser, url, runs))
            upload = statistics.median(time_upload_preview(browser, url, upload_workbook(Path(tmp)), 3))
    print("规模测试（120 个月、500 个单位：100 个镇街、400 个部门）：")
    print(f"  首页 {home * 1000:.0f} ms / 基准页 {bare * 1000:.0f} ms = {home / bare:.2f}×（目标 ≤ 1.5×）；"
          f"首次（缓存未命中）{cold * 1000:.0f} ms")
    print(f"  权重模拟 {whatif * 1000:.0f} ms（目标 < 500 ms）；上传 500 个单位的月报表到预览 {upload * 1000:.0f} ms（目标 < 2000 ms）")
    return {"home_ratio": home / bare, "home_cold_ms": cold * 1000, "whatif_ms": whatif * 1000,
            "upload_preview_ms": upload * 1000}


if __name__ == "__main__":
    main()
