"""Changing parts of an existing workbook in place, leaving every other part as it was.

openpyxl's load-and-save drops charts, images, controls and VBA and rewrites every style;
a coordinator's master may hold all of those. Here the zip is copied entry by entry and only
the named sheets' XML is replaced, so nothing else is touched.
"""

from __future__ import annotations

import copy
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from defusedxml import ElementTree

from ..errors import UnreadableFile, WriteError
from ..model import column_index, column_letter
from .save import EXCEL_MAX_ROWS, atomic_write

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL_ATTR = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part's path in the zip, through the workbook's relationships."""
    workbook = _office_document(zf)
    rels_path = posixpath.join(
        posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels"
    )
    rels = ElementTree.fromstring(zf.read(rels_path))
    targets = {}
    for rel in rels.iter(f"{NS_PKG}Relationship"):
        target = rel.get("Target", "")
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(workbook), target))
        targets[rel.get("Id")] = path
    root = ElementTree.fromstring(zf.read(workbook))
    out = {}
    for sheet in root.iter(f"{NS_MAIN}sheet"):
        rid = sheet.get(NS_REL_ATTR)
        if rid in targets:
            out[sheet.get("name", "")] = targets[rid]
    return out


def _office_document(zf: zipfile.ZipFile) -> str:
    rels = ElementTree.fromstring(zf.read("_rels/.rels"))
    for rel in rels.iter(f"{NS_PKG}Relationship"):
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target", "xl/workbook.xml").lstrip("/")
    return "xl/workbook.xml"


def replace_sheets(path: Path, new_xml: Mapping[str, str], *, backup: bool = True) -> Path | None:
    """Rewrite ``path`` with the named sheets' XML replaced; returns the backup made.

    Every other zip entry is carried over unchanged (same name, order, content and
    compression), so charts, images, VBA, styles and defined names survive.
    """
    return patch_sheets(
        path,
        {name: (lambda _old, x=xml: x.encode("utf-8")) for name, xml in new_xml.items()},
        backup=backup,
    )


def _rewrite(
    path: Path,
    by_part: Mapping[str, bytes],
    *,
    backup: bool,
    packed: Mapping[str, tuple[bytes, int]] | None = None,
) -> Path | None:
    """Write ``path`` anew with some parts replaced and the rest copied raw. ``packed``
    may hold the new parts already deflated (with their CRC-32)."""
    packed = packed or {}

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
            for info in src.infolist():
                data = by_part.get(info.filename)
                if data is None:
                    copy_entry_raw(src, dst, info)
                elif info.filename in packed:
                    deflated, crc = packed[info.filename]
                    _write_raw(dst, info, deflated, crc, len(data))
                else:
                    dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)

    def verify(tmp: Path) -> None:
        # the copied entries are the source's bytes; the rewritten ones must be on disk as
        # written (deflated ones compared as stored: no need to inflate them again)
        with zipfile.ZipFile(tmp) as zf:
            for part, data in by_part.items():
                if part in packed:
                    if _stored_bytes(zf, zf.getinfo(part)) != packed[part][0]:
                        raise OSError(f"written file differs at {part}")
                elif zf.read(part) != data:
                    raise OSError(f"written file differs at {part}")

    return atomic_write(path, write, backup=backup, verify=verify)


def _write_raw(
    dst: zipfile.ZipFile, info: zipfile.ZipInfo, deflated: bytes, crc: int, size: int
) -> None:
    """Add an entry whose data is already deflated."""
    new = copy.copy(info)
    new.compress_type = zipfile.ZIP_DEFLATED
    new.CRC, new.file_size, new.compress_size = crc, size, len(deflated)
    _append_raw(dst, new, deflated)


def _append_raw(dst: zipfile.ZipFile, new: zipfile.ZipInfo, data: bytes) -> None:
    """Write an entry's local header and its (compressed) bytes as they are."""
    assert dst.fp is not None
    new.flag_bits &= ~0x08  # sizes and CRC go in the local header: no data descriptor
    new.header_offset = dst.fp.tell()
    dst.fp.write(new.FileHeader())
    dst.fp.write(data)
    dst.filelist.append(new)
    dst.NameToInfo[new.filename] = new
    dst.start_dir = dst.fp.tell()
    dst._didModify = True


def _stored_bytes(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """An entry's bytes as stored (compressed), read past its local header."""
    assert zf.fp is not None
    zf.fp.seek(info.header_offset)
    local = zf.fp.read(30)
    if local[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    zf.fp.seek(info.header_offset + 30 + name_len + extra_len)
    return zf.fp.read(info.compress_size)


def copy_entry_raw(src: zipfile.ZipFile, dst: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one entry's compressed bytes as they are: no inflate and deflate again, so a
    large sheet costs a file copy, and the entry stays bit-for-bit what it was.

    Uses ZipFile's documented-by-convention internals (fp, start_dir, filelist); the
    written file is verified by the caller before it replaces anything.
    """
    _append_raw(dst, copy.copy(info), _stored_bytes(src, info))


# --------------------------------------------------------------------------- cells in place

_ROW_RE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"[^>]*?(/?)>')
_PLAIN_ROW_RE = re.compile(rb'<row\b[^>]*?\sr="(\d+)"[^>]*?(/?)>')
_CELL_RE = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})(\d+)"[^>]*?(?:/>|>.*?</(?:\w+:)?c>)', re.S
)
_STYLE_RE = re.compile(rb'\ss="(\d+)"')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
_SHEETDATA_END_RE = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")
_REF_ATTR_RE = re.compile(
    rb'(<(?:\w+:)?(dimension|autoFilter)\b[^>]*?\sref=")([A-Z]+\d+)(?::([A-Z]+)(\d+))?(")'
)


def set_cells(
    xml: bytes, edits: Mapping[tuple[int, int], object]
) -> tuple[bytes, list[tuple[int, int]]]:
    """Set cells of a worksheet's XML in place: ``(row, column) -> value``.

    A cell keeps its style; text goes in as an inline string (never a formula); a cell
    that holds a formula is not touched and is returned among the skipped. Cells and rows
    that do not exist yet are inserted in order.
    """
    from .ooxml import cell_xml

    rows: dict[int, tuple[int, int, bool]] = {}  # row -> (start, end of open tag, self-closing)
    # most writers use no namespace prefix: a literal-first pattern finds rows much faster
    row_re = _PLAIN_ROW_RE if b"<row" in xml[:200_000] else _ROW_RE
    for m in row_re.finditer(xml):
        rows[int(m.group(1))] = (m.start(), m.end(), m.group(2) == b"/")
    by_row: dict[int, dict[int, object]] = {}
    for (r, c), value in edits.items():
        by_row.setdefault(r, {})[c] = value
    splices: list[tuple[int, int, int, bytes]] = []  # (start, end, column, new bytes)
    skipped: list[tuple[int, int]] = []
    for r, cols in sorted(by_row.items()):
        if r not in rows:
            cells = b"".join(
                cell_xml(f"{column_letter(c)}{r}", v, 0).encode() for c, v in sorted(cols.items())
            )
            at = _row_insert_point(xml, rows, r)
            splices.append((at, at, 0, b'<row r="%d">' % r + cells + b"</row>"))
            continue
        _, open_end, closed = rows[r]
        if closed:
            cells = b"".join(
                cell_xml(f"{column_letter(c)}{r}", v, 0).encode() for c, v in sorted(cols.items())
            )
            splices.append((open_end - 2, open_end, 0, b">" + cells + b"</row>"))
            continue
        end = _row_end(xml, open_end)
        present = {column_index(m.group(1)): m for m in _CELL_RE.finditer(xml, open_end, end)}
        for c, value in sorted(cols.items()):
            ref = f"{column_letter(c)}{r}"
            m = present.get(c)
            if m is not None:
                old = m.group(0)
                if _FORMULA_RE.search(old):
                    skipped.append((r, c))
                    continue
                style = _STYLE_RE.search(old[: old.index(b">")])
                s = int(style.group(1)) if style else 0
                splices.append((m.start(), m.end(), c, cell_xml(ref, value, s).encode()))
            else:
                later = [mm for cc, mm in present.items() if cc > c]
                at = min(mm.start() for mm in later) if later else end
                splices.append((at, at, c, cell_xml(ref, value, 0).encode()))
    # stitched together in one pass: splicing a large sheet in place would move its tail
    # once per edit
    pieces: list[bytes] = []
    pos = 0
    for a, b, _, data in sorted(splices, key=lambda t: (t[0], t[2], t[1])):
        pieces.append(xml[pos:a])
        pieces.append(data)
        pos = b
    pieces.append(xml[pos:])
    return b"".join(pieces), skipped


def _row_end(xml: bytes, open_end: int) -> int:
    """Where a row's ``</row>`` starts (rows never nest)."""
    m = re.compile(rb"</(?:\w+:)?row>").search(xml, open_end)
    if m is None:
        raise ValueError("unterminated row")
    return m.start()


def _row_insert_point(xml: bytes, rows: dict[int, tuple[int, int, bool]], r: int) -> int:
    later = [start for n, (start, _, _) in rows.items() if n > r]
    if later:
        return min(later)
    m = _SHEETDATA_END_RE.search(xml)
    if m is None:
        raise ValueError("worksheet has no sheetData")
    if m.group(0).endswith(b"/>"):
        raise ValueError("empty sheetData")
    return m.start()


class SheetFull(ValueError):
    """Rows would go beyond the last row a worksheet may have (``patch_sheets`` names the
    file and sheet)."""

    def __init__(self, first: int, last: int) -> None:
        super().__init__(f"rows {first}-{last} beyond {EXCEL_MAX_ROWS}")
        self.first, self.last = first, last


def append_rows(xml: bytes, rows: list[list[object]], time_style: int = 0) -> bytes:
    """Append rows after the last row of a worksheet's XML, growing its dimension and
    filter to cover them. The rows already there are not touched. SheetFull when they would
    go past row 1,048,576 (Excel opens no file with more). A datetime goes in as a real
    date in cell format ``time_style`` (see ``datestyle.TimeStyle``)."""
    if not rows:
        return xml
    last = max((int(m.group(1)) for m in _ROW_RE.finditer(xml)), default=0)
    if last + len(rows) > EXCEL_MAX_ROWS:
        raise SheetFull(last + 1, last + len(rows))
    body = b"".join(
        b'<row r="%d">' % (last + 1 + i)
        + b"".join(
            tool_cell_xml(f"{column_letter(c)}{last + 1 + i}", v, time_style).encode()
            for c, v in enumerate(values, start=1)
        )
        + b"</row>"
        for i, values in enumerate(rows)
    )
    m = _SHEETDATA_END_RE.search(xml)
    if m is None:
        raise ValueError("worksheet has no sheetData")
    if m.group(0).endswith(b"/>"):
        xml = xml[: m.start()] + b"<sheetData>" + body + b"</sheetData>" + xml[m.end() :]
    else:
        xml = xml[: m.start()] + body + xml[m.start() :]
    new_last = last + len(rows)
    width = max(len(r) for r in rows)

    def grow(m: re.Match[bytes]) -> bytes:
        first = m.group(3)
        last_col = m.group(4) or re.sub(rb"\d+", b"", first)
        col = max(column_index(last_col), width)
        return (
            m.group(1) + first + b":" + column_letter(col).encode() + b"%d" % new_last + m.group(6)
        )

    return _REF_ATTR_RE.sub(grow, xml)


def patch_sheets(
    path: Path,
    transforms: Mapping[str, Callable[[bytes], bytes]],
    *,
    backup: bool = True,
    styles: Callable[[bytes], bytes] | None = None,
) -> Path | None:
    """Rewrite ``path`` with the named sheets' XML transformed; every other entry is
    carried over byte for byte. ``styles``, when given, transforms the stylesheet first
    (which is written only if it changed). Returns the backup made."""
    path = Path(path)
    with zipfile.ZipFile(path) as zf:
        parts = sheet_parts(zf)
        missing = [name for name in transforms if name not in parts]
        if missing:
            raise UnreadableFile("corrupt", path=str(path), detail=f"no sheet {', '.join(missing)}")
        # each part is deflated on a thread (zlib lets go of the GIL) while the next is built
        with ThreadPoolExecutor(max_workers=2) as pool:
            new: dict[str, bytes] = {}
            packed: dict[str, Future[tuple[bytes, int]]] = {}
            if styles is not None:
                name = styles_part(zf)
                old = zf.read(name)
                changed = styles(old)
                if changed != old:
                    new[name] = changed
                    packed[name] = pool.submit(_deflate, changed)
            for name, fn in transforms.items():
                part = parts[name]
                try:
                    new[part] = fn(zf.read(part))
                except SheetFull as full:  # refused before anything is written
                    raise WriteError(
                        "sheet_full", path=str(path), sheet=name, first=full.first, last=full.last
                    ) from None
                packed[part] = pool.submit(_deflate, new[part])
            ready = {part: future.result() for part, future in packed.items()}
    return _rewrite(path, new, backup=backup, packed=ready)


def _deflate(data: bytes) -> tuple[bytes, int]:
    """Raw deflate at level 1 (a large sheet deflates several times faster than at the
    default, a little larger) and the CRC-32, as a zip entry stores them."""
    co = zlib.compressobj(1, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush(), zlib.crc32(data)


# --------------------------------------------------------------------------- issue 10 (init)


def styles_part(zf: zipfile.ZipFile) -> str:
    """The stylesheet's part name, through the workbook's relationships."""
    workbook = _office_document(zf)
    folder = posixpath.dirname(workbook)
    rels = ElementTree.fromstring(
        zf.read(posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels"))
    )
    for rel in rels.iter(f"{NS_PKG}Relationship"):
        if rel.get("Type", "").endswith("/styles"):
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join(folder, target))
    return posixpath.join(folder, "styles.xml")


def deflate(data: bytes) -> tuple[bytes, int]:
    """A part deflated as a zip entry stores it, with its CRC-32 (level 1, as merge)."""
    return _deflate(data)


def write_deflated(
    dst: zipfile.ZipFile, info: zipfile.ZipInfo, deflated: bytes, crc: int, size: int
) -> None:
    """Add an entry (named and dated as ``info``) whose data is already deflated."""
    _write_raw(dst, info, deflated, crc, size)


def verify_parts(path: Path, packed: Mapping[str, bytes]) -> None:
    """The written zip holds the workbook part and each of ``packed`` (part -> deflated
    bytes) as written."""
    with zipfile.ZipFile(path) as zf:
        if _office_document(zf) not in zf.namelist():
            raise OSError("written file has no workbook part")
        for part, deflated in packed.items():
            if _stored_bytes(zf, zf.getinfo(part)) != deflated:
                raise OSError(f"written file differs at {part}")


def tool_cell_xml(ref: str, value: object, time_style: int) -> str:
    """A cell of the tool's own sheets: a datetime as a real date in cell format
    ``time_style``, anything else as ``ooxml.cell_xml`` writes it (unstyled)."""
    from .datestyle import excel_serial
    from .ooxml import cell_xml

    if isinstance(value, datetime):
        return cell_xml(ref, excel_serial(value), time_style)
    return cell_xml(ref, value, 0)
