"""What a file really is, and whether it is safe to hand to a parser.

A file's name says little: staff rename HTML exports to .xlsx, save encrypted copies, send
.xls or .ods. python-calamine aborts the whole process on a zip bomb or a cell at
XFD1048576, so the zip directory and the sheets' extent are checked here first.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..errors import UnreadableFile
from ..model import column_index

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
STRICT_NS = b"purl.oclc.org/ooxml"


class Kind(StrEnum):
    XLSX = "xlsx"
    XLSM = "xlsm"
    TEXT = "text"  # tab- or comma-separated text


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold before it is refused unopened."""

    max_file_bytes: int = 200 * 1024**2
    max_entries: int = 10_000
    max_entry_bytes: int = 512 * 1024**2
    max_total_bytes: int = 1024**3
    max_ratio: float = 250.0  # uncompressed/compressed, for entries over ratio_floor
    ratio_floor: int = 1024**2
    max_cells: int = 20_000_000  # rows x columns of a sheet's extent
    max_columns: int = 2_000


DEFAULT_LIMITS = Limits()


def sniff(path: Path, limits: Limits = DEFAULT_LIMITS, *, deep: bool = True) -> Kind:
    """Tell what ``path`` is; raise UnreadableFile with the right reason when it cannot
    be read as a follow-up sheet.

    ``deep`` also scans every cell reference of every sheet and checks every entry's CRC:
    for files parsed in this process. A file parsed in an isolated worker (returns) needs
    only the zip directory and the declared dimensions checked here."""
    p = str(path)
    if not path.exists():
        raise UnreadableFile("missing", path=p)
    if path.is_dir():
        raise UnreadableFile("is_directory", path=p)
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile("empty", path=p)
    if size > limits.max_file_bytes:
        raise UnreadableFile("too_large", path=p, detail=f"{size:,} bytes")
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(OLE_MAGIC):
        raise UnreadableFile(_ole_kind(path), path=p)
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK"):
        return _zip_kind(path, limits, deep)
    if _looks_like_html(head):
        raise UnreadableFile("html", path=p)
    if _looks_like_text(head):
        return Kind.TEXT
    raise UnreadableFile("not_spreadsheet", path=p)


def _ole_kind(path: Path) -> str:
    """An OLE compound file is either an encrypted OOXML package or a legacy .xls."""
    data = path.read_bytes()
    if (
        "EncryptedPackage".encode("utf-16-le") in data
        or "EncryptionInfo".encode("utf-16-le") in data
    ):
        return "encrypted"
    return "xls"


def _looks_like_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) and (
        b"<html" in text or b"<table" in text
    )


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        return False
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return control <= len(head) // 100


def _zip_kind(path: Path, limits: Limits, deep: bool = True) -> Kind:
    p = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise UnreadableFile("corrupt", path=p, detail=str(exc)) from None
    with zf:
        infos = zf.infolist()
        check_zip_limits(path, infos, limits)
        names = {i.filename for i in infos}
        if "mimetype" in names:
            mimetype = zf.read("mimetype")[:100]
            if b"opendocument" in mimetype:
                raise UnreadableFile("ods", path=p)
        try:
            part = _workbook_part(zf, names)
            if part is None:
                raise UnreadableFile("not_spreadsheet", path=p)
            if part.endswith(".bin"):
                raise UnreadableFile("xlsb", path=p)
            workbook_xml = zf.read(part)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise UnreadableFile("corrupt", path=p, detail=str(exc)) from None
        if STRICT_NS in workbook_xml[:4096]:
            raise UnreadableFile("strict", path=p)
        for info in infos:
            if _SHEET_PART_RE.search(info.filename):
                check_sheet_extent(zf, info, p, limits, deep)
        if deep:
            # a truncated file can keep an intact central directory: test the rest of the
            # data too (the sheets were read whole above, which checked their CRCs)
            bad = _first_bad_entry(zf, [i for i in infos if not _SHEET_PART_RE.search(i.filename)])
            if bad is not None:
                raise UnreadableFile("corrupt", path=p, detail=bad)
        return Kind.XLSM if "xl/vbaProject.bin" in names else Kind.XLSX


_SHEET_PART_RE = re.compile(r"(^|/)(worksheets/[^/]+|sheet\d*)\.xml$", re.I)
_OFFICE_DOC_RE = re.compile(
    rb'Type="[^"]*/officeDocument"[^>]*?Target="([^"]+)"|Target="([^"]+)"[^>]*?Type="[^"]*/officeDocument"'
)


def _workbook_part(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    """The workbook part, as the package's root relationships name it (usually
    ``xl/workbook.xml``; ``xl/workbook.bin`` in an .xlsb)."""
    for candidate in ("xl/workbook.xml", "xl/workbook.bin"):
        if candidate in names:
            return candidate
    if "_rels/.rels" not in names:
        return None
    m = _OFFICE_DOC_RE.search(zf.read("_rels/.rels"))
    if m is None:
        return None
    target = (m.group(1) or m.group(2)).decode("utf-8", "replace").lstrip("/")
    return target if target in names else None


def check_zip_limits(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse zip bombs before anything is decompressed."""
    p = str(path)
    if len(infos) > limits.max_entries:
        raise UnreadableFile("too_large", path=p, detail=f"{len(infos)} zip entries")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_entry_bytes:
            raise UnreadableFile(
                "too_large", path=p, detail=f"{info.filename}: {info.file_size:,} bytes unpacked"
            )
        if info.file_size > limits.ratio_floor:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise UnreadableFile(
                    "too_large", path=p, detail=f"{info.filename}: packed {ratio:.0f}:1"
                )
    if total > limits.max_total_bytes:
        raise UnreadableFile("too_large", path=p, detail=f"{total:,} bytes unpacked")


_DIM_RE = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
# a cell reference is the only r="…" with letters before its digits (rows are r="12");
# a pattern that starts with a literal is searched for several times faster
_CELL_COL_RE = re.compile(rb'r="([A-Z]{1,3})\d')
_CELL_ROW_RE = re.compile(rb'r="[A-Z]{1,3}(\d{1,7})"')


def check_sheet_extent(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, limits: Limits, deep: bool = True
) -> None:
    """Refuse a sheet whose cells span more than the limits, by its declared dimension and
    (``deep``) by every cell reference it really holds (a crafted file can lie in its
    dimension)."""
    max_row = max_col = 0
    tail = b""
    first = True
    try:
        with zf.open(info) as fh:
            # the dimension stands at the top: a shallow look reads no more than that
            while chunk := fh.read(1 << 20 if deep else 4096):
                buf = tail + chunk
                if first and (dim := _DIM_RE.search(buf)) and dim.group(3):
                    max_col, max_row = column_index(dim.group(3)), int(dim.group(4))
                first = False
                if not deep:
                    break
                # findall and max in C: a 20,000-row master is scanned in a few centiseconds
                cols = set(_CELL_COL_RE.findall(buf))
                if cols:
                    max_col = max(max_col, *map(column_index, cols))
                rows = _CELL_ROW_RE.findall(buf)
                if rows:
                    max_row = max(max_row, *map(int, rows))
                tail = buf[-256:]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
        raise UnreadableFile("corrupt", path=path, detail=f"{info.filename}: {exc}") from None
    if max_col > limits.max_columns or max_row * max(max_col, 1) > limits.max_cells:
        raise UnreadableFile(
            "too_large",
            path=path,
            detail=f"{info.filename}: cells up to row {max_row:,}, column {max_col:,}",
        )


def _first_bad_entry(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> str | None:
    """The first entry whose data does not read back whole (CRC checked), or None."""
    for info in infos:
        try:
            with zf.open(info) as fh:
                while fh.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
            return f"{info.filename}: {exc}"
    return None
