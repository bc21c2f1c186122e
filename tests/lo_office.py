"""A headless LibreOffice for the UNO scripts of the tests (``lo_edit.py``, ``lo_vba.py``).

Imported by those scripts, which run with Debian's /usr/bin/python3 (python3-uno), not the
project's interpreter. Each session has its own profile and pipe, so scripts may run side
by side, and the office goes when the session ends, however it ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]


def prop(name: str, value: Any) -> Any:
    """A UNO PropertyValue."""
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def file_url(path: str) -> str:
    return uno.systemPathToFileUrl(os.path.abspath(path))


@contextlib.contextmanager
def desktop() -> Iterator[Any]:
    """Start a headless LibreOffice, yield its Desktop, and end it afterwards."""
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
        found = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        yield found
        with contextlib.suppress(Exception):  # the bridge drops as the office quits
            found.terminate()
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(office.pid, signal.SIGKILL)
            office.wait()
        shutil.rmtree(profile, ignore_errors=True)
