"""正式部署 end to end, as the county's IT person follows the README: `init` → the server with the production
config in its data directory → login required → the first 管理员 logs in (real Chromium, through nginx
over HTTPS when nginx is installed) → 系统维护 → `backup --keep 3` five times leaves 3 → `doctor` passes,
and fails with the LibreOffice message when LibreOffice is hidden from PATH. Also: the unit files pass
`systemd-analyze verify` and the nginx site passes `nginx -t`. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from credit.app.service import open_store
from credit.model.accounts import CLI
from tests.support.live import free_port, have_browser, open_page, screenshot, streamlit_server, wait_drawn
from tests.support.paths import ROOT
from tests.support.people import assert_clean, press

REASON = have_browser()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"真实浏览器测试跳过：{REASON}")
DEPLOY = ROOT / "deploy"
ADMIN, PASSWORD = "chief", "Chief-pass-2026"


def credit_cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real `python -m credit …` as the README writes it (a new interpreter, the platform's directory)."""
    return subprocess.run([sys.executable, "-m", "credit", *args], capture_output=True, text=True, cwd=ROOT,
                          input=stdin, env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """README steps: init the database in the data directory, put the production config there, start the
    server from there (as credit.service does). Yields the base URL and the database path."""
    data = tmp_path_factory.mktemp("var-lib-credit")
    db = data / "credit.db"
    made = credit_cli("init", "--db", str(db), "--admin", ADMIN, "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    (data / ".streamlit").mkdir()
    shutil.copyfile(DEPLOY / "streamlit-config.toml", data / ".streamlit" / "config.toml")
    with streamlit_server(ROOT / "Home.py", db=db, cwd=data) as url:
        yield url, db


@contextlib.contextmanager
def nginx_in_front(upstream: str, tmp: Path) -> Iterator[str | None]:
    """deploy/nginx-credit.conf with its placeholders filled (a self-signed certificate, loopback ports),
    run in the foreground; yields its https URL, or None when nginx or openssl is not installed."""
    nginx, openssl = shutil.which("nginx") or "/usr/sbin/nginx", shutil.which("openssl")
    if not Path(nginx).exists() or openssl is None:
        yield None
        return
    tls = tmp / "tls"
    tls.mkdir()
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tls / "credit.key"),
                    "-out", str(tls / "credit.crt"), "-days", "1", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    http_port, https_port = free_port(), free_port()
    upstream_port = upstream.rsplit(":", 1)[1]
    site_conf = (DEPLOY / "nginx-credit.conf").read_text(encoding="utf-8")
    site_conf = (site_conf.replace("/etc/credit/tls/", f"{tls}/")
                 .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
                 .replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
                 .replace("127.0.0.1:8501", f"127.0.0.1:{upstream_port}"))
    (tmp / "site.conf").write_text(site_conf, encoding="utf-8")
    (tmp / "temp").mkdir(mode=0o777)
    main = (f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\ndaemon off;\nevents {{}}\n"
            f"http {{\n access_log off;\n client_body_temp_path {tmp}/temp;\n proxy_temp_path {tmp}/temp;\n"
            f" include {tmp}/site.conf;\n}}\n")
    (tmp / "nginx.conf").write_text(main, encoding="utf-8")
    proc = subprocess.Popen([nginx, "-c", str(tmp / "nginx.conf"), "-p", str(tmp)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not (tmp / "nginx.pid").exists():
            assert proc.poll() is None and time.monotonic() < deadline, (tmp / "error.log").read_text()
            time.sleep(0.1)
        yield f"https://127.0.0.1:{https_port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_production_path_end_to_end(site, person, tmp_path: Path) -> None:
    url, db = site
    with nginx_in_front(url, tmp_path) as https:
        # the test's certificate is self-signed; the office's browsers trust the county's own CA
        page = person(ignore_https_errors=True).new_page()
        base = https or url
        # the site's address before login: the login page, not the dashboard (login required, no demo hint)
        page.goto(base)
        wait_drawn(page)
        page.get_by_label("用户名").wait_for()
        body = page.locator("body").inner_text()
        assert "演示数据库的试用账户" not in body and "月度排名" not in body
        # (the login page is the only page before login, so it is at the site's root, not /login)
        page.get_by_label("用户名").fill(ADMIN)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_text("当前用户：").wait_for()
        assert_clean(page, "首个管理员登录后")
        open_page(page, "系统维护")
        assert page.get_by_text("还没有保存在服务器上的备份").count() == 1
        screenshot(page, "deploy_maintenance_first")
        for _ in range(5):
            made = credit_cli("backup", "--db", str(db), "--dir", str(tmp_path / "backups"), "--keep", "3")
            assert made.returncode == 0, made.stderr
        assert len(list((tmp_path / "backups").glob("credit-*.db"))) == 3
        config = str(site_config(db))
        ok = credit_cli("doctor", "--db", str(db), "--config", config)
        assert ok.returncode == 0, ok.stdout
        assert "结论：可以运行" in ok.stdout
        bare = tmp_path / "bin"
        bare.mkdir()
        for tool in ("fc-list",):  # fonts are still found; only LibreOffice is hidden
            if shutil.which(tool):
                (bare / tool).symlink_to(shutil.which(tool))
        hidden = credit_cli("doctor", "--db", str(db), "--config", config, env={"PATH": str(bare)})
        assert hidden.returncode == 1
        assert "✗ [错误] LibreOffice（生成 PDF 通报）：在 PATH 中找不到 soffice 或 libreoffice" in hidden.stdout
        assert "apt-get install libreoffice-writer" in hidden.stdout
        # the page sees the nightly backups, and an administrator presses each of its buttons
        open_page(page, "账户管理")
        open_page(page, "系统维护")
        assert page.get_by_text("最近一次服务器备份：").count() == 1
        press(page, "生成一份备份供下载", "系统维护")
        page.get_by_text("备份已生成并通过完整性检查").wait_for()
        with page.expect_download() as download:
            page.get_by_role("button", name="下载备份文件").click()
        saved = tmp_path / "downloaded.db"
        download.value.save_as(saved)
        assert saved.read_bytes()[:16] == b"SQLite format 3\x00"
        press(page, "数据库完整性检查", "系统维护")
        page.get_by_text("数据库完整性检查：未发现错误").wait_for()
        press(page, "运行环境检查（同 python -m credit doctor）", "系统维护")
        page.get_by_text("运行环境检查：").wait_for()
        screenshot(page, "deploy_maintenance_checked")
        with open_store(db) as store:
            actions = [e["action"] for e in store.audit_log(20)]
        assert "backup.download" in actions and actions.count("backup.make") == 5


def site_config(db: Path) -> Path:
    return db.parent / ".streamlit" / "config.toml"


def test_a_database_without_an_administrator_says_how_to_make_one(person, tmp_path: Path) -> None:
    db = tmp_path / "credit.db"
    with open_store(db) as store:  # a database made by starting the dashboard on a new CREDIT_DB
        store.settings.set("login_required", "1", by=CLI)
    with streamlit_server(ROOT / "Home.py", db=db) as url:
        page = person().new_page()
        page.goto(url)
        wait_drawn(page)
        page.get_by_text("本数据库还没有管理员账户").wait_for()
        assert page.get_by_text("python -m credit user add 用户名 --role admin").count() == 1
        assert page.get_by_label("密码").count() == 0  # no login form nobody can pass
        assert_clean(page, "无管理员的数据库")
        screenshot(page, "deploy_no_admin")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="本机没有 systemd-analyze")
def test_the_unit_files_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    """The files as shipped, with only the platform's directory filled in (verify needs ExecStart to exist)."""
    names = ["credit.service", "credit-backup.service", "credit-backup.timer"]
    for name in names:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("/opt/credit/.venv/bin/python", sys.executable), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / n) for n in names)],
                          capture_output=True, text=True, timeout=120)
    ours = [line for line in (done.stdout + done.stderr).splitlines() if any(n in line for n in names)]
    assert done.returncode == 0 and ours == [], done.stdout + done.stderr


def test_the_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("本机未安装 nginx（Debian：apt-get install nginx-light）")
    with nginx_in_front("http://127.0.0.1:8501", tmp_path) as https:
        assert https is not None
    done = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr
