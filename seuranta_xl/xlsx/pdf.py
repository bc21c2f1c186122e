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
from .sheetspec import FONT, Look, SheetSpec

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
    from .report import same_file

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
        sheets_workbook(specs, book)  # the one call the in-place writer will replace
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
    """A workbook holding only ``specs``, for printing. (Through openpyxl for now; the
    in-place writer of tool sheets can take this over.)"""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for spec in specs:
        _add(wb, spec)
    wb.save(path)


def _add(wb, spec: SheetSpec) -> None:  # type: ignore[no-untyped-def]
    """One sheet drawn from ``spec``: cells, widths, heights, merges and the page set-up
    (a chart is not drawn: the council report has none)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    from .master import cell_text_value

    ws = wb.create_sheet(spec.name)
    for (r, c), cell in sorted(spec.cells.items()):
        target = ws.cell(row=r, column=c)
        if cell.value is not None:
            target.value = cell_text_value(cell.value)
            if isinstance(cell.value, str):
                target.data_type = "s"  # a text beginning with "=" stays text
        _style(target, cell.look)
    for c, w in spec.widths.items():
        ws.column_dimensions[get_column_letter(c)].width = w
    for r, h in spec.heights.items():
        ws.row_dimensions[r].height = h
    for ref in spec.merged:
        ws.merge_cells(ref)
    if spec.freeze_row:
        ws.freeze_panes = f"A{spec.freeze_row + 1}"
    if spec.title_rows:
        ws.print_title_rows = f"{spec.title_rows[0]}:{spec.title_rows[1]}"
    for r in spec.row_breaks:
        ws.row_breaks.append(Break(id=r))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if spec.landscape else "portrait"
    if spec.fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    ws.page_margins.top = 0.8
    ws.page_margins.header = 0.3
    if spec.page_header:
        ws.oddHeader.center.text = spec.page_header
    if spec.page_footer:
        ws.oddFooter.center.text = spec.page_footer


def _style(cell, look: Look) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    cell.font = Font(
        name=FONT,
        family=2,
        bold=look.bold,
        italic=look.italic,
        underline="single" if look.underline else None,
        size=look.size,
        color=("FF" + look.color) if look.color else None,
    )
    if look.fill:
        cell.fill = PatternFill("solid", fgColor="FF" + look.fill)
    if look.border:
        thin = Side(style="thin", color="FFA6A6A6")
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    cell.alignment = Alignment(
        wrap_text=look.wrap,
        horizontal=look.halign or None,
        vertical=look.valign or None,
        indent=look.indent,
    )
    if look.number_format:
        cell.number_format = look.number_format
