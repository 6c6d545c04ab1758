"""Every control that writes is in the inventory (tests/support/buttons.py) with a browser test for
each role that sees it — checked statically, so a new button cannot appear untested."""

from __future__ import annotations

import ast

import pytest

from credit.model.accounts import ROLE_ADMIN, ROLE_EDITOR, ROLE_UNIT, ROLE_VIEWER, Actor
from tests.support.buttons import CONTROLS, ROLES, Control, labels_for
from tests.support.paths import ROOT
from ui.nav import registered

WATCHED = {"button", "form_submit_button", "data_editor", "file_uploader"}
ACTORS = {"匿名": None, "领导": Actor("leader", ROLE_VIEWER), "信用办": Actor("office", ROLE_EDITOR),
          "管理员": Actor("admin", ROLE_ADMIN), "被考核单位": Actor("dongezhen", ROLE_UNIT, unit_id="dong_e")}
SUPPORT = ("tests/support/live.py", "tests/support/people.py")


def controls_in_code() -> list[tuple[str, str, int]]:
    """(file, first argument as written, line) of every watched call in Home.py, pages/ and ui/."""
    out = []
    for path in [ROOT / "Home.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WATCHED:
                arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "label"), None)
                code = arg.value if isinstance(arg, ast.Constant) else (ast.unparse(arg) if arg is not None else "")
                out.append((path.relative_to(ROOT).as_posix(), str(code), node.lineno))
    return out


def who_sees(c: Control) -> set[str]:
    """Roles whose menu has the control's page and whose role passes the control's permission."""
    out = set()
    for role, actor in ACTORS.items():
        if c.page not in {f for f, _ in registered(actor, login_required=False)}:
            continue
        if c.perm is None or (actor is not None and (c.perm == "login"
                                                     or any(actor.can(p) for p in c.perm.split("|")))):
            out.add(role)
    return out


def test_every_writing_control_in_the_code_is_in_the_inventory() -> None:
    listed = {(c.file, c.code) for c in CONTROLS}
    missing = [f"{f}:{line} {code}" for f, code, line in controls_in_code() if (f, code) not in listed]
    assert missing == [], "新的按钮/表单/上传控件未列入 tests/support/buttons.py（并配浏览器测试）：" + "；".join(missing)


def test_no_inventory_row_is_stale() -> None:
    found = {(f, code) for f, code, _ in controls_in_code()}
    assert [c for c in CONTROLS if (c.file, c.code) not in found] == []
    assert len({(c.file, c.code) for c in CONTROLS}) == len(CONTROLS)


@pytest.mark.parametrize("control", [c for c in CONTROLS if c.kind in ("写入", "会话", "上传")],
                         ids=lambda c: f"{c.page}:{c.label}")
def test_each_role_that_sees_it_presses_it(control: Control) -> None:
    assert set(control.tests) <= set(ROLES)
    assert set(control.tests) == who_sees(control), "每个能看到该控件的角色都要有按下它的浏览器测试"


@pytest.mark.parametrize("control", [c for c in CONTROLS if c.kind in ("检查", "未启用")],
                         ids=lambda c: f"{c.page}:{c.label}")
def test_exempt_rows_say_why(control: Control) -> None:
    assert control.note and not control.tests


def test_the_named_tests_exist_and_name_the_control() -> None:
    support = "".join((ROOT / p).read_text(encoding="utf-8") for p in SUPPORT)
    problems = []
    for c in CONTROLS:
        for role, ref in c.tests.items():
            module, func = ref.split("::")
            text = (ROOT / module).read_text(encoding="utf-8")
            defs = {n.name for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef)}
            if func not in defs:
                problems.append(f"{ref} 不存在")
            elif c.kind == "上传" and "set_input_files" not in text:  # files are dropped, not labelled
                problems.append(f"{ref} 未上传文件（{c.label}，{role}）")
            elif c.kind != "上传" and not any(part in text or part in support for part in c.label.split("/")):
                problems.append(f"{ref} 未提及「{c.label}」（{role}）")
    assert problems == []


def test_the_browser_check_knows_every_role_s_buttons() -> None:
    """labels_for (used by the browser page walk) gives each role the buttons of its pages only."""
    assert labels_for("pages/whatif.py", "领导") == {"恢复官方权重", "载入", "保存当前方案", "保存为我的私有方案", "删除"}
    assert labels_for("pages/xyd.py", "领导") == set()
    # the notices' 知道了 is drawn at the top of every page of the roles that get notices
    assert labels_for("pages/bulletin.py", "管理员") == {"保存文稿", "签发通报", "签发更正通报", "知道了"}
    assert labels_for("pages/account.py", "被考核单位") == {"退出登录", "修改密码", "知道了"}
