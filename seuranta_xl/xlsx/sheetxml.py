"""A ``SheetSpec`` as SpreadsheetML: the worksheet's XML and, with a chart, its drawing and
chart parts. Elements go in the order the schema demands (Excel checks it); text is an
inline string, never a formula; dates are Excel serial numbers with a date format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..model import column_letter
from .ooxml import _PLAIN, NS_MAIN, NS_REL, cell_xml, quote_sheet, xml_attr, xml_text
from .sheetspec import DATE_FORMAT, DATE_TIME_FORMAT, BarChart, Cell, Look, SheetSpec
from .styles import StyleBook

NS_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DRAWING_REL = "rId1"  # the sheet's one relationship (to its drawing) and the drawing's (chart)
_EPOCH = datetime(1899, 12, 30)
# the page header sits above the table: header distance < top margin (inches)
MARGINS = '<pageMargins left="0.5" right="0.5" top="0.9" bottom="0.8" header="0.3" footer="0.3"/>'


@dataclass(frozen=True)
class RenderedSheet:
    """A sheet's parts as bytes; ``drawing`` and ``chart`` are empty without a chart."""

    xml: bytes
    drawing: bytes = b""
    chart: bytes = b""


def serial(value: datetime | date) -> float:
    """An Excel serial date (the 1900 system)."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - _EPOCH
    return round(delta.days + delta.seconds / 86400, 8)


def _cell(ref: str, cell: Cell, book: StyleBook, styles: dict[object, int]) -> str:
    """Any cell, through ``cell_xml`` (``render`` writes plain text and numbers itself)."""
    value = cell.value
    look = cell.look
    if isinstance(value, datetime | date):
        timed = isinstance(value, datetime)
        key = (id(look), timed)  # a date's look: with a date format when it has none
        style = styles.get(key)
        if style is None:
            if not look.number_format:
                fmt = DATE_TIME_FORMAT if timed else DATE_FORMAT
                look = Look(**{**look.__dict__, "number_format": fmt})
            style = styles[key] = book.index(look)
        return cell_xml(ref, serial(value), style)
    style = styles.get(id(look))  # each look object's index asked once
    if style is None:
        style = styles[id(look)] = book.index(look)
    return cell_xml(ref, value, style)


def _style_attr(
    look: Look, book: StyleBook, styles: dict[object, int], by_look: dict[tuple[object, ...], str]
) -> str:
    """A look object's `` s="n"`` ("" for the default format); an equal look's if one came
    before (layouts make many copies of a look). Equal looks are found by their fields'
    values, as the dataclass compares them, without its hash and equality calls."""
    fields = tuple(look.__dict__.values())
    s = by_look.get(fields)
    if s is None:
        style = styles.get(id(look))
        if style is None:
            style = styles[id(look)] = book.index(look)
        s = by_look[fields] = f' s="{style}"' if style else ""
    return s


def _row_start(r: int, heights: dict[int, float]) -> str:
    if r in heights:
        return f'<row r="{r}" ht="{heights[r]:g}" customHeight="1">'
    return f'<row r="{r}">'


def _rows(spec: SheetSpec, book: StyleBook) -> tuple[list[str], int, int]:
    """The ``<row>`` elements in order (as pieces to join), the last column and the last
    row holding cells.

    Looks are given their indices in the order the cells come (row by row, left to
    right), as ``StyleBook`` numbers them on first sight. One list of strings is built,
    nothing per row or cell that the garbage collector would have to look at."""
    cells = spec.cells
    heights = spec.heights
    keys = sorted(cells)
    styles: dict[object, int] = {}  # id of a look (alive in the spec) -> its index
    attrs: dict[int, str] = {}  # id of a look -> its ' s="n"' ("" for the default)
    by_look: dict[tuple[object, ...], str] = {}
    letters: dict[int, str] = {}
    plain = _PLAIN.fullmatch
    out: list[str] = []
    put = out.append
    bare = sorted(heights.keys() - {k[0] for k in keys})  # rows with a height, no cells
    nb = len(bare)
    b = 0  # the next of them to write
    last_col = 1
    row = 0
    rs = ""
    for key in keys:
        r, c = key
        if r != row:
            if row:
                put("</row>")
            while b < nb and bare[b] < r:
                put(_row_start(bare[b], heights) + "</row>")
                b += 1
            row, rs = r, str(r)
            put(_row_start(r, heights))
        letter = letters.get(c)
        if letter is None:
            letter = letters[c] = column_letter(c)
            last_col = max(last_col, c)
        cell = cells[key]
        value = cell.value
        kind = type(value)
        # plain text and numbers as ``cell_xml`` writes them (tests compare the two)
        if kind is str or kind is int or kind is float:
            look = cell.look
            s = attrs.get(id(look))
            if s is None:
                s = attrs[id(look)] = _style_attr(look, book, styles, by_look)
            if kind is str:
                if value and value[0] != " " and value[-1] != " " and plain(value):
                    put(f'<c r="{letter}{rs}"{s} t="inlineStr"><is><t>{value}</t></is></c>')
                    continue
            else:
                put(f'<c r="{letter}{rs}"{s}><v>{value!r}</v></c>')
                continue
        put(_cell(letter + rs, cell, book, styles))
    if row:
        put("</row>")
    out += [_row_start(r, heights) + "</row>" for r in bare[b:]]
    return out, last_col, keys[-1][0] if keys else 1


def render(spec: SheetSpec, book: StyleBook, sheet_name: str) -> RenderedSheet:
    """The sheet's parts, its cells' looks added to ``book``; ``sheet_name`` is the name it
    is given (the chart refers to its cells by it)."""
    body, last_col, last_row = _rows(spec, book)
    dimension = "A1" if not spec.cells else f"A1:{column_letter(last_col)}{last_row}"

    pr = ""
    if spec.tab_color or spec.fit_width:
        inner = f'<tabColor rgb="FF{spec.tab_color.upper()}"/>' if spec.tab_color else ""
        inner += '<pageSetUpPr fitToPage="1"/>' if spec.fit_width else ""
        pr = f"<sheetPr>{inner}</sheetPr>"
    if spec.freeze_row:
        top = f"A{spec.freeze_row + 1}"
        view = (
            f'<sheetView workbookViewId="0"><pane ySplit="{spec.freeze_row}" topLeftCell="{top}" '
            'activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/></sheetView>'
        )
    else:
        view = '<sheetView workbookViewId="0"/>'
    cols = ""
    if spec.widths:
        cols = (
            "<cols>"
            + "".join(
                f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>'
                for c, w in sorted(spec.widths.items())
            )
            + "</cols>"
        )
    drawing = f'<drawing r:id="{DRAWING_REL}"/>' if spec.chart is not None else ""
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">{pr}'
        f'<dimension ref="{dimension}"/><sheetViews>{view}</sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{cols}'
        f"<sheetData>{''.join(body)}</sheetData>{_after_data(spec)}{drawing}</worksheet>"
    )
    if spec.chart is None:
        return RenderedSheet(xml.encode("utf-8"))
    return RenderedSheet(
        xml.encode("utf-8"),
        drawing_xml(spec.chart).encode("utf-8"),
        chart_xml(spec, spec.chart, sheet_name).encode("utf-8"),
    )


def _after_data(spec: SheetSpec) -> str:
    """What follows the cells, in schema order: filter, merged cells, links, print set-up."""
    autofilter = f'<autoFilter ref="{spec.autofilter}"/>' if spec.autofilter else ""
    merged = ""
    if spec.merged:
        merged = (
            f'<mergeCells count="{len(spec.merged)}">'
            + "".join(f'<mergeCell ref="{m}"/>' for m in spec.merged)
            + "</mergeCells>"
        )
    links = [
        f'<hyperlink ref="{column_letter(c)}{r}" location="{xml_attr(cell.link)}" display="'
        f'{xml_attr(str(cell.value) if cell.value is not None else "")}"/>'
        for (r, c), cell in sorted(item for item in spec.cells.items() if item[1].link)
    ]
    hyperlinks = f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else ""
    orient = ' orientation="landscape"' if spec.landscape else ' orientation="portrait"'
    fit = ' fitToWidth="1" fitToHeight="0"' if spec.fit_width else ""
    setup = f'<pageSetup paperSize="9"{orient}{fit}/>'
    hf = ""
    if spec.page_header or spec.page_footer:
        hf = "<headerFooter>"
        if spec.page_header:
            hf += f"<oddHeader>{xml_text(spec.page_header)}</oddHeader>"
        if spec.page_footer:
            hf += f"<oddFooter>{xml_text(spec.page_footer)}</oddFooter>"
        hf += "</headerFooter>"
    breaks = ""
    if spec.row_breaks:
        brks = "".join(f'<brk id="{r}" max="16383" man="1"/>' for r in sorted(spec.row_breaks))
        n = len(spec.row_breaks)
        breaks = f'<rowBreaks count="{n}" manualBreakCount="{n}">{brks}</rowBreaks>'
    return f"{autofilter}{merged}{hyperlinks}{MARGINS}{setup}{hf}{breaks}"


def drawing_xml(chart: BarChart) -> str:
    """A drawing holding the chart, anchored between two cells."""

    def corner(tag: str, col: int, row: int) -> str:
        return (
            f"<xdr:{tag}><xdr:col>{col - 1}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:{tag}>"
        )

    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<xdr:wsDr xmlns:xdr="{NS_DRAWING}" xmlns:a="{NS_A}">'
        '<xdr:twoCellAnchor editAs="oneCell">'
        + corner("from", chart.anchor_col, chart.anchor_row)
        + corner("to", chart.to_col, chart.to_row)
        + '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
        f'<xdr:cNvPr id="2" name="{xml_attr(chart.title or "Chart")}"/><xdr:cNvGraphicFramePr/>'
        '</xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
        f'<a:graphic><a:graphicData uri="{NS_CHART}">'
        f'<c:chart xmlns:c="{NS_CHART}" xmlns:r="{NS_REL}" r:id="{DRAWING_REL}"/>'
        "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>"
        "</xdr:twoCellAnchor></xdr:wsDr>"
    )


def _rich(text: str, size: int, bold: bool = True) -> str:
    b = ' b="1"' if bold else ' b="0"'
    return (
        f'<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}"{b}/>'
        f'</a:pPr><a:r><a:rPr lang="fi-FI" sz="{size}"{b}/><a:t>{xml_text(text)}</a:t></a:r>'
        '</a:p></c:rich></c:tx><c:overlay val="0"/></c:title>'
    )


def _area(sheet: str, col: int, first: int, last: int) -> str:
    letter = column_letter(col)
    return f"{quote_sheet(sheet)}!${letter}${first}:${letter}${last}"


def chart_xml(spec: SheetSpec, chart: BarChart, sheet: str) -> str:
    """A bar chart over the sheet's own cells, with caches of their values (programs show
    the cached values before they recalculate anything)."""
    rows = range(chart.first_row, chart.last_row + 1)
    n = len(rows)

    def text_of(r: int, c: int) -> str:
        cell = spec.cells.get((r, c))
        return "" if cell is None or cell.value is None else str(cell.value)

    cats = "".join(
        f'<c:pt idx="{i}"><c:v>{xml_text(text_of(r, chart.category_column))}</c:v></c:pt>'
        for i, r in enumerate(rows)
    )
    cat_ref = xml_text(_area(sheet, chart.category_column, rows.start, rows.stop - 1))
    cat = (
        f"<c:cat><c:strRef><c:f>{cat_ref}"
        f'</c:f><c:strCache><c:ptCount val="{n}"/>{cats}</c:strCache></c:strRef></c:cat>'
    )
    series = []
    for i, s in enumerate(chart.series):
        points = []
        for j, r in enumerate(rows):
            cell = spec.cells.get((r, s.column))
            v = cell.value if cell is not None else None
            if isinstance(v, int | float) and not isinstance(v, bool):
                points.append(f'<c:pt idx="{j}"><c:v>{v!r}</c:v></c:pt>')
        ref = xml_text(_area(sheet, s.column, rows.start, rows.stop - 1))
        series.append(
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/>'
            f"<c:tx><c:v>{xml_text(s.name)}</c:v></c:tx>"
            f'<c:spPr><a:solidFill><a:srgbClr val="{s.color.upper()}"/></a:solidFill></c:spPr>'
            f'<c:invertIfNegative val="0"/>{cat}'
            f"<c:val><c:numRef><c:f>{ref}</c:f><c:numCache><c:formatCode>General</c:formatCode>"
            f'<c:ptCount val="{n}"/>{"".join(points)}</c:numCache></c:numRef></c:val></c:ser>'
        )
    if chart.percent:
        grouping = "percentStacked"
    elif chart.stacked:
        grouping = "stacked"
    else:
        grouping = "clustered"
    overlap = '<c:overlap val="100"/>' if chart.stacked or chart.percent else ""
    bar_dir = "bar" if chart.horizontal else "col"
    cat_pos, val_pos = ("l", "b") if chart.horizontal else ("b", "l")
    orientation = "maxMin" if chart.top_down else "minMax"
    # reversed categories: the value axis crosses at the last one, so it stays at the bottom
    val_crosses = "max" if chart.top_down else "autoZero"
    val_fmt = "0%" if chart.percent else "General"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{NS_CHART}" xmlns:a="{NS_A}" xmlns:r="{NS_REL}">'
        '<c:roundedCorners val="0"/><c:chart>'
        + (_rich(chart.title, 1200) + '<c:autoTitleDeleted val="0"/>' if chart.title else "")
        + "<c:plotArea><c:layout/>"
        f'<c:barChart><c:barDir val="{bar_dir}"/><c:grouping val="{grouping}"/>'
        f'<c:varyColors val="0"/>{"".join(series)}<c:gapWidth val="50"/>{overlap}'
        '<c:axId val="1001"/><c:axId val="1002"/></c:barChart>'
        '<c:catAx><c:axId val="1001"/>'
        f'<c:scaling><c:orientation val="{orientation}"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{cat_pos}"/>'
        + (_rich(chart.category_title, 1000, False) if chart.category_title else "")
        + '<c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="out"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="1002"/>'
        '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
        '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="1002"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{val_pos}"/><c:majorGridlines/>'
        + (_rich(chart.value_title, 1000, False) if chart.value_title else "")
        + f'<c:numFmt formatCode="{val_fmt}" sourceLinked="0"/><c:majorTickMark val="out"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="1001"/>'
        f'<c:crosses val="{val_crosses}"/><c:crossBetween val="between"/></c:valAx>'
        "</c:plotArea>"
        '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
    )
