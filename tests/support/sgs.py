"""Hand-made 双公示 record files (行政许可 / 行政处罚 as the reporting system exports them).

Every value is written out in the test that uses it; the helpers only lay rows under the header.
Codes: 91110000600037341L and 9144030071526726XG are published valid 统一社会信用代码;
91110000600037341M is the first with a wrong check character. The agency code is made valid
once, by hand, with GB 32100-2015's check character (see AGENCY).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook

VALID_A = "91110000600037341L"
VALID_B = "9144030071526726XG"
WRONG_CHECK = "91110000600037341M"
AGENCY = "11370124004239120Q"  # 17 characters + the check character GB 32100-2015 gives (asserted in tests)
ID_NUMBER = "11010519491231002X"  # the GB 11643 example ID number (valid check digit)

LICENCE_HEADERS = [
    "行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "行政许可决定文书名称", "行政许可决定文书号",
    "许可类别", "许可内容", "许可决定日期", "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态",
    "数据来源单位", "数据来源单位统一社会信用代码", "上报日期",
]
PENALTY_HEADERS = [
    "行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "行政处罚决定书文号", "违法行为类型", "违法事实",
    "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）", "处罚决定日期", "处罚机关", "处罚机关统一社会信用代码",
    "当前状态", "数据来源单位", "数据来源单位统一社会信用代码", "上报日期",
]


def licence(**over: object) -> dict[str, object]:
    """A correct 行政许可 record, decided on Tuesday 2022-11-01 and reported the next day."""
    rec: dict[str, object] = {
        "行政相对人名称": "平阴县甲食品有限公司", "行政相对人类别": "法人及非法人组织", "统一社会信用代码": VALID_A,
        "法定代表人": "张三", "行政许可决定文书名称": "食品经营许可证", "行政许可决定文书号": "平市监许〔2022〕101号",
        "许可类别": "普通", "许可内容": "食品销售经营者", "许可决定日期": "2022-11-01", "有效期自": "2022-11-01",
        "有效期至": "2027-10-31", "许可机关": "平阴县市场监督管理局", "许可机关统一社会信用代码": AGENCY,
        "当前状态": "有效", "数据来源单位": "平阴县市场监督管理局", "数据来源单位统一社会信用代码": AGENCY,
        "上报日期": "2022-11-02",
    }
    rec.update(over)
    return rec


def penalty(**over: object) -> dict[str, object]:
    """A correct 行政处罚 record: a 5,000 元 fine on a company (above the simplified limits)."""
    rec: dict[str, object] = {
        "行政相对人名称": "平阴县乙商贸有限公司", "行政相对人类别": "法人及非法人组织", "统一社会信用代码": VALID_B,
        "法定代表人": "李四", "行政处罚决定书文号": "平市监罚〔2022〕201号", "违法行为类型": "违反食品安全法",
        "违法事实": "销售超过保质期的食品", "处罚依据": "《中华人民共和国食品安全法》第一百二十四条",
        "处罚类别": "罚款", "处罚内容": "罚款5000元", "罚款金额（万元）": 0.5, "处罚决定日期": "2022-11-01",
        "处罚机关": "平阴县市场监督管理局", "处罚机关统一社会信用代码": AGENCY, "当前状态": "有效",
        "数据来源单位": "平阴县市场监督管理局", "数据来源单位统一社会信用代码": AGENCY, "上报日期": "2022-11-02",
    }
    rec.update(over)
    return rec


def _rows(headers: Sequence[str], records: Sequence[Mapping[str, object]]) -> list[list[object]]:
    return [[rec.get(h) for h in headers] for rec in records]


def xlsx(licences: Sequence[Mapping[str, object]] = (), penalties: Sequence[Mapping[str, object]] = (), *,
         title: str | None = "平阴县双公示数据导出", headers: tuple[list[str], list[str]] | None = None) -> bytes:
    """An export with a 行政许可 and/or a 行政处罚 sheet, a title row above each header."""
    lic_h, pen_h = headers or (LICENCE_HEADERS, PENALTY_HEADERS)
    wb = Workbook()
    wb.remove(wb.active)
    for name, hdr, recs in (("行政许可", lic_h, licences), ("行政处罚", pen_h, penalties)):
        if not recs:
            continue
        ws = wb.create_sheet(name)
        if title:
            ws.append([title])
        ws.append(hdr)
        for row in _rows(hdr, recs):
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(headers: Sequence[str], records: Sequence[Mapping[str, object]], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(_rows(headers, records))
    return buf.getvalue().encode(encoding)


def codes_xlsx(codes: Sequence[object], header: str = "统一社会信用代码") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([header])
    for c in codes:
        ws.append([c])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
