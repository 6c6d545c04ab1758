"""指标说明：the framework in force for the chosen month, every rule in plain Chinese with its formula."""

import pandas as pd
import streamlit as st

from credit.app import sgs as sgs_rules
from credit.common.labels import GROUPS, group_label
from credit.common.months import month_label
from credit.model.framework import RULE_NAMES_ZH
from credit.scoring.engine import POLICIES
from credit.scoring.explain import num, rule_formula
from ui import loaders
from ui.context import current_month, store
from ui.router import ensure_router
from ui.widgets import downloads

ensure_router()

month = current_month() or "2022-01"
st.title("指标说明")
st.caption(f"以下为 {month_label(month)} 适用的指标体系。指标和权重由县社会信用体系建设领导小组根据工作需要适时调整，"
           "调整后形成新版本，自生效月份起适用，此前月份仍按原权重计分。")
register = store().units.register()
for tab, group in zip(st.tabs([f"{group_label(g)}（附件{i}）" for i, g in enumerate(GROUPS, 1)]), GROUPS):
    with tab:
        fw = loaders.group_month(month, group).scores.framework
        since = "初始版本（默认指标体系）" if (fw.effective_month or "") <= "2000-01" else f"自 {fw.effective_month} 起适用"
        st.markdown(f"**{fw.title}**　版本 #{fw.version_id}，{since}")
        cols = st.columns(len(fw.level1))
        for c, lv in zip(cols, fw.level1):
            c.metric(lv.name, f"{num(lv.points)} 分")
            if lv.interp:
                c.caption(f"说明：{lv.interp}")
        rows = []
        for lv in fw.level1:
            st.subheader(f"{lv.name}（{num(lv.points)} 分）")
            for ind in [i for i in fw.indicators if i.level1 == lv.name]:
                applies = ind.applies_to.describe(register, month)
                st.markdown(
                    f"**{ind.code}　{ind.name}**　{num(ind.points)} 分 · {RULE_NAMES_ZH[ind.rule]} · 适用：{applies}\n\n"
                    f"- 评分标准（原文）：{ind.description}\n"
                    f"- 计算公式：{rule_formula(ind)}\n"
                    + (f"- 我们的解释：{ind.interp}\n" if ind.interp else "")
                )
                rows.append({
                    "代码": ind.code, "一级指标": ind.level1, "二级指标": ind.name, "分值": ind.points,
                    "计分规则": RULE_NAMES_ZH[ind.rule], "计算公式": rule_formula(ind), "适用单位": applies,
                    "评分标准（原文）": ind.description, "我们的解释": ind.interp,
                })
        table = pd.DataFrame(rows)
        downloads(table, f"{group}指标体系_{month}", key=f"dl-guide-{group}")

st.subheader("总分与排名")
st.markdown(
    "- 同组单位适用的指标不同（例如开发区不参加“村居失信治理情况”，只有行政审批局考核“信用核查和联合奖惩系统应用情况”），"
    "因此排名依据**得分率**：得分 ÷ 适用指标满分 × 100。\n"
    f"- 可选的另一种口径：{POLICIES['na_full']}。\n"
    "- 排名按得分率保留两位小数比较，并列的单位名次相同，下一名次顺延（1、2、2、4）。\n"
    "- 流量数据（本月新增的文件、稿件、活动、事项等）按 1 月至本月累计；存量数据（注册企业数、金额、未完成案例等）"
    "取截至本月最近一次报送的数值，空白表示当月未报送。\n"
    "- 权重模拟中，指标完成度 = 得分 ÷ 该指标官方分值；调整分值后按“新分值 × 完成度”重新计分，扣分随分值同比例缩放。"
)

st.subheader("“双公示”预检规则")
_rules = sgs_rules.current_rules(store())
_names = sgs_rules.month_indicator_names(store(), month)
st.markdown(
    "“双公示预检”页面按以下规则检查各部门上报前的行政许可、行政处罚数据，并按上面部门（单位）指标体系中的"
    "相应指标预计扣分。字段取自全国“双公示”数据标准；哪些必填、表头的其他写法、简易程序限额是本平台的理解，"
    "信用办可在“双公示预检”页的“预检规则”中修改（保存后生效，记入操作日志）。\n"
    f"- 上报期限：决定作出后 {_rules.report_days} 个工作日内（法定工作日含调休）；"
    f"简易程序限额：对公民 {_rules.person_yuan:g} 元、对法人或其他组织 {_rules.organization_yuan:g} 元（罚款金额以万元填报）。\n"
    "- 计入指标：" + "；".join(f"{c.name}计入“{'、'.join(_names.get(i, i) for i in c.indicators)}”" if c.indicators
                               else f"{c.name}不计入" for c in _rules.checks.values())
    + f"；统一社会信用代码清单中的错码、重码计入“{_names.get('D5', '统一社会信用代码重错码存续情况')}”。"
)
