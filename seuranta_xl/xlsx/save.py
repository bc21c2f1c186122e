"""Saving a workbook so that the old file or the new one is always there, never half of one.

openpyxl's ``save()`` truncates its target first; a crash or a full disk mid-save has
destroyed masters. Here: write a temporary file in the same folder, fsync it, reopen it to
check it, keep a timestamped backup of the old file, ``os.replace`` and fsync the folder.
A lock stops two runs at once, and a master open in Excel or LibreOffice is refused.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from ..errors import WriteError

BACKUP_DIR = "varmuuskopiot"


def office_lock_files(path: Path) -> list[Path]:
    """Lock files that Excel (``~$name``) and LibreOffice (``.~lock.name#``) leave beside
    an open file."""
    candidates = [
        path.with_name("~$" + path.name),
        path.with_name("~$" + path.name[2:]) if len(path.name) > 2 else None,
        path.with_name(f".~lock.{path.name}#"),
    ]
    return [c for c in candidates if c is not None and c.exists()]


def refuse_if_open(path: Path) -> None:
    """WriteError when another program has the file open."""
    locks = office_lock_files(path)
    if locks:
        raise WriteError("open_elsewhere", path=str(path), lock=locks[0].name)


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold ``.name.seuranta-lock`` beside the file while a run changes it."""
    lock = path.with_name(f".{path.name}.seuranta-lock")
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        if not _stale(lock):
            raise WriteError("busy", path=str(path), lock=lock.name) from None
        # the run that held it died (killed, power cut): take it over
        lock.unlink(missing_ok=True)
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise WriteError("busy", path=str(path), lock=lock.name) from None
    except OSError as exc:
        raise WriteError("save_failed", path=str(path), detail=str(exc)) from None
    try:
        os.write(fd, f"{os.getpid()} {datetime.now().isoformat(timespec='seconds')}\n".encode())
        os.close(fd)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()


def _stale(lock: Path) -> bool:
    """A lock is stale when the process that wrote it, on this machine, is gone."""
    if os.name != "posix":
        return False  # no cheap liveness check; the message tells how to clear it
    try:
        pid = int(lock.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def backup_path(path: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    folder = path.parent / BACKUP_DIR
    candidate = folder / f"{path.stem}.{stamp}{path.suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{path.stem}.{stamp}-{n}{path.suffix}"
        n += 1
    return candidate


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def verify_xlsx(path: Path) -> None:
    """The written file must be a complete zip with a workbook part."""
    with zipfile.ZipFile(path) as zf:
        bad = zf.testzip()
        if bad is not None:
            raise OSError(f"written file is damaged at {bad}")
        if "xl/workbook.xml" not in zf.namelist():
            raise OSError("written file has no workbook part")


def atomic_write(
    path: Path,
    write: Callable[[Path], None],
    *,
    backup: bool = True,
    verify: Callable[[Path], None] = verify_xlsx,
) -> Path | None:
    """Write ``path`` through ``write(tmp)`` safely; returns the backup made, if any.

    The target is only replaced once the new file is complete, synced and verified; on any
    failure the temporary file is removed and the target is untouched.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WriteError("save_failed", path=str(path), detail=_reason(exc)) from None
    os.close(fd)
    tmp = Path(tmp_name)
    made_backup: Path | None = None
    try:
        write(tmp)
        with tmp.open("rb+") as fh:
            fh.flush()
            os.fsync(fh.fileno())
        verify(tmp)
        if backup and path.exists():
            made_backup = backup_path(path)
            made_backup.parent.mkdir(exist_ok=True)
            shutil.copy2(path, made_backup)
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
        _fsync_dir(folder)
    except WriteError:
        tmp.unlink(missing_ok=True)
        raise
    except (OSError, zipfile.BadZipFile) as exc:
        tmp.unlink(missing_ok=True)
        raise WriteError("save_failed", path=str(path), detail=_reason(exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return made_backup


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _reason(exc: BaseException) -> str:
    """The operating system's reason, with the file it concerns."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc) or type(exc).__name__
