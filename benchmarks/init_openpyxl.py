"""The master writer as it was before issue 10: the template loaded with openpyxl, the data
sheet filled cell by cell, the workbook saved. Kept as the baseline of ``init`` in
``bench_summary.py`` and as the reference ``tests/test_init_equivalence.py`` compares the
string-built master with."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from seuranta_xl.celltext import escape_excel, stored_text
from seuranta_xl.model import FIELD_ORDER, Field, Plan, Row, column_letter
from seuranta_xl.rounds import MasterIdentity
from seuranta_xl.xlsx.names import DATA_SHEET, KEY_SHEET, SCALE_NAME, SETTINGS_SHEET
from seuranta_xl.xlsx.template import (
    COLUMN_WIDTHS,
    DROPDOWN_ROWS,
    EXTRA_COLUMN_WIDTH,
    ROW_STYLE_BY_LEVEL,
    STYLE_BY_LEVEL,
    STYLE_HEADER,
    STYLE_TEXT,
    row_height,
    scale_range,
    template_path,
    write_settings,
)


def set_text_safe(cell: Any, value: object) -> None:
    """Write a value; text stays text, even when it starts with ``=`` (openpyxl would
    otherwise make it a live formula), cleaned as stored and a literal ``_x000D_`` escaped
    as Excel does."""
    if isinstance(value, str):
        value = escape_excel(stored_text(value))
    if value is None or value == "":
        cell.value = None
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def write_master_openpyxl(plan: Plan, target: Path) -> None:
    """Build a master at ``target`` from the template and ``plan`` with openpyxl."""
    from openpyxl import load_workbook
    from openpyxl.worksheet.cell_range import MultiCellRange

    wb = load_workbook(template_path())
    ws = wb[DATA_SHEET]
    widths = [COLUMN_WIDTHS[f] for f in FIELD_ORDER]
    for k, (_, header) in enumerate(plan.extra_columns):
        col = len(FIELD_ORDER) + 1 + k
        cell = ws.cell(row=1, column=col)
        set_text_safe(cell, header)
        cell.style = STYLE_HEADER
        ws.column_dimensions[column_letter(col)].width = EXTRA_COLUMN_WIDTH
        widths.append(EXTRA_COLUMN_WIDTH)
    for i, row in enumerate(plan.rows, start=2):
        _write_row(ws, i, row, widths)
    last_row = len(plan.rows) + 1
    last_col = column_letter(len(widths))
    ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    if last_row > DROPDOWN_ROWS:
        status_col = column_letter(FIELD_ORDER.index(Field.STATUS) + 1)
        ws.data_validations.dataValidation[0].sqref = MultiCellRange(
            f"{status_col}2:{status_col}{last_row + 500}"
        )
    settings = wb[SETTINGS_SHEET]
    for r in settings.iter_rows(min_col=1, max_col=1, min_row=2):
        r[0].value = None
    write_settings(settings, plan.scale)
    wb.defined_names[SCALE_NAME].attr_text = scale_range(len(plan.scale.values))
    key = wb[KEY_SHEET]
    for r, values in enumerate(MasterIdentity.new().grid(), start=1):
        for c, value in enumerate(values, start=1):
            set_text_safe(key.cell(row=r, column=c), value)
    wb.properties.created = wb.properties.modified = datetime.now().replace(microsecond=0)
    if plan.source:
        wb.properties.description = f"Tuotu tiedostosta {plan.source}"
    wb.save(target)


def _write_row(ws: Any, r: int, row: Row, widths: list[float]) -> None:
    level = row.level if row.level in STYLE_BY_LEVEL else (row.column_level or 0)
    row_style = ROW_STYLE_BY_LEVEL.get(level, STYLE_TEXT)
    title_column = FIELD_ORDER.index(row.code_field) + 1 if row.code_field else None
    values: list[object] = [row.values.get(f) for f in FIELD_ORDER] + list(row.extras)
    texts: list[tuple[str, float, bool]] = []
    for c, value in enumerate(values, start=1):
        cell = ws.cell(row=r, column=c)
        set_text_safe(cell, value)
        is_title = c == title_column
        cell.style = STYLE_BY_LEVEL.get(level, STYLE_TEXT) if is_title else row_style
        if value is not None:
            texts.append((str(value), widths[c - 1], is_title and level in (1, 2)))
    height = row_height(texts)
    dim = ws.row_dimensions[r]
    if height is not None:
        dim.height = height
    if level in (2, 3):
        dim.outline_level = level - 1
