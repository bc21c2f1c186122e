"""Fault injection for the write paths: an OS error at the Nth write, sync or rename, a
SIGKILL at a random moment, and the checks that must hold after either.

``Faults`` counts the operations a write makes (zip entries written, file copies, fsync,
rename, link, lock writes, temporary files made) and raises ``OSError(code)`` at the Nth;
``count_ops`` tells how many a clean run makes, so a loop can hit each one or a seeded
sample. ``killed_run`` starts a CLI run and SIGKILLs it after a delay. ``sheet_cells``
reads every sheet's cells (timestamps and the random key masked) so "the old content or
the new" is judged on what a user sees, not on bytes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from seuranta_xl.xlsx import patch as patch_module
from seuranta_xl.xlsx import save as save_module

ERRNOS = (errno.ENOSPC, errno.EIO, errno.EPERM)


class Faults:
    """Counts write operations while installed; raises ``OSError(code)`` at the ``fail_at``th
    (1-based; 0 never)."""

    def __init__(self, fail_at: int = 0, code: int = errno.ENOSPC) -> None:
        self.fail_at = fail_at
        self.code = code
        self.count = 0
        self.hit: str | None = None

    def _tick(self, what: str) -> None:
        self.count += 1
        if self.count == self.fail_at:
            self.hit = what
            raise OSError(self.code, os.strerror(self.code), what)

    def wrap(self, what: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def faulty(*args: Any, **kwargs: Any) -> Any:
            self._tick(what)
            return fn(*args, **kwargs)

        return faulty

    def install(self, mp: pytest.MonkeyPatch) -> None:
        """Patch the operations every write path goes through."""
        mp.setattr(os, "write", self.wrap("os.write", os.write))
        mp.setattr(os, "fsync", self.wrap("os.fsync", os.fsync))
        mp.setattr(os, "replace", self.wrap("os.replace", os.replace))
        mp.setattr(os, "link", self.wrap("os.link", os.link))
        mp.setattr(tempfile, "mkstemp", self.wrap("tempfile.mkstemp", tempfile.mkstemp))
        mp.setattr(shutil, "copyfileobj", self.wrap("copyfileobj", shutil.copyfileobj))
        mp.setattr(
            patch_module, "_append_raw", self.wrap("zip raw entry", patch_module._append_raw)
        )
        writestr = zipfile.ZipFile.writestr
        mp.setattr(zipfile.ZipFile, "writestr", self.wrap("zip entry", writestr))
        close = zipfile.ZipFile.close
        faults = self

        def faulty_close(zf: zipfile.ZipFile) -> None:
            # a zip left open by an earlier failure is closed by the garbage collector at
            # any moment: not one of this run's operations
            called_by_gc = sys._getframe(1).f_code.co_name == "__del__"
            if zf.mode in ("w", "x", "a") and zf.fp is not None and not called_by_gc:
                faults._tick("zip close")
            close(zf)

        mp.setattr(zipfile.ZipFile, "close", faulty_close)


@contextlib.contextmanager
def faults(fail_at: int = 0, code: int = errno.ENOSPC) -> Iterator[Faults]:
    mp = pytest.MonkeyPatch()
    f = Faults(fail_at, code)
    f.install(mp)
    try:
        yield f
    finally:
        mp.undo()


def count_ops(run: Callable[[], object]) -> int:
    """How many write operations a clean ``run()`` makes."""
    with faults() as f:
        run()
    return f.count


# --------------------------------------------------------------------------- checking

_STAMP_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}([ T]\d{1,2}[:.]\d{2}([:.]\d{2})?)?|\d{1,2}\.\d{1,2}\.\d{4}"
    r"( (klo )?\d{1,2}[:.]\d{2}([:.]\d{2})?)?"
)
VOLATILE_SHEETS = ("seuranta_avain",)  # a new master's random id and key


def sheet_cells(path: Path) -> dict[str, dict[str, object]]:
    """Every sheet's non-empty cells, as a user sees them; dates and times masked (a run
    stamps its own time), the key sheet left out."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    out: dict[str, dict[str, object]] = {}
    for ws in wb.worksheets:
        if ws.title in VOLATILE_SHEETS:
            continue
        cells: dict[str, object] = {}
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if v is None or v == "":
                    continue
                if isinstance(v, (datetime, date)):
                    v = "<aika>"
                elif isinstance(v, str):
                    v = _STAMP_RE.sub("<aika>", v)
                cells[c.coordinate] = v
        out[ws.title] = cells
    return out


def tool_leftovers(folder: Path) -> list[str]:
    """The tool's temporary files and locks in ``folder`` and its backup folder."""
    out = []
    for f in (folder, folder / save_module.BACKUP_DIR):
        if f.is_dir():
            out += [
                str(p.relative_to(folder))
                for p in f.iterdir()
                if save_module.TMP_TAG in p.name or p.name.endswith(".seuranta-lock")
            ]
    return sorted(out)


def backups(folder: Path) -> list[Path]:
    """The backups under their normal names (no temporary ones)."""
    b = folder / save_module.BACKUP_DIR
    return sorted(p for p in b.iterdir() if not p.name.startswith(".")) if b.is_dir() else []


def assert_old_or_new(path: Path, old: dict[str, Any], new: dict[str, Any], note: str) -> str:
    """The file opens and holds the old content or the new; says which."""
    now = sheet_cells(path)
    if now == old:
        return "old"
    if now == new:
        return "new"
    changed = sorted(
        s for s in set(now) | set(old) | set(new) if now.get(s) not in (old.get(s), new.get(s))
    )
    raise AssertionError(f"{note}: {path.name} is neither old nor new (sheets {changed})")


def assert_backups_whole(folder: Path, allowed: set[bytes], note: str) -> None:
    """Every backup under a backup name is a whole copy of a state the master had."""
    for b in backups(folder):
        assert b.read_bytes() in allowed, f"{note}: half or foreign backup {b.name}"


# --------------------------------------------------------------------------- killing


def killed_run(cmd: list[str], delay: float, env: dict[str, str] | None = None) -> bool:
    """Run ``cmd``; SIGKILL it after ``delay`` seconds if it is still running. True when
    it was killed."""
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def timed(cmd: list[str]) -> float:
    """Seconds a clean run of ``cmd`` takes (it must succeed)."""
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert out.returncode in (0, 1), out.stderr
    return time.perf_counter() - start
