"""A preview of ``SheetSpec``s through openpyxl, for tests and for looking at layouts as
pages (convert the file with LibreOffice). Not the product's writer: that one writes in
place; this one only lets a layout be seen and read back independently of it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from seuranta_xl.model import column_letter
from seuranta_xl.xlsx.sheetspec import FONT, Look, SheetSpec


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


def add_to(wb, spec: SheetSpec):  # type: ignore[no-untyped-def]
    """Add one sheet drawn from ``spec`` to an openpyxl workbook; returns the sheet."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrRef
    from openpyxl.chart.series import SeriesLabel
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.worksheet.pagebreak import Break

    ws = wb.create_sheet(spec.name)
    for (r, c), cell in sorted(spec.cells.items()):
        target = ws.cell(row=r, column=c)
        value = cell.value
        if isinstance(value, str) and value.startswith("="):
            target.value = value
            target.data_type = "s"
        elif isinstance(value, datetime | date) or value is not None:
            target.value = value
        _style(target, cell.look)
        if cell.link:
            target.hyperlink = Hyperlink(ref=target.coordinate, location=cell.link)
    for c, w in spec.widths.items():
        ws.column_dimensions[column_letter(c)].width = w
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
    if spec.landscape:
        ws.page_setup.orientation = "landscape"
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
    if spec.autofilter:
        ws.auto_filter.ref = spec.autofilter
    if spec.tab_color:
        ws.sheet_properties.tabColor = spec.tab_color
    if not spec.visible:
        ws.sheet_state = "hidden"
    ch = spec.chart
    if ch is not None:
        chart = BarChart()
        chart.type = "bar" if ch.horizontal else "col"
        chart.grouping = (
            "percentStacked" if ch.percent else "stacked" if ch.stacked else "clustered"
        )
        chart.overlap = 100 if ch.stacked or ch.percent else None
        chart.title = ch.title
        chart.x_axis.title = ch.category_title
        chart.y_axis.title = ch.value_title
        cats = Reference(ws, min_col=ch.category_column, min_row=ch.first_row, max_row=ch.last_row)
        for s in ch.series:
            chart.add_data(
                Reference(ws, min_col=s.column, min_row=ch.first_row, max_row=ch.last_row),
                titles_from_data=False,
            )
            series = chart.series[-1]
            series.tx = SeriesLabel(v=s.name)
            series.graphicalProperties = GraphicalProperties(solidFill=s.color)
            series.cat = AxDataSource(strRef=StrRef(f=str(cats)))
        if ch.top_down:
            chart.x_axis.scaling.orientation = "maxMin"
            chart.y_axis.crosses = "max"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend.position = "b"
        # size from the anchor cells, roughly (default column 2.3 cm, row 0.53 cm)
        width = sum(spec.widths.get(c, 8.43) for c in range(ch.anchor_col, ch.to_col)) * 0.19
        chart.width = max(width, 10)
        chart.height = max((ch.to_row - ch.anchor_row) * 0.53, 6)
        ws.add_chart(chart, f"{column_letter(ch.anchor_col)}{ch.anchor_row}")
    return ws


def write_preview(specs: list[SheetSpec], path: Path) -> Path:
    """A workbook holding ``specs`` as sheets, in order."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for spec in specs:
        add_to(wb, spec)
    wb.save(path)
    return Path(path)
