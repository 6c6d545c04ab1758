"""Reads uploaded files in a separate worker process, so that no file can end the server.

`credit.workbook.preflight` bounds what a reader is asked to build, but a native reader
(python-calamine is Rust) can still abort on input nobody foresaw — `memory allocation of …
failed` ends the process, and in the dashboard that process serves every user. So the parse itself
runs in a worker: started with the `spawn` method (the same on Linux and Windows; never a fork of
the threaded server), under an address-space limit where the OS has one (`RLIMIT_AS`, POSIX
only; on Windows the worker still isolates the abort, without the limit), and with a time limit.
A worker that dies or overruns is replaced and the upload is refused in Chinese; every other
upload and session goes on.

Workers are reused, not started per upload: starting an interpreter and importing the readers
costs about a second, a round trip to a warm worker a few milliseconds plus pickling the parsed
result. `warm()` starts them ahead of the first upload (the dashboard calls it once per process).
Each call takes a worker to itself, so a crash is always charged to the file that caused it.

`ISOLATE = False` (or `CREDIT_PARSE_IN_PROCESS=1`) parses in the calling process: only for tests
that patch a reader's internals, which a worker cannot see.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import queue
import sys
import threading
import types
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from credit.errors import CellError, WorkbookError

try:  # POSIX only; without it a worker still isolates an abort, only without the memory cap
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

T = TypeVar("T")

ISOLATE = os.environ.get("CREDIT_PARSE_IN_PROCESS") != "1"
MEMORY_LIMIT_MB = int(os.environ.get("CREDIT_PARSE_MEMORY_MB", "2048"))  # address space of one worker
TIMEOUT_SECONDS = float(os.environ.get("CREDIT_PARSE_TIMEOUT_S", "120"))
WORKERS = 2  # two uploads read at once; a third waits for a free worker
# Imported by a worker as it starts, so the first upload does not wait for them.
PRELOAD = ("credit.workbook.importer", "credit.workbook.sgs_reader", "credit.workbook.error_list")

_HINT = ("文件内容异常（例如声明了极大的表格范围）或读取所需内存超过上限；"
         "请用 Excel 或 WPS 打开后另存为 .xlsx 再上传，仍不行请联系信用办")


def refusal(filename: str, what: str, *, outcome: str = "未导入任何数据", hint: str = _HINT) -> WorkbookError:
    """The one refusal of an upload whose reading failed in the worker; nothing was written.

    `outcome` and `hint` fit the caller: a workbook upload "未导入任何数据" with advice on re-saving
    it, a restore "数据库未改动" with advice on the backup.
    """
    return WorkbookError([CellError(None, None, None, f"读取文件「{filename}」时{what}，{outcome}", hint)])


def _limit_memory(megabytes: int) -> None:
    if resource is None or megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _serve(conn: Connection, megabytes: int, preload: tuple[str, ...]) -> None:
    """The worker: limit itself, import the readers, then run one job at a time until closed."""
    _limit_memory(megabytes)
    for name in preload:
        importlib.import_module(name)
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", fn(*args))
        except MemoryError:
            reply = ("memory", None)
        except Exception as exc:  # noqa: BLE001 - handed back to the caller, who decides
            reply = ("raise", exc)
        try:
            conn.send(reply)
        except Exception:  # noqa: BLE001 - an unpicklable result or error
            conn.send(("raise", RuntimeError("result could not be sent back")))


@contextlib.contextmanager
def _without_main() -> Iterator[None]:
    """Start a worker without re-running the caller's script in it.

    `spawn` re-imports the parent's `__main__` in the child (by path for a script), which runs an
    unguarded script — a benchmark, a tool, `python -c` — a second time inside the worker. The
    worker needs nothing from `__main__`, so while it starts (the start-up data is written during
    `start()`) the parent's main module is replaced by an empty one.
    """
    with _main_lock:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None:
                sys.modules["__main__"] = main


class _Died(Exception):
    """The worker ended (abort, kill, memory) or overran its time while reading."""

    def __init__(self, timed_out: bool):
        self.timed_out = timed_out


class _Worker:
    """One worker process and the pipe to it, started on first use and again after it dies."""

    def __init__(self) -> None:
        self.process: multiprocessing.process.BaseProcess | None = None
        self.conn: Connection | None = None

    def start(self) -> None:
        if self.process is not None and self.process.is_alive():
            return
        self.stop()
        ctx = multiprocessing.get_context("spawn")
        ours, theirs = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(theirs, MEMORY_LIMIT_MB, PRELOAD), daemon=True,
                                   name="credit-reader")
        with _without_main():
            self.process.start()
        theirs.close()
        self.conn = ours

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5)
            self.process = None

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> tuple[str, Any]:
        self.start()
        assert self.conn is not None
        try:
            self.conn.send((fn, args))
            if not self.conn.poll(timeout):
                self.stop()
                raise _Died(timed_out=True)
            return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.stop()
            raise _Died(timed_out=False) from exc


class _Pool:
    def __init__(self, size: int) -> None:
        self.pid = os.getpid()
        self.workers: list[_Worker] = [_Worker() for _ in range(size)]
        self.free: queue.Queue[_Worker] = queue.Queue()
        for worker in self.workers:
            self.free.put(worker)


_lock = threading.Lock()
_main_lock = threading.Lock()
_pool: _Pool | None = None


def _current() -> _Pool:
    """This process's pool (a forked child must not talk to its parent's workers)."""
    global _pool
    with _lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = _Pool(WORKERS)
        return _pool


def warm() -> None:
    """Start the workers now (they import the readers in the background); cheap when running."""
    if not ISOLATE:
        return
    pool = _current()
    taken: list[_Worker] = []
    try:
        while True:
            taken.append(pool.free.get_nowait())
    except queue.Empty:
        pass
    for worker in taken:
        try:
            worker.start()
        finally:
            pool.free.put(worker)


def shutdown() -> None:
    """Stop this process's workers (tests; the daemon workers also end with the process)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None and pool.pid == os.getpid():
        for worker in pool.workers:
            worker.stop()


def worker_pids() -> list[int]:
    """The process ids of the running workers (for tests and the reliability report)."""
    pool = _current()
    return [w.process.pid for w in pool.workers if w.process is not None and w.process.is_alive()
            and w.process.pid is not None]


def run_isolated(fn: Callable[..., T], *args: Any, filename: str, timeout: float | None = None,
                 outcome: str = "未导入任何数据", hint: str = _HINT) -> T:
    """`fn(*args)` in a worker; its exceptions are re-raised here, its death is a `WorkbookError`.

    `fn` and its arguments and result cross a pipe, so they must pickle (module-level functions,
    bytes, dataclasses). A `MemoryError` in the worker, an abort, a kill or running past
    `timeout` seconds each become the Chinese refusal naming `filename` (with `outcome` and
    `hint`, see `refusal`).
    """
    if not ISOLATE:
        return fn(*args)
    pool = _current()
    worker = pool.free.get()
    try:
        status, value = worker.call(fn, args, TIMEOUT_SECONDS if timeout is None else timeout)
    except _Died as died:
        worker.start()  # a fresh worker imports the readers while this refusal is shown
        what = "用时超过上限" if died.timed_out else "读取程序异常终止"
        raise refusal(filename, what, outcome=outcome, hint=hint) from None
    finally:
        pool.free.put(worker)
    if status == "memory":
        raise refusal(filename, "所需内存超过上限", outcome=outcome, hint=hint)
    if status == "raise":
        raise value
    return value
