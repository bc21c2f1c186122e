"""Cells of a returned sheet whose value cannot be read: an error value (``=1/0``,
``=NOSUCHFUNC(1)``), or a formula saved without its value (openpyxl saves them so).

python-calamine reads both as an empty cell, which a merge would take for an owner clearing
the cell; so the sheet's own records are scanned for them (xlsx and xlsm: the sheet part;
ods: ``content.xml``; xls: the BIFF8 cell records). Runs in the reader worker, on the file's
bytes already in memory. Not done for ``.xlsb``, which no tool at hand writes to test
against: a limit.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Iterator
from html import unescape

from ..merge import CELL_ERROR, CELL_NO_VALUE
from ..model import column_index

Cells = dict[tuple[int, int], str]
"""(sheet row, column), both 1-based -> CELL_ERROR or CELL_NO_VALUE."""

MAX_REPEAT = 10_000
"""An ods cell or row repeated more often than this is an empty filler, not data."""

_XLSX_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF_RE = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_ERROR_T_RE = re.compile(rb'\bt="e"')
_STR_T_RE = re.compile(rb'\bt="str"')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f\b")
_VALUE_RE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)


def unreadable_cells(data: bytes, kind: str, sheet: str) -> Cells:
    """The unreadable cells of ``sheet`` in a returned file of ``kind``."""
    if kind in ("xlsx", "xlsm"):
        from .patch import sheet_parts

        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            part = sheet_parts(zf).get(sheet)
            return xlsx_cells(zf.read(part)) if part else {}
    if kind == "ods":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return ods_cells(zf.read("content.xml"), sheet)
    if kind == "xls":
        stream = cfb_stream(data, ("Workbook", "Book"))
        return xls_cells(stream, sheet) if stream is not None else {}
    return {}


def xlsx_cells(xml: bytes) -> Cells:
    """``t="e"`` cells, and ``<f>`` cells without a ``<v>`` (or with an empty one that is
    not a formula's empty text), of a worksheet part."""
    if b't="e"' not in xml and not _FORMULA_RE.search(xml):
        return {}  # no error value, no formula: most returns, told in one quick pass
    out: Cells = {}
    for m in _XLSX_CELL_RE.finditer(xml):
        attrs, inner = m.group(1), m.group(2) or b""
        ref = _REF_RE.search(attrs)
        if ref is None:
            continue  # calamine places such cells by position; too rare to follow here
        where = (int(ref.group(2)), column_index(ref.group(1)))
        if _ERROR_T_RE.search(attrs):
            out[where] = CELL_ERROR
        elif _FORMULA_RE.search(inner):
            value = _VALUE_RE.search(inner)
            if value is None or (not value.group(1) and not _STR_T_RE.search(attrs)):
                out[where] = CELL_NO_VALUE
    return out


_ODS_TABLE_RE = re.compile(rb'<table:table(?=\s)[^>]*?\btable:name="([^"]*)"[^>]*>')
_ODS_TOKEN_RE = re.compile(
    rb"<table:table-row(?=[\s/>])([^>]*?)(/?)>|</table:table-row>"
    rb"|<table:(?:covered-)?table-cell\b([^>]*?)(/?)>|</table:table>"
)
_ROWS_REPEATED_RE = re.compile(rb'table:number-rows-repeated="(\d+)"')
_COLS_REPEATED_RE = re.compile(rb'table:number-columns-repeated="(\d+)"')


def ods_cells(xml: bytes, sheet: str) -> Cells:
    """Cells of an ods table with ``calcext:value-type="error"``, or a formula without any
    value type."""
    start = None
    for m in _ODS_TABLE_RE.finditer(xml):
        if unescape(m.group(1).decode("utf-8", "replace")) == sheet:
            start = m.end()
            break
    if start is None:
        return {}
    out: Cells = {}
    row, rows, col = 0, 1, 0  # the current row (1-based), how often it repeats, its column
    for m in _ODS_TOKEN_RE.finditer(xml, start):
        token = m.group(0)
        if token == b"</table:table>":
            break
        if token.startswith(b"<table:table-row"):
            row, col = row + rows, 0
            rows = _repeat(_ROWS_REPEATED_RE, m.group(1))
            continue
        if token == b"</table:table-row>":
            continue
        attrs = m.group(3) or b""
        cols = _repeat(_COLS_REPEATED_RE, attrs)
        why = None
        if b'calcext:value-type="error"' in attrs:
            why = CELL_ERROR
        elif b"table:formula=" in attrs and b"office:value-type=" not in attrs:
            why = CELL_NO_VALUE
        if why is not None:
            for r in range(row, row + min(rows, MAX_REPEAT)):
                for c in range(col + 1, col + 1 + min(cols, MAX_REPEAT)):
                    out[(r, c)] = why
        col += cols
    return out


def _repeat(pattern: re.Pattern[bytes], attrs: bytes) -> int:
    m = pattern.search(attrs)
    return max(1, int(m.group(1))) if m else 1


_BOUNDSHEET, _EOF, _FORMULA, _BOOLERR = 0x0085, 0x000A, 0x0006, 0x0205


def xls_cells(stream: bytes, sheet: str) -> Cells:
    """A BIFF8 workbook stream's error cells on ``sheet``: FORMULA records whose cached
    result is an error, BOOLERR records holding an error. (An xls formula always carries
    its result.)"""
    offset = None
    for kind, body in _records(stream, 0):
        if kind == _BOUNDSHEET and len(body) >= 8:
            n, flags = body[6], body[7]
            raw = body[8 : 8 + n * (2 if flags & 1 else 1)]
            name = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
            if name == sheet:
                offset = struct.unpack_from("<I", body)[0]
                break
    if offset is None:
        return {}
    out: Cells = {}
    for kind, body in _records(stream, offset):
        if kind == _EOF:
            break
        if kind == _FORMULA and len(body) >= 14:
            # the cached result, bytes 6..13: an error is type 2 in its first byte and
            # 0xFFFF in its last two
            if body[6] == 2 and body[12:14] == b"\xff\xff":
                row, col = struct.unpack_from("<HH", body)
                out[(row + 1, col + 1)] = CELL_ERROR
        elif kind == _BOOLERR and len(body) >= 8 and body[7] == 1:
            row, col = struct.unpack_from("<HH", body)
            out[(row + 1, col + 1)] = CELL_ERROR
    return out


def _records(stream: bytes, start: int) -> Iterator[tuple[int, bytes]]:
    """(record type, body) from ``start`` to the end of a BIFF stream."""
    i = start
    while i + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, i)
        yield kind, stream[i + 4 : i + 4 + length]
        i += 4 + length


_END_OF_CHAIN = 0xFFFFFFFE


def cfb_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """The first of ``names`` found among the top streams of an OLE2 compound file (the
    container of an .xls), or None. Just enough of [MS-CFB] for that; a damaged file
    raises ValueError or struct.error, which the caller takes for damage."""
    if len(data) < 512 or data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValueError("not a compound file")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise ValueError(f"sector sizes 2**{shift}, 2**{mini_shift}")
    size, mini_size = 1 << shift, 1 << mini_shift
    (first_dir,) = struct.unpack_from("<I", data, 0x30)
    cutoff, first_minifat, _, first_difat, n_difat = struct.unpack_from("<5I", data, 0x38)
    limit = len(data) // size + 1  # no chain is longer than the file

    def sector(n: int) -> bytes:
        start = (n + 1) * size
        if start >= len(data):
            raise ValueError(f"sector {n} outside the file")
        return data[start : start + size]

    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    d = first_difat
    for _ in range(min(n_difat, limit)):
        if d >= _END_OF_CHAIN - 10:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(d))
        fat_sectors += entries[:-1]
        d = entries[-1]
    fat: list[int] = []
    for n in fat_sectors:
        if n < _END_OF_CHAIN - 10:
            fat += struct.unpack(f"<{size // 4}I", sector(n))

    def chain(start: int, table: list[int]) -> Iterator[int]:
        n = start
        for _ in range(limit * (size // mini_size)):
            if n >= _END_OF_CHAIN - 10 or n >= len(table):
                return
            yield n
            n = table[n]
        raise ValueError("a sector chain loops")

    directory = b"".join(sector(n) for n in chain(first_dir, fat))
    entries = []
    for i in range(0, len(directory) - 127, 128):
        e = directory[i : i + 128]
        name_len = struct.unpack_from("<H", e, 64)[0]
        name = e[: max(0, name_len - 2)].decode("utf-16-le", "replace")
        start, length = struct.unpack_from("<II", e, 116)
        entries.append((name, e[66], start, length))
    if not entries:
        raise ValueError("no directory")
    by_name = {name: (kind, start, length) for name, kind, start, length in entries}
    for wanted in names:
        if wanted not in by_name or by_name[wanted][0] != 2:  # 2: a stream
            continue
        _, start, length = by_name[wanted]
        if length >= cutoff:
            return b"".join(sector(n) for n in chain(start, fat))[:length]
        root_start = entries[0][2]
        mini_stream = b"".join(sector(n) for n in chain(root_start, fat))
        minifat: list[int] = []
        for n in chain(first_minifat, fat):
            minifat += struct.unpack(f"<{size // 4}I", sector(n))
        parts = [mini_stream[n * mini_size : (n + 1) * mini_size] for n in chain(start, minifat)]
        return b"".join(parts)[:length]
    return None
