"""The monthly workbook contract with the credit office, as data.

Everything that reads or writes the monthly workbook (template, importer, inputs, demo) takes
sheet names, column headers and flow/stock semantics from here, so the contract is stated once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# The county total on 全县 the 信易贷 progress and a new year's opening figure are read from.
XYD_COUNTY_FIELD = "全县信易贷平台注册企业数"

FieldKind = Literal["flow", "stock", "text", "date", "choice", "int"]

UNIT_COL = "单位名称"
ITEM_COL = "项目"
VALUE_COL = "数值"

SHEET_TOWN = "镇街"
SHEET_DEPT = "部门"
SHEET_COUNTY = "全县"
SHEET_EVENTS = "扣分事项"
SHEET_SCENARIOS = "信易+场景"
SHEET_SUPERVISION = "分级分类监管"
SHEET_INSTRUCTIONS = "填报说明"

EVENT_VILLAGE = "村居失信案件"
EVENT_SERIOUS = "严重失信事件"
EVENT_OBJECTION = "异议信息"
EVENT_TYPES = (EVENT_VILLAGE, EVENT_SERIOUS, EVENT_OBJECTION)

HANDLING_PROACTIVE = "主动处理"
HANDLINGS = (HANDLING_PROACTIVE, "被举报后处置", "上级责令查处", "未处理")

INDUSTRIES = (
    "农、林、牧、渔业",
    "采矿业",
    "制造业",
    "电力、热力、燃气及水生产和供应业",
    "建筑业",
    "批发和零售业",
    "交通运输、仓储和邮政业",
    "住宿和餐饮业",
    "信息传输、软件和信息技术服务业",
    "金融业",
    "房地产业",
    "租赁和商务服务业",
    "科学研究和技术服务业",
    "水利、环境和公共设施管理业",
    "居民服务、修理和其他服务业",
    "教育",
    "卫生和社会工作",
    "文化、体育和娱乐业",
    "公共管理、社会保障和社会组织",
    "国际组织",
)


# Plausibility bounds: a value beyond them is a typing or export error (1e300 万元 once moved a
# town from rank 8 to rank 2), refused at its cell. Far above anything 平阴县 will report, so a
# real figure never trips them; a jump against last month is only warned about (preview).
MAX_COUNT = 1_000_000  # counts, ranks, days: whole numbers for counts
MAX_AMOUNT = 10_000_000  # 万元
MAX_RATIO = 1  # fractions 0–1 (5% is 0.05)
MAX_EVENT_QUANTITY = 10_000  # 扣分事项「数量」per row

# The surge guard (credit.workbook.preview): a figure more than SURGE_FACTOR times last month's
# must be confirmed before it is written — where a tenfold rise is a likely typo. Stocks and amounts
# (a slipped digit, 元 for 万元) are checked from any base; a monthly flow swings widely from a small
# base (11 → 148 records, 53 → 755 are real months), so it is checked only when last month's value
# was at least SURGE_FLOW_BASE. `Column.surge_base` holds the base per column.
SURGE_FACTOR = 10.0
SURGE_FLOW_BASE = 100.0


@dataclass(frozen=True)
class SheetBounds:
    """How large one sheet of an upload may be, checked before any spreadsheet reader allocates.

    A reader sizes its grid from the sheet's extent, not from what is filled: one cell at
    XFD1048576 asks python-calamine for 17 billion cells and aborts the process. So the extent a
    sheet declares (`<dimension ref>`, BIFF DIMENSIONS) and the extent its cells reach are both held
    to these limits (`credit.workbook.preflight`); `cells` bounds the grid a reader builds,
    rows × columns counted from A1, as well as the cells written.
    """

    rows: int
    columns: int
    cells: int

    def describe(self) -> str:
        """The limits as the refusal's hint states them."""
        return f"每张工作表最多 {self.rows:,} 行、{self.columns:,} 列、{self.cells:,} 个单元格（行数 × 列数）"


# The monthly workbook and a unit's own template: a county month is ~50 unit rows and at most a
# few thousand event or register rows; 30,000 event rows still import (tests/reliability), and
# the 1,000,000-row file that once took 2.2 GB and 69 s is refused before it is read.
WORKBOOK_BOUNDS = SheetBounds(rows=50_000, columns=256, cells=1_000_000)
# A 双公示 export (a department's year of 行政许可/行政处罚, ~30 columns) and the code/entity lists.
TABLE_BOUNDS = SheetBounds(rows=100_000, columns=256, cells=3_000_000)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header text and how its values behave over the months.

    `maximum` is the largest plausible value of a numeric column (see MAX_COUNT and friends).
    """

    header: str
    kind: FieldKind
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    maximum: float = MAX_COUNT
    surge_base: float = 0.0  # the surge guard applies when last month's value is at least this (see SURGE_FACTOR)


@dataclass(frozen=True)
class Sheet:
    """One dataset of the monthly workbook.

    `layout` says how rows are keyed: `unit` (one row per unit), `item` (全县: 项目/数值 pairs,
    the items being the `columns`), or `records` (free rows: events, register entries).
    """

    name: str
    layout: Literal["unit", "item", "records"]
    columns: tuple[Column, ...]
    group: str | None = None  # which unit group may appear in 单位名称 (None = any unit)
    title: str = ""
    help: str = ""
    numeric_fields: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "numeric_fields",
            tuple(c.header for c in self.columns if c.kind in ("flow", "stock")),
        )

    def column(self, header: str) -> Column:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(header)

    @property
    def key_header(self) -> str:
        return ITEM_COL if self.layout == "item" else UNIT_COL


def _flow(h: str, help: str = "", maximum: float = MAX_COUNT) -> Column:
    return Column(h, "flow", help=help or "本月新增数量，空白按 0 计", maximum=maximum, surge_base=SURGE_FLOW_BASE)


def _stock(h: str, help: str = "", maximum: float = MAX_COUNT) -> Column:
    return Column(h, "stock", help=help or "月末存量，空白表示本月未报送（沿用此前最近一次的数值）", maximum=maximum)


TOWN = Sheet(
    SHEET_TOWN,
    "unit",
    (
        Column(UNIT_COL, "text", required=True),
        _flow("本月出台信用制度文件数"),
        _flow("本月报送信用动态稿件数"),
        _flow("本月信用动态稿件被采用数"),
        _stock("信易贷平台注册企业数"),
        _stock("辖区注册企业总数"),
        _stock("信易贷融资需求金额（万元）", maximum=MAX_AMOUNT),
        _stock("信易贷授信成功金额（万元）", maximum=MAX_AMOUNT),
        _stock("清欠未完成案例数"),
        _flow("本月开展诚信宣传活动次数"),
    ),
    group="镇街",
    title="各镇（街道）、开发区月度数据",
)

DEPT = Sheet(
    SHEET_DEPT,
    "unit",
    (
        Column(UNIT_COL, "text", required=True),
        _flow("本月出台信用制度文件数"),
        _flow("本月双公示上报数据量"),
        _flow("本月双公示错误数据条数"),
        _flow("本月双公示迟报数据条数"),
        _flow("本月双公示瞒报数据条数"),
        _flow("本月归集其他信用信息条数"),
        _flow("本月报送信用动态稿件数"),
        _flow("本月信用动态稿件被采用数"),
        _stock("统一社会信用代码重错码条数"),
        _stock("清欠未完成案例数"),
        _flow("本月开展信用宣传活动次数"),
    ),
    group="部门",
    title="各部门（单位）月度数据",
)

COUNTY = Sheet(
    SHEET_COUNTY,
    "item",
    (
        _stock(XYD_COUNTY_FIELD),
        _stock("信易贷注册企业数全市位次", "市信用办月报中我县的位次（1 为最好）"),
        _stock("信易贷融资需求金额全市位次", "市信用办月报中我县的位次（1 为最好）"),
        _stock("信易贷授信成功金额全市位次", "市信用办月报中我县的位次（1 为最好）"),
        _stock("全市区县数"),
        _stock("A级纳税人数"),
        _stock("海关高级认证企业数"),
        _stock("法人企业数"),
        _stock("全市守信企业平均比例", "小数，例如 0.05 表示 5%", maximum=MAX_RATIO),
        _flow("本月信用核查和联合奖惩系统应用次数"),
        _stock("市场主体数量"),
        _stock("全市信用核查应用比例平均值", "应用次数 ÷ 市场主体数量（年初至今），小数", maximum=MAX_RATIO),
        _stock("全县信用监测全市排名", "可选"),
    ),
    title="全县指标",
)

EVENTS = Sheet(
    SHEET_EVENTS,
    "records",
    (
        Column(UNIT_COL, "text", required=True),
        Column("事项类型", "choice", required=True, choices=EVENT_TYPES),
        Column("发生日期", "date", required=True, help="须在所选月份之内"),
        Column("事项说明", "text"),
        Column("处理情况", "choice", choices=HANDLINGS, help="严重失信事件必填；主动处理的不扣分"),
        Column("异议处理用时（工作日）", "flow", help="异议信息必填"),
        Column("数量", "int", help="空白按 1 计", maximum=MAX_EVENT_QUANTITY),
    ),
    title="扣分事项（村居失信案件、严重失信事件、异议信息）",
)

SCENARIOS = Sheet(
    SHEET_SCENARIOS,
    "records",
    (
        Column(UNIT_COL, "text", required=True),
        Column("信用应用", "text", required=True, help="例如：信易批、信易医、信易阅"),
        Column("开展方案/制度文件名称", "text"),
        Column("优惠/激励措施", "text"),
    ),
    title="“信易+”拓展领域一览表（附件3）",
)

SUPERVISION = Sheet(
    SHEET_SUPERVISION,
    "records",
    (
        Column(UNIT_COL, "text", required=True),
        Column("监管领域", "text", required=True),
        Column("国民经济行业分类", "choice", required=True, choices=INDUSTRIES),
        Column("监管部门", "text"),
        Column("文件名称", "text"),
        Column("文件链接或主要内容", "text"),
    ),
    title="信用分级分类监管领域一览表（附件4）",
)

SHEETS: dict[str, Sheet] = {
    s.name: s for s in (TOWN, DEPT, COUNTY, EVENTS, SCENARIOS, SUPERVISION)
}

# Which sheet holds a group's per-unit figures.
GROUP_SHEET = {"镇街": SHEET_TOWN, "部门": SHEET_DEPT}
REGISTER_SHEETS = (SHEET_SCENARIOS, SHEET_SUPERVISION)
# Sheets reported only when there is something to report (an event, a new register entry). A month
# may have none: the office says so by uploading the sheet with headers but no rows, or by marking it
# 本月无新增 (credit.store.datasets), and such a sheet counts as reported, never as missing.
OPTIONAL_SHEETS = (SHEET_EVENTS, *REGISTER_SHEETS)
NO_NEW = "本月无新增"


def field_kind(sheet: str, header: str) -> FieldKind:
    return SHEETS[sheet].column(header).kind


def unit_sheet_names(group: str) -> tuple[str, ...]:
    """The sheets a unit of `group` reports itself (its own 填报): its group's sheet, events and the registers."""
    return tuple(s.name for s in SHEETS.values() if s.layout == "records" or s.group == group)


def surge_base(sheet: str, header: str) -> float:
    """Last month's value from which the surge guard checks `header` of `sheet` (0: from any base)."""
    spec = SHEETS.get(sheet)
    if spec is None:
        return 0.0
    try:
        return spec.column(header).surge_base
    except KeyError:
        return 0.0
