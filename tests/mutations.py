"""What staff do to a workbook's shape, as reusable mutations of real files.

Each function reads a workbook the tool made (a master or an owner workbook), changes it
as a person would in Excel, and saves the result to ``dst`` (which may be ``src``); it
returns ``dst``. They go through openpyxl, so the file is a different one afterwards (its
hash changes, its strings become shared strings), as after any save in a spreadsheet
program; protection, hidden and very hidden sheets, defined names and the document's
properties are kept. ``tests/lo_edit.py`` does the same through LibreOffice where a real
client matters.

- ``copy_sheet``: Excel's Move or Copy > Create a copy: a copy of a sheet, by default put
  first (where Excel puts it when "before sheet" is left at the top), named as Excel names
  it (``Seuranta (2)``) unless a name is given.
- ``insert_column``: Insert > Columns before a column, with a header and values (an
  archive column such as ``Etenemisaste 2025`` left of ``Etenemisaste``).
- ``duplicate_column``: a column copied with its header into another (by default the first
  empty one after the data): a field named twice.

Usable by any test that wants the whole cycle to survive these edits (or refuse them).
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy as _copy
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter


def _save(wb, dst: Path, saved: datetime | None) -> Path:
    wb.properties.modified = saved or datetime.now()
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


def copy_sheet(
    src: Path,
    dst: Path,
    sheet: str = "Seuranta",
    new_name: str | None = None,
    *,
    index: int = 0,
    edits: Mapping[str, object] | None = None,
    saved: datetime | None = None,
) -> Path:
    """A copy of ``sheet`` named ``new_name`` (Excel's ``NAME (2)`` by default) at
    ``index`` (0: first), with ``edits`` (cell -> value) typed into the copy."""
    wb = load_workbook(src)
    copy = wb.copy_worksheet(wb[sheet])
    copy.title = new_name or f"{sheet} (2)"
    copy.protection = _copy(wb[sheet].protection)  # as protected as its original
    wb.move_sheet(copy, offset=index - wb.sheetnames.index(copy.title))
    for ref, value in (edits or {}).items():
        copy[ref] = value
    return _save(wb, dst, saved)


def insert_column(
    src: Path,
    dst: Path,
    sheet: str,
    before: str,
    header: str,
    values: Mapping[int, object] | None = None,
    *,
    header_row: int = 1,
    saved: datetime | None = None,
) -> Path:
    """A column inserted before column ``before`` (a letter), headed ``header``, with
    ``values`` by sheet row; what stood from ``before`` on moves one to the right."""
    wb = load_workbook(src)
    ws = wb[sheet]
    col = column_index_from_string(before)
    ws.insert_cols(col)
    ws.cell(row=header_row, column=col).value = header
    for row, value in (values or {}).items():
        ws.cell(row=row, column=col).value = value
    return _save(wb, dst, saved)


def duplicate_column(
    src: Path,
    dst: Path,
    sheet: str,
    column: str,
    to: str | None = None,
    *,
    header: str | None = None,
    edits: Mapping[int, object] | None = None,
    saved: datetime | None = None,
) -> Path:
    """Column ``column`` copied, header and values, into column ``to`` (by default the
    first empty column after the data), optionally renamed ``header``, with ``edits``
    (sheet row -> value) typed into the copy."""
    wb = load_workbook(src)
    ws = wb[sheet]
    source = column_index_from_string(column)
    target = column_index_from_string(to) if to else ws.max_column + 1
    for row in range(1, ws.max_row + 1):
        ws.cell(row=row, column=target).value = ws.cell(row=row, column=source).value
    if header is not None:
        ws.cell(row=1, column=target).value = header
    for row, value in (edits or {}).items():
        ws.cell(row=row, column=target).value = value
    return _save(wb, dst, saved)


def column_of(path: Path, sheet: str, header: str, row: int = 1) -> str:
    """The letter of the first column headed exactly ``header``."""
    ws = load_workbook(path, read_only=True)[sheet]
    for cells in ws.iter_rows(min_row=row, max_row=row, values_only=True):
        for i, value in enumerate(cells, start=1):
            if value == header:
                return get_column_letter(i)
    raise KeyError(header)
