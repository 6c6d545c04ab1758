"""Issue 23, observation 2: the notice's text is generated from its figures; the office's own
paragraphs are kept apart and flagged out of date when the figures change; a 更正通报 states its
更正说明 and a table of what changed, and every figure of its text equals its tables (Word file)."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from credit.app.publish import candidate_data, publish_month, save_bulletin_text
from credit.app.service import open_store
from credit.errors import CreditError
from credit.model.contract import SHEET_TOWN
from credit.reports.bulletin import TextEdits
from credit.reports.correction import COLUMNS, INPUT_COLUMNS, RANK_ONLY, SAID_INPUTS, Correction, input_changes
from tests.support.actors import EDITOR
from tests.support.monthdata import import_month, month_data, row

OCT, NO, FIX = "2022-10", "平信用办〔2022〕10号", "平信用办〔2022〕11号"
OWN = {"overall": "信用办补充：本月各镇工作总体平稳。", "problems": "个别单位报送材料不规范。", "requirements": "一是按时报送。"}
REASON = "孔村镇辖区注册企业数报送有误（304 应为 340）"


def _kongcun_registrations(n: float):
    return lambda data: row(data, SHEET_TOWN, "孔村镇").update({"信易贷平台注册企业数": n})


def paragraphs(blob: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(blob)).paragraphs]


def tables(blob: bytes) -> list[list[list[str]]]:
    return [[[c.text for c in r.cells] for r in t.rows] for t in Document(io.BytesIO(blob)).tables]


def check_text_against_tables(blob: bytes) -> int:
    """Every figure the text states that a table also holds: each unit's （得分率）, the warning and
    new-deduction counts, and each 更正 line's old → new. Returns how many figures were checked."""
    text, tabs = "\n".join(paragraphs(blob)), tables(blob)
    rates = {r[1]: r[-3] for t in tabs if t[0][0] == "排名" for r in t[1:]}
    checked = 0
    for unit, rate in re.findall(r"([\u4e00-\u9fff]{2,12}?)（(\d+\.\d\d)）", text):
        unit = next((u for u in rates if unit.endswith(u)), None)
        if unit is not None:
            assert rates[unit] == rate, (unit, rate)
            checked += 1
    alerts = next((t for t in tabs if t[0] == ["序号", "预警", "单位", "原因"]), [[]])
    m = re.search(r"本月发出红色预警 (\d+) 个、黄色预警 (\d+) 个", text)
    assert m and [int(m[1]), int(m[2])] == [sum(r[1] == lv for r in alerts[1:]) for lv in ("红色", "黄色")]
    new = next((t for t in tabs if t[0] == ["序号", "单位", "指标", "事项", "扣分"]), [[]])
    for n in re.findall(r"本月新增扣分事项 (\d+) 项", text):
        assert int(n) == len(new) - 1
        checked += 1
    fixed = next((t for t in tabs if t[0] == ["单位", "报表", "填报项", "原填报", "更正后填报"]), None)
    inputs = re.search(r"更正的报送数据（共 (\d+) 项）：(.*?)(?:等（全部 \d+ 项见下表）)?。", text)
    if inputs:
        said = re.findall(r"([^；“]+)“([^”]+)”(\S+) → ([^；]+)", inputs[2])
        assert int(inputs[1]) == len(fixed) - 1 and len(said) == min(int(inputs[1]), SAID_INPUTS)
        assert [list(x) for x in said] == [[r[0], r[2], r[3], r[4]] for r in fixed[1:len(said) + 1]]
        checked += 2 * len(said)
    change = next((t for t in tabs if t[0][:2] == ["单位", "指标"]), None)
    said = re.search(r"得分或排名有变化：(.*?)。", text)
    for unit, body in (part.split("：", 1) for part in (said[1].split("；") if said else [])):
        rows = [r for r in (change or [])[1:] if r[0] == unit]
        assert rows, unit
        for ind, a, b in re.findall(r"“([^”]+)”得分 (\d+\.\d\d) → (\d+\.\d\d)", body):
            assert [ind, a, b] in [r[1:4] for r in rows]
            checked += 1
        a, b = re.search(r"得分率 (\d+\.\d\d) → (\d+\.\d\d)", body).groups()
        e, f = re.search(r"排名第 (\d+) → 第 (\d+) 名", body).groups()
        assert [a, b, e, f] == [rows[0][4], rows[0][5], rows[0][6], rows[0][7]]
        checked += 4
    return checked


def test_own_paragraphs_follow_the_generated_text_and_go_stale_when_figures_change(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        assert save_bulletin_text(store, OCT, OWN, EDITOR)
        data = candidate_data(store, OCT)
        assert not data.stale
        assert data.text.paragraphs("overall") == [*data.generated.paragraphs("overall"), OWN["overall"]]
        assert data.text.paragraphs("problems")[-1] == OWN["problems"]
        assert data.text.requirements == OWN["requirements"]
        before = data.generated.paragraphs("overall")[0]
        import_month(store, OCT, _kongcun_registrations(900), base=OCT, only=(SHEET_TOWN,))
        data = candidate_data(store, OCT)
        now = data.generated.paragraphs("overall")[0]
        assert now != before and data.text.paragraphs("overall")[0] == now  # the text follows the figures
        assert f"总体情况　原：{before}" in data.stale and f"总体情况　现：{now}" in data.stale
        with pytest.raises(CreditError, match="通报文稿保存后数据已有变化.*重新保存后再签发"):
            publish_month(store, OCT, NO, date(2022, 11, 5), "张三", EDITOR, with_pdf=False)
        assert store.publishing.month_state(OCT) == "采集中"
        save_bulletin_text(store, OCT, OWN, EDITOR)  # the office looked again
        assert not candidate_data(store, OCT).stale
        publish_month(store, OCT, NO, date(2022, 11, 5), "张三", EDITOR, with_pdf=False)


def test_an_old_format_saved_text_is_not_used_as_figures() -> None:
    old = TextEdits.from_saved({"overall": "孔村镇（79.48）下降最多。", "problems": "黄色预警 24 个", "requirements": "按时报送"})
    assert (old.overall, old.problems, old.requirements, old.basis) == ("", "", "按时报送", None)
    from credit.reports.bulletin import BulletinText
    gen = BulletinText("甲", "乙", "丙")
    assert old.compose(gen) == BulletinText("甲", "乙", "按时报送") and old.stale(gen)
    again = TextEdits.from_saved(TextEdits("x", "", "", {"overall": "甲", "problems": "乙"}).to_saved())
    assert again.compose(gen) == BulletinText("甲\nx", "乙", "丙") and again.stale(gen) == []


def test_a_correction_notice_states_its_reason_and_changes_and_its_text_equals_its_tables(demo_db: Path) -> None:
    """Observation 2: sign October, correct 孔村镇's registrations with a reason, sign the 更正."""
    with open_store(demo_db) as store:
        save_bulletin_text(store, OCT, OWN, EDITOR)
        publish_month(store, OCT, NO, date(2022, 11, 5), "张三", EDITOR, with_pdf=False)
        original = store.publishing.publication_file(store.publishing.current_publication(OCT)["id"], "docx")[1]
        assert check_text_against_tables(original) >= 8
        import_month(store, OCT, lambda d: row(d, SHEET_TOWN, "孔村镇").update(
            {"信易贷平台注册企业数": 900, "辖区注册企业总数": 3500}), base=OCT, only=(SHEET_TOWN,), reason=REASON)
        with pytest.raises(CreditError, match="通报文稿保存后数据已有变化"):
            publish_month(store, OCT, FIX, date(2022, 11, 12), "张三", EDITOR, correction_reason=REASON, with_pdf=False)
        save_bulletin_text(store, OCT, OWN, EDITOR)
        fix = publish_month(store, OCT, FIX, date(2022, 11, 12), "张三", EDITOR, correction_reason=REASON,
                            with_pdf=False)
        blob = store.publishing.publication_file(fix.publication_id, "docx")[1]
        xlsx = store.publishing.publication_file(fix.publication_id, "xlsx")[1]
    text = paragraphs(blob)
    assert f"更正说明：{REASON}。" in text
    # which reported figure was corrected, old → new: October's demo 孔村镇 registrations → 900
    with open_store(demo_db) as store:
        was = row(month_data(store, OCT, base=OCT), SHEET_TOWN, "孔村镇")
    fixed = next(t for t in tables(blob) if t[0] == ["单位", "报表", "填报项", "原填报", "更正后填报"])
    assert was["信易贷平台注册企业数"] is None and was["辖区注册企业总数"] == 3450  # the demo's October
    assert fixed[1:] == [["孔村镇", SHEET_TOWN, "信易贷平台注册企业数", "未填写", "900"],
                         ["孔村镇", SHEET_TOWN, "辖区注册企业总数", "3,450", "3,500"]]
    assert ("更正的报送数据（共 2 项）：孔村镇“信易贷平台注册企业数”未填写 → 900；"
            "孔村镇“辖区注册企业总数”3,450 → 3,500。") in text
    change = next(t for t in tables(blob) if t[0][:2] == ["单位", "指标"])
    assert change[0] == ["单位", "指标", "原得分", "更正后得分", "原得分率", "更正后得分率", "原排名", "更正后排名"]
    kong = [r for r in change[1:] if r[0] == "孔村镇"]
    assert kong and kong[0][1] != RANK_ONLY and float(kong[0][3]) > float(kong[0][2])  # more registrations, more points
    assert float(kong[0][5]) > float(kong[0][4])
    # the "old" side is the issued notice: 孔村镇's 得分率 there
    rates_then = {r[1]: r[-3] for t in tables(original) if t[0][0] == "排名" for r in t[1:]}
    rates_now = {r[1]: r[-3] for t in tables(blob) if t[0][0] == "排名" for r in t[1:]}
    assert kong[0][4] == rates_then["孔村镇"] and kong[0][5] == rates_now["孔村镇"]
    assert check_text_against_tables(blob) >= 12
    import openpyxl
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx))["更正说明"]
    assert sheet.max_row - 1 == len(change) - 1


def test_corrected_figures_tell_a_blank_from_a_zero_and_the_text_names_at_most_ten(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        publish_month(store, OCT, NO, date(2022, 11, 5), "张三", EDITOR, with_pdf=False)
        signed = {s: int(v) for s, v in store.publishing.current_publication(OCT)["data_versions"].items()}
        assert input_changes(store, OCT, signed).empty  # nothing re-imported: nothing corrected
        import_month(store, OCT, lambda d: row(d, SHEET_TOWN, "孔村镇").update(
            {"信易贷平台注册企业数": 0, "辖区注册企业总数": None, "本月报送信用动态稿件数": 0}),
            base=OCT, only=(SHEET_TOWN,), reason=REASON)
        fixed = input_changes(store, OCT, signed)
    # a blank stock reported as 0 is a change; a reported 0 re-sent as 0 is not; a figure blanked is
    assert fixed.values.tolist() == [["孔村镇", SHEET_TOWN, "信易贷平台注册企业数", "未填写", "0"],
                                     ["孔村镇", SHEET_TOWN, "辖区注册企业总数", "3,450", "未填写"]]
    many = pd.DataFrame([["甲镇", SHEET_TOWN, f"项{i}", str(i), str(i + 1)] for i in range(12)], columns=INPUT_COLUMNS)
    line = Correction(NO, REASON, pd.DataFrame(columns=COLUMNS), many).sentences("2022年10月")[1]
    assert line.startswith("更正的报送数据（共 12 项）：甲镇“项0”0 → 1；") and line.endswith("甲镇“项9”9 → 10等（全部 12 项见下表）。")
