"""Render a month's bulletin the way a reader sees it: Word → PDF (LibreOffice) → PNG pages.

    /work/venv/bin/python -m benchmarks.render_bulletin [--db PATH] [--month 2022-10] [--out DIR]

Without --db a fresh demo database is built in the output folder. Prints how long each step took
and where the files are; look at the PNGs to check the layout (Chinese glyphs, tables within the
page). Exits 2 when LibreOffice or pdftoppm is not installed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from credit.app.demo import build_demo
from credit.app.service import open_store
from credit.reports.bulletin import build_bulletin_data, file_stem, to_xlsx
from credit.reports.docx import render_docx as to_docx
from tests.support.render import docx_to_pdf, pdf_pages, pdf_to_pngs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db")
    ap.add_argument("--month", default="2022-10")
    ap.add_argument("--out", default="/tmp/bulletin_render")
    ap.add_argument("--dpi", type=int, default=80)
    args = ap.parse_args(argv)
    if not (shutil.which("soffice") and shutil.which("pdftoppm")):
        print("需要 LibreOffice（soffice）和 pdftoppm（poppler-utils）", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    db = Path(args.db) if args.db else out / "demo.db"
    if not args.db:
        build_demo(db, replace=True)
    t0 = time.perf_counter()
    with open_store(db) as store:
        data = build_bulletin_data(store, args.month)
    t1 = time.perf_counter()
    docx = out / f"{file_stem(args.month)}.docx"
    docx.write_bytes(to_docx(data))
    t2 = time.perf_counter()
    (out / f"{file_stem(args.month)}.xlsx").write_bytes(to_xlsx(data))
    t3 = time.perf_counter()
    pdf = docx_to_pdf(docx, out)
    t4 = time.perf_counter()
    for old in out.glob("page*.png"):
        old.unlink()
    pngs = pdf_to_pngs(pdf, out / "page", dpi=args.dpi)
    print(f"数据 {t1 - t0:.2f}s · Word {t2 - t1:.2f}s · Excel {t3 - t2:.2f}s · PDF {t4 - t3:.2f}s")
    print(f"{pdf}（{pdf_pages(pdf)} 页）")
    for p in pngs:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
