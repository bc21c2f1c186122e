"""A tool sheet described as data: cells with their looks, column widths, print set-up and
at most one chart. The layouts (the summary sheets, the council's report, the findings
sheet) build these; the writer turns them into SpreadsheetML, into a new workbook or in
place into an existing one. Nothing here imports a workbook library.

Rows and columns are 1-based, as in Excel. Colours are ``RRGGBB`` hex.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

DATE_TIME_FORMAT = "d.m.yyyy h:mm"
"""How every tool sheet shows a point in time (a real Excel date, not text)."""
DATE_FORMAT = "d.m.yyyy"
PERCENT_FORMAT = "0 %"
FONT = "Calibri"
"""The tool's font: Excel's own; LibreOffice shows it as Carlito, metric-compatible, which
`.ci/run` installs (family 2 names a sans-serif fallback elsewhere)."""


@dataclass(frozen=True)
class Look:
    """How a cell looks: font, fill, border, alignment and number format."""

    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float = 11.0
    color: str = ""  # font colour; "" = automatic
    fill: str = ""  # solid background; "" = none
    border: bool = False  # thin grey border on all four sides
    wrap: bool = False
    halign: str = ""  # "" (general) | "left" | "center" | "right"
    valign: str = "top"  # "top" | "center" | "bottom"
    indent: int = 0
    number_format: str = ""  # "" = General; e.g. PERCENT_FORMAT, DATE_TIME_FORMAT


Value = str | int | float | bool | datetime | date | None


@dataclass(frozen=True)
class Cell:
    value: Value
    look: Look = Look()
    link: str = ""  # a place in the workbook, e.g. "'Seuranta'!F12"


@dataclass(frozen=True)
class Series:
    """One series of a bar chart: its name (shown in the legend), the column holding its
    values (rows ``first_row``..``last_row`` of the chart), and its colour."""

    name: str
    column: int
    color: str


@dataclass(frozen=True)
class BarChart:
    """A native bar chart over a block of the sheet's own cells.

    Categories are the texts in ``category_column``, rows ``first_row``..``last_row``;
    each series' values are in its column over the same rows. ``horizontal`` bars with
    ``top_down`` list the categories from the top in row order (as a reader expects),
    not bottom-up as Excel would by default. Placed from the top-left corner of cell
    (``anchor_col``, ``anchor_row``) to the top-left corner of (``to_col``, ``to_row``).
    """

    title: str
    category_title: str
    value_title: str
    category_column: int
    first_row: int
    last_row: int
    series: tuple[Series, ...]
    anchor_col: int
    anchor_row: int
    to_col: int
    to_row: int
    stacked: bool = True
    horizontal: bool = True
    top_down: bool = True
    percent: bool = False  # stacked to 100 %


@dataclass
class SheetSpec:
    """One sheet the tool writes and owns, marked as ``kind`` (see ``marks``)."""

    kind: str
    name: str  # the name wanted; another is given when a coordinator's sheet has it
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)  # column -> width in characters
    heights: dict[int, float] = field(default_factory=dict)  # row -> points; others auto
    merged: list[str] = field(default_factory=list)  # e.g. "A1:F1"
    freeze_row: int = 0  # rows above this line stay in view (0: none)
    title_rows: tuple[int, int] | None = None  # rows printed on every page
    row_breaks: list[int] = field(default_factory=list)  # a page break after each
    landscape: bool = True
    fit_width: bool = True  # A4, one page wide, as many pages down as needed
    page_header: str = ""  # Excel header/footer codes, e.g. "&L&8Kierros 2026-1&R&D"
    page_footer: str = "&C&8&A – &P / &N"
    autofilter: str = ""  # e.g. "A4:F20"
    tab_color: str = ""
    chart: BarChart | None = None
    visible: bool = True

    def put(self, row: int, col: int, value: Value, look: Look = Look(), link: str = "") -> None:
        self.cells[(row, col)] = Cell(value, look, link)

    def put_row(
        self, row: int, values: list[Value], look: Look = Look(), first_col: int = 1
    ) -> None:
        for i, value in enumerate(values):
            self.put(row, first_col + i, value, look)

    @property
    def last_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    @property
    def last_col(self) -> int:
        return max((c for _, c in self.cells), default=0)
