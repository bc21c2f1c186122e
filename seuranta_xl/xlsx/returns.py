"""Reading returned owner workbooks: whatever staff send back, safely.

Each file is told apart by its content, checked against the size and shape limits, and
read with python-calamine inside an isolated worker (``isolate.map_isolated``). What comes
back is plain data: the file's hash, when it was saved, its manifest's cells and the grid
of the sheet that holds the rows.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import LayoutError, UnreadableFile
from ..layout import Header, find_header, read_plan
from ..merge import ReturnDiff, diff_return
from ..model import SourceTable, StatusScale
from ..rounds import MANIFEST_MARK, Manifest
from .cellkinds import unreadable_cells
from .isolate import Failed, IsolatedMap
from .names import HELP_SHEET, LIST_SHEET, MANIFEST_SHEET
from .save import BACKUP_DIR
from .sniff import sniff

READABLE_OTHER_FORMATS = ("xls", "xlsb", "ods")
"""Formats refused for a master but read from a return: calamine reads them."""
LOCK_FILE_RE = re.compile(r"^(~\$|\.~lock\.)")


@dataclass(frozen=True)
class ManifestInfo:
    """What the merge needs of a return's manifest once its worker has checked it (the
    whole manifest stays in the worker: less to send back)."""

    round_id: str
    owner: str
    master_id: str
    editable_rows: int

    @classmethod
    def of(cls, manifest: Manifest) -> ManifestInfo:
        editable = sum(1 for r in manifest.rows if r.editable)
        return cls(manifest.round_id, manifest.owner, manifest.master_id, editable)


@dataclass(frozen=True)
class ReturnFile:
    """A returned file as read: ``error`` says why it could not be (an UnreadableFile key
    or ``no_sheet``/``crashed``/``timeout``), and then the rest may be empty."""

    path: str
    sha256: str = ""
    kind: str = ""  # xlsx, xlsm, xls, xlsb, ods
    saved: str = ""  # ISO time the file was last saved (its properties, else the file's)
    manifest: ManifestInfo | None = None
    manifest_problem: str = ""  # "no_manifest", "bad_manifest", "bad_signature" or ""
    sheet: str = ""
    diff: ReturnDiff | None = None  # the owner's edits against the manifest
    error: str = ""
    detail: str = ""


def collect_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the spreadsheets inside folders named (not in hidden folders or
    backup folders), without Excel's and LibreOffice's lock files; in a stable order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                parts = child.relative_to(p).parts
                # hidden folders, and the masters' own backups, are not returns
                if any(part.startswith(".") or part == BACKUP_DIR for part in parts):
                    continue
                readable = child.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
                if child.is_file() and readable and not LOCK_FILE_RE.match(child.name):
                    out.append(child)
        elif not LOCK_FILE_RE.match(p.name):
            out.append(p)
    return list(dict.fromkeys(out))


def read_return(job: tuple[str, StatusScale, str]) -> ReturnFile:
    """Read one returned file (runs in a worker process): its rows are read against the
    master's ``scale`` and its manifest checked with the master's ``key`` here, so the
    parent only merges."""
    path, scale, key = job
    p = Path(path)
    try:
        data = p.read_bytes() if p.is_file() else b""
    except OSError as exc:
        return ReturnFile(path, error="missing", detail=str(exc))
    sha = hashlib.sha256(data).hexdigest()
    kind = ""
    try:
        kind = sniff(p, deep=False).value  # parsed in this isolated worker
    except UnreadableFile as exc:
        if exc.key not in READABLE_OTHER_FORMATS:
            return ReturnFile(path, sha, error=exc.key, detail=str(exc.params.get("detail", "")))
        kind = exc.key
    if kind == "text":
        return ReturnFile(path, sha, kind=kind, error="not_spreadsheet")
    saved = _saved_time(data, p)
    try:
        cells, table, header = _read_sheets(data)
    except Exception as exc:  # calamine's errors for damaged files
        detail = f"{type(exc).__name__}: {exc}"
        return ReturnFile(path, sha, kind, saved, error="corrupt", detail=detail)
    manifest, problem = _check_manifest(cells, key)
    info = ManifestInfo.of(manifest) if manifest is not None else None
    if table is None or header is None:
        return ReturnFile(path, sha, kind, saved, info, problem, error="no_sheet")
    diff = None
    if manifest is not None and not problem:
        try:
            bad = unreadable_cells(data, kind, table.name)
        except Exception as exc:  # calamine read it, but its XML will not scan: damaged
            detail = f"{type(exc).__name__}: {exc}"
            return ReturnFile(path, sha, kind, saved, info, problem, error="corrupt", detail=detail)
        diff = diff_return(manifest, read_plan(table, scale, header), scale, bad)
    return ReturnFile(path, sha, kind, saved, info, problem, table.name, diff)


def _check_manifest(
    cells: tuple[tuple[object, ...], ...] | None, key: str
) -> tuple[Manifest | None, str]:
    if cells is None:
        return None, "no_manifest"
    try:
        manifest = Manifest.from_grid(cells)
    except (ValueError, IndexError):
        return None, "bad_manifest"
    return manifest, "" if manifest.verify(key) else "bad_signature"


def _read_sheets(
    data: bytes,
) -> tuple[tuple[tuple[object, ...], ...] | None, SourceTable | None, Header | None]:
    """The manifest's cells, and the sheet with the follow-up rows with its header (from
    the file's bytes, already in memory)."""
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    names = [m.name for m in wb.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet]
    manifest = None
    candidates = []
    for name in names:
        if name in (HELP_SHEET, LIST_SHEET):
            continue
        grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        first = grid[0][0] if grid and grid[0] else None
        if manifest is None and (name == MANIFEST_SHEET or first == MANIFEST_MARK):
            manifest = tuple(tuple(r) for r in grid)
        else:
            candidates.append(SourceTable(name, grid))
    for table in candidates:
        try:
            return manifest, table, find_header(table)
        except LayoutError:
            continue
    return manifest, None, None


_MODIFIED_RE = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")


def _saved_time(data: bytes, p: Path) -> str:
    """When the file was last saved: its document properties say, else the file system."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            m = _MODIFIED_RE.search(zf.read("docProps/core.xml")[:4096])
        if m:
            stamp = m.group(1).decode().strip().replace("Z", "+00:00")
            return datetime.fromisoformat(stamp).astimezone(UTC).isoformat(timespec="seconds")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        pass
    return datetime.fromtimestamp(os.path.getmtime(p), UTC).isoformat(timespec="seconds")


def start_reading(
    paths: list[Path],
    scale: StatusScale,
    key: str,
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> IsolatedMap:
    """Start reading every returned file in isolated workers, in the background; a reader
    that crashes or hangs costs only its own file. ``finish_reading`` collects them."""
    jobs = [(str(p), scale, key) for p in paths]
    return IsolatedMap(read_return, jobs, workers=workers, progress=progress).start()


def finish_reading(paths: list[Path], reading: IsolatedMap) -> list[ReturnFile]:
    out = []
    for path, result in zip(paths, reading.results(), strict=True):
        if isinstance(result, Failed):
            key = "corrupt" if result.why != "timeout" else "too_large"
            out.append(ReturnFile(str(path), error=key, detail=f"{result.why}: {result.detail}"))
        else:
            out.append(result)
    return out
