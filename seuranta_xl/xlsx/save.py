"""Saving a workbook so that the old file or the new one is always there, never half of one.

openpyxl's ``save()`` truncates its target first; a crash or a full disk mid-save has
destroyed masters. Here: write a temporary file in the same folder, fsync it, reopen it to
check it, keep a timestamped backup of the old file, ``os.replace`` and fsync the folder.
A lock stops two runs at once, and a master open in Excel or LibreOffice is refused.

Every write, lock and open-elsewhere check concerns the real file: a symlinked master is
written through to its target, never replaced by a regular file. A read-only file is
refused, never rewritten. The tool's own temporary files (``.NAME.seuranta-XXXXXXXX.tmp``
beside the file and in its backup folder) that a killed run left are removed by the next
run that holds the file's lock.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import socket
import stat
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from ..errors import SeurantaWarning, WriteError

BACKUP_DIR = "varmuuskopiot"

EXCEL_MAX_ROWS = 1_048_576
"""The most rows a worksheet of an .xlsx may have: Excel will not open a file with more."""

TMP_TAG = ".seuranta-"
"""Between a file's name and mkstemp's random part in every temporary file the tool makes
beside that file: ``.NAME.seuranta-XXXXXXXX.tmp``."""


def real_path(path: Path) -> Path:
    """The file a path stands for, symlinks followed (the path itself when it does not
    exist yet, its folder resolved)."""
    path = Path(path)
    return Path(os.path.realpath(path))


def office_lock_files(path: Path) -> list[Path]:
    """Lock files that Excel (``~$name``) and LibreOffice (``.~lock.name#``) leave beside
    an open file, beside the path given and beside the real file it stands for."""
    found: list[Path] = []
    for p in dict.fromkeys([Path(path), real_path(path)]):
        candidates = [
            p.with_name("~$" + p.name),
            p.with_name("~$" + p.name[2:]) if len(p.name) > 2 else None,
            p.with_name(f".~lock.{p.name}#"),
        ]
        found += [c for c in candidates if c is not None and c.exists() and c not in found]
    return found


def is_read_only(path: Path) -> bool:
    """True when the file exists and must not be written: no write permission for this
    user, no write bit at all (the read-only attribute on Windows), or the owner's write
    bit cleared (root may write anything, but a file its owner made read-only stays so)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return True
    if hasattr(os, "geteuid") and st.st_uid == os.geteuid() and not st.st_mode & stat.S_IWUSR:
        return True
    return not os.access(path, os.W_OK)


def refuse_if_read_only(path: Path) -> None:
    """WriteError when the (real) file is read-only."""
    if is_read_only(real_path(path)):
        raise WriteError("read_only", path=str(path))


def refuse_if_open(path: Path) -> None:
    """WriteError when another program has the file open, or when it is read-only."""
    refuse_if_read_only(path)
    locks = office_lock_files(path)
    if locks:
        raise WriteError("open_elsewhere", path=str(path), lock=locks[0].name)


def this_host() -> str:
    return socket.gethostname() or "?"


def lock_path(path: Path) -> Path:
    real = real_path(path)
    return real.with_name(f".{real.name}.seuranta-lock")


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold ``.name.seuranta-lock`` beside the real file while a run changes it.

    The lock records the process, the host and the time. Another live run's lock, and any
    lock from another host or one that cannot be read, is respected (WriteError ``busy``
    or ``busy_elsewhere``); a lock left by a process of this host that is gone is taken
    over, and a ``SeurantaWarning`` says so. Once it is held, the tool's stray temporary
    files for the file (left by a killed run) are removed: no live run is writing them.
    """
    lock = lock_path(path)
    _acquire(path, lock)
    try:
        clean_strays(real_path(path))
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()


def _acquire(path: Path, lock: Path) -> None:
    content = (
        f"seuranta-xl\npid={os.getpid()}\nhost={this_host()}\n"
        f"since={datetime.now().isoformat(timespec='seconds')}\n"
    ).encode()
    for _ in range(2):
        if _create_lock(path, lock, content):
            return
        held = _read_lock(lock)
        if held is None:
            continue  # released meanwhile: try once more
        if not _take_over(path, lock, held):
            return _refuse(path, lock, held)
    raise WriteError("busy", path=str(path), lock=lock.name)


def _create_lock(path: Path, lock: Path, content: bytes) -> bool:
    """Put a complete lock in place, atomically; False when one is there already.

    The lock is written and synced under a temporary name and linked to its name, so a run
    killed or a disk filling up midway never leaves an empty or half lock behind.
    """
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{lock.name[1:]}{TMP_TAG}", suffix=".tmp", dir=lock.parent
        )
    except OSError as exc:
        raise _lock_failed(path, lock, exc) from None
    tmp = Path(tmp_name)
    try:
        try:
            os.write(fd, content)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, lock)
        except FileExistsError:
            return False
        except FileNotFoundError:
            return False  # a run that holds the lock cleaned our temporary file away
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS):
                raise
            return _create_lock_plain(lock, content)  # a filesystem without hard links
        return True
    except OSError as exc:
        raise _lock_failed(path, lock, exc) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _lock_failed(path: Path, lock: Path, exc: OSError) -> WriteError:
    """The lock could not be written (full disk, no permission): nothing was changed."""
    if exc.errno == errno.ENAMETOOLONG:  # the file's own name is fine, the lock's is not
        return WriteError("name_too_long", path=str(path))
    return WriteError("save_failed", path=str(path), detail=f"{lock.name}: {_reason(exc)}")


def _create_lock_plain(lock: Path, content: bytes) -> bool:
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    try:
        os.write(fd, content)
        os.fsync(fd)
    except OSError:
        os.close(fd)
        lock.unlink(missing_ok=True)
        raise
    os.close(fd)
    return True


def _read_lock(lock: Path) -> dict[str, str] | None:
    """The lock's fields (pid, host, since); {} when it cannot be read; None when gone."""
    try:
        text = lock.read_text("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    if "pid" not in fields:  # written by an earlier version: "PID TIME", no host
        words = text.split()
        if words and words[0].isdigit():
            fields = {"pid": words[0], "since": words[1] if len(words) > 1 else "?"}
    fields["raw"] = text
    return fields


def _take_over(path: Path, lock: Path, held: dict[str, str]) -> bool:
    """Remove a lock whose run is provably gone (this host, its process no longer exists);
    False when the lock must be respected."""
    if held.get("host") != this_host() or not _gone(held.get("pid", "")):
        return False
    # moved aside first, so that of two runs finding the same dead lock only one removes it
    aside = lock.with_name(f"{lock.name}{TMP_TAG}{os.getpid()}.stale")
    try:
        os.replace(lock, aside)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if _read_lock(aside) != held:
        # another run took the dead lock over first and this is its live lock: put it back
        with contextlib.suppress(OSError):
            os.link(aside, lock)
        aside.unlink(missing_ok=True)
        return False
    aside.unlink(missing_ok=True)
    warnings.warn(
        SeurantaWarning(
            "lock_taken_over",
            path=str(path),
            lock=lock.name,
            pid=held.get("pid", "?"),
            since=held.get("since", "?"),
        ),
        stacklevel=4,
    )
    return True


def _refuse(path: Path, lock: Path, held: dict[str, str]) -> None:
    host = held.get("host")
    if host and host != this_host():
        raise WriteError(
            "busy_elsewhere",
            path=str(path),
            lock=str(lock),
            host=host,
            pid=held.get("pid", "?"),
            since=held.get("since", "?"),
        )
    raise WriteError("busy", path=str(path), lock=lock.name)


def _gone(pid_text: str) -> bool:
    """True when no process with this id exists on this machine."""
    if os.name != "posix" or not pid_text.isdigit():
        return False  # no cheap liveness check; the message tells how to clear it
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


def stray_pattern(name: str) -> re.Pattern[str]:
    """The names of the temporary files the tool makes for the file ``name``."""
    return re.compile(
        rf"\.{re.escape(name)}(?:\.seuranta-lock)?{re.escape(TMP_TAG)}[a-z0-9_]+\.(?:tmp|stale)"
    )


def clean_strays(real: Path) -> list[Path]:
    """Remove the temporary files a killed run left for this file: beside it and in its
    backup folder, named by the tool's own pattern, regular files only. Called while the
    file's run lock is held, so no live run of the tool is writing them."""
    pattern = stray_pattern(real.name)
    removed = []
    for folder in (real.parent, real.parent / BACKUP_DIR):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not pattern.fullmatch(entry.name):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed


def backup_path(path: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    folder = path.parent / BACKUP_DIR
    candidate = folder / f"{path.stem}.{stamp}{path.suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{path.stem}.{stamp}-{n}{path.suffix}"
        n += 1
    return candidate


def fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable (POSIX; elsewhere nothing to do). Raises OSError
    where the file system refuses."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_renames(folder: Path) -> None:
    """``fsync_dir`` as best effort: some file systems refuse to sync a folder, and the
    rename is done either way."""
    with contextlib.suppress(OSError):
        fsync_dir(folder)


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_backup(real: Path) -> Path:
    """Copy the file into its backup folder: to a temporary name, synced and compared with
    the original, and only then renamed to its backup name, so a half copy never stands
    under a backup's name."""
    target = backup_path(real)
    target.parent.mkdir(exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{real.name}{TMP_TAG}", suffix=".tmp", dir=target.parent
    )
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, real.open("rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(real, tmp)
        if file_sha256(tmp) != file_sha256(real):
            raise OSError(errno.EIO, "the backup copy differs from the original", str(tmp))
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_renames(target.parent)
    return target


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
    failure the temporary file is removed and the target is untouched. A symlink is written
    through to its target; a read-only target is refused. The caller holds the file's run
    lock.
    """
    path = Path(path)
    real = real_path(path)
    refuse_if_read_only(path)
    folder = real.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{real.name}{TMP_TAG}", suffix=".tmp", dir=folder)
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
        if backup and real.exists():
            made_backup = make_backup(real)
        if real.exists():
            shutil.copymode(real, tmp)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, real)
    except WriteError:
        tmp.unlink(missing_ok=True)
        raise
    except (OSError, zipfile.BadZipFile) as exc:
        tmp.unlink(missing_ok=True)
        raise WriteError("save_failed", path=str(path), detail=_reason(exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_renames(folder)
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
