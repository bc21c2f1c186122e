"""Issue 10: the style book over any workbook's styles.xml, the app.xml sheet list, and the
sheet XML's schema order."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime

from defusedxml import ElementTree
from hypothesis import given, settings
from hypothesis import strategies as st

from seuranta_xl.xlsx.package import app_titles
from seuranta_xl.xlsx.sheetspec import DATE_TIME_FORMAT, PERCENT_FORMAT, Look, SheetSpec
from seuranta_xl.xlsx.sheetxml import render, serial
from seuranta_xl.xlsx.styles import MINIMAL_STYLES, StyleBook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PREFIXED = (
    f'<?xml version="1.0"?><x:styleSheet xmlns:x="{MAIN}">'
    '<x:numFmts count="1"><x:numFmt numFmtId="164" formatCode="0.000"/></x:numFmts>'
    '<x:fonts count="1"><x:font><x:sz val="10"/><x:name val="Arial"/></x:font></x:fonts>'
    '<x:fills count="2"><x:fill><x:patternFill patternType="none"/></x:fill>'
    '<x:fill><x:patternFill patternType="gray125"/></x:fill></x:fills>'
    '<x:borders count="1"><x:border/></x:borders>'
    '<x:cellXfs count="1"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></x:cellXfs>'
    "</x:styleSheet>"
)
BARE = f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts></styleSheet>'
LOOKS = [
    Look(),
    Look(bold=True, fill="1F4E78", color="FFFFFF", border=True, halign="center", wrap=True),
    Look(number_format=PERCENT_FORMAT),
    Look(number_format=DATE_TIME_FORMAT, italic=True),
]

looks = st.builds(
    Look,
    bold=st.booleans(),
    italic=st.booleans(),
    size=st.sampled_from([8.0, 11.0, 14.0]),
    fill=st.sampled_from(["", "DDEBF7", "C00000"]),
    border=st.booleans(),
    wrap=st.booleans(),
    halign=st.sampled_from(["", "left", "center"]),
    number_format=st.sampled_from(["", PERCENT_FORMAT, DATE_TIME_FORMAT, "0.0 %"]),
)


def _counts_agree(xml: bytes) -> None:
    root = ElementTree.fromstring(xml)
    for section in root:
        count = section.get("count")
        if count is not None:
            assert int(count) == len(section), section.tag


def _check(xml: bytes, looks: list[Look]) -> None:
    book = StyleBook(xml)
    first = [book.index(look) for look in looks]
    out = book.xml()
    _counts_agree(out)
    root = ElementTree.fromstring(out)
    xfs = root.find(f"{{{MAIN}}}cellXfs")
    assert all(0 <= i < len(xfs) for i in first)
    ids = [int(n.get("numFmtId")) for n in root.iter(f"{{{MAIN}}}numFmt")]
    assert len(ids) == len(set(ids)) and all(i >= 164 for i in ids)
    # a second book over the result adds nothing and gives the same indices
    again = StyleBook(out)
    assert [again.index(look) for look in looks] == first
    assert again.xml() == out


def test_a_prefixed_stylesheet_gets_prefixed_entries_and_no_numfmt_collides():
    _check(PREFIXED.encode(), LOOKS)
    out = StyleBook(PREFIXED.encode())
    out.index(LOOKS[2])
    xml = out.xml()
    assert b"<numFmt" not in xml and b'<x:numFmt numFmtId="165"' in xml
    assert xml.startswith(PREFIXED.encode()[: PREFIXED.index("<x:numFmts")])


def test_a_stylesheet_missing_sections_gets_them_in_schema_order():
    book = StyleBook(BARE.encode())
    for look in LOOKS:
        book.index(look)
    book.dxf("FFC7CE")
    xml = book.xml()
    _counts_agree(xml)
    tags = [e.tag.split("}")[1] for e in ElementTree.fromstring(xml)]
    order = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "dxfs"]
    assert tags == order
    fills = ElementTree.fromstring(xml).find(f"{{{MAIN}}}fills")
    assert [f[0].get("patternType") for f in fills][:2] == ["none", "gray125"]


def test_nothing_added_leaves_the_bytes_as_they_were():
    book = StyleBook(PREFIXED.encode())
    assert book.xml() == PREFIXED.encode()


@settings(max_examples=40, deadline=None)
@given(st.lists(looks, min_size=1, max_size=8))
def test_any_looks_twice_give_the_same_styles(chosen):
    _check(MINIMAL_STYLES.encode(), chosen)
    _check(PREFIXED.encode(), chosen)


def test_real_writers_stylesheets(sample_path, tmp_path):
    """openpyxl's (the master init writes) and Excel's fixed one (owner workbooks)."""
    from seuranta_xl import init_master

    master = init_master(sample_path, tmp_path / "m.xlsx").master
    with zipfile.ZipFile(master) as zf:
        _check(zf.read("xl/styles.xml"), LOOKS)


def test_a_sheet_is_written_in_schema_order_with_dates_as_serials():
    spec = SheetSpec(kind="returns", name="Palautustilanne", freeze_row=4, title_rows=(4, 4))
    spec.put(1, 1, "Otsikko", Look(bold=True))
    spec.put(5, 1, datetime(2026, 3, 1, 12, 30))
    spec.put(5, 2, "=SUM(A1)")  # text, never a formula
    spec.put(6, 4, "Linkki", link="'Seuranta'!F12")
    spec.merged.append("A1:D1")
    spec.row_breaks.append(5)
    spec.page_header = "&L&8Kierros 2026-1"
    spec.autofilter = "A4:D6"
    book = StyleBook(MINIMAL_STYLES.encode())
    xml = render(spec, book, spec.name).xml
    root = ElementTree.fromstring(xml)
    tags = [e.tag.split("}")[1] for e in root]
    assert tags == [
        "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "sheetData", "autoFilter",
        "mergeCells", "hyperlinks", "pageMargins", "pageSetup", "headerFooter", "rowBreaks",
    ]  # fmt: skip
    assert b"<f>" not in xml and b"=SUM(A1)" in xml
    assert f"<v>{serial(datetime(2026, 3, 1, 12, 30))!r}</v>".encode() in xml
    assert serial(datetime(2026, 3, 1, 12, 0)) == 46082.5
    margins = root.find(f"{{{MAIN}}}pageMargins")
    assert float(margins.get("header")) < float(margins.get("top"))
    setup = root.find(f"{{{MAIN}}}pageSetup")
    assert setup.get("paperSize") == "9" and setup.get("fitToHeight") == "0"
    assert re.search(rb'location="\'Seuranta\'!F12"', xml)


APP = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<HeadingPairs><vt:vector size="4" baseType="variant">'
    "<vt:variant><vt:lpstr>Laskentataulukot</vt:lpstr></vt:variant><vt:variant><vt:i4>2</vt:i4>"
    "</vt:variant><vt:variant><vt:lpstr>Nimetyt alueet</vt:lpstr></vt:variant><vt:variant>"
    '<vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="3" '
    'baseType="lpstr"><vt:lpstr>Seuranta</vt:lpstr><vt:lpstr>Oma</vt:lpstr>'
    "<vt:lpstr>Seuranta!Print_Titles</vt:lpstr></vt:vector></TitlesOfParts></Properties>"
)


def test_app_xml_lists_the_sheets_and_keeps_the_rest():
    out = app_titles(APP.encode(), ["Havainnot", "Seuranta", "Oma"]).decode()
    assert '<vt:vector size="4" baseType="lpstr">' in out
    assert "<vt:i4>3</vt:i4>" in out and "<vt:i4>1</vt:i4>" in out
    titles = re.findall(r"<vt:lpstr>([^<]*)</vt:lpstr>", out.split("<TitlesOfParts>")[1])
    assert titles == ["Havainnot", "Seuranta", "Oma", "Seuranta!Print_Titles"]
    assert app_titles(out.encode(), ["Havainnot", "Seuranta", "Oma"]).decode() == out
