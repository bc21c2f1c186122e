"""Reading follow-up sheets: xlsx through python-calamine (fast, no openpyxl import),
tab- or comma-separated text through our own parser."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..errors import LayoutError, UnreadableFile
from ..layout import Header, find_header, paused_gc, read_plan
from ..model import Plan, SourceTable, StatusScale, column_letter
from ..rounds import BadToolCell, MasterIdentity, RoundRecord, read_round_records, time_text
from ..scale import default_scale
from .marks import marked_in_zip
from .names import (
    DATA_SHEET,
    FINDINGS_SHEETS,
    KEY_SHEET,
    LOG_SHEET,
    MANIFEST_SHEET,
    RETURNS_SHEET,
    ROUNDS_SHEET,
    SETTINGS_SHEET,
    SUMMARY_SHEETS,
    TOOL_SHEETS,
)
from .sniff import Kind, sniff
from .text import read_text_grid


@dataclass(frozen=True)
class LoadedPlan:
    """A plan read from a file, with the header it was read by, the file's kind and, for a
    master, what the tool keeps in it (settings, identity, rounds)."""

    plan: Plan
    header: Header
    kind: Kind
    path: Path
    scale_from_file: bool  # the file carried its own scale (a master's settings sheet)
    settings: dict[str, object] = field(default_factory=dict)  # setting name (casefolded) -> value
    setting_rows: dict[str, int] = field(default_factory=dict)  # setting name (casefolded) -> row
    identity: MasterIdentity | None = None
    rounds: tuple[RoundRecord, ...] = ()
    sheet_names: tuple[str, ...] = ()
    returns: tuple[tuple[object, ...], ...] = ()  # the returns tracker's rows under its header
    log: tuple[tuple[object, ...], ...] = ()  # the change log's rows under its header
    # cells of the tool's own sheets that hold what cannot stand there (issue 8, item 23)
    tool_problems: tuple[UnreadableFile, ...] = ()

    def require_tool_sheets(self) -> None:
        """UnreadableFile naming the first bad cell of the tool's sheets, for a command
        that rewrites them."""
        if self.tool_problems:
            raise self.tool_problems[0]

    def setting(self, name: str) -> str:
        """A setting as text ('' when unset); dates as d.m.yyyy."""
        value = self.settings.get(name.casefold())
        if value is None or value == "":
            return ""
        if isinstance(value, datetime | date):
            return f"{value.day}.{value.month}.{value.year}"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()


def load_plan(path: str | Path, scale: StatusScale | None = None) -> LoadedPlan:
    """Read a master or a source (xlsx, tsv, csv) into a Plan.

    The scale is, in order: the one given, the file's own (a master's settings sheet),
    the default. Raises UnreadableFile or LayoutError with a reason the user can act on.
    """
    path = Path(path)
    kind = sniff(path)
    if kind is Kind.TEXT:
        table = SourceTable(path.name, read_text_grid(path))
        header = find_header(table)
        return LoadedPlan(
            read_plan(table, scale or default_scale(), header), header, kind, path, False
        )
    with paused_gc():  # many objects, none garbage
        book = _read_workbook(path)
        table, header = _data_sheet(book, path)
        chosen = scale or book.scale or default_scale()
        plan = read_plan(table, chosen, header)
    return LoadedPlan(
        plan=plan,
        header=header,
        kind=kind,
        path=path,
        scale_from_file=book.scale is not None,
        settings=book.settings,
        setting_rows=book.setting_rows,
        identity=book.identity,
        rounds=tuple(book.rounds),
        sheet_names=tuple(book.sheet_names),
        returns=tuple(book.returns),
        log=tuple(book.log),
        tool_problems=tuple(book.problems),
    )


def _data_sheet(book: _Book, path: Path) -> tuple[SourceTable, Header]:
    """The sheet that holds the follow-up rows: in a master the tool made, its own sheet
    (a copy the coordinator placed before it is not it); else the one sheet with a
    follow-up header. Several candidates and no way to tell them apart is a LayoutError
    naming them: never a silent pick."""
    found: list[tuple[SourceTable, Header]] = []
    for table in book.tables:
        try:
            found.append((table, find_header(table)))
        except LayoutError:
            continue
    if not found:
        raise LayoutError("no_sheet", path=str(path))
    master = SETTINGS_SHEET in book.sheet_names or KEY_SHEET in book.sheet_names
    if master:
        own = [(t, h) for t, h in found if t.name == DATA_SHEET]
        if own:
            return own[0]
    if len(found) == 1:
        return found[0]
    order = {n: i for i, n in enumerate(book.sheet_names)}
    names = sorted((t.name for t, _ in found), key=lambda n: order.get(n, 0))
    sheets = ", ".join(repr(n) for n in names)
    key = "several_sheets_master" if master else "several_sheets"
    raise LayoutError(key, path=str(path), sheets=sheets, sheet=DATA_SHEET)


TOOL_NAMED_BY_MARK = {
    *(name for pair in SUMMARY_SHEETS.values() for name in pair),
    *FINDINGS_SHEETS,
}
"""Names of the tool's sheets that are its own only when marked (see ``marks``)."""


@dataclass
class _Book:
    tables: list[SourceTable]
    sheet_names: list[str]
    scale: StatusScale | None = None
    settings: dict[str, object] = field(default_factory=dict)
    setting_rows: dict[str, int] = field(default_factory=dict)
    identity: MasterIdentity | None = None
    rounds: list[RoundRecord] = field(default_factory=list)
    returns: list[tuple[object, ...]] = field(default_factory=list)
    log: list[tuple[object, ...]] = field(default_factory=list)
    problems: list[UnreadableFile] = field(default_factory=list)


_EXPECTED = {
    "count": ("kokonaisluku (rivien määrä)", "a whole number (a count of rows)"),
    "scale": (
        "etenemisasteikon askel muodossa numero ja selite (esim. 3 Toteutus on aloitettu)",
        "a step of the progress scale: its number and label (e.g. 3 Toteutus on aloitettu)",
    ),
    "key": (
        "seuranta-xl:n avain (64 heksadesimaalimerkkiä) ja tunniste",
        "seuranta-xl's key (64 hexadecimal digits) and id",
    ),
}


def _tool_problem(path: str, sheet: str, cell: str, value: object, expected: str) -> UnreadableFile:
    fi, en = _EXPECTED[expected]
    return UnreadableFile(
        "tool_sheet_value",
        path=path,
        sheet=sheet,
        cell=cell,
        value=value,
        expected_fi=fi,
        expected_en=en,
    )


def _read_workbook(path: Path) -> _Book:
    """Every worksheet as a grid from A1 (visible sheets first), and the tool's own sheets."""
    import python_calamine as pc

    p = str(path)
    try:
        wb = pc.CalamineWorkbook.from_path(p)
        metas = [m for m in wb.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet]
        names = [m.name for m in metas if m.visible == pc.SheetVisibleEnum.Visible] + [
            m.name for m in metas if m.visible != pc.SheetVisibleEnum.Visible
        ]

        def grid(name: str) -> list[list[object]]:
            return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)

        # the tool's summary and findings sheets are known by their markers; a sheet of the
        # coordinator's that only shares such a name is read, after the others
        marked = marked_in_zip(path)
        shared = [n for n in names if n in TOOL_NAMED_BY_MARK and n not in marked]
        book = _Book(
            tables=[
                SourceTable(n, grid(n))
                for n in [n for n in names if n not in TOOL_SHEETS and n not in marked] + shared
            ],
            sheet_names=[m.name for m in metas],
        )
        if SETTINGS_SHEET in names:
            settings = grid(SETTINGS_SHEET)
            book.scale = _scale_from_settings(settings, p)
            book.settings = {
                str(r[2]).strip().casefold(): (r[3] if len(r) > 3 else None)
                for r in settings[1:]
                if len(r) > 2 and str(r[2]).strip()
            }
            # where each setting stands (the row read, the last of a name), to write it there
            for i, r in enumerate(settings[1:], start=2):
                if len(r) > 2 and str(r[2]).strip():
                    book.setting_rows[str(r[2]).strip().casefold()] = i
        if KEY_SHEET in names:
            key_grid = grid(KEY_SHEET)
            book.identity = MasterIdentity.from_grid(key_grid)
            if book.identity is None and any(v not in ("", None) for r in key_grid for v in r):
                # a damaged key: a new one would silently disown every issued workbook
                value = key_grid[2][1] if len(key_grid) > 2 and len(key_grid[2]) > 1 else ""
                book.problems.append(_tool_problem(p, KEY_SHEET, "B3", value, "key"))
        if ROUNDS_SHEET in names:
            bad: list[BadToolCell] = []
            book.rounds = read_round_records(grid(ROUNDS_SHEET), bad)
            book.problems += [
                _tool_problem(
                    p, ROUNDS_SHEET, f"{column_letter(b.column + 1)}{b.row}", b.value, "count"
                )
                for b in bad
            ]
        if LOG_SHEET in names:
            book.log = [
                _times_as_text(r, LOG_TIME_COLUMNS)
                for r in grid(LOG_SHEET)[1:]
                if any(v not in ("", None) for v in r)
            ]
        if RETURNS_SHEET in names:
            book.returns = [
                _times_as_text(r, RETURNS_TIME_COLUMNS)
                for r in grid(RETURNS_SHEET)[1:]
                if any(v not in ("", None) for v in r)
            ]
    except pc.PasswordError:
        raise UnreadableFile("encrypted", path=p) from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        raise UnreadableFile("corrupt", path=p, detail=f"{type(exc).__name__}: {exc}") from None
    return book


LOG_TIME_COLUMNS = (0,)
RETURNS_TIME_COLUMNS = (5, 6)
"""The columns (from 0) of the change log and the returns tracker that hold times."""


def _times_as_text(row: list[object], columns: tuple[int, ...]) -> tuple[object, ...]:
    """A row of a tool sheet with its times as ISO text (``2021-04-01 09:00:00``), whether
    the cells hold real dates (written since issue 10) or the text older versions wrote,
    so that every reader compares and shows them alike."""
    out = list(row)
    for c in columns:
        if c < len(out):
            out[c] = time_text(out[c], sep=" ")
    return tuple(out)


def _scale_from_settings(cells: list[list[object]], path: str) -> StatusScale | None:
    """The scale stands in the settings sheet's column A under its heading, one step a row."""
    lines: list[str] = []
    for row in cells[1:]:
        value = row[0] if row else ""
        if value in ("", None):
            break
        lines.append(str(value))
    if not lines:
        return None
    for r, line in enumerate(lines, start=2):
        try:
            StatusScale.from_lines([line])
        except ValueError:
            raise _tool_problem(path, SETTINGS_SHEET, f"A{r}", line, "scale") from None
    try:
        return StatusScale.from_lines(lines)
    except ValueError as exc:
        raise UnreadableFile("bad_scale", path=path, detail=str(exc)) from None


def require_workbook(path: str | Path) -> Kind:
    """A master must be a workbook: a text file is named as one to import first."""
    kind = sniff(Path(path), deep=False)
    if kind is Kind.TEXT:
        raise UnreadableFile("master_is_text", path=str(path))
    return kind


def read_identity(path: str | Path) -> tuple[StatusScale, MasterIdentity | None]:
    """The master's scale and identity alone: quick (calamine reads sheets on demand), so
    the returns can be read while the rest of the master is."""
    import python_calamine as pc

    p = str(path)
    # only two small sheets are parsed here: the shallow checks (zip directory, declared
    # extents) suffice; load_plan, which parses everything, makes the deep ones
    require_workbook(path)
    try:
        wb = pc.CalamineWorkbook.from_path(p)
        names = wb.sheet_names
        scale = None
        if SETTINGS_SHEET in names:
            grid = wb.get_sheet_by_name(SETTINGS_SHEET).to_python(skip_empty_area=False)
            scale = _scale_from_settings(grid, p)
        identity = None
        if KEY_SHEET in names:
            identity = MasterIdentity.from_grid(
                wb.get_sheet_by_name(KEY_SHEET).to_python(skip_empty_area=False)
            )
    except pc.PasswordError:
        raise UnreadableFile("encrypted", path=p) from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        raise UnreadableFile("corrupt", path=p, detail=f"{type(exc).__name__}: {exc}") from None
    return scale or default_scale(), identity


def refuse_owner_workbook(path: str | Path, sheet_names: Iterable[str] | None = None) -> None:
    """An owner workbook (it holds a manifest) is never taken for a master: generate,
    merge and ``validate --mark`` would write the master's sheets into it."""
    import python_calamine as pc

    if sheet_names is None:
        try:
            sheet_names = pc.CalamineWorkbook.from_path(str(path)).sheet_names
        except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError):
            return  # the command's own reading says what is wrong with the file
    if MANIFEST_SHEET in set(sheet_names):
        raise LayoutError("owner_workbook_as_master", path=str(path))


def read_manifest_grid(path: str | Path, sheet: str) -> list[list[object]] | None:
    """The cells of one sheet by name, or None when the workbook has no such sheet."""
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    if sheet not in wb.sheet_names:
        return None
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
