"""Writing the summary: its sheets replaced in place in the master (every other part of it
copied as it was), or a standalone workbook fit to send on."""

from __future__ import annotations

from pathlib import Path

from ..errors import WriteError
from ..summary import Summary
from .marks import SUMMARY_KINDS
from .package import NewSheet, rewrite, write_new
from .report import Meta, t
from .save import refuse_if_open, run_lock
from .sheetspec import SheetSpec


def layout(summary: Summary, meta: Meta) -> list[SheetSpec]:
    """The summary sheets as data (laid out once for the master and a standalone copy)."""
    from .summary_layout import summary_sheets

    return summary_sheets(summary, meta)


def _sheets(summary: Summary, meta: Meta, specs: list[SheetSpec] | None) -> list[NewSheet]:
    return [NewSheet(spec, spec.kind) for spec in specs or layout(summary, meta)]


def write_into_master(
    path: Path,
    summary: Summary,
    meta: Meta,
    *,
    data_sheet: str | None = None,
    specs: list[SheetSpec] | None = None,
) -> tuple[Path | None, list[tuple[str, str]]]:
    """Replace the tool's summary sheets in the master, right after the data sheet; nothing
    else changes (a coordinator's charts, images, macros… are copied byte for byte). The
    caller holds the master's run lock. Returns the backup made and (name wanted, name
    given) of each summary sheet."""
    path = Path(path)
    refuse_if_open(path)
    from .package import Edit

    sheets = _sheets(summary, meta, specs)
    edit = Edit(remove_kinds=SUMMARY_KINDS, after=sheets, data_sheet=data_sheet)
    backup, surgery = rewrite(path, edit)
    return backup, surgery.names


def write_standalone(
    path: Path, summary: Summary, meta: Meta, *, specs: list[SheetSpec] | None = None
) -> Path | None:
    """A workbook with the summary sheets only: no hidden sheets, manifest or macros.

    An existing file is replaced only when it is a standalone summary the tool made (a
    backup is kept); a master, a follow-up sheet or any other file is refused, and so is a
    name not ending in ``.xlsx``. Returns the backup made."""
    path = Path(path)
    check_summary_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError("save_failed", path=str(path), detail=str(exc)) from None
    refuse_if_open(path)
    with run_lock(path):
        backup, _ = write_new(
            path, _sheets(summary, meta, specs), title=t("title", meta.lang), backup=path.exists()
        )
    return backup


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: through symlinks, ``..`` and, where the file system
    ignores it, case."""
    import os

    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(a.resolve()) == os.path.normcase(b.resolve())


def check_summary_target(path: Path) -> None:
    """A standalone summary goes to an ``.xlsx`` name, and an existing file may be replaced
    by one only when every sheet of it is a summary sheet the tool made."""
    import zipfile

    from .marks import marked_in_zip
    from .patch import sheet_parts

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise WriteError("summary_out_not_xlsx", path=str(path))
    if not (path.exists() or path.is_symlink()):
        return
    if path.is_dir():
        raise WriteError("summary_out_not_summary", path=str(path))
    try:
        with zipfile.ZipFile(path) as zf:
            sheets = set(sheet_parts(zf))
    except (OSError, KeyError, ValueError, SyntaxError, zipfile.BadZipFile):
        raise WriteError("summary_out_not_summary", path=str(path)) from None
    marked = marked_in_zip(path)
    if not sheets or any(marked.get(name) not in SUMMARY_KINDS for name in sheets):
        raise WriteError("summary_out_not_summary", path=str(path))


def renamed(names: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The sheets that could not have the name wanted."""
    return [(w, g) for w, g in names if w != g]
