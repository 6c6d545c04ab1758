"""The inventory of every control in pages/ and ui/ that writes (or starts a write), which roles
see it, and the browser test that presses it as that role.

Why: 443 tests passed while saving the year's 信易贷 target crashed for every role — no test had
pressed that button. `tests/pages/test_button_inventory.py` reads pages/, ui/ and Home.py and fails
when a st.button / st.form_submit_button / st.data_editor / st.file_uploader appears that is not
listed here, when a row's roles differ from who can see it (the menu in ui/nav.py plus the
permission in credit/model/accounts.py), or when a named test does not exist or never names the
button. `python -m tests.support.buttons` prints the table below as Markdown.

Kinds: 写入 = writes to the database; 会话 = changes only this session (still pressed: it can
crash like any other); 上传 = a file uploader whose file the named button then writes; 检查 = a
file uploader that only checks (writes nothing); 未启用 = only drawn in a configuration the test
deployment does not have (reason given).

Roles: 匿名 (the demo database lets anyone read), 领导, 信用办, 管理员, 被考核单位 (东阿镇, 发改局).
`perm` is the permission the page checks before drawing the control (None: every reader of the
page; "login": any logged-in account).

A control drawn for holders of either of two permissions names both: `perm="a|b"`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from credit.model.contract import OPTIONAL_SHEETS

ROLES = ("匿名", "领导", "信用办", "管理员", "被考核单位")
UB = "tests/browser/test_buttons_browser.py"
PEOPLE = "tests/browser/test_use_like_people.py"
UNITS = "tests/browser/test_units_browser.py"
CYCLE = "tests/browser/test_monthcycle_browser.py"
SGS = "tests/browser/test_sgs_browser.py"
SESSION = "tests/browser/test_session_browser.py"
EMPTY = "tests/browser/test_empty_private_browser.py"
DESK = "tests/browser/test_desk_browser.py"
YEAR = "tests/browser/test_year_browser.py"
DEPLOY = "tests/browser/test_deploy_browser.py"


@dataclass(frozen=True)
class Control:
    file: str  # where the call is (pages/… or ui/…)
    code: str  # its first argument as written: the label, or the expression that makes it
    label: str  # what the user sees (several, separated by "/", when the label is computed)
    kind: str  # 写入 | 会话 | 上传 | 检查 | 未启用
    perm: str | None  # permission checked before the control is drawn
    tests: dict[str, str] = field(default_factory=dict)  # role → "module::test" that presses it
    host: str = ""  # the page that draws it, for controls in ui/ (default: `file`)
    note: str = ""

    @property
    def page(self) -> str:
        return self.host or self.file


def _each(roles: tuple[str, ...], test: str) -> dict[str, str]:
    return dict.fromkeys(roles, test)


OFFICE = ("信用办", "管理员")
READERS = ("匿名", "领导", "信用办", "管理员")
LOGGED_IN = ("领导", "信用办", "管理员", "被考核单位")

CONTROLS: list[Control] = [
    # 登录 / 我的账户
    Control("pages/login.py", "登录", "登录", "写入", None, {"匿名": f"{PEOPLE}::test_every_registered_page_opens_clean"},
            note="每个浏览器测试都经 tests/support/live.py 的 login() 按此按钮登录（写登录日志）"),
    Control("pages/login.py", "退出统一身份认证", "退出统一身份认证", "未启用", None,
            note="只在 secrets.toml 配置 [auth] 且管理员切换为统一身份认证后出现"),
    Control("pages/login.py", "使用统一身份认证登录", "使用统一身份认证登录", "未启用", None,
            note="只在 secrets.toml 配置 [auth] 且管理员切换为统一身份认证后出现"),
    Control("ui/preload.py", "预载", "预载", "未启用", "import", host="pages/upload.py",
            note="隐藏且禁用（ui/preload.py）：上传预览之前先让浏览器加载按钮的代码，看不到也按不了"),
    Control("pages/account.py", "退出登录", "退出登录", "写入", "login",
            _each(LOGGED_IN, f"{UB}::test_my_account_password_change_and_logout")),
    Control("pages/account.py", "修改密码", "修改密码", "写入", "login",
            _each(LOGGED_IN, f"{UB}::test_my_account_password_change_and_logout")),
    # 系统维护
    Control("pages/maintenance.py", "生成一份备份供下载", "生成一份备份供下载", "写入", "maintenance",
            {"管理员": f"{DEPLOY}::test_production_path_end_to_end"}, note="记入备份记录与操作日志"),
    Control("pages/maintenance.py", "数据库完整性检查", "数据库完整性检查", "会话", "maintenance",
            {"管理员": f"{DEPLOY}::test_production_path_end_to_end"}),
    Control("pages/maintenance.py", "运行环境检查（同 python -m credit doctor）", "运行环境检查（同 python -m credit doctor）", "会话",
            "maintenance",
            {"管理员": f"{DEPLOY}::test_production_path_end_to_end"}),
    # 账户管理
    Control("pages/accounts.py", "新增", "新增", "写入", "accounts", {"管理员": f"{UB}::test_admin_manages_accounts"}),
    Control("pages/accounts.py", "执行", "执行", "写入", "accounts", {"管理员": f"{UB}::test_admin_manages_accounts"},
            note="重设密码、停用、启用三种操作都按"),
    Control("pages/accounts.py", "全部退出登录", "全部退出登录", "写入", "accounts",
            {"管理员": f"{SESSION}::test_admin_signs_an_account_out_everywhere"}),
    Control("pages/accounts.py", "保存设置", "保存设置", "写入", "accounts", {"管理员": f"{UB}::test_admin_manages_accounts"}),
    # 单位名册
    Control("pages/units_admin.py", "新增", "新增", "写入", "units", {"管理员": f"{UB}::test_admin_edits_the_unit_register"}),
    Control("pages/units_admin.py", "更名", "更名", "写入", "units", {"管理员": f"{UB}::test_admin_edits_the_unit_register"}),
    Control("pages/units_admin.py", "撤销", "撤销", "写入", "units", {"管理员": f"{UB}::test_admin_edits_the_unit_register"}),
    # 信易贷进度
    Control("pages/xyd.py", "保存", "保存", "写入", "settings",
            _each(OFFICE, f"{PEOPLE}::test_saving_the_xyd_target_works_and_is_read_back")),
    # 权重模拟
    Control("ui/whatif_state.py", "恢复官方权重", "恢复官方权重", "会话", None, _each(READERS, f"{UB}::test_whatif_buttons"), host="pages/whatif.py"),
    Control("ui/whatif_scenarios.py", "'保存为我的私有方案' if private else '保存当前方案'", "保存当前方案/保存为我的私有方案", "写入",
            "scenarios|private_scenarios",
            {**_each(OFFICE, f"{UB}::test_whatif_buttons"),
             "领导": f"{EMPTY}::test_a_leader_saves_and_deletes_a_private_scenario_the_office_never_sees"},
            note="信用办、管理员保存共享方案；领导保存只有本人可见的私有方案", host="pages/whatif.py"),
    Control("ui/whatif_scenarios.py", "删除", "删除", "写入", "private_scenarios",
            {"领导": f"{EMPTY}::test_a_leader_saves_and_deletes_a_private_scenario_the_office_never_sees"},
            note="只列出领导本人的私有方案", host="pages/whatif.py"),
    Control("ui/whatif_scenarios.py", "载入", "载入", "会话", None, _each(READERS, f"{UB}::test_whatif_buttons"),
            note="有已保存的方案时出现", host="pages/whatif.py"),
    Control("ui/whatif_official.py", "发布为官方权重", "发布为官方权重", "写入", "weights", _each(OFFICE, f"{UB}::test_whatif_buttons"), host="pages/whatif.py"),
    # 月度通报（ui/monthcycle.py 画在 pages/bulletin.py）
    Control("ui/monthcycle.py", "保存文稿", "保存文稿", "写入", "publish",
            {"信用办": f"{CYCLE}::test_office_publishes_then_corrects_a_month",
             "管理员": f"{UB}::test_admin_publishes_reimports_and_corrects_a_month"}, host="pages/bulletin.py"),
    Control("ui/monthcycle.py", "label", "签发通报/签发更正通报", "写入", "publish",
            {"信用办": f"{CYCLE}::test_office_publishes_then_corrects_a_month",
             "管理员": f"{UB}::test_admin_publishes_reimports_and_corrects_a_month"}, host="pages/bulletin.py"),
    # 年度通报（ui/year.py 画在 pages/year.py）
    Control("ui/year.py", "label", "签发年度通报/签发年度更正通报", "写入", "publish",
            _each(OFFICE, f"{YEAR}::test_office_and_admin_sign_the_years_bulletin"), host="pages/year.py"),
    # 数据上传
    Control("pages/upload.py", "③ 上传填好的月报表（.xlsx 或 .xls，可一次选择多个文件，例如镇街和部门分开填报）",
            "③ 上传填好的月报表", "上传", "import",
            {"信用办": f"{PEOPLE}::test_the_office_does_a_month_end_to_end", "管理员": f"{UB}::test_upload_confirm_and_done"},
            note="由「确认导入」写入"),
    Control("pages/upload.py", "确认导入", "确认导入", "写入", "import",
            {"信用办": f"{PEOPLE}::test_the_office_does_a_month_end_to_end", "管理员": f"{UB}::test_upload_confirm_and_done"}),
    Control("pages/upload.py", "f'改为按{month_label(found)}检查'", "改为按", "会话", "import",
            _each(OFFICE, f"{DESK}::test_a_file_of_another_month_is_one_error_with_a_switch"),
            note="文件填报月份与所选月份不符时出现"),
    Control("pages/upload.py", "完成，继续上传其他文件", "完成，继续上传其他文件", "会话", "import",
            _each(OFFICE, f"{UB}::test_upload_confirm_and_done")),
    # 报送审核
    *[Control("pages/review.py", name, name, "会话" if name in ("采纳并入本月数据…", "取消") else "写入", "review",
              {"信用办": f"{UNITS}::test_submit_return_resubmit_accept_and_objections",
               "管理员": f"{UB}::test_admin_reviews_submissions_and_objections"},
              note="先列出采纳后的变化，再按「确认采纳」写入" if name == "采纳并入本月数据…" else "")
      for name in ("采纳并入本月数据…", "确认采纳", "取消", "退回", "采纳并更正", "不予采纳")],
    Control("pages/review.py", "label", "采纳：撤销该事项/采纳：改为主动处理", "写入", "review",
            {"信用办": f"{UNITS}::test_submit_return_resubmit_accept_and_objections",
             "管理员": f"{UB}::test_admin_reviews_submissions_and_objections"}, note="对扣分事项的申诉：两种采纳方式"),
    Control("pages/units_admin.py", "保存联系人", "保存联系人", "写入", "units",
            {"管理员": f"{DESK}::test_admin_records_a_unit_contact_for_the_chase_list"}),
    # 提醒（ui/notices.py 画在每一页顶部；信用办与被考核单位才有）
    Control("ui/notices.py", "知道了", "知道了", "写入", "review|submit",
            {"信用办": f"{UNITS}::test_submit_return_resubmit_accept_and_objections",
             "管理员": f"{UB}::test_admin_reviews_submissions_and_objections",
             "被考核单位": f"{UNITS}::test_submit_return_resubmit_accept_and_objections"},
            host="pages/ranking.py", note="关闭一条提醒（本账户不再显示）"),
    # 数据版本
    Control("pages/versions.py", "f'撤销“{sheet}”本月无新增'", "/".join(f"撤销“{s}”本月无新增" for s in OPTIONAL_SHEETS), "写入", "import",
            _each(OFFICE, f"{EMPTY}::test_the_office_undoes_and_marks_no_new_entries"),
            note="三张可为空的表各一个按钮，测试按信易+场景的"),
    Control("pages/versions.py", "f'标记“{sheet}”本月无新增'", "/".join(f"标记“{s}”本月无新增" for s in OPTIONAL_SHEETS), "写入", "import",
            _each(OFFICE, f"{EMPTY}::test_the_office_undoes_and_marks_no_new_entries"),
            note="三张可为空的表各一个按钮，测试按信易+场景的"),
    Control("pages/versions.py", "恢复为当前版本", "恢复为当前版本", "写入", "restore",
            _each(OFFICE, f"{UB}::test_versions_restore")),
    # 双公示预检
    Control("pages/sgs.py", "上传双公示数据（从上报系统导出的行政许可、行政处罚数据，.xlsx / .xls / .csv）", "上传双公示数据",
            "检查", "precheck", note="只检查、预计扣分，不写入；填入由「生成导入预览」「确认导入」完成"),
    Control("pages/sgs.py", "主体名录（两列：统一社会信用代码、名称；.xlsx / .xls / .csv）", "主体名录", "检查", "precheck", note="只用于核对，不写入"),
    Control("pages/sgs.py", "上传统一社会信用代码清单（.xlsx / .xls / .csv）", "上传统一社会信用代码清单", "检查", "precheck", note="只检查，不写入"),
    Control("pages/sgs.py", "生成导入预览", "生成导入预览", "会话", "import",
            _each(OFFICE, f"{SGS}::test_office_checks_downloads_and_applies")),
    Control("pages/sgs.py", "确认导入", "确认导入", "写入", "import", _each(OFFICE, f"{SGS}::test_office_checks_downloads_and_applies")),
    Control("pages/sgs.py", "上传修改后的规则文件（.toml），校验通过后保存为新版本", "上传修改后的规则文件", "上传", "settings",
            _each(OFFICE, f"{SGS}::test_office_checks_downloads_and_applies"), note="由「保存为新版本」写入"),
    Control("pages/sgs.py", "保存为新版本", "保存为新版本", "写入", "settings",
            _each(OFFICE, f"{SGS}::test_office_checks_downloads_and_applies")),
    Control("pages/sgs.py", "恢复默认规则", "恢复默认规则", "写入", "settings",
            _each(OFFICE, f"{SGS}::test_office_checks_downloads_and_applies")),
    Control("pages/sgs.py", "保存列对应并重新检查", "保存列对应并重新检查", "写入", "precheck",
            _each(OFFICE, f"{SGS}::test_each_role_maps_a_missing_column"),
            note="部门的单位账户（发改局）也按同一测试按下；镇街账户没有此页"),
    Control("pages/sgs.py", "取消这些列对应", "取消这些列对应", "写入", "precheck",
            _each(OFFICE, f"{SGS}::test_each_role_maps_a_missing_column"),
            note="部门的单位账户（发改局）也按同一测试按下；镇街账户没有此页"),
    Control("pages/sgs.py", "保存该年安排", "保存该年安排", "写入", "settings",
            _each(OFFICE, f"{SGS}::test_office_and_admin_enter_a_years_holidays")),
    Control("pages/sgs.py", "f'清除 {year} 年的录入'", "清除 2027 年的录入/清除 2028 年的录入", "写入", "settings",
            _each(OFFICE, f"{SGS}::test_office_and_admin_enter_a_years_holidays")),
    # 证明材料
    Control("pages/registers.py", "为该条目上传证明材料（PDF、DOC、DOCX，单个不超过 10 MB）", "为该条目上传证明材料", "上传",
            "registers", _each(OFFICE, f"{UB}::test_registers_add_evidence_and_withdraw"), note="由「保存证明材料」写入"),
    Control("pages/registers.py", "保存证明材料", "保存证明材料", "写入", "registers",
            _each(OFFICE, f"{UB}::test_registers_add_evidence_and_withdraw")),
    Control("pages/registers.py", "证明材料（可选；PDF、DOC、DOCX）", "证明材料（可选", "上传", "registers",
            _each(OFFICE, f"{UB}::test_registers_add_evidence_and_withdraw"), note="随「添加登记」写入"),
    Control("pages/registers.py", "添加登记", "添加登记", "写入", "registers",
            _each(OFFICE, f"{UB}::test_registers_add_evidence_and_withdraw")),
    Control("pages/registers.py", "撤回", "撤回", "写入", "registers", _each(OFFICE, f"{UB}::test_registers_add_evidence_and_withdraw")),
    # 填报与申诉（被考核单位）
    Control("pages/unit_desk.py", "提交本月数据", "提交本月数据", "写入", "submit",
            {"被考核单位": f"{UNITS}::test_submit_return_resubmit_accept_and_objections"}),
    Control("pages/unit_desk.py", "上传填报文件（.xlsx / .xls）", "上传填报文件", "上传", "submit",
            {"被考核单位": f"{UNITS}::test_submit_return_resubmit_accept_and_objections"}, note="由「提交填报文件」写入"),
    Control("pages/unit_desk.py", "提交填报文件", "提交填报文件", "写入", "submit",
            {"被考核单位": f"{UNITS}::test_submit_return_resubmit_accept_and_objections"}),
    Control("pages/unit_desk.py", "附件（可选；PDF、DOC、DOCX）", "附件（可选", "上传", "submit",
            {"被考核单位": f"{UNITS}::test_submit_return_resubmit_accept_and_objections"}, note="随「提交申诉」写入"),
    Control("pages/unit_desk.py", "提交申诉", "提交申诉", "写入", "submit",
            {"被考核单位": f"{UNITS}::test_submit_return_resubmit_accept_and_objections"}),
    Control("pages/unit_desk.py", "证明材料文件（PDF、DOC、DOCX）", "证明材料文件", "上传", "submit",
            {"被考核单位": f"{DESK}::test_a_unit_sends_evidence_and_the_office_adopts_or_returns_it"},
            note="随「提交证明材料」写入"),
    Control("pages/unit_desk.py", "提交证明材料", "提交证明材料", "写入", "submit",
            {"被考核单位": f"{DESK}::test_a_unit_sends_evidence_and_the_office_adopts_or_returns_it"}),
    *[Control("pages/review.py", name, name, "写入", "review",
              _each(OFFICE, f"{DESK}::test_a_unit_sends_evidence_and_the_office_adopts_or_returns_it"),
              note="单位报送的证明材料，采纳后成为该登记条目的证明材料")
      for name in ("采纳为该条目的证明材料", "退回材料")],
]


EVERY_PAGE = {"ui/notices.py"}  # drawn at the top of every page the account opens


def labels_for(page: str, role: str) -> set[str]:
    """Button labels the inventory allows `role` to see on `page` (the browser check compares)."""
    out: set[str] = set()
    for c in CONTROLS:
        if (c.page == page or c.file in EVERY_PAGE) and role in c.tests and c.kind in ("写入", "会话"):
            out.update(c.label.split("/"))
    return out


def markdown() -> str:
    """The inventory as a Markdown table: one row per control, one column per role."""
    head = "| 页面 | 控件 | 类型 | " + " | ".join(ROLES) + " |"
    lines = [head, "|" + "---|" * (3 + len(ROLES))]
    for c in CONTROLS:
        cells = [c.tests[r].split("::")[1] if r in c.tests else "" for r in ROLES]
        lines.append(f"| {c.page} | {c.label} | {c.kind} | " + " | ".join(cells) + " |")
    pressed = sum(len(c.tests) for c in CONTROLS)
    lines.append(f"\n{len(CONTROLS)} 个控件，{pressed} 个（控件 × 角色）由浏览器测试按下。")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
