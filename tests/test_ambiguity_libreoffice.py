"""Which sheet and which column (issue 8, items 8-10), with the edits made in a real
spreadsheet program: LibreOffice inserts the archive column, copies the sheet, and staff's
copy of their own sheet or column comes back. Skipped, saying so, without LibreOffice."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from seuranta_xl import validate
from seuranta_xl.api import merge

from .conftest import KP, S2, S5, lo_edit, run_cli

pytestmark = [pytest.mark.libreoffice, pytest.mark.usefixtures("libreoffice")]


def cells(path, sheet="Seuranta"):
    ws = load_workbook(path)[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row}


def set_cell(sheet, cell, value):
    return {"sheet": sheet, "cell": cell, "value": value}


def test_master_edited_in_libreoffice_archive_column_and_sheet_copy(issued, tmp_path):
    """The coordinator inserts 'Etenemisaste 2025' before 'Etenemisaste' and copies the
    sheet to the front; the merged statuses go to the real column of the real sheet, and
    CLI merge says so with exit 0."""
    master, files = issued
    edited = tmp_path / "muokattu.xlsx"
    lo_edit(
        master,
        edited,
        [
            {"op": "insert_column", "sheet": "Seuranta", "column": "F"},
            set_cell("Seuranta", "F1", "Etenemisaste 2025"),
            set_cell("Seuranta", "F3", "arkisto"),
            {"op": "copy_sheet", "sheet": "Seuranta", "new_name": "Seuranta kopio 2025"},
            set_cell("Seuranta kopio 2025", "G3", "kopio"),
        ],
    )
    edited.replace(master)
    assert load_workbook(master).sheetnames[0] == "Seuranta kopio 2025"
    assert validate(master).plan.sheet == "Seuranta"
    before, copy = cells(master), cells(master, "Seuranta kopio 2025")
    assert (before["F1"], before["G1"]) == ("Etenemisaste 2025", "Etenemisaste")
    wb = load_workbook(files[KP])
    wb["Seuranta"]["F3"] = S5
    wb["Seuranta"]["F5"] = S2
    ret = tmp_path / "palautukset" / "kp.xlsx"
    ret.parent.mkdir()
    wb.save(ret)
    out = run_cli("merge", str(master), str(ret.parent))
    assert out.returncode == 0, out.stdout + out.stderr
    after = cells(master)
    assert {k for k in after if after[k] != before.get(k)} == {"G3", "G5"}
    assert (after["F3"], after["G3"], after["G5"]) == ("arkisto", S5, S2)
    assert cells(master, "Seuranta kopio 2025") == copy


def test_returns_with_a_sheet_or_a_column_copied_in_libreoffice_are_rejected(issued, tmp_path):
    """An owner lifts the protection (no password) and duplicates the sheet, or inserts a
    second 'Tilannekuvaus' column, and writes there: the file is rejected naming the sheets
    or the cells, exit 1, and the master is untouched."""
    master, files = issued
    box = tmp_path / "palautukset"
    box.mkdir()
    lo_edit(
        files[KP],
        box / "kopio.xlsx",
        [
            {"op": "unprotect"},
            {"op": "copy_sheet", "sheet": "Seuranta", "new_name": "Seuranta_2", "position": 2},
            set_cell("Seuranta_2", "F3", S5),
        ],
    )
    lo_edit(
        files[KP],
        box / "sarake.xlsx",
        [
            {"op": "unprotect"},
            {"op": "insert_column", "sheet": "Seuranta", "column": "H"},
            set_cell("Seuranta", "H1", "Tilannekuvaus"),
            set_cell("Seuranta", "H3", "uusi kuvaus"),
        ],
    )
    before = master.read_bytes()
    result = merge(master, [box])
    got = {f.path.name: (f.result, f.reason, f.detail) for f in result.files}
    assert got == {
        "kopio.xlsx": ("rejected", "several_sheets", "'Seuranta', 'Seuranta_2'"),
        "sarake.xlsx": ("rejected", "ambiguous_columns", "Seuranta!G1 / Seuranta!H1"),
    }
    out = run_cli("merge", str(master), str(box), "--lang", "en")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "several sheets ('Seuranta', 'Seuranta_2')" in out.stdout
    assert "two columns (Seuranta!G1 / Seuranta!H1)" in out.stdout
    assert master.read_bytes() == before
