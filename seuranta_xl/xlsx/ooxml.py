"""A small, fast SpreadsheetML writer for workbooks whose every part we decide.

Owner workbooks are written straight from strings: no workbook library, inline strings (no
shared-string table), a fixed stylesheet whose indices we know. Elements are written in the
order the schema demands, which Excel checks and LibreOffice forgives.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from ..celltext import ILLEGAL_RE, escape_excel, stored_text
from ..model import column_letter

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_SHEET = NS_REL + "/worksheet"
REL_STYLES = NS_REL + "/styles"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

_ILLEGAL_XML = ILLEGAL_RE


def xml_text(value: str) -> str:
    """Text made safe for an XML element: cleaned as stored (``stored_text``), Excel's
    escapes escaped."""
    value = escape_excel(stored_text(value))
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def xml_attr(value: str) -> str:
    return escape(_ILLEGAL_XML.sub("", value), {'"': "&quot;", "\n": "&#10;"})


_PLAIN = re.compile("[^&<>_\x00-\x1f\ufffe\uffff\ud800-\udfff]*")


def cell_xml(ref: str, value: object, style: int) -> str:
    """One ``<c>``: text as an inline string (never a formula), numbers as numbers."""
    s = f' s="{style}"' if style else ""
    if (
        type(value) is str
        and value
        and _PLAIN.fullmatch(value)
        and value[0] != " "
        and value[-1] != " "
    ):
        # the common case, text with nothing to escape, written at once
        return f'<c r="{ref}"{s} t="inlineStr"><is><t>{value}</t></is></c>'

    if value is None or value == "":
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = stored_text(str(value))
    if not text:
        return f'<c r="{ref}"{s}/>'
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{xml_text(text)}</t></is></c>'


@dataclass
class Sheet:
    """A worksheet's XML, assembled from its parts in schema order."""

    name: str
    state: str = "visible"  # visible | hidden | veryHidden
    rows: list[str] = field(default_factory=list)
    cols: list[tuple[int, float]] = field(default_factory=list)
    freeze_row: int = 0
    tab_color: str = ""
    selected: bool = False
    active_cell: str = "A1"
    protect: bool = False
    protection_password: str = ""
    autofilter: str = ""
    validations: list[str] = field(default_factory=list)
    landscape: bool = False
    fit_width: bool = False
    outline: bool = False
    header_footer: str = ""
    dimension: str = "A1"

    def add_row(
        self, r: int, cells: Iterable[str], height: float | None = None, outline_level: int = 0
    ) -> None:
        attrs = f' r="{r}"'
        if height:
            attrs += f' ht="{height:g}" customHeight="1"'
        if outline_level:
            attrs += f' outlineLevel="{outline_level}"'
        self.rows.append(f"<row{attrs}>{''.join(cells)}</row>")

    def xml(self) -> str:
        pr = ""
        if self.tab_color or self.outline or self.fit_width:
            inner = f'<tabColor rgb="FF{self.tab_color}"/>' if self.tab_color else ""
            inner += '<outlinePr summaryBelow="0"/>' if self.outline else ""
            inner += '<pageSetUpPr fitToPage="1"/>' if self.fit_width else ""
            pr = f"<sheetPr>{inner}</sheetPr>"
        sel = ' tabSelected="1"' if self.selected else ""
        if self.freeze_row:
            top = f"A{self.freeze_row + 1}"
            view = (
                f'<sheetView{sel} workbookViewId="0"><pane ySplit="{self.freeze_row}" '
                f'topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
                f'<selection pane="bottomLeft" activeCell="{self.active_cell}" '
                f'sqref="{self.active_cell}"/></sheetView>'
            )
        else:
            view = f'<sheetView{sel} workbookViewId="0"/>'
        cols = ""
        if self.cols:
            cols = (
                "<cols>"
                + "".join(
                    f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                    for i, w in self.cols
                )
                + "</cols>"
            )
        protection = ""
        if self.protect:
            pw = (
                f' password="{legacy_password_hash(self.protection_password)}"'
                if self.protection_password
                else ""
            )
            # "0" allows: people may resize rows and columns and use the filter
            protection = (
                f'<sheetProtection{pw} sheet="1" objects="1" scenarios="1" '
                'formatColumns="0" formatRows="0" autoFilter="0"/>'
            )
        autofilter = f'<autoFilter ref="{self.autofilter}"/>' if self.autofilter else ""
        validations = ""
        if self.validations:
            validations = (
                f'<dataValidations count="{len(self.validations)}">'
                + "".join(self.validations)
                + "</dataValidations>"
            )
        setup = ""
        if self.landscape or self.fit_width:
            orient = ' orientation="landscape"' if self.landscape else ""
            fit = ' fitToWidth="1" fitToHeight="0"' if self.fit_width else ""
            setup = f'<pageSetup paperSize="9"{orient}{fit}/>'
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">{pr}'
            f'<dimension ref="{self.dimension}"/><sheetViews>{view}</sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>{cols}'
            f"<sheetData>{''.join(self.rows)}</sheetData>"
            f"{protection}{autofilter}{validations}"
            '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
            f"{setup}{self.header_footer}</worksheet>"
        )


def list_validation(sqref: str, formula: str, *, title: str, error: str, prompt: str) -> str:
    """A dropdown pointing at a range or defined name (never an inline list)."""
    return (
        '<dataValidation type="list" errorStyle="stop" allowBlank="1" showInputMessage="1" '
        f'showErrorMessage="1" errorTitle="{xml_attr(title)}" error="{xml_attr(error)}" '
        f'promptTitle="{xml_attr(title)}" prompt="{xml_attr(prompt)}" sqref="{sqref}">'
        f"<formula1>{xml_text(formula)}</formula1></dataValidation>"
    )


def legacy_password_hash(password: str) -> str:
    """The 16-bit hash Excel stores for sheet and workbook protection passwords: a
    deterrent against casual edits, not security (the same as openpyxl's)."""
    h = 0
    for i, ch in enumerate(password, start=1):
        value = ord(ch) << i
        h ^= (value & 0x7FFF) | (value >> 15)
    h ^= len(password)
    h ^= 0xCE4B
    return f"{h:X}"


@dataclass
class DefinedName:
    name: str
    ref: str
    local_sheet: int | None = None
    hidden: bool = False

    def xml(self) -> str:
        attrs = f' name="{xml_attr(self.name)}"'
        if self.local_sheet is not None:
            attrs += f' localSheetId="{self.local_sheet}"'
        if self.hidden:
            attrs += ' hidden="1"'
        return f"<definedName{attrs}>{xml_text(self.ref)}</definedName>"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def area(sheet: str, first_col: int, first_row: int, last_col: int, last_row: int) -> str:
    return (
        f"{quote_sheet(sheet)}!${column_letter(first_col)}${first_row}"
        f":${column_letter(last_col)}${last_row}"
    )


@dataclass
class Properties:
    title: str = ""
    subject: str = ""
    creator: str = "seuranta-xl"
    description: str = ""
    keywords: str = ""
    created: datetime | None = None

    def core_xml(self) -> str:
        # W3CDTF in UTC; a naive time is this machine's local time
        stamp = (self.created or datetime.now()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{xml_text(self.title)}</dc:title>"
            f"<dc:subject>{xml_text(self.subject)}</dc:subject>"
            f"<dc:creator>{xml_text(self.creator)}</dc:creator>"
            f"<cp:keywords>{xml_text(self.keywords)}</cp:keywords>"
            f"<dc:description>{xml_text(self.description)}</dc:description>"
            f"<cp:lastModifiedBy>{xml_text(self.creator)}</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>"
        )


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
    "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
    "<AppVersion>16.0300</AppVersion></Properties>"
)


def sheet_relationships(n: int) -> str:
    """The workbook's relationships to its ``n`` sheets, ``rId1`` … ``rIdN``."""
    return "".join(
        f'<Relationship Id="rId{i}" Type="{REL_SHEET}" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1)
    )


def sheet_entries(sheets: Sequence[Any]) -> str:
    """The workbook's ``<sheet>`` elements (each with ``name`` and ``state``), in order."""
    return "".join(
        f'<sheet name="{xml_attr(s.name)}" sheetId="{i}"'
        + (f' state="{s.state}"' if s.state != "visible" else "")
        + f' r:id="rId{i}"/>'
        for i, s in enumerate(sheets, start=1)
    )


def workbook_bytes(
    sheets: Sequence[Sheet],
    styles_xml: str,
    *,
    names: Sequence[DefinedName] = (),
    properties: Properties | None = None,
    active: int = 0,
    lock_structure: bool = False,
    structure_password: str = "",
    compresslevel: int = 1,
) -> bytes:
    """A complete .xlsx as bytes."""
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT_SHEET}"/>'
        for i in range(1, n + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}"
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{NS_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
        'Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{NS_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{NS_PKG_REL}">'
        + sheet_relationships(n)
        + f'<Relationship Id="rId{n + 1}" Type="{REL_STYLES}" Target="styles.xml"/>'
        "</Relationships>"
    )
    sheet_list = sheet_entries(sheets)
    protection = ""
    if lock_structure:
        pw = (
            f' workbookPassword="{legacy_password_hash(structure_password)}"'
            if structure_password
            else ""
        )
        protection = f'<workbookProtection{pw} lockStructure="1"/>'
    defined = ""
    if names:
        defined = "<definedNames>" + "".join(d.xml() for d in names) + "</definedNames>"
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<workbookPr defaultThemeVersion="164011"/>'
        f"{protection}"
        f'<bookViews><workbookView activeTab="{active}" firstSheet="0"/></bookViews>'
        f"<sheets>{sheet_list}</sheets>{defined}"
        '<calcPr calcId="191029"/></workbook>'
    )
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("docProps/app.xml", APP_XML)
        zf.writestr("docProps/core.xml", (properties or Properties()).core_xml())
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        zf.writestr("xl/styles.xml", styles_xml)
        for i, s in enumerate(sheets, start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", s.xml())
    return buf.getvalue()
