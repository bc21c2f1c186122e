"""Telling files apart before parsing, and refusing the ones that would hurt."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from seuranta_xl import UnreadableFile, validate
from seuranta_xl.xlsx.sniff import Kind, Limits, sniff

from .conftest import CORPUS, HEADERS, write_xlsx


def _reason(path: Path, **kw) -> str:
    with pytest.raises(UnreadableFile) as err:
        sniff(path, **kw)
    return err.value.key


def test_plain_workbook_and_text(tmp_path):
    assert sniff(write_xlsx(tmp_path / "a.xlsx", [HEADERS])) is Kind.XLSX
    text = tmp_path / "a.txt"
    text.write_text("\t".join(HEADERS), encoding="utf-8")
    assert sniff(text) is Kind.TEXT
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes("\t".join(HEADERS).encode("utf-16"))
    assert sniff(utf16) is Kind.TEXT


def test_missing_empty_and_folder(tmp_path):
    assert _reason(tmp_path / "nope.xlsx") == "missing"
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert _reason(tmp_path / "empty.xlsx") == "empty"
    assert _reason(tmp_path) == "is_directory"


def test_html_renamed_as_xlsx(tmp_path):
    p = tmp_path / "export.xlsx"
    p.write_text("<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>")
    assert _reason(p) == "html"


def test_binary_junk_is_not_a_spreadsheet(tmp_path):
    p = tmp_path / "kuva.xlsx"
    p.write_bytes(bytes(range(256)) * 20)
    assert _reason(p) == "not_spreadsheet"


def test_truncated_workbook(tmp_path):
    whole = write_xlsx(tmp_path / "whole.xlsx", [HEADERS, ["01. A"] + [""] * 7] * 200).read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole[: len(whole) // 2])
    assert _reason(cut) == "corrupt"


def test_damaged_entry_is_corrupt(tmp_path):
    p = write_xlsx(tmp_path / "bad.xlsx", [HEADERS] * 50)
    data = bytearray(p.read_bytes())
    with zipfile.ZipFile(p) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 5
    data[start : start + 20] = b"\x00" * 20
    p.write_bytes(bytes(data))
    assert _reason(p) == "corrupt"


def test_encrypted_workbook(tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(tmp_path / "plain.xlsx", [HEADERS])
    enc = tmp_path / "salattu.xlsx"
    with plain.open("rb") as src, enc.open("wb") as out:
        OOXMLFile(src).encrypt("salasana", out)
    assert msoffcrypto.olefile.isOleFile(str(enc))
    assert _reason(enc) == "encrypted"
    with pytest.raises(UnreadableFile) as err:
        validate(enc)
    assert "salattu" in err.value.message("fi")


def _rewrite_part(src: Path, dst: Path, part: str, old: bytes, new: bytes) -> Path:
    """A copy of a workbook with one part's bytes replaced."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            zout.writestr(item, data.replace(old, new) if item.filename == part else data)
    return dst


def test_strict_open_xml(tmp_path):
    p = write_xlsx(tmp_path / "plain.xlsx", [HEADERS])
    strict = _rewrite_part(
        p,
        tmp_path / "strict.xlsx",
        "xl/workbook.xml",
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    )
    assert _reason(strict) == "strict"


def test_zip_bomb_is_refused_unopened(tmp_path):
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    assert _reason(p) == "too_large"


def test_too_many_entries(tmp_path):
    p = tmp_path / "many.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(20):
            zf.writestr(f"x/{i}", "")
    assert _reason(p, limits=Limits(max_entries=10)) == "too_large"


def test_cell_at_the_last_address_is_refused(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "Valtuustokauden tavoite"
    wb.active["XFD1048576"] = "x"
    p = tmp_path / "far.xlsx"
    wb.save(p)
    assert _reason(p) == "too_large"


def test_lying_dimension_does_not_hide_a_far_cell(tmp_path):
    p = write_xlsx(tmp_path / "plain.xlsx", [HEADERS])
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    lying = _rewrite_part(
        p,
        tmp_path / "lying.xlsx",
        "xl/worksheets/sheet1.xml",
        b"</sheetData>",
        far + b"</sheetData>",
    )
    assert _reason(lying) == "too_large"


def test_ods_and_xlsb_by_content(tmp_path):
    ods = tmp_path / "renamed.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<x/>")
    ods.write_bytes(buf.getvalue())
    assert _reason(ods) == "ods"
    xlsb = tmp_path / "b.xlsb"
    with zipfile.ZipFile(xlsb, "w") as zf:
        zf.writestr("xl/workbook.bin", b"\x00")
    assert _reason(xlsb) == "xlsb"


CORPUS_FILES = (
    sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix in {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
    )
    if CORPUS.exists()
    else []
)

_SWEEP = """
import sys
from seuranta_xl import SeurantaError, validate
for name in sys.argv[1:]:
    try:
        result = validate(name)
        print("OK", name, len(result.plan.rows), flush=True)
    except SeurantaError as exc:
        print("REFUSED", exc.key, name, flush=True)
"""


@pytest.mark.skipif(
    not CORPUS_FILES, reason="the spreadsheet corpus (../shared/corpus) is not here"
)
def test_corpus_files_are_refused_or_read_never_crash():
    # one child process: a crash or a hang in a parser would show here, not kill pytest
    out = subprocess.run(
        [sys.executable, "-c", _SWEEP, *map(str, CORPUS_FILES)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert len(lines) == len(CORPUS_FILES), out.stderr[-3000:]
    by_name = {line.split()[-1 if line.startswith("REFUSED") else 1]: line for line in lines}
    for name, expected in {
        "pass_protected.xlsx": "encrypted",
        "password.xlsx": "encrypted",
        "any_sheets.xls": "xls",
        "any_sheets.ods": "ods",
        "any_sheets.xlsb": "xlsb",
        "issue_594_dos.ods": "ods",
    }.items():
        hits = [line for n, line in by_name.items() if n.endswith("/" + name)]
        assert hits and all(f"REFUSED {expected} " in h for h in hits), (name, hits)
