"""The bulletin as PDF: the Word file converted by LibreOffice headless, in fonts that exist here.

The Word file names the 公文 fonts (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体) because
that is what the office's PCs and WPS expect. A county server rarely has them; left alone,
LibreOffice would fall back to whatever fontconfig offers first (often a Latin font, then a
Japanese-shaped CJK face). So the conversion runs with a private fontconfig file that maps each
公文 font to an installed Simplified Chinese face (Noto Serif CJK SC for the serif faces, Noto Sans
CJK SC for 黑体, from Debian's fonts-noto-cjk), and LibreOffice embeds what it used.
"""

from __future__ import annotations

import atexit
import importlib.util
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from credit.errors import CreditError

SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN", "Noto Sans CJK SC", "WenQuanYi Zen Hei")
SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Noto Serif CJK SC")
# 公文 font named in the document → (candidates, bold): 小标宋 is a heavy serif, so bold serif.
FALLBACKS: dict[str, tuple[tuple[str, ...], bool]] = {
    "方正小标宋简体": (SERIF, True), "方正小标宋_GBK": (SERIF, True), "小标宋": (SERIF, True),
    "仿宋_GB2312": (SERIF, False), "仿宋": (SERIF, False), "FangSong": (SERIF, False),
    "楷体_GB2312": (SERIF, False), "楷体": (SERIF, False), "KaiTi": (SERIF, False),
    "宋体": (SERIF, False), "SimSun": (SERIF, False),
    "黑体": (SANS, False), "SimHei": (SANS, False),
}
TIMEOUT_S = 180


@cache
def installed_families() -> frozenset[str]:
    """Font families fontconfig knows with Chinese coverage."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def font_map() -> dict[str, tuple[str, bool]]:
    """公文 font → (installed family that renders it, bold); empty when no CJK font is installed."""
    have = installed_families()
    out = {}
    for name, (candidates, bold) in FALLBACKS.items():
        family = next((c for c in candidates if c in have), None)
        if family:
            out[name] = (family, bold)
    return out


def fontconfig_file(directory: Path) -> Path:
    """A fonts.conf that includes the system one and maps the 公文 fonts onto installed faces."""
    rules = []
    for name, (family, bold) in font_map().items():
        weight = '<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>' if bold else ""
        rules.append(
            f'<match target="pattern"><test name="family" qual="any"><string>{escape(name)}</string></test>'
            f'<edit name="family" mode="prepend" binding="strong"><string>{escape(family)}</string></edit>'
            f"{weight}</match>"
        )
    path = directory / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' + "\n".join(rules) + "\n</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, stem: str = "通报") -> bytes:
    """Convert a Word file to PDF with LibreOffice: through the warm converter when it can be had,
    else one LibreOffice run for this file (a private profile: parallel runs are safe)."""
    soffice = soffice_path()
    if soffice is None:
        raise CreditError("本机未安装 LibreOffice（Debian：apt-get install libreoffice-writer），无法生成 PDF；"
                          "可先下载 Word 文件。")
    if not font_map():
        raise CreditError("本机没有中文字体（Debian：apt-get install fonts-noto-cjk），生成的 PDF 会缺字，已停止。")
    warm = warm_converter() if _serving else None
    if warm is not None:
        try:
            return warm.convert(docx)
        except (OSError, xmlrpc.client.Error, CreditError):
            stop_warm_converter()  # a converter that failed once is not trusted again: start afresh next time
    return _one_shot(docx, stem, soffice)


def signed_files(stem: str, docx: bytes, xlsx: Callable[[], bytes], *, pdf_stem: str,
                 with_pdf: bool = True) -> dict[str, tuple[str, bytes]]:
    """The files a 签发 stores, {format: (file name, bytes)}: Word, Excel and (unless told not to) PDF.

    The PDF is made by LibreOffice, another process: it converts while this one writes the Excel
    file, so 签发 waits for the longer of the two rather than their sum. A failure of either is
    raised here, before anything is stored.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf") as pool:
        converting = pool.submit(docx_to_pdf, docx, pdf_stem) if with_pdf else None
        files = {"docx": (f"{stem}.docx", docx), "xlsx": (f"{stem}.xlsx", xlsx())}
        if converting is not None:
            files["pdf"] = (f"{stem}.pdf", converting.result())
    return files


def _one_shot(docx: bytes, stem: str, soffice: str) -> bytes:
    """One `soffice --convert-to pdf` for this file: pays LibreOffice's start-up (seconds) every time."""
    with tempfile.TemporaryDirectory(prefix="credit-pdf-") as tmp:
        work = Path(tmp)
        src = work / f"{stem}.docx"
        src.write_bytes(docx)
        env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file(work)), "HOME": str(work)}
        try:
            done = subprocess.run(
                [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                 "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work), str(src)],
                capture_output=True, timeout=TIMEOUT_S, env=env,
            )
        except subprocess.TimeoutExpired:
            raise CreditError(f"LibreOffice 转换 PDF 超过 {TIMEOUT_S} 秒未完成，请稍后重试。") from None
        pdf = work / f"{stem}.pdf"
        if done.returncode != 0 or not pdf.exists():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[:200]
            raise CreditError(f"LibreOffice 未能生成 PDF：{detail or '无输出'}")
        return pdf.read_bytes()


# -- the warm converter ------------------------------------------------------------------------------
#
# Why: a one-shot conversion starts LibreOffice each time (3–7 s idle, 30 s and more on a busy server),
# and the office waits for it at 签发 and at every 下载 PDF. `unoserver` (PyPI) keeps one LibreOffice
# listening and converts over XML-RPC in well under a second. Its server half needs LibreOffice's Python
# bindings (`uno`: Debian python3-uno, a system Python; on Windows LibreOffice's own program/python.exe),
# so it runs under that interpreter, with only the unoserver package copied beside it; this process
# talks to it with the standard library's xmlrpc client. Started on first need, reused by every later
# conversion of this process, ended with it; when it cannot be had, conversions are one-shot and
# `warm_status()` says why (doctor shows it).
#
# Only a long-lived process converts warm: the web app calls `serve_warm()` (and starts the converter in
# the background when an office account opens the page where it signs, so the first 签发 does not wait
# for it). A CLI run converts one file and ends; starting a LibreOffice to keep would cost it more than
# one `soffice` run (5 s against 1.5 s idle), so it converts one-shot.

WARM_START_S = 120
_warm_lock = threading.Lock()
_warm: WarmConverter | None = None
_warm_refused: str | None = None  # why the warm converter cannot be had here (asked once per process)
_serving = False  # set by `serve_warm`: this process lives on and converts many files


class _Transport(xmlrpc.client.Transport):
    """XML-RPC over HTTP with a timeout (the standard transport waits forever)."""

    def __init__(self, timeout: float):
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn


@dataclass
class WarmConverter:
    """One running unoserver (and its LibreOffice) on loopback ports of this machine."""

    proc: subprocess.Popen
    port: int
    work: Path

    def _proxy(self, timeout: float) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(f"http://127.0.0.1:{self.port}", allow_none=True,
                                         transport=_Transport(timeout))

    def alive(self) -> bool:
        if self.proc.poll() is not None:
            return False
        try:
            self._proxy(5).info()
            return True
        except (OSError, xmlrpc.client.Error):
            return False

    def convert(self, docx: bytes) -> bytes:
        result = self._proxy(TIMEOUT_S).convert(None, xmlrpc.client.Binary(docx), None, "pdf", "writer_pdf_Export",
                                                [], False, None, None)
        data = getattr(result, "data", result)
        if not isinstance(data, bytes) or not data.startswith(b"%PDF-"):
            raise CreditError("LibreOffice 未能生成 PDF（常驻转换服务返回了空结果）")
        return data

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # unoserver passes the signal on to its LibreOffice
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.work, ignore_errors=True)


@cache
def uno_python() -> str | None:
    """An interpreter that can `import uno` (LibreOffice's Python bindings), or None."""
    candidates = [os.environ.get("CREDIT_UNO_PYTHON"), shutil.which("python3"), "/usr/bin/python3", sys.executable]
    soffice = soffice_path()
    if soffice:  # Windows and the LibreOffice tarballs ship their own Python beside soffice
        program = Path(soffice).resolve().parent
        candidates += [str(program / "python.exe"), str(program / "python")]
    for candidate in dict.fromkeys(c for c in candidates if c):
        if not Path(candidate).exists():
            continue
        try:
            if subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0:
                return candidate
        except (OSError, subprocess.SubprocessError):
            continue
    return None


def _unoserver_package() -> Path | None:
    spec = importlib.util.find_spec("unoserver")
    return Path(spec.origin).parent if spec and spec.origin else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _why_not_warm() -> str | None:
    if _unoserver_package() is None:
        return "未安装 Python 包 unoserver（pip install -r requirements.txt）"
    if uno_python() is None:
        return "找不到带 LibreOffice Python 接口（uno）的 Python（Debian：apt-get install python3-uno）"
    return None


def _start_warm(soffice: str) -> WarmConverter:
    package = _unoserver_package()
    assert package is not None
    work = Path(tempfile.mkdtemp(prefix="credit-unoserver-"))
    lib = work / "pylib"
    shutil.copytree(package, lib / "unoserver", ignore=shutil.ignore_patterns("__pycache__"))
    for info in package.parent.glob("unoserver-*.dist-info"):  # unoserver reads its own version
        shutil.copytree(info, lib / info.name)
    port, uno_port = _free_port(), _free_port()
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file(work)), "HOME": str(work), "PYTHONPATH": str(lib)}
    cmd = [uno_python() or "", "-m", "unoserver.server", "--interface", "127.0.0.1", "--port", str(port),
           "--uno-interface", "127.0.0.1", "--uno-port", str(uno_port), "--executable", soffice,
           "--user-installation", str(work / "profile"), "--conversion-timeout", str(TIMEOUT_S), "--quiet"]
    log = (work / "unoserver.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            cwd=work)  # in the platform's process group: stopping the service stops it too
    log.close()
    warm = WarmConverter(proc, port, work)
    deadline = time.monotonic() + WARM_START_S
    while not warm.alive():
        if proc.poll() is not None or time.monotonic() > deadline:
            detail = (work / "unoserver.log").read_text("utf-8", "replace").strip()[-200:]
            warm.stop()
            raise CreditError(f"常驻 PDF 转换服务未能启动：{detail or '无输出'}")
        time.sleep(0.2)
    return warm


def warm_converter() -> WarmConverter | None:
    """The running warm converter, started on first need; None when it cannot be had here."""
    global _warm, _warm_refused
    with _warm_lock:
        if _warm is not None and _warm.proc.poll() is None:
            return _warm
        if _warm_refused is not None:
            return None
        reason = _why_not_warm()
        soffice = soffice_path()
        if reason is not None or soffice is None:
            _warm_refused = reason or "本机未安装 LibreOffice"
            return None
        try:
            _warm = _start_warm(soffice)
        except (OSError, CreditError) as exc:
            _warm_refused = str(exc)
            return None
        atexit.register(stop_warm_converter)
        return _warm


def stop_warm_converter() -> None:
    """End the warm converter (at exit, or after it failed a conversion)."""
    global _warm
    with _warm_lock:
        if _warm is not None:
            _warm.stop()
            _warm = None


def warm_status() -> tuple[bool, str]:
    """(whether conversions can be warm here, why not) — without starting anything."""
    reason = _why_not_warm()
    return reason is None, reason or ""


def serve_warm(*, prestart: bool = False) -> None:
    """Convert through the warm converter in this process from now on (the web app, not a CLI run).

    With `prestart`, start it now in a background thread — returns at once; a conversion asked for
    meanwhile waits on the same lock rather than starting a second LibreOffice. Cheap once running.
    """
    global _serving
    _serving = True
    if prestart and _warm is None and _warm_refused is None and not _prestarting.is_set():
        _prestarting.set()
        threading.Thread(target=_prestart, name="pdf-warm-start", daemon=True).start()


_prestarting = threading.Event()


def _prestart() -> None:
    try:
        warm = warm_converter()
        if warm is not None:  # LibreOffice's first file loads its Writer filters: pay that here too
            from docx import Document

            buf = io.BytesIO()
            Document().save(buf)
            try:
                warm.convert(buf.getvalue())
            except (OSError, xmlrpc.client.Error, CreditError):
                stop_warm_converter()  # as after a failed conversion: the next one starts afresh
    finally:
        _prestarting.clear()
