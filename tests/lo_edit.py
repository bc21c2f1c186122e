"""Edit a workbook in real LibreOffice through UNO, then save it as xlsx.

Run with Debian's /usr/bin/python3 (which has python3-uno), not the project's interpreter:

    /usr/bin/python3 tests/lo_edit.py IN.xlsx OUT.xlsx EDITS.json

EDITS is a list of {"sheet": name, "cell": "F3", "value": text-or-number, "kind":
"text"|"number"|"formula"}. "text" goes in as a person types it into the cell (so a
pasted label replaces the dropdown's value, as when staff paste over it).
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
            sheet = doc.Sheets.getByName(edit["sheet"])
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
