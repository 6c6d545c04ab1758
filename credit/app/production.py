"""A production database from nothing: `python -m credit init --db PATH --admin NAME`.

Why a command of its own: the demo database has demo accounts and browsing without a login; a real
office needs the opposite — the default framework and unit register, login required, no account but
the first 管理员, who then creates the others on the 账户管理 page. The file is built beside its
final name and renamed into place only when complete, so a refused password or a full disk leaves
no half-made database behind; an existing database is never touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from credit.errors import CreditError
from credit.model.accounts import CLI, ROLE_ADMIN, Actor, check_password_strength
from credit.model.framework import default_framework_texts
from credit.model.units import load_units
from credit.store.facade import Store
from credit.store.util import private


@dataclass(frozen=True)
class InitResult:
    path: Path
    admin: str
    units: int
    groups: tuple[str, ...]

    def describe(self) -> str:
        return (f"已新建正式数据库 {self.path}：单位名册 {self.units} 个单位，指标体系 {'、'.join(self.groups)}，"
                f"浏览需要登录，首个管理员账户「{self.admin}」。")


def _sidecars(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def init_database(path: str | Path, admin: str, password: str, *, display: str = "管理员",
                  by: Actor = CLI) -> InitResult:
    """Create the production database at `path` with its first administrator `admin`."""
    path = Path(path)
    if any(p.exists() for p in _sidecars(path)):
        raise CreditError(f"数据库 {path} 已存在：init 只新建数据库，不会改动已有的数据库。"
                          "如需增加管理员，请用 python -m credit user add 用户名 --role admin。")
    check_password_strength(password)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CreditError(f"无法创建数据库目录 {path.parent}：{exc}") from exc
    tmp = path.with_name(f".{path.name}.init-{os.getpid()}")
    for p in _sidecars(tmp):
        p.unlink(missing_ok=True)
    try:
        register = load_units()
        frameworks = default_framework_texts()
        with Store(tmp) as store:
            store.seeding.seed_defaults(register, frameworks, by=by)
            store.settings.set("login_required", "1", by=by)
            store.accounts.add_account(admin, password, ROLE_ADMIN, by=by, display=display)
            store.checkpoint()
        if any(p.exists() for p in _sidecars(path)):  # made meanwhile by someone else: keep theirs
            raise CreditError(f"数据库 {path} 已存在：init 只新建数据库，不会改动已有的数据库。")
        os.replace(tmp, path)
        private(path)
    finally:
        for p in _sidecars(tmp):
            p.unlink(missing_ok=True)
    return InitResult(path, admin.strip(), len(register), tuple(sorted(frameworks)))
