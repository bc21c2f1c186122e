"""Tool sheets as PDF, printed by a headless LibreOffice (``summary --pdf``).

The sheets are put into a temporary workbook of their own, which LibreOffice converts with
a profile of its own (so a LibreOffice the user has open is neither joined nor disturbed)
and a time limit; the PDF is then written in place of the target atomically. An existing
file is replaced only when it is a PDF, and never the master.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import WriteError
from .sheetspec import SheetSpec

OFFICE_COMMANDS = ("soffice", "libreoffice")
OFFICE_PATHS = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)
"""Where LibreOffice installs itself on Windows and macOS, where it is seldom on PATH."""
CONVERT_SECONDS = 300
PDF_MAGIC = b"%PDF-"


def find_office() -> str | None:
    """LibreOffice's ``soffice``: on PATH, else where it installs itself; None without it."""
    for name in OFFICE_COMMANDS:
        found = shutil.which(name)
        if found:
            return found
    for place in OFFICE_PATHS:
        if Path(place).is_file():
            return place
    return None


def is_pdf(path: Path) -> bool:
    try:
        with Path(path).open("rb") as fh:
            return fh.read(len(PDF_MAGIC)) == PDF_MAGIC
    except OSError:
        return False


def check_pdf_target(pdf: Path, master: Path) -> None:
    """WriteError unless ``pdf`` may be written: named ``.pdf``, not the master, and, when
    it exists, a PDF (anything else there is left alone)."""
    from .summary_book import same_file

    pdf = Path(pdf)
    if same_file(pdf, Path(master)):
        raise WriteError("pdf_is_master", path=str(pdf), master=str(master))
    if pdf.suffix.lower() != ".pdf":
        raise WriteError("pdf_suffix", path=str(pdf))
    if pdf.is_dir() or ((pdf.exists() or pdf.is_symlink()) and not is_pdf(pdf)):
        raise WriteError("pdf_not_pdf", path=str(pdf))


def require_office(pdf: Path, master: Path) -> str:
    """The ``soffice`` to print with; without one, WriteError saying how to print from
    Excel instead."""
    office = find_office()
    if office is None:
        raise WriteError("pdf_no_office", path=str(pdf), master=str(master))
    return office


def write_pdf(specs: list[SheetSpec], pdf: Path, office: str) -> Path:
    """Print ``specs`` (each sheet's own page set-up) into ``pdf``, atomically; returns it.
    The caller has checked the target (``check_pdf_target``)."""
    from .save import atomic_write, run_lock

    pdf = Path(pdf)
    with tempfile.TemporaryDirectory(prefix="seuranta-pdf-") as tmp:
        book = Path(tmp) / "raportti.xlsx"
        sheets_workbook(specs, book)
        printed = convert(office, book, Path(tmp))

        def copy(target: Path) -> None:
            shutil.copyfile(printed, target)

        try:
            pdf.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError("save_failed", path=str(pdf), detail=str(exc)) from None
        with run_lock(pdf):
            atomic_write(pdf, copy, backup=False, verify=_verify)
    return pdf


def _verify(path: Path) -> None:
    if not is_pdf(path):
        raise WriteError("pdf_failed", path=str(path), detail="not a PDF")


def convert(office: str, book: Path, folder: Path) -> Path:
    """``book`` converted to PDF by LibreOffice into ``folder``, with a profile of its own
    there and a time limit; WriteError when it fails."""
    profile = folder / "lo-profile"
    cmd = [
        office,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        "--convert-to",
        "pdf",
        "--outdir",
        str(folder),
        str(book),
    ]
    posix = sys.platform != "win32"
    try:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=posix,  # so a hung soffice.bin can be ended with it
        )
    except OSError as exc:
        raise WriteError("pdf_failed", path=str(book), detail=str(exc)) from None
    try:
        output, _ = proc.communicate(timeout=CONVERT_SECONDS)
    except subprocess.TimeoutExpired:
        if posix:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.communicate()
        raise WriteError(
            "pdf_failed", path=str(book), detail=f"LibreOffice took over {CONVERT_SECONDS} s"
        ) from None
    printed = folder / (book.stem + ".pdf")
    if proc.returncode != 0 or not is_pdf(printed):
        detail = output.decode("utf-8", "replace").strip()[-300:] or f"exit {proc.returncode}"
        raise WriteError("pdf_failed", path=str(book), detail=detail)
    return printed


def sheets_workbook(specs: list[SheetSpec], path: Path) -> None:
    """A workbook holding only ``specs``, for printing, written by the tool's own writer."""
    from .package import NewSheet, write_new

    write_new(path, [NewSheet(spec, spec.kind) for spec in specs])
