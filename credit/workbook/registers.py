"""The evidence registers (Attachments 3 and 4): 信易+ scenarios and 信用分级分类监管 fields per unit.

Entries reach a register two ways: as rows of the monthly workbook's 信易+场景 / 分级分类监管 sheets
(stored as dataset versions) and through the form on the 证明材料 page (stored in
`register_entries`). They are one register: `register_frame` reads both in the shape of
`Store.records_frame`, so the scores (T5, D8, D12) count form entries exactly like uploaded ones,
and `combined_view` shows both with the same duplicate rule the scores use — one unit naming the
same 信用应用 / 监管领域 twice in a year is one entry (`MonthInputs.register_counts`).

Evidence files (应用方案、制度文件) are checked here by content, never by the name a user can
rename: a PDF header, an OLE2 compound file holding a WordDocument stream, or a zip holding
word/document.xml (macro documents refused), within a size limit.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from credit.common.filetypes import EVIDENCE_TYPES, check_type
from credit.common.labels import GROUPS
from credit.common.text import check_text
from credit.errors import CreditError
from credit.model.contract import INDUSTRIES, SHEET_SCENARIOS, SHEET_SUPERVISION, SHEETS, UNIT_COL
from credit.model.units import UnitRegister
from credit.workbook.zipdir import entries_up_to

KEY_COLUMN: dict[str, str] = {SHEET_SCENARIOS: "信用应用", SHEET_SUPERVISION: "监管领域"}
REGISTER_TITLES: dict[str, str] = {SHEET_SCENARIOS: "“信易+”拓展领域（附件3）", SHEET_SUPERVISION: "信用分级分类监管领域（附件4）"}
INDUSTRY_COL = "国民经济行业分类"

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
EVIDENCE_MIME = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EvidenceKind = Literal["pdf", "doc", "docx"]

SOURCE_SHEET = "上传表格"
SOURCE_FORM = "页面录入"

_SPACE = re.compile(r"\s+")
_PDF = b"%PDF-"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


def check_register_sheet(sheet: str) -> str:
    if sheet not in KEY_COLUMN:
        raise CreditError(f"「{sheet}」不是证明材料登记表，应为 {' 或 '.join(KEY_COLUMN)}")
    return sheet


def entry_key(text: object) -> str:
    """The duplicate key of a 信用应用 / 监管领域: all whitespace removed.

    Exactly the normalisation of `MonthInputs.register_counts`, so what this module flags as a
    duplicate is what the scores count once.
    """
    return _SPACE.sub("", "" if text is None else str(text))


def headers(sheet: str) -> list[str]:
    return [c.header for c in SHEETS[check_register_sheet(sheet)].columns]


def clean_entry(sheet: str, data: Mapping[str, object]) -> dict[str, str]:
    """The form's fields as the sheet's record (without 单位名称), or a Chinese error.

    Same rules as the importer: required columns filled, the industry one of the 20 sections.
    """
    spec = SHEETS[check_register_sheet(sheet)]
    unknown = sorted(set(data) - {c.header for c in spec.columns})
    if unknown:
        raise CreditError(f"「{sheet}」没有这些栏目：{'、'.join(unknown)}")
    out: dict[str, str] = {}
    for col in spec.columns:
        if col.header == UNIT_COL:
            continue
        value = check_text(data.get(col.header), f"「{col.header}」", limit=500, multiline=True).strip()
        if col.required and not value:
            raise CreditError(f"「{col.header}」为必填项，请填写后再保存")
        if col.header == INDUSTRY_COL and value not in INDUSTRIES:
            raise CreditError(f"「{value}」不是国民经济行业分类的门类，请从列表中选择")
        if len(value) > 500:
            raise CreditError(f"「{col.header}」过长（{len(value)} 字），请控制在 500 字以内")
        out[col.header] = value
    return out


# ---- evidence files ----------------------------------------------------------------------------


def _zip_kind(data: bytes) -> EvidenceKind | None:
    """docx when the zip is a Word document; refuses macro documents (.docm renamed)."""
    if entries_up_to(data, MAX_ZIP_ENTRIES) > MAX_ZIP_ENTRIES:  # before zipfile builds one ZipInfo each
        raise CreditError(f"文件内部包含超过 {MAX_ZIP_ENTRIES} 个条目，疑似异常文件，已拒绝")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    names = {i.filename.lower() for i in infos}
    if any(posixpath.basename(n) == "vbaproject.bin" for n in names):
        raise CreditError("文件包含宏，出于安全考虑不予接收；请另存为不含宏的 .docx 或 PDF 后上传")
    return "docx" if {"[content_types].xml", "word/document.xml"} <= names else None


def sniff_evidence(data: bytes, filename: str, max_bytes: int = MAX_EVIDENCE_BYTES) -> EvidenceKind:
    """The file's real type (pdf/doc/docx) by its bytes, or a CreditError saying what is wrong.

    The extension must be one of the three, but the content decides: a .doc that is really a
    .docx (as WPS sometimes saves) is accepted as docx; a renamed spreadsheet or image is refused.
    The magic must stand at offset 0 (`%PDF-`, OLE2 `D0 CF 11 E0`, a zip's `PK\\x03\\x04`): a
    program or an HTML page carrying `%PDF-` further in would otherwise be stored and served
    as a PDF. (Downloads are served as attachments, so a browser never renders one in place.)
    """
    check_type(filename, EVIDENCE_TYPES)
    name = filename or "（未命名）"
    if not data:
        raise CreditError(f"文件「{name}」是空文件（0 字节），请重新选择")
    if len(data) > max_bytes:
        raise CreditError(
            f"文件「{name}」大小为 {len(data) / 1024 / 1024:.1f} MB，超过上限 {max_bytes / 1024 / 1024:.0f} MB；"
            "请压缩图片或拆分后上传"
        )
    kind: EvidenceKind | None = None
    if data.startswith(_PDF):
        kind = "pdf"
    elif data.startswith(_OLE2):
        kind = "doc" if "WordDocument".encode("utf-16-le") in data else None
    elif data.startswith(_ZIP):
        kind = _zip_kind(data)
    if kind is None:
        raise CreditError(
            f"文件「{name}」的内容不是有效的 PDF 或 Word 文档（可能已损坏或只是改了扩展名）；"
            "请用 Word/WPS 另存为 .docx 或导出为 PDF 后上传"
        )
    return kind


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- the register as one table -----------------------------------------------------------------


def base_columns(sheet: str) -> list[str]:
    """The columns of `Store.records_frame` for a register sheet."""
    return ["month", "row", "unit_id", *headers(sheet)]


def form_frame(sheet: str, entries: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Form entries (from `Store.register_entries`) in the shape of `Store.records_frame`.

    `row` is None: a typed entry has no sheet row.
    """
    records = [{"month": e["month"], "row": None, "unit_id": e["unit_id"], **e["data"]} for e in entries]
    return pd.DataFrame(records, columns=base_columns(sheet))


def register_frame(store: Any, year: int, upto_month: int, sheet: str) -> pd.DataFrame:
    """Uploaded rows and active form entries of Jan..m, in `records_frame`'s columns.

    This is what `credit.scoring.inputs.load_month_inputs` hands the scores: one register.
    """
    sheet_rows = store.datasets.records_frame(year, upto_month, sheet)
    last = f"{year:04d}-{upto_month:02d}"
    typed = form_frame(sheet, store.registers.register_entries(year, sheet=sheet, upto=last))
    if typed.empty:
        return sheet_rows
    columns = list(sheet_rows.columns)
    if sheet_rows.empty:
        return typed.reindex(columns=columns)
    return pd.concat([sheet_rows, typed.reindex(columns=columns)], ignore_index=True)


@dataclass(frozen=True)
class RegisterView:
    """Every entry of a register with where it came from and whether it repeats an earlier one.

    `table` columns: month, unit_id, the sheet's headers, 来源, 条目编号 (form id or None),
    行号 (sheet row or None), 出处 (both in words), 重复 (bool), 重复说明, 证明材料 (number of files).
    """

    sheet: str
    table: pd.DataFrame

    def counts(self) -> pd.Series:
        """Distinct entries per unit (duplicates counted once): the figure T5/D8/D12 use."""
        kept = self.table[~self.table["重复"]]
        return kept.groupby("unit_id").size()


def source_label(row: Mapping[str, Any]) -> str:
    """Where an entry of `combined_view` came from, as an official reads it."""
    return _label(row["month"], row["来源"], row["条目编号"], row["行号"])


def _label(month: object, source: object, entry: Any, row: Any) -> str:
    """`source_label` from the four values (combined_view maps it over whole columns)."""
    if source == SOURCE_FORM:
        return f"{month} 页面录入 #{int(entry)}"
    return f"{month} 上传表格第 {int(row)} 行"


def combined_view(
    sheet: str,
    sheet_rows: pd.DataFrame,
    entries: Sequence[Mapping[str, Any]],
    evidence: Sequence[Mapping[str, Any]] = (),
) -> RegisterView:
    """Uploaded rows (`records_frame`) and form entries as one table, duplicates flagged.

    An entry repeats an earlier one when the unit and the normalised 信用应用 / 监管领域 are the
    same; "earlier" is by month, then uploaded rows before typed ones, then row / entry number.
    The first stays the counted entry; the others are flagged with a pointer to it.
    """
    key_col = KEY_COLUMN[check_register_sheet(sheet)]
    cols = headers(sheet)
    uploaded = sheet_rows.reindex(columns=["month", "row", "unit_id", *cols]).rename(columns={"row": "行号"})
    uploaded = uploaded.assign(来源=SOURCE_SHEET, 条目编号=None, _order=0)
    typed = pd.DataFrame(
        [{"month": e["month"], "unit_id": e["unit_id"], **e["data"], "条目编号": e["id"]} for e in entries],
        columns=["month", "unit_id", *cols, "条目编号"],
    ).assign(来源=SOURCE_FORM, 行号=None, _order=1)
    parts = [p for p in (uploaded, typed) if not p.empty]
    columns = ["month", "unit_id", *cols, "来源", "条目编号", "行号", "出处"]
    if not parts:
        empty = pd.DataFrame(columns=[*columns, "重复", "重复说明", "证明材料"])
        return RegisterView(sheet, empty.astype({"重复": bool}))
    table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    table["_key"] = table[key_col].map(entry_key)
    table["_seq"] = pd.to_numeric(table["行号"].fillna(table["条目编号"]), errors="coerce")
    table = table.sort_values(["month", "_order", "_seq"], kind="stable").reset_index(drop=True)
    # column by column, not row by row (iterrows builds a Series per row: most of an upload preview's time)
    table["出处"] = list(map(_label, table["month"], table["来源"], table["条目编号"], table["行号"]))
    table["重复"] = table.duplicated(["unit_id", "_key"], keep="first")
    first = table[~table["重复"]]
    labels = dict(zip(zip(first["unit_id"], first["_key"]), first["出处"]))
    table["重复说明"] = [
        f"与{labels[(u, k)]}重复，只计一次" if dup else ""
        for u, k, dup in zip(table["unit_id"], table["_key"], table["重复"])
    ]
    files: dict[tuple[str, str], int] = {}
    for f in evidence:
        files[(f["unit_id"], f["entry_key"])] = files.get((f["unit_id"], f["entry_key"]), 0) + 1
    table["证明材料"] = [files.get((u, k), 0) for u, k in zip(table["unit_id"], table["_key"])]
    return RegisterView(sheet, table.drop(columns=["_order", "_seq", "_key"])[[*columns, "重复", "重复说明", "证明材料"]])


UNIT_COUNT_COLUMNS = ["单位", "分组", "计分条目数", "重复条目", "证明材料份数"]


def unit_counts(register: UnitRegister, month: str, table: pd.DataFrame,
                scored: Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    """Per active unit of `month`, group by group: the entries the scores count (`scored[group]`,
    unit id → count, as `MonthInputs.register_counts` gives it), its duplicates in the combined
    `table` and the evidence files of its counted entries (duplicates' files are not counted twice)."""
    rows = []
    for group in GROUPS:
        counts = scored.get(group, {})
        for unit in register.active(month, group):
            mine = table[table["unit_id"] == unit.id]
            rows.append({
                "单位": unit.name_at(month), "分组": group, "计分条目数": int(counts.get(unit.id, 0)),
                "重复条目": int(mine["重复"].sum()), "证明材料份数": int(mine.loc[~mine["重复"], "证明材料"].sum()),
            })
    return pd.DataFrame(rows, columns=UNIT_COUNT_COLUMNS)


def find_entry(view: RegisterView, unit_id: str, name: str) -> dict[str, Any] | None:
    """The counted entry of `unit_id` with this 信用应用 / 监管领域, if the register has it."""
    table = view.table
    if table.empty:
        return None
    key_col = KEY_COLUMN[view.sheet]
    hit = table[(table["unit_id"] == unit_id) & (table[key_col].map(entry_key) == entry_key(name)) & ~table["重复"]]
    return None if hit.empty else hit.iloc[0].to_dict()


def entry_data_json(data: Mapping[str, object]) -> str:
    return json.dumps(dict(data), ensure_ascii=False, sort_keys=True)
