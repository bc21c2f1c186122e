"""The master's own sheets print as a coordinator expects (issue 10): A4 landscape, one
page wide, the header row on every page, the sheet's name and page in the footer clear of
the table, columns wide enough for what they hold, Calibri with a sans-serif fallback."""

from __future__ import annotations

import re
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seuranta_xl import init_master
from seuranta_xl.api import generate, merge
from seuranta_xl.xlsx.names import LOG_SHEET, RETURNS_SHEET, ROUNDS_SHEET, SETTINGS_SHEET
from seuranta_xl.xlsx.sheetspec import FONT
from seuranta_xl.xlsx.template import template_path

from .conftest import KP, soffice_convert
from .test_merge import fill

PRINTED = ("Seuranta", RETURNS_SHEET, LOG_SHEET, SETTINGS_SHEET, ROUNDS_SHEET)
TIME_WIDTH = len("30.12.2021 23:59")


def assert_printable(ws) -> None:
    name = ws.title
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize) == ("landscape", 9), name
    assert ws.sheet_properties.pageSetUpPr.fitToPage, name
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), name
    assert ws.print_title_rows == "$1:$1", name
    assert ws.oddFooter.center.text == "&A – &P / &N", name
    m = ws.page_margins
    # the header and footer (one line, about 0.2") end before the table begins
    assert m.top >= m.header + 0.35 and m.bottom >= m.footer + 0.35, name
    assert ws.freeze_panes == "A2", name


def assert_headers_fit(ws) -> None:
    """Every word of a header fits its column (the header row wraps onto two lines)."""
    for cell in ws[1]:
        if cell.value is None:
            continue
        width = ws.column_dimensions[cell.column_letter].width
        longest = max(len(w) for w in str(cell.value).split())
        assert longest * 1.1 <= width or len(str(cell.value)) <= width, (ws.title, cell.value)


def test_the_template_sheets_print(tmp_path):
    wb = load_workbook(template_path())
    for name in PRINTED:
        assert_printable(wb[name])
    for name in (RETURNS_SHEET, LOG_SHEET, ROUNDS_SHEET):
        assert_headers_fit(wb[name])
        assert wb[name].print_area  # the table's columns: a long hash spills no page
    times = {RETURNS_SHEET: "FG", LOG_SHEET: "A", ROUNDS_SHEET: "B"}
    for name, cols in times.items():
        for col in cols:
            assert wb[name].column_dimensions[col].width >= TIME_WIDTH, (name, col)


def test_fonts_are_calibri_with_a_sans_serif_fallback():
    wb = load_workbook(template_path())
    for style in wb._named_styles:
        if style.name.startswith("Seuranta"):
            assert (style.font.name, style.font.family) == (FONT, 2), style.name
    settings = wb[SETTINGS_SHEET]
    assert (settings["A1"].font.name, settings["A1"].font.family) == (FONT, 2)


@pytest.fixture
def used_master(tmp_path, sample_path):
    """A master from the sample with a round issued and one return merged."""
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    made = generate(master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1))
    files = {f.owner: f.path for f in made.files}
    ret = fill(files[KP], tmp_path / "r.xlsx", {"G3": "Valmis."})
    assert merge(master, [ret], now=datetime(2021, 4, 12, 9, 30)).ok
    return master


def test_a_used_master_keeps_the_print_set_up(used_master):
    wb = load_workbook(used_master)
    for name in PRINTED:
        assert_printable(wb[name])
    rounds = wb[ROUNDS_SHEET]  # rewritten by each round: under its own header
    assert rounds["A1"].style == "Seuranta otsikko" and rounds.auto_filter.ref == "A1:I3"
    assert rounds.column_dimensions["B"].width >= TIME_WIDTH


def _all_visible(src: Path, dst: Path) -> Path:
    """The workbook with its hidden sheets shown: LibreOffice prints visible sheets only."""
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            data = a.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb' state="(?:hidden|veryHidden)"', b"", data)
            b.writestr(info, data)
    return dst


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_libreoffice_prints_each_tool_sheet_one_page_wide(used_master, tmp_path):
    pdf = soffice_convert(_all_visible(used_master, tmp_path / "nakyva.xlsx"), tmp_path, "pdf")
    pages = []
    n = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", pdf)).group(1))
    for p in range(1, n + 1):
        pages.append(_run("pdftotext", "-f", str(p), "-l", str(p), pdf, "-"))
    footers = [re.findall(r"^(\S+) – (\d+) / (\d+)$", text, re.M) for text in pages]
    named = [f[0][0] for f in footers if f]
    for name in (RETURNS_SHEET, LOG_SHEET, SETTINGS_SHEET, ROUNDS_SHEET):
        # one page each: nothing spilled onto a second page to the right
        assert named.count(name) == 1, (name, named)
    returns = pages[named.index(RETURNS_SHEET)]
    assert "12.4.2021 9:30" in returns  # a real date, shown d.m.yyyy h:mm
    assert "Vastaanotettu" in returns


def _run(*cmd: object) -> str:
    return subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, check=True, timeout=120
    ).stdout
