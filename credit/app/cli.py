"""`python -m credit …`: the command line the credit office (and our checks) use.

Shapes are kept exact because they are tested against: `--db` defaults to data/credit.db or
$CREDIT_DB; a missing database is created with the default framework and unit register.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sqlite3
import sys
from pathlib import Path

from credit.common.clock import beijing
from credit.common.labels import GROUPS
from credit.common.months import check_data_month, is_month
from credit.errors import CreditError, MonthError, storage_failure
from credit.model.accounts import CLI, Actor


def _month(text: str) -> str:
    """Every --month flag: the one range check of credit.common.months (2099-01, 1999-12 refused)."""
    if not is_month(text):
        raise argparse.ArgumentTypeError(f"月份格式应为 YYYY-MM，例如 2022-03，实际为「{text}」")
    try:
        return check_data_month(text)
    except MonthError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=None, help="数据库文件（默认 data/credit.db 或环境变量 CREDIT_DB）")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m credit", description="平阴县信用体系建设监测分析平台 命令行")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="生成演示数据库（2022 年全年及 2023 年 1—2 月，经真实导入流程写入）")
    _db_arg(p)
    p.add_argument("--force", action="store_true", help="已存在时删除重建")

    p = sub.add_parser("template", help="生成某月的填报模板")
    _db_arg(p)
    p.add_argument("--month", type=_month, required=True)
    p.add_argument("--unit", default=None, help="只生成某一被考核单位的填报文件（单位名称或编号）")
    p.add_argument("-o", "--output", required=True)

    p = sub.add_parser("import", help="导入月报表（任一文件有错则全部不写入）")
    _db_arg(p)
    p.add_argument("--month", type=_month, required=True)
    p.add_argument("--by", default="命令行", help="操作人")
    p.add_argument("--reason", default="", help="更正说明（该月通报已签发时必填）")
    p.add_argument("--confirm-surges", action="store_true",
                   help="已逐项核对比上月增长超过 10 倍的数值，确认无误（否则这类数值拒绝导入）")
    p.add_argument("files", nargs="+")

    p = sub.add_parser("scores", help="输出某月某组的得分与排名")
    _db_arg(p)
    p.add_argument("--month", type=_month, required=True)
    p.add_argument("--group", choices=["镇街", "部门"], required=True)
    p.add_argument("--format", choices=["json", "csv", "table"], default="table")
    p.add_argument("--policy", choices=["rescale", "na_full"], default="rescale",
                   help="rescale：按适用指标折算百分制（默认）；na_full：不适用指标按满分计")
    p = sub.add_parser("target", help="设定某年“信易贷”年初注册企业数和本年新增目标（记入操作日志）")
    _db_arg(p)
    p.add_argument("--year", type=int, required=True, help="年度，例如 2023")
    p.add_argument("--opening", type=float, required=True, help="年初已注册企业数（家）")
    p.add_argument("--target", type=float, required=True, help="本年新增注册目标（家）")

    p = sub.add_parser("user", help="账户管理：add / passwd / disable / enable / signout / list")
    _db_arg(p)
    usub = p.add_subparsers(dest="user_command", required=True)
    u = usub.add_parser("add", help="新增账户（密码交互输入，或 --password-stdin 从标准输入读取）")
    u.add_argument("username")
    u.add_argument("--db", default=argparse.SUPPRESS)
    u.add_argument("--role", choices=["viewer", "editor", "admin", "unit"], required=True,
                   help="viewer：领导（只读）；editor：信用办；admin：管理员；unit：被考核单位（须加 --unit）")
    u.add_argument("--unit", default=None, help="被考核单位账户绑定的单位（单位名称或编号）")
    u.add_argument("--display", default="", help="显示名称")
    u.add_argument("--password-stdin", action="store_true")
    u = usub.add_parser("passwd", help="重设账户密码")
    u.add_argument("username")
    u.add_argument("--db", default=argparse.SUPPRESS)
    u.add_argument("--password-stdin", action="store_true")
    for name, text in (("disable", "停用账户"), ("enable", "启用账户")):
        u = usub.add_parser(name, help=text)
        u.add_argument("username")
        u.add_argument("--db", default=argparse.SUPPRESS)
    u = usub.add_parser("signout", help="结束账户在所有浏览器中的登录（全部退出登录）")
    u.add_argument("username")
    u.add_argument("--db", default=argparse.SUPPRESS)
    usub.add_parser("list", help="列出账户").add_argument("--db", default=argparse.SUPPRESS)

    p = sub.add_parser("bulletin", help="生成月度通报（按输出文件扩展名：.docx 为 Word，.pdf 为 PDF，.xlsx 为 Excel 附件）")
    _db_arg(p)
    p.add_argument("--month", type=_month, required=True)
    p.add_argument("-o", "--output", required=True,
                   help="输出文件，如 通报_2022-10.docx、通报_2022-10.pdf 或 通报_2022-10.xlsx")
    p.add_argument("--draft", action="store_true",
                   help="已签发的月份：不取签发的原文件，而按现有数据生成草稿（更正候选）")

    p = sub.add_parser("publications", help="列出某月已签发的通报、更正通报，并可写出签发时的原文件")
    _db_arg(p)
    p.add_argument("--month", type=_month, required=True)
    p.add_argument("-o", "--output", metavar="DIR", default=None, help="把原文件写入该目录（不存在则新建）")
    p.add_argument("--id", type=int, default=None, help="只写出这一份发布记录（编号见列表）")

    p = sub.add_parser("year", help="年度结果：各单位全年各月得分率、排名与年度结果（或按输出文件扩展名生成年度通报）")
    p.add_argument("--year", type=int, required=True, help="年度，例如 2022")
    p.add_argument("--group", choices=list(GROUPS), required=True)
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument("-o", "--output", help="生成年度通报：.docx（Word）、.pdf 或 .xlsx（Excel 明细）")
    _db_arg(p)

    p = sub.add_parser("publish", help="签发某月通报（已签发的月份再次签发即为更正通报，须 --reason）")
    _db_arg(p)
    p.add_argument("--month", type=_month, required=True)
    p.add_argument("--number", required=True, help="文号，如 平信用办〔2022〕10号（同一年度不得重复）")
    p.add_argument("--date", required=True, help="成文日期 YYYY-MM-DD（须在该月结束之后）")
    p.add_argument("--signer", required=True, help="签发人")
    p.add_argument("--reason", default="", help="更正说明（更正通报必填）")
    p.add_argument("--force-reason", default="", help="仍然发布：报送进度有未报送项时，说明仍然发布的原因")
    p.add_argument("--despite-objections", action="store_true", help="仍有未处理的申诉时确认仍然签发")
    p.add_argument("--no-pdf", action="store_true", help="不生成 PDF（本机无 LibreOffice 时）")

    p = sub.add_parser("status", help="某月报送进度：各单位已报送 / 报送为空 / 未报送（可导出催报清单）")
    _db_arg(p)
    p.add_argument("--month", type=_month, required=True)
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("-o", "--output", default=None, help="同时把催报清单写入 Excel 文件（.xlsx）")

    p = sub.add_parser("backup", help="在线备份数据库（导入进行中也可备份，得到一致的副本）")
    _db_arg(p)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("-o", "--output", help="备份文件（不得已存在）")
    where.add_argument("--dir", help="备份目录：写入带日期时间的备份 <库名>-YYYYmmdd-HHMMSS.db（每晚定时备份用）")
    p.add_argument("--keep", type=int, default=None, help="与 --dir 同用：只保留最新的 N 份带日期的备份")

    p = sub.add_parser("init", help="新建正式数据库：默认指标体系与单位名册、浏览需要登录、首个管理员（不改动已有数据库）")
    _db_arg(p)
    p.add_argument("--admin", required=True, help="首个管理员的用户名")
    p.add_argument("--display", default="管理员", help="管理员的显示名称")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读一行作为密码（否则交互输入两次）")

    p = sub.add_parser("upgrade", help="升级数据库结构到本版本（先在数据库旁自动备份，再逐步升级并报告）")
    _db_arg(p)

    p = sub.add_parser("doctor", help="检查运行环境：Python 与依赖、LibreOffice、中文字体、数据库、磁盘、备份、Streamlit 设置")
    _db_arg(p)
    p.add_argument("--config", default=None,
                   help="服务使用的 Streamlit 设置文件（默认：当前目录的 .streamlit/config.toml）")
    p = sub.add_parser("restore", help="用备份文件替换数据库（先校验备份；原数据库保留为 .bak-时间戳）")
    _db_arg(p)
    p.add_argument("backup_file", help="由 backup 生成的备份文件")
    p = sub.add_parser("rebuild", help="由存档的原始上传文件重建数据库到新文件（并核对版本历史一致）")
    _db_arg(p)
    p.add_argument("-o", "--output", required=True, help="新数据库文件（不得已存在）")
    p = sub.add_parser(
        "sgs-check", help="双公示预检：检查某部门的行政许可/行政处罚记录（或统一社会信用代码清单），只读不写",
        description="退出码：0 未发现问题；3 发现问题（见输出）；1 文件无法读取或单位不存在；2 参数错误。",
    )
    _db_arg(p)
    p.add_argument("--unit", required=True, help="部门（单位）名称，如 市场监管局")
    p.add_argument("--month", type=_month, required=True, help="考核月份（按该月的指标体系预计扣分）")
    p.add_argument("file", nargs="?", help="双公示数据导出文件（.xlsx / .xls / .csv）")
    p.add_argument("--codes", metavar="FILE", help="统一社会信用代码清单（一列，表头“统一社会信用代码”），检查 D5 重错码")
    p.add_argument("--entities", metavar="FILE", help="可选：主体名录（统一社会信用代码 + 名称），核对主体关联")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p = sub.add_parser("workdays", help="工作日日历：录入、查看或清除某年的放假和调休上班日期（记入操作日志）")
    wsub = p.add_subparsers(dest="workdays_command", required=True)
    w = wsub.add_parser("set", help="录入（替换）某年的放假和调休上班日期")
    _db_arg(w)
    w.add_argument("--year", required=True, help="年份，如 2027")
    w.add_argument("--holidays", required=True, help="放假日期，逗号分隔，一段写“2027-02-06至2027-02-12”")
    w.add_argument("--workdays", default="", help="调休上班日期（周六或周日），逗号分隔")
    w = wsub.add_parser("list", help="列出各年的工作日来源和已录入的日期")
    _db_arg(w)
    w = wsub.add_parser("clear", help="清除某年的录入（改回内置日历或周一至周五）")
    _db_arg(w)
    w.add_argument("--year", required=True, help="年份，如 2027")
    return parser


def _read_password(from_stdin: bool) -> str:
    """Never a default password: typed twice at a prompt, or one line on standard input."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise CreditError("两次输入的密码不一致")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    from credit.app.service import open_store
    from credit.model.accounts import ROLES

    with open_store(args.db) as store:
        if args.user_command == "list":
            rows = store.accounts.accounts()
            if not rows:
                print("（尚无账户）")
            for r in rows:
                state = "已停用" if r["disabled"] else ("锁定中" if r["locked_until"] else "正常")
                print(f"{r['username']}\t{ROLES[r['role']]}\t{r['display']}\t{state}\t创建于 {beijing(r['created_at'])}")
        elif args.user_command == "add":
            store.accounts.add_account(args.username, _read_password(args.password_stdin), args.role, by=CLI,
                              display=args.display, unit_id=args.unit)
            bound = f"，绑定单位 {args.unit}" if args.unit else ""
            print(f"已新增账户 {args.username}（{ROLES[args.role]}{bound}）")
        elif args.user_command == "passwd":
            store.accounts.set_password(args.username, _read_password(args.password_stdin), by=CLI)
            print(f"已重设 {args.username} 的密码（该账户的所有登录均已退出）")
        elif args.user_command == "signout":
            ended = store.sessions.sign_out_everywhere(args.username, by=CLI)
            print(f"已结束账户 {args.username} 的全部登录（{ended} 个有效登录）")
        else:
            store.accounts.set_account_disabled(args.username, args.user_command == "disable", by=CLI)
            print(f"已{'停用' if args.user_command == 'disable' else '启用'}账户 {args.username}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from credit.app.demo import build_demo
    from credit.app.service import db_path

    path = Path(args.db) if args.db else db_path()
    if path.exists() and not args.force:
        print(f"数据库 {path} 已存在；如需重建请加 --force", file=sys.stderr)
        return 1
    summary = build_demo(path, replace=args.force)
    print(f"演示数据库已生成：{path}（{summary}）")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from credit.app.service import open_store
    from credit.workbook.template import build_template

    with open_store(args.db) as store:
        register = store.units.register()
        unit = None
        if args.unit:
            unit = register.by_id.get(args.unit) or register.resolve(args.unit, args.month)
            if unit is None:
                raise CreditError(f"单位名册中没有「{args.unit}」")
        data = build_template(args.month, register, unit.id if unit else None)
    Path(args.output).write_bytes(data)
    which = f"{unit.name_at(args.month)} " if unit else ""
    print(f"已生成 {args.month} {which}填报模板：{args.output}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from credit.app.service import import_batch, open_store, read_files

    with open_store(args.db) as store:
        batch = import_batch(store, args.month, read_files(args.files), Actor(CLI.username, CLI.role, args.by),
                             reason=args.reason, surges_confirmed=args.confirm_surges,
                             confirm_how="加 --confirm-surges 重新执行")
    if not batch.ok:
        print(f"发现 {batch.error_count} 处问题，未导入任何数据：", file=sys.stderr)
        for check in batch.failed:
            for e in check.errors:
                print(f"[{check.filename}] {e}", file=sys.stderr)
        return 1
    for check, res in zip(batch.checks, batch.results):
        for w in check.warnings:
            print(f"[{check.filename}] 提示：{w}")
        created = "、".join(f"{s}（第 {v} 版）" for s, v in res.created) or "无"
        same = "、".join(res.unchanged) or "无"
        print(f"[{check.filename}] 已导入 {args.month}：新版本 {created}；内容未变 {same}")
    _signed_notes(args.db, args.month)
    return 0


def _signed_notes(db: str | None, month: str) -> None:
    """After changing month M: what now differs from the records of M (if signed) and later signed months."""
    from credit.app.service import open_store
    from credit.reports.candidate import later_months_note, month_changes_note

    with open_store(db) as store:
        for note in (month_changes_note(store, month), later_months_note(store, month)):
            if note:
                print(f"注意：{note}")


def cmd_scores(args: argparse.Namespace) -> int:
    from credit.app.service import open_store, score, scores_payload, scores_table
    from credit.workbook.export import safe_frame

    with open_store(args.db) as store:
        gm = score(store, args.month, args.group, policy=args.policy)
    if args.format == "json":
        print(json.dumps(scores_payload(gm), ensure_ascii=False, indent=2))
        return 0
    table = scores_table(gm)
    if args.format == "csv":
        buf = io.StringIO()
        safe_frame(table).to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL)  # =HYPERLINK(…) names stay text
        sys.stdout.write(buf.getvalue())
        return 0
    print(f"{args.month} {args.group} 排名（{len(table)} 个单位）")
    print(table.astype(object).where(table.notna(), "").to_string(index=False))  # a 未报送 unit's blanks, not NaN
    return 0


def cmd_target(args: argparse.Namespace) -> int:
    """The year's 信易贷 opening figure and target, written (and audited) as the command line."""
    from credit.app.service import open_store

    with open_store(args.db) as store:
        before = store.xyd_target(args.year)
        store.frameworks.set_xyd_target(args.year, args.opening, args.target, CLI)
    was = f"（原为年初 {before[0]:,.0f} 家、目标 {before[1]:,.0f} 家）" if before else "（此前未设定）"
    print(f"已设定 {args.year} 年信易贷：年初注册 {args.opening:,.0f} 家，本年新增目标 {args.target:,.0f} 家{was}")
    return 0


def _document_format(out: Path) -> str | None:
    """The document format an output file's name asks for (docx, pdf, xlsx); None after saying why not."""
    from credit.reports.exports import FORMATS

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        print(f"错误：输出文件扩展名应为 .docx（Word）、.pdf 或 .xlsx（Excel），实际为「{out.suffix or '无'}」",
              file=sys.stderr)
        return None
    return fmt


def cmd_bulletin(args: argparse.Namespace) -> int:
    from credit.app.service import open_store
    from credit.common.labels import GROUPS
    from credit.reports.bulletin import RED, YELLOW, build_bulletin_data
    from credit.reports.exports import export
    from credit.reports.scored import score

    out = Path(args.output)
    fmt = _document_format(out)
    if fmt is None:
        return 2
    with open_store(args.db) as store:
        pub = store.publishing.current_publication(args.month)
        if pub is not None and not args.draft:  # a signed month: the document as issued, never a new render
            if fmt not in {f["format"] for f in pub["files"]}:
                raise CreditError(f"{args.month} 的{_kind(pub)}（{pub['number']}）签发时没有生成 {fmt} 文件；"
                                  f"已有：{'、'.join(f['format'] for f in pub['files'])}。")
            _, blob, sha = store.publishing.publication_file(pub["id"], fmt)
            out.write_bytes(blob)
            print(f"已写出 {args.month} 已签发的{_kind(pub)}（{pub['number']}，成文日期 {pub['issued']}）：{out}"
                  f"（sha256 {sha}）")
            return 0
        scored = {g: score(store, args.month, g, published=False) for g in GROUPS} if pub else None
        data = build_bulletin_data(store, args.month, scored=scored)
        blob = export(store, data, fmt, CLI)
    out.write_bytes(blob)
    red, yellow = len(data.alerts_of(RED)), len(data.alerts_of(YELLOW))
    what = "（按现有数据的更正候选草稿）" if pub else ""
    print(f"已生成 {data.title}{what}：{out}（红色预警 {red} 个，黄色预警 {yellow} 个）")
    return 0


def _kind(pub: dict) -> str:
    return "更正通报" if pub["kind"] == "correction" else "通报"


def cmd_publications(args: argparse.Namespace) -> int:
    """A month's issued documents, and any of them written out byte for byte."""
    from credit.app.service import open_store

    with open_store(args.db) as store:
        pubs = store.publishing.publications(args.month)
        if args.id is not None and args.id not in {p["id"] for p in pubs}:
            raise CreditError(f"{args.month} 没有编号为 {args.id} 的发布记录")
        if not pubs:
            print(f"{args.month} 尚未签发通报。")
            return 0
        print(f"{args.month} 的发布记录（{len(pubs)} 份，最新在前；第一份为现行）：")
        for p in pubs:
            extra = f"，更正说明：{p['reason']}" if p["reason"] else ""
            print(f"  #{p['id']} {_kind(p)} {p['number']}  成文日期 {p['issued']}  签发人 {p['signer']}{extra}")
            for f in p["files"]:
                print(f"      {f['format']}  {f['filename']}  {f['size']:,} 字节  sha256 {f['sha256']}")
        if args.output:
            folder = Path(args.output)
            folder.mkdir(parents=True, exist_ok=True)
            for p in pubs:
                if args.id is not None and p["id"] != args.id:
                    continue
                for f in p["files"]:
                    name, blob, _ = store.publishing.publication_file(p["id"], f["format"])
                    (folder / Path(name).name).write_bytes(blob)
                    print(f"已写出：{folder / Path(name).name}")
    return 0


def _write_output(out: Path, blob: bytes) -> None:
    """Write a generated file whole or not at all: a temporary file beside it, renamed when complete
    (a full disk or a read-only folder leaves no half-written 通报 behind, and says so in Chinese)."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(blob)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CreditError(f"无法写入输出文件「{out}」：{exc.strerror or exc}") from exc


def cmd_year(args: argparse.Namespace) -> int:
    """The year's result for a group on the terminal (table, JSON, CSV), or the 年度通报 as a file."""
    from credit.app.service import open_store
    from credit.reports.annual import year_months, year_payload, year_table, year_view
    from credit.reports.annual_bulletin import build_annual_bulletin
    from credit.reports.annual_files import render

    if not 2000 <= args.year <= 2100:
        print(f"错误：年度应为 2000—2100 之间的年份，实际为「{args.year}」", file=sys.stderr)
        return 2
    if args.output:
        out = Path(args.output)
        fmt = _document_format(out)
        if fmt is None:
            return 2
        if not out.parent.is_dir():
            print(f"错误：输出文件所在的文件夹「{out.parent}」不存在", file=sys.stderr)
            return 2
        with open_store(args.db) as store:
            if not year_months(store, args.year):
                print(f"{args.year}年还没有任何月份的数据，无从生成年度通报。", file=sys.stderr)
                return 1
            data = build_annual_bulletin(store, args.year)
            blob = render(data, fmt)
        _write_output(out, blob)
        print(f"已生成 {data.title}（{'最终结果' if data.final else '临时结果'}）：{out}")
        return 0
    with open_store(args.db) as store:
        view = year_view(store, args.year, args.group)
    if view.empty:
        print(f"{args.year}年还没有任何月份的数据。", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(year_payload(view), ensure_ascii=False, indent=2))
        return 0
    table = year_table(view)
    if args.format == "csv":
        buf = io.StringIO()
        table.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL)
        sys.stdout.write(buf.getvalue())
        return 0
    print(f"{args.year}年 {args.group} 年度结果（{view.annual.status}，{len(table)} 个单位）")
    print(view.annual.rule.describe() + view.annual.basis)
    print(f"月份：{view.states_line()}")
    print(table.to_string(index=False))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from datetime import date

    from credit.app.publish import publish_month
    from credit.app.service import open_store

    try:
        issued = date.fromisoformat(args.date)
    except ValueError:
        print(f"错误：成文日期应为 YYYY-MM-DD，例如 2022-11-05，实际为「{args.date}」", file=sys.stderr)
        return 2
    with open_store(args.db) as store:
        done = publish_month(store, args.month, args.number, issued, args.signer, CLI, force_reason=args.force_reason,
                             correction_reason=args.reason, objections_confirmed=args.despite_objections,
                             with_pdf=not args.no_pdf)
    what = "更正通报" if done.kind == "correction" else "通报"
    print(f"已签发 {args.month} {what}：{done.number}（成文日期 {issued:%Y-%m-%d}，签发人 {args.signer}）")
    for fmt, digest in done.files.items():
        print(f"  {fmt}：sha256 {digest}")
    if done.kind == "correction":
        _signed_notes(args.db, args.month)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from credit.app.service import open_store
    from credit.reports.status import chase_xlsx, month_status

    with open_store(args.db) as store:
        status = month_status(store, args.month)
    if args.output:
        out = Path(args.output)
        if out.suffix.lower() != ".xlsx":
            print(f"错误：催报清单应保存为 .xlsx 文件，实际为「{out.suffix or '无扩展名'}」", file=sys.stderr)
            return 2
        out.write_bytes(chase_xlsx(status))
    if args.format == "json":
        print(json.dumps(status.payload(), ensure_ascii=False, indent=2))
    else:
        print(f"{args.month} 报送进度：{status.summary()}")
        print(f"各表：{status.sheet_line()}")
        shown = status.table[~status.table["状态"].isin(["无需报送", "本月无新增"])].drop(columns=["上传编号"])
        print(shown.to_string(index=False))
        if args.output:
            print(f"已生成催报清单：{args.output}")
    return 0


def _existing_db(args: argparse.Namespace) -> Path:
    """The --db of a maintenance command: never created on the fly, unlike the other commands."""
    from credit.app.service import db_path

    return Path(args.db) if args.db else db_path()


def cmd_backup(args: argparse.Namespace) -> int:
    from credit.store.maintenance import backup_database, rotate_backup

    if args.output:
        if args.keep is not None:
            raise CreditError("--keep 只能与 --dir 一起使用")
        info = backup_database(_existing_db(args), args.output)
        print(f"已备份并通过完整性检查：{info.describe()}")
        return 0
    rotation = rotate_backup(_existing_db(args), args.dir, args.keep if args.keep is not None else 10_000)
    print(f"已备份并通过完整性检查：{rotation.made.describe()}")
    for old in rotation.removed:
        print(f"已删除较旧的备份：{old}")
    print(f"备份目录 {args.dir} 现有 {len(rotation.kept)} 份本库的带日期备份。")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from credit.app.production import init_database

    path = _existing_db(args)
    if any(Path(f"{path}{s}").exists() for s in ("", "-wal")):  # refuse before asking for a password
        raise CreditError(f"数据库 {path} 已存在：init 只新建数据库，不会改动已有的数据库。")
    result = init_database(path, args.admin, _read_password(args.password_stdin), display=args.display)
    print(result.describe())
    print(f"下一步：CREDIT_DB={path} 启动看板，用「{result.admin}」登录后在“账户管理”页为信用办、领导和各单位开账户。")
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    from credit.store.facade import Store

    path = _existing_db(args)
    if not path.exists():
        raise CreditError(f"数据库 {path} 不存在")
    with Store(path) as store:
        upgrade = store.upgrade
    if upgrade is None:
        print(f"数据库 {path} 已是本版本的结构，无需升级。")
        return 0
    print(f"升级前已备份到：{upgrade.backup}")
    print(f"已完成 {len(upgrade.migrations)} 步升级：{'、'.join(upgrade.migrations)}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from credit.app.doctor import failed, report, run_checks

    config = Path(args.config) if args.config else Path.cwd() / ".streamlit" / "config.toml"
    checks = run_checks(_existing_db(args), config, CLI)
    print(report(checks))
    return 1 if failed(checks) else 0


def cmd_restore(args: argparse.Namespace) -> int:
    from credit.store.maintenance import restore_database

    result = restore_database(_existing_db(args), args.backup_file)
    if result.previous is not None:
        print(f"原数据库已保留为：{result.previous}")
    print(f"已从备份恢复：{result.info.describe()}")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from credit.store.maintenance import rebuild_database

    result = rebuild_database(_existing_db(args), args.output)
    print(
        f"已由存档重建：重新导入上传文件 {result.imports} 次，重做版本恢复 {result.restores} 次，"
        f"版本历史与原数据库一致。{result.info.describe()}"
    )
    return 0


def _read(path_text: str) -> tuple[bytes, str]:
    path = Path(path_text)
    try:
        return path.read_bytes(), path.name
    except OSError as exc:
        raise CreditError(f"文件「{path_text}」无法读取：{exc.strerror or exc}") from exc


def _print_problems(rows: list[dict]) -> None:
    for r in rows:
        where = f"[{r['工作表']}] 第 {r['行']} 行「{r['字段']}」" if r["行"] != "" else f"[{r['工作表']}]"
        print(f"{where} {r['问题类型']}：{r['问题']}（{r['修改建议']}）〔计入 {r['计入指标']}〕")


def cmd_sgs_check(args: argparse.Namespace) -> int:
    from credit.app import sgs
    from credit.app.service import open_store
    from credit.errors import WorkbookError

    if not args.file and not args.codes:
        print("错误：请给出要检查的双公示数据文件，或用 --codes 给出统一社会信用代码清单", file=sys.stderr)
        return 2
    with open_store(args.db) as store:
        unit = sgs.resolve_unit(store.units.register(), args.unit, args.month)
        payload: dict = {}
        problems = 0
        try:
            if args.file:
                entities = _read(args.entities) if args.entities else None
                report = sgs.run_check(store, unit, args.month, *_read(args.file), by=CLI, entities=entities)
                payload["records"] = report.payload()
                problems += len(report.result.problems)
            if args.codes:
                codes = sgs.run_code_check(store, unit, args.month, *_read(args.codes))
                payload["codes"] = codes.payload()
                problems += len(codes.result.problems)
        except WorkbookError as exc:
            print(f"文件有 {len(exc.errors)} 处问题，无法检查：", file=sys.stderr)
            for e in exc.errors:
                print(f"  {e}", file=sys.stderr)
            return 1
    if args.format == "json":
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return 3 if problems else 0
    if "records" in payload:
        rec = payload["records"]
        kinds = "、".join(f"{k} {n} 条" for k, n in rec["by_kind"].items())
        print(f"{rec['unit']} {args.month} 双公示预检：{rec['file']}，共 {rec['records']} 条记录（{kinds}），"
              f"发现 {len(rec['problems'])} 个问题")
        for w in rec["warnings"]:
            print(f"提示：{w}")
        _print_problems(rec["problems"])
        for p in rec["predictions"]:
            print(f"{p['code']} {p['indicator']}：{p['what']} {p['count']} 条，{p['text']}")
    if "codes" in payload:
        c = payload["codes"]
        print(f"{c['unit']} 统一社会信用代码清单：{c['file']}，共 {c['codes']} 个代码，重错码 {c['bad_codes']} 条")
        _print_problems(c["problems"])
        p = c["prediction"]
        print(f"{p['code']} {p['indicator']}：{p['what']} {p['count']} 条，{p['text']}")
    return 3 if problems else 0


def cmd_workdays(args: argparse.Namespace) -> int:
    from credit.app import sgs
    from credit.app.service import open_store
    from credit.common.clock import today
    from credit.model.workdays import check_year, days_text

    with open_store(args.db) as store:
        if args.workdays_command == "set":
            cal = sgs.save_calendar_year(store, args.year, args.holidays, args.workdays, CLI)
            print(f"已录入 {cal.year} 年：放假 {len(cal.holidays)} 天、调休上班 {len(cal.workdays)} 天（已记入操作日志）")
        elif args.workdays_command == "clear":
            year = check_year(args.year)
            done = store.workdays.clear_year(year, CLI)
            print(f"已清除 {year} 年的录入（已记入操作日志）" if done else f"{year} 年没有录入的日期，未作改动")
        else:
            for row in sgs.calendar_years(store, today().year).to_dict("records"):
                print(f"{row['年份']}：{row['工作日来源']}" + (f"（{row['提示']}）" if row["提示"] else ""))
            for year, cal in store.workdays.years().items():
                print(f"{year} 年放假：" + days_text(cal.holidays).replace("\n", "、"))
                print(f"{year} 年调休上班：" + (days_text(cal.workdays).replace("\n", "、") or "无"))
    return 0


COMMANDS = {
    "demo": cmd_demo,
    "template": cmd_template,
    "import": cmd_import,
    "scores": cmd_scores,
    "user": cmd_user,
    "bulletin": cmd_bulletin,
    "status": cmd_status,
    "publish": cmd_publish,
    "publications": cmd_publications,
    "target": cmd_target,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "rebuild": cmd_rebuild,
    "sgs-check": cmd_sgs_check,
    "workdays": cmd_workdays,
    "year": cmd_year,
    "init": cmd_init,
    "upgrade": cmd_upgrade,
    "doctor": cmd_doctor,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (CreditError, sqlite3.DatabaseError) as exc:  # disk full, read-only, corrupt: never a traceback
        failure = storage_failure(exc)
        if failure is None and not isinstance(exc, CreditError):
            raise
        print(f"错误：{failure or exc}", file=sys.stderr)
        return 1
