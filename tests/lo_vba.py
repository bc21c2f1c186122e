"""Open a macro-enabled workbook in real LibreOffice and report on its VBA project.

Run with Debian's /usr/bin/python3 (which has python3-uno), not the project's interpreter:

    /usr/bin/python3 tests/lo_vba.py FILE [MACRO]

FILE is loaded with the filter ``Calc MS Excel 2007 VBA XML`` (an .xlam fails LibreOffice's
type detection without it) and macros allowed (``MacroExecutionMode`` 4). Prints JSON:
{"modules": {name: source of the VBAProject library's module}, "ran": MACRO or null,
"error": text or null, "sheets": {name: visible}, "active": name of the active sheet}.
MACRO is ``Module.Sub``, run through the document's script provider with one argument, the
document, standing in for the ribbon control: a Sub whose typed parameter gets nothing (None)
does not run at all in LibreOffice, and says nothing.
"""

from __future__ import annotations

import json
import sys

from lo_office import desktop, file_url, prop  # beside this script

FILTER = "Calc MS Excel 2007 VBA XML"


def main(path: str, macro: str | None = None) -> None:
    with desktop() as office:
        doc = office.loadComponentFromURL(
            file_url(path),
            "_blank",
            0,
            (prop("Hidden", True), prop("FilterName", FILTER), prop("MacroExecutionMode", 4)),
        )
        if doc is None:
            raise SystemExit(f"LibreOffice could not load {path}")
        out = {"modules": {}, "ran": None, "error": None}
        libraries = doc.BasicLibraries
        if libraries.hasByName("VBAProject"):
            libraries.loadLibrary("VBAProject")
            lib = libraries.getByName("VBAProject")
            out["modules"] = {name: lib.getByName(name) for name in lib.getElementNames()}
        if macro:
            script = doc.getScriptProvider().getScript(
                f"vnd.sun.star.script:VBAProject.{macro}?language=Basic&location=document"
            )
            try:
                script.invoke((doc,), (), ())  # an object stands in for the ribbon control
                out["ran"] = macro
            except Exception as exc:  # reported, not raised: the test says what failed
                out["error"] = str(exc)
        sheets = doc.Sheets
        out["sheets"] = {
            sheets.getByIndex(i).Name: bool(sheets.getByIndex(i).IsVisible)
            for i in range(sheets.getCount())
        }
        out["active"] = doc.CurrentController.ActiveSheet.Name
        print(json.dumps(out))
        doc.close(True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
