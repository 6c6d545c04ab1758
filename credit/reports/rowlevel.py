"""Row-level rules for what leaves the platform as a file: a 被考核单位 takes away its own detail only.

Why in the export and not in the page: 月度排名's "下载 Excel 通报" handed a unit account the
镇街明细, 部门明细, 扣分事项 (with other units' deduction descriptions) and 预警提示 of every unit.
`credit.reports.exports.export` passes every bulletin through `bulletin_for(actor, …)` before
rendering, so a page, a thread building the file, or a caller of the domain gets the same cut.

What a unit keeps: the ranking tables (the published ranking every reader sees on 月度排名), and
of the detail — breakdown, deductions, alerts, 信易贷 by town — only its own rows. A month not yet
issued (no 文号) is marked as a draft in the title, for every reader, so a downloaded file can
never pass for the issued 通报.
"""

from __future__ import annotations

import dataclasses

from credit.model.accounts import Actor, is_unit
from credit.reports.bulletin import BulletinData
from credit.store.facade import Store

DRAFT_MARK = "（草稿，未签发）"


def bulletin_for(store: Store, data: BulletinData, actor: Actor | None) -> BulletinData:
    """`data` as `actor` may download it (see the module docstring); the input is never changed."""
    out = data
    if not data.issue.number and not data.title.endswith(DRAFT_MARK):
        out = dataclasses.replace(out, title=data.title + DRAFT_MARK)
    if not is_unit(actor):
        return out
    assert actor is not None
    unit_id = actor.unit_id
    try:
        own = store.units.register().get(unit_id).name_at(data.month) if unit_id else None
    except KeyError:
        own = None
    groups = [dataclasses.replace(gb, breakdown=gb.breakdown[gb.breakdown["单位"] == own].reset_index(drop=True))
              for gb in out.groups]
    deductions = out.deductions[out.deductions["单位"] == own].reset_index(drop=True)
    towns = None if out.xyd_towns is None else out.xyd_towns[out.xyd_towns["unit_id"] == unit_id].reset_index(drop=True)
    return dataclasses.replace(out, groups=groups, deductions=deductions, xyd_towns=towns,
                               alerts=[a for a in out.alerts if a.unit == own])
