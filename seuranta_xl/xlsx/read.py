"""Reading follow-up sheets: xlsx through python-calamine (fast, no openpyxl import),
tab- or comma-separated text through our own parser."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import LayoutError, UnreadableFile
from ..layout import Header, find_header, read_plan
from ..model import Plan, SourceTable, StatusScale
from ..scale import default_scale
from .names import FINDINGS_SHEETS, SETTINGS_SHEET
from .sniff import Kind, sniff
from .text import read_text_grid


@dataclass(frozen=True)
class LoadedPlan:
    """A plan read from a file, with the header it was read by and the file's kind."""

    plan: Plan
    header: Header
    kind: Kind
    path: Path
    scale_from_file: bool  # the file carried its own scale (a master's settings sheet)


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
    tables, file_scale = _read_workbook(path)
    for table in tables:
        try:
            header = find_header(table)
        except LayoutError:
            continue
        chosen = scale or file_scale or default_scale()
        return LoadedPlan(
            read_plan(table, chosen, header), header, kind, path, file_scale is not None
        )
    raise LayoutError("no_sheet", path=str(path))


def _read_workbook(path: Path) -> tuple[list[SourceTable], StatusScale | None]:
    """Every worksheet as a grid from A1 (visible sheets first), and the settings scale."""
    import python_calamine as pc

    p = str(path)
    try:
        wb = pc.CalamineWorkbook.from_path(p)
        metas = [m for m in wb.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet]
        names = [m.name for m in metas if m.visible == pc.SheetVisibleEnum.Visible] + [
            m.name for m in metas if m.visible != pc.SheetVisibleEnum.Visible
        ]
        tables = [
            SourceTable(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in names
            if name != SETTINGS_SHEET and name not in FINDINGS_SHEETS
        ]
        scale = None
        if SETTINGS_SHEET in names:
            settings = wb.get_sheet_by_name(SETTINGS_SHEET).to_python(skip_empty_area=False)
            scale = _scale_from_settings(settings, p)
    except pc.PasswordError:
        raise UnreadableFile("encrypted", path=p) from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        raise UnreadableFile("corrupt", path=p, detail=f"{type(exc).__name__}: {exc}") from None
    return tables, scale


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
    try:
        return StatusScale.from_lines(lines)
    except ValueError as exc:
        raise UnreadableFile("bad_scale", path=path, detail=str(exc)) from None
