"""A small log file for what users need not see: readers' own output (a parser's panic
messages and backtraces), kept for whoever looks into a problem later.

Where: env ``SEURANTA_LOG``, else ``%LOCALAPPDATA%\\seuranta-xl\\seuranta.log`` on
Windows, ``$XDG_STATE_HOME/seuranta-xl/seuranta.log`` (``~/.local/state/...``) elsewhere.
Rotated at 1 MB, two old files kept. A log that cannot be written is not an error.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

MAX_BYTES = 1024**2
BACKUPS = 2
LOGGER = "seuranta_xl"

_lock = threading.Lock()


class _State:
    path = ""  # where the logger writes
    usable = False  # the log file could be opened
    written = 0  # entries this process wrote


_state = _State()


class _Handler(RotatingFileHandler):
    def handleError(self, record: logging.LogRecord) -> None:
        pass  # a full disk or a read-only folder: no "--- Logging error ---" on stderr


def log_path() -> Path:
    """Where the log is (or would be) written."""
    explicit = os.environ.get("SEURANTA_LOG")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    else:
        base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "seuranta-xl" / "seuranta.log"


def _logger() -> logging.Logger:
    """The logger, writing to ``log_path()`` (set up again when that changes)."""
    logger = logging.getLogger(LOGGER)
    path = log_path()
    with _lock:
        if _state.path != str(path):
            _state.path = str(path)
            for old in list(logger.handlers):
                logger.removeHandler(old)
                old.close()
            logger.propagate = False
            logger.setLevel(logging.INFO)
            handler: logging.Handler
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                handler = _Handler(
                    path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=False
                )
                handler.setFormatter(
                    logging.Formatter("%(asctime)s %(process)d %(levelname)s %(message)s")
                )
            except (OSError, ValueError):
                handler = logging.NullHandler()
            _state.usable = isinstance(handler, _Handler)
            logger.addHandler(handler)
    return logger


def log(message: str, *, level: int = logging.WARNING) -> None:
    """Write ``message`` to the log file (never raises)."""
    try:
        logger = _logger()
        # surrogate-escaped file names must not break the file's encoding
        logger.log(level, message.encode("utf-8", "replace").decode("utf-8"))
        if _state.usable:
            _state.written += 1
    except Exception:  # the log is a convenience: it never takes a run down
        pass


def written() -> int:
    """How many entries this process has written to the log."""
    return _state.written
