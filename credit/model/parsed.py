"""What a validated monthly workbook becomes: canonical records per sheet, ready for the store.

The importer produces these; the store versions them; the inputs layer reads them back. Keeping
the shape here (and not in the importer or the store) lets each side change without the other.

Record shapes, by sheet layout (see `credit.model.contract`):
- `unit` sheets (镇街, 部门): one record per unit row:
  `{"row": 5, "unit_id": "yushan", "单位名称": "榆山街道", <numeric header>: float | None, ...}`;
  a blank flow cell is 0.0, a blank stock cell is None (not reported).
- `item` sheet (全县): one record per item row present: `{"row": 3, "item": <header>, "value": float | None}`.
- `records` sheets (扣分事项, 信易+场景, 分级分类监管): one record per data row:
  `{"row": 7, "unit_id": ..., "单位名称": ..., <header>: value}` with dates as "YYYY-MM-DD",
  counts as int, days as float, choices and text as str ("" when blank); 数量 defaults to 1.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from credit.errors import CellError


@dataclass
class ParsedSheet:
    name: str
    records: list[dict[str, object]]

    def content_hash(self) -> str:
        """Hash of the content alone (not row numbers), so re-saving the same data is 'unchanged'."""
        body = [{k: v for k, v in r.items() if k != "row"} for r in self.records]
        text = json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class ParsedWorkbook:
    month: str  # YYYY-MM
    sheets: dict[str, ParsedSheet]
    warnings: list[CellError] = field(default_factory=list)
    # Optional sheets (contract.OPTIONAL_SHEETS) present with their headers but no data row: the file
    # says "本月无新增" for them. They have no records (so nothing to version); the store keeps the fact.
    empty: list[str] = field(default_factory=list)
