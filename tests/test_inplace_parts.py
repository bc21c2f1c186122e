"""Issue 10, item 1: ``summary`` and ``validate --mark`` write in place. A master holding the
coordinator's chart, image, comment, defined names, data validation, an extra (pivot-like)
part and macros keeps every part the tool does not own byte for byte, and running either
twice gives the same file."""

from __future__ import annotations

import re
import struct
import warnings
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seuranta_xl.api import summary, validate_and_mark
from seuranta_xl.model import Code
from seuranta_xl.xlsx.marks import marked_in_zip
from seuranta_xl.xlsx.master import MARK_FORMULA
from seuranta_xl.xlsx.patch import sheet_parts

from .conftest import REPO, run_cli

NOW = datetime(2021, 5, 3, 12, 0)
OWN = "Koordinaattori"
# the entries a run may change: the package's lists, the styles and the data sheet (--mark)
CHANGED = {
    "[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
    "docProps/app.xml",
}  # fmt: skip
OLD_MARK = (
    '<conditionalFormatting sqref="A1"><cfRule type="expression" priority="7">'
    "<formula>LEN(&quot;seuranta-xl&quot;)&gt;0</formula></cfRule></conditionalFormatting>"
)


def _png() -> bytes:
    """A 1x1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = zlib.compress(b"\x00\xff\x00\x00")
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


PIC = (
    "<xdr:oneCellAnchor><xdr:from><xdr:col>6</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1"
    '</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="300000" cy="300000"/>'
    '<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="9" name="Logo"/><xdr:cNvPicPr/></xdr:nvPicPr>'
    '<xdr:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships" r:embed="rIdLogo"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
    '<xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>'
    "<xdr:clientData/></xdr:oneCellAnchor>"
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PIVOT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<pivotCacheDefinition '
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" recordCount="0"/>'
)


def coordinators_master(master: Path, *, macros: bool = False) -> Path:
    """``master`` with what a coordinator adds: a sheet of their own with a chart, an
    image, a cell comment, a data validation, a print area and names (one workbook-wide,
    one scoped to their sheet), an extra part, and with ``macros`` a VBA project (saved as
    .xlsm)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = load_workbook(master)
    ws = wb.create_sheet(OWN)
    ws["A1"] = "Oma laskelma"
    for r, v in enumerate((3, 5, 2), start=2):
        ws.cell(row=r, column=2, value=v)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=2, max_row=4))
    ws.add_chart(chart, "D2")
    ws["A1"].comment = Comment("Tarkista luvut", "Koordinaattori")
    dv = DataValidation(type="list", formula1='"kyllä,ei"')
    ws.add_data_validation(dv)
    dv.add("A6")
    ws.print_area = "A1:D10"
    wb.save(master)
    index = wb.sheetnames.index(OWN)
    with zipfile.ZipFile(master) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
        own = sheet_parts(zf)[OWN]
    drawing = next(n for n in parts if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n))
    drels = drawing.replace("drawings/", "drawings/_rels/") + ".rels"
    parts[drawing] = parts[drawing].replace(b"</xdr:wsDr>", PIC.encode() + b"</xdr:wsDr>")
    parts[drels] = parts[drels].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdLogo" Type="{REL}/image" Target="../media/logo1.png"/>'.encode()
        + b"</Relationships>",
    )
    parts["xl/media/logo1.png"] = _png()
    parts["xl/pivotCache/pivotCacheDefinition1.xml"] = PIVOT.encode()
    types = [
        '<Default Extension="png" ContentType="image/png"/>',
        '<Override PartName="/xl/pivotCache/pivotCacheDefinition1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml"/>',
    ]
    rels = [f'<Relationship Id="rIdPivot" Type="{REL}/pivotCacheDefinition" '
            'Target="pivotCache/pivotCacheDefinition1.xml"/>']  # fmt: skip
    if macros:
        # a real VBA project: the add-in's, which LibreOffice loads (tests/test_addin_*)
        with zipfile.ZipFile(REPO / "xlsx_templates" / "seuranta.xlam") as addin:
            parts["xl/vbaProject.bin"] = addin.read("xl/vbaProject.bin")
        types.append(
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        )
        rels.append(
            '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
            'relationships/vbaProject" Target="vbaProject.bin"/>'
        )
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", "".join(types).encode() + b"</Types>"
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", "".join(rels).encode() + b"</Relationships>"
    )
    names = (
        f'<definedName name="Oma_alue">{OWN}!$B$2:$B$4</definedName>'
        f'<definedName name="Paikallinen" localSheetId="{index}">{OWN}!$A$1</definedName>'
    ).encode()
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</definedNames>", names + b"</definedNames>"
    )
    # a highlight an earlier --mark left in the coordinator's sheet
    parts[own] = re.sub(rb"(<dataValidations)", OLD_MARK.encode() + rb"\1", parts[own], count=1)
    assert OLD_MARK.encode() in parts[own]
    target = master.with_suffix(".xlsm") if macros else master
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    if macros:
        master.unlink()
    return target


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _tool_parts(path: Path) -> set[str]:
    """The tool's own sheets' parts and everything reachable from their relationships."""
    out: set[str] = set()
    with zipfile.ZipFile(path) as zf:
        parts = sheet_parts(zf)
        names = set(zf.namelist())
        todo = [parts[s] for s in marked_in_zip(path)]
        while todo:
            part = todo.pop()
            out.add(part)
            rels = part.rsplit("/", 1)[0] + "/_rels/" + part.rsplit("/", 1)[1] + ".rels"
            if rels in names:
                out.add(rels)
                for target in re.findall(rb'Target="([^"]+)"', zf.read(rels)):
                    base = part.rsplit("/", 1)[0]
                    todo.append(_join(base, target.decode()))
    return out


def _join(base: str, target: str) -> str:
    import posixpath

    return posixpath.normpath(posixpath.join(base, target))


def _names(path: Path) -> list[tuple[str, str | None, str]]:
    """(name, the sheet it is scoped to, reference) of each defined name."""
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/workbook.xml").decode()
    sheets = re.findall(r'<sheet [^>]*?name="([^"]*)"', xml)
    out = []
    for attrs, ref in re.findall(r"<definedName\b([^>]*)>([^<]*)</definedName>", xml):
        name = re.search(r'name="([^"]*)"', attrs).group(1)
        local = re.search(r'localSheetId="(\d+)"', attrs)
        out.append((name, sheets[int(local.group(1))] if local else None, ref))
    return out


@pytest.fixture(params=[False, True], ids=["xlsx", "xlsm"])
def coordinated(request, issued) -> Path:
    master, _ = issued
    return coordinators_master(master, macros=request.param)


def test_summary_and_mark_keep_every_part_they_do_not_own(coordinated):
    before = _parts(coordinated)
    data_part = sheet_parts(zipfile.ZipFile(coordinated))["Seuranta"]
    own_part = sheet_parts(zipfile.ZipFile(coordinated))[OWN]
    names_before = _names(coordinated)

    built = summary(coordinated, now=NOW)
    assert built.renamed == ()
    marked = validate_and_mark(coordinated)
    assert marked.sheet == "Havainnot"
    after = _parts(coordinated)
    tool = _tool_parts(coordinated)
    for name, data in before.items():
        if name in CHANGED or name in (data_part, own_part):
            continue
        assert after.get(name) == data, name
    # the coordinator's sheet lost only the old highlight
    assert after[own_part] == before[own_part].replace(OLD_MARK.encode(), b"")
    # nothing new but the tool's own sheets and their parts
    assert set(after) - set(before) <= tool
    # in the workbook, the coordinator's sheets keep their entries (names, ids, rIds)
    wb_before, wb_after = before["xl/workbook.xml"], after["xl/workbook.xml"]
    for element in re.findall(rb"<sheet [^>]*/>", wb_before):
        assert element in wb_after
    rels_before = before["xl/_rels/workbook.xml.rels"]
    for rel in re.findall(rb"<Relationship [^>]*/>", rels_before):
        assert rel in after["xl/_rels/workbook.xml.rels"]
    # the coordinator's names: kept, and one scoped to a sheet still scoped to that sheet
    # (the findings sheet went in before it)
    names_after = _names(coordinated)
    for name in names_before:
        assert name in names_after
    assert ("Paikallinen", OWN, f"{OWN}!$A$1") in names_after
    assert any(n == "_xlnm.Print_Area" and s == OWN for n, s, _ in names_after)
    sheets = load_workbook(coordinated, read_only=True).sheetnames
    assert sheets[0] == "Havainnot" and sheets[1] == "Seuranta"
    assert sheets[2:6] == ["Yhteenveto", "Palautustilanne", "Riskit", "Muutokset"]
    assert sheets.index(OWN) > sheets.index("Muutokset")


def test_running_either_twice_gives_the_same_file(coordinated):
    summary(coordinated, now=NOW)
    first = _parts(coordinated)
    summary(coordinated, now=NOW)
    assert _parts(coordinated) == first
    validate_and_mark(coordinated)
    first = _parts(coordinated)
    validate_and_mark(coordinated)
    assert _parts(coordinated) == first
    # a summary after a --mark: the same sheets again, and the findings stay first
    summary(coordinated, now=NOW)
    again = _parts(coordinated)
    assert {n for n in again if again[n] != first.get(n)} <= CHANGED


def test_the_result_opens_in_openpyxl_without_warnings(coordinated):
    summary(coordinated, now=NOW)
    validate_and_mark(coordinated)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wb = load_workbook(coordinated)
    assert wb[OWN]["A1"].comment.text == "Tarkista luvut"
    assert len(wb[OWN].data_validations.dataValidation) == 1


def test_the_chart_lists_the_goals_top_down_in_code_order(coordinated):
    summary(coordinated, now=NOW)
    parts = _parts(coordinated)
    with zipfile.ZipFile(coordinated) as zf:
        overview = sheet_parts(zf)["Yhteenveto"]
    rels = parts[overview.replace("worksheets/", "worksheets/_rels/") + ".rels"].decode()
    drawing = _join("xl/worksheets", re.search(r'Target="([^"]+)"', rels).group(1))
    drels = parts[drawing.replace("drawings/", "drawings/_rels/") + ".rels"].decode()
    chart = parts[_join("xl/drawings", re.search(r'Target="([^"]+)"', drels).group(1))].decode()
    assert '<c:orientation val="maxMin"/>' in chart
    refs = set(re.findall(r"<c:cat><c:strRef><c:f>([^<]+)</c:f>", chart))
    assert len(refs) == 1
    m = re.fullmatch(r"'Yhteenveto'!\$A\$(\d+):\$A\$(\d+)", refs.pop())
    ws = load_workbook(coordinated)["Yhteenveto"]
    codes = [ws.cell(row=r, column=1).value for r in range(int(m.group(1)), int(m.group(2)) + 1)]
    assert codes and codes == sorted(codes, key=Code.parse)
    cached = re.findall(r"<c:pt idx=\"\d+\"><c:v>([^<]*)</c:v>", chart.split("</c:strCache>")[0])
    assert cached == codes


def test_findings_are_linked_and_highlighted_and_old_highlights_go(coordinated):
    result = validate_and_mark(coordinated)
    report = result.validation.report
    wb = load_workbook(coordinated)
    ws = wb["Havainnot"]
    links = {c.hyperlink.location for row in ws.iter_rows(min_row=2) for c in row if c.hyperlink}
    expected = {f"'{f.sheet}'!{f.cell}" for f in report.findings}
    assert links == expected
    cells = {f.cell for f in report.findings if f.sheet == "Seuranta"}
    marked_cells: set[str] = set()
    for cf in wb["Seuranta"].conditional_formatting:
        if any(MARK_FORMULA in (r.formula or []) for r in cf.rules):
            marked_cells |= set(str(cf.sqref).split())
    assert marked_cells == cells
    own = wb[OWN].conditional_formatting
    assert not any(MARK_FORMULA in (r.formula or []) for cf in own for r in cf.rules)
    # again: the same highlights, not twice as many
    validate_and_mark(coordinated)
    with zipfile.ZipFile(coordinated) as zf:
        data = zf.read(sheet_parts(zf)["Seuranta"])
    assert data.count(b"seuranta-xl") == len(
        {f.severity for f in report.findings if f.sheet == "Seuranta"}
    )


def test_summary_out_must_end_in_xlsx(coordinated, tmp_path):
    before = _parts(coordinated)
    target = tmp_path / "yhteenveto.xls"
    out = run_cli("summary", str(coordinated), "--out", str(target))
    assert out.returncode == 2
    assert "yhteenveto.xls" in out.stderr and ".xlsx" in out.stderr
    assert not target.exists()
    assert _parts(coordinated) == before


@pytest.mark.libreoffice
def test_libreoffice_opens_the_result(coordinated, tmp_path, libreoffice):
    from .conftest import soffice_convert

    summary(coordinated, now=NOW)
    validate_and_mark(coordinated)
    pdf = soffice_convert(coordinated, tmp_path, "pdf")
    import subprocess

    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Strategian seuranta: yhteenveto" in text
    assert "Oma laskelma" in text


def test_tool_sheets_are_added_in_place_to_a_workbook_with_a_chart(tmp_path):
    """A master that lacks the tool's record sheets gets them without losing its chart
    (issue 8 refused such a workbook)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    from seuranta_xl.rounds import MasterIdentity
    from seuranta_xl.xlsx.master import ensure_tool_sheets
    from seuranta_xl.xlsx.names import KEY_SHEET, LOG_SHEET, RETURNS_SHEET, ROUNDS_SHEET

    from .conftest import HEADERS

    wb = Workbook()
    ws = wb.active
    ws.title = "Seuranta"
    ws.append(HEADERS)
    ws.append(["01. A", "", "", "", "", "3", "", "X"])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=6, min_row=1, max_row=2))
    ws.add_chart(chart, "J2")
    path = tmp_path / "vanha.xlsx"
    wb.save(path)
    before = _parts(path)
    identity = MasterIdentity.new()
    assert ensure_tool_sheets(path, identity)
    assert not ensure_tool_sheets(path, identity)
    after = _parts(path)
    for name, data in before.items():
        if name not in CHANGED:
            assert after[name] == data, name
    book = load_workbook(path)
    states = {s.title: s.sheet_state for s in book.worksheets}
    assert states == {
        "Seuranta": "visible",
        ROUNDS_SHEET: "hidden",
        KEY_SHEET: "veryHidden",
        RETURNS_SHEET: "visible",
        LOG_SHEET: "visible",
    }
    assert book[KEY_SHEET]["A1"].value == identity.grid()[0][0]


@pytest.mark.libreoffice
def test_a_master_libreoffice_saved_keeps_its_parts(issued, tmp_path, libreoffice):
    """The coordinator's master as LibreOffice writes it (its own styles, drawings and
    names): summary and --mark twice, every part they do not own unchanged."""
    from .conftest import lo_edit

    master, _ = issued
    coordinators_master(master)
    saved = lo_edit(master, tmp_path / "lo.xlsx", [{"sheet": OWN, "cell": "A2", "value": "x"}])
    with zipfile.ZipFile(saved) as zf:
        data_part, own_part = sheet_parts(zf)["Seuranta"], sheet_parts(zf)[OWN]
    before = _parts(saved)
    assert b"seuranta-xl" in before[own_part]  # the old highlight, as LibreOffice keeps it
    assert any(n.startswith("xl/charts/") for n in before)
    summary(saved, now=NOW)
    validate_and_mark(saved)
    once = _parts(saved)
    for name, data in before.items():
        if name not in CHANGED and name not in (data_part, own_part):
            assert once[name] == data, name
    assert b"seuranta-xl" not in once[own_part]
    summary(saved, now=NOW)
    validate_and_mark(saved)
    assert _parts(saved) == once
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # LibreOffice writes the record sheets' print areas as whole columns ($A:$I),
        # valid for Excel, which openpyxl cannot parse: its one warning that is not ours
        warnings.filterwarnings("ignore", message="Print area cannot be set")
        wb = load_workbook(saved)
    assert wb.sheetnames[:2] == ["Havainnot", "Seuranta"]
    assert wb[OWN]["A1"].value == "Oma laskelma"
