"""The use cases the CLI and the pages share: where the database is, open it, score a month,
import a batch of workbooks, and the CLI's score shapes.

Nothing here knows about Streamlit; pages call these and cache the results per data version.
`score` / `GroupMonth` / `framework_for` live in `credit.reports.scored` (the bulletin needs them
and must not import this layer); they are imported here so callers have one place to look.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from credit.common.clock import beijing
from credit.common.months import month_label
from credit.common.rounding import json_number, round2
from credit.errors import CellError, CreditError, SurgeNotConfirmed
from credit.model.accounts import SYSTEM, Action, Actor, authorize, check_unit
from credit.model.contract import SHEET_EVENTS
from credit.model.framework import Framework, default_framework_texts
from credit.model.scenarios import check_reason, weights_of_toml
from credit.model.units import UnitRegister, load_units
from credit.reports.scored import GroupMonth, framework_for, score, signed_record
from credit.scoring.explain import describe_items
from credit.scoring.not_reported import reported_mask, state_labels
from credit.scoring.scenarios import adoptable
from credit.scoring.todo import full_marks_todo
from credit.store.facade import SEED_MONTH, ImportResult, Store

if TYPE_CHECKING:
    # the workbook checks (openpyxl, calamine) are imported where a file is checked: every page
    # imports this module, and those libraries were most of a new server's first page
    from credit.workbook.preview import FileCheck

__all__ = [
    "DEFAULT_DB", "BatchImport", "GroupMonth", "adopt_weights", "check_batch", "db_path", "framework_for",
    "import_batch", "open_store", "read_files", "score", "scores_payload", "scores_table", "unreadable",
    "SurgeNotConfirmed",
    "UnitDetail", "unit_detail", "unit_events",
]

DEFAULT_DB = Path(__file__).resolve().parents[2] / "data" / "credit.db"


def db_path() -> Path:
    """The database the app and the CLI use: $CREDIT_DB (made absolute), else data/credit.db.

    The one lookup: the pages (`ui.context.db_path`, which also builds the demo database on a first
    start) and every CLI command without `--db` ask here.
    """
    env = os.environ.get("CREDIT_DB")
    return _resolved(env) if env else DEFAULT_DB


@functools.lru_cache(maxsize=64)
def _resolved(env: str) -> Path:
    """`Path.resolve()` stats every path component and every page loader asks: once per value."""
    return Path(env).resolve()



def open_store(path: str | Path | None = None, *, handover: bool = False) -> Store:
    """Open (creating and seeding with the default framework and register when new).

    `handover=True`: the store may be passed from one thread to the next (see `Store`)."""
    path = Path(path) if path else db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(path, handover=handover)
    if store.seeding.seed_gaps():
        store.seeding.seed_defaults(load_units(), default_framework_texts(), by=SYSTEM)
    return store


def adopt_weights(store: Store, official: Framework, effective_month: str, points: Mapping[str, float],
                  by: Actor, reason: str, scenario_id: int | None = None, correction: str = "") -> int:
    """Make `points` the official weights of `official.group` from `effective_month` on.

    `official` is the framework in force in that month (the one the points were made against).
    The new framework is validated here as a file would be (that needs the scoring layer, which
    the store must not import), then saved by the store as a new version with its audit entry;
    returns the new framework id. Permission and reason are checked first, before any work.
    """
    authorize(by, Action.WEIGHTS)
    check_reason(reason)
    fw, text = adoptable(official, points, store.units.register(), effective_month)
    return store.scenarios.adopt(fw.group, effective_month, text, by, reason,
                               based_on=(official.version_id, official.effective_month), scenario_id=scenario_id,
                               correction=correction)


# -- importing a batch of monthly workbooks ----------------------------------------------------------


@dataclass(frozen=True)
class BatchImport:
    """What `import_batch` did: every file's check and, when all passed, what the import wrote."""

    month: str
    checks: tuple[FileCheck, ...]
    results: tuple[ImportResult, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when every file passed (and so the batch was imported)."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[FileCheck]:
        return [c for c in self.checks if not c.ok]

    @property
    def error_count(self) -> int:
        return sum(len(c.errors) for c in self.checks)


def unreadable(filename: str, exc: OSError) -> FileCheck:
    """A file that could not even be read, as a failed check (so it is listed with the others)."""
    from credit.workbook.preview import FileCheck

    reason = exc.strerror or type(exc).__name__
    return FileCheck(filename, 0, "", None, (CellError(None, None, None, f"文件无法读取（{reason}）",
                                                         "请确认文件存在且未被其他程序占用"),))


def read_files(paths: Sequence[str | Path]) -> list[tuple[str, bytes | OSError]]:
    """(file name, its bytes) per path; the OSError in place of the bytes when it cannot be read."""
    out: list[tuple[str, bytes | OSError]] = []
    for path in map(Path, paths):
        try:
            out.append((path.name, path.read_bytes()))
        except OSError as exc:
            out.append((path.name, exc))
    return out


def check_batch(files: Sequence[tuple[str, bytes | OSError]], month: str, register: UnitRegister) -> list[FileCheck]:
    """Parse and validate every file of a batch for `month` (never raises for a bad file)."""
    from credit.workbook.preview import check_file

    return [unreadable(name, raw) if isinstance(raw, OSError) else check_file(raw, name, month, register)
            for name, raw in files]


def import_batch(
    store: Store,
    month: str,
    files: Sequence[tuple[str, bytes | OSError]],
    actor: Actor,
    checks: Sequence[FileCheck] | None = None,
    reason: str = "",
    surges_confirmed: bool = False,
    confirm_how: str = "勾选“我已逐项核对”再导入",
) -> BatchImport:
    """All-or-nothing import of a batch of monthly workbooks (the CLI's `import` and the upload page).

    Every file is parsed first; if any file has an error (or could not be read), nothing is written
    and every file's errors come back together, so an official fixes them all in one go. Otherwise
    all files are imported in ONE transaction, in order, so a later file's sheet supersedes an
    earlier one's. `checks` lets the upload page pass the checks it already made (and showed) for
    these files, in the same order, instead of parsing them again.

    A figure more than ten times the unit's last month is refused with `SurgeNotConfirmed`
    (nothing written) unless `surges_confirmed`: the page's tick box and the CLI's
    `--confirm-surges` say a person checked them; `confirm_how` tells the caller's way to say so.
    """
    checks = list(checks) if checks is not None else check_batch(files, month, store.units.register())
    if len(checks) != len(files):
        raise ValueError("import_batch: one check per file is required")
    if not all(c.ok for c in checks):
        return BatchImport(month, tuple(checks))
    if not surges_confirmed:
        from credit.workbook.preview import refuse_surges

        refuse_surges(store.datasets, month, [c.parsed for c in checks], confirm_how)
    items = [(c.parsed, raw, name) for c, (name, raw) in zip(checks, files)]
    return BatchImport(month, tuple(checks), tuple(store.datasets.import_workbooks(items, actor, reason)))


# -- the CLI's score shapes -----------------------------------------------------------------------------


def scores_payload(gm: GroupMonth) -> dict:
    """The JSON shape of `python -m credit scores --format json` (kept exact: others test it). A unit
    that sent nothing this month (未报送, `credit.scoring.not_reported`) has null rank, scores and
    subtotals and no indicators: it is not ranked on carried-over figures."""
    ms = gm.scores
    levels = ms.level1_names
    detail = ms.detail[ms.detail["applies"]]
    per_unit = {uid: grp for uid, grp in detail.groupby("unit_id", sort=False)}
    units = []
    for row, sent in zip(gm.summary.to_dict("records"), reported_mask(gm.summary), strict=True):
        d = per_unit.get(row["unit_id"]) if sent else None  # a 未报送 unit: not this month's figures
        indicators = {} if d is None else {c: json_number(e) for c, e in zip(d["code"], d["earned"])}
        number = json_number if sent else (lambda _: None)  # JSON null, never NaN
        units.append({
            "unit": row["unit"],
            "unit_id": row["unit_id"],
            "rank": int(row["rank"]) if sent else None,
            "score": number(row["score"]),
            "earned": number(row["earned"]),
            "possible": number(row["possible"]),
            "subtotals": {lv: number(row[lv]) for lv in levels},
            "indicators": indicators,
        })
    return {"month": ms.month, "group": ms.group, "units": units}


def scores_table(gm: GroupMonth) -> pd.DataFrame:
    """The ranking as a Chinese-labelled table (CSV export, CLI table, pages)."""
    ms = gm.scores
    s = gm.summary
    table = pd.DataFrame({
        "排名": s["rank"],
        "单位": s["unit"],
        "得分率": round2(s["score"]),
        "得分": round2(s["earned"]),
        "适用满分": round2(s["possible"]),
    })
    for lv in ms.level1_names:
        table[lv] = round2(s[lv])
    sent = set(s.loc[reported_mask(s), "unit_id"])  # a 未报送 unit's indicators are not this month's
    wide = ms.detail[ms.detail["applies"] & ms.detail["unit_id"].isin(sent)].pivot_table(
        index="unit_id", columns="code", values="earned", aggfunc="sum", sort=False
    ).reindex(columns=ms.framework.codes)
    for code in ms.framework.codes:
        table[code] = round2(s["unit_id"].map(wide[code]).to_numpy(dtype=float))
    table["上月排名"] = s["prev_rank"]
    table["排名变化"] = s["d_rank"]
    states = state_labels(s)
    if states is not None:
        table["状态"] = states
    return table


@dataclass
class UnitDetail:
    """One unit's month as its own account may see it: its row, indicators, deductions, to-dos."""

    unit_id: str
    group: str
    row: dict                # the unit's summary row (score, rank, earned, possible, level-1 subtotals)
    detail: pd.DataFrame     # its indicator rows (applicable ones)
    items: pd.DataFrame      # its deduction items, described
    todo: pd.DataFrame       # full_marks_todo
    events: pd.DataFrame     # its 扣分事项 rows of the year to date


def unit_detail(store: Store, by: Actor | None, month: str, unit_id: str) -> UnitDetail:
    """The 单位详情 of one unit; a 被考核单位 account is refused any unit but its own."""
    check_unit(by, unit_id, "单位详情")
    unit = store.units.register().get(unit_id)
    gm = score(store, month, unit.group)
    ms = gm.scores
    if unit_id not in set(gm.summary["unit_id"]):
        raise CreditError(f"「{unit.name_at(month)}」{month} 不在考核范围内")
    row = gm.summary.set_index("unit_id").loc[unit_id].to_dict()
    d = ms.detail[(ms.detail["unit_id"] == unit_id) & ms.detail["applies"]]
    items = describe_items(ms.unit_items(unit_id), ms.framework)  # this unit's only: not all units' built
    return UnitDetail(unit_id, unit.group, row, d, items, full_marks_todo(ms.detail, ms.framework, unit_id),
                      unit_events(store, by, month, unit_id))


def unit_events(store: Store, by: Actor | None, month: str, unit_id: str) -> pd.DataFrame:
    """The unit's 扣分事项 rows from January to `month` (月份, row and the contract columns)."""
    check_unit(by, unit_id, "扣分事项")
    signed = signed_record(store, month, store.units.register().get(unit_id).group)
    if signed is not None:  # a signed month: the events its record counted, not today's
        ev = signed.inputs.events
    else:
        year, m = (int(p) for p in month.split("-"))
        ev = store.datasets.records_frame(year, m, SHEET_EVENTS)
    return ev[ev["unit_id"] == unit_id].reset_index(drop=True)


def framework_version_rows(store: Store, group: str, current_id: int | None) -> list[dict[str, object]]:
    """The official weight versions of `group`, one row each with its first-level weights, for the
    权重模拟 page's history table: 版本, 生效月份 (初始版本 for the seeded one), 本月执行 (✓ for
    `current_id`), one column per first-level indicator, 发布人, 发布时间 (Beijing), 原因."""
    rows = []
    for v in store.frameworks.framework_versions(group):
        levels = weights_of_toml(v["toml"])["level1"]
        rows.append({"版本": v["id"], "生效月份": "初始版本" if v["effective_month"] == SEED_MONTH else
                     month_label(v["effective_month"]), "本月执行": "✓" if v["id"] == current_id else "",
                     **levels, "发布人": v["created_by"], "发布时间": beijing(v["created_at"], seconds=False),
                     "原因": v["reason"]})
    return rows
