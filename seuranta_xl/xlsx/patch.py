"""Changing parts of an existing workbook in place, leaving every other part as it was.

openpyxl's load-and-save drops charts, images, controls and VBA and rewrites every style;
a coordinator's master may hold all of those. Here the zip is copied entry by entry and only
the named sheets' XML is replaced, so nothing else is touched.
"""

from __future__ import annotations

import copy
import posixpath
import struct
import zipfile
from collections.abc import Mapping
from pathlib import Path

from defusedxml import ElementTree

from ..errors import UnreadableFile
from .save import atomic_write

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
    path = Path(path)
    with zipfile.ZipFile(path) as zf:
        parts = sheet_parts(zf)
    missing = [name for name in new_xml if name not in parts]
    if missing:
        raise UnreadableFile("corrupt", path=str(path), detail=f"no sheet {', '.join(missing)}")
    by_part = {parts[name]: xml.encode("utf-8") for name, xml in new_xml.items()}

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
            for info in src.infolist():
                data = by_part.get(info.filename)
                if data is None:
                    copy_entry_raw(src, dst, info)
                else:
                    dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)

    def verify(tmp: Path) -> None:
        # the copied entries are the source's bytes; the rewritten ones must read back whole
        with zipfile.ZipFile(tmp) as zf:
            names = zf.namelist()
            if "xl/workbook.xml" not in names and not any(
                n.endswith("workbook.xml") for n in names
            ):
                raise OSError("written file has no workbook part")
            for part, data in by_part.items():
                if zf.read(part) != data:
                    raise OSError(f"written file differs at {part}")

    return atomic_write(path, write, backup=backup, verify=verify)


def copy_entry_raw(src: zipfile.ZipFile, dst: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one entry's compressed bytes as they are: no inflate and deflate again, so a
    large sheet costs a file copy, and the entry stays bit-for-bit what it was.

    Uses ZipFile's documented-by-convention internals (fp, start_dir, filelist); the
    written file is verified by the caller before it replaces anything.
    """
    assert src.fp is not None and dst.fp is not None
    src.fp.seek(info.header_offset)
    local = src.fp.read(30)
    if local[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    src.fp.seek(info.header_offset + 30 + name_len + extra_len)
    data = src.fp.read(info.compress_size)
    new = copy.copy(info)
    new.flag_bits &= ~0x08  # sizes and CRC go in the local header: no data descriptor
    new.header_offset = dst.fp.tell()
    dst.fp.write(new.FileHeader())
    dst.fp.write(data)
    dst.filelist.append(new)
    dst.NameToInfo[new.filename] = new
    dst.start_dir = dst.fp.tell()
    dst._didModify = True
