"""Writing the master workbook: a new master from the template and a plan, and findings
marked into an existing master."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..celltext import escape_excel, stored_text
from ..errors import WriteError
from ..findings import Report, Severity
from ..model import FIELD_ORDER, Field, Plan, Row, column_letter
from ..rounds import MasterIdentity, RoundRecord
from ..texts import rule_title, severity_name
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
from .save import atomic_write, refuse_if_open, run_lock
from .sheetspec import Look, SheetSpec
from .template import (
    COLUMN_WIDTHS,
    DROPDOWN_ROWS,
    EXTRA_COLUMN_WIDTH,
    ROW_STYLE_BY_LEVEL,
    STYLE_BY_LEVEL,
    STYLE_HEADER,
    STYLE_TEXT,
    row_height,
    scale_range,
    template_path,
    write_settings,
)


def cell_text_value(value: object) -> object:
    """A value as openpyxl may write it: cleaned as stored (``stored_text``), and a literal
    ``_x000D_`` escaped as Excel does (openpyxl writes text as it is)."""
    if isinstance(value, str):
        return escape_excel(stored_text(value))
    return value


def load_workbook_as_stored(path: Path, **kwargs: Any) -> Any:
    """openpyxl's ``load_workbook`` with every text kept as it stands in the file.

    openpyxl drops ``x005F_`` from shared strings and rich text as it reads them, so a
    literal ``_x000D_`` (stored ``_x005F_x000D_``) would come back as ``_x000D_`` and be
    saved as a carriage return. Read raw, the escapes are saved back as they were.
    """
    from openpyxl import load_workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import Text
    from openpyxl.reader import excel
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    def rich_from_tree(cls: Any, node: Any) -> Any:
        text = Text.from_tree(node)
        if text.t:
            return (text.t,)
        return cls([TextBlock(r.rPr, r.t or "") if r.rPr else (r.t or "") for r in text.r])

    def read_string_table(xml_source: Any) -> list[str]:
        strings = []
        for _, node in iterparse(xml_source):
            if node.tag == f"{{{SHEET_MAIN_NS}}}si":
                strings.append(Text.from_tree(node).content)
                node.clear()
        return strings

    original = CellRichText.__dict__["from_tree"], excel.read_string_table
    CellRichText.from_tree = classmethod(rich_from_tree)  # type: ignore[method-assign,assignment]
    excel.read_string_table = read_string_table
    try:
        return load_workbook(path, **kwargs)
    finally:
        CellRichText.from_tree, excel.read_string_table = original  # type: ignore[method-assign]


def set_text_safe(cell: Any, value: object) -> None:
    """Write a value; text stays text, even when it starts with ``=`` (openpyxl would
    otherwise make it a live formula)."""
    value = cell_text_value(value)
    if value is None or value == "":
        cell.value = None
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def write_master(plan: Plan, target: Path, *, force: bool = False) -> Path | None:
    """Build a master at ``target`` from the template and ``plan``; returns the backup of a
    replaced master, if any. Refuses an existing target unless ``force``."""
    from openpyxl import load_workbook

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
    wb = load_workbook(template_path())
    ws = wb[DATA_SHEET]
    widths = [COLUMN_WIDTHS[f] for f in FIELD_ORDER]
    for k, (_, header) in enumerate(plan.extra_columns):
        col = len(FIELD_ORDER) + 1 + k
        cell = ws.cell(row=1, column=col)
        set_text_safe(cell, header)
        cell.style = STYLE_HEADER
        ws.column_dimensions[column_letter(col)].width = EXTRA_COLUMN_WIDTH
        widths.append(EXTRA_COLUMN_WIDTH)
    for i, row in enumerate(plan.rows, start=2):
        _write_row(ws, i, row, widths)
    last_row = len(plan.rows) + 1
    last_col = column_letter(len(widths))
    ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    if last_row > DROPDOWN_ROWS:
        status_col = column_letter(FIELD_ORDER.index(Field.STATUS) + 1)
        ws.data_validations.dataValidation[0].sqref = _sqref(
            f"{status_col}2:{status_col}{last_row + 500}"
        )
    settings = wb[SETTINGS_SHEET]
    for r in settings.iter_rows(min_col=1, max_col=1, min_row=2):
        r[0].value = None
    write_settings(settings, plan.scale)
    wb.defined_names[SCALE_NAME].attr_text = scale_range(len(plan.scale.values))
    _write_grid(wb[KEY_SHEET], MasterIdentity.new().grid())
    wb.properties.created = wb.properties.modified = datetime.now().replace(microsecond=0)
    if plan.source:
        wb.properties.description = f"Tuotu tiedostosta {plan.source}"
    with run_lock(target):
        return atomic_write(target, wb.save, backup=target.exists())


def _sqref(text: str) -> Any:
    from openpyxl.worksheet.cell_range import MultiCellRange

    return MultiCellRange(text)


def _write_row(ws: Any, r: int, row: Row, widths: list[float]) -> None:
    level = row.level if row.level in STYLE_BY_LEVEL else (row.column_level or 0)
    row_style = ROW_STYLE_BY_LEVEL.get(level, STYLE_TEXT)
    title_column = FIELD_ORDER.index(row.code_field) + 1 if row.code_field else None
    values: list[object] = [row.values.get(f) for f in FIELD_ORDER] + list(row.extras)
    texts: list[tuple[str, float, bool]] = []
    for c, value in enumerate(values, start=1):
        cell = ws.cell(row=r, column=c)
        set_text_safe(cell, value)
        is_title = c == title_column
        cell.style = STYLE_BY_LEVEL.get(level, STYLE_TEXT) if is_title else row_style
        if value is not None:
            texts.append((str(value), widths[c - 1], is_title and level in (1, 2)))
    height = row_height(texts)
    dim = ws.row_dimensions[r]
    if height is not None:
        dim.height = height
    if level in (2, 3):
        dim.outline_level = level - 1


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


def _is_mark(rule: bytes) -> bool:
    import html

    return MARK_FORMULA in html.unescape(rule.decode("utf-8", "replace"))


def _data_end(xml: bytes) -> int:
    """Where the sheet's cells end: nothing after this is a cell (never scanned)."""
    at = xml.rfind(b"sheetData")
    return xml.index(b">", at) + 1 if at >= 0 else 0


def remove_highlights(xml: bytes) -> bytes:
    """A worksheet's XML without the conditional formats ``--mark`` made (recognised by
    ``MARK_FORMULA``); a block left with no rule goes too. The cells are not parsed."""
    if _MARK_XML not in xml:
        return xml
    start = _data_end(xml)
    tail = xml[start:]

    def clean(m: re.Match[bytes]) -> bytes:
        block = m.group(0)
        rules = _RULE_RE.findall(block)
        if not any(_is_mark(r) for r in rules):
            return block
        kept = [r for r in rules if not _is_mark(r)]
        if not kept:
            return b""
        for r in rules:
            if _is_mark(r):
                block = block.replace(r, b"", 1)
        return block

    return xml[:start] + _CF_RE.sub(clean, tail)


def add_highlights(xml: bytes, rules: list[tuple[str, int]]) -> bytes:
    """A worksheet's XML with a highlight (``sqref``, dxf index) per rule, placed where
    the schema puts conditional formats. The cells are not parsed."""
    if not rules:
        return xml
    start = _data_end(xml)
    tail = xml[start:]
    root = re.search(rb"<(?:(\w+):)?worksheet\b", xml)
    p = (root.group(1) + b":") if root and root.group(1) else b""
    top = max((int(x) for x in _PRIORITY_RE.findall(tail)), default=0)
    blocks = b"".join(
        b'<%sconditionalFormatting sqref="%s"><%scfRule type="expression" dxfId="%d" '
        b'priority="%d"><%sformula>LEN(&quot;seuranta-xl&quot;)&gt;0</%sformula></%scfRule>'
        b"</%sconditionalFormatting>" % (p, sqref.encode(), p, dxf, top + i, p, p, p, p)
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


def _write_grid(ws: Any, grid: list[list[Any]]) -> None:
    for r, values in enumerate(grid, start=1):
        for c, value in enumerate(values, start=1):
            set_text_safe(ws.cell(row=r, column=c), value)


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


def record_round(path: Path, identity: MasterIdentity, records: list[RoundRecord]) -> Path | None:
    """Write the master's round records and identity, touching nothing else in it.

    ``records`` is the whole list (earlier rounds included); the caller holds the master's
    run lock from reading the earlier records to here. Returns the backup made.
    """
    from .ooxml import Sheet, cell_xml
    from .patch import replace_sheets

    path = Path(path)
    refuse_if_open(path)
    ensure_tool_sheets(path, identity)
    sheets = {}
    for name, grid, widths in (
        (
            ROUNDS_SHEET,
            [list(ROUNDS_HEADER)] + [r.cells() for r in records],
            (14, 20, 26, 48, 8, 10, 20, 20),
        ),
        (KEY_SHEET, identity.grid(), (20, 70)),
    ):
        sheet = Sheet(name, cols=list(enumerate(widths, start=1)))
        for r, values in enumerate(grid, start=1):
            sheet.add_row(
                r, (cell_xml(f"{column_letter(c)}{r}", v, 0) for c, v in enumerate(values, start=1))
            )
        sheet.dimension = f"A1:{column_letter(max(len(g) for g in grid))}{len(grid)}"
        sheets[name] = sheet.xml()
    return replace_sheets(path, sheets)
