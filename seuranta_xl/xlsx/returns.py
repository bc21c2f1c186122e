"""Reading returned owner workbooks: whatever staff send back, safely.

Each file is told apart by its content, checked against the size and shape limits, and
read with python-calamine inside an isolated worker (``isolate.map_isolated``). What comes
back is plain data: the file's hash, when it was saved, its manifest's cells and the grid
of the sheet that holds the rows.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import LayoutError, UnreadableFile
from ..layout import Header, find_header, read_plan
from ..merge import ReturnDiff, diff_return
from ..model import SourceTable, StatusScale, column_letter
from ..paths import shown_path
from ..rounds import MANIFEST_MARK, Manifest
from .cellkinds import unreadable_cells
from .isolate import Failed, IsolatedMap
from .names import HELP_SHEET, KEY_SHEET, LIST_SHEET, MANIFEST_SHEET, SUMMARY_SHEETS
from .save import BACKUP_DIR
from .sniff import DEFAULT_LIMITS, sniff

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
    # which sheet or column holds the owner's edits cannot be told: "several_sheets" or
    # "ambiguous_columns" (``detail`` names the sheets or cells); the file is not read
    ambiguity: str = ""
    # columns naming a field only by a word stem beside the field's own column, as
    # (the field's cell, this cell, this header): an issued extra column, or one the owner
    # added
    weak_columns: tuple[tuple[str, str, str], ...] = ()


RETURN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_SKIPPED_SUFFIXES = {
    **dict.fromkeys((".xltx", ".xltm", ".xlt", ".ots"), "skipped_template"),
    **dict.fromkeys((".csv", ".txt", ".tsv", ".tab"), "skipped_text"),
}
# what file managers and mail programs leave in any folder: not worth a line
_NOISE_NAMES = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store", ".directory"})


def collect_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The files to read as returns (see ``collect_returns``)."""
    return collect_returns(paths)[0]


def collect_returns(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files named, and the spreadsheets inside folders named (not in hidden folders or
    backup folders), in a stable order; and the files that are not read, each with a
    reason key: a folder's templates, text files, other files, hidden spreadsheets, and
    Excel's and LibreOffice's lock files (named or not). A folder's obvious noise
    (Thumbs.db, .DS_Store, other hidden files) is left out without a word."""
    out: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        if LOCK_FILE_RE.match(p.name):
            skipped.append((p, "skipped_lock"))
        elif p.is_dir():
            for child in _folder_files(p, skipped):
                reason = _not_a_return(child)
                if reason is None:
                    out.append(child)  # a broken link or a loop too: its reader says so
                elif reason:
                    skipped.append((child, reason))
        else:
            out.append(p)
    return list(dict.fromkeys(out)), list(dict.fromkeys(skipped))


def _folder_files(folder: Path, skipped: list[tuple[Path, str]]) -> list[Path]:
    """Every file under ``folder`` (links to folders not followed), sorted; hidden folders
    and the masters' own backups are not looked into; a folder that cannot be read is put
    in ``skipped``."""

    def unreadable(exc: OSError) -> None:
        reason = "permission_denied" if isinstance(exc, PermissionError) else "missing"
        skipped.append((Path(exc.filename or folder), reason))

    found = []
    for top, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != BACKUP_DIR]
        found.extend(Path(top, name) for name in names)
    return sorted(found)


def _not_a_return(path: Path) -> str | None:
    """Why a file found in a folder is not read as a return: a reason key, "" for noise
    not worth a line, None when it is to be read."""
    name, suffix = path.name, path.suffix.lower()
    if name.lower() in _NOISE_NAMES or name.startswith("._"):
        return ""
    if LOCK_FILE_RE.match(name):
        return "skipped_lock"
    looks_like_sheet = suffix in RETURN_SUFFIXES or suffix in _SKIPPED_SUFFIXES
    if name.startswith("."):
        # a hidden spreadsheet is said; other hidden files (this tool's own lock and
        # temporary files among them) are noise
        return "skipped_hidden" if looks_like_sheet else ""
    if suffix in RETURN_SUFFIXES:
        return None
    return _SKIPPED_SUFFIXES.get(suffix, "skipped_other")


def read_return(job: tuple[str, StatusScale, str]) -> ReturnFile:
    """Read one returned file (runs in a worker process): its rows are read against the
    master's ``scale`` and its manifest checked with the master's ``key`` here, so the
    parent only merges."""
    path, scale, key = job
    p = Path(path)
    data = _read_file(p)
    if isinstance(data, ReturnFile):
        return data
    sha = hashlib.sha256(data).hexdigest()
    kind = ""
    try:
        # the zip directory and the declared extents only: parsed in this isolated worker,
        # and a file the reader cannot take is looked at closer then (``closer_look``)
        kind = sniff(p, deep=False).value
    except UnreadableFile as exc:
        if exc.key not in READABLE_OTHER_FORMATS:
            return ReturnFile(path, sha, error=exc.key, detail=str(exc.params.get("detail", "")))
        kind = exc.key
    if kind == "text":
        return ReturnFile(path, sha, kind=kind, error="not_spreadsheet")
    saved = _saved_time(data, p)
    try:
        cells, found, names = _read_sheets(data)
    except Exception as exc:  # calamine's errors for damaged files
        detail = f"{type(exc).__name__}: {exc}"
        return ReturnFile(path, sha, kind, saved, error=closer_look(p), detail=detail)
    manifest, problem = _check_manifest(cells, key)
    own = _own_workbook(names, found) if cells is None else ""
    if own:  # the master's backup or a summary given with the returns: not a return
        return ReturnFile(path, sha, kind, saved, error=own)
    info = ManifestInfo.of(manifest) if manifest is not None else None
    if not found:
        return ReturnFile(path, sha, kind, saved, info, problem, error="no_sheet")
    if len(found) > 1:  # a copy of the sheet: which one the owner edited cannot be told
        names = ", ".join(repr(t.name) for t, _ in found)
        return ReturnFile(
            path, sha, kind, saved, info, problem, ambiguity="several_sheets", detail=names
        )
    table, header = found[0]
    if header.ambiguous:
        cells_named = "; ".join(
            " / ".join(f"{table.name}!{column_letter(c)}{header.row}" for c in cols)
            for _, cols in header.ambiguous
        )
        return ReturnFile(
            path,
            sha,
            kind,
            saved,
            info,
            problem,
            table.name,
            ambiguity="ambiguous_columns",
            detail=cells_named,
        )
    texts = dict(header.extras)
    weak = tuple(
        (
            f"{table.name}!{column_letter(header.columns[f])}{header.row}",
            f"{table.name}!{column_letter(c)}{header.row}",
            texts.get(c, ""),
        )
        for f, c in header.duplicates
    )
    diff = None
    if manifest is not None and not problem:
        try:
            bad = unreadable_cells(data, kind, table.name)
        except Exception as exc:  # calamine read it, but its XML will not scan: damaged
            detail = f"{type(exc).__name__}: {exc}"
            return ReturnFile(path, sha, kind, saved, info, problem, error="corrupt", detail=detail)
        diff = diff_return(manifest, read_plan(table, scale, header), scale, bad)
    return ReturnFile(path, sha, kind, saved, info, problem, table.name, diff, weak_columns=weak)


def _read_file(p: Path) -> bytes | ReturnFile:
    """The file's bytes, or why they cannot be had: missing (a broken link too), a link
    loop, no permission, a folder, not a regular file (a pipe would never end), too large."""
    path = str(p)
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            return ReturnFile(path, error="is_directory")
        if not stat.S_ISREG(st.st_mode):
            return ReturnFile(path, error="not_spreadsheet", detail="not a regular file")
        if st.st_size > DEFAULT_LIMITS.max_file_bytes:
            return ReturnFile(path, error="too_large", detail=f"{st.st_size:,} bytes")
        return p.read_bytes()
    except PermissionError as exc:
        return ReturnFile(path, error="permission_denied", detail=str(exc))
    except OSError as exc:
        key = "link_loop" if exc.errno == errno.ELOOP else "missing"
        return ReturnFile(path, error=key, detail=str(exc))
    except RuntimeError as exc:  # a symbolic link loop, as some Python versions say it
        return ReturnFile(path, error="link_loop", detail=str(exc))


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


def _own_workbook(names: list[str], found: list[tuple[SourceTable, Header]]) -> str:
    """``master_copy`` for a master (or its backup: it holds the master's key sheet),
    ``summary_file`` for a standalone summary (only summary sheets), else ""."""
    if KEY_SHEET in names:
        return "master_copy"
    # only summary sheets: the council's report has a follow-up-like header, so a sheet
    # found with one does not make the file a return
    summary = {n for pair in SUMMARY_SHEETS.values() for n in pair}
    if names and all(n.split(" (")[0] in summary for n in names):
        return "summary_file"
    return ""


def _read_sheets(
    data: bytes,
) -> tuple[tuple[tuple[object, ...], ...] | None, list[tuple[SourceTable, Header]], list[str]]:
    """The manifest's cells, every sheet with a follow-up header, with its header (from
    the file's bytes, already in memory): one, unless a sheet was copied; and every
    worksheet's name. The help sheet, the hidden list and the manifest are never
    candidates."""
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
        if name == MANIFEST_SHEET or first == MANIFEST_MARK:
            if manifest is None:
                manifest = tuple(tuple(r) for r in grid)
        else:
            candidates.append(SourceTable(name, grid))
    found = []
    for table in candidates:
        try:
            found.append((table, find_header(table)))
        except LayoutError:
            continue
    return manifest, found, names


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
    return IsolatedMap(
        read_return, jobs, workers=workers, progress=progress, describe=_describe
    ).start()


def _describe(job: tuple[str, StatusScale, str]) -> str:
    return shown_path(job[0])  # the file only: never the key


def closer_look(path: Path) -> str:
    """Why a file the reader could not take is unreadable, from the whole file (every cell
    reference of every sheet, every entry's CRC): ``too_large`` for a cell at
    ``XFD1048576`` whose sheet declared no such extent, say; else ``corrupt``. Only for
    the few files that failed: reading every return this closely would double its cost."""
    try:
        sniff(path)
    except UnreadableFile as exc:
        return exc.key if exc.key not in READABLE_OTHER_FORMATS else "corrupt"
    except (OSError, ValueError, zipfile.BadZipFile):
        pass
    return "corrupt"


def finish_reading(paths: list[Path], reading: IsolatedMap) -> list[ReturnFile]:
    out = []
    for path, result in zip(paths, reading.results(), strict=True):
        if isinstance(result, Failed):
            # a reader that ran out of time or memory met a file too large for it
            large = result.why == "timeout" or "out of memory" in result.detail
            key = "too_large" if large else closer_look(path)
            out.append(ReturnFile(str(path), error=key, detail=f"{result.why}: {result.detail}"))
        else:
            out.append(result)
    return out
