"""Text as a workbook stores it: the one cleaning every writer applies (issue 8, item 7).

XML 1.0 cannot hold most control characters (a vertical tab pasted from Word, Excel's
``_x000B_``), and an XML reader gives every carriage return back as a line feed. So text is
cleaned to what reads back the same in Excel, LibreOffice, calamine and openpyxl, and the
manifest is signed over exactly that. Pure: standard library only.
"""

from __future__ import annotations

import re

ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Excel reads _xHHHH_ in text as an escaped character; a literal one is written _x005F_xHHHH_
_X_ESCAPE_RE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def stored_text(text: str) -> str:
    """``text`` as a cell will hold it: characters XML cannot hold removed, line ends as
    ``\\n``. Idempotent."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ILLEGAL_RE.search(text):
        text = ILLEGAL_RE.sub("", text)
    return text


def stored_value(value: object) -> object:
    """A cell value as stored: text cleaned (see ``stored_text``), anything else as is."""
    return stored_text(value) if isinstance(value, str) else value


def escape_excel(text: str) -> str:
    """Text for a writer that puts it into XML as it is (openpyxl): a literal ``_x000D_``
    escaped as Excel does, so readers do not take it for a carriage return."""
    return _X_ESCAPE_RE.sub(r"_x005F_\1", text) if "_x" in text else text
