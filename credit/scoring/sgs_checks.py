"""双公示预检: the checks the city would deduct for, run on a unit's records before it reports them.

Pure functions over the reader's `RecordFile` and the rules (`credit.model.sgs_rules`): nothing here
touches the store or a file. Each problem is located (sheet, Excel row, field) and says in Chinese
what is wrong and how to fix it; each kind of problem counts against the indicators the rules
name (D2a 错误数据, D2b 迟报数据, D15a 可能引发的有效异议), a record once per indicator however many
problems it has. `predict` turns those counts into the framework's own deduction.

Working days: a year the office entered on the platform (放假 and 调休上班 days, `store.workdays`) is
read from that table; else from the `chinese-calendar` package (the State Council's notices up to
its last year); else Monday–Friday, and the result says so (`calendar_source` names the source).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache, lru_cache

import chinese_calendar
from chinese_calendar import constants as _cc_constants
from stdnum.cn import ric, uscc

from credit.model.framework import Framework
from credit.model.sgs_rules import RecordFile, RecordKind, RecordSheet, SgsRules
from credit.model.units import Unit
from credit.scoring.rules.deduct_per_item import deduct_per_item

CALENDAR_YEARS = (min(_cc_constants.holidays).year, max(_cc_constants.holidays).year)
CALENDAR_VERSION = getattr(chinese_calendar, "__version__", "")
MAX_WORKDAY_SPAN = 400  # beyond this many days a report is late whatever the holidays
WORKDAY_CACHE_SPAN = 20 * 366

# Which indicator each count stands for (what the office reads under the indicator's name).
PREDICTED = {
    "D2a": "错误数据",
    "D2b": "迟报数据",
    "D15a": "可能引发有效异议的数据",
    "D5": "统一社会信用代码重错码",
}
PROBLEM_COLUMNS = ["工作表", "类别", "行", "字段", "问题类型", "问题", "修改建议", "计入指标"]

_SPACES = re.compile(r"\s+")
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_PENALTY_SPLIT = re.compile(r"[;；,，、/\s]+")
_USCC_CHARS = set("0123456789ABCDEFGHJKLMNPQRTUWXY")


@lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).upper()


def norm(text: object) -> str:
    """Compare key: NFKC (full-width letters and brackets), no spaces, upper case (cached)."""
    return _norm(text) if isinstance(text, str) else _norm(str(text or ""))


def mask_id(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


# ---- working days ---------------------------------------------------------------------------------


SOURCE_ENTERED = "本平台录入"
SOURCE_WEEKDAYS = "按周一至周五"
SOURCE_PACKAGE = f"程序内置日历（国务院办公厅历年放假通知，收录至 {CALENDAR_YEARS[1]} 年）"
# For whoever updates the program (a tooltip, not the label): the package and version behind SOURCE_PACKAGE
PACKAGE_NOTE = f"程序内置日历即 chinese-calendar {CALENDAR_VERSION}，升级后收录新的年份"


@cache
def _is_workday(day: date) -> tuple[bool, bool]:
    """(working day, from the fallback Monday–Friday rule)."""
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


def calendar_source(year: int, entered_years: Iterable[int] = ()) -> str:
    """Where a year's working days come from: 本平台录入, the package's notices, or Monday–Friday."""
    if year in set(entered_years):
        return SOURCE_ENTERED
    if CALENDAR_YEARS[0] <= year <= CALENDAR_YEARS[1]:
        return SOURCE_PACKAGE
    return SOURCE_WEEKDAYS


class WorkingDays:
    """Counts working days between dates; remembers the years it had to guess (Mon–Fri).

    `entered` is the office's table ({day: True for a 调休上班 day, False for a 放假 day}); a year with
    any entry is read from it alone (Monday–Friday apart from the entered days), before the package."""

    def __init__(self, entered: Mapping[date, bool] | None = None) -> None:
        self.guessed_years: set[int] = set()
        self._lo: date | None = None
        self._cum: list[int] = []
        self.entered = dict(entered or {})
        self.entered_years = {d.year for d in self.entered}

    def is_workday(self, day: date) -> bool:
        if day.year in self.entered_years:
            found = self.entered.get(day)
            return day.weekday() < 5 if found is None else found
        work, guessed = _is_workday(day)
        if guessed:
            self.guessed_years.add(day.year)
        return work

    def prepare(self, spans: Iterable[tuple[date, date]]) -> None:
        """Build a running count over the dates the spans cover, so each span costs two lookups."""
        spans = [(a, b) for a, b in spans if 0 <= (b - a).days <= MAX_WORKDAY_SPAN]
        if not spans:
            return
        lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
        if (hi - lo).days > WORKDAY_CACHE_SPAN:
            return
        cum, total = [], 0
        for i in range((hi - lo).days + 1):
            total += self.is_workday(lo + timedelta(days=i))
            cum.append(total)
        self._lo, self._cum = lo, cum

    def after(self, start: date, end: date) -> int:
        """Working days d with start < d ≤ end (0 when end ≤ start)."""
        if end <= start:
            return 0
        lo = self._lo
        if lo is not None and lo <= start and (end - lo).days < len(self._cum):
            # the range was built by prepare(), which noted any guessed year already
            return self._cum[(end - lo).days] - self._cum[(start - lo).days]
        return sum(self.is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))

    def warning(self) -> str:
        if not self.guessed_years:
            return ""
        years = "、".join(f"{y} 年" for y in sorted(self.guessed_years))
        return (f"{years}的放假和调休安排尚未录入，这些日期按周一至周五为工作日计算，迟报判断可能与实际有出入；"
                "信用办可在“工作日日历”中录入该年的放假和调休上班日期。")


# ---- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    sheet: str
    kind: str  # 行政许可 / 行政处罚 / 统一社会信用代码
    row: int | None
    field: str
    check: str  # rule id, see CHECK_IDS
    check_name: str
    message: str
    hint: str
    indicators: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "工作表": self.sheet, "类别": self.kind, "行": self.row if self.row is not None else "",
            "字段": self.field, "问题类型": self.check_name, "问题": self.message, "修改建议": self.hint,
            "计入指标": "、".join(self.indicators) or "—",
        }


@dataclass
class CheckResult:
    """All problems of one file, plus how many records each indicator would count."""

    filename: str
    n_records: int
    by_kind: dict[str, int]
    problems: list[Problem]
    warnings: list[str] = field(default_factory=list)
    # required columns the file lacks: (sheet title, kind key, standard field) — said once, never per row
    missing: list[tuple[str, str, str]] = field(default_factory=list)
    unchecked: dict[str, str] = field(default_factory=dict)  # indicator -> why its check could not run at all
    partial: dict[str, str] = field(default_factory=dict)  # indicator -> what part of its check could not run
    months: dict[str, int] = field(default_factory=dict)  # "YYYY-MM" of each record's 上报/决定 date -> records

    def records_for(self, indicator: str) -> set[tuple[str, int]]:
        return {(p.sheet, p.row) for p in self.problems if indicator in p.indicators and p.row is not None}

    def counts(self) -> dict[str, int]:
        return {code: len(self.records_for(code)) for code in ("D2a", "D2b", "D15a")}

    def rows(self) -> list[dict[str, object]]:
        return [p.as_dict() for p in self.problems]


# ---- one record at a time -----------------------------------------------------------------------


class _Checker:
    def __init__(self, rules: SgsRules, today: date, days: WorkingDays, entities: Mapping[str, tuple[str, int]]):
        self.rules, self.today, self.days, self.entities = rules, today, days, entities
        self.problems: list[Problem] = []
        self.revoked = {norm(s) for s in rules.revoked}
        self.simple = {norm(s) for s in rules.simple_penalties}
        self.categories = {norm(v): g for g, names in rules.categories.items() for v in names}
        self.category_names = " / ".join(names[0] for names in rules.categories.values())
        self.docnos: dict[tuple[str, str], tuple[str, int]] = {}
        self.subjects: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)
        self._by_kind: dict[str, tuple] = {}
        self.sheets: dict[str, RecordSheet] = {}

    def add(self, sheet: RecordSheet, kind: RecordKind, row: int | None, fld: str, check: str, message: str,
            hint: str) -> None:
        """One problem; the 字段 column names the field as the file's own header does."""
        spec = self.rules.checks[check]
        self.problems.append(Problem(sheet.title, kind.name, row, sheet.label(fld), check, spec.name, message, hint,
                                     spec.indicators))

    def sheet(self, sheet: RecordSheet) -> None:
        self.sheets[sheet.title] = sheet
        kind = self.rules.kind(sheet.kind)
        report = self.rules.report_date_field
        bad_by_row: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for (r, fld), (message, hint) in sheet.bad.items():
            bad_by_row[r].append((fld, message, hint))
        spans = [(v[kind.decision_field], v[report]) for _, v in sheet.rows
                 if isinstance(v.get(kind.decision_field), date) and isinstance(v.get(report), date)]
        self.days.prepare(spans)
        for row, values in sheet.rows:
            for fld, message, hint in bad_by_row.get(row, ()):
                self.add(sheet, kind, row, fld, "format", message, hint)
            self.record(sheet, kind, row, values)

    def record(self, sheet: RecordSheet, kind: RecordKind, row: int, v: dict[str, object]) -> None:
        group = self._category(sheet, kind, row, v)
        self._required(sheet, kind, row, v, group)
        self._codes(sheet, kind, row, v, group)
        self._dates(sheet, kind, row, v)
        self._duplicate(sheet, kind, row, v)
        status = v.get("当前状态")
        if status and norm(status) in self.revoked:
            self.add(sheet, kind, row, "当前状态", "revoked",
                     f"当前状态为「{status}」：已撤销（无效）的决定仍在公示",
                     "请在上报系统中撤下该条公示（或从本次上报中删除该记录）")
        if kind.fine_field:
            self._simple_penalty(sheet, kind, row, v, group)
        code, name = norm(v.get("统一社会信用代码")), str(v.get("行政相对人名称") or "")
        if code and name and group != "natural_person":
            self.subjects[code].append((sheet.title, row, name, kind.key))

    def _category(self, sheet: RecordSheet, kind: RecordKind, row: int, v: dict[str, object]) -> str | None:
        text = str(v.get("行政相对人类别") or "")
        if not text:
            return None
        group = self.categories.get(norm(text))
        if group is None:
            self.add(sheet, kind, row, "行政相对人类别", "format", f"行政相对人类别「{text}」无法识别",
                     f"应为以下之一：{self.category_names}")
        return group

    def _required(self, sheet: RecordSheet, kind: RecordKind, row: int, v: dict[str, object],
                  group: str | None) -> None:
        bad = sheet.bad
        for name, always, groups in self._fields(kind)[0]:
            value = v.get(name)
            if name not in sheet.columns:  # a missing column is said once for the sheet, not on every row
                continue
            if (value is None or value == "") and (always or group in groups) and (row, name) not in bad:
                hint = "请补充后重新上报" if always else "法人及非法人组织、个体工商户须填写，请补充后重新上报"
                self.add(sheet, kind, row, name, "required", f"「{sheet.label(name)}」为必填项，不能为空", hint)
        if kind.penalty_field and kind.fine_field:
            cats = self._penalties(v)
            if ("罚款" in cats and v.get(kind.fine_field) is None and (row, kind.fine_field) not in sheet.bad
                    and kind.fine_field in sheet.columns):
                self.add(sheet, kind, row, kind.fine_field, "required", f"处罚类别含罚款，「{sheet.label(kind.fine_field)}」"
                         "不能为空", "请填写罚款金额，单位为万元（如 200 元填 0.02）")

    def _penalties(self, v: dict[str, object]) -> set[str]:
        text = unicodedata.normalize("NFKC", str(v.get("处罚类别") or ""))
        return {p for p in _PENALTY_SPLIT.split(text) if p}

    def _fields(self, kind: RecordKind) -> tuple[list[tuple[str, bool, tuple[str, ...]]], list[str], list[str]]:
        """Per kind, once: (required fields with their condition, 统一社会信用代码 fields, other text fields)."""
        cached = self._by_kind.get(kind.key)
        if cached is None:
            required = [(f.name, f.required, f.required_for) for f in kind.fields if f.required or f.required_for]
            codes = [f.name for f in kind.fields if f.kind == "uscc"]
            texts = [f.name for f in kind.fields if f.kind not in ("uscc", "date", "money")]
            cached = self._by_kind[kind.key] = (required, codes, texts)
        return cached

    def _codes(self, sheet: RecordSheet, kind: RecordKind, row: int, v: dict[str, object], group: str | None) -> None:
        _, codes, texts = self._fields(kind)
        for name in codes:
            value = v.get(name)
            if value and (row, name) not in sheet.bad:
                self._uscc(sheet, kind, row, name, value, group)
        for name in texts:
            value = v.get(name)
            if value and len(value) >= 18 and _DIGITS_18.search(value):
                self._id_in_text(sheet, kind, row, name, value)

    def _id_in_text(self, sheet: RecordSheet, kind: RecordKind, row: int, fld: str, value: str) -> None:
        for m in _ID_IN_TEXT.finditer(unicodedata.normalize("NFKC", value)):
            if is_id_number(m.group(1)):
                self.add(sheet, kind, row, fld, "id_number", f"公示了完整的身份证号（{mask_id(m.group(1))}）",
                         "身份证号不得完整公示：请隐去中间部分（如 370124********1234）或删除")
                return

    def _uscc(self, sheet: RecordSheet, kind: RecordKind, row: int, fld: str, value: str, group: str | None) -> None:
        code = norm(value)
        subject = fld == "统一社会信用代码"
        if is_id_number(code):
            self.add(sheet, kind, row, fld, "id_number", f"填写的是完整的身份证号（{mask_id(code)}）",
                     "自然人没有统一社会信用代码，身份证号不得完整公示：请将该项留空或隐去身份证号中间部分")
            return
        if subject and group == "natural_person":
            self.add(sheet, kind, row, fld, "uscc", f"行政相对人类别为自然人，却填写了统一社会信用代码「{value}」",
                     "自然人没有统一社会信用代码，请将该项留空；如为个体工商户或企业，请更正行政相对人类别")
            return
        problem = uscc_problem(code)
        if problem:
            self.add(sheet, kind, row, fld, "uscc", f"「{value}」{problem[0]}", problem[1])

    def _dates(self, sheet: RecordSheet, kind: RecordKind, row: int, v: dict[str, object]) -> None:
        decision, report = v.get(kind.decision_field), v.get(self.rules.report_date_field)
        said, reported = sheet.label(kind.decision_field), sheet.label(self.rules.report_date_field)
        if kind.valid_from_field and kind.valid_to_field:
            start, end = v.get(kind.valid_from_field), v.get(kind.valid_to_field)
            if isinstance(start, date) and isinstance(end, date) and end < start:
                self.add(sheet, kind, row, kind.valid_to_field, "dates",
                         f"有效期至（{end:%Y-%m-%d}）早于有效期自（{start:%Y-%m-%d}）",
                         "请核对许可决定书上的有效期，起止日期可能填反")
        if not isinstance(decision, date):
            return
        if decision > self.today:
            self.add(sheet, kind, row, kind.decision_field, "dates",
                     f"{said}（{decision:%Y-%m-%d}）晚于今天（{self.today:%Y-%m-%d}）",
                     "决定日期不能是将来的日期，请按决定书核对")
        if not isinstance(report, date):
            return
        if decision > report:
            self.add(sheet, kind, row, kind.decision_field, "dates",
                     f"{said}（{decision:%Y-%m-%d}）晚于{reported}（{report:%Y-%m-%d}）",
                     "决定作出之后才能上报，请核对两个日期")
            return
        span = (report - decision).days
        late = self.rules.report_days
        if span > MAX_WORKDAY_SPAN:
            self.add(sheet, kind, row, self.rules.report_date_field, "late",
                     f"{reported}（{report:%Y-%m-%d}）距{said}（{decision:%Y-%m-%d}）已 {span} 天，"
                     f"超过 {late} 个工作日的上报期限", f"今后请在作出决定后 {late} 个工作日内上报")
            return
        n = self.days.after(decision, report)
        if n > late:
            self.add(sheet, kind, row, self.rules.report_date_field, "late",
                     f"{reported}（{report:%Y-%m-%d}）距{said}（{decision:%Y-%m-%d}）{n} 个工作日，"
                     f"超过 {late} 个工作日的上报期限",
                     f"今后请在作出决定后 {late} 个工作日内上报；如{reported}填写有误，请按实际日期更正")

    def _duplicate(self, sheet: RecordSheet, kind: RecordKind, row: int, v: dict[str, object]) -> None:
        docno = str(v.get(kind.docno_field) or "")
        if not docno:
            return
        key = (kind.key, norm(docno))
        first = self.docnos.setdefault(key, (sheet.title, row))
        if first != (sheet.title, row):
            where = f"第 {first[1]} 行" if first[0] == sheet.title else f"工作表「{first[0]}」第 {first[1]} 行"
            self.add(sheet, kind, row, kind.docno_field, "duplicate", f"文书号「{docno}」与{where}重复",
                     "同一决定只能公示一条：请删除重复的记录；如为变更，请更正原记录")

    def _simple_penalty(self, sheet: RecordSheet, kind: RecordKind, row: int, v: dict[str, object],
                        group: str | None) -> None:
        cats = self._penalties(v)
        if not cats or not {norm(c) for c in cats} <= self.simple or group is None:
            return
        fine = v.get(kind.fine_field)
        person = group in ("natural_person", "sole_trader")
        limit = self.rules.person_yuan if person else self.rules.organization_yuan
        who = "公民" if person else "法人或其他组织"
        if isinstance(fine, float) and fine > 0:
            yuan = round(fine * 10000, 2)
            if yuan > limit + 1e-6:
                return
            what = f"罚款 {yuan:g} 元（对{who}不超过 {limit:g} 元）" + ("并警告" if "警告" in cats else "")
        elif "警告" in cats:
            what = "警告"
        else:
            return
        self.add(sheet, kind, row, kind.fine_field if "罚款" in cats else "处罚类别", "simple_penalty",
                 f"处罚为{what}，属于适用简易程序的处罚（《行政处罚法》第五十一条）",
                 "适用简易程序作出的行政处罚不应公示，请撤下该条记录；如实际适用普通程序，请核对处罚类别和金额")

    def subject_links(self) -> None:
        """Same 统一社会信用代码, different 行政相对人名称 — in the file, and against the entity list."""
        for code, uses in self.subjects.items():
            listed = self.entities.get(code)
            names = Counter(norm(n) for _, _, n, _ in uses)
            if listed is not None:
                right = norm(listed[0])
                for title, row, name, kind_key in uses:
                    if norm(name) != right:
                        self._subject(title, row, kind_key,
                                      f"行政相对人名称「{name}」与主体名录不一致：代码 {code} 在名录中为"
                                      f"「{listed[0]}」（名录第 {listed[1]} 行）",
                                      "请以登记机关登记的名称为准，核对名称和统一社会信用代码")
                continue
            if len(names) < 2:
                continue
            main = max(names, key=lambda n: (names[n], -next(i for i, u in enumerate(uses) if norm(u[2]) == n)))
            shown = "、".join(dict.fromkeys(f"「{n}」" for _, _, n, _ in uses))
            main_name = next(n for _, _, n, _ in uses if norm(n) == main)
            for title, row, name, kind_key in uses:
                if norm(name) != main:
                    self._subject(title, row, kind_key,
                                  f"统一社会信用代码 {code} 在本文件中对应不同的名称：{shown}",
                                  f"同一代码应对应同一主体：请核对本行名称（多数记录为「{main_name}」）或代码")

    def _subject(self, title: str, row: int, kind_key: str, message: str, hint: str) -> None:
        spec = self.rules.checks["subject"]
        sheet = self.sheets.get(title)
        shown = sheet.label("行政相对人名称") if sheet is not None else "行政相对人名称"
        self.problems.append(Problem(title, self.rules.kind(kind_key).name, row, shown, "subject",
                                     spec.name, message, hint, spec.indicators))


_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_DIGITS_18 = re.compile(r"[\d０-９]{17}")  # cheap pre-filter before the exact ID search
_USCC_SHAPE = re.compile(r"^[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}$")  # what stdnum's validate checks before the check digit


def is_uscc(code: str) -> bool:
    """`stdnum.cn.uscc.is_valid` for an already normalised code, without its two clean-ups:
    the same length and character checks (one regex), then stdnum's own check character."""
    return bool(_USCC_SHAPE.match(code)) and uscc.calc_check_digit(code[:17]) == code[17]


@lru_cache(maxsize=65536)
def is_id_number(text: str) -> bool:
    """A full 18-digit 居民身份证号 with a valid check digit (stdnum.cn.ric), cached per text:
    an export repeats the same numbers and stdnum's validation costs tens of microseconds."""
    return bool(_ID_SHAPE.match(text)) and ric.is_valid(text)


@lru_cache(maxsize=65536)
def uscc_problem(code: str) -> tuple[str, str] | None:
    """(what is wrong, how to fix) for a 统一社会信用代码 (already normalised), or None when valid;
    cached per code (the agency codes repeat on every row)."""
    if is_uscc(code):
        return None
    if len(code) != 18:
        return f"不是 18 位（实际 {len(code)} 位）", "统一社会信用代码为 18 位，请按营业执照或登记证书核对"
    bad = sorted({ch for ch in code[:17] if ch not in _USCC_CHARS})
    if bad:
        return (f"含有统一社会信用代码不使用的字符「{''.join(bad)}」",
                "代码不使用 I、O、Z、S、V，请核对是否把数字 0、1、2、5 看成了字母")
    return (f"校验位错误（按 GB 32100-2015 最后一位应为「{uscc.calc_check_digit(code[:17])}」）",
            "请按营业执照或登记证书逐位核对代码，常见为抄错一位")


def _not_run(file: RecordFile, rules: SgsRules) -> tuple[list[tuple[str, str, str]], dict[str, str], dict[str, str]]:
    """The columns the file lacks, and what that leaves unchecked: (missing, unchecked, partial) by indicator."""
    required = [(s.title, s.kind, name) for s in file.sheets for name in s.missing]
    missing = list(required)
    for s in file.sheets:  # the dates the lateness check needs, required or not, can be mapped too
        for name in (rules.kind(s.kind).decision_field, rules.report_date_field):
            if name not in s.columns and (s.title, s.kind, name) not in missing:
                missing.append((s.title, s.kind, name))
    late_off = []
    for s in file.sheets:
        kind = rules.kind(s.kind)
        gone = [n for n in (kind.decision_field, rules.report_date_field) if n not in s.columns]
        if gone:
            late_off.append(f"工作表「{s.title}」没有{'、'.join(f'「{n}」' for n in gone)}列")
    unchecked: dict[str, str] = {}
    partial: dict[str, str] = {}
    if late_off and len(late_off) == len(file.sheets):
        unchecked["D2b"] = "；".join(late_off) + "，无法判断是否迟报"
    elif late_off:
        partial["D2b"] = "；".join(late_off) + "，这些记录未检查迟报"
    if required:
        names = "、".join(dict.fromkeys(f"「{n}」" for _, _, n in required))
        partial["D2a"] = f"文件中没有{names}列，这些必填项未检查"
        if any(n == "当前状态" for _, _, n in required):
            partial["D15a"] = "文件中没有「当前状态」列，未检查已撤销仍公示"
    return missing, unchecked, partial


def _record_months(file: RecordFile, rules: SgsRules) -> dict[str, int]:
    """How many records fall in each month, by 上报日期 (the month they are reported in), else 决定日期."""
    out: Counter[str] = Counter()
    for s in file.sheets:
        kind = rules.kind(s.kind)
        for _, v in s.rows:
            when = v.get(rules.report_date_field)
            if not isinstance(when, date):
                when = v.get(kind.decision_field)
            if isinstance(when, date) and when.year < 9999:
                out[f"{when.year:04d}-{when.month:02d}"] += 1
    return dict(sorted(out.items()))


def check_records(file: RecordFile, rules: SgsRules, today: date,
                  entities: Mapping[str, tuple[str, int]] | None = None,
                  workdays: Mapping[date, bool] | None = None) -> CheckResult:
    """Every problem of every record in `file`, in sheet and row order.

    `workdays` is the office's entered calendar ({day: is a working day}), read before the package."""
    days = WorkingDays(workdays)
    checker = _Checker(rules, today, days, {norm(k): v for k, v in (entities or {}).items()})
    warnings = list(file.notes)
    missing, unchecked, partial = _not_run(file, rules)
    for sheet in file.sheets:
        checker.sheet(sheet)
    for text in (*unchecked.values(), *partial.values()):
        warnings.append(text)
    checker.subject_links()
    order = {s.title: i for i, s in enumerate(file.sheets)}
    problems = sorted(checker.problems, key=lambda p: (order.get(p.sheet, 0), p.row or 0))
    if days.warning():
        warnings.append(days.warning())
    by_kind = Counter()
    for s in file.sheets:
        by_kind[rules.kind(s.kind).name] += len(s.rows)
    return CheckResult(file.filename, file.n_records, dict(by_kind), problems, warnings, missing, unchecked, partial,
                       _record_months(file, rules))


# ---- the code list (D5) ---------------------------------------------------------------------------


@dataclass
class CodeResult:
    filename: str
    n_codes: int
    problems: list[Problem]

    @property
    def bad_codes(self) -> int:
        """Rows counted under D5: each invalid code, and each repeat of a code after its first row."""
        return len({p.row for p in self.problems})


def check_codes(codes: list[tuple[int, str, bool]], filename: str, sheet: str = "") -> CodeResult:
    """Invalid and duplicated codes of a one-column list, each with its rows."""
    problems: list[Problem] = []
    first: dict[str, int] = {}

    def add(row: int, check: str, message: str, hint: str) -> None:
        problems.append(Problem(sheet or filename, "统一社会信用代码", row, "统一社会信用代码", check,
                                "重码" if check == "duplicate" else "错码", message, hint, ("D5",)))

    for row, text, numeric in codes:
        code = norm(text)
        if numeric:
            add(row, "uscc", f"「{text}」以数字格式保存，末几位可能已丢失", "请把该列设为“文本”格式后重新填写代码")
        else:
            problem = uscc_problem(code)
            if problem:
                add(row, "uscc", f"「{text}」{problem[0]}", problem[1])
        seen = first.setdefault(code, row)
        if seen != row:
            add(row, "duplicate", f"「{text}」与第 {seen} 行重复", "同一主体只应有一个统一社会信用代码记录，请删除或核对重复行")
    return CodeResult(filename, len(codes), problems)


# ---- predicted deductions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    """What a count would cost under one indicator of the framework in force for the month."""

    code: str
    name: str  # the indicator's name in the framework
    what: str  # PREDICTED[code]
    count: int
    before: float  # items already counted this year (flows) — 0 for the D5 stock
    applies: bool
    points: float = 0.0
    step: float = 0.0
    cap: float = 0.0
    deduction: float = 0.0
    note: str = ""
    unchecked: str = ""  # why the check behind this count could not run: the count means nothing
    partial: str = ""  # what part of it could not run: the count is a lower bound

    @property
    def shown_count(self) -> str:
        """The count as a card shows it: 未检查 when the check could not run, never "0 条"."""
        return "未检查" if self.unchecked else f"{self.count} 条"

    def text(self) -> str:
        if self.unchecked:
            return f"未检查：{self.unchecked}"
        if not self.applies:
            return self.note or "本单位不适用该指标，不扣分"
        if self.count == 0:
            if self.partial:
                return f"已检查的部分未发现问题（{self.partial}）"
            return "未发现问题，按当前规则不扣分"
        return (f"按当前规则预计扣 {self.deduction:g} 分" + (f"（{self.note}）" if self.note else "")
                + (f"，至少如此（{self.partial}）" if self.partial else ""))


def predict(code: str, count: int, before: float, framework: Framework, unit: Unit, *, unchecked: str = "",
            partial: str = "") -> Prediction:
    """The marginal deduction of `count` more items on top of `before`, with the framework's
    points, step and cap (read from the indicator, never assumed): deduct(before + count) − deduct(before).
    A check that could not run (`unchecked`) predicts nothing."""
    found = _predict(code, count, before, framework, unit)
    if unchecked:
        return replace(found, count=0, deduction=0.0, unchecked=unchecked)
    return replace(found, partial=partial) if partial else found


def _predict(code: str, count: int, before: float, framework: Framework, unit: Unit) -> Prediction:
    what = PREDICTED[code]
    if code not in framework.codes:
        return Prediction(code, code, what, count, before, False, note=f"当前指标体系中没有 {code}，不扣分")
    ind = framework.indicator(code)
    if ind.rule != "deduct_per_item":
        return Prediction(code, ind.name, what, count, before, False, note="当前规则不是逐项扣分，无法预计")
    if not ind.applies_to.covers(unit):
        return Prediction(code, ind.name, what, count, before, False, ind.points)
    step, cap = float(ind.param("step")), float(ind.param("cap"))
    _, deducted = deduct_per_item([before, before + count], ind.points, step, cap)
    deduction = round(float(deducted[1] - deducted[0]), 4)
    note = ""
    if before and deduction < round(step * count, 4):
        note = f"本年此前已累计 {before:g} 条，本项最多扣 {min(cap, ind.points):g} 分"
    return Prediction(code, ind.name, what, count, before, True, ind.points, step, cap, deduction, note)
