"""The VBA project writer (seuranta_xl/xlsx/ovba.py) against independent readers: oletools'
[MS-OVBA] decompressor, olefile for the compound file, olevba for a whole project."""

from __future__ import annotations

import io
import random
import struct
import warnings

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():  # oletools' pyparsing grammar warns on import
    warnings.simplefilter("ignore")
    from oletools.olevba import decompress_stream

from seuranta_xl.xlsx import ovba

# text shaped like VBA (repeats near and far) and arbitrary bytes, across chunk boundaries
vba_like = st.lists(
    st.sampled_from(
        [b"Sub ", b"End Sub\r\n", b"    RunPython ", b'"import x"', b"\r\n", b"a", b"\xe4", b" "]
    ),
    max_size=3000,
).map(b"".join)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=9000), vba_like))
def test_compression_round_trips_through_oletools(data):
    try:
        packed = ovba.compress(data)
    except ValueError:  # only a short final chunk that does not compress cannot be stored
        tail = data[len(data) // 4096 * 4096 :]
        assert 0 < len(tail) < 4096 and len(ovba._compress_chunk(tail)) > 4096
        return
    assert bytes(decompress_stream(bytearray(packed))) == data
    assert ovba.decompress(packed) == data


def test_compression_past_700_bytes_and_chunk_edges():
    # ms-ovba-compression 1.0.1 corrupts streams past about 700 bytes: the cases that broke it
    text = "".join(f'Sub S{i}()\r\n    MsgBox "{i:05d}"\r\nEnd Sub\r\n' for i in range(400))
    for n in (699, 700, 701, 1500, 4095, 4096, 4097, 8192, len(text)):
        data = text.encode("cp1252")[:n]
        assert bytes(decompress_stream(bytearray(ovba.compress(data)))) == data
    long_run = b"x" * 10000  # the longest matches a token can say
    assert bytes(decompress_stream(bytearray(ovba.compress(long_run)))) == long_run
    assert len(ovba.compress(long_run)) < 200


def test_incompressible_chunks_are_stored_raw():
    data = random.Random(7).randbytes(8192)
    packed = ovba.compress(data)
    (header,) = struct.unpack_from("<H", packed, 1)
    assert header == 0x3FFF  # raw chunk, 4096 bytes
    assert bytes(decompress_stream(bytearray(packed))) == data
    # a raw chunk always stands for 4096 bytes: a short incompressible tail is refused, not
    # padded (which would add bytes to the module); VBA source text never comes near it
    with pytest.raises(ValueError, match="incompressible"):
        ovba.compress(random.Random(8).randbytes(4096 + 4000))


def decrypt(hex_text: str) -> tuple[int, bytes]:
    """[MS-OVBA] 2.4.3.3 Data Decryption: (version, data)."""
    raw = bytes.fromhex(hex_text)
    seed, version_enc, key_enc = raw[0], raw[1], raw[2]
    unencrypted1, encrypted1, encrypted2 = seed ^ key_enc, key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    ignored = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, ignored)
    data = bytes(plain[ignored + 4 :])
    assert len(data) == length
    return seed ^ version_enc, data


def test_project_stream_says_unprotected_and_visible():
    text = ovba.project_stream([ovba.Module("Seuranta", "")]).decode("cp1252")
    fields = dict(line.split("=", 1) for line in text.split("\r\n") if "=" in line)
    assert decrypt(fields["CMG"].strip('"')) == (2, bytes(4))
    assert decrypt(fields["DPB"].strip('"')) == (2, b"\x00")
    assert decrypt(fields["GC"].strip('"')) == (2, b"\xff")
    assert fields["Module"] == "Seuranta"


names = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789",
    min_size=1,
    max_size=31,
)
trees = st.recursive(
    st.binary(max_size=9000),
    lambda inner: st.dictionaries(names, inner, max_size=6),
    max_leaves=12,
)


def flat(tree, prefix=()):
    for name, value in tree.items():
        if isinstance(value, bytes):
            yield (*prefix, name), value
        else:
            yield (*prefix, name), None
            yield from flat(value, (*prefix, name))


def casefold_unique(tree) -> bool:
    if isinstance(tree, bytes):
        return True
    return len({n.upper() for n in tree}) == len(tree) and all(
        casefold_unique(v) for v in tree.values()
    )


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(names, trees, min_size=1, max_size=8).filter(casefold_unique))
def test_compound_file_reads_back_in_olefile(tree):
    ole = olefile.OleFileIO(
        io.BytesIO(ovba.compound_file(tree)), raise_defects=olefile.DEFECT_INCORRECT
    )
    try:
        for path, value in flat(tree):
            if value is None:
                assert ole.get_type(list(path)) == olefile.STGTY_STORAGE, path
            else:
                assert ole.get_type(list(path)) == olefile.STGTY_STREAM, path
                assert ole.openstream(list(path)).read() == value, path
        listed = {tuple(p) for p in ole.listdir(streams=True, storages=True)}
        assert listed == {p for p, _ in flat(tree)}
    finally:
        ole.close()


def black_height(entries, i, parent_red=False):
    """Black nodes on every path below sibling ``i``, checking the red-black and order rules."""
    if i == ovba.NOSTREAM:
        return 0
    e = entries[i]
    assert not (parent_red and not e.black), "a red node under a red node"
    left = black_height(entries, e.left, not e.black)
    assert left == black_height(entries, e.right, not e.black), "black heights differ"
    if e.left != ovba.NOSTREAM:
        assert ovba._order(entries[e.left].name) < ovba._order(e.name)
    if e.right != ovba.NOSTREAM:
        assert ovba._order(entries[e.right].name) > ovba._order(e.name)
    return left + (1 if e.black else 0)


def test_siblings_form_a_red_black_tree():
    # [MS-CFB] 2.6.4: a storage's children are a red-black tree ordered by length, then name
    for n in range(1, 41):
        entries = ovba._flatten({f"s{i:0{1 + i % 3}d}": b"x" for i in range(n)})
        assert black_height(entries, entries[0].child) >= 1, n
