"""Writing the master workbook: a new master from the template and a plan, and findings
marked into an existing master."""

from __future__ import annotations

import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ..errors import LayoutError, UnreadableFile, WriteError
from ..findings import Report, Severity
from ..model import FIELD_ORDER, Field, Plan, Row, column_letter
from ..rounds import MasterIdentity, RoundRecord
from ..texts import rule_title, severity_name
from .datestyle import STYLE_TIME, excel_serial, named_style_xf
from .names import (
    DATA_SHEET,
    FINDINGS_SHEETS,
    KEY_SHEET,
    LOG_HEADER,
    LOG_SHEET,
    RETURNS_HEADER,
    RETURNS_SHEET,
    ROUNDS_HEADER,
    ROUNDS_SHEET,
    SCALE_NAME,
    SETTINGS_SHEET,
)
from .ooxml import cell_xml, xml_attr, xml_text
from .patch import copy_entry_raw, deflate, verify_parts, write_deflated
from .save import atomic_write, refuse_if_open, run_lock
from .sheetspec import Look, SheetSpec
from .template import (
    COLUMN_WIDTHS,
    DROPDOWN_ROWS,
    EXTRA_COLUMN_WIDTH,
    ROUNDS_WIDTHS,
    ROW_STYLE_BY_LEVEL,
    STYLE_BY_LEVEL,
    STYLE_HEADER,
    STYLE_TEXT,
    row_height,
    scale_range,
    template_path,
)


def write_master(plan: Plan, target: Path, *, force: bool = False) -> Path | None:
    """Build a master at ``target`` from the template and ``plan``; returns the backup of a
    replaced master, if any. Refuses an existing target unless ``force``.

    The template's zip is copied entry by entry; only the data, settings and key sheets,
    the workbook (defined names), the styles (the named styles' cell formats) and the
    document properties are written anew, as XML strings (no workbook library: a
    20,000-row master is written in well under a second).
    """
    target = Path(target)
    if target.suffix.lower() != ".xlsx":
        raise WriteError("not_xlsx", path=str(target))
    if target.exists() and not force:
        raise WriteError("exists", path=str(target))
    refuse_if_open(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError("save_failed", path=str(target), detail=str(exc)) from None
    template = template_path()
    with zipfile.ZipFile(template) as zf:
        new = _master_parts(zf, plan)
    with ThreadPoolExecutor(max_workers=2) as pool:  # the large sheet deflates meanwhile
        packed = dict(zip(new, pool.map(deflate, new.values()), strict=True))

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(template) as src, zipfile.ZipFile(tmp, "w") as dst:
            for info in src.infolist():
                if info.filename in new:
                    deflated, crc = packed[info.filename]
                    write_deflated(dst, info, deflated, crc, len(new[info.filename]))
                else:
                    copy_entry_raw(src, dst, info)

    def verify(tmp: Path) -> None:
        verify_parts(tmp, {part: data for part, (data, _) in packed.items()})

    with run_lock(target):
        return atomic_write(target, write, backup=target.exists(), verify=verify)


def _master_parts(zf: zipfile.ZipFile, plan: Plan) -> dict[str, bytes]:
    """The template's parts ``init`` writes anew, by part name."""
    from .patch import sheet_parts, styles_part

    sheets = sheet_parts(zf)
    styles_name = styles_part(zf)
    styles = zf.read(styles_name).decode("utf-8")
    style_ids: dict[str, int] = {}
    # the tool sheets' times too, so that the first merge finds their format ready
    for name in (
        STYLE_HEADER,
        *STYLE_BY_LEVEL.values(),
        *ROW_STYLE_BY_LEVEL.values(),
        STYLE_TEXT,
        STYLE_TIME,
    ):
        found = named_style_xf(styles, name)
        if found is None:  # a template without the style: a broken installation
            raise UnreadableFile("template_missing", path=str(template_path()))
        styles, style_ids[name] = found
    last_row = len(plan.rows) + 1
    last_col = column_letter(len(FIELD_ORDER) + len(plan.extra_columns))
    read = lambda name: zf.read(sheets[name]).decode("utf-8")  # noqa: E731
    return {
        sheets[DATA_SHEET]: _data_sheet(read(DATA_SHEET), plan, style_ids).encode("utf-8"),
        sheets[SETTINGS_SHEET]: _settings_sheet(read(SETTINGS_SHEET), plan).encode("utf-8"),
        sheets[KEY_SHEET]: _grid_sheet(read(KEY_SHEET), MasterIdentity.new().grid()).encode(),
        styles_name: styles.encode("utf-8"),
        "xl/workbook.xml": _workbook(
            zf.read("xl/workbook.xml").decode("utf-8"), plan, f"$A$1:${last_col}${last_row}"
        ).encode("utf-8"),
        "docProps/core.xml": _core(zf.read("docProps/core.xml").decode("utf-8"), plan).encode(),
    }


def _data_sheet(xml: str, plan: Plan, style_ids: dict[str, int]) -> str:
    """The template's data sheet with the plan's rows (and extra columns) in it."""
    header_style = style_ids[STYLE_HEADER]
    widths = [COLUMN_WIDTHS[f] for f in FIELD_ORDER]
    extra_cells = []
    extra_cols = []
    for k, (_, header) in enumerate(plan.extra_columns):
        col = len(FIELD_ORDER) + 1 + k
        extra_cells.append(cell_xml(f"{column_letter(col)}1", header, header_style))
        extra_cols.append(
            f'<col width="{EXTRA_COLUMN_WIDTH:g}" customWidth="1" min="{col}" max="{col}" />'
        )
        widths.append(EXTRA_COLUMN_WIDTH)
    rows = [_row_xml(i, row, widths, style_ids) for i, row in enumerate(plan.rows, start=2)]
    last_row = len(plan.rows) + 1
    last_col = column_letter(len(widths))
    ref = f"A1:{last_col}{last_row}"
    # the header row as the template has it, the extra columns' headers after it
    head_end = xml.index("</row>", xml.index("<sheetData>"))
    xml = xml[:head_end] + "".join(extra_cells) + xml[head_end:]
    xml = xml.replace("</cols>", "".join(extra_cols) + "</cols>", 1)
    xml = _set_ref(xml, "dimension", ref)
    xml = _set_ref(xml, "autoFilter", ref)
    if last_row > DROPDOWN_ROWS:
        status_col = column_letter(FIELD_ORDER.index(Field.STATUS) + 1)
        xml = re.sub(
            r'(<dataValidation\b[^>]*?\ssqref=")[^"]*(")',
            rf"\g<1>{status_col}2:{status_col}{last_row + 500}\g<2>",
            xml,
            count=1,
        )
    at = xml.index("</sheetData>")
    return xml[:at] + "".join(rows) + xml[at:]


def _row_xml(r: int, row: Row, widths: list[float], style_ids: dict[str, int]) -> str:
    """One row of the data sheet: every cell in the level's style (the code-and-title cell
    in its own), the height that shows its wrapped text, the outline level under its goal."""
    level = row.level if row.level in STYLE_BY_LEVEL else (row.column_level or 0)
    row_style = style_ids[ROW_STYLE_BY_LEVEL.get(level, STYLE_TEXT)]
    title_style = style_ids[STYLE_BY_LEVEL.get(level, STYLE_TEXT)]
    title_column = FIELD_ORDER.index(row.code_field) + 1 if row.code_field else None
    values: list[object] = [row.values.get(f) for f in FIELD_ORDER] + list(row.extras)
    texts: list[tuple[str, float, bool]] = []
    cells = []
    empty = f' s="{row_style}"/>' if row_style else "/>"
    for c, value in enumerate(values, start=1):
        is_title = c == title_column
        if (value is None or value == "") and not is_title:
            cells.append(f'<c r="{_LETTERS[c]}{r}"{empty}')  # as cell_xml writes it, at once
            continue
        shown = value
        if value is not None and type(value) is not str and isinstance(value, _TIMES):
            shown = excel_serial(value)  # a bare serial in the row's style, as before
        cells.append(cell_xml(f"{_LETTERS[c]}{r}", shown, title_style if is_title else row_style))
        if value is not None:
            texts.append((str(value), widths[c - 1], is_title and level in (1, 2)))
    attrs = ""
    if level in (2, 3):
        attrs += f' outlineLevel="{level - 1}"'
    height = row_height(texts)
    if height is not None:
        attrs += f' ht="{height:g}" customHeight="1"'
    return f'<row r="{r}"{attrs}>{"".join(cells)}</row>'


_TIMES = (datetime, date, time, timedelta)


class _Letters(dict[int, str]):
    def __missing__(self, c: int) -> str:
        self[c] = letter = column_letter(c)
        return letter


_LETTERS = _Letters()


def _set_ref(xml: str, tag: str, ref: str) -> str:
    return re.sub(rf'(<{tag}\b[^>]*?\sref=")[^"]*(")', rf"\g<1>{ref}\g<2>", xml, count=1)


def _settings_sheet(xml: str, plan: Plan) -> str:
    """The template's settings sheet with the plan's scale in column A (its other
    settings as the template has them)."""
    from .patch import set_cells

    old = len(re.findall(r'<c r="A(\d+)"', xml)) - 1
    displays = plan.scale.displays()
    edits: dict[tuple[int, int], object] = {
        (r, 1): None for r in range(2, old + 2)
    }  # the template's scale goes
    edits.update({(r, 1): text for r, text in enumerate(displays, start=2)})
    data, _ = set_cells(xml.encode("utf-8"), edits)
    xml = data.decode("utf-8")
    # steps beyond the template's look as its own do
    first = re.search(r'<c r="A2" s="(\d+)"', xml)
    if first:
        xml = re.sub(r'<c r="A(\d+)"(?= t=|/>|>)', rf'<c r="A\1" s="{first.group(1)}"', xml)
    last = max(len(displays) + 1, *(int(n) for n in re.findall(r'<row r="(\d+)"', xml)))
    return _set_ref(xml, "dimension", f"A1:G{last}")


def _grid_sheet(xml: str, grid: list[list[Any]]) -> str:
    """An empty sheet of the template with ``grid`` written from A1."""
    rows = "".join(
        f'<row r="{r}">'
        + "".join(cell_xml(f"{column_letter(c)}{r}", v, 0) for c, v in enumerate(values, 1))
        + "</row>"
        for r, values in enumerate(grid, start=1)
    )
    xml = re.sub(
        r"<sheetData\s*/>|<sheetData>\s*</sheetData>", f"<sheetData>{rows}</sheetData>", xml
    )
    ref = f"A1:{column_letter(max(len(v) for v in grid))}{len(grid)}"
    return _set_ref(xml, "dimension", ref)


def _workbook(xml: str, plan: Plan, data_area: str) -> str:
    """The template's workbook part with the scale's range and the data sheet's filter."""
    xml = re.sub(
        rf'(<definedName name="{SCALE_NAME}"[^>]*>)[^<]*(</definedName>)',
        lambda m: m.group(1) + xml_text(scale_range(len(plan.scale.values))) + m.group(2),
        xml,
        count=1,
    )
    quoted = DATA_SHEET.replace("'", "''")
    return re.sub(
        r'(<definedName name="_xlnm._FilterDatabase" localSheetId="0"[^>]*>)[^<]*(</definedName>)',
        lambda m: m.group(1) + xml_text(f"'{quoted}'!{data_area}") + m.group(2),
        xml,
        count=1,
    )


def _core(xml: str, plan: Plan) -> str:
    """The template's document properties, created now, and the source named."""
    stamp = datetime.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for tag in ("created", "modified"):
        xml = re.sub(
            rf"(<dcterms:{tag}\b[^>]*>)[^<]*(</dcterms:{tag}>)",
            rf"\g<1>{stamp}\g<2>",
            xml,
        )
    xml = re.sub(r"<dc:description\b[^>]*(?:/>|>[^<]*</dc:description>)", "", xml)
    if plan.source:
        description = (
            f"<dc:description>{xml_text(f'Tuotu tiedostosta {plan.source}')}</dc:description>"
        )
        xml = xml.replace("</cp:coreProperties>", description + "</cp:coreProperties>")
    return xml


# --------------------------------------------------------------------------- marking findings

MARK_FORMULA = 'LEN("seuranta-xl")>0'
"""The conditional format that highlights findings: always true, and recognisable, so that
the next ``--mark`` removes exactly the highlights it made."""
MARK_FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}


@dataclass(frozen=True)
class Marked:
    """What ``mark_findings`` wrote."""

    backup: Path | None
    sheet: str | None  # the findings sheet's name; None when there was nothing to find
    renamed: tuple[tuple[str, str], ...] = ()  # (name wanted, name given) of tool sheets


def mark_findings(path: Path, report: Report, sheet: str, lang: str = "fi") -> Marked:
    """Add a findings sheet, first in the workbook (each finding linked to its cell), and
    highlight the cells of ``sheet`` with conditional formats.

    Replaces the findings sheet and highlights of an earlier run (in any sheet); every other
    part of the workbook is copied as it was (a coordinator's own sheet called *Havainnot*
    stays: the tool's gets another name). The caller holds the run lock.
    """
    from .marks import FINDINGS_KIND
    from .package import Edit, NewSheet, rewrite

    path = Path(path)
    refuse_if_open(path)
    first = []
    if report.findings:
        wanted = FINDINGS_SHEETS[1] if lang == "en" else FINDINGS_SHEETS[0]
        first.append(NewSheet(findings_sheet(report, lang, wanted), FINDINGS_KIND))
    worst = _worst_cells(report, sheet)

    def edit(name: str, xml: bytes, book: Any) -> bytes | None:
        cells = worst if name == sheet else {}
        if not cells and _MARK_XML not in xml:
            return None
        new = remove_highlights(xml)
        if cells:
            rules = []
            for severity in Severity:
                refs = [c for c, s in cells.items() if s is severity]
                if refs:
                    rules.append(
                        (
                            " ".join(sorted(refs, key=_cell_order)),
                            book.dxf(MARK_FILLS[severity.value]),
                        )
                    )
            new = add_highlights(new, rules)
        return new

    backup, surgery = rewrite(
        path, Edit(remove_kinds=(FINDINGS_KIND,), first=first, edit_sheets=edit)
    )
    names = surgery.names
    given = names[0][1] if names else None
    return Marked(backup, given, tuple((w, g) for w, g in names if w != g))


def _worst_cells(report: Report, sheet: str) -> dict[str, Severity]:
    worst: dict[str, Severity] = {}
    for f in report.findings:
        if f.sheet != sheet:
            continue
        if f.cell not in worst or f.severity.rank < worst[f.cell].rank:
            worst[f.cell] = f.severity
    return worst


def _cell_order(ref: str) -> tuple[int, int]:
    from ..model import column_index

    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    return (int(m.group(2)), column_index(m.group(1))) if m else (0, 0)


_MARK_XML = b"seuranta-xl"
_CF_RE = re.compile(
    rb"<(?:\w+:)?conditionalFormatting\b[^>]*>(.*?)</(?:\w+:)?conditionalFormatting>", re.S
)
_RULE_RE = re.compile(rb"<(?:\w+:)?cfRule\b[^>]*?(?:/>|>.*?</(?:\w+:)?cfRule>)", re.S)
_PRIORITY_RE = re.compile(rb'\spriority="(\d+)"')
# what may follow conditional formats in a worksheet, in schema order
_AFTER_CF = (
    b"dataValidations", b"hyperlinks", b"printOptions", b"pageMargins", b"pageSetup",
    b"headerFooter", b"rowBreaks", b"colBreaks", b"customProperties", b"cellWatches",
    b"ignoredErrors", b"smartTags", b"drawing", b"legacyDrawing", b"legacyDrawingHF",
    b"drawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems", b"tableParts",
    b"extLst",
)  # fmt: skip


def _is_mark(rule: bytes, formula: str = MARK_FORMULA) -> bool:
    import html

    return formula in html.unescape(rule.decode("utf-8", "replace"))


def _data_end(xml: bytes) -> int:
    """Where the sheet's cells end: nothing after this is a cell (never scanned)."""
    at = xml.rfind(b"sheetData")
    return xml.index(b">", at) + 1 if at >= 0 else 0


def remove_highlights(xml: bytes, formula: str = MARK_FORMULA) -> bytes:
    """A worksheet's XML without the conditional formats ``--mark`` made (recognised by
    ``formula``: ``MARK_FORMULA``, or ``MERGE_FORMULA`` for merge's); a block left with no
    rule goes too. The cells are not parsed."""
    if _MARK_XML not in xml:
        return xml
    start = _data_end(xml)
    tail = xml[start:]

    def clean(m: re.Match[bytes]) -> bytes:
        block = m.group(0)
        rules = _RULE_RE.findall(block)
        if not any(_is_mark(r, formula) for r in rules):
            return block
        kept = [r for r in rules if not _is_mark(r, formula)]
        if not kept:
            return b""
        for r in rules:
            if _is_mark(r, formula):
                block = block.replace(r, b"", 1)
        return block

    return xml[:start] + _CF_RE.sub(clean, tail)


def add_highlights(xml: bytes, rules: list[tuple[str, int]], formula: str = MARK_FORMULA) -> bytes:
    """A worksheet's XML with a highlight (``sqref``, dxf index) per rule, placed where
    the schema puts conditional formats; ``formula`` makes them recognisable. The cells are
    not parsed."""
    if not rules:
        return xml
    body = xml_attr(formula).encode()  # as before: quotes escaped too
    start = _data_end(xml)
    tail = xml[start:]
    root = re.search(rb"<(?:(\w+):)?worksheet\b", xml)
    p = (root.group(1) + b":") if root and root.group(1) else b""
    top = max((int(x) for x in _PRIORITY_RE.findall(tail)), default=0)
    blocks = b"".join(
        b'<%sconditionalFormatting sqref="%s"><%scfRule type="expression" dxfId="%d" '
        b'priority="%d"><%sformula>%s</%sformula></%scfRule>'
        b"</%sconditionalFormatting>" % (p, sqref.encode(), p, dxf, top + i, p, body, p, p, p)
        for i, (sqref, dxf) in enumerate(rules, start=1)
    )
    existing = list(_CF_RE.finditer(tail))
    if existing:
        at = existing[-1].end()
    else:
        at = len(tail)
        for tag in _AFTER_CF:
            m = re.search(rb"<(?:\w+:)?" + tag + rb"\b", tail)
            if m is not None and m.start() < at:
                at = m.start()
        if at == len(tail):
            at = tail.rindex(b"</" + p + b"worksheet>")
    return xml[:start] + tail[:at] + blocks + tail[at:]


# --------------------------------------------------------------------------- issue 11: last merge

MERGE_FORMULA = 'LEN("seuranta-xl merge")>0'
"""The conditional format that highlights the cells the last merge applied: always true,
recognisable, and not ``MARK_FORMULA`` (so ``--mark`` and merge each replace only their own)."""
MERGE_FILL = "C6EFCE"  # light green, apart from --mark's red, yellow and blue


class MergeHighlight:
    """The last merge's highlight of one workbook, for ``patch_sheets``: ``styles`` adds
    (or finds) its fill in the stylesheet; ``sheet`` then replaces the data sheet's old
    merge highlights with one over ``cells``, (row, column) pairs. No cells: the old
    highlights stay."""

    def __init__(self, wanted: bool) -> None:
        self.wanted = wanted  # False: nothing to apply, the stylesheet is left alone
        self.dxf: int | None = None

    def styles(self, xml: bytes) -> bytes:
        from .styles import StyleBook

        if not self.wanted:
            return xml
        try:
            book = StyleBook(xml)
            self.dxf = book.dxf(MERGE_FILL)
            return book.xml()
        except ValueError:  # a stylesheet this module cannot read: no highlight
            return xml

    def sheet(self, xml: bytes, cells: list[tuple[int, int]]) -> bytes:
        if not cells or self.dxf is None:
            return xml
        new = remove_highlights(xml, MERGE_FORMULA)
        return add_highlights(new, [(cell_ranges(cells), self.dxf)], MERGE_FORMULA)


def cell_ranges(cells: list[tuple[int, int]]) -> str:
    """(row, column) pairs as an ``sqref``: a column's consecutive rows as one range, in
    row order (a merge of a whole column stays one short range)."""
    from ..model import column_letter

    runs: list[tuple[int, int, int]] = []  # (first row, last row, column)
    by_column: dict[int, list[int]] = {}
    for r, c in set(cells):
        by_column.setdefault(c, []).append(r)
    for c, rows in by_column.items():
        rows.sort()
        first = last = rows[0]
        for r in rows[1:]:
            if r != last + 1:
                runs.append((first, last, c))
                first = r
            last = r
        runs.append((first, last, c))
    runs.sort()
    return " ".join(
        f"{column_letter(c)}{a}" if a == b else f"{column_letter(c)}{a}:{column_letter(c)}{b}"
        for a, b, c in runs
    )


def findings_sheet(report: Report, lang: str, name: str) -> SheetSpec:
    """The findings as a sheet: one row each, its cell a link to the cell it concerns."""
    from .report import HEADER_FILL

    spec = SheetSpec(kind="findings", name=name, freeze_row=1, title_rows=(1, 1))
    head = Look(bold=True, color="FFFFFF", fill=HEADER_FILL, wrap=True, valign="center")
    link = Look(color="0563C1", underline=True)
    wrap = Look(wrap=True)
    headers = (
        ("Vakavuus", "Sääntö", "Kuvaus", "Solu", "Koodi", "Viesti")
        if lang != "en"
        else ("Severity", "Rule", "Title", "Cell", "Code", "Message")
    )
    spec.put_row(1, list(headers), head)
    for r, f in enumerate(report.sorted(), start=2):
        message = f.message(lang)
        spec.put(r, 1, severity_name(f.severity.value, lang))
        spec.put(r, 2, f.rule)
        spec.put(r, 3, rule_title(f.rule, lang))
        quoted = f.sheet.replace("'", "''")
        spec.put(r, 4, f"{f.sheet}!{f.cell}", link, link=f"'{quoted}'!{f.cell}")
        spec.put(r, 5, f.code)
        spec.put(r, 6, message, wrap)
        # a long message wraps: its row gets the height (no program refits it on opening)
        height = row_height([(message, 90, False)])
        if height:
            spec.heights[r] = height
    spec.widths = dict(enumerate((11, 24, 34, 16, 12, 90), start=1))
    spec.autofilter = f"A1:F{len(report.findings) + 1}"
    spec.tab_color = "C00000" if not report.ok else "FFC000"
    return spec


# --------------------------------------------------------------------------- rounds


def ensure_tool_sheets(path: Path, identity: MasterIdentity) -> bool:
    """Give a master that lacks them (one not made by this version of ``init``) the sheets
    the tool keeps its records in: rounds, key, returns tracker, change log.

    Returns True when sheets were added: at the end, in place, every other part of the
    workbook copied as it was. The caller holds the run lock.
    """
    from .ooxml import Sheet, cell_xml
    from .package import Edit, NewSheet, rewrite
    from .patch import sheet_parts

    with zipfile.ZipFile(path) as zf:
        names = set(sheet_parts(zf))
    wanted = {
        ROUNDS_SHEET: ([list(ROUNDS_HEADER)], "hidden"),
        KEY_SHEET: (identity.grid(), "veryHidden"),
        RETURNS_SHEET: ([list(RETURNS_HEADER)], "visible"),
        LOG_SHEET: ([list(LOG_HEADER)], "visible"),
    }
    missing = [name for name in wanted if name not in names]
    if not missing:
        return False
    folded = {n.casefold(): n for n in names}
    for name in missing:  # Excel holds sheet names equal without case to be one name
        if name.casefold() in folded:
            raise LayoutError(
                "record_sheet_renamed", path=str(path), sheet=folded[name.casefold()], name=name
            )
    added = []
    for name in missing:
        grid, state = wanted[name]
        sheet = Sheet(name)
        for r, values in enumerate(grid, start=1):
            sheet.add_row(
                r, (cell_xml(f"{column_letter(c)}{r}", v, 0) for c, v in enumerate(values, start=1))
            )
        sheet.dimension = f"A1:{column_letter(max(len(g) for g in grid))}{len(grid)}"
        added.append(NewSheet(xml=sheet.xml().encode("utf-8"), name=name, state=state))
    rewrite(Path(path), Edit(last=added), backup=False)
    return True


def record_round(
    path: Path,
    identity: MasterIdentity,
    records: list[RoundRecord],
    *,
    settings: dict[tuple[int, int], object] | None = None,
) -> Path | None:
    """Write the master's round records and identity, touching nothing else in it.

    ``records`` is the whole list (earlier rounds included); the caller holds the master's
    run lock from reading the earlier records to here. ``settings`` are cells of the
    settings sheet to write in the same save ((row, column) -> value, see
    ``setting_edits``). Returns the backup made.
    """
    from .datestyle import TimeStyle
    from .ooxml import Sheet
    from .patch import patch_sheets, tool_cell_xml

    path = Path(path)
    refuse_if_open(path)
    ensure_tool_sheets(path, identity)
    time_style = TimeStyle()

    def sheet(name: str, grid: list[list[object]], widths: tuple[int, ...]) -> bytes:
        out = Sheet(name, cols=list(enumerate(widths, start=1)))
        for r, values in enumerate(grid, start=1):
            out.add_row(
                r,
                (
                    tool_cell_xml(f"{column_letter(c)}{r}", v, time_style.index)
                    for c, v in enumerate(values, start=1)
                ),
            )
        out.dimension = f"A1:{column_letter(max(len(g) for g in grid))}{len(grid)}"
        return out.xml().encode("utf-8")

    rounds = [list(ROUNDS_HEADER)] + [r.cells() for r in records]

    def rounds_sheet(old: bytes) -> bytes:
        # the sheet keeps its own frame (widths, header row, frozen pane, print set-up):
        # only the records under its header are written anew
        xml = old.decode("utf-8")
        data = _SHEET_DATA_RE.search(xml)
        header = _FIRST_ROW_RE.match(data.group(1) or "") if data else None
        if data is None or header is None:
            return sheet(ROUNDS_SHEET, rounds, ROUNDS_WIDTHS)
        body = "".join(
            f'<row r="{r}">'
            + "".join(
                tool_cell_xml(f"{column_letter(c)}{r}", v, time_style.index)
                for c, v in enumerate(values, start=1)
            )
            + "</row>"
            for r, values in enumerate(rounds[1:], start=2)
        )
        xml = (
            xml[: data.start()]
            + f"<sheetData>{header.group(0)}{body}</sheetData>"
            + xml[data.end() :]
        )
        ref = f"A1:{column_letter(max(len(g) for g in rounds))}{len(rounds)}"
        return _set_ref(_set_ref(xml, "dimension", ref), "autoFilter", ref).encode("utf-8")

    transforms = {
        ROUNDS_SHEET: rounds_sheet,
        KEY_SHEET: lambda _old: sheet(KEY_SHEET, identity.grid(), (20, 70)),
    }
    if settings:
        transforms[SETTINGS_SHEET] = lambda old: _settings_cells(old, settings)
    return patch_sheets(path, transforms, styles=time_style.styles)


def setting_edits(rows: dict[str, int], values: dict[str, object]) -> dict[tuple[int, int], object]:
    """The settings sheet's cells that set ``values`` (setting name -> value): in the
    setting's own row (``rows``: casefolded name -> row) when it has one, else with the
    name in column C under the last setting (column C is empty there)."""
    edits: dict[tuple[int, int], object] = {}
    new = max(rows.values(), default=1)
    for name, value in values.items():
        row = rows.get(name.casefold())
        if row is None:
            new += 1
            row = new
            edits[(row, 3)] = name
        edits[(row, 4)] = value
    return edits


def _settings_cells(xml: bytes, edits: dict[tuple[int, int], object]) -> bytes:
    """The settings sheet with ``edits`` set in place (each cell keeps its look); a cell
    that holds a formula is the coordinator's and is left as it is."""
    from .patch import set_cells

    new, _ = set_cells(xml, edits)
    text = new.decode("utf-8")
    last = max(int(n) for n in re.findall(r'<row\b[^>]*?\sr="(\d+)"', text) or ["1"])
    m = re.search(r'<dimension\b[^>]*?\sref="[A-Z]+\d+:([A-Z]+)(\d+)"', text)
    if m and int(m.group(2)) < last:
        text = _set_ref(text, "dimension", f"A1:{m.group(1)}{last}")
    return text.encode("utf-8")


_SHEET_DATA_RE = re.compile(r"<sheetData\b[^>]*?(?:/>|>(.*?)</sheetData>)", re.S)
_FIRST_ROW_RE = re.compile(r'<row\b[^>]*?\sr="1"[^>]*?(?:/>|>.*?</row>)', re.S)
