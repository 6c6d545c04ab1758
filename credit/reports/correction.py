"""What a 更正通报 corrects: the 更正说明 and a table of what changed, old → new.

The "old" side is what was issued: the ranking and unit × indicator tables of the publication in
force, read back from its issued Excel file (the exact bytes handed out), so the table compares
the correction with the document readers have, not with a recomputation. The "new" side is the
correction's own tables. The sentence said about it is generated from the same table, so every
figure in the text is one of the table's (tests parse the text and compare).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import pandas as pd

from credit.common.labels import group_label
from credit.scoring.explain import num

COLUMNS = ["组别", "单位", "指标", "原得分", "更正后得分", "原得分率", "更正后得分率", "原排名", "更正后排名"]
INPUT_COLUMNS = ["单位", "报表", "填报项", "原填报", "更正后填报"]  # the reported figures corrected
RANK_ONLY = "（本单位指标未变，排名随其他单位变化）"
SAID_INPUTS = 10  # corrected figures named in the text; the table lists them all


@dataclass(frozen=True)
class Correction:
    """The 更正说明 of a 更正通报 and what changed against the notice it corrects."""

    corrects: str  # the number of the notice corrected
    reason: str  # 更正说明, as the office wrote it
    changes: pd.DataFrame  # COLUMNS
    inputs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=INPUT_COLUMNS))  # INPUT_COLUMNS

    def sentences(self, month_text: str) -> list[str]:
        """The paragraphs the notice says about it; every figure is a cell of `changes` or `inputs`."""
        out = [f"更正说明：{self.reason.strip().rstrip('。')}。"]
        if not self.inputs.empty:
            said = [f"{r['单位']}“{r['填报项']}”{r['原填报']} → {r['更正后填报']}" for r in self.inputs.to_dict("records")]
            more = f"等（全部 {len(said)} 项见下表）" if len(said) > SAID_INPUTS else ""
            out.append(f"更正的报送数据（共 {len(said)} 项）：" + "；".join(said[:SAID_INPUTS]) + f"{more}。")
        if self.changes.empty:
            out.append("本次更正未改变任何单位的得分和排名。")
            return out
        units = list(dict.fromkeys(zip(self.changes["组别"], self.changes["单位"])))
        parts = []
        for group, unit in units:  # unit names are unique across the two groups
            rows = self.changes[(self.changes["组别"] == group) & (self.changes["单位"] == unit)]
            first = rows.iloc[0]
            items = [f"“{r['指标']}”得分 {r['原得分']:.2f} → {r['更正后得分']:.2f}" for r in rows.to_dict("records")
                     if r["指标"] != RANK_ONLY]
            rank = (f"排名第 {int(first['原排名'])} → 第 {int(first['更正后排名'])} 名"
                    if pd.notna(first["原排名"]) and pd.notna(first["更正后排名"]) else "排名—")
            head = f"{unit}：" + ("，".join(items) + "，" if items else "")
            parts.append(f"{head}得分率 {first['原得分率']:.2f} → {first['更正后得分率']:.2f}，{rank}")
        out.append(f"与原通报相比，{month_text}共 {len(units)} 个单位的得分或排名有变化：" + "；".join(parts) + "。")
        return out


def issued_tables(xlsx: bytes, group: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ranking, unit × indicator breakdown) of one group as issued in a notice's Excel file."""
    sheets = pd.read_excel(io.BytesIO(xlsx), sheet_name=[f"{group}排名", f"{group}明细"], engine="calamine")
    return sheets[f"{group}排名"], sheets[f"{group}明细"]


def _r2(v: object) -> float:
    return round(float(v), 2) if pd.notna(v) else float("nan")


def changes(group: str, before: tuple[pd.DataFrame, pd.DataFrame], ranking: pd.DataFrame,
            breakdown: pd.DataFrame) -> pd.DataFrame:
    """Rows of one group whose indicator 得分, 得分率 or rank differ between `before` (as issued)
    and the correction's `ranking` / `breakdown` (credit.reports.bulletin tables)."""
    old_rank, old_break = before
    label = group_label(group)
    o = old_rank.set_index("单位")
    n = ranking.set_index("单位")
    ob = {(r["单位"], r["二级指标"]): _r2(r["得分"]) for r in old_break.to_dict("records")}
    nb = {(r["单位"], r["二级指标"]): _r2(r["得分"]) for r in breakdown.to_dict("records")}
    rows = []
    for unit in list(dict.fromkeys([*n.index, *o.index])):
        was = o.loc[unit] if unit in o.index else None
        now = n.loc[unit] if unit in n.index else None
        rate = (_r2(was["得分率"]) if was is not None else float("nan"), _r2(now["得分率"]) if now is not None else float("nan"))
        rank = (was["排名"] if was is not None else pd.NA, now["排名"] if now is not None else pd.NA)
        moved = [(ind, ob.get((unit, ind)), nb.get((unit, ind)))
                 for ind in dict.fromkeys([ind for (u, ind) in [*ob, *nb] if u == unit])]
        moved = [(ind, a, b) for ind, a, b in moved if a != b]
        rate_moved = not (rate[0] == rate[1])
        rank_moved = str(rank[0]) != str(rank[1])
        if not moved and not rate_moved and not rank_moved:
            continue
        base = {"组别": label, "单位": unit, "原得分率": rate[0], "更正后得分率": rate[1],
                "原排名": rank[0], "更正后排名": rank[1]}
        for ind, a, b in moved or [(RANK_ONLY, float("nan"), float("nan"))]:
            rows.append({**base, "指标": ind, "原得分": a if a is not None else float("nan"),
                         "更正后得分": b if b is not None else float("nan")})
    out = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("原排名", "更正后排名"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("Int64")
    return out


def input_changes(store, month: str, signed: dict[str, int]) -> pd.DataFrame:
    """The reported figures that differ between the sheet versions the corrected notice was signed
    on (`signed`: sheet → version id, as the publication recorded them) and the current ones:
    unit, sheet, field, old → new (as an official writes them; a blank is "未填写")."""
    now = {s: int(v["id"]) for s, v in store.datasets.sheets_status(month).items() if v is not None}
    register = store.units.register()
    rows = []
    for sheet in sorted(set(now) | set(signed)):
        if int(signed.get(sheet, 0) or 0) == now.get(sheet, 0):
            continue
        old = {(u, f): v for u, f, v in (store.datasets.version_facts(signed[sheet]) if sheet in signed else [])}
        new = {(u, f): v for u, f, v in (store.datasets.version_facts(now[sheet]) if sheet in now else [])}
        for key in dict.fromkeys([*old, *new]):
            a, b = old.get(key), new.get(key)
            if _same(a, b):
                continue
            unit, fld = key
            name = register.get(unit).name_at(month) if unit else "全县"
            rows.append({"单位": name, "报表": sheet, "填报项": fld, "原填报": _figure(a), "更正后填报": _figure(b)})
    return pd.DataFrame(rows, columns=INPUT_COLUMNS)


def _same(a: float | None, b: float | None) -> bool:
    blank_a, blank_b = a is None or math.isnan(a), b is None or math.isnan(b)
    return (blank_a and blank_b) or (not blank_a and not blank_b and float(a) == float(b))


def _figure(v: float | None) -> str:
    return "未填写" if v is None or math.isnan(v) else num(v)
