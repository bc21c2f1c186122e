"""The demo's stand-in for a member of staff: fills in a few cells of an owner workbook,
the way they would in Excel, so that the demo can show a merge."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .model import FIELD_ORDER, Field
from .rounds import Manifest

DEMO_EDITS = (
    (1, Field.STATUS, "5 Toimenpide on toteutettu ja käytönotettu toteutusohjelman mukaan"),
    (1, Field.COMMENTARY, "Tuunaustoimenpiteet on hyväksytty valtuustossa toukokuussa."),
    (2, Field.RISKS, "Rahoituksen epävarmuus syksyllä."),
)
"""(nth editable row, field, value): what the demo's owner changes."""


def fill_like_staff(issued: Path, returned: Path) -> list[tuple[str, Field, str]]:
    """Copy an issued owner workbook to ``returned`` with ``DEMO_EDITS`` typed in; returns
    (code, field, value) of each edit."""
    from .xlsx.patch import set_cells, sheet_parts
    from .xlsx.read import read_manifest_grid

    grid = read_manifest_grid(issued, "seuranta_manifesti")
    assert grid is not None
    rows = [r for r in Manifest.from_grid(grid).rows if r.editable]
    edits = {
        (rows[n].sheet_row, FIELD_ORDER.index(f) + 1): value
        for n, f, value in DEMO_EDITS
        if n < len(rows)
    }
    with zipfile.ZipFile(issued) as zin:
        part = sheet_parts(zin)["Seuranta"]
        returned.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(returned, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item)
                if item.filename == part:
                    data = set_cells(data, edits)[0]
                zout.writestr(item, data)
    return [(rows[n].code, f, value) for n, f, value in DEMO_EDITS if n < len(rows)]
