"""The demo database: all of 2022 and January–February 2023, written as monthly workbooks and
imported through the real template and importer, so building the demo proves the import path every
time. The passage into 2023 is there to be seen: year-to-date sums and pro-rating start afresh in
January, stocks (信易贷 registrations) carry on. Months are generated in order from one seed, so
adding months at the end leaves every earlier month's figures as they were.

Figures are plausible, not real: 信易贷 registrations climb from the 269 opening figure towards,
but behind, the 4,000 target; some units lose points on each kind of deduction.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from credit.app.service import open_store
from credit.model.accounts import DEMO, SYSTEM
from credit.model.contract import (
    EVENT_OBJECTION,
    EVENT_SERIOUS,
    EVENT_VILLAGE,
    INDUSTRIES,
    ITEM_COL,
    SHEET_COUNTY,
    SHEET_DEPT,
    SHEET_EVENTS,
    SHEET_SCENARIOS,
    SHEET_SUPERVISION,
    SHEET_TOWN,
    UNIT_COL,
    VALUE_COL,
)
from credit.model.units import UnitRegister
from credit.workbook.importer import parse_workbook
from credit.workbook.template import build_template

DEMO_YEAR = 2022
# Demo accounts exist only in the demo database and are shown on its login page.
DEMO_ACCOUNTS = [
    ("leader", "demo-leader-1", "viewer", "演示领导"),
    ("office", "demo-office-1", "editor", "演示信用办"),
    ("admin", "demo-admin-1", "admin", "演示管理员"),
]
# 被考核单位 accounts: (username, password, bound unit id, display name).
DEMO_UNIT_ACCOUNTS = [
    ("dongezhen", "demo-unit-1", "dong_e", "东阿镇"),
    ("fagaiju", "demo-unit-2", "fagai", "发改局"),
]
DEMO_MONTHS = [*(f"{DEMO_YEAR}-{m:02d}" for m in range(1, 13)), f"{DEMO_YEAR + 1}-01", f"{DEMO_YEAR + 1}-02"]
# The demo as it was before the passage into 2023 was added: the shared test databases stop here, so
# every expectation computed on "the latest month is October" holds.
TEST_DEMO_THROUGH = f"{DEMO_YEAR}-10"


# Registered enterprises per town (辖区注册企业总数), roughly by size of the jurisdiction.
TOWN_ENTERPRISES = {
    "yushan": 9200, "jinshui": 7400, "dong_e": 3100, "xiaozhi": 3600, "kongcun": 3300,
    "hongfanchi": 1800, "meigui": 2600, "ancheng": 2300, "kaifaqu": 4100,
}
# How keen each town is on 信易贷 (a multiplier on its registration pace).
TOWN_DRIVE = {
    "yushan": 1.25, "jinshui": 1.1, "dong_e": 0.8, "xiaozhi": 1.0, "kongcun": 0.9,
    "hongfanchi": 0.7, "meigui": 1.15, "ancheng": 0.75, "kaifaqu": 1.35,
}
SCENARIO_NAMES = [
    ("信易批", "信用承诺容缺受理实施方案", "为信用良好主体提供容缺受理、优先办理"),
    ("信易医", "诚信就医惠民服务方案", "诚信市民减免挂号费、免交住院押金"),
    ("信易健", "公共体育场馆信用惠民办法", "诚信市民免费使用体育设施"),
    ("信易阅", "图书馆信用借阅实施细则", "免押金借阅，借阅数量加倍"),
    ("信易行", "守信出行卡发放办法", "守信市民公交乘车八折"),
    ("信易租", "公租房信用租赁办法", "信用良好者免缴押金"),
    ("信易游", "景区信用游览优惠方案", "诚信游客门票优惠"),
]
SUPERVISION_FIELDS = [
    ("汽车维修领域", 15, "济南市城乡交通运输委员会", "济南市汽车维修企业质量信誉考核办法"),
    ("工程建设领域", 5, "县住建局", "建筑市场主体信用评价管理办法"),
    ("住宿餐饮领域", 8, "县市场监管局", "餐饮服务单位信用分级分类监管办法"),
    ("交通运输领域", 7, "县交通运输局", "道路运输企业信用考核办法"),
    ("医疗卫生领域", 17, "县卫健局", "医疗机构信用分级分类监管实施方案"),
    ("安全生产领域", 3, "县应急局", "安全生产领域信用分级分类监管办法"),
    ("税务领域", 19, "县税务局", "纳税信用管理办法"),
    ("文化旅游领域", 18, "县文旅局", "文化和旅游市场信用分级分类监管办法"),
]


@dataclass
class MonthData:
    """One month's figures, keyed by sheet: rows of {header: value} in contract headers."""

    month: str
    sheets: dict[str, list[dict[str, object]]]


def _town_rows(rng: random.Random, units, month: str, state: dict) -> list[dict[str, object]]:
    m = int(month[5:])
    rows = []
    for i, u in enumerate(units):
        reg = state.setdefault(("reg", u.id), 10 + rng.randint(0, 12))
        pace = 18 * TOWN_DRIVE.get(u.id, 1.0) * (1 + 0.12 * m)
        reg += int(pace * rng.uniform(0.7, 1.3))
        state[("reg", u.id)] = reg
        demand = state.get(("dem", u.id), 0) + round(reg * rng.uniform(0.9, 1.6), 1)
        state[("dem", u.id)] = demand
        arrears = state.get(("arr", u.id), 0)
        if m in (2, 5) and u.id in ("dong_e", "ancheng"):
            arrears = 2 if m == 2 else 1
        elif m == 8 and u.id == "ancheng":
            arrears = 0
        state[("arr", u.id)] = arrears
        rows.append({
            UNIT_COL: u.name_at(month),
            "本月出台信用制度文件数": rng.choice([0, 0, 0, 1]) if u.id != "hongfanchi" else 0,
            "本月报送信用动态稿件数": rng.choice([0, 1, 1, 1, 2]),
            "本月信用动态稿件被采用数": rng.choice([0, 0, 1, 1]),
            "信易贷平台注册企业数": reg if rng.random() > 0.08 else None,  # sometimes not reported
            "辖区注册企业总数": TOWN_ENTERPRISES.get(u.id, 3000) + 15 * m,
            "信易贷融资需求金额（万元）": round(demand, 1),
            "信易贷授信成功金额（万元）": round(demand * rng.uniform(0.55, 0.8), 1),
            "清欠未完成案例数": arrears if (m == 1 or arrears or m in (5, 8)) else None,
            "本月开展诚信宣传活动次数": 1 if m % 4 == i % 4 or rng.random() < 0.1 else 0,
        })
    return rows


def _dept_rows(rng: random.Random, units, month: str) -> list[dict[str, object]]:
    m = int(month[5:])
    rows = []
    for i, u in enumerate(units):
        sloppy = i % 5 == 2
        volume = rng.randint(40, 400)
        rows.append({
            UNIT_COL: u.name_at(month),
            "本月出台信用制度文件数": 1 if rng.random() < (0.12 if sloppy else 0.3) else 0,
            "本月双公示上报数据量": volume,
            "本月双公示错误数据条数": rng.choice([0, 0, 0, 1, 2, 4]) if sloppy else rng.choice([0] * 9 + [1]),
            "本月双公示迟报数据条数": rng.choice([0, 0, 1, 3]) if sloppy else 0,
            "本月双公示瞒报数据条数": 1 if sloppy and m in (3, 7) else 0,
            "本月归集其他信用信息条数": rng.randint(0, 60) * (3 if i % 4 == 0 else 1),
            "本月报送信用动态稿件数": rng.choice([0, 1, 1, 2]),
            "本月信用动态稿件被采用数": rng.choice([0, 0, 1]),
            "统一社会信用代码重错码条数": (3 if m < 6 else 1) if sloppy else (0 if m == 1 else None),
            "清欠未完成案例数": 1 if (u.id == "gongxin" and m < 7) else (0 if m == 1 else None),
            "本月开展信用宣传活动次数": 1 if m % 3 == i % 3 and rng.random() < 0.8 else 0,
        })
    return rows


def _county_rows(rng: random.Random, m: int, registered: int) -> list[dict[str, object]]:
    items = {
        "全县信易贷平台注册企业数": registered,
        "信易贷注册企业数全市位次": max(1, 7 - m // 3),
        "信易贷融资需求金额全市位次": 5 if m < 6 else 4,
        "信易贷授信成功金额全市位次": 6,
        "全市区县数": 12,
        "A级纳税人数": 820 + 6 * m,
        "海关高级认证企业数": 4,
        "法人企业数": 12600 + 40 * m,
        "全市守信企业平均比例": 0.071,
        "本月信用核查和联合奖惩系统应用次数": rng.randint(180, 320),
        "市场主体数量": 61000 + 300 * m,
        "全市信用核查应用比例平均值": round(0.0042 * m, 5),
        "全县信用监测全市排名": max(2, 8 - m // 2),
    }
    return [{ITEM_COL: k, VALUE_COL: v} for k, v in items.items()]


def _event_rows(rng: random.Random, towns, depts, month: str) -> list[dict[str, object]]:
    m = int(month[5:])
    rows: list[dict[str, object]] = []

    def add(unit, kind, day, text, handling="", days=None, qty=None):
        rows.append({
            UNIT_COL: unit.name_at(month), "事项类型": kind, "发生日期": f"{month}-{day:02d}",
            "事项说明": text, "处理情况": handling, "异议处理用时（工作日）": days, "数量": qty,
        })

    by_id = {u.id: u for u in [*towns, *depts]}
    if m in (3, 8) and "dong_e" in by_id:
        add(by_id["dong_e"], EVENT_VILLAGE, 12, "某村村委会成员被列入失信被执行人名单")
    if m == 6 and "kongcun" in by_id:
        add(by_id["kongcun"], EVENT_VILLAGE, 20, "两个村集体经济组织拖欠工程款被起诉", qty=2)
    if m == 4 and "xiaozhi" in by_id:
        add(by_id["xiaozhi"], EVENT_SERIOUS, 9, "网络曝光某项目拖欠农民工工资", "被举报后处置")
    if m == 7 and "meigui" in by_id:
        add(by_id["meigui"], EVENT_SERIOUS, 15, "网络曝光景区虚假宣传", "主动处理")
    if m == 9 and "zhujian" in by_id:
        add(by_id["zhujian"], EVENT_SERIOUS, 3, "商品房项目逾期交付引发投诉曝光", "上级责令查处")
    if m == 5 and "yingji" in by_id:
        add(by_id["yingji"], EVENT_SERIOUS, 18, "企业安全生产承诺未履行被曝光", "主动处理")
    for uid, when in (("shichangjianguan", (2, 6, 9)), ("shuiwu", (4,)), ("renshe", (5, 10)), ("chengguan", (8,))):
        if m in when and uid in by_id:
            add(by_id[uid], EVENT_OBJECTION, 10 + m, "行政处罚信息公示期满申请修复",
                days=rng.choice([1, 1, 2, 3]))
    return rows


def _register_rows(towns, depts, month: str) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Register entries are added in the month the unit first reports them (afresh each year)."""
    m = int(month[5:])
    scenarios, fields = [], []
    for i, u in enumerate([*towns, *depts]):
        if i % 7 == 3:
            continue  # a few units never report a scenario and lose T5/D8
        if (i % 6) + 1 == m:
            name, plan, perk = SCENARIO_NAMES[i % len(SCENARIO_NAMES)]
            scenarios.append({UNIT_COL: u.name_at(month), "信用应用": name,
                              "开展方案/制度文件名称": f"{u.name_at(month)}{plan}", "优惠/激励措施": perk})
    for i, u in enumerate(depts):
        if i % 5 == 4:
            continue
        if (i % 8) + 2 == m:
            area, ind, dept, doc = SUPERVISION_FIELDS[i % len(SUPERVISION_FIELDS)]
            fields.append({UNIT_COL: u.name_at(month), "监管领域": area, "国民经济行业分类": INDUSTRIES[ind - 1],
                           "监管部门": dept, "文件名称": doc, "文件链接或主要内容": "见附件"})
    return scenarios, fields


def demo_months(register: UnitRegister, seed: int = DEMO_YEAR) -> list[MonthData]:
    rng = random.Random(seed)
    state: dict = {}
    out = []
    for month in DEMO_MONTHS:
        m = int(month[5:])
        towns = register.active(month, "镇街")
        depts = register.active(month, "部门")
        town_rows = _town_rows(rng, towns, month, state)
        registered = 269 + sum(state[("reg", u.id)] for u in towns) + rng.randint(5, 25)
        scenarios, fields = _register_rows(towns, depts, month)
        out.append(MonthData(month, {
            SHEET_TOWN: town_rows,
            SHEET_DEPT: _dept_rows(rng, depts, month),
            SHEET_COUNTY: _county_rows(rng, m, registered),
            SHEET_EVENTS: _event_rows(rng, towns, depts, month),
            SHEET_SCENARIOS: scenarios,
            SHEET_SUPERVISION: fields,
        }))
    return out


def fill_template(template: bytes, data: MonthData) -> bytes:
    """Write figures into a template the way an office worker would: by header, row by row."""
    wb = load_workbook(io.BytesIO(template))
    for sheet, rows in data.sheets.items():
        ws = wb[sheet]
        header_row, cols = _find_header(ws)
        key = ITEM_COL if sheet == SHEET_COUNTY else UNIT_COL
        prefilled = {
            str(ws.cell(r, cols[key]).value).strip(): r
            for r in range(header_row + 1, ws.max_row + 1)
            if ws.cell(r, cols[key]).value not in (None, "")
        }
        next_free = header_row + 1 + (0 if not prefilled else len(prefilled))
        for row in rows:
            r = prefilled.get(str(row[key]))
            if r is None:
                r, next_free = next_free, next_free + 1
            for header, value in row.items():
                if value is not None and value != "":
                    ws.cell(r, cols[header]).value = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _find_header(ws) -> tuple[int, dict[str, int]]:
    for r in range(1, min(ws.max_row, 20) + 1):
        values = [ws.cell(r, c).value for c in range(1, ws.max_column + 1)]
        if UNIT_COL in values or ITEM_COL in values:
            return r, {str(v).strip(): i for i, v in enumerate(values, start=1) if v}
    raise ValueError(f"模板工作表「{ws.title}」中找不到表头")


def build_demo(path: Path, replace: bool = False, through: str | None = None) -> str:
    """Create the demo database at `path` through the real template → fill → import path.

    `through` stops after that month (the test databases keep the ten months of 2022 their
    expectations were computed on; the months are the same figures either way)."""
    path = Path(path)
    if replace:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    with open_store(path) as store:
        store.settings.set("demo", "1", by=SYSTEM)
        for username, password, role, display in DEMO_ACCOUNTS:
            if store.accounts.account(username) is None:
                store.accounts.add_account(username, password, role, by=SYSTEM, display=display)
        for username, password, unit_id, display in DEMO_UNIT_ACCOUNTS:
            if store.accounts.account(username) is None:
                store.accounts.add_account(username, password, "unit", by=SYSTEM, display=display, unit_id=unit_id)
        register = store.units.register()
        months = [d for d in demo_months(register) if through is None or d.month <= through]
        for data in months:
            raw = fill_template(build_template(data.month, register), data)
            fname = f"平阴县信用监测月报_{data.month}.xlsx"
            parsed = parse_workbook(raw, fname, data.month, register)
            store.datasets.import_workbooks([(parsed, raw, fname)], by=DEMO)
    return f"{len(months)} 个月：{months[0].month} 至 {months[-1].month}"
