"""The Seuranta add-in: built from the text in ``macros/`` to ``xlsx_templates/seuranta.xlam``.

Run ``python -m seuranta_xl.xlsx.addin`` (or ``python xlsx_templates/build.py``) to rebuild
it; a test checks that the committed file matches what this code builds. The build is
reproducible: fixed zip times and fixed VBA project fields, so two builds give the same bytes.

The add-in is a workbook with one plain sheet, the ribbon (``customUI/customUI14.xml``) and
the VBA project (``xl/vbaProject.bin``, see ``ovba``) holding ``macros/Seuranta.bas`` and the
document modules ``ThisWorkbook`` and ``Sheet1``.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from .ooxml import sheet_entries, sheet_relationships, xml_attr
from .ovba import Module, vba_project

REPO = Path(__file__).resolve().parents[2]
MACROS = REPO / "macros"
ADDIN_NAME = "seuranta.xlam"
ADDIN_PATH = REPO / "xlsx_templates" / ADDIN_NAME

STANDARD_MODULES = ("Seuranta",)
"""The ``macros/<name>.bas`` files the add-in carries, in this order."""
RIBBON = "customUI14.xml"

CT_ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
CT_XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_RIBBON = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class SheetSpec:
    """A sheet of the built workbook: its name, VBA code name and visibility."""

    name: str
    code_name: str
    state: str = "visible"  # visible | hidden | veryHidden


ADDIN_SHEETS = (SheetSpec("Seuranta", "Sheet1"),)


def read_module(path: Path) -> Module:
    """A module from ``macros/``: its text (UTF-8 in the repository) and its name from the
    ``Attribute VB_Name`` line; ``.cls`` files are document modules."""
    text = path.read_text("utf-8")
    first = text.split("\n", 1)[0].strip()
    prefix = 'Attribute VB_Name = "'
    if not first.startswith(prefix) or not first.endswith('"'):
        raise ValueError(f'{path}: the first line must be {prefix}<name>"')
    name = first[len(prefix) : -1]
    if name != path.stem:
        raise ValueError(f"{path}: module {name!r} must live in {name}{path.suffix}")
    return Module(name, text, document=path.suffix == ".cls")


def addin_modules(
    folder: Path = MACROS, sheets: Sequence[SheetSpec] = ADDIN_SHEETS
) -> list[Module]:
    """ThisWorkbook, a document module per sheet, then the standard modules."""
    docs = ["ThisWorkbook", *(s.code_name for s in sheets)]
    return [read_module(folder / f"{n}.cls") for n in docs] + [
        read_module(folder / f"{n}.bas") for n in STANDARD_MODULES
    ]


def _sheet_xml(spec: SheetSpec) -> str:
    return (
        XML_HEAD + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        f'<sheetPr codeName="{xml_attr(spec.code_name)}"/>'
        '<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/><sheetData/>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )


STYLES_XML = (
    XML_HEAD + f'<styleSheet xmlns="{NS_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def workbook_bytes(
    modules: Sequence[Module],
    ribbon: bytes | None,
    sheets: Sequence[SheetSpec] = ADDIN_SHEETS,
    *,
    addin: bool = True,
) -> bytes:
    """A macro-enabled workbook (.xlam, or .xlsm with ``addin=False``) as bytes."""
    n = len(sheets)
    content_types = (
        XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="bin" ContentType="' + CT_VBA + '"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT_ADDIN if addin else CT_XLSM}"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT_SHEET}"/>'
            for i in range(1, n + 1)
        )
        + f'<Override PartName="/xl/styles.xml" ContentType="{CT_STYLES}"/>'
        "</Types>"
    )
    root_rels = (
        XML_HEAD + f'<Relationships xmlns="{NS_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
        + (
            f'<Relationship Id="rId2" Type="{REL_RIBBON}" Target="customUI/customUI14.xml"/>'
            if ribbon is not None
            else ""
        )
        + "</Relationships>"
    )
    wb_rels = (
        XML_HEAD
        + f'<Relationships xmlns="{NS_PKG_REL}">'
        + sheet_relationships(n)
        + f'<Relationship Id="rId{n + 1}" Type="{NS_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{REL_VBA}" Target="vbaProject.bin"/>'
        "</Relationships>"
    )
    sheet_list = sheet_entries(sheets)
    workbook = (
        XML_HEAD + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<workbookPr codeName="ThisWorkbook"/>'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheet_list}</sheets>"
        '<calcPr calcId="191029"/></workbook>'
    )
    parts: list[tuple[str, bytes]] = [
        ("[Content_Types].xml", content_types.encode()),
        ("_rels/.rels", root_rels.encode()),
        ("xl/workbook.xml", workbook.encode()),
        ("xl/_rels/workbook.xml.rels", wb_rels.encode()),
        ("xl/styles.xml", STYLES_XML.encode()),
        *((f"xl/worksheets/sheet{i}.xml", _sheet_xml(s).encode()) for i, s in enumerate(sheets, 1)),
        ("xl/vbaProject.bin", vba_project(list(modules))),
    ]
    if ribbon is not None:
        parts.append(("customUI/customUI14.xml", ribbon))
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in parts:
            # a fixed time, and stored: deflate's bytes vary with the zlib build
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.create_system = 0
            zf.writestr(info, data)
    return buf.getvalue()


def build_addin(folder: Path = MACROS) -> bytes:
    """The add-in's bytes from the text in ``folder``."""
    ribbon = (folder / RIBBON).read_bytes()
    return workbook_bytes(addin_modules(folder), ribbon)


def main(argv: list[str] | None = None) -> int:
    """Build the add-in into the repository's ``xlsx_templates/`` (or the given path)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else ADDIN_PATH
    target.write_bytes(build_addin())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
