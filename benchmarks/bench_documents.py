"""The office's document steps, in figures (not a timed test).

    python -m benchmarks.bench_documents [--pairs 3]

(a) the Word 通报 of the demo's October (python-docx, chart drawn anew each time: new content),
    and the same file asked for again (built once per content);
(b) docx → PDF two ways, alternating (A B A B) so load on the shared machine hits both:
    one `soffice --convert-to pdf` per file (LibreOffice started every time: how the platform
    converted before, and how a CLI run still converts) and the warm converter (one LibreOffice kept
    running by `unoserver`; its start is paid once, in the background, and given in the note);
    issue 28's goal is < 1 s warm;
(c) 签发 end to end as the web app does it (warm converter running): checks, scoring, Word, Excel
    and PDF, the record written; and a 签发 refused for a duplicate 文号 (checked before anything
    is drawn);
(d) the CLI in a new process: `bulletin -o .pdf` of a signed month (hands out the issued file)
    beside the CLI's own floor (`publications --month`: the same interpreter, imports and opened
    database, listing instead of writing a file), alternating,
    and `publish` (one-shot PDF).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, demo_copy, run_pairs
from credit.app.publish import publish_month
from credit.app.service import open_store
from credit.model.accounts import CLI
from credit.reports import chart, exports, pdf
from credit.reports.bulletin import build_bulletin_data, file_stem
from tests.support.paths import ROOT

MONTH = "2022-10"
PUBLISH_MONTHS = ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06", "2022-07", "2022-08"]


def _timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _new_content() -> None:
    """Forget every file and chart made so far: the next render is of content never seen."""
    chart._charts.clear()
    exports._rendered.clear()


def word_figures(data, runs: int) -> tuple[list[Figure], bytes]:
    times = []
    docx = b""
    for _ in range(runs):
        _new_content()
        t, docx = _timed(lambda: exports.render(data, "docx"))
        times.append(t)
    again, _ = _timed(lambda: exports.render(data, "docx"))
    return [Figure("docx", "Word 通报生成（新内容：表格、文字、图表重绘）", statistics.median(times), "s", 0.5, "<",
                   f"{runs} 次中位数，演示库 10 月；内容未变再次下载 {again * 1000:.0f} ms")], docx


def pdf_figures(data, docx: bytes, pairs: int) -> list[Figure]:
    soffice = pdf.soffice_path()
    if soffice is None:
        print("本机未安装 LibreOffice：不测 PDF")
        return []
    warm_ok, why = pdf.warm_status()
    start = 0.0
    if warm_ok:
        pdf.serve_warm()
        start, _ = _timed(pdf.warm_converter)
    one_shot, warm = [], []
    for _ in range(pairs):
        t, _ = _timed(lambda: pdf._one_shot(docx, file_stem(MONTH), soffice))
        one_shot.append(t)
        if warm_ok:
            t, _ = _timed(lambda: pdf.warm_converter().convert(docx))
            warm.append(t)
    _new_content()
    cold, _ = _timed(lambda: exports.render(data, "pdf"))  # the page's 下载 PDF: docx + conversion, first click
    again, _ = _timed(lambda: exports.render(data, "pdf"))  # the next click on unchanged content
    figures = [Figure("download_again", "下载 PDF 通报：内容未变时再次下载", again * 1000, "ms", 100, "<",
                      f"首次下载 {cold:.2f} s（Word + 转换）；之后按内容取已生成的文件"),
               Figure("pdf_one_shot", "PDF 通报：每次启动 LibreOffice（命令行的方式）", statistics.median(one_shot), "s",
                      None, note=f"{pairs} 次中位数，与常驻转换交替测量")]
    if warm_ok:
        figures.append(Figure("pdf_warm", "PDF 通报：常驻转换（unoserver，网页端）", statistics.median(warm), "s", 1.0, "<",
                              f"{pairs} 次中位数；常驻服务启动 {start:.1f} s（办公室打开签发表单时在后台启动）；"
                              f"为每次启动的 {statistics.median(warm) / statistics.median(one_shot):.2f}×"))
    else:
        print(f"常驻转换不可用：{why}")
    return figures


def publish_figures(db: Path, runs: int) -> list[Figure]:
    """签发 as the web app runs it: same process, imports and converter warm, a new month each time."""
    times = []
    with open_store(db) as store:
        for i, month in enumerate(PUBLISH_MONTHS[:runs + 1]):
            y, m = map(int, month.split("-"))
            issued = f"{y + (m == 12)}-{m % 12 + 1:02d}-05"
            number = f"平信用办〔{y + (m == 12)}〕{70 + i}号"
            t0 = time.perf_counter()
            publish_month(store, month, number, issued, "张三", CLI, force_reason="基准测试", objections_confirmed=True)
            t = time.perf_counter() - t0
            if i:  # the first warms matplotlib, openpyxl and the converter's first file
                times.append(t)
        refused = []
        for _ in range(5):
            t0 = time.perf_counter()
            try:
                publish_month(store, MONTH, "平信用办〔2022〕70号", "2022-11-05", "张三", CLI, force_reason="基准测试",
                              objections_confirmed=True)
            except Exception as exc:  # noqa: BLE001 - the refusal is what is timed
                assert "不能重复" in str(exc), exc
            refused.append(time.perf_counter() - t0)
    via = "常驻转换" if pdf._warm is not None else "每次启动 LibreOffice"
    return [Figure("publish", "签发：校验、计分、Word、Excel、PDF、写入冻结记录（网页端）", statistics.median(times), "s", 2.0, "<",
                   f"{len(times)} 个月各签发一次的中位数，PDF 经{via}，与 Excel 同时生成"),
            Figure("publish_refused", "签发：文号重复被拒绝（任何文件生成之前）", statistics.median(refused) * 1000, "ms", 300,
                   "<", "5 次中位数")]


def _cli(*args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "credit", *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def cli_figures(db: Path, tmp: Path, pairs: int) -> list[Figure]:
    """A new process each time: what the office waits for at the command line."""
    floor, issued = [], []
    for _ in range(pairs):
        floor.append(_cli("publications", "--db", str(db), "--month", PUBLISH_MONTHS[1]))
        issued.append(_cli("bulletin", "--db", str(db), "--month", PUBLISH_MONTHS[1], "-o", str(tmp / "issued.pdf")))
    publish = _cli("publish", "--db", str(db), "--month", "2022-11", "--number", "平信用办〔2022〕99号",
                   "--date", "2022-12-05", "--signer", "张三", "--force-reason", "基准测试", "--despite-objections")
    return [Figure("cli_issued_pdf", "命令行 bulletin -o .pdf（已签发月份：取签发时的文件）/ 命令行列出该月已签发文件", statistics.median(issued)
                   / statistics.median(floor), "×", 1.5, "≤",
                   f"{statistics.median(issued):.2f} s / {statistics.median(floor):.2f} s，{pairs} 对交替"),
            Figure("cli_publish", "命令行 publish（新进程，PDF 每次启动 LibreOffice）", publish, "s", None,
                   note="一次；含解释器启动与导入")]


def measure(pairs: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        db = demo_copy(Path(tmp))
        with open_store(db) as store:
            data = build_bulletin_data(store, MONTH)
        figures, docx = word_figures(data, max(3, pairs))
        figures += pdf_figures(data, docx, pairs)
        figures += publish_figures(db, max(3, pairs))
        pdf.stop_warm_converter()
        figures += cli_figures(db, Path(tmp), pairs)
    return figures


def main() -> None:
    run_pairs(measure, __doc__, pairs=3)


if __name__ == "__main__":
    main()
