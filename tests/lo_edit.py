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

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(src: str, dst: str, edits_path: str) -> None:
    with open(edits_path, encoding="utf-8") as fh:
        edits = json.load(fh)
    pipe = "seuranta_" + uuid.uuid4().hex
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    office = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        ctx = None
        for _ in range(240):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                time.sleep(0.25)
        if ctx is None:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        url = uno.systemPathToFileUrl(os.path.abspath(src))
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
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
        out = uno.systemPathToFileUrl(os.path.abspath(dst))
        doc.storeToURL(out, (prop("FilterName", "Calc MS Excel 2007 XML"), prop("Overwrite", True)))
        doc.close(True)
        with contextlib.suppress(Exception):  # the bridge drops as the office quits
            desktop.terminate()
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main(*sys.argv[1:4])
