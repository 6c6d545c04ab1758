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
from credit.common.clock import beijing, this_month
from credit.common.filetypes import XLSX_MIME
from credit.common.months import month_label
from credit.errors import WorkbookError
from credit.scoring.sgs import CALENDAR_VERSION, CALENDAR_YEARS
from credit.workbook.preview import candidate_months
from ui import actions
from ui.auth import require
from ui.context import data_version, months, store
from ui.router import ensure_router

ensure_router()

APPLIED_KEY = "sgs_applied"  # (unit, month, file sha256) already applied in this session
PLAN_KEY = "sgs_plan"
RESULT_KEY = "sgs_apply_result"
RULES_SLOT = "sgs-rules"  # what the last save/reset of the rules did (ui.actions)
GROUP_NAMES = {"organization": "法人及非法人组织", "natural_person": "自然人", "sole_trader": "个体工商户"}

st.title("双公示预检")
actor = require("precheck")
if actor is None:
    st.caption("登录信用办或管理员账户后，可在此检查各部门的行政许可、行政处罚数据。")
    st.stop()
st.caption("在上报前检查各部门的“双公示”数据：必填项、统一社会信用代码、日期、7 个工作日上报期限、重复公示、"
           "已撤销仍公示、公示简易处罚、主体关联错误，并按当前指标体系预计扣分。检查本身不保存任何数据。")


def _fail(exc: WorkbookError) -> None:
    st.error(f"文件有 {len(exc.errors)} 处问题，无法检查：")
    st.dataframe(pd.DataFrame([e.as_dict() for e in exc.errors]).astype(str), hide_index=True, width="stretch")


@st.cache_data(show_spinner="正在检查…", max_entries=16)
def _check(raw: bytes, filename: str, unit_id: str, month: str, entities: tuple[bytes, str] | None,
           version: int, today: date) -> sgs.SgsReport:
    unit = store().register().get(unit_id)
    return sgs.run_check(store(), unit, month, raw, filename, entities=entities, today=today)


@st.cache_data(show_spinner="正在检查…", max_entries=16)
def _check_codes(raw: bytes, filename: str, unit_id: str, month: str, version: int) -> sgs.CodeReport:
    return sgs.run_code_check(store(), store().register().get(unit_id), month, raw, filename)


options, default = candidate_months(months(), this_month())
if st.session_state.get("sgs_month") not in options:
    st.session_state["sgs_month"] = default
c1, c2 = st.columns(2)
month = c1.selectbox("考核月份（按该月指标体系预计扣分；“填入”写入该月部门数据）", options, key="sgs_month",
                     format_func=month_label)
units = sgs.checkable_units(store().register(), month, actor)
if not units:
    st.warning(f"{month_label(month)} 没有可检查的部门（单位）。")
    st.stop()
unit = c2.selectbox("部门（单位）", units, format_func=lambda u: u.name_at(month), key="sgs_unit")

tab_records, tab_codes, tab_rules = st.tabs(["双公示数据预检", "统一社会信用代码清单", "预检规则"])


def _predictions(preds) -> None:
    cols = st.columns(len(preds))
    for col, p in zip(cols, preds):
        col.metric(f"{p.code} {p.what}", f"{p.count} 条", help=p.name)
        col.markdown(f"**{p.text()}**" if p.applies and p.count else p.text())


def _apply_section(report: sgs.SgsReport, sha: str) -> None:
    """信用办: the check's three figures into the month's 部门 sheet — preview, then confirm."""
    st.subheader(f"填入 {month_label(month)} 部门数据")
    token = (report.unit.id, month, sha)
    done = st.session_state.get(RESULT_KEY)
    if done and done["token"] == token:
        st.success(done["text"])
        return
    figures = "、".join(f"{k} = {v}" for k, v in report.figures.items())
    st.caption(f"将 {report.unit_name} 的 {figures} 作为 {month_label(month)}「部门」工作表的新数据版本导入"
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
    if up is None:
        st.caption("上传后在此显示问题清单和预计扣分。")
    else:
        raw = up.getvalue()
        entities = (ent.getvalue(), ent.name) if ent is not None else None
        try:
            report = _check(raw, up.name, unit.id, month, entities, data_version(), sgs.beijing_today())
        except WorkbookError as exc:
            _fail(exc)
            report = None
        if report is not None:
            res = report.result
            kinds = "、".join(f"{k} {n} 条" for k, n in res.by_kind.items())
            st.markdown(f"**{report.unit_name}**：共 {res.n_records} 条记录（{kinds}），发现 **{len(res.problems)}** 个问题。")
            for w in res.warnings:
                st.warning(w)
            _predictions(report.predictions)
            if res.problems:
                st.dataframe(report.problems_frame(), hide_index=True, width="stretch", key="sgs-problems",
                             column_config={"问题": st.column_config.TextColumn(width="large"),
                                            "修改建议": st.column_config.TextColumn(width="large")})
            else:
                st.success("未发现问题。")
            st.download_button("下载问题清单（Excel）", data=lambda: sgs.problems_excel(report),
                               file_name=f"双公示预检问题清单_{report.unit_name}_{month}.xlsx", mime=XLSX_MIME,
                               on_click="ignore", icon=":material/download:", key="sgs-download")
            if actor.can("import"):  # a unit account checks its own records; only the office fills them in
                st.divider()
                _apply_section(report, hashlib.sha256(raw).hexdigest())

with tab_codes:
    st.caption("统一社会信用代码重错码存续情况：上传一列统一社会信用代码（第一行表头“统一社会信用代码”），"
               "列出错码（位数、字符、校验位）和重码，按当前规则预计扣分。")
    cup = st.file_uploader("上传统一社会信用代码清单（.xlsx / .xls / .csv）", key="sgs-codes")
    if cup is not None:
        try:
            creport = _check_codes(cup.getvalue(), cup.name, unit.id, month, data_version())
        except WorkbookError as exc:
            _fail(exc)
            creport = None
        if creport is not None:
            st.markdown(f"共 {creport.result.n_codes} 个代码，重错码 **{creport.result.bad_codes}** 条。")
            _predictions([creport.prediction])
            if creport.current_stock is not None:
                st.caption(f"{month_label(month)} 当前数据中该单位的重错码条数为 {creport.current_stock:g}。")
            if creport.result.problems:
                st.dataframe(creport.problems_frame(), hide_index=True, width="stretch", key="sgs-code-problems")
            st.download_button("下载重错码清单（Excel）", data=lambda: sgs.problems_excel(creport),
                               file_name=f"统一社会信用代码重错码_{unit.name_at(month)}.xlsx", mime=XLSX_MIME,
                               on_click="ignore", icon=":material/download:", key="sgs-code-download")

with tab_rules:
    actions.show(RULES_SLOT)
    rules = sgs.current_rules(store())
    st.markdown(f"**{rules.title}**（{rules.source}）　[interp] 字段取自全国“双公示”数据标准，必填、别名、限额为默认理解，"
                "信用办可修改。")
    st.markdown(
        f"- 上报期限：决定作出后 **{rules.report_days} 个工作日**内（中国法定工作日，含调休；"
        f"chinese-calendar {CALENDAR_VERSION} 含 {CALENDAR_YEARS[0]}—{CALENDAR_YEARS[1]} 年，其他年份按周一至周五计）。\n"
        f"- 简易程序限额：对公民 {rules.person_yuan:g} 元以下、对法人或其他组织 {rules.organization_yuan:g} 元以下"
        f"罚款或警告（《行政处罚法》第五十一条），罚款金额按万元填报。\n"
        f"- 已撤销的写法：{'、'.join(rules.revoked)}。\n"
        "- 计入指标：" + "；".join(f"{c.name} → {'、'.join(c.indicators) or '不计'}" for c in rules.checks.values()))
    for kind in rules.kinds:
        with st.expander(f"{kind.name}：{len(kind.fields)} 个字段"):
            st.dataframe(pd.DataFrame([{
                "字段": f.name,
                "必填": "是" if f.required else ("仅" + "、".join(GROUP_NAMES[g] for g in f.required_for)
                                                 if f.required_for else "否"),
                "其他表头写法": "、".join(f.aliases),
            } for f in kind.fields]), hide_index=True, width="stretch")
    st.download_button("下载当前规则（TOML）", data=rules.text.encode("utf-8"), file_name="sgs_rules.toml",
                       mime="text/plain", on_click="ignore", key="sgs-rules-download")
    if actor.can("settings"):
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
            st.caption("此前保存的版本：" + "；".join(f"{beijing(h['at'], seconds=False)} {h['who']}" for h in history[:10]))
