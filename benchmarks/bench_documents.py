"""The office's document steps, in figures (not a timed test).

    python -m benchmarks.bench_documents [--pairs 3]

(a) the Word 通报 of the demo's October (python-docx, charts included), median of runs;
(b) docx → PDF two ways, alternating (A B A B) so load on the shared machine hits both:
    one `soffice --convert-to pdf` per file (LibreOffice started every time: how the platform
    converted before) and the warm converter (one LibreOffice kept running by `unoserver`; its
    start is paid once and given in the note). Issue 28's goal is < 1 s warm.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, demo_copy, emit
from credit.app.service import open_store
from credit.reports import pdf
from credit.reports.bulletin import build_bulletin_data, file_stem
from credit.reports.exports import render_docx

MONTH = "2022-10"


def _timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def measure(pairs: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        db = demo_copy(Path(tmp))
        with open_store(db) as store:
            data = build_bulletin_data(store, MONTH)
    docx_times = []
    for _ in range(max(3, pairs)):
        t, docx = _timed(lambda: render_docx(data))
        docx_times.append(t)
    figures = [Figure("docx", "Word 通报生成（演示库 10 月）", statistics.median(docx_times), "s", 0.5, "<",
                      f"{len(docx_times)} 次中位数")]
    soffice = pdf.soffice_path()
    if soffice is None:
        print("本机未安装 LibreOffice：不测 PDF")
        return figures
    warm_ok, why = pdf.warm_status()
    start = 0.0
    if warm_ok:
        start, _ = _timed(pdf.warm_converter)
    one_shot, warm = [], []
    for _ in range(pairs):
        t, _ = _timed(lambda: pdf._one_shot(docx, file_stem(MONTH), soffice))
        one_shot.append(t)
        if warm_ok:
            t, _ = _timed(lambda: pdf.warm_converter().convert(docx))
            warm.append(t)
    from credit.reports.exports import render

    cold, _ = _timed(lambda: render(data, "pdf"))  # the page's 下载 PDF: docx + conversion, first click
    again, _ = _timed(lambda: render(data, "pdf"))  # the next click on unchanged content
    pdf.stop_warm_converter()
    figures.append(Figure("download_again", "下载 PDF 通报：内容未变时再次下载", again * 1000, "ms", 100, "<",
                          f"首次下载 {cold:.2f} s（Word + 转换）；之后按内容取已生成的文件"))
    figures.append(Figure("pdf_one_shot", "PDF 通报：每次启动 LibreOffice", statistics.median(one_shot), "s", None,
                          note=f"{pairs} 次中位数，与常驻转换交替测量"))
    if warm_ok:
        figures.append(Figure("pdf_warm", "PDF 通报：常驻转换（unoserver）", statistics.median(warm), "s", 1.0, "<",
                              f"{pairs} 次中位数；常驻服务首次启动 {start:.1f} s；"
                              f"为每次启动的 {statistics.median(warm) / statistics.median(one_shot):.2f}×"))
    else:
        print(f"常驻转换不可用：{why}")
    return figures


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    emit(measure(args.pairs), args.json)


if __name__ == "__main__":
    main()
