"""File names as they can be shown and stored: on a terminal, in JSON, in a cell."""

from __future__ import annotations

import os
import re

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text: str) -> str:
    """``text`` with the surrogate-escaped bytes of a name that is not valid UTF-8 as
    U+FFFD: what every encoder accepts."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


def shown_path(path: str | os.PathLike[str]) -> str:
    """``path`` as text that any output and any workbook cell can hold: bytes of a name
    that is not valid UTF-8 (a Latin-1 name from an unzipped Windows archive arrives
    surrogate-escaped) and control characters become U+FFFD. Only for showing: the real
    path stays for reading and writing."""
    return _CONTROL_RE.sub("\ufffd", printable(os.fspath(path)))
