"""The master template: built here, saved to ``xlsx_templates/seuranta_master.xlsx``.

Run ``python -m seuranta_xl.xlsx.template`` (or ``python xlsx_templates/build.py``) to
rebuild it; a test checks that the committed file matches what this code builds.

The template carries the look a coordinator expects: named styles per level, a frozen and
filtered header, column widths, wrapped text, the status dropdown pointing at the scale's
list range on a hidden settings sheet, and print set-up. ``init`` fills it with rows.
"""

from __future__ import annotations

import math
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import UnreadableFile
from ..layout import CANONICAL_HEADERS_FI
from ..model import FIELD_ORDER, Field, StatusScale, column_letter
from ..scale import default_scale
from .datestyle import STYLE_TIME
from .names import (
    DATA_SHEET,
    FORMAT_VERSION,
    KEY_SHEET,
    LOG_HEADER,
    LOG_SHEET,
    RETURNS_HEADER,
    RETURNS_SHEET,
    ROUNDS_HEADER,
    ROUNDS_SHEET,
    SCALE_NAME,
    SETTING_DEADLINE,
    SETTING_FORMAT,
    SETTING_LANG,
    SETTING_NOTE,
    SETTING_OWNER_DIR,
    SETTING_PASSWORD,
    SETTING_RETURN_ADDRESS,
    SETTING_RETURNS_DIR,
    SETTING_ROUND,
    SETTINGS_SHEET,
)
from .save import EXCEL_MAX_ROWS
from .sheetspec import DATE_TIME_FORMAT
from .sheetspec import FONT as SHEET_FONT

TEMPLATE_NAME = "seuranta_master.xlsx"
REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "xlsx_templates"

COLUMN_WIDTHS: dict[Field, float] = {
    Field.GOAL: 34,
    Field.ANNUAL_GOAL: 38,
    Field.ACTION: 38,
    Field.RISKS: 38,
    Field.OVERALL: 16,
    Field.STATUS: 30,
    Field.COMMENTARY: 60,
    Field.OWNER: 20,
}
EXTRA_COLUMN_WIDTH = 24
DROPDOWN_ROWS = 2000
"""The dropdown covers this many rows at least, so rows added by hand get it too."""

STYLE_HEADER = "Seuranta otsikko"
STYLE_BY_LEVEL = {1: "Seuranta tavoite", 2: "Seuranta vuositavoite", 3: "Seuranta toimenpide"}
"""The code-and-title cell of each level: goals and annual goals bold on a tint."""
STYLE_TEXT = "Seuranta teksti"
ROW_STYLE_BY_LEVEL = {1: "Seuranta tavoiterivi", 2: "Seuranta vuositavoiterivi", 3: STYLE_TEXT}
"""The other cells of a row: the level's tint, regular text."""

FONT = SHEET_FONT
FONT_FAMILY = 2
"""Swiss (sans-serif): what a program without Calibri falls back to."""
COLORS = {
    "header": "1F4E78",
    1: "DDEBF7",
    2: "F2F7FC",
    "border": "A6A6A6",
}


LINE_HEIGHT = 15.0
MAX_ROW_HEIGHT = 409.0


def row_height(texts: list[tuple[str, float, bool]]) -> float | None:
    """A row height that shows wrapped text whole: (text, column width, bold) in, points
    out; None when one line is enough. Excel does not refit rows written by a program."""
    counted: list[tuple[int, str, int]] = []  # (at most this many lines, text, per line)
    for text, width, bold in texts:
        if not text:
            continue
        per_line = _per_line(width, bold)
        if len(text) <= per_line and "\n" not in text:
            continue  # one line (most cells of a large master)
        breaks = text.count("\n")  # _lines_bound, written out: asked for every wrapped cell
        counted.append((2 * ((len(text) - breaks) // per_line) + breaks + 1, text, per_line))
    if not counted:
        return None
    if len(counted) > 1:
        # the texts that may need most lines first: a text that cannot need more lines
        # than one already counted is not counted
        counted.sort(reverse=True)
    lines = 1
    for bound, text, per_line in counted:
        if bound <= lines or lines >= _LINES_AT_MOST:
            break
        lines = max(lines, _text_lines(text, per_line))
    if lines <= 1:
        return None
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 3)


def too_tall(text: str, width: float, bold: bool) -> bool:
    """Whether ``text`` alone needs a row ``MAX_ROW_HEIGHT`` high (or more)."""
    per_line = _per_line(width, bold)
    if _lines_bound(text, per_line) < _LINES_AT_MOST:
        return False  # the cheap bound settles most texts
    return _text_lines(text, per_line) >= _LINES_AT_MOST


def tall_length(width: float, bold: bool) -> int:
    """The fewest characters a text without line breaks has when it is ``too_tall``: a
    shorter one is settled without counting (``_lines_bound`` stays below the lines of a
    full row)."""
    return -(-(_LINES_AT_MOST - 1) // 2) * _per_line(width, bold)


_LINES_AT_MOST = math.ceil((MAX_ROW_HEIGHT - 3) / LINE_HEIGHT)
"""Lines that fill a row of ``MAX_ROW_HEIGHT``: more do not make it higher."""


def _per_line(width: float, bold: bool) -> int:
    # characters per line as LibreOffice wraps Finnish text (measured against its
    # optimal row height; see tests/test_hostile_heights.py)
    return max(int(width * (0.9 if bold else 1.0)), 1)


def _text_lines(text: str, per_line: int) -> int:
    """Lines of ``text``: its lines (``\\n``) each wrapped."""
    if "\n" not in text:
        return _wrapped_lines(text, per_line)
    return sum(_wrapped_lines(part, per_line) for part in text.split("\n"))


def _lines_bound(text: str, per_line: int) -> int:
    """At least as many lines as ``_text_lines`` counts, cheaply. Two wrapped lines one
    after the other hold ``per_line`` characters or more between them (the word that went
    to the second did not fit on the first; a piece of a long word fills its line), so a
    paragraph of ``n`` characters wraps into ``2 * (n // per_line) + 1`` lines at most."""
    breaks = text.count("\n")
    return 2 * ((len(text) - breaks) // per_line) + breaks + 1


def _wrapped_lines(text: str, per_line: int) -> int:
    """Lines ``text`` takes wrapped at word breaks, as a spreadsheet wraps it: a word that
    does not fit goes to the next line whole (counting characters alone left the last line
    of long texts clipped in print), and a word longer than a line is broken."""
    if len(text) <= per_line:  # its words and the spaces between them fit on one line
        return 1
    words = " ".join(text.split())  # a space between words, as they are counted
    end = len(words)
    lines, start = 1, 0
    # a line at a time: it ends at the last space that leaves it ``per_line`` long at
    # most; without one, its word is longer than a line and the line is a piece of it
    while end - start > per_line:
        space = words.rfind(" ", start, start + per_line + 1)
        start = space + 1 if space > start else start + per_line
        lines += 1
    return lines


def template_path() -> Path:
    """The built template: inside the installed package, else in the repository."""
    packaged = resources.files("seuranta_xl").joinpath("templates", TEMPLATE_NAME)
    if packaged.is_file():
        return Path(str(packaged))
    repo = REPO_TEMPLATES / TEMPLATE_NAME
    if repo.is_file():
        return repo
    raise UnreadableFile("template_missing", path=str(repo))


def _named_styles() -> list[Any]:
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    thin = Side(style="thin", color=COLORS["border"])
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    def style(name: str, *, bold: bool = False, tint: str | None = None, indent: int = 0) -> Any:
        return NamedStyle(
            name=name,
            font=Font(name=FONT, family=FONT_FAMILY, size=11, bold=bold),
            fill=PatternFill("solid", fgColor=tint) if tint else PatternFill(),
            alignment=Alignment(wrap_text=True, vertical="top", indent=indent),
            border=border,
        )

    header = NamedStyle(
        name=STYLE_HEADER,
        font=Font(name=FONT, family=FONT_FAMILY, size=11, bold=True, color="FFFFFF"),
        fill=PatternFill("solid", fgColor=COLORS["header"]),
        alignment=Alignment(wrap_text=True, vertical="center"),
        border=border,
    )
    time = NamedStyle(  # aligned as the unstyled cells beside it
        name=STYLE_TIME,
        font=Font(name=FONT, family=FONT_FAMILY, size=11),
        number_format=DATE_TIME_FORMAT,
        alignment=Alignment(horizontal="left"),
    )
    return [
        header,
        time,
        style(STYLE_BY_LEVEL[1], bold=True, tint=COLORS[1]),
        style(STYLE_BY_LEVEL[2], bold=True, tint=COLORS[2]),
        style(STYLE_BY_LEVEL[3], indent=1),
        style(STYLE_TEXT),
        style(ROW_STYLE_BY_LEVEL[1], tint=COLORS[1]),
        style(ROW_STYLE_BY_LEVEL[2], tint=COLORS[2]),
    ]


def build_template(path: Path, scale: StatusScale | None = None) -> None:
    """Write the master template to ``path``."""
    from openpyxl import Workbook
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.properties import Outline

    scale = scale or default_scale()
    wb = Workbook()
    for style in _named_styles():
        wb.add_named_style(style)
    ws = wb.active
    ws.title = DATA_SHEET
    for i, f in enumerate(FIELD_ORDER, start=1):
        cell = ws.cell(row=1, column=i, value=CANONICAL_HEADERS_FI[f])
        cell.style = STYLE_HEADER
        ws.column_dimensions[column_letter(i)].width = COLUMN_WIDTHS[f]
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{column_letter(len(FIELD_ORDER))}1"
    # goals sit above their children: the outline's summary rows are above
    ws.sheet_properties.outlinePr = Outline(summaryBelow=False, summaryRight=True)
    print_tool_sheet(ws)
    ws.print_options.gridLines = False
    ws.oddHeader.right.text = "&D"  # the day it was printed

    status_col = column_letter(FIELD_ORDER.index(Field.STATUS) + 1)
    add_status_dropdown(ws, f"{status_col}2:{status_col}{DROPDOWN_ROWS + 1}")

    _add_table_sheet(wb, RETURNS_SHEET, RETURNS_HEADER, RETURNS_WIDTHS)
    _add_table_sheet(wb, LOG_SHEET, LOG_HEADER, LOG_WIDTHS)

    settings = wb.create_sheet(SETTINGS_SHEET)
    write_settings(settings, scale)
    settings.freeze_panes = "A2"
    print_tool_sheet(settings)
    settings.sheet_state = "hidden"
    wb.defined_names[SCALE_NAME] = DefinedName(SCALE_NAME, attr_text=scale_range(len(scale.values)))
    rounds = _add_table_sheet(wb, ROUNDS_SHEET, ROUNDS_HEADER, ROUNDS_WIDTHS)
    rounds.sheet_state = "hidden"
    key = wb.create_sheet(KEY_SHEET)
    key.sheet_state = "veryHidden"  # init writes the master's id and signing key here

    wb.properties.title = "Strategian seurantataulukko"
    wb.properties.creator = "seuranta-xl"
    wb.properties.subject = "Valtuustokauden tavoitteiden seuranta"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


# the tool sheets' columns: a time (d.m.yyyy h:mm) takes 16, a file name about 40; a
# SHA-256 (64 characters) shows its start, enough to tell two files apart
RETURNS_WIDTHS = (14, 26, 8, 44, 18, 17, 17, 11, 12, 11, 16)
LOG_WIDTHS = (17, 14, 26, 40, 18, 12, 16, 50, 50, 30)
ROUNDS_WIDTHS = (14, 17, 26, 48, 8, 8, 20, 20, 18)


def _add_table_sheet(wb: Any, name: str, header: tuple[str, ...], widths: tuple[int, ...]) -> Any:
    """A sheet the tool fills row by row: styled header, frozen, filtered, printable."""
    ws = wb.create_sheet(name)
    for c, (text, width) in enumerate(zip(header, widths, strict=True), start=1):
        ws.cell(row=1, column=c, value=text).style = STYLE_HEADER
        ws.column_dimensions[column_letter(c)].width = width
    ws.row_dimensions[1].height = 30  # a header of two words wraps
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{column_letter(len(header))}1"
    print_tool_sheet(ws)
    # the table's columns only: a long hash in the last one would spill onto a page of its own
    ws.print_area = f"A1:{column_letter(len(header))}{EXCEL_MAX_ROWS}"
    return ws


def scale_range(steps: int) -> str:
    return f"'{SETTINGS_SHEET}'!$A$2:$A${steps + 1}"


def add_status_dropdown(ws: Any, sqref: str) -> Any:
    """The status dropdown: a list pointing at the scale's range (an inline list would split
    the labels at their commas)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(
        type="list",
        formula1=SCALE_NAME,  # stored formulas carry no "=", as Excel writes them
        allow_blank=True,
        showDropDown=False,  # openpyxl's name is inverted: False shows the arrow
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Etenemisaste",
        error="Valitse etenemisaste luettelosta (1–5).",
        showInputMessage=True,
        promptTitle="Etenemisaste",
        prompt="Valitse luettelosta.",
    )
    dv.add(sqref)
    ws.add_data_validation(dv)
    return dv


def write_settings(ws: Any, scale: StatusScale) -> None:
    """The settings sheet: the scale in column A (the dropdown's list), settings in C:D."""
    from openpyxl.styles import Alignment, Font

    bold = Font(name=FONT, family=FONT_FAMILY, size=11, bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")  # beside a note that wraps
    ws["A1"] = "Etenemisasteikko"
    ws["A1"].font = bold
    for i, text in enumerate(scale.displays(), start=2):
        ws.cell(row=i, column=1).value = text
        ws.cell(row=i, column=1).data_type = "s"
        ws.cell(row=i, column=1).alignment = top
    ws["C1"] = "Asetus"
    ws["D1"] = "Arvo"
    ws["E1"] = "Selitys"
    ws["C1"].font = ws["D1"].font = ws["E1"].font = bold
    explained = {
        SETTING_FORMAT: (FORMAT_VERSION, "Työkirjan muodon versio; älä muuta."),
        SETTING_DEADLINE: (None, "Näytetään täyttäjien ohjeessa, esim. 31.5.2021."),
        SETTING_RETURN_ADDRESS: (None, "Näytetään täyttäjien ohjeessa, esim. seuranta@kunta.fi."),
        SETTING_PASSWORD: (
            None,
            "Jos annettu, täyttäjien työkirjojen suojaus vaatii tämän salasanan. "
            "Suojaus estää vahingot, se ei ole tietoturvaa.",
        ),
        SETTING_NOTE: (None, "Vapaa lisäohje täyttäjille."),
        # issue 9: what the Excel buttons use
        SETTING_RETURNS_DIR: (
            None,
            "Excel-painikkeet: palautettujen työkirjojen kansio. Tyhjä: kysytään "
            "(oletus: kansio palautukset seurantataulukon vieressä).",
        ),
        SETTING_OWNER_DIR: (
            None,
            "Excel-painikkeet: kansio, johon täyttötyökirjat tehdään. Tyhjä: kysytään "
            "(oletus: kansio tyokirjat seurantataulukon vieressä).",
        ),
        SETTING_ROUND: (
            None,
            "Excel-painikkeet: kierroksen tunnus, esim. 2021-kevät. Tyhjä: kysytään.",
        ),
        SETTING_LANG: ("fi", "Excel-painikkeiden viestien kieli: fi (suomi) tai en (English)."),
    }
    for r, (name, (value, note)) in enumerate(explained.items(), start=2):
        ws.cell(row=r, column=3, value=name).alignment = top
        ws.cell(row=r, column=4, value=value).alignment = top
        ws.cell(row=r, column=5, value=note).alignment = wrap
        height = row_height([(note, SETTINGS_WIDTHS["E"], False)])
        if height:
            ws.row_dimensions[r].height = height
    ws["G1"] = (
        "Etenemisasteikko: yksi porras riville, numero ja selite (esim. "
        "'3 Toteutus on aloitettu, ei vielä valmis'). Etenemisasteen pudotusvalikko "
        "näyttää nämä rivit."
    )
    for ref in ("A1", "C1", "D1", "E1", "G1"):
        ws[ref].alignment = wrap
    ws.row_dimensions[1].height = row_height([(str(ws["G1"].value), SETTINGS_WIDTHS["G"], False)])
    for col, width in SETTINGS_WIDTHS.items():
        ws.column_dimensions[col].width = width


SETTINGS_WIDTHS = {"A": 84, "B": 3, "C": 26, "D": 30, "E": 60, "G": 50}
"""The settings sheet's columns: the scale's longest label, the settings, their notes."""


def print_landscape(ws: Any) -> None:
    """Print set-up of a wide list: landscape A4, one page wide, the header row on every
    page."""
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"


def print_tool_sheet(ws: Any) -> None:
    """Print set-up of the master's own sheets: landscape A4, one page wide, the header
    row on every page, the sheet's name and the page in the footer, margins that keep the
    header and footer off the table."""
    print_landscape(ws)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "&A – &P / &N"


def main(argv: list[str] | None = None) -> int:
    """Build the template into the repository's ``xlsx_templates/`` (or the given path)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else REPO_TEMPLATES / TEMPLATE_NAME
    build_template(target)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
