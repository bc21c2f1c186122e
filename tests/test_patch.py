"""Changing cells of a worksheet's XML in place."""

from __future__ import annotations

import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from seuranta_xl.xlsx.patch import append_rows, patch_sheets, set_cells


def _book(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"], ws["B1"], ws["D1"] = "a", "b", "d"
    ws["B1"].font = Font(bold=True)
    ws["A3"] = "x"
    ws["C3"] = "=1+1"
    ws.auto_filter.ref = "A1:D3"
    other = wb.create_sheet("T")
    other["A1"] = "keep"
    path = tmp_path / "b.xlsx"
    wb.save(path)
    return path


def test_set_cells_keeps_styles_inserts_in_order_and_skips_formulas(tmp_path):
    path = _book(tmp_path)
    skipped = []

    def edit(xml):
        new, skip = set_cells(
            xml,
            {
                (1, 2): "B!",
                (1, 3): "C new",
                (1, 5): 5,
                (2, 2): "row two",
                (3, 3): "over formula",
                (3, 1): None,
                (1, 4): '=HYPERLINK("x")',
            },
        )
        skipped.extend(skip)
        return new

    with zipfile.ZipFile(path) as zf:
        before_t = zf.read("xl/worksheets/sheet2.xml")
    patch_sheets(path, {"S": edit}, backup=False)
    assert skipped == [(3, 3)]
    wb = load_workbook(path)
    ws = wb["S"]
    assert [c.value for c in ws[1]] == ["a", "B!", "C new", '=HYPERLINK("x")', 5]
    assert ws["D1"].data_type == "s"  # text, never a live formula
    assert ws["B1"].font.b  # the style stayed
    assert ws["B2"].value == "row two"
    assert ws["A3"].value is None and ws["C3"].value == "=1+1"
    with zipfile.ZipFile(path) as zf:
        assert zf.read("xl/worksheets/sheet2.xml") == before_t


def test_append_rows_grows_dimension_and_filter(tmp_path):
    path = _book(tmp_path)
    patch_sheets(
        path, {"S": lambda xml: append_rows(xml, [["n1", 1, None, "z"], ["n2"]])}, backup=False
    )
    ws = load_workbook(path)["S"]
    assert [c.value for c in ws[4]][:4] == ["n1", 1, None, "z"]
    assert ws["A5"].value == "n2"
    assert ws.auto_filter.ref == "A1:D5"
    assert ws.max_row == 5


def test_append_to_an_empty_sheet():
    xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1"/><sheetData/></worksheet>'
    )
    out = append_rows(xml, [["a", "b"]])
    assert b'<row r="1"><c r="A1" t="inlineStr">' in out and b'<dimension ref="A1:B1"/>' in out
