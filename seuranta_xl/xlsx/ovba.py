"""A VBA project (``vbaProject.bin``) from module text, per [MS-OVBA] and [MS-CFB].

Written here rather than taken from a package: ``ms-ovba-compression`` 1.0.1 corrupts streams
past about 700 bytes and ``ms-ovba`` seeds the protection fields randomly and reads sources in
the locale's encoding (DESIGN.md). Everything below is deterministic: the same modules give the
same bytes. No performance cache is written (``_VBA_PROJECT`` is the 7-byte stream with version
0xFFFF), so Office compiles the project from the source on first open.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

CODE_PAGE = 1252
ENCODING = "cp1252"
CHUNK = 4096
Tree = dict[str, "bytes | Tree"]
"""Storages as dicts, streams as bytes."""

# --- [MS-OVBA] 2.4.1 compression ------------------------------------------------------------


def _copy_token_layout(difference: int) -> tuple[int, int]:
    """(bit count of the offset, maximum length) of a copy token at ``difference`` bytes into
    a chunk ([MS-OVBA] 2.4.1.3.19.1)."""
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(data: bytes) -> bytes:
    """One chunk's token sequences (without the header)."""
    out = bytearray()
    pos, end = 0, len(data)
    heads: dict[bytes, list[int]] = {}  # 3-byte prefix -> earlier positions in the chunk
    indexed = 0
    while pos < end:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            _, max_len = _copy_token_layout(pos)
            limit = min(max_len, end - pos)
            best_len, best_at = 0, 0
            if limit >= 3:
                # the nearest of the longest matches, as the spec's search finds it
                for cand in reversed(heads.get(data[pos : pos + 3], ())):
                    n = 3
                    while n < limit and data[cand + n] == data[pos + n]:
                        n += 1
                    if n > best_len:
                        best_len, best_at = n, cand
                        if n == limit:
                            break
            if best_len >= 3:
                bit_count, _ = _copy_token_layout(pos)
                token = ((pos - best_at - 1) << (16 - bit_count)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                pos += best_len
            else:
                out.append(data[pos])
                pos += 1
            for p in range(indexed, min(pos, end - 2)):
                heads.setdefault(data[p : p + 3], []).append(p)
            indexed = max(indexed, min(pos, end - 2))
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer ([MS-OVBA] 2.4.1.1.1) holding ``data``."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        chunk = data[start : start + CHUNK]
        body = _compress_chunk(chunk)
        if len(body) <= CHUNK:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
        elif len(chunk) == CHUNK:  # incompressible: a raw chunk holds exactly 4096 bytes
            out += struct.pack("<H", 0x3000 | (CHUNK + 2 - 3)) + chunk
        else:  # a short raw chunk would be padded and grow on the way back
            raise ValueError("an incompressible final chunk cannot be stored exactly")
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """The data of a CompressedContainer ([MS-OVBA] 2.4.1.3.1)."""
    if not container or container[0] != 1:
        raise ValueError("not a compressed container")
    out = bytearray()
    pos = 1
    while pos < len(container):
        (header,) = struct.unpack_from("<H", container, pos)
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0x7 != 0b011:
            raise ValueError(f"bad chunk signature at {pos}")
        body = container[pos + 2 : pos + size]
        pos += size
        start = len(out)
        if not header & 0x8000:
            out += body
            continue
        i = 0
        while i < len(body):
            flags = body[i]
            i += 1
            for bit in range(8):
                if i >= len(body):
                    break
                if flags >> bit & 1:
                    (token,) = struct.unpack_from("<H", body, i)
                    i += 2
                    bit_count, _ = _copy_token_layout(len(out) - start)
                    length = (token & (0xFFFF >> bit_count)) + 3
                    offset = (token >> (16 - bit_count)) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(body[i])
                    i += 1
    return bytes(out)


# --- the VBA storage ([MS-OVBA] 2.3) --------------------------------------------------------


@dataclass(frozen=True)
class Module:
    """One module: its name and its whole source as stored (Attribute lines included)."""

    name: str
    source: str
    document: bool = False  # ThisWorkbook, Sheet1: a document module, not a standard one

    def source_bytes(self) -> bytes:
        """The source as VBA stores it: cp1252 with CRLF line ends."""
        text = self.source.replace("\r\n", "\n").replace("\n", "\r\n")
        return text.encode(ENCODING)


# references every Excel project carries: OLE Automation, and Office (for IRibbonControl);
# version 2.0 of Office's library resolves to the newest 2.x installed
REFERENCES = (
    (
        "stdole",
        r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation",
    ),
    (
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
    ),
)
PROJECT_NAME = "VBAProject"
PROJECT_ID = "{5E2B6C1A-7D3F-4C8E-9A41-2F6B8D0C9E17}"  # fixed, so builds are reproducible
HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"


def _record(rid: int, data: bytes) -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _u16(value: int) -> bytes:
    return struct.pack("<H", value)


def _u32(value: int) -> bytes:
    return struct.pack("<I", value)


def dir_stream(modules: list[Module]) -> bytes:
    """The uncompressed ``dir`` stream ([MS-OVBA] 2.3.4.2)."""

    def mbcs(s: str) -> bytes:
        return s.encode(ENCODING)

    def utf16(s: str) -> bytes:
        return s.encode("utf-16-le")

    out = bytearray()
    out += _record(0x0001, _u32(1))  # SysKind: Win32 (Office accepts it on 64-bit too)
    out += _record(0x0002, _u32(0x0409))  # LCID
    out += _record(0x0014, _u32(0x0409))  # LCID invoke
    out += _record(0x0003, _u16(CODE_PAGE))
    out += _record(0x0004, mbcs(PROJECT_NAME))
    out += _record(0x0005, b"") + _record(0x0040, b"")  # doc string
    out += _record(0x0006, b"") + _record(0x003D, b"")  # help file
    out += _record(0x0007, _u32(0))  # help context
    out += _record(0x0008, _u32(0))  # lib flags
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # version: the size field says 4, 6 follow
    out += _record(0x000C, b"") + _record(0x003C, b"")  # constants
    for name, libid in REFERENCES:
        out += _record(0x0016, mbcs(name)) + _record(0x003E, utf16(name))
        lib = mbcs(libid)
        out += _record(0x000D, _u32(len(lib)) + lib + _u32(0) + _u16(0))
    out += _record(0x000F, _u16(len(modules)))
    out += _record(0x0013, _u16(0xFFFF))  # project cookie
    for m in modules:
        out += _record(0x0019, mbcs(m.name)) + _record(0x0047, utf16(m.name))
        out += _record(0x001A, mbcs(m.name)) + _record(0x0032, utf16(m.name))
        out += _record(0x001C, b"") + _record(0x0048, b"")  # doc string
        out += _record(0x0031, _u32(0))  # source starts at 0: no performance cache
        out += _record(0x001E, _u32(0))  # help context
        out += _record(0x002C, _u16(0xFFFF))  # module cookie
        out += _record(0x0022 if m.document else 0x0021, b"")
        out += _record(0x002B, b"")  # module terminator
    out += _record(0x0010, b"")  # dir terminator
    return bytes(out)


def encrypt(data: bytes, seed: int, project_id: str = PROJECT_ID) -> str:
    """[MS-OVBA] 2.4.3.2 Data Encryption, as the hex text PROJECT carries. The ignored bytes
    are zeros and the seed is given, so the result is reproducible."""
    version = 2
    key = sum(project_id.encode(ENCODING)) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ key])
    unencrypted1, encrypted1, encrypted2 = key, seed ^ key, seed ^ version
    ignored = (seed & 6) // 2
    for byte in bytes(ignored) + _u32(len(data)) + data:
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    return out.hex().upper()


NO_PROTECTION, NO_PASSWORD, VISIBLE = bytes(4), b"\x00", b"\xff"
"""[MS-OVBA] 2.3.1.15-17: an unprotected project, no password, visible in the editor."""


def project_stream(modules: list[Module]) -> bytes:
    """The ``PROJECT`` stream ([MS-OVBA] 2.3.1): an unprotected, visible project."""
    lines = [f'ID="{PROJECT_ID}"']
    for m in modules:
        lines.append(f"Document={m.name}/&H00000000" if m.document else f"Module={m.name}")
    lines += [
        f'Name="{PROJECT_NAME}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(NO_PROTECTION, 0x11)}"',
        f'DPB="{encrypt(NO_PASSWORD, 0x13)}"',
        f'GC="{encrypt(VISIBLE, 0x15)}"',
        "",
        "[Host Extender Info]",
        HOST_EXTENDER,
        "",
        "[Workspace]",
    ]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n").encode(ENCODING)


def project_wm_stream(modules: list[Module]) -> bytes:
    """The ``PROJECTwm`` stream ([MS-OVBA] 2.3.3): module names in cp1252 and UTF-16."""
    out = bytearray()
    for m in modules:
        out += m.name.encode(ENCODING) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


VBA_PROJECT_STREAM = bytes.fromhex("cc61ffff000300")
"""``_VBA_PROJECT`` with version 0xFFFF: no performance cache, Office compiles from source."""


def project_tree(modules: list[Module]) -> Tree:
    """The project's storages and streams, as ``compound_file`` takes them."""
    for m in modules:
        if not m.name.isascii() or not m.name.isidentifier():
            raise ValueError(f"module name {m.name!r}: ASCII letters, digits and _ only")
    vba: Tree = {
        "dir": compress(dir_stream(modules)),
        "_VBA_PROJECT": VBA_PROJECT_STREAM,
        **{m.name: compress(m.source_bytes()) for m in modules},
    }
    return {"PROJECT": project_stream(modules), "PROJECTwm": project_wm_stream(modules), "VBA": vba}


def vba_project(modules: list[Module]) -> bytes:
    """The whole ``vbaProject.bin``."""
    return compound_file(project_tree(modules))


# --- [MS-CFB] compound file, version 3 -----------------------------------------------------

SECTOR = 512
MINI = 64
MINI_CUTOFF = 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[int] | None = None
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    black: bool = True
    start: int = END
    size: int = 0


def _order(name: str) -> tuple[int, str]:
    """[MS-CFB] 2.6.4: shorter names first, then by upper-case code points."""
    return len(name), name.upper()


def _flatten(tree: Tree) -> list[_Entry]:
    entries = [_Entry("Root Entry", 5)]

    def add(parent: int, items: Tree) -> None:
        ids = []
        for name, value in items.items():
            if isinstance(value, bytes):
                entries.append(_Entry(name, 2, value))
                ids.append(len(entries) - 1)
            else:
                entries.append(_Entry(name, 1))
                ids.append(len(entries) - 1)
                add(ids[-1], value)
        ids.sort(key=lambda i: _order(entries[i].name))
        entries[parent].child = _balanced(entries, ids)

    add(0, tree)
    return entries


def _balanced(entries: list[_Entry], ids: list[int]) -> int:
    """A red-black tree of siblings: split at the middle (every level but the last is full),
    black above the deepest level, red on it."""
    if not ids:
        return NOSTREAM
    depth = len(ids).bit_length() - 1  # the deepest level of the split tree
    full = len(ids) == (1 << (depth + 1)) - 1

    def build(lo: int, hi: int, level: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        e = entries[ids[mid]]
        e.black = full or level < depth
        e.left = build(lo, mid, level + 1)
        e.right = build(mid + 1, hi, level + 1)
        return ids[mid]

    return build(0, len(ids), 0)


def _sectors(n: int, size: int = SECTOR) -> int:
    return -(-n // size)


def compound_file(tree: Tree) -> bytes:
    """A version 3 compound file holding ``tree`` (storages are dicts, streams bytes).
    Streams under 4096 bytes live in the mini stream, as readers expect."""
    entries = _flatten(tree)
    streams = [e for e in entries if e.kind == 2]
    mini = bytearray()
    mini_fat: list[int] = []
    for e in streams:
        e.size = len(e.data)
        if 0 < e.size < MINI_CUTOFF:
            e.start = len(mini) // MINI
            count = _sectors(e.size, MINI)
            mini_fat += [*range(e.start + 1, e.start + count), END]
            mini += e.data.ljust(count * MINI, b"\x00")
    big = [e for e in streams if e.size >= MINI_CUTOFF]

    n_dir = _sectors(len(entries) * 128)
    n_minifat = _sectors(len(mini_fat) * 4)
    n_mini = _sectors(len(mini))
    n_big = sum(_sectors(e.size) for e in big)
    n_other = n_dir + n_minifat + n_mini + n_big
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_fat + n_other:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for the header's FAT list")

    fat: list[int] = [FATSECT] * n_fat
    body = bytearray()

    def chain(data: bytes) -> int:
        start = n_fat + len(body) // SECTOR
        count = _sectors(len(data))
        fat.extend([*range(start + 1, start + count), END])
        body.extend(data.ljust(count * SECTOR, b"\x00"))
        return start

    dir_start = n_fat  # directory placeholder, filled once every start is known
    fat.extend([*range(dir_start + 1, dir_start + n_dir), END])
    body.extend(bytes(n_dir * SECTOR))
    mini_fat += [FREE] * (n_minifat * (SECTOR // 4) - len(mini_fat))
    minifat_start = chain(b"".join(_u32(x) for x in mini_fat)) if mini_fat else END
    root = entries[0]
    if mini:
        root.start, root.size = chain(bytes(mini)), len(mini)
    for e in big:
        e.start = chain(e.data)

    unused = n_dir * SECTOR // 128 - len(entries)
    directory = b"".join(_dir_entry(e) for e in entries) + _EMPTY_ENTRY * unused
    body[0 : n_dir * SECTOR] = directory

    fat += [FREE] * (n_fat * (SECTOR // 4) - len(fat))
    difat = list(range(n_fat)) + [FREE] * (109 - n_fat)
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + bytes(16)
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack(
            "<IIIIIIIII",
            0,
            n_fat,
            dir_start,
            0,
            MINI_CUTOFF,
            minifat_start,
            n_minifat,
            END,
            0,
        )
        + b"".join(_u32(x) for x in difat)
    )
    return header + b"".join(_u32(x) for x in fat) + bytes(body)


# an unused directory entry: empty name, no siblings or child ([MS-CFB] 2.6.3)
_EMPTY_ENTRY = bytes(64 + 4) + _u32(NOSTREAM) * 3 + bytes(16 + 4 + 8 + 8 + 4 + 8)


def _dir_entry(e: _Entry) -> bytes:
    name = e.name.encode("utf-16-le")
    if len(name) > 62:
        raise ValueError(f"compound file name too long: {e.name!r}")
    return (
        name.ljust(64, b"\x00")
        + struct.pack("<HBB", len(name) + 2, e.kind, 1 if e.black else 0)
        + struct.pack("<III", e.left, e.right, e.child)
        + bytes(16 + 4 + 8 + 8)  # class id, state bits, times: zero for reproducible bytes
        + struct.pack("<IQ", e.start, e.size)
    )
