"""一月一实, where the figures come from: a signed month is shown from its record, never recomputed.

Observation 1 of issue 23: after 签发, a correction import (or a weight version, a register change,
a correction of an earlier month) made `scores --month M` show the frozen 得分 next to per-indicator
figures recomputed from today's data, which no longer added up. These tests sign October of the
demo database, change what today's data gives for it, and read October back every way the
platform shows it.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from credit.app.publish import publish_month
from credit.app.service import adopt_weights, open_store, score, unit_detail
from credit.common.labels import GROUPS
from credit.reports.bulletin import build_bulletin_data, to_xlsx
from credit.reports.candidate import compare, record_vs_candidate
from credit.reports.scored import SIGNED, framework_for, month_figures
from credit.scoring.whatif import official_points
from credit.workbook.preview import rank_changes
from tests.app.test_cli_publications import _best_demand, _frozen, _sign_october
from tests.app.test_publish import _import
from tests.support.actors import ADMIN, EDITOR, file_digest

OCT, NO = "2022-10", "平信用办〔2022〕10号"
DEMAND = "信易贷融资需求金额（万元）"


def test_every_view_of_a_signed_month_reads_the_record(demo_db: Path) -> None:
    """单位详情 (逐项 and 逐月), the bulletin and its Excel 明细 of the signed month, after the data changed."""
    with open_store(demo_db) as store:
        pub = _sign_october(store)
        signed = {g: score(store, OCT, g) for g in GROUPS}
        months_before = signed["镇街"].inputs.unit_monthly.copy()
        _import(store, OCT, _best_demand(), reason="榆山街道融资需求金额更正")
        gm = score(store, OCT, "镇街")
        assert gm.label == SIGNED and gm.published["id"] == pub
        figures, state = month_figures(store, OCT, "镇街")
        assert figures.summary.equals(gm.summary) and state == "已发布"
        # 逐月: the monthly figures behind the record are those of the signing, not today's 60 articles
        pd.testing.assert_frame_equal(gm.inputs.unit_monthly, months_before)
        yushan = gm.inputs.unit_monthly
        now = score(store, OCT, "镇街", published=False).inputs.unit_monthly
        assert 99999 in set(now.loc[(now["unit_id"] == "yushan") & (now["month"] == OCT), DEMAND])
        assert 99999 not in set(yushan.loc[(yushan["unit_id"] == "yushan") & (yushan["month"] == OCT), DEMAND])
        # 逐项 on the unit page
        frozen = _frozen(store, pub, "镇街")
        for uid in frozen.index:
            d = unit_detail(store, EDITOR, OCT, uid)
            assert d.detail["earned"].sum() == pytest.approx(frozen.loc[uid, "earned"], abs=1e-9)
            assert d.row["rank"] == frozen.loc[uid, "rank"]
        # the bulletin and its Excel 明细
        data = build_bulletin_data(store, OCT)
        wb = load_workbook(io.BytesIO(to_xlsx(data)), read_only=True)
        for g in GROUPS:
            fz = _frozen(store, pub, g)
            ranking = pd.DataFrame(wb[f"{g}排名"].values)
            ranking.columns = ranking.iloc[0]
            ranking = ranking.iloc[1:]
            by_unit = dict(zip(ranking["单位"], ranking["得分率"].astype(float), strict=True))
            assert by_unit == {r["unit"]: round(r["score"], 2) for r in fz.to_dict("records")}
            bd = next(b for b in data.groups if b.group == g).breakdown
            assert len(bd) > 0


def test_the_record_survives_a_weight_version_a_register_change_and_a_correction_of_an_earlier_month(
        demo_db: Path) -> None:
    with open_store(demo_db) as store:
        pub = _sign_october(store)
        before = {g: score(store, OCT, g).summary.copy() for g in GROUPS}
        official = framework_for(store, "镇街", OCT)
        fid = official.version_id
        points = {**official_points(official), "T1": 7.0, "T2": 3.0}
        adopt_weights(store, official, OCT, points, EDITOR, "调整分值", correction="领导小组决定 10 月起调整分值")
        store.units.retire("kongcun", OCT, ADMIN, correction="孔村镇并入，10 月起不再考核")
        store.units.rename("dong_e", "东阿镇（新）", "2022-01", ADMIN, correction="东阿镇更名")
        _import(store, "2022-09", _best_demand("安城镇"))
        for g in GROUPS:
            gm = score(store, OCT, g)
            pd.testing.assert_frame_equal(gm.summary, before[g])
            d = gm.scores.detail
            sums = d[d["applies"]].groupby("unit_id")["earned"].sum()
            frozen = _frozen(store, pub, g)
            assert (sums - frozen["earned"]).abs().max() < 1e-9
        cand = score(store, OCT, "镇街", published=False)
        assert "kongcun" not in set(cand.summary["unit_id"])  # today's register: retired
        assert cand.scores.framework.version_id != fid
        assert "kongcun" in set(score(store, OCT, "镇街").summary["unit_id"])  # the record: as signed


def test_one_comparison_shows_the_change_the_upload_page_hid(demo_db: Path) -> None:
    """Observation 3: the upload page compared the shown figures before and after the import —
    both the record once the month is signed — so 79.48 → 79.48 hid the change the 月度通报 page
    showed. Both now use `record_vs_candidate`."""
    with open_store(demo_db) as store:
        _sign_october(store)
        before = {g: score(store, OCT, g, with_previous=False).summary for g in GROUPS}
        _import(store, OCT, _best_demand(), reason="榆山街道融资需求金额更正")
        after = {g: score(store, OCT, g, with_previous=False).summary for g in GROUPS}
        old_way = rank_changes(before["镇街"], after["镇街"])
        assert (old_way["导入前得分率"] == old_way["导入后得分率"]).all()  # what the page showed: no change
        diff = record_vs_candidate(store, OCT, "镇街")
        yushan = diff[diff["单位"] == "榆山街道"].iloc[0]
        cand = score(store, OCT, "镇街", published=False).summary
        assert yushan["更正后得分率"] == round(float(cand.loc[cand["unit_id"] == "yushan", "score"].iloc[0]), 2)
        assert yushan["已发布得分率"] == round(float(after["镇街"].loc[after["镇街"]["unit_id"] == "yushan",
                                                                      "score"].iloc[0]), 2)
        assert yushan["得分率变化"] > 0
        assert diff.equals(compare(after["镇街"], cand))


def test_compare_marks_units_on_one_side_only_and_rounds_to_the_published_cent() -> None:
    rec = pd.DataFrame({"unit_id": ["a", "b", "c"], "unit": ["甲", "乙", "丙"], "rank": [1, 2, 3],
                        "score": [90.004, 80.0, 70.0]})
    cand = pd.DataFrame({"unit_id": ["a", "b", "d"], "unit": ["甲", "乙", "丁"], "rank": [2, 1, 3],
                         "score": [90.001, 91.0, 60.0]})
    diff = compare(rec, cand).set_index("单位")
    assert diff.loc["甲", "得分率变化"] == 0 and diff.loc["甲", "排名变化"] == -1
    assert diff.loc["乙", "得分率变化"] == 11.0 and diff.loc["乙", "排名变化"] == 1
    assert pd.isna(diff.loc["丙", "更正后排名"]) and pd.isna(diff.loc["丁", "已发布排名"])
    assert list(diff.index) == ["乙", "甲", "丁", "丙"]


def test_an_import_committed_between_scoring_and_writing_is_refused(demo_db: Path, monkeypatch) -> None:
    """Issue 22 §4: a real second connection commits an import while 签发 renders; the write sees it."""
    import threading

    import credit.app.publish as pub_mod

    real = pub_mod.to_docx
    done = threading.Event()
    errors: list[BaseException] = []

    def racing_render(data):
        def other() -> None:
            try:
                with open_store(demo_db) as other_store:
                    _import(other_store, OCT, _best_demand())
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                done.set()
        threading.Thread(target=other).start()
        assert done.wait(120)
        return real(data)

    monkeypatch.setattr(pub_mod, "to_docx", racing_render)
    with open_store(demo_db) as store:
        with pytest.raises(Exception, match="签发期间数据已被更改"):
            _sign_october(store)
        assert not errors, errors
        assert store.publishing.current_publication(OCT) is None
        monkeypatch.setattr(pub_mod, "to_docx", real)
        pub = _sign_october(store)  # signed again: now the record is of the data that is current
        rec = score(store, OCT, "镇街").summary
        cand = score(store, OCT, "镇街", published=False).summary
        assert store.publishing.publications(OCT)[0]["id"] == pub
        assert rec[["unit_id", "rank", "score"]].equals(cand[["unit_id", "rank", "score"]])


def test_a_duplicate_number_is_refused_before_anything_is_rendered(demo_db: Path, monkeypatch) -> None:
    import credit.app.publish as pub_mod

    with open_store(demo_db) as store:
        _sign_october(store)

        def no_render(*_a, **_k):
            raise AssertionError("rendered before the number was checked")

        monkeypatch.setattr(pub_mod, "to_docx", no_render)
        monkeypatch.setattr(pub_mod, "signed_files", no_render)
        monkeypatch.setattr(pub_mod, "build_bulletin_data", no_render)
        digest = file_digest(store)
        with pytest.raises(Exception, match="文号「平信用办〔2022〕10号」已用于 2022-10 的通报"):
            publish_month(store, "2022-09", NO, date(2022, 10, 8), "张三", EDITOR)
        with pytest.raises(Exception, match="已用于"):
            publish_month(store, OCT, NO, date(2022, 11, 9), "张三", EDITOR, correction_reason="重复")
        assert file_digest(store) == digest


def test_the_record_is_insert_only(demo_db: Path) -> None:
    with open_store(demo_db) as store:
        _sign_october(store)
        with pytest.raises(Exception, match="已签发月份的记录不可修改"):
            store._core.db.execute("UPDATE month_records SET content = x'00'")
        with pytest.raises(Exception, match="已签发月份的记录不可删除"):
            store._core.db.execute("DELETE FROM month_records")
