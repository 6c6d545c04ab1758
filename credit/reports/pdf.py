"""The bulletin as PDF: the Word file converted by LibreOffice headless, in fonts that exist here.

The Word file names the 公文 fonts (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体) because
that is what the office's PCs and WPS expect. A county server rarely has them; left alone,
LibreOffice would fall back to whatever fontconfig offers first (often a Latin font, then a
Japanese-shaped CJK face). So the conversion runs with a private fontconfig file that maps each
公文 font to an installed Simplified Chinese face (Noto Serif CJK SC for the serif faces, Noto Sans
CJK SC for 黑体, from Debian's fonts-noto-cjk), and LibreOffice embeds what it used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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
    """Convert a Word file to PDF with LibreOffice headless (private profile: parallel runs are safe)."""
    soffice = soffice_path()
    if soffice is None:
        raise CreditError("本机未安装 LibreOffice（Debian：apt-get install libreoffice-writer），无法生成 PDF；"
                          "可先下载 Word 文件。")
    if not font_map():
        raise CreditError("本机没有中文字体（Debian：apt-get install fonts-noto-cjk），生成的 PDF 会缺字，已停止。")
    with tempfile.TemporaryDirectory(prefix="credit-pdf-") as tmp:
        work = Path(tmp)
        src = work / f"{stem}.docx"
        src.write_bytes(docx)
        env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file(work)), "HOME": str(work)}
        try:
            done = subprocess.run(
                [soffice, f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--norestore",
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
