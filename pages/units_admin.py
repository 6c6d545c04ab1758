"""单位名册: the assessed units with their name history; admins add, rename and retire units.

A rename or retirement takes effect from a month on: earlier months keep the names they had and
their scores, because the register resolves every name by month (stable unit ids underneath).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from credit.common.clock import this_month
from credit.common.months import month_label
from credit.model.accounts import Action
from credit.model.units import GROUPS, KINDS, UnitRegister
from ui import actions
from ui.auth import current_actor
from ui.context import current_month, store
from ui.router import ensure_router

ensure_router()

SLOT = "units"  # what the last write did, shown after its rerun (ui.actions)


def register_table(register: UnitRegister, month: str) -> pd.DataFrame:
    """One row per unit: id, current name, kind, group, status in `month`, name history."""
    rows = []
    for u in register:
        history = "；".join(f"{since} 起：{name}" for since, name in u.names) if len(u.names) > 1 else ""
        status = "在册" if u.active_in(month) else ("已撤销" if u.retired_from and u.retired_from <= month else "未启用")
        rows.append({
            "编号": u.id, "现用名称": u.name, "分组": u.group, "类型": u.kind, f"{month_label(month)}状态": status,
            "启用月份": u.active_from or "—", "撤销月份": u.retired_from or "—", "更名记录": history,
            "别名": "、".join(u.aliases), "联系人": u.contact, "联系电话": u.phone,
        })
    return pd.DataFrame(rows)


def month_choices(default: str) -> list[str]:
    """Effective months offered: two years around `default`."""
    year = int(default[:4])
    return [f"{y:04d}-{m:02d}" for y in range(year - 1, year + 2) for m in range(1, 13)]


def run(action, message: str) -> None:
    actions.run(SLOT, action, done=message, rerun=True, now=True)


st.title("单位名册")
month = current_month() or this_month()
register = store().units.register()
actions.show(SLOT)
group = st.radio("分组", ["全部", *GROUPS], horizontal=True, key="units_group")
table = register_table(register, month)
if group != "全部":
    table = table[table["分组"] == group]
st.dataframe(table, hide_index=True, width="stretch", key="units_table")
st.caption("更名、撤销均从所选月份起生效：此前各月仍按原名称显示，原有得分和排名不变。")

actor = current_actor()
if actor is None or not actor.can(Action.UNITS):
    st.info("维护单位名册（新增、更名、撤销）仅限管理员。当前为只读浏览。", icon=":material/lock:")
    st.stop()

months = month_choices(month)
ids = [u.id for u in register]
label = {u.id: f"{u.name}（{u.id}）" for u in register}
add_tab, rename_tab, retire_tab, contact_tab = st.tabs(["新增单位", "单位更名", "撤销单位", "联系人"])
with add_tab, st.form("unit-add"):
    c1, c2 = st.columns(2)
    unit_id = c1.text_input("单位编号（字母、数字、下划线，创建后不可修改）", key="unit_add_id")
    name = c2.text_input("单位名称", key="unit_add_name")
    new_group = c1.selectbox("分组", GROUPS, key="unit_add_group")
    kind = c2.selectbox("类型", sorted({k for ks in KINDS.values() for k in ks}), key="unit_add_kind",
                        help="镇街：街道 / 镇 / 开发区；部门：部门")
    since = c1.selectbox("起始月份", months, index=months.index(month), format_func=month_label, key="unit_add_month")
    fix = st.text_input("更正说明（起始月份已签发通报时必填）", key="unit_add_correction", help="新增、更名、撤销从已签发通报的月份或更早生效时，会改变已签发月份按现有数据的结果，须作为更正填写说明")
    if st.form_submit_button("新增", type="primary"):
        run(lambda: store().units.add(unit_id.strip(), name, new_group, kind, since, actor, correction=fix),
            f"已新增单位「{name.strip()}」，自 {month_label(since)} 起参加考核")
with rename_tab, st.form("unit-rename"):
    who = st.selectbox("单位", ids, format_func=label.get, key="unit_rename_id")
    new_name = st.text_input("新名称", key="unit_rename_name")
    since = st.selectbox("新名称生效月份", months, index=months.index(month), format_func=month_label,
                         key="unit_rename_month")
    fix = st.text_input("更正说明（生效月份已签发通报时必填）", key="unit_rename_correction", help="新增、更名、撤销从已签发通报的月份或更早生效时，会改变已签发月份按现有数据的结果，须作为更正填写说明")
    if st.form_submit_button("更名", type="primary"):
        run(lambda: store().units.rename(who, new_name, since, actor, correction=fix),
            f"已将「{register.by_id[who].name}」自 {month_label(since)} 起更名为「{new_name.strip()}」")
with retire_tab, st.form("unit-retire"):
    active = [u for u in ids if not register.by_id[u].retired_from]
    who = st.selectbox("单位", active, format_func=label.get, key="unit_retire_id")
    since = st.selectbox("自该月起不再考核", months, index=months.index(month), format_func=month_label,
                         key="unit_retire_month")
    st.caption("撤销后该单位的历史数据和得分保留，可在以往月份继续查看。")
    fix = st.text_input("更正说明（该月已签发通报时必填）", key="unit_retire_correction", help="新增、更名、撤销从已签发通报的月份或更早生效时，会改变已签发月份按现有数据的结果，须作为更正填写说明")
    if st.form_submit_button("撤销", type="primary"):
        run(lambda: store().units.retire(who, since, actor, correction=fix),
            f"已撤销「{register.by_id[who].name}」，自 {month_label(since)} 起不再考核")
with contact_tab:
    st.caption("催报清单按这里的联系人和联系电话填写；留空表示未登记。")
    who = st.selectbox("单位", ids, format_func=label.get, key="unit_contact_id")
    unit = register.by_id[who]
    with st.form(f"unit-contact-{who}"):  # one form per unit: switching units shows that unit's values
        contact = st.text_input("联系人", value=unit.contact, max_chars=20)
        phone = st.text_input("联系电话（例如 0531-87881234 或 13800000000，分机写作“转123”）", value=unit.phone)
        if st.form_submit_button("保存联系人", type="primary"):
            run(lambda: store().units.set_contact(who, contact, phone, actor),
                f"已保存「{unit.name}」的联系人和联系电话")
