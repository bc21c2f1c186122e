"""Edit a workbook in real LibreOffice through UNO, then save it as xlsx.

Run with Debian's /usr/bin/python3 (which has python3-uno), not the project's interpreter:

    /usr/bin/python3 tests/lo_edit.py IN.xlsx OUT.xlsx EDITS.json

EDITS is a list of {"sheet": name, "cell": "F3", "value": text-or-number, "kind":
"text"|"number"|"formula"}. "text" goes in as a person types it into the cell (so a
pasted label replaces the dropdown's value, as when staff paste over it).

An edit with an "op" does what staff do to the workbook's shape, in the order given:
{"op": "unprotect", "password": ""} lifts the workbook's and every sheet's protection
(as Review > Protect does with the password); {"op": "copy_sheet", "sheet": name,
"new_name": name, "position": 0} copies a sheet as Sheet > Duplicate Sheet does, to the
0-based position; {"op": "insert_column", "sheet": name, "column": "F"} inserts an empty
column before F, as Insert Columns Before does (references, validations and formats move);
{"op": "optimal_height", "sheet": name} gives every row the height LibreOffice finds its
wrapped text needs (Format > Rows > Optimal Height).
"""

from __future__ import annotations

import json
import sys

from lo_office import desktop, file_url, prop  # beside this script


def main(src: str, dst: str, edits_path: str) -> None:
    with open(edits_path, encoding="utf-8") as fh:
        edits = json.load(fh)
    with desktop() as office:
        doc = office.loadComponentFromURL(file_url(src), "_blank", 0, (prop("Hidden", True),))
        for edit in edits:
            op = edit.get("op", "set")
            if op == "unprotect":
                doc.unprotect(edit.get("password", ""))
                for i in range(doc.Sheets.getCount()):
                    doc.Sheets.getByIndex(i).unprotect(edit.get("password", ""))
                continue
            if op == "copy_sheet":
                doc.Sheets.copyByName(edit["sheet"], edit["new_name"], int(edit.get("position", 0)))
                continue
            sheet = doc.Sheets.getByName(edit["sheet"])
            if op == "optimal_height":  # Format > Rows > Optimal Height on every row
                sheet.Rows.OptimalHeight = True
                continue
            if op == "insert_column":
                index = sheet.getCellRangeByName(edit["column"] + "1").CellAddress.Column
                sheet.Columns.insertByIndex(index, 1)
                continue
            cell = sheet.getCellRangeByName(edit["cell"])
            kind = edit.get("kind", "text")
            if kind == "number":
                cell.setValue(float(edit["value"]))
            elif kind == "formula":
                cell.setFormula(edit["value"])
            else:
                cell.setString(edit["value"])
        doc.storeToURL(
            file_url(dst), (prop("FilterName", "Calc MS Excel 2007 XML"), prop("Overwrite", True))
        )
        doc.close(True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
