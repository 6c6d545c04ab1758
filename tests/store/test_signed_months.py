"""Observation 7 of issue 23: published months cannot be changed behind their record.

Retiring 孔村镇 from 2022-10 or renaming 东阿镇 from 2022-01 after October was signed changed
October's "published" ranking; a weight version effective in a signed month was accepted silently;
a correction of an earlier month changed a later signed month's current result and nothing said so.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from credit.app.publish import publish_month
from credit.app.service import adopt_weights, open_store, score
from credit.errors import CreditError
from credit.model.contract import SHEET_TOWN
from credit.reports.candidate import later_months_note, later_signed_differences, month_changes_note
from credit.reports.scored import framework_for
from credit.scoring.whatif import official_points
from credit.store.units import NewUnit
from tests.app.test_publish import _import
from tests.support.actors import ADMIN, EDITOR, file_digest
from tests.support.cli import run_cli

SEP, OCT = "2022-09", "2022-10"


def _sign(store, month: str, number: str, issued: date) -> int:
    return publish_month(store, month, number, issued, "张三", EDITOR, with_pdf=False).publication_id


def _demand(unit_name: str, amount: float):
    def edit(data) -> None:
        next(r for r in data.sheets[SHEET_TOWN] if r["单位名称"] == unit_name)["信易贷融资需求金额（万元）"] = amount
    return edit


def _busy_august(unit_name: str):
    """Many more documents, articles and campaigns in one month: flows, so every later month's
    year-to-date figures move (a stock would be overridden by the next report)."""
    def edit(data) -> None:
        row = next(r for r in data.sheets[SHEET_TOWN] if r["单位名称"] == unit_name)
        row.update({"本月出台信用制度文件数": 20, "本月报送信用动态稿件数": 50, "本月开展诚信宣传活动次数": 50})
    return edit


def test_register_and_weight_changes_reaching_a_signed_month_are_refused_without_a_correction(
        demo_db: Path) -> None:
    with open_store(demo_db) as store:
        _sign(store, OCT, "平信用办〔2022〕10号", date(2022, 11, 5))
        before = score(store, OCT, "镇街", published=False).summary.copy()
        digest = file_digest(store)
        official = framework_for(store, "镇街", OCT)
        points = {**official_points(official), "T1": 7.0, "T2": 3.0}
        cases = [
            (lambda fix: store.units.retire("kongcun", OCT, ADMIN, correction=fix), "撤销「孔村镇」自 2022-10 起生效"),
            (lambda fix: store.units.rename("dong_e", "东阿镇新区", "2022-01", ADMIN, correction=fix),
             "「东阿镇」更名自 2022-01 起生效"),
            (lambda fix: store.units.add("xinqu", "新区街道", "镇街", "街道", "2022-05", ADMIN, correction=fix),
             "添加单位自 2022-05 起生效"),
            (lambda fix: store.units.add_many([NewUnit("xinqu2", "新区二街道", "镇街", "街道", OCT)], ADMIN,
                                         correction=fix), "添加单位自 2022-10 起生效"),
            (lambda fix: adopt_weights(store, official, OCT, points, EDITOR, "调整分值", correction=fix),
             "「镇街」指标体系新版本自 2022-10 起生效"),
        ]
        for change, message in cases:
            for blank in ("", "   "):
                with pytest.raises(CreditError, match=f"{message}，会改变已签发月份 2022-10（平信用办〔2022〕10号）的结果"):
                    change(blank)
        assert file_digest(store) == digest  # nothing written by any refusal
        # after the last signed month: allowed without a correction
        store.units.rename("dong_e", "东阿镇新区", "2022-11", ADMIN)
        store.units.add("xinqu", "新区街道", "镇街", "街道", "2022-11", ADMIN)
        adopt_weights(store, framework_for(store, "镇街", "2022-11"), "2022-11", points, EDITOR, "11 月起调整")
        pd_after = score(store, OCT, "镇街", published=False).summary
        assert pd_after[["unit_id", "rank", "score"]].equals(before[["unit_id", "rank", "score"]])
        # as a correction: accepted, audited with the months it reaches, and October shows a 更正候选
        store.units.retire("kongcun", OCT, ADMIN, correction="孔村镇撤并，10 月起不再考核")
        entry = store.audit_log(action="unit.retire")[0]["detail"]
        assert entry["correction"] == "孔村镇撤并，10 月起不再考核" and entry["signed_months"] == [OCT]
        assert "kongcun" in set(score(store, OCT, "镇街").summary["unit_id"])  # the record
        assert "kongcun" not in set(score(store, OCT, "镇街", published=False).summary["unit_id"])  # 更正候选
        note = month_changes_note(store, OCT)
        assert "孔村镇" in note and "须签发更正通报" in note


def test_correcting_an_earlier_month_names_the_later_signed_months_that_now_differ(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        _sign(store, SEP, "平信用办〔2022〕9号", date(2022, 10, 8))
        _sign(store, OCT, "平信用办〔2022〕10号", date(2022, 11, 5))
        assert later_signed_differences(store, "2022-08") == []
        # a correction of August (year to date: September's and October's current results move)
        _import(store, "2022-08", _busy_august("东阿镇"))
        later = later_signed_differences(store, "2022-08")
        assert [m for m, _ in later] == [SEP, OCT] and all(n > 0 for _, n in later)
        note = later_months_note(store, "2022-08")
        assert note.startswith("更正2022年8月后，以下已签发月份按现有数据计算的结果与其已签发记录不同：2022年9月（")
    # the CLI says it after an import of a signed month too
    raw_dir = demo_db.parent
    res = run_cli("publications", "--db", str(demo_db), "--month", SEP)
    assert res.returncode == 0 and "平信用办〔2022〕9号" in res.stdout
    with open_store(demo_db) as store:
        from credit.app.demo import demo_months, fill_template
        from credit.workbook.template import build_template

        register = store.units.register()
        data = next(d for d in demo_months(register) if d.month == SEP)
        _demand("孝直镇", 88888)(data)
        (raw_dir / "sep.xlsx").write_bytes(fill_template(build_template(SEP, register), data))
    res = run_cli("import", "--db", str(demo_db), "--month", SEP, str(raw_dir / "sep.xlsx"), "--reason", "孝直镇更正",
                  "--confirm-surges")
    assert res.returncode == 0, res.stderr
    assert "注意：2022年9月已签发；按现有数据计算的更正候选与已签发记录不同：" in res.stdout
    assert "注意：更正2022年9月后，以下已签发月份按现有数据计算的结果与其已签发记录不同：2022年10月（" in res.stdout


@pytest.mark.parametrize("fix, message", [
    ("\u200b", "第 1 个字符，U+200B"),  # only a zero-width space: looks filled, says nothing
    ("孔村镇\u202e撤并", "第 4 个字符，U+202E"),  # a direction override shows another text
    ("孔村镇撤并\x07", "第 6 个字符，U+0007"),  # a control character breaks the Word/Excel files
    ("孔村镇\u2028撤并", "第 4 个字符，U+2028"),
    ("撤" * 2001, "更正说明过长：共 2001 个字符，最多 2000 个"),
])
def test_a_hostile_correction_reason_is_refused_and_nothing_is_written(demo_db: Path, fix: str, message: str) -> None:
    with open_store(demo_db) as store:
        _sign(store, OCT, "平信用办〔2022〕10号", date(2022, 11, 5))
        digest = file_digest(store)
        official = framework_for(store, "镇街", OCT)
        points = {**official_points(official), "T1": 7.0, "T2": 3.0}
        for change in (lambda: store.units.retire("kongcun", OCT, ADMIN, correction=fix),
                       lambda: store.units.rename("dong_e", "东阿镇新区", "2022-01", ADMIN, correction=fix),
                       lambda: store.units.add("xinqu", "新区街道", "镇街", "街道", "2022-05", ADMIN, correction=fix),
                       lambda: adopt_weights(store, official, OCT, points, EDITOR, "调整分值", correction=fix)):
            with pytest.raises(CreditError, match=re.escape(message)):
                change()
        assert file_digest(store) == digest
        # several lines and a tab are a fine reason; exactly 2000 characters too
        store.units.retire("kongcun", OCT, ADMIN, correction="孔村镇撤并：\n\t经县政府批复，10 月起不再考核")
        store.units.rename("dong_e", "东阿镇新区", "2022-01", ADMIN, correction="更" * 2000)
        assert store.audit_log(action="unit.rename")[0]["detail"]["correction"] == "更" * 2000
