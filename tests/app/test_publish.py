"""Issuing a month: refusals, one transaction, frozen results that later imports never touch, 更正通报."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from credit.app.demo import demo_months, fill_template
from credit.app.publish import correction_diff, publish_month
from credit.app.service import open_store, score
from credit.errors import CreditError
from credit.model.accounts import PermissionDenied
from credit.model.contract import SHEET_TOWN
from credit.store.publishing import COLLECTING, PUBLISHED
from credit.workbook.importer import parse_workbook
from credit.workbook.template import build_template
from tests.support.actors import EDITOR, VIEWER, file_digest

OCT, NO = "2022-10", "平信用办〔2022〕10号"


def _import(store, month: str, edit=None, reason: str = "", only: tuple[str, ...] | None = None) -> None:
    """Re-import a demo month through the real template path, optionally edited first."""
    register = store.units.register()
    data = next(d for d in demo_months(register) if d.month == month)
    if only:
        data.sheets = {k: v for k, v in data.sheets.items() if k in only}
    if edit:
        edit(data)
    raw = fill_template(build_template(month, register), data)
    parsed = parse_workbook(raw, f"更正_{month}.xlsx", month, register)
    store.datasets.import_workbooks([(parsed, raw, f"更正_{month}.xlsx")], EDITOR, reason=reason)


def _frozen_json(store, pub_id: int) -> str:
    return json.dumps(store.publishing.published_scores(pub_id), ensure_ascii=False, sort_keys=True)


def _summary_json(store, month: str, group: str) -> str:
    s = score(store, month, group).summary
    return s[["unit_id", "unit", "rank", "score", "earned", "possible"]].to_json(force_ascii=False)


def _more_articles(unit_name: str, n: float):
    def edit(data) -> None:
        row = next(r for r in data.sheets[SHEET_TOWN] if r["单位名称"] == unit_name)
        row["本月报送信用动态稿件数"] = n
    return edit


def test_refusals_in_chinese_and_nothing_written(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        before = file_digest(store)
        cases = [
            ("x号", date(2022, 11, 5), "格式有误"),
            ("平信用办〔2022〕10号", date(2022, 10, 31), "早于或等于 2022-10 的月末"),
            ("平信用办〔2021〕10号", date(2022, 11, 5), "文号年份〔2021〕与成文日期"),
            # the page's text box: read by credit (read_date), then the same rules as a date
            ("平信用办〔2022〕10号", "2022-02-30", "成文日期「2022-02-30」不是有效的日期"),
            ("平信用办〔2022〕10号", "", "请填写成文日期"),
            ("平信用办〔2022〕10号", "2022年10月31日", "早于或等于 2022-10 的月末"),
        ]
        for number, when, message in cases:
            with pytest.raises(CreditError, match=message):
                publish_month(store, OCT, number, when, "张三", EDITOR, with_pdf=False)
        with pytest.raises(CreditError, match="请填写签发人"):
            publish_month(store, OCT, NO, date(2022, 11, 5), " ", EDITOR, with_pdf=False)
        with pytest.raises(PermissionDenied, match="无权签发、更正月度通报"):
            publish_month(store, OCT, NO, date(2022, 11, 5), "张三", VIEWER, with_pdf=False)
        assert file_digest(store) == before and store.publishing.month_state(OCT) == COLLECTING
        publish_month(store, OCT, NO, "2022年11月5日", "张三", EDITOR, with_pdf=False)  # as typed on the page
        with pytest.raises(CreditError, match="已于 2022-11-05 签发通报（平信用办〔2022〕10号）.*须填写更正说明"):
            publish_month(store, OCT, "平信用办〔2022〕11号", date(2022, 11, 6), "张三", EDITOR, with_pdf=False)
        with pytest.raises(CreditError, match="文号「平信用办〔2022〕10号」已用于 2022-10 的通报"):
            publish_month(store, "2022-09", NO, date(2022, 10, 8), "张三", EDITOR, with_pdf=False)
        assert store.publishing.month_state("2022-09") == COLLECTING


def test_missing_sheets_block_publishing_unless_forced_with_a_reason(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        register = store.units.register()
        nov = next(d for d in demo_months(register) if d.month == "2022-10")
        nov.month = "2022-11"
        nov.sheets = {SHEET_TOWN: nov.sheets[SHEET_TOWN]}  # towns only: 部门 and 全县 still owed
        raw = fill_template(build_template("2022-11", register), nov)
        store.datasets.import_workbooks([(parse_workbook(raw, "十一月.xlsx", "2022-11", register), raw, "十一月.xlsx")], EDITOR)
        with pytest.raises(CreditError, match=r"仍有 32 项未报送：发改局（部门）、城管局（部门）.*等 32 项。如确需发布，请选择“仍然发布”并填写原因"):
            publish_month(store, "2022-11", "平信用办〔2022〕12号", date(2022, 12, 5), "张三", EDITOR, with_pdf=False)
        publish_month(store, "2022-11", "平信用办〔2022〕12号", date(2022, 12, 5), "张三", EDITOR,
                      force_reason="部门数据由县统计局另行报送", with_pdf=False)
        entry = store.audit_log(action="bulletin.publish")[0]
    assert entry["who"] == "office" and entry["detail"]["override"] == "部门数据由县统计局另行报送"
    assert len(entry["detail"]["missing"]) == 32 and "全县（全县）" in entry["detail"]["missing"]


@pytest.mark.slow  # issues a 通报 and a 更正通报 (two docx with charts and xlsx renders, ~7 s of CPU each)
def test_published_scores_stay_byte_identical_and_a_correction_is_a_new_record(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        live_before = _summary_json(store, OCT, "镇街")
        done = publish_month(store, OCT, NO, date(2022, 11, 5), "张三", EDITOR, with_pdf=False)
        assert store.publishing.month_state(OCT) == PUBLISHED
        frozen = _frozen_json(store, done.publication_id)
        assert _summary_json(store, OCT, "镇街") == live_before  # published = what was live when issued
        # a re-import of October without a reason is refused, and nothing is written
        digest = file_digest(store)
        with pytest.raises(CreditError, match="2022-10 的通报已签发，再次导入须填写更正说明"):
            _import(store, OCT, _more_articles("榆山街道", 6))
        assert file_digest(store) == digest
        # later imports of that month (with a reason) and of an earlier month
        _import(store, OCT, _more_articles("榆山街道", 6), reason="榆山街道漏报 6 篇信用动态稿件")
        _import(store, "2022-09", _more_articles("东阿镇", 7))
        assert _frozen_json(store, done.publication_id) == frozen  # the record: byte-identical rows
        assert _summary_json(store, OCT, "镇街") == live_before  # and what pages show for October
        assert "reason" in store.audit_log(action="import")[1]["detail"]
        diff = correction_diff(store, OCT, "镇街")
        xz = diff[diff["单位"] == "榆山街道"].iloc[0]
        assert xz["得分率变化"] > 0 and xz["已发布排名"] == 3  # third in the issued 通报
        live = score(store, OCT, "镇街", published=False).summary
        assert xz["更正后得分率"] == round(float(live.loc[live["unit"] == "榆山街道", "score"].iloc[0]), 2)
        # the 更正通报: new number, references the original; both records stay
        fix = publish_month(store, OCT, "平信用办〔2022〕11号", date(2022, 11, 12), "张三", EDITOR,
                            correction_reason="榆山街道漏报稿件，更正排名", with_pdf=False)
        pubs = store.publishing.publications(OCT)
        assert [(p["number"], p["kind"], p["corrects"]) for p in pubs] == [
            ("平信用办〔2022〕11号", "correction", done.publication_id), (NO, "original", None)]
        assert _frozen_json(store, done.publication_id) == frozen
        assert _summary_json(store, OCT, "镇街") != live_before  # pages now show the corrected record
        name, blob, sha = store.publishing.publication_file(fix.publication_id, "docx")
        assert hashlib.sha256(blob).hexdigest() == sha == fix.files["docx"]
        texts = [p.text for p in Document(io.BytesIO(blob)).paragraphs]
        assert texts[1] == "平信用办〔2022〕11号\t签发人：张三"
        assert "关于更正《平阴县社会信用体系建设工作2022年10月通报》（平信用办〔2022〕10号）的通报" in texts[2].replace("\n", "")
        with pytest.raises(Exception, match="已发布的得分不可修改"):
            store._core.db.execute("UPDATE published_scores SET score = 100")


@pytest.mark.slow  # a unit login (scrypt) and a full 通报 render
def test_open_objections_need_explicit_confirmation_before_publishing(demo_db: Path) -> None:
    """被考核单位: a unit's open 申诉 on the month stops 签发 until the office confirms it."""
    with open_store(demo_db) as store:
        month = store.datasets.months_with_data()[-1]
        dong = store.accounts.login("dongezhen", "demo-unit-1")
        store.unit_desk.raise_objection(dong, month, "dong_e", "figure", "本月实际出台 2 件制度文件",
                                       field="本月出台信用制度文件数", proposed=2)
        assert len(store.unit_desk.open_objections(month)) == 1
        y = int(month[:4]) + (month[5:] == "12")
        when = date(y, int(month[5:]) % 12 + 1, 5)
        number = f"平信用办〔{y}〕99号"
        before = file_digest(store)
        with pytest.raises(CreditError, match="申诉未处理"):
            publish_month(store, month, number, when, "张三", EDITOR, force_reason="演示", with_pdf=False)
        assert file_digest(store) == before
        done = publish_month(store, month, number, when, "张三", EDITOR, force_reason="演示",
                             objections_confirmed=True, with_pdf=False)
        assert done.number == number and store.publishing.current_publication(month)["number"] == number
