"""Parts openpyxl would drop. Issue 8 refused them; since issue 10 ``summary`` and
``validate --mark`` write in place, so each comes through byte for byte instead."""

from __future__ import annotations

import warnings
import zipfile
from datetime import datetime

import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook

from seuranta_xl import init_master
from seuranta_xl.api import summary

from .conftest import CORPUS, lo_edit, run_cli

NOW = datetime(2021, 5, 3, 12, 0)
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

THREADED = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
    '<threadedComment ref="G3" dT="2021-05-03T12:00:00.00" personId="{00000000-0000-0000-0000-000000000001}" '
    'id="{00000000-0000-0000-0000-000000000002}"><text>Tarkista tämä</text></threadedComment>'
    "</ThreadedComments>"
)
PERSONS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
    '<person displayName="Koordinaattori" id="{00000000-0000-0000-0000-000000000001}" '
    'userId="k@kunta.fi" providerId="AD"/></personList>'
)
CONNECTIONS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<connection id="1" keepAlive="1" name="Kysely - Talous" type="5" refreshedVersion="8" '
    'background="1"><dbPr connection="Provider=Microsoft.Mashup.OleDb.1;Data Source=$Workbook$;'
    'Location=Talous" command="SELECT * FROM [Talous]"/></connection></connections>'
)


def _add_parts(path, parts, content_types, workbook_rels=(), sheet_rels=None):
    """Add parts to an xlsx at zip level, with their content types and relationships, as
    Excel 365 would have them."""
    out = path.with_name(path.stem + ".tmp.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", "".join(content_types).encode() + b"</Types>")
            elif info.filename == "xl/_rels/workbook.xml.rels" and workbook_rels:
                data = data.replace(
                    b"</Relationships>", "".join(workbook_rels).encode() + b"</Relationships>"
                )
            dst.writestr(info, data)
        for name, text in parts.items():
            dst.writestr(name, text)
        if sheet_rels is not None:
            dst.writestr("xl/worksheets/_rels/sheet1.xml.rels", sheet_rels)
    out.replace(path)
    return path


@pytest.fixture
def master(tmp_path, sample_path):
    return init_master(sample_path, tmp_path / "seuranta.xlsx").master


def _with_threaded_comments(master):
    ns = "http://schemas.microsoft.com/office/2017/10/relationships"
    return _add_parts(
        master,
        {"xl/threadedComments/threadedComment1.xml": THREADED, "xl/persons/person.xml": PERSONS},
        [
            '<Override PartName="/xl/threadedComments/threadedComment1.xml" ContentType='
            '"application/vnd.ms-excel.threadedcomments+xml"/>',
            '<Override PartName="/xl/persons/person.xml" '
            'ContentType="application/vnd.ms-excel.person+xml"/>',
        ],
        [f'<Relationship Id="rIdP1" Type="{ns}/person" Target="persons/person.xml"/>'],
        sheet_rels=(
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rIdT1" Type="{ns}/threadedComment" '
            'Target="../threadedComments/threadedComment1.xml"/></Relationships>'
        ),
    )


def _with_connections(master):
    return _add_parts(
        master,
        {"xl/connections.xml": CONNECTIONS},
        [
            '<Override PartName="/xl/connections.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml"/>'
        ],
        [
            '<Relationship Id="rIdC1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/connections" Target="connections.xml"/>'
        ],
    )


def _parts(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


# the entries summary and --mark may change: the package's lists, the styles, the data sheet
# (highlights), and the tool's own sheets and their drawings and charts (added at the end)
OWNED = {
    "[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
    "docProps/app.xml", "xl/worksheets/sheet1.xml",
}  # fmt: skip


@pytest.mark.parametrize(
    ("add", "named"),
    [
        (_with_threaded_comments, ["xl/persons", "xl/threadedComments"]),
        (_with_connections, ["xl/connections.xml"]),
    ],
)
def test_summary_and_mark_keep_what_a_save_would_drop(master, add, named):
    add(master)
    before = _parts(master)
    for args in (["summary", str(master)], ["validate", str(master), "--mark"]):
        out = run_cli(*args)
        assert out.returncode in (0, 1), (args, out.stderr)
        after = _parts(master)
        for name, data in before.items():
            if name not in OWNED:
                assert after[name] == data, (args, name)
        assert any(n.startswith(tuple(named)) for n in after)


def _tables(path):
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/tables/"):
                t = ElementTree.fromstring(zf.read(name))
                out[t.get("name")] = (
                    t.get("ref"),
                    [c.get("name") for c in t.iter(f"{MAIN}tableColumn")],
                    [f.text for f in t.iter(f"{MAIN}calculatedColumnFormula")],
                    [s.get("name") for s in t.iter(f"{MAIN}tableStyleInfo")],
                )
    return out


def _external_links(path):
    out = []
    with zipfile.ZipFile(path) as zf:
        for name in sorted(n for n in zf.namelist() if n.startswith("xl/externalLinks/")):
            root = ElementTree.fromstring(zf.read(name))
            out.append(sorted((e.tag, tuple(sorted(e.attrib.items()))) for e in root.iter()))
    return out


@pytest.mark.skipif(not CORPUS.exists(), reason="the corpus of real spreadsheets is absent")
def test_tables_and_external_links_come_through_an_openpyxl_save(tmp_path):
    tests = CORPUS / "calamine" / "tests"
    for src, read in (
        (tests / "table_with_insertrow_attribute.xlsx", _tables),
        (tests / "errors.xlsx", _external_links),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(src, rich_text=True)
        saved = tmp_path / src.name
        wb.save(saved)
        assert read(saved) == read(src) and read(src), src.name


@pytest.mark.libreoffice
def test_comments_and_custom_properties_of_a_libreoffice_save_come_through(
    master, tmp_path, libreoffice
):
    from openpyxl.comments import Comment
    from openpyxl.packaging.custom import StringProperty

    wb = load_workbook(master)
    wb["Seuranta"]["G3"].comment = Comment("Tarkista rahoitus", "Koordinaattori")
    wb.custom_doc_props.append(StringProperty(name="Kunta", value="Esimerkkilä"))
    wb.save(master)
    saved = lo_edit(master, tmp_path / "lo.xlsx", [{"sheet": "Seuranta", "cell": "G4",
                                                          "value": "muokattu"}])  # fmt: skip
    with zipfile.ZipFile(saved) as zf:
        names = zf.namelist()
    assert any(n.startswith("xl/comments") for n in names)
    assert any(n.endswith(".vml") for n in names) and "docProps/custom.xml" in names
    summary(saved, now=NOW)
    out = run_cli("validate", str(saved), "--mark")
    assert out.returncode in (0, 1), out.stderr
    wb = load_workbook(saved)
    assert wb["Seuranta"]["G3"].comment.text.strip().endswith("Tarkista rahoitus")
    assert {p.name: p.value for p in wb.custom_doc_props.props}["Kunta"] == "Esimerkkilä"


def test_a_legacy_drawing_with_form_controls_is_kept(master):
    vml = (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:x="urn:schemas-microsoft-com:'
        'office:excel"><v:shape id="_x0000_s1025"><x:ClientData ObjectType="Checkbox">'
        "<x:Checked>1</x:Checked></x:ClientData></v:shape></xml>"
    )
    _add_parts(
        master,
        {"xl/drawings/vmlDrawing1.vml": vml},
        [
            '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
        ],
    )
    summary(master, now=NOW)
    out = run_cli("validate", str(master), "--mark")
    assert out.returncode in (0, 1), out.stderr
    assert _parts(master)["xl/drawings/vmlDrawing1.vml"] == vml.encode()
