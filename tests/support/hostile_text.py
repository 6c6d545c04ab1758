"""Issue 22 (安全三), text / writes / exports: each example of the issue as one case that returns the
Chinese outcome it ended in, and raises if it got through. Shared by the tests
(tests/store/test_hostile_text.py) and `benchmarks/reliability_report.py`, so a row of the README's
table is printed only when the check the tests assert held.

Every case runs on its own copy of the demo database (`db`), and a refusal must leave that file
byte-identical (nothing half-written).
"""

from __future__ import annotations

import contextlib
import io
import math
import tomllib
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from credit.app import cli
from credit.app.publish import publish_month
from credit.app.service import open_store, score
from credit.errors import CreditError, WorkbookError
from credit.model.accounts import ROLE_UNIT, Actor, PermissionDenied
from credit.reports.bulletin import build_bulletin_data
from credit.reports.exports import export
from credit.store.results import StoredResult, _to_bytes
from credit.workbook.importer import parse_workbook
from tests.support import reliability as rh
from tests.support import sgs as sgs_files
from tests.support import workbooks as wbk
from tests.support.actors import ADMIN, EDITOR
from tests.support.paths import ROOT

DONG = Actor("dongezhen", ROLE_UNIT, "东阿镇", "dong_e")
MONTH = "2022-10"  # the demo's month still collecting
NUMBER = "平信用办〔2022〕90号"


def _unchanged(db: Path, action: Callable[[object], object], name: str,
               refused: type[BaseException] | tuple[type[BaseException], ...] = CreditError,
               because: str | None = None) -> str:
    """The message `action(store)` is refused with; asserts the database file did not change, and —
    given `because` — that the refusal is the one the case is about (not an earlier, unrelated one)."""
    with open_store(db) as store:
        before = rh.db_hash(store)
        try:
            action(store)
        except refused as exc:
            assert rh.db_hash(store) == before, f"{name}: refused but the database changed"
            assert because is None or because in str(exc), f"{name}: refused for another reason: {exc}"
            return str(exc)
    raise AssertionError(f"{name}: accepted")


def with_control(raw: bytes, marker: str = "CTRL", code: int = 1) -> bytes:
    """`raw` with `marker` replaced by a C0 control character, written as Excel writes one
    (`_x0001_`): openpyxl refuses to put a control character in a cell, Excel and calamine do not."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith(".xml"):
                data = data.replace(marker.encode(), f"_x{code:04X}_".encode())
            dst.writestr(info, data)
    return out.getvalue()


def _workbook_refused(db: Path, description: str, name: str) -> str:
    with open_store(db) as store:
        register = store.units.register()
    raw = wbk.events_sheet(wbk.event(事项说明=description))
    raw = with_control(raw) if "CTRL" in description else raw
    try:
        parse_workbook(raw, "扣分事项.xlsx", "2022-03", register)
    except WorkbookError as exc:
        where = [e for e in exc.errors if e.sheet == "扣分事项" and e.row == 2 and e.column == "事项说明"]
        assert where, f"{name}: refused without naming the cell: {exc.errors}"
        return f"扣分事项第 2 行「事项说明」：{where[0].message}"
    raise AssertionError(f"{name}: imported")


def _publish(store, number: str = NUMBER, signer: str = "张三") -> None:
    publish_month(store, "2022-09", number, date(2022, 10, 5), signer, EDITOR, force_reason="测试",
                  objections_confirmed=True, with_pdf=False)


# ---- §2 text ------------------------------------------------------------------------------------

def text_cases(db_of: Callable[[str], Path]) -> list[tuple[str, str, Callable[[], str]]]:
    return [
        ("2 文字", "事项说明含控制字符 \\x01", lambda: _workbook_refused(db_of("c1"), "违规CTRL事项", "x01")),
        ("2 文字", "事项说明含 U+202E（从右到左覆盖）", lambda: _workbook_refused(db_of("c2"), "正常\u202e项事", "rlo")),
        ("2 文字", "事项说明含零宽空格", lambda: _workbook_refused(db_of("c3"), "东阿\u200b镇", "zwsp")),
        ("2 文字", "文号含 \\x01", lambda: _unchanged(db_of("c4"), lambda s: _publish(s, "平信用办\x01〔2022〕90号"), "文号")),
        ("2 文字", "签发人含 \\x07", lambda: _unchanged(db_of("c5"), lambda s: _publish(s, signer="张\x07三"), "签发人")),
        ("2 文字", "10,000 字的文号", lambda: _unchanged(db_of("c6"), lambda s: _publish(s, "平" * 10_000 + "〔2022〕90号"),
                                                  "长文号")),
        ("2 文字", "申诉理由含 U+202E", lambda: _unchanged(db_of("c7"), lambda s: s.unit_desk.raise_objection(
            DONG, s.unit_desk.collecting_month(), "dong_e", "figure", "理由\u202e", field="本月出台信用制度文件数",
            proposed=2), "申诉理由", because="文字方向控制字符")),
        ("2 文字", "通报正文含 \\x0b", lambda: _unchanged(db_of("c8"), lambda s: s.publishing.save_text(
            MONTH, {"overall": "总体\x0b情况"}, EDITOR), "通报正文")),
        ("2 文字", "单位更名含零宽连字", lambda: _unchanged(db_of("c9"), lambda s: s.units.rename(
            "dong_e", "东阿\u200d镇", MONTH, ADMIN), "单位名称")),
        ("2 文字", "双公示文件单元格含 \\x01", lambda: _sgs_cell(db_of("c10"))),
        ("2 文字", "申诉理由、文号写作 Markdown 链接、图片、网址、邮箱", _markdown_shown),
    ]


def _markdown_shown() -> str:
    """ui.safe.md, checked as Streamlit renders Markdown (remark-gfm with its literal autolinks)."""
    from tests.support.markdown_check import links
    from ui.safe import md

    texts = ["[点此查看](http://e.com)", "![i](http://e.com/a.png)", "www.e.com", "http://e.com", "e@e.com",
             "<http://e.com/x>", "[链](http://e.com)〔2022〕90号"]
    assert all(links(t) for t in texts) and not any(links(md(t)) for t in texts)
    return f"{len(texts)} 种写法原样显示为文字：无链接、无外站图片（页面经 ui.safe.md 显示用户文字）"


def _sgs_cell(db: Path) -> str:
    from credit.app.sgs import current_rules
    from credit.workbook.sgs_reader import read_records

    with open_store(db) as store:
        rules = current_rules(store)
    record = sgs_files.licence()
    field = next(k for k, v in record.items() if isinstance(v, str) and not v[:1].isdigit())
    raw = with_control(sgs_files.xlsx([{**record, field: "许可CTRL决定"}]))
    sheet = read_records(raw, "许可.xlsx", rules).sheets[0]
    problems = [msg for (row, name), (msg, _) in sheet.bad.items() if name == field]
    assert problems and all("\x01" not in str(v) for _, values in sheet.rows for v in values.values()), sheet.bad
    return f"「{field}」列：{problems[0]}（该格不带入问题清单和生成数据）"


# ---- §3 writes and numbers ------------------------------------------------------------------------

def write_cases(db_of: Callable[[str], Path]) -> list[tuple[str, str, Callable[[], str]]]:
    return [
        ("3 写入", "set_meta 不带 by=", lambda: _unchanged(db_of("w1"), lambda s: s.settings.set("login_required", "0"),
                                                        "set_meta", TypeError) and "缺少操作账户参数（TypeError），未写入"),
        ("3 写入", "信用办设 demo=1", lambda: _unchanged(db_of("w2"), lambda s: s.settings.set("demo", "1", by=EDITOR),
                                                      "demo", PermissionDenied)),
        ("3 写入", "伪造计分缓存（东阿镇 100 分）", lambda: _forged_results(db_of("w3"))),
        *(("3 数值", f"申诉数值 {shown}", lambda v=v, n=shown, why=why: _unchanged(
            db_of(f"n{n}"), lambda s: s.unit_desk.raise_objection(
                DONG, s.unit_desk.collecting_month(), "dong_e", "figure", "数值有误", field="本月出台信用制度文件数",
                proposed=v), n, because=why))
          for shown, v, why in (("NaN", math.nan, "应为数字"), ("inf", math.inf, "应为数字"),
                                ("1e300", 1e300, "超出合理范围"))),
        ("3 数值", "信易贷目标 inf", lambda: _unchanged(db_of("n4"), lambda s: s.frameworks.set_xyd_target(2023, 100, math.inf, EDITOR),
                                                     "xyd")),
        *(("3 月份", f"导入 {m}", lambda m=m: _month_refused(db_of(f"m{m}"), m)) for m in ("2099-01", "1999-12", "0001-01")),
    ]


def _forged_results(db: Path) -> str:
    with open_store(db) as store:
        real = score(store, MONTH, "镇街").summary.set_index("unit_id")["score"]["dong_e"]
        row = store.results.get(*_key(store))
        forged = row.summary.assign(score=100.0)
        try:
            store.results.put(*_key(store), StoredResult(forged, row.detail, row.items, row.unreported), by=ADMIN)
            raise AssertionError("results.put accepted an office actor")
        except PermissionDenied as exc:
            message = str(exc)
        store._core.conn.execute("UPDATE computed_results SET summary = ?", (_to_bytes(forged),))
    with open_store(db) as store:
        shown = score(store, MONTH, "镇街").summary.set_index("unit_id")["score"]["dong_e"]
    assert shown == real != 100.0, (shown, real)
    return f"写入被拒绝（{message}）；改写数据库中的缓存行后仍显示真实得分 {shown:.2f}"


def _key(store) -> tuple:
    from credit.app.service import framework_for
    from credit.reports.scored import ENGINE_VERSION

    return (MONTH, "镇街", "rescale", store.data_version(), framework_for(store, "镇街", MONTH).version_id,
            ENGINE_VERSION)


def _month_refused(db: Path, month: str) -> str:
    code, err = _cli("import", "--db", db, "--month", month, ROOT / "README.md")
    assert code != 0 and ("超出可填报的范围" in err or "格式有误" in err), err
    with open_store(db) as store:
        assert month not in store.datasets.months_with_data()
        message = _unchanged(db, lambda s: parse_workbook(wbk.town_sheet(), "x.xlsx", month, s.units.register()), month)
    return f"命令行与导入均拒绝：{message}"


def _cli(*args: object) -> tuple[int, str]:
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:  # argparse refuses a flag this way
            code = int(exc.code or 0)
    return code, err.getvalue() + out.getvalue()


# ---- §4 CSV, §5 exports ---------------------------------------------------------------------------

def export_cases(db_of: Callable[[str], Path]) -> list[tuple[str, str, Callable[[], str]]]:
    return [
        ("4 CSV", "单位名 =HYPERLINK(…) 经 scores --format csv", lambda: _csv(db_of("e1"))),
        ("4 CSV", "表格工具栏“下载 CSV”", _toolbar),
        ("5 导出", "东阿镇下载采集中月份的 Excel 通报", lambda: _unit_export(db_of("e3"))),
    ]


def _csv(db: Path) -> str:
    name = '=HYPERLINK("http://e.com","点我")'
    with open_store(db) as store:
        store.units.rename("dong_e", name, "2022-01", ADMIN)
    code, out = _cli("scores", "--db", db, "--month", MONTH, "--group", "镇街", "--format", "csv")
    assert code == 0 and "'=HYPERLINK" in out and "\n=HYPERLINK" not in out and ",=HYPERLINK" not in out, out
    return "单位名写作文本（'=HYPERLINK…），不被当作公式"


def _toolbar() -> str:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True
    return "client.disableDataExport = true：表格自带的 CSV 下载与复制已关闭，下载只经平台的防公式按钮"


def _unit_export(db: Path) -> str:
    import pandas as pd

    with open_store(db) as store:
        data = build_bulletin_data(store, MONTH)
        sheets = pd.read_excel(io.BytesIO(export(store, data, "xlsx", DONG)), sheet_name=None, engine="calamine")
    assert set(sheets["镇街明细"]["单位"]) == {"东阿镇"} and sheets["部门明细"].empty
    assert set(sheets["扣分事项"]["单位"]) <= {"东阿镇"}
    assert "草稿" in sheets["总体情况"]["内容"].iloc[0]
    return "只含本单位的明细、扣分事项和预警，标题标明（草稿，未签发）"


def all_cases(db_of: Callable[[str], Path]) -> list[tuple[str, str, Callable[[], str]]]:
    return [*text_cases(db_of), *write_cases(db_of), *export_cases(db_of)]
