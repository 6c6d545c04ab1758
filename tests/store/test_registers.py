"""Evidence registers: form entries and uploaded rows are one register, counted once, scored alike."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from credit.app import service
from credit.app.service import open_store
from credit.errors import CreditError
from credit.model.accounts import Actor, PermissionDenied
from credit.model.contract import SHEET_SCENARIOS, SHEET_SUPERVISION, UNIT_COL
from credit.scoring.inputs import load_month_inputs
from credit.workbook.registers import (
    base_columns,
    clean_entry,
    combined_view,
    entry_key,
    form_frame,
    register_frame,
    sniff_evidence,
)
from tests.support import reliability as rh

EDITOR = Actor("office", "editor", "信用办")
VIEWER = Actor("leader", "viewer", "领导")
MONTH = "2022-10"

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "WordDocument".encode("utf-16-le") + b"\0" * 64
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le") + b"\0" * 64


def zipped(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in names:
            zf.writestr(name, "<x/>")
    return out.getvalue()


DOCX = zipped("[Content_Types].xml", "word/document.xml")


@pytest.fixture
def store(demo_db: Path):
    s = open_store(demo_db)
    yield s
    s.close()


def unit_without(store, sheet: str, group: str) -> str:
    """A demo unit of `group` that has no entry in `sheet` all year."""
    counts = load_month_inputs(store, MONTH, group).register_counts(sheet)
    return next(uid for uid, n in counts.items() if n == 0)


def t5(store, unit_id: str, month: str = MONTH, code: str = "T5", group: str = "镇街") -> float:
    detail = service.score(store, month, group, with_previous=False).scores.detail
    return float(detail[(detail["unit_id"] == unit_id) & (detail["code"] == code)]["earned"].iloc[0])


# ---- pure rules --------------------------------------------------------------------------------


def test_entry_key_matches_the_scores_normalisation() -> None:
    assert entry_key(" 信易 批\t") == entry_key("信易批") == "信易批"
    assert entry_key(None) == ""


def test_clean_entry_requires_the_key_and_a_real_industry() -> None:
    assert clean_entry(SHEET_SCENARIOS, {"信用应用": " 信易批 ", "优惠/激励措施": "容缺受理"}) == {
        "信用应用": "信易批", "开展方案/制度文件名称": "", "优惠/激励措施": "容缺受理"}
    with pytest.raises(CreditError, match="「信用应用」为必填项"):
        clean_entry(SHEET_SCENARIOS, {"信用应用": "  "})
    with pytest.raises(CreditError, match="不是国民经济行业分类"):
        clean_entry(SHEET_SUPERVISION, {"监管领域": "汽车维修", "国民经济行业分类": "修车业"})
    with pytest.raises(CreditError, match="没有这些栏目"):
        clean_entry(SHEET_SCENARIOS, {"信用应用": "信易批", "备注": "x"})
    with pytest.raises(CreditError, match="不是证明材料登记表"):
        clean_entry("镇街", {})


@pytest.mark.parametrize(("data", "name", "kind"), [
    (PDF, "方案.pdf", "pdf"), (PDF, "方案.PDF", "pdf"), (DOC, "制度.doc", "doc"),
    (DOCX, "制度.docx", "docx"), (DOCX, "WPS另存.doc", "docx"),
])
def test_sniff_accepts_real_documents(data: bytes, name: str, kind: str) -> None:
    assert sniff_evidence(data, name) == kind


@pytest.mark.parametrize(("data", "name", "message"), [
    (PDF, "方案.txt", "不是可上传的文件类型：这里只接受 .pdf、.doc、.docx"),
    (b"", "空.pdf", "空文件"),
    (PDF * 40, "大.pdf", "超过上限"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "照片.pdf", "不是有效的 PDF 或 Word"),
    (XLS, "表格.doc", "不是有效的 PDF 或 Word"),
    (zipped("xl/workbook.xml"), "表格.docx", "不是有效的 PDF 或 Word"),
    (zipped("word/document.xml", "word/vbaProject.bin"), "宏.docx", "包含宏"),
    (b"PK\x03\x04broken", "坏.docx", "不是有效的 PDF 或 Word"),
    # hostile: the magic only counts at offset 0, and a .docx needs both of its package parts
    (b"MZ\x90\x00" + bytes(60) + b"%PDF-1.7" + bytes(200), "程序.pdf", "不是有效的 PDF 或 Word"),
    (b"<html><!-- %PDF-1.4 --><script>alert(1)</script></html>", "网页.pdf", "不是有效的 PDF 或 Word"),
    (b"\xef\xbb\xbf " + PDF, "前缀.pdf", "不是有效的 PDF 或 Word"),
    (zipped("word/document.xml"), "缺类型表.docx", "不是有效的 PDF 或 Word"),
    (zipped("[Content_Types].xml", "xl/workbook.xml"), "表格.docx", "不是有效的 PDF 或 Word"),
])
def test_sniff_refuses_what_is_not_a_document(data: bytes, name: str, message: str) -> None:
    with pytest.raises(CreditError, match=message):
        sniff_evidence(data, name, max_bytes=1000)


def test_combined_view_flags_repeats_and_counts_once() -> None:
    uploaded = pd.DataFrame([
        {"month": "2022-01", "row": 3, "unit_id": "a", UNIT_COL: "甲", "信用应用": "信易批"},
        {"month": "2022-03", "row": 5, "unit_id": "a", UNIT_COL: "甲", "信用应用": "信易 批"},
        {"month": "2022-03", "row": 6, "unit_id": "b", UNIT_COL: "乙", "信用应用": "信易批"},
    ]).reindex(columns=base_columns(SHEET_SCENARIOS))
    typed = [{"id": 7, "month": "2022-02", "unit_id": "b", "data": {UNIT_COL: "乙", "信用应用": "信易医"}},
             {"id": 8, "month": "2022-01", "unit_id": "b", "data": {UNIT_COL: "乙", "信用应用": "信易批"}}]
    view = combined_view(SHEET_SCENARIOS, uploaded, typed, [{"unit_id": "a", "entry_key": "信易批"}])
    t = view.table
    assert list(zip(t["month"], t["unit_id"], t["重复"])) == [
        ("2022-01", "a", False), ("2022-01", "b", False), ("2022-02", "b", False),
        ("2022-03", "a", True), ("2022-03", "b", True)]
    assert t.iloc[3]["重复说明"] == "与2022-01 上传表格第 3 行重复，只计一次"
    assert t.iloc[4]["重复说明"] == "与2022-01 页面录入 #8重复，只计一次"
    assert view.counts().to_dict() == {"a": 1, "b": 2}
    assert t.iloc[0]["证明材料"] == 1 and t.iloc[3]["证明材料"] == 1 and t.iloc[1]["证明材料"] == 0
    empty = combined_view(SHEET_SCENARIOS, uploaded.iloc[0:0], [])
    assert empty.table.empty and empty.counts().empty


def test_form_frame_has_the_records_frame_columns() -> None:
    f = form_frame(SHEET_SUPERVISION, [{"month": MONTH, "unit_id": "fagai", "data": {"监管领域": "x"}}])
    assert list(f.columns) == base_columns(SHEET_SUPERVISION)
    assert f.iloc[0]["row"] is None and f.iloc[0]["监管领域"] == "x"


# ---- the store -----------------------------------------------------------------------------------


def test_a_form_entry_counts_in_the_scores_from_its_month(store) -> None:
    uid = unit_without(store, SHEET_SCENARIOS, "镇街")
    assert t5(store, uid) == 0.0
    version = store.data_version()
    entry = store.registers.add_register_entry(SHEET_SCENARIOS, MONTH, uid, {"信用应用": "信易阅", "优惠/激励措施": "免押金借书"},
                                     EDITOR)
    assert store.data_version() == version + 1
    audit = store.audit_log(1)[0]
    assert audit["action"] == "register.add" and audit["who"] == "office" and audit["detail"]["entry_id"] == entry
    assert t5(store, uid) == 10.0  # presence: full points
    assert t5(store, uid, "2022-09") == 0.0  # not before its month
    frame = register_frame(store, 2022, 10, SHEET_SCENARIOS)
    assert list(frame.columns) == list(store.datasets.records_frame(2022, 10, SHEET_SCENARIOS).columns)
    typed = frame[frame["row"].isna()]
    assert list(typed["unit_id"]) == [uid] and typed.iloc[0][UNIT_COL] == store.units.register().by_id[uid].name_at(MONTH)


def test_d12_counts_a_form_supervision_field(store) -> None:
    uid = unit_without(store, SHEET_SUPERVISION, "部门")
    assert t5(store, uid, code="D12", group="部门") == 0.0
    store.registers.add_register_entry(SHEET_SUPERVISION, "2022-05", uid,
                             {"监管领域": "汽车维修领域", "国民经济行业分类": "居民服务、修理和其他服务业"}, EDITOR)
    assert t5(store, uid, code="D12", group="部门") == 8.0


def test_the_page_count_is_the_score_count(store) -> None:
    store.registers.add_register_entry(SHEET_SCENARIOS, "2022-03", "yushan", {"信用应用": "信易健"}, EDITOR)
    view = store.registers.register_view(2022, 10, SHEET_SCENARIOS)
    for group in ("镇街", "部门"):
        scored = load_month_inputs(store, MONTH, group).register_counts(SHEET_SCENARIOS)
        shown = view.counts().reindex(scored.index, fill_value=0).astype(float)
        pd.testing.assert_series_equal(shown, scored, check_names=False)


def test_duplicates_are_refused_with_a_pointer(store) -> None:
    uploaded = store.registers.register_view(2022, 12, SHEET_SCENARIOS).table
    first = uploaded[~uploaded["重复"]].iloc[0]
    version = store.data_version()
    with pytest.raises(CreditError, match="已登记.*上传表格第 .* 行.*只计一次"):
        store.registers.add_register_entry(SHEET_SCENARIOS, MONTH, first["unit_id"],
                                 {"信用应用": " ".join(first["信用应用"])}, EDITOR)  # spaced out: same entry
    entry = store.registers.add_register_entry(SHEET_SCENARIOS, "2022-02", "yushan", {"信用应用": "信易租"}, EDITOR)
    with pytest.raises(CreditError, match=f"页面录入 #{entry}"):
        store.registers.add_register_entry(SHEET_SCENARIOS, "2022-11", "yushan", {"信用应用": "信易租"}, EDITOR)
    assert store.data_version() == version + 1


def test_writes_need_the_registers_permission_and_an_active_unit(store) -> None:
    with pytest.raises(PermissionDenied):
        store.registers.add_register_entry(SHEET_SCENARIOS, MONTH, "yushan", {"信用应用": "信易X"}, VIEWER)
    with pytest.raises(PermissionDenied):
        store.registers.add_evidence(SHEET_SCENARIOS, 2022, "yushan", "信易批", "a.pdf", PDF, VIEWER)
    with pytest.raises(CreditError, match="未找到单位编号"):
        store.registers.add_register_entry(SHEET_SCENARIOS, MONTH, "nobody", {"信用应用": "信易X"}, EDITOR)
    store.units.retire("kaifaqu", "2022-06", Actor("admin", "admin"))
    with pytest.raises(CreditError, match="不在册"):
        store.registers.add_register_entry(SHEET_SCENARIOS, MONTH, "kaifaqu", {"信用应用": "信易X"}, EDITOR)
    assert store.registers.register_entries(2022) == []


def test_withdrawn_entries_stop_counting_but_stay(store) -> None:
    uid = unit_without(store, SHEET_SCENARIOS, "镇街")
    entry = store.registers.add_register_entry(SHEET_SCENARIOS, MONTH, uid, {"信用应用": "信易行"}, EDITOR)
    store.registers.withdraw_register_entry(entry, EDITOR, "录错单位")
    assert t5(store, uid) == 0.0
    assert store.registers.register_entries(2022) == []
    kept = store.registers.register_entries(2022, include_withdrawn=True)
    assert [(e["id"], e["withdrawn"], e["reason"]) for e in kept] == [(entry, True, "录错单位")]
    with pytest.raises(CreditError, match="已撤回"):
        store.registers.withdraw_register_entry(entry, EDITOR)
    # withdrawn, the same entry may be typed again
    store.registers.add_register_entry(SHEET_SCENARIOS, MONTH, uid, {"信用应用": "信易行"}, EDITOR)
    assert t5(store, uid) == 10.0


def test_evidence_files_are_checked_stored_once_and_insert_only(store) -> None:
    version = store.data_version()
    with pytest.raises(CreditError, match="没有该单位的「信易X」条目"):
        store.registers.add_evidence(SHEET_SCENARIOS, 2022, "yushan", "信易X", "a.pdf", PDF, EDITOR)
    with pytest.raises(CreditError, match="不是有效的 PDF 或 Word"):
        store.registers.add_evidence(SHEET_SCENARIOS, 2022, "yushan", "信易批", "a.pdf", b"MZ not a pdf", EDITOR)
    before = rh.db_hash(store)
    with pytest.raises(CreditError, match="不是有效的 PDF 或 Word"):  # %PDF- in the first KB, not at 0
        store.registers.add_evidence(SHEET_SCENARIOS, 2022, "yushan", "信易批", "a.pdf", b"MZ" + bytes(62) + PDF, EDITOR)
    assert rh.db_hash(store) == before
    assert store.data_version() == version
    file_id = store.registers.add_evidence(SHEET_SCENARIOS, 2022, "yushan", "信易 批", "方案.pdf", PDF, EDITOR)
    assert store.data_version() == version + 1
    assert store.registers.add_evidence(SHEET_SCENARIOS, 2022, "yushan", "信易批", "again.pdf", PDF, EDITOR) == file_id
    assert store.data_version() == version + 1  # the same file for the same entry writes nothing
    assert store.registers.evidence_bytes(file_id, by=EDITOR) == ("方案.pdf", PDF)
    (info,) = store.registers.evidence_files(2022, SHEET_SCENARIOS, "yushan", by=EDITOR)
    assert (info["kind"], info["entry_key"], info["size"]) == ("pdf", "信易批", len(PDF))
    assert "content" not in info
    view = store.registers.register_view(2022, 10, SHEET_SCENARIOS).table
    assert view[(view["unit_id"] == "yushan") & (view["信用应用"] == "信易批")]["证明材料"].tolist()[0] == 1
    for sql in ("UPDATE evidence_files SET filename = 'x'", "DELETE FROM evidence_files"):
        with pytest.raises(sqlite3.IntegrityError, match="证明材料文件不可"):
            store._core.conn.execute(sql)


def test_archive_lookups(store) -> None:
    upload_id = store.datasets.versions(MONTH)[0]["upload_id"]
    info = store.datasets.uploads_info([upload_id, None])[upload_id]
    assert store.datasets.find_upload(info["sha256"]) == info and "content" not in info
    assert store.datasets.find_upload("0" * 64) is None and store.datasets.uploads_info([]) == {}
