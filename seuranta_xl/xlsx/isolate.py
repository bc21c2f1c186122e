"""Running a parser over untrusted files where a crash or a hang cannot take the run down.

python-calamine aborts the whole process on some crafted files, and a hostile .xls can ask
for gigabytes. Each file is read in a worker process with a memory ceiling and a time
limit; a worker that dies or overruns is replaced, and that one file gets a failure.
A worker ends when its parent does, however the parent ends, and what a worker prints
itself (a parser's panic message and backtrace) goes to the log file, not the terminal.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY = 2 * 1024**3  # bytes of address space a reader may use
PIPELINE = 8  # items sent ahead to each worker
_PR_SET_PDEATHSIG = 1
_PARENT_ENDS: set[Connection] = set()  # this process's ends of its workers' pipes


@dataclass(frozen=True)
class Failed:
    """A file the reader could not finish: it crashed, raised or ran out of time."""

    why: str  # "crashed", "timeout", "error"
    detail: str = ""


def _limit_memory(limit: int) -> None:
    """Let this (forked) process grow by ``limit`` bytes of address space beyond what it
    inherited, no more: a reader that asks for gigabytes fails instead of the machine."""
    try:
        import resource

        try:
            with open("/proc/self/statm") as fh:
                inherited = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            inherited = 0
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = inherited + limit
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the time limit still holds


def tie_to_parent(parent: int) -> None:
    """End this worker when its parent ends, however it ends (even SIGKILL): on Linux the
    kernel sends SIGKILL; elsewhere a thread watches for the parent to go."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it went before the line above took effect
        os._exit(0)
    if not sys.platform.startswith("linux") and sys.platform != "win32":

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(0)

        threading.Thread(target=watch, daemon=True).start()


def _capture_output(output: str | int) -> None:
    """Send this worker's stdout and stderr (a parser's panic messages and backtraces,
    Python's tracebacks) to ``output``, a file descriptor inherited over fork or a file's
    name: the parent puts them in the log, not the terminal."""
    fd = -1
    if isinstance(output, int):
        fd = output
    elif output:
        with contextlib.suppress(OSError):
            fd = os.open(output, os.O_WRONLY | os.O_APPEND)
        with contextlib.suppress(OSError):  # open on both sides now: nothing is left behind
            os.unlink(output)  # (where the system lets an open file go; else the parent does)
    if fd < 0:
        fd = os.open(os.devnull, os.O_WRONLY)  # no file to put it in: it is dropped
    for std in (1, 2):
        os.dup2(fd, std)
    os.close(fd)
    # Python's own streams too, whatever the parent had put in their place
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", errors="replace", buffering=1, closefd=False)  # noqa: SIM115


def _worker(
    conn: Connection, func: Callable[[Any], Any], memory: int, parent: int, output: str | int
) -> None:
    import faulthandler

    tie_to_parent(parent)
    # a forked worker holds copies of the parent's ends of every worker's pipe; closed, so
    # that the parent's going is an end of file here (and in every other worker)
    for end in list(_PARENT_ENDS):
        with contextlib.suppress(OSError):
            end.close()
    _PARENT_ENDS.clear()
    _capture_output(output)
    faulthandler.disable()  # a reader's crash is reported by the parent, not dumped here
    _limit_memory(memory)
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        index, item = msg
        try:
            answer = (index, True, func(item))
        except MemoryError:
            answer = (index, False, "out of memory")
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # a parser's failure (a Rust panic too) is that file's
            answer = (index, False, f"{type(exc).__name__}: {exc}")
        conn.send((*answer, _output_size()))


def _output_size() -> int:
    """How much this worker has printed so far: where its output for the next item starts."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    try:
        return os.fstat(2).st_size
    except OSError:
        return -1


class _Slot:
    def __init__(self, ctx: Any, func: Callable[[Any], Any], memory: int) -> None:
        self.conn, child = ctx.Pipe()
        output: str | int = ""
        try:
            fd, self.output = tempfile.mkstemp(prefix="seuranta-reader-", suffix=".txt")
            self.out: Any = os.fdopen(fd, "rb")
            output = self.output
            if ctx.get_start_method() == "fork":
                # a forked worker inherits an open file: its name can go at once
                output = os.open(self.output, os.O_WRONLY | os.O_APPEND)
                os.unlink(self.output)
                self.output = ""
        except OSError:  # no temporary folder to write in: the worker's output is dropped
            self.output, self.out = "", io.BytesIO()
        _PARENT_ENDS.add(self.conn)
        args = (child, func, memory, os.getpid(), output)
        self.proc = ctx.Process(target=_worker, args=args, daemon=True)
        self.proc.start()
        child.close()
        if isinstance(output, int):
            os.close(output)
        self.queue: deque[int] = deque()  # items sent, in order; the first is being worked on
        self.started = 0.0  # when the first began

    def drain(self, upto: int = -1) -> str:
        """What the worker printed since the last call (up to offset ``upto``, when given:
        the end of one item's output)."""
        try:
            data = self.out.read(max(0, upto - self.out.tell()) if upto >= 0 else -1)
        except (OSError, ValueError):
            return ""
        return data.decode("utf-8", "replace") if data else ""

    def stop(self, kill: bool = False) -> str:
        """Stop the worker; what it printed since the last ``drain``."""
        if kill:
            self.proc.kill()
        else:
            with contextlib.suppress(BrokenPipeError, OSError):
                self.conn.send(None)
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()
        _PARENT_ENDS.discard(self.conn)
        left = self.drain()
        self.out.close()
        if self.output:
            with contextlib.suppress(OSError):
                os.unlink(self.output)
        return left


class IsolatedMap:
    """``map_isolated`` that can run while the caller does other work: the workers are
    forked at once (from the calling thread), ``start()`` drives them from a background
    thread, ``results()`` waits for the end."""

    def __init__(
        self,
        func: Callable[[Any], Any],
        items: Sequence[Any],
        *,
        workers: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        memory: int = DEFAULT_MEMORY,
        progress: Callable[[int], None] | None = None,
        describe: Callable[[Any], str] | None = None,
    ) -> None:
        self.func, self.items, self.timeout, self.memory = func, items, timeout, memory
        self.progress = progress
        self.describe = describe  # an item as the log names it (default: its number)
        self.results_: list[Any] = [None] * len(items)
        methods = multiprocessing.get_all_start_methods()
        self.ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        # a worker that dies is replaced from the driving thread: spawned, never forked
        # from a second thread (a fork there could copy a lock another thread holds)
        self.spare_ctx = multiprocessing.get_context("spawn")
        count = max(1, min(workers or os.cpu_count() or 1, len(items))) if items else 0
        self.slots = [_Slot(self.ctx, func, memory) for _ in range(count)]
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.cancelled = threading.Event()

    def start(self) -> IsolatedMap:
        self.thread = threading.Thread(target=self._run_safely, daemon=True)
        self.thread.start()
        return self

    def results(self) -> list[Any]:
        if self.thread is None:
            self._run()
        else:
            self.thread.join()
            if self.error is not None:
                raise self.error
        return self.results_

    def cancel(self) -> None:
        """Stop reading: the workers are stopped, ``results()`` is not to be used."""
        self.cancelled.set()
        if self.thread is not None:
            self.thread.join()
        else:
            for slot in self.slots:
                slot.stop(kill=True)

    def _run_safely(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # handed to results() in the caller's thread
            self.error = exc

    def _log_output(self, text: str, index: int | None) -> None:
        """A worker's own output goes to the log, never to the user's terminal."""
        if not text.strip():
            return
        from ..log import log

        if index is None:
            what = "a reader"
        elif self.describe is not None:
            what = f"the reader of {self.describe(self.items[index])}"
        else:
            what = f"the reader of item {index}"
        log(f"{what} printed:\n{text.rstrip()}")

    def _replace(self, i: int, index: int | None = None) -> None:
        self._log_output(self.slots[i].stop(kill=True), index)
        in_main = threading.current_thread() is threading.main_thread()
        self.slots[i] = _Slot(self.ctx if in_main else self.spare_ctx, self.func, self.memory)

    def _run(self) -> None:
        n = len(self.items)
        results, slots = self.results_, self.slots
        pending = list(range(n - 1, -1, -1))
        done = 0

        def fail(i: int, why: str, detail: str) -> None:
            # the item being worked on failed; the ones queued behind it go to another worker
            nonlocal done
            slot = slots[i]
            index = slot.queue.popleft()
            results[index] = Failed(why, detail)
            pending.extend(reversed(slot.queue))
            done += 1
            self._replace(i, index)
            if self.progress:
                self.progress(1)

        try:
            while done < n and not self.cancelled.is_set():
                # a few items queued ahead, so a worker never waits for this thread
                for i, slot in enumerate(slots):
                    while len(slot.queue) < PIPELINE and pending:
                        index = pending.pop()
                        try:
                            slot.conn.send((index, self.items[index]))
                        except (BrokenPipeError, OSError):
                            pending.append(index)
                            # with items queued, the answers it sent before it went are
                            # still to be read: the end of its pipe tells which one crashed
                            if not slot.queue:
                                self._replace(i)
                            break
                        if not slot.queue:
                            slot.started = time.monotonic()
                        slot.queue.append(index)
                busy = {s.conn: i for i, s in enumerate(slots) if s.queue}
                for conn in wait(list(busy), timeout=0.2):
                    i = busy[conn]  # type: ignore[index]
                    slot = slots[i]
                    try:
                        index, ok, value, printed = slot.conn.recv()
                    except (EOFError, OSError):
                        fail(i, "crashed", f"exit code {slot.proc.exitcode}")
                        continue
                    slot.queue.popleft()
                    slot.started = time.monotonic()
                    results[index] = value if ok else Failed("error", str(value))
                    self._log_output(slot.drain(printed), index)
                    done += 1
                    if self.progress:
                        self.progress(1)
                now = time.monotonic()
                for i, slot in enumerate(slots):
                    if slot.queue and now - slot.started > self.timeout:
                        fail(i, "timeout", f"over {self.timeout:.0f} s")
        finally:
            for slot in slots:
                self._log_output(slot.stop(kill=self.cancelled.is_set()), None)


def map_isolated(
    func: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int = DEFAULT_MEMORY,
    progress: Callable[[int], None] | None = None,
    describe: Callable[[Any], str] | None = None,
) -> list[Any]:
    """``[func(item) for item in items]``, each call in a worker process; a call that
    crashes its worker, raises or overruns ``timeout`` gives a ``Failed`` in its place.
    What a worker prints goes to the log (``seuranta_xl.log``), named by ``describe``."""
    return IsolatedMap(
        func,
        items,
        workers=workers,
        timeout=timeout,
        memory=memory,
        progress=progress,
        describe=describe,
    ).results()
