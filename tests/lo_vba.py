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

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

FILTER = "Calc MS Excel 2007 VBA XML"


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(path: str, macro: str | None = None) -> None:
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
        start_new_session=True,  # so soffice.bin goes with it if the bridge fails
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
        url = uno.systemPathToFileUrl(os.path.abspath(path))
        doc = desktop.loadComponentFromURL(
            url,
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
        with contextlib.suppress(Exception):  # the bridge drops as the office quits
            desktop.terminate()
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(office.pid, signal.SIGKILL)
            office.wait()


if __name__ == "__main__":
    main(*sys.argv[1:3])
