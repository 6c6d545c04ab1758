"""LibreOffice → PDF → PNG helpers, used by the bulletin tests and `benchmarks/render_bulletin.py`."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def docx_to_pdf(docx: Path, out_dir: Path, timeout: int = 180) -> Path:
    """LibreOffice headless conversion, with a private profile so parallel runs do not clash."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise FileNotFoundError("soffice")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(out_dir), str(docx)],
            check=True, capture_output=True, timeout=timeout,
        )
    pdf = out_dir / (docx.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice produced no PDF for {docx}")
    return pdf


def pdf_to_pngs(pdf: Path, prefix: Path, dpi: int = 80, first: int = 1, last: int | None = None) -> list[Path]:
    args = ["pdftoppm", "-png", "-r", str(dpi), "-f", str(first)]
    if last:
        args += ["-l", str(last)]
    subprocess.run([*args, str(pdf), str(prefix)], check=True, capture_output=True, timeout=120)
    return sorted(prefix.parent.glob(prefix.name + "*.png"))


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))
