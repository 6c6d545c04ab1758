"""双公示预检: a department's 行政许可/行政处罚 records (or its code list) checked before the city
does, with the predicted deduction, the problem list to send back, and — for 信用办 — "apply".

Thin: every check, prediction, export and write is `credit.app.sgs`; the check writes nothing.
The units offered come from `checkable_units`, so a unit account will see only its own.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from credit.app import sgs
from credit.common.clock import beijing, this_month, today
from credit.common.filetypes import XLSX_MIME
from credit.common.months import month_label
from credit.errors import CreditError, WorkbookError
from credit.model.accounts import Action, Actor
from credit.model.workdays import days_text
from credit.workbook.preview import candidate_months
from ui import actions
from ui.auth import require
from ui.context import current_month, data_version, months, store
from ui.router import ensure_router
from ui.safe import md

ensure_router()

APPLIED_KEY = "sgs_applied"  # (unit, month, file sha256) already applied in this session
PLAN_KEY = "sgs_plan"
RESULT_KEY = "sgs_apply_result"
RULES_SLOT = "sgs-rules"  # what the last save/reset of the rules did (ui.actions)
FLASH_KEY = "sgs_rules_flash"
MAP_FLASH_KEY = "sgs_map_flash"
CAL_FLASH_KEY = "sgs_cal_flash"
FOLLOWED_KEY = "sgs_month_followed"  # the sidebar month the page last followed
NO_COLUMN = "（不对应，保持未检查）"
GROUP_NAMES = {"organization": "法人及非法人组织", "natural_person": "自然人", "sole_trader": "个体工商户"}

st.title("双公示预检")
actor = require(Action.PRECHECK)
if actor is None:
    st.caption("登录信用办或管理员账户后，可在此检查各部门的行政许可、行政处罚数据。")
    st.stop()
st.caption("在上报前检查各部门的“双公示”数据：必填项、统一社会信用代码、日期、7 个工作日上报期限、重复公示、"
           "已撤销仍公示、公示简易处罚、主体关联错误，并按当前指标体系预计扣分。检查本身不保存任何数据。")


def _fail(exc: CreditError) -> None:
    if not isinstance(exc, WorkbookError):  # e.g. another unit's data asked for: refused in the domain
        st.error(md(str(exc)), icon="🔒")
        return
    st.error(f"文件有 {len(exc.errors)} 处问题，无法检查：")
    st.dataframe(pd.DataFrame([e.as_dict() for e in exc.errors]).astype(str), hide_index=True, width="stretch")


@st.cache_data(show_spinner="正在检查…", max_entries=16)
def _check(raw: bytes, filename: str, unit_id: str, month: str, entities: tuple[bytes, str] | None,
           version: int, today: date, by: Actor) -> sgs.SgsReport:
    """`by` (the session's account) is part of the cache key: the domain checks who may read the unit's mapping."""
    unit = store().units.register().get(unit_id)
    return sgs.run_check(store(), unit, month, raw, filename, by=by, entities=entities, today=today)


@st.cache_data(show_spinner="正在检查…", max_entries=16)
def _check_codes(raw: bytes, filename: str, unit_id: str, month: str, version: int) -> sgs.CodeReport:
    return sgs.run_code_check(store(), store().units.register().get(unit_id), month, raw, filename)


if actor.unit_id and not sgs.precheck_applies(store().units.register(), actor.unit_id):
    st.info("双公示预检用于部门（单位）在上报前检查本部门的行政许可、行政处罚数据。本单位属于镇（街道），"
            "没有需要预检的双公示数据。")
    st.stop()
options, default = candidate_months(months(), this_month())
sidebar = current_month()
if sidebar and sidebar not in options:
    options = sorted({*options, sidebar}, reverse=True)
if sidebar and st.session_state.get(FOLLOWED_KEY) != sidebar:  # the page's month follows the sidebar's
    st.session_state[FOLLOWED_KEY] = sidebar
    st.session_state["sgs_month"] = sidebar
if st.session_state.get("sgs_month") not in options:
    st.session_state["sgs_month"] = sidebar or default
c1, c2 = st.columns(2)
fills = actor.can(Action.IMPORT)
month = c1.selectbox("考核月份（按该月指标体系预计扣分" + ("；“填入”写入该月部门数据）" if fills else "）"), options,
                     key="sgs_month", format_func=month_label)
units = sgs.checkable_units(store().units.register(), month, actor)
if not units:
    st.info(f"{month_label(month)} 单位名册中没有可检查的部门（单位）。")
    st.stop()
unit = c2.selectbox("部门（单位）", units, format_func=lambda u: u.name_at(month), key="sgs_unit")

tab_records, tab_codes, tab_rules, tab_days = st.tabs(["双公示数据预检", "统一社会信用代码清单", "预检规则", "工作日日历"])


def _predictions(preds) -> None:
    cols = st.columns(len(preds))
    for col, p in zip(cols, preds):
        col.metric(p.what, p.shown_count, help=f"计入指标：{p.name}（指标代码 {p.code}）")
        col.markdown(f"**{p.text()}**" if p.applies and p.count and not p.unchecked else p.text())


def _problems_table(frame: pd.DataFrame, names: dict[str, str], key: str) -> None:
    codes = "；".join(f"{n} = {c}" for c, n in names.items())
    st.dataframe(frame, hide_index=True, width="stretch", key=key, column_config={
        "行": st.column_config.NumberColumn("行", format="%d", help="Excel 中的行号"),
        "问题": st.column_config.TextColumn(width="large"),
        "修改建议": st.column_config.TextColumn(width="large"),
        "计入指标": st.column_config.TextColumn(help=f"该问题计入的考核指标（指标代码：{codes}）"),
    })


def _mapping_section(report: sgs.SgsReport) -> None:
    """Required columns the file lacks: let the user say which of the file's columns holds each."""
    missing: dict[tuple[str, str], list[str]] = {}
    for title, kind_key, name in report.result.missing:
        missing.setdefault((title, kind_key), []).append(name)
    if not missing:
        return
    st.subheader("列对应")
    st.caption("下列必填项（或判断迟报所需的日期）在文件中没有识别出对应的列，相关检查未进行（显示为“未检查”，不计为 0）。"
               "如果文件中有这一项，"
               "只是表头写法不同，请选择对应的列并保存：本单位以后上传的文件按此读取（记入操作日志）。")
    for (title, kind_key), names in missing.items():
        kind_name = sgs.current_rules(store()).kind(kind_key).name
        extra = report.file_columns.get(title, [])
        with st.form(f"sgs-map-{title}-{kind_key}", border=True):
            st.markdown(f"工作表「{title}」（{kind_name}）")
            if not extra:
                st.caption("文件中没有其他未识别的列可供选择：请在上报系统导出时包含这些字段。")
            chosen = {name: st.selectbox(f"「{name}」对应文件中的哪一列", [NO_COLUMN, *extra],
                                         key=f"sgs-map-{title}-{kind_key}-{name}") for name in names}
            if st.form_submit_button("保存列对应并重新检查", disabled=not extra):
                picked = {n: h for n, h in chosen.items() if h != NO_COLUMN}
                if not picked:
                    st.warning("没有选择任何列，未保存。")
                    return
                if not actions.run("sgs-map", lambda k=kind_key, p=picked: sgs.save_column_mapping(
                        store(), report.unit, k, p, actor), now=True, refused="未保存："):
                    return
                st.session_state[MAP_FLASH_KEY] = ("已保存列对应（" + "、".join(f"「{n}」←「{h}」" for n, h in picked.items())
                                                   + "），已按新的对应重新检查。")
                st.rerun()


def _saved_mapping(report: sgs.SgsReport) -> None:
    """The unit's remembered columns this check used, and a way to undo a wrong choice."""
    st.caption("已按本单位保存的列对应读取：" + "、".join(
        f"「{n}」←「{h}」" for cols in report.mapping.values() for n, h in cols.items()))
    if st.button("取消这些列对应", key="sgs-map-forget", help="对应选错时使用：取消后这些字段重新显示为未识别，可重新选择"):
        n = sgs.forget_column_mapping(store(), report.unit, report.mapping, actor)
        st.session_state[MAP_FLASH_KEY] = f"已取消 {n} 项列对应（已记入操作日志），请重新选择。"
        st.rerun()


def _apply_section(report: sgs.SgsReport, sha: str) -> None:
    """信用办: the check's three figures into the month's 部门 sheet — preview, then confirm."""
    st.subheader(f"填入 {month_label(month)} 部门数据")
    token = (report.unit.id, month, sha)
    done = st.session_state.get(RESULT_KEY)
    if done and done["token"] == token:
        st.success(md(done["text"]))
        return
    figures = "、".join(f"{k} = {v}" for k, v in report.figures.items())
    st.caption(f"将 {md(report.unit_name)} 的 {md(figures)} 作为 {month_label(month)}「部门」工作表的新数据版本导入"
               "（其他单位和其他数据项保持当前值）。导入前先预览，确认后才写入，并记入操作日志。")
    plan_state = st.session_state.get(PLAN_KEY)
    if st.button("生成导入预览", key="sgs-plan"):
        plan_state = {"token": token, "plan": sgs.plan_apply(store(), report)}
        st.session_state[PLAN_KEY] = plan_state
    if not plan_state or plan_state["token"] != token:
        return
    plan: sgs.ApplyPlan = plan_state["plan"]
    if not plan.check.ok:
        st.error("生成的部门数据未通过月报表检查，未导入：")
        st.dataframe(pd.DataFrame([e.as_dict() for e in plan.check.errors]).astype(str), hide_index=True)
        return
    rows = [{"数据项": k, "当前值": "（空白）" if cur is None else f"{cur:g}", "填入值": str(new)}
            for k, (cur, new) in plan.changes.items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="sgs-changes")
    sheet = plan.preview.sheets[0] if plan.preview and plan.preview.sheets else None
    if sheet is not None:
        st.caption(sheet.note)
    if plan.preview is not None and not plan.preview.will_change:
        st.info("填入值与当前数据完全相同，无需导入。")
        return
    if token in st.session_state.get(APPLIED_KEY, set()):
        st.info("本次检查结果已填入过，不会重复导入。")
        return
    if st.button("确认导入", type="primary", key="sgs-confirm"):
        outcome = actions.run("sgs-apply", lambda: sgs.apply(store(), plan, actor), now=True,
                              refused="导入失败，未写入任何数据：")
        if not outcome:
            return
        created = outcome.value
        st.session_state.setdefault(APPLIED_KEY, set()).add(token)
        st.session_state.pop(PLAN_KEY, None)
        versions = "、".join(f"「{s}」第 {v} 版" for s, v in created) or "无变化"
        st.session_state[RESULT_KEY] = {"token": token, "text": f"已导入 {month_label(month)}：新建版本 {versions}。"}
        st.rerun()


with tab_records:
    up = st.file_uploader("上传双公示数据（从上报系统导出的行政许可、行政处罚数据，.xlsx / .xls / .csv）", key="sgs-file",
                          help="单个文件不超过 10 MB；按表头文字识别列，标题行、列顺序和多余列不影响。")
    with st.expander("可选：主体名录（核对统一社会信用代码与名称是否对应）"):
        ent = st.file_uploader("主体名录（两列：统一社会信用代码、名称；.xlsx / .xls / .csv）", key="sgs-entities")
    st.download_button("下载空白导出模板（Excel）", data=lambda: sgs.blank_template(sgs.current_rules(store())),
                       file_name="双公示数据空白模板.xlsx", mime=XLSX_MIME, on_click="ignore",
                       icon=":material/download:", key="sgs-template",
                       help="按全国“双公示”数据标准的字段排好表头，上报系统无法导出时可按此填写后上传检查。")
    if st.session_state.get(MAP_FLASH_KEY):
        st.success(st.session_state.pop(MAP_FLASH_KEY))
    if up is None:
        st.caption("上传后在此显示问题清单和预计扣分。")
    else:
        raw = up.getvalue()
        entities = (ent.getvalue(), ent.name) if ent is not None else None
        checked = actions.run("sgs-check", lambda: _check(raw, up.name, unit.id, month, entities, data_version(),
                                                          sgs.beijing_today(), actor), now=True, on_refused=_fail)
        report = checked.value if checked else None
        if report is not None:
            res = report.result
            kinds = "、".join(f"{k} {n} 条" for k, n in res.by_kind.items())
            found = (f"已检查的部分发现 **{len(res.problems)}** 个问题，部分检查未进行（见下方提示）"
                     if res.unchecked or res.partial else f"发现 **{len(res.problems)}** 个问题")
            st.markdown(f"**{md(report.unit_name)}**：共 {res.n_records} 条记录（{kinds}），{found}。")
            if report.month_warning():
                st.warning(report.month_warning())
            for w in res.warnings:
                st.warning(w)
            if report.mapping:
                _saved_mapping(report)
            _mapping_section(report)
            _predictions(report.predictions)
            if res.problems:
                _problems_table(report.problems_frame(), report.indicator_names, "sgs-problems")
            elif res.unchecked or res.partial:
                st.info("已检查的部分未发现问题；未检查的项目见上方提示。")
            else:
                st.success("未发现问题。")
            st.download_button("下载问题清单（Excel）", data=lambda: sgs.problems_excel(report),
                               file_name=f"双公示预检问题清单_{report.unit_name}_{month}.xlsx", mime=XLSX_MIME,
                               on_click="ignore", icon=":material/download:", key="sgs-download")
            if fills:  # a unit account checks its own records; only the office fills them in
                st.divider()
                _apply_section(report, hashlib.sha256(raw).hexdigest())

with tab_codes:
    st.caption("统一社会信用代码重错码存续情况：上传一列统一社会信用代码（第一行表头“统一社会信用代码”），"
               "列出错码（位数、字符、校验位）和重码，按当前规则预计扣分。")
    cup = st.file_uploader("上传统一社会信用代码清单（.xlsx / .xls / .csv）", key="sgs-codes")
    if cup is not None:
        checked = actions.run("sgs-codes", lambda: _check_codes(cup.getvalue(), cup.name, unit.id, month, data_version()),
                              now=True, on_refused=_fail)
        creport = checked.value if checked else None
        if creport is not None:
            st.markdown(f"共 {creport.result.n_codes} 个代码，重错码 **{creport.result.bad_codes}** 条。")
            _predictions([creport.prediction])
            if creport.current_stock is not None:
                st.caption(f"{month_label(month)} 当前数据中该单位的重错码条数为 {creport.current_stock:g}。")
            if creport.result.problems:
                _problems_table(creport.problems_frame(), creport.names, "sgs-code-problems")
            st.download_button("下载重错码清单（Excel）", data=lambda: sgs.problems_excel(creport),
                               file_name=f"统一社会信用代码重错码_{unit.name_at(month)}.xlsx", mime=XLSX_MIME,
                               on_click="ignore", icon=":material/download:", key="sgs-code-download")

with tab_rules:
    actions.show(RULES_SLOT)
    rules = sgs.current_rules(store())
    names = sgs.month_indicator_names(store(), month)
    saved = "信用办保存的版本" if "信用办" in rules.source else "默认规则"
    st.markdown(f"**{rules.title}**（当前使用{saved}）。字段取自全国“双公示”数据标准；哪些必填、表头的其他写法、"
                "简易程序限额是本平台的理解，信用办可以修改。")
    st.markdown(
        f"- 上报期限：决定作出后 **{rules.report_days} 个工作日**内（按法定工作日，含调休，见“工作日日历”）。\n"
        f"- 简易程序限额：对公民 {rules.person_yuan:g} 元以下、对法人或其他组织 {rules.organization_yuan:g} 元以下"
        f"罚款或警告（《行政处罚法》第五十一条），罚款金额按万元填报。\n"
        f"- 已撤销的写法：{'、'.join(rules.revoked)}。")
    st.markdown("**每类问题计入的考核指标**")
    st.dataframe(pd.DataFrame([{
        "问题类型": c.name, "计入指标": "、".join(names.get(i, i) for i in c.indicators) or "不计入",
    } for c in rules.checks.values()] + [{"问题类型": "统一社会信用代码清单中的错码、重码",
                                         "计入指标": names.get("D5", "统一社会信用代码重错码存续情况")}]),
                 hide_index=True, width="stretch", key="sgs-rule-checks",
                 column_config={"计入指标": st.column_config.TextColumn(
                     help="指标代码：" + "；".join(f"{n} = {c}" for c, n in names.items()))})
    for kind in rules.kinds:
        with st.expander(f"{kind.name}：{len(kind.fields)} 个字段"):
            st.dataframe(pd.DataFrame([{
                "字段": f.name,
                "必填": "是" if f.required else ("仅" + "、".join(GROUP_NAMES[g] for g in f.required_for)
                                                 if f.required_for else "否"),
                "其他表头写法": "、".join(f.aliases) or "—",
            } for f in kind.fields]), hide_index=True, width="stretch")
    st.download_button("下载当前规则文件（修改后可在下方上传替换）", data=rules.text.encode("utf-8"),
                       file_name="双公示预检规则.toml", mime="text/plain", on_click="ignore", key="sgs-rules-download")
    if actor.can(Action.SETTINGS):
        new = st.file_uploader("上传修改后的规则文件（.toml），校验通过后保存为新版本", key="sgs-rules-file")
        if new is not None:
            checked = actions.run(RULES_SLOT, lambda: sgs.uploaded_rules(new.getvalue(), new.name), now=True,
                                  refused="规则文件有误，未保存：", done="规则文件校验通过。")
            if checked:
                text = checked.value
                if st.button("保存为新版本", key="sgs-rules-save"):
                    actions.run(RULES_SLOT, lambda: sgs.save_rules(store(), text, actor), rerun=True, now=True,
                                done="已保存新版本规则，此后的检查按新规则进行（已记入操作日志）。")
        if st.button("恢复默认规则", key="sgs-rules-reset"):
            actions.run(RULES_SLOT, lambda: sgs.reset_rules(store(), actor), rerun=True, now=True,
                        done="已恢复默认规则（已记入操作日志）。")
        history = sgs.rules_versions(store())
        if history:
            st.caption("此前保存的版本：" + "；".join(f"{beijing(h['at'], seconds=False)} {md(h['who'])}" for h in history[:10]))

with tab_days:
    if st.session_state.get(CAL_FLASH_KEY):
        st.success(st.session_state.pop(CAL_FLASH_KEY))
    year_now = today().year
    st.caption("迟报按法定工作日计算：放假日不算、调休上班的周六周日算。每年的放假安排以国务院办公厅通知为准；"
               "本平台录入的年份优先，其次为程序内置的历年通知，都没有时按周一至周五计算。")
    table = sgs.calendar_years(store(), year_now)
    st.dataframe(table, hide_index=True, width="stretch", key="sgs-calendar-years",
                 column_config={"工作日来源": st.column_config.TextColumn(help=sgs.PACKAGE_NOTE)})
    for row in table.to_dict("records"):
        if row["提示"]:
            st.warning(f"{row['年份']}{row['提示']}。" + ("请在通知发布后录入。" if actor.can(Action.SETTINGS) else
                                                     "信用办录入后按录入的安排计算。"))
    entered = store().workdays.years()
    if actor.can(Action.SETTINGS):
        st.subheader("录入或更正一年的放假安排")
        year = st.selectbox("年份", list(range(year_now - 1, year_now + 3)), index=2, key="sgs-cal-year",
                            format_func=lambda y: f"{y} 年")
        have = entered.get(year)
        with st.form(f"sgs-cal-form-{year}", border=True):
            off = st.text_area("放假日期（每行一个日期或一段，如 2027-02-06 至 2027-02-12；含放假期间的周末）",
                               value=days_text(have.holidays) if have else "", key=f"sgs-cal-off-{year}", height=150)
            on = st.text_area("调休上班日期（周六或周日，每行一个）", value=days_text(have.workdays) if have else "",
                              key=f"sgs-cal-on-{year}", height=90)
            if st.form_submit_button("保存该年安排"):
                saved = actions.run("sgs-cal", lambda: sgs.save_calendar_year(store(), year, off, on, actor), now=True,
                                    refused="未保存：")
                if saved:
                    cal = saved.value
                    st.session_state[CAL_FLASH_KEY] = (f"已保存 {cal.year} 年：放假 {len(cal.holidays)} 天、"
                                                       f"调休上班 {len(cal.workdays)} 天（已记入操作日志）。")
                    st.rerun()
        if have is not None and st.button(f"清除 {year} 年的录入", key="sgs-cal-clear"):
            store().workdays.clear_year(year, actor)
            st.session_state[CAL_FLASH_KEY] = f"已清除 {year} 年的录入（已记入操作日志）。"
            st.rerun()
    elif entered:
        for y, cal in entered.items():
            st.markdown(f"**{y} 年**（本平台录入）放假：{days_text(cal.holidays).replace(chr(10), '、')}；"
                        f"调休上班：{days_text(cal.workdays).replace(chr(10), '、') or '无'}")
