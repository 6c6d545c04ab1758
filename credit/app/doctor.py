"""`python -m credit doctor`: is this machine ready to run the platform, and if not, what to do.

Why: the county IT person who installs the platform has not read its code. Each check says, in
Chinese, what it looked at, what it found and — when something is wrong — the command that fixes it.
A check is 错误 when the platform cannot do its work without it (the exit code is then non-zero),
提示 when it works but should be looked at. Nothing here changes anything, and nothing depends on
POSIX-only calls: the same checks run on a Debian/麒麟/统信 server and on a Windows PC.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
import sys
import tomllib
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path

from credit.common.clock import beijing
from credit.model.accounts import Action, Actor, authorize
from credit.reports.chart import cjk_font_path
from credit.reports.pdf import font_map, soffice_path, warm_status
from credit.store.schema import MIGRATIONS

ROOT = Path(__file__).resolve().parents[2]
OK, NOTE, ERROR = "正常", "提示", "错误"
MIN_PYTHON = (3, 11)
DISK_ERROR_MB, DISK_NOTE_MB = 500, 2048
BACKUP_NOTE_HOURS = 36  # the nightly backup ran yesterday: older than a day and a half means it did not
# Streamlit settings that matter in production: (section, key) -> (wanted, check, why)
STREAMLIT_SETTINGS: dict[tuple[str, str], tuple[object, Callable[[object], bool], str]] = {
    ("server", "maxUploadSize"): (20, lambda v: isinstance(v, int) and 0 < v <= 50,
                                  "上传文件大小上限（MB），应不超过 50（平台按 20 MB 设计）"),
    ("server", "enableXsrfProtection"): (True, lambda v: v is True, "跨站请求伪造防护，必须开启"),
    ("browser", "gatherUsageStats"): (False, lambda v: v is False, "向 Streamlit 发送使用统计，内网须关闭"),
    ("client", "showErrorDetails"): ("none", lambda v: v == "none", "出错时不向用户显示程序细节"),
    ("client", "toolbarMode"): ("viewer", lambda v: v in ("viewer", "minimal"), "不显示开发者菜单"),
    ("server", "headless"): (True, lambda v: v is True, "作为服务运行，不尝试打开浏览器"),
}


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, the verdict, what was found, and the fix."""

    name: str
    level: str  # 正常 / 提示 / 错误
    found: str
    fix: str = ""


def _mb(n: float) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


def check_python() -> Check:
    v = sys.version_info
    found = f"Python {v.major}.{v.minor}.{v.micro}（{sys.executable}）"
    if (v.major, v.minor) < MIN_PYTHON:
        return Check("Python 版本", ERROR, found, "请安装 Python 3.11 或更新版本后重新创建虚拟环境")
    return Check("Python 版本", OK, found)


def _pins(requirements: Path) -> list[tuple[str, str]]:
    pins = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;#]+)", line)
        if m:
            pins.append((m.group(1), m.group(2)))
    return pins


def check_packages(requirements: Path = ROOT / "requirements.txt") -> Check:
    missing, other = [], []
    for name, wanted in _pins(requirements):
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
            continue
        if have != wanted:
            other.append(f"{name} {have}（应为 {wanted}）")
    fix = f"在平台目录运行：.venv/bin/pip install -r {requirements.name}"
    if missing:
        return Check("Python 依赖包", ERROR, "缺少：" + "、".join(missing), fix)
    if other:
        return Check("Python 依赖包", NOTE, "版本与 requirements.txt 不同：" + "；".join(other), fix)
    return Check("Python 依赖包", OK, f"与 {requirements.name} 一致（{len(_pins(requirements))} 个）")


def check_libreoffice() -> Check:
    path = soffice_path()
    if path is None:
        return Check("LibreOffice（生成 PDF 通报）", ERROR, "在 PATH 中找不到 soffice 或 libreoffice",
                     "Debian/麒麟/统信：sudo apt-get install libreoffice-writer；Windows：安装 LibreOffice 并把其 program "
                     "目录加入 PATH。没有它只能下载 Word 通报，签发时无法生成 PDF。")
    warm, why = warm_status()
    if not warm:
        return Check("LibreOffice（生成 PDF 通报）", NOTE, f"{path}；常驻转换不可用：{why}，每次生成 PDF 都要重新启动 LibreOffice（慢）",
                     "Debian/麒麟/统信：sudo apt-get install python3-uno，并在平台目录运行 .venv/bin/pip install -r requirements.txt")
    return Check("LibreOffice（生成 PDF 通报）", OK, f"{path}（常驻转换可用：首次生成后 PDF 秒级完成）")


def check_fonts() -> Check:
    mapped = font_map()
    chart = cjk_font_path()
    fix = "Debian/麒麟/统信：sudo apt-get install fonts-noto-cjk fontconfig（Windows 自带中文字体，另需 fontconfig 的 fc-list 才能用于 PDF）"
    if not mapped:
        return Check("中文字体", ERROR, "fontconfig 中没有可用的简体中文字体（PDF 通报会缺字）", fix)
    families = sorted({family for family, _ in mapped.values()})
    if chart is None:
        return Check("中文字体", NOTE, f"PDF 用 {'、'.join(families)}；图表找不到中文字体文件", fix)
    return Check("中文字体", OK, f"PDF 用 {'、'.join(families)}；图表用 {Path(chart).name}")


def _database_checks(db: Path) -> Iterator[Check]:
    if not db.exists():
        yield Check("数据库", ERROR, f"{db} 不存在",
                    f"新建正式数据库：python -m credit init --db {db} --admin 管理员用户名")
        return
    size = db.stat().st_size
    try:
        with closing(sqlite3.connect(f"file:{db.as_posix()}?mode=ro", uri=True)) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
            applied = {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")}
            admins = conn.execute(
                "SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND disabled = 0").fetchone()[0]
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        yield Check("数据库", ERROR, f"{db} 无法作为本平台数据库读取：{exc}",
                    "停止服务后用 python -m credit restore --db 数据库 备份文件 从最近的备份恢复")
        return
    if result != "ok":
        yield Check("数据库完整性", ERROR, f"PRAGMA integrity_check：{result[:200]}",
                    "停止服务后用 python -m credit restore 从最近的备份恢复")
    else:
        yield Check("数据库完整性", OK, f"{db}（{_mb(size)}）完整性检查通过")
    known = [m.name for m in MIGRATIONS.pending(_empty())]
    pending = [name for name in known if name not in applied]
    unknown = sorted(applied - set(known))
    if unknown:
        yield Check("数据库结构版本", ERROR, f"数据库由更新版本的平台写入（本程序不认识：{'、'.join(unknown)}）",
                    "请安装与数据库一致或更新的平台版本")
    elif pending:
        yield Check("数据库结构版本", NOTE, f"待升级 {len(pending)} 步：{'、'.join(pending)}",
                    f"停止服务后运行 python -m credit upgrade --db {db}（会先自动备份），再启动服务")
    else:
        yield Check("数据库结构版本", OK, f"最新（共 {len(known)} 步，最后一步 {known[-1]}）")
    if journal.lower() != "wal":
        yield Check("WAL 日志模式", NOTE, f"journal_mode = {journal}", "用平台打开一次数据库即会切换为 WAL")
    else:
        yield Check("WAL 日志模式", OK, "已开启（导入时仍可浏览）")
    yield from _permission_checks(db)
    if admins == 0:
        yield Check("管理员账户", ERROR, "数据库中没有可用的管理员账户，无人能登录管理",
                    f"python -m credit user add 用户名 --role admin --db {db}")
    else:
        yield Check("管理员账户", OK, f"{admins} 个可用的管理员账户")
    if meta.get("demo") == "1":
        yield Check("演示数据", NOTE, "这是演示数据库（含公开的试用账户，浏览无需登录）",
                    "正式使用请用 python -m credit init 新建数据库")
    elif meta.get("login_required") == "0":
        yield Check("浏览需要登录", NOTE, "已关闭：任何能访问本机的人都能浏览排名", "管理员可在“账户管理”页重新开启")


def _empty() -> object:
    from sqlite_utils import Database

    return Database(memory=True)


def _permission_checks(db: Path) -> Iterator[Check]:
    where = db.parent
    if not os.access(db, os.W_OK) or not os.access(where, os.W_OK):
        yield Check("文件权限", ERROR, f"运行本程序的账户不能写入 {db} 或其目录（WAL 需要在目录中建文件）",
                    f"sudo chown -R 服务账户 {where}（例如 credit）")
        return
    mode = db.stat().st_mode
    if os.name == "posix" and mode & stat.S_IROTH:
        yield Check("文件权限", NOTE, f"{db} 对本机所有账户可读（权限 {stat.filemode(mode)}）：其中有口令哈希",
                    f"chmod 640 {db}")
    else:
        yield Check("文件权限", OK, f"服务账户可读写（{stat.filemode(mode)}）")


def check_disk(where: Path) -> Check:
    probe = where if where.exists() else where.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    found = f"{probe} 所在磁盘剩余 {_mb(free)}"
    fix = "清理磁盘（旧备份、日志），或把数据库与备份目录移到更大的磁盘"
    if free < DISK_ERROR_MB * 1024 * 1024:
        return Check("磁盘空间", ERROR, found, fix)
    if free < DISK_NOTE_MB * 1024 * 1024:
        return Check("磁盘空间", NOTE, found, fix)
    return Check("磁盘空间", OK, found)


def check_backup(db: Path, at: datetime | None = None) -> Check:
    fix = f"每晚自动备份见 README“正式部署”（deploy/credit-backup.timer）；立即备份：python -m credit backup --db {db} --dir 备份目录 --keep 30"
    if not db.exists():
        return Check("最近一次备份", NOTE, "数据库不存在", fix)
    try:
        with closing(sqlite3.connect(f"file:{db.as_posix()}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT path, size, made_at FROM backup_log WHERE path != '' "
                               "ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None:
        return Check("最近一次备份", NOTE, "还没有备份记录", fix)
    path, size, made_at = row
    age = (at or datetime.now().astimezone()) - datetime.fromisoformat(made_at)
    found = f"{beijing(made_at)}（北京时间），{_mb(size)}，{path}"
    if not Path(path).exists():
        return Check("最近一次备份", NOTE, found + "；该文件已不在原位置", fix)
    if age > timedelta(hours=BACKUP_NOTE_HOURS):
        return Check("最近一次备份", NOTE, f"已超过 {age.days} 天 {age.seconds // 3600} 小时：{found}",
                     fix + "；并检查 systemctl status credit-backup.timer")
    return Check("最近一次备份", OK, found)


def check_streamlit_config(config: Path | None) -> Check:
    """The settings of the config the service reads (its working directory's .streamlit/config.toml)."""
    name = "Streamlit 生产设置"
    if config is None or not config.exists():
        return Check(name, NOTE, f"找不到 {config or '.streamlit/config.toml'}",
                     "把 deploy/streamlit-config.toml 复制为服务工作目录下的 .streamlit/config.toml")
    try:
        settings = tomllib.loads(config.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return Check(name, ERROR, f"{config} 无法读取：{exc}", "按 deploy/streamlit-config.toml 重新写该文件")
    wrong = []
    for (section, key), (wanted, ok, why) in STREAMLIT_SETTINGS.items():
        value = settings.get(section, {}).get(key)
        if not ok(value):
            shown = "未设置" if value is None else repr(value)
            wrong.append(f"{section}.{key} 为 {shown}，应为 {wanted!r}（{why}）")
    if wrong:
        level = ERROR if any("XSRF" in w or "enableXsrf" in w for w in wrong) else NOTE
        return Check(name, level, f"{config}：" + "；".join(wrong), "按 deploy/streamlit-config.toml 修改后重启服务")
    return Check(name, OK, f"{config}：上传上限、XSRF 防护、使用统计、错误细节均符合要求")


def run_checks(db: Path, config: Path | None, by: Actor) -> list[Check]:
    """Every check, in the order the report lists them (paths and versions: 管理员 or the CLI only)."""
    authorize(by, Action.MAINTENANCE)
    checks = [check_python(), check_packages(), check_libreoffice(), check_fonts()]
    checks += list(_database_checks(db))
    checks += [check_disk(db.parent), check_backup(db), check_streamlit_config(config)]
    return checks


def database_checks(db: Path, by: Actor) -> list[Check]:
    """The database's own checks alone (integrity, schema, WAL, permissions, administrators): the
    系统维护 page's 完整性检查 button."""
    authorize(by, Action.MAINTENANCE)
    return list(_database_checks(db))


@dataclass(frozen=True)
class DatabaseSummary:
    """What the 系统维护 page shows at the top."""

    path: Path
    size: int
    schema_steps: int
    latest_step: str
    pending: tuple[str, ...]
    data_version: int


def database_summary(db: Path, by: Actor) -> DatabaseSummary:
    authorize(by, Action.MAINTENANCE)
    with closing(sqlite3.connect(f"file:{db.as_posix()}?mode=ro", uri=True)) as conn:
        applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
        version = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    known = [m.name for m in MIGRATIONS.pending(_empty())]
    size = sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())
    return DatabaseSummary(db, size, len(applied), applied[-1] if applied else "",
                           tuple(n for n in known if n not in applied), int(version[0]) if version else 0)


def failed(checks: list[Check]) -> bool:
    return any(c.level == ERROR for c in checks)


def report(checks: list[Check]) -> str:
    """The Chinese report the CLI prints: a verdict per line, the fix indented below it."""
    lines = []
    for c in checks:
        mark = {"正常": "✓", "提示": "!", "错误": "✗"}[c.level]
        lines.append(f"{mark} [{c.level}] {c.name}：{c.found}")
        if c.fix and c.level != OK:
            lines.append(f"    处理：{c.fix}")
    errors = sum(c.level == ERROR for c in checks)
    notes = sum(c.level == NOTE for c in checks)
    lines.append("")
    lines.append(f"结论：{'有 ' + str(errors) + ' 项错误，须先处理' if errors else '可以运行'}"
                 f"{'；' + str(notes) + ' 项提示' if notes else ''}。")
    return "\n".join(lines)
