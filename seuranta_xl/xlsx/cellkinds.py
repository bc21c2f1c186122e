"""Cells of a returned sheet whose value cannot be read: an error value (``=1/0``,
``=NOSUCHFUNC(1)``), or a formula saved without its value (openpyxl saves them so).

python-calamine reads both as an empty cell, which a merge would take for an owner clearing
the cell; so the sheet's own XML is scanned for them (xlsx and xlsm: the sheet part; ods:
``content.xml``). Runs in the reader worker, on the file's bytes already in memory. Not
available for ``.xls`` and ``.xlsb`` (binary; calamine does not say): a limit.
"""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape

from ..merge import CELL_ERROR, CELL_NO_VALUE
from ..model import column_index

Cells = dict[tuple[int, int], str]
"""(sheet row, column), both 1-based -> CELL_ERROR or CELL_NO_VALUE."""

MAX_REPEAT = 10_000
"""An ods cell or row repeated more often than this is an empty filler, not data."""

_XLSX_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF_RE = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_ERROR_T_RE = re.compile(rb'\bt="e"')
_STR_T_RE = re.compile(rb'\bt="str"')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f\b")
_VALUE_RE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)


def unreadable_cells(data: bytes, kind: str, sheet: str) -> Cells:
    """The unreadable cells of ``sheet`` in a returned file of ``kind``."""
    if kind in ("xlsx", "xlsm"):
        from .patch import sheet_parts

        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            part = sheet_parts(zf).get(sheet)
            return xlsx_cells(zf.read(part)) if part else {}
    if kind == "ods":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return ods_cells(zf.read("content.xml"), sheet)
    return {}


def xlsx_cells(xml: bytes) -> Cells:
    """``t="e"`` cells, and ``<f>`` cells without a ``<v>`` (or with an empty one that is
    not a formula's empty text), of a worksheet part."""
    out: Cells = {}
    for m in _XLSX_CELL_RE.finditer(xml):
        attrs, inner = m.group(1), m.group(2) or b""
        ref = _REF_RE.search(attrs)
        if ref is None:
            continue  # calamine places such cells by position; too rare to follow here
        where = (int(ref.group(2)), column_index(ref.group(1)))
        if _ERROR_T_RE.search(attrs):
            out[where] = CELL_ERROR
        elif _FORMULA_RE.search(inner):
            value = _VALUE_RE.search(inner)
            if value is None or (not value.group(1) and not _STR_T_RE.search(attrs)):
                out[where] = CELL_NO_VALUE
    return out


_ODS_TABLE_RE = re.compile(rb'<table:table(?=\s)[^>]*?\btable:name="([^"]*)"[^>]*>')
_ODS_TOKEN_RE = re.compile(
    rb"<table:table-row(?=[\s/>])([^>]*?)(/?)>|</table:table-row>"
    rb"|<table:(?:covered-)?table-cell\b([^>]*?)(/?)>|</table:table>"
)
_ROWS_REPEATED_RE = re.compile(rb'table:number-rows-repeated="(\d+)"')
_COLS_REPEATED_RE = re.compile(rb'table:number-columns-repeated="(\d+)"')


def ods_cells(xml: bytes, sheet: str) -> Cells:
    """Cells of an ods table with ``calcext:value-type="error"``, or a formula without any
    value type."""
    start = None
    for m in _ODS_TABLE_RE.finditer(xml):
        if unescape(m.group(1).decode("utf-8", "replace")) == sheet:
            start = m.end()
            break
    if start is None:
        return {}
    out: Cells = {}
    row, rows, col = 0, 1, 0  # the current row (1-based), how often it repeats, its column
    for m in _ODS_TOKEN_RE.finditer(xml, start):
        token = m.group(0)
        if token == b"</table:table>":
            break
        if token.startswith(b"<table:table-row"):
            row, col = row + rows, 0
            rows = _repeat(_ROWS_REPEATED_RE, m.group(1))
            continue
        if token == b"</table:table-row>":
            continue
        attrs = m.group(3) or b""
        cols = _repeat(_COLS_REPEATED_RE, attrs)
        why = None
        if b'calcext:value-type="error"' in attrs:
            why = CELL_ERROR
        elif b"table:formula=" in attrs and b"office:value-type=" not in attrs:
            why = CELL_NO_VALUE
        if why is not None:
            for r in range(row, row + min(rows, MAX_REPEAT)):
                for c in range(col + 1, col + 1 + min(cols, MAX_REPEAT)):
                    out[(r, c)] = why
        col += cols
    return out


def _repeat(pattern: re.Pattern[bytes], attrs: bytes) -> int:
    m = pattern.search(attrs)
    return max(1, int(m.group(1))) if m else 1
