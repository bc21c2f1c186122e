"""Compare workbooks part by part: content, validations, protection, styles, layout.

Not bytes: openpyxl stamps times into docProps/core.xml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def describe(path: Path) -> dict[str, Any]:
    """Everything a person would see or rely on in a workbook, as plain data."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    out: dict[str, Any] = {
        "sheets": wb.sheetnames,
        "named_styles": sorted(s for s in wb.named_styles if s.startswith("Seuranta")),
        "defined_names": {n: d.attr_text for n, d in wb.defined_names.items()},
        "title": wb.properties.title,
        "lock_structure": bool(wb.security and wb.security.lockStructure),
    }
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and c.style == "Normal":
                    continue
                cells[c.coordinate] = (
                    c.value,
                    c.data_type,
                    c.style,
                    c.font.b,
                    c.fill.fgColor.rgb if c.fill and c.fill.fill_type else None,
                    c.alignment.wrap_text,
                    c.protection.locked,
                    c.font.i,
                )
        out[ws.title] = {
            "state": ws.sheet_state,
            "cells": cells,
            "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref,
            "widths": {k: v.width for k, v in ws.column_dimensions.items() if v.width},
            "heights": {k: v.height for k, v in ws.row_dimensions.items() if v.height},
            "outline": {
                k: v.outline_level for k, v in ws.row_dimensions.items() if v.outline_level
            },
            "validations": [
                (dv.type, dv.formula1, str(dv.sqref), dv.allow_blank, dv.showErrorMessage)
                for dv in ws.data_validations.dataValidation
            ],
            "protection": (
                ws.protection.sheet,
                ws.protection.password,
                ws.protection.formatRows,
                ws.protection.autoFilter,
            ),
            "local_names": {n: d.attr_text for n, d in ws.defined_names.items()},
            "print": (
                ws.page_setup.orientation,
                ws.page_setup.fitToWidth,
                ws.page_setup.fitToHeight,
                ws.sheet_properties.pageSetUpPr.fitToPage
                if ws.sheet_properties.pageSetUpPr
                else None,
                ws.print_title_rows,
            ),
            "conditional": [
                (str(cf.sqref), [r.formula for r in cf.rules]) for cf in ws.conditional_formatting
            ],
        }
    return out
