"""How audit entries read to an official: Chinese names for actions and detail keys.

Times are shown with `credit.common.clock.beijing` (北京时间), like every other stamp.
"""

from __future__ import annotations

import json

ACTIONS: dict[str, str] = {
    "login": "登录", "login.failed": "登录失败", "login.oidc": "统一身份认证登录", "logout": "退出登录",
    "logout.expired": "超时退出", "import": "导入数据", "restore": "恢复版本",
    "account.add": "新增账户", "account.password": "修改密码", "account.disable": "停用账户",
    "account.enable": "启用账户", "account.signout_all": "全部退出登录", "framework.save": "发布指标体系", "weights.adopt": "采纳为官方权重",
    "scenario.save": "保存权重方案", "scenario.delete": "删除私有权重方案", "unit.add": "新增单位", "unit.rename": "单位更名",
    "unit.retire": "撤销单位", "xyd.set": "设定信易贷目标", "meta.set": "修改设置",
    "bulletin.export": "导出通报", "bulletin.text": "保存通报文稿", "bulletin.publish": "签发通报",
    "bulletin.correct": "签发更正通报", "year.publish": "签发年度通报", "year.correct": "签发年度更正通报", "correction": "更正", "register.add": "登记证明材料", "register.withdraw": "撤回证明材料",
    "evidence.add": "上传证明文件", "empty.mark": "标记本月无新增", "empty.unmark": "撤销本月无新增", "seed.units": "初始化单位名册",
    "submission.submit": "单位报送数据", "submission.return": "退回单位报送", "submission.accept": "采纳单位报送",
    "schema.upgrade": "数据库升级", "backup.make": "备份数据库", "backup.download": "下载数据库备份",
    "objection.raise": "单位提出申诉", "objection.accept": "采纳申诉", "objection.reject": "申诉不予采纳",
    "evidence.submit": "单位报送证明材料", "evidence.accept": "采纳单位证明材料", "evidence.return": "退回单位证明材料",
    "unit.contact": "修改单位联系人",
    "workdays.set": "录入放假和调休安排", "workdays.clear": "清除放假和调休安排",
    "sgs.columns": "保存双公示列对应", "sgs.columns.forget": "删除双公示列对应",
}

KEY_LABELS: dict[str, str] = {
    "username": "用户名", "role": "角色", "failed": "连续失败次数", "locked": "已锁定", "reason": "原因",
    "month": "月份", "filename": "文件", "upload_id": "上传编号", "sha256": "SHA-256", "created": "新版本",
    "unchanged": "未变化", "sheet": "工作表", "version": "版本", "from_version": "原版本",
    "to_version": "恢复为", "group": "分组", "effective_month": "生效月份", "framework_id": "指标体系编号",
    "previous_framework_id": "原指标体系编号", "previous_effective_month": "原生效月份",
    "scenario_id": "方案编号", "name": "名称", "old": "原权重", "new": "新权重", "old_name": "原名称",
    "new_name": "新名称", "unit_id": "单位编号", "kind": "类型", "from_month": "起始月份",
    "year": "年度", "opening": "年初注册数", "target": "目标", "key": "设置项", "value": "值",
    "format": "格式", "bytes": "字节数", "red": "红色预警", "yellow": "黄色预警", "entry_id": "条目编号",
    "file_id": "文件编号", "count": "数量", "note": "备注", "number": "文号", "issued": "成文日期", "signer": "签发人",
    "override": "仍然发布原因", "private": "私有方案", "missing": "未报送", "empty": "本月无新增",
    "submission_id": "报送编号", "objection_id": "申诉编号", "replaced": "替代的报送", "summary": "申诉事项",
    "evidence_id": "证明材料报送编号", "entry": "登记条目", "contact": "联系人", "phone": "联系电话",
    "old_contact": "原联系人", "old_phone": "原联系电话",
    "columns": "列对应（字段：文件中的列）", "days": "天数", "field": "字段",
    "migrations": "升级步骤", "backup": "备份文件", "path": "位置", "size": "大小（字节）",
}


def action_name(action: str) -> str:
    return ACTIONS.get(action, action)


def _value(v: object, nested: bool = False) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dict):
        return "，".join(f"{k} {_value(x)}" for k, x in v.items()) or "无"
    if isinstance(v, (list, tuple)):
        if nested:  # e.g. a (sheet, version) pair inside a list of them
            return " ".join(_value(x) for x in v)
        return "、".join(_value(x, nested=True) for x in v) or "无"
    if v is None:
        return "—"
    return str(v)


def describe(detail: dict[str, object] | str) -> str:
    """An audit entry's detail as one Chinese line: '月份：2022-10；文件：…；新版本：镇街 2、部门 1'."""
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            return detail
    if not isinstance(detail, dict):
        return _value(detail)
    return "；".join(f"{KEY_LABELS.get(k, k)}：{_value(v)}" for k, v in detail.items())
