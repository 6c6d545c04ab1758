"""A month's workbook made from a demo month through the real template and importer, edited first.

For the month-cycle tests (issue 23): November imported like the office would (October's figures
carried forward, some units silent, some zeros), or a correction of a signed month.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from credit.app.demo import MonthData, demo_months, fill_template
from credit.model.contract import SHEET_COUNTY, SHEET_DEPT, SHEET_TOWN, UNIT_COL
from credit.workbook.importer import parse_workbook
from credit.workbook.template import build_template
from tests.support.actors import EDITOR

GROUP_SHEETS = (SHEET_TOWN, SHEET_DEPT, SHEET_COUNTY)


def month_data(store, month: str, base: str = "2022-10", only: tuple[str, ...] | None = None) -> MonthData:
    """`base`'s demo figures as `month`'s (only the sheets in `only`, default the group and county sheets)."""
    data = copy.deepcopy(next(d for d in demo_months(store.units.register()) if d.month == base))
    keep = GROUP_SHEETS if only is None and month != base else only
    if keep is not None:
        data.sheets = {k: v for k, v in data.sheets.items() if k in keep}
    data.month = month
    return data


def import_month(store, month: str, edit: Callable[[MonthData], None] | None = None, *, base: str = "2022-10",
                 only: tuple[str, ...] | None = None, reason: str = "", by=EDITOR) -> None:
    """Import `month` (from `base`'s figures, edited by `edit`) through the real template path."""
    data = month_data(store, month, base, only)
    if edit:
        edit(data)
    register = store.units.register()
    raw = fill_template(build_template(month, register), data)
    parsed = parse_workbook(raw, f"月报_{month}.xlsx", month, register)
    store.datasets.import_workbooks([(parsed, raw, f"月报_{month}.xlsx")], by, reason=reason)


def row(data: MonthData, sheet: str, unit: str) -> dict[str, object]:
    return next(r for r in data.sheets[sheet] if r[UNIT_COL] == unit)


def set_value(sheet: str, unit: str, header: str, value: object) -> Callable[[MonthData], None]:
    def edit(data: MonthData) -> None:
        row(data, sheet, unit)[header] = value
    return edit
