"""Issue 22 §1, the second wall: a reader that aborts, runs out of memory or hangs ends its worker
process, never the caller; the upload gets a Chinese refusal and the next upload is read as usual.

The abort is the real one: the 2 KB XFD1048576 workbook handed straight to the importer's reader
in a worker (past the preflight that would refuse it first) makes python-calamine abort."""

from __future__ import annotations

import os
import threading

import pytest

from credit.errors import WorkbookError
from credit.workbook import importer, isolation
from credit.workbook.importer import parse_workbook
from tests.support import hostile_files as hf
from tests.support import workbooks as wbk

MONTH = wbk.MONTH


def good() -> bytes:
    return wbk.fill_template({"镇街": [{"单位名称": "东阿镇", "本月出台信用制度文件数": 2}]})


def files_of_dong_e(parsed) -> float:
    return next(r for r in parsed.sheets["镇街"].records if r["单位名称"] == "东阿镇")["本月出台信用制度文件数"]


def refused(fn, *args, **kwargs) -> str:
    with pytest.raises(WorkbookError) as caught:
        isolation.run_isolated(fn, *args, filename="hostile.xlsx", **kwargs)
    [error] = caught.value.errors
    return str(error)


def test_a_real_calamine_abort_ends_the_worker_not_this_process() -> None:
    message = refused(importer._parse_guarded, hf.far_cell(), "hostile.xlsx", MONTH, wbk.register())
    assert "读取文件「hostile.xlsx」时读取程序异常终止，未导入任何数据" in message
    parsed = parse_workbook(good(), "月报.xlsx", MONTH, wbk.register())  # the next upload is read
    assert files_of_dong_e(parsed) == 2


def test_an_abort_is_charged_to_its_file_and_the_worker_is_replaced() -> None:
    first = isolation.run_isolated(hf.worker_pid, filename="a")
    assert first != os.getpid()
    assert "异常终止" in refused(hf.abort_now)
    assert os.getpid() and parse_workbook(good(), "月报.xlsx", MONTH, wbk.register()).sheets


def test_workers_are_reused_between_uploads() -> None:
    pids = {isolation.run_isolated(hf.worker_pid, filename="a") for _ in range(6)}
    assert len(pids) <= isolation.WORKERS


@pytest.mark.skipif(isolation.resource is None, reason="RLIMIT_AS is POSIX only")
def test_memory_beyond_the_worker_limit_is_a_refusal() -> None:
    message = refused(hf.allocate, isolation.MEMORY_LIMIT_MB + 512)
    assert "所需内存超过上限" in message


def test_a_read_that_overruns_its_time_is_stopped_and_refused() -> None:
    assert "用时超过上限" in refused(hf.sleep_for, 30, timeout=1)
    assert isolation.run_isolated(hf.sleep_for, 0, filename="a") == "done"


def test_a_reader_exception_comes_back_as_itself() -> None:
    with pytest.raises(WorkbookError) as caught:
        isolation.run_isolated(importer._parse_guarded, b"PK\x03\x04broken", "坏.xlsx", MONTH, wbk.register(),
                               filename="坏.xlsx")
    assert "坏.xlsx" in str(caught.value.errors[0]) and "异常终止" not in str(caught.value.errors[0])


def test_a_bystanders_upload_is_read_while_another_worker_aborts() -> None:
    results: dict[str, object] = {}

    def bystander() -> None:
        results["parsed"] = parse_workbook(good(), "月报.xlsx", MONTH, wbk.register())

    thread = threading.Thread(target=bystander)
    thread.start()
    message = refused(hf.abort_now)
    thread.join(60)
    assert "异常终止" in message
    assert files_of_dong_e(results["parsed"]) == 2


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_gets_its_own_workers() -> None:
    isolation.run_isolated(hf.worker_pid, filename="a")
    parent_pool = isolation._current()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            ok = isolation._current() is not parent_pool and isolation.run_isolated(hf.worker_pid, filename="a") > 0
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
