"""Owner workbooks: one plain, protected, macro-free .xlsx per owner.

Sheets: ``Ohje`` (instructions in Finnish), ``Seuranta`` (the owner's rows and their
ancestors, same columns and look as the master; only the owner's editable cells are
unlocked), ``Asteikko`` (hidden: the status list the dropdown points at) and
``seuranta_manifesti`` (very hidden: the signed manifest). Written straight as XML, which is
what makes a thousand of them quick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..layout import CANONICAL_HEADERS_FI
from ..model import EDITABLE_FIELDS, FIELD_ORDER, Field, column_letter
from ..rounds import Manifest, OwnerPart
from .names import DATA_SHEET, HELP_SHEET, LIST_SHEET, MANIFEST_SHEET, SCALE_NAME
from .ooxml import (
    DefinedName,
    Properties,
    Sheet,
    area,
    cell_xml,
    list_validation,
    quote_sheet,
    workbook_bytes,
)
from .template import COLUMN_WIDTHS, EXTRA_COLUMN_WIDTH, row_height

# cellXfs indices of OWNER_STYLES
S_HEADER, S_TITLE1, S_TITLE2, S_TITLE3, S_ROW1, S_ROW2, S_ROW3 = 1, 2, 3, 4, 5, 6, 7
S_EDIT, S_CONTEXT, S_HELP_TITLE, S_HELP_TEXT, S_HELP_LABEL = 8, 9, 10, 11, 12
TITLE_STYLE = {1: S_TITLE1, 2: S_TITLE2, 3: S_TITLE3}
ROW_STYLE = {1: S_ROW1, 2: S_ROW2, 3: S_ROW3}

EDIT_FILL = "FFF2CC"  # pale yellow: "fill me in"
CONTEXT_FILL = "EDEDED"

_XF = (
    '<xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
    ' applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1" applyProtection="1">'
    '<alignment wrapText="{wrap}" vertical="{valign}"{indent}/><protection locked="{locked}"/></xf>'
)


def _xf(
    font: int,
    fill: int,
    border: int = 1,
    *,
    locked: int = 1,
    valign: str = "top",
    indent: int = 0,
    wrap: int = 1,
) -> str:
    return _XF.format(
        font=font,
        fill=fill,
        border=border,
        locked=locked,
        valign=valign,
        wrap=wrap,
        indent=f' indent="{indent}"' if indent else "",
    )


OWNER_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="5">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/><family val="2"/></font>'
    '<font><i/><sz val="11"/><color rgb="FF595959"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="7">'
    '<fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF1F4E78"/><bgColor indexed="64"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF2F7FC"/><bgColor indexed="64"/></patternFill></fill>'
    f'<fill><patternFill patternType="solid"><fgColor rgb="FF{EDIT_FILL}"/><bgColor indexed="64"/></patternFill></fill>'
    f'<fill><patternFill patternType="solid"><fgColor rgb="FF{CONTEXT_FILL}"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color rgb="FFA6A6A6"/></left><right style="thin"><color rgb="FFA6A6A6"/></right>'
    '<top style="thin"><color rgb="FFA6A6A6"/></top><bottom style="thin"><color rgb="FFA6A6A6"/></bottom>'
    "<diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="13">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    + _xf(2, 2, valign="center")  # 1 header
    + _xf(1, 3)  # 2 goal title
    + _xf(1, 4)  # 3 annual goal title
    + _xf(0, 0, indent=1)  # 4 action title
    + _xf(0, 3)  # 5 goal row
    + _xf(0, 4)  # 6 annual goal row
    + _xf(0, 0)  # 7 action row
    + _xf(0, 5, locked=0)  # 8 editable
    + _xf(3, 6)  # 9 context (someone else's row above yours)
    + _xf(4, 0, 0, wrap=0)  # 10 instructions title
    + _xf(0, 0, 0)  # 11 instructions text
    + _xf(1, 0, 0, wrap=0)  # 12 instructions label
    + "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0"/></styleSheet>'
)


@dataclass(frozen=True)
class RoundInfo:
    """What every workbook of a round shares."""

    round_id: str
    created: datetime
    scale: tuple[str, ...]  # the dropdown's entries: "3 Toteutus on aloitettu, …"
    deadline: str = ""
    return_address: str = ""
    password: str = ""
    coordinator_note: str = ""


def banner(info: RoundInfo) -> list[str]:
    """The lines above the data sheet's header: the deadline and the return address, those
    that are set."""
    lines = []
    if info.deadline:
        lines.append(f"Palauta viimeistään: {info.deadline}")
    if info.return_address:
        lines.append(f"Palautusosoite: {info.return_address}")
    return lines


def header_row(info: RoundInfo) -> int:
    """The data sheet's header row: 1, or under the banner and an empty row."""
    lines = banner(info)
    return len(lines) + 2 if lines else 1


def owner_workbook(
    part: OwnerPart, manifest: Manifest, info: RoundInfo, extra_headers: Sequence[str] = ()
) -> bytes:
    """The finished .xlsx of one owner, as bytes."""
    data = _data_sheet(part, info, extra_headers)
    sheets = [
        _help_sheet(part, info),
        data,
        _list_sheet(info),
        _manifest_sheet(manifest),
    ]
    last_col = len(FIELD_ORDER) + len(extra_headers)
    head = header_row(info)
    last_row = len(part.rows) + head
    names = [
        DefinedName(
            "_xlnm._FilterDatabase",
            area(DATA_SHEET, 1, head, last_col, last_row),
            1,
            hidden=True,
        ),
        DefinedName("_xlnm.Print_Titles", f"{quote_sheet(DATA_SHEET)}!${head}:${head}", 1),
        DefinedName(SCALE_NAME, area(LIST_SHEET, 1, 1, 1, len(info.scale))),
    ]
    title = f"Seuranta {info.round_id} – {part.owner}"
    props = Properties(
        title=title,
        subject="Valtuustokauden tavoitteiden seuranta",
        description=(
            f"Täytettävä työkirja: {part.owner}, kierros {info.round_id}. "
            "Täytä keltaiset solut välilehdellä Seuranta."
        ),
        keywords=f"seuranta-xl {info.round_id}",
        created=info.created,
    )
    return workbook_bytes(
        sheets,
        OWNER_STYLES,
        names=names,
        properties=props,
        active=1,
        lock_structure=True,
        structure_password=info.password,
    )


def _data_sheet(part: OwnerPart, info: RoundInfo, extra_headers: Sequence[str]) -> Sheet:
    widths = [COLUMN_WIDTHS[f] for f in FIELD_ORDER] + [EXTRA_COLUMN_WIDTH] * len(extra_headers)
    ncols = len(widths)
    head = header_row(info)
    sheet = Sheet(
        DATA_SHEET,
        cols=list(enumerate(widths, start=1)),
        freeze_row=head,
        selected=True,
        protect=True,
        protection_password=info.password,
        landscape=True,
        fit_width=True,
        outline=True,
        tab_color="1F4E78",
        header_footer=(
            "<headerFooter><oddHeader>&amp;L&amp;A&amp;R&amp;D</oddHeader>"
            "<oddFooter>&amp;C&amp;P / &amp;N</oddFooter></headerFooter>"
        ),
    )
    letters = [column_letter(c) for c in range(1, ncols + 1)]
    headers = [CANONICAL_HEADERS_FI[f] for f in FIELD_ORDER] + list(extra_headers)
    # the deadline and address above the header, unwrapped: each line runs on to the right
    for r, line in enumerate(banner(info), start=1):
        sheet.add_row(r, [cell_xml(f"A{r}", line, S_HELP_LABEL)])
    sheet.add_row(
        head,
        (cell_xml(f"{letters[c]}{head}", h, S_HEADER) for c, h in enumerate(headers)),
        height=45,
    )
    editable_cols = {FIELD_ORDER.index(f) for f in EDITABLE_FIELDS}
    status_col = FIELD_ORDER.index(Field.STATUS)
    status_cells: list[str] = []
    first_edit = ""
    for i, issued in enumerate(part.rows):
        r = i + head + 1
        row = issued.row
        level = row.level if row.level in TITLE_STYLE else 3
        title_col = FIELD_ORDER.index(row.code_field) if row.code_field else -1
        values = [row.values.get(f) for f in FIELD_ORDER] + list(row.extras)
        cells = []
        texts = []
        for c, value in enumerate(values):
            if not issued.editable:
                style = S_CONTEXT
            elif c in editable_cols:
                style = S_EDIT
            elif c == title_col:
                style = TITLE_STYLE[level]
            else:
                style = ROW_STYLE[level]
            cells.append(cell_xml(f"{letters[c]}{r}", value, style))
            if value is not None and value != "":
                texts.append((str(value), widths[c], c == title_col and level < 3))
        if issued.editable:
            status_cells.append(f"{letters[status_col]}{r}")
            first_edit = first_edit or f"{letters[status_col]}{r}"
        sheet.add_row(r, cells, height=row_height(texts), outline_level=level - 1)
    last = len(part.rows) + head
    sheet.dimension = f"A1:{letters[-1]}{last}"
    sheet.autofilter = f"A{head}:{letters[-1]}{last}"
    sheet.active_cell = first_edit or f"A{head + 1}"
    if status_cells:
        sheet.validations.append(
            list_validation(
                " ".join(status_cells),
                SCALE_NAME,
                title="Etenemisaste",
                error="Valitse etenemisaste luettelosta.",
                prompt="Valitse luettelosta (1–5).",
            )
        )
    return sheet


def _help_sheet(part: OwnerPart, info: RoundInfo) -> Sheet:
    sheet = Sheet(
        HELP_SHEET,
        cols=[(1, 22), (2, 80)],
        protect=True,
        protection_password=info.password,
        fit_width=True,
    )
    lines: list[tuple[str, str, int]] = [
        (f"Strategian seuranta, kierros {info.round_id}", "", S_HELP_TITLE),
        ("", "", 0),
        ("Vastuuhenkilö", part.owner, S_HELP_LABEL),
        ("Rivejä täytettävänä", str(part.own_count), S_HELP_LABEL),
    ]
    if info.deadline:
        lines.append(("Palauta viimeistään", info.deadline, S_HELP_LABEL))
    if info.return_address:
        lines.append(("Palautusosoite", info.return_address, S_HELP_LABEL))
    lines += [
        ("", "", 0),
        ("Näin täytät", "", S_HELP_LABEL),
        (
            "1.",
            "Avaa välilehti Seuranta. Täytä omien riviesi keltaiset solut: Merkittävimmät "
            "tavoitteen toteuttamista uhkaavat riskit, Kokonaistilanne, Etenemisaste ja "
            "Tilannekuvaus.",
            S_HELP_TEXT,
        ),
        ("2.", "Valitse etenemisaste solun pudotusvalikosta. Asteikko on alla.", S_HELP_TEXT),
        (
            "3.",
            "Harmaat rivit ovat tavoitteita, joiden alle omat rivisi kuuluvat. Ne näytetään "
            "vain taustaksi, eikä niitä täytetä.",
            S_HELP_TEXT,
        ),
        (
            "4.",
            "Koodit, otsikot ja vastuuhenkilö on lukittu. Jos jokin niistä on väärin tai "
            "haluat ehdottaa uutta toimenpidettä, kirjoita siitä tilannekuvaukseen tai "
            "palautusviestiin.",
            S_HELP_TEXT,
        ),
        ("5.", _return_step(info), S_HELP_TEXT),
    ]
    if info.coordinator_note:
        lines += [("", "", 0), ("Lisätietoja", info.coordinator_note, S_HELP_TEXT)]
    lines += [("", "", 0), ("Etenemisasteikko", "", S_HELP_LABEL)]
    lines += [("", step, S_HELP_TEXT) for step in info.scale]
    for r, (label, text, style) in enumerate(lines, start=1):
        label_style = style if style in (S_HELP_TITLE, S_HELP_LABEL) else S_HELP_TEXT
        sheet.add_row(
            r,
            [cell_xml(f"A{r}", label, label_style), cell_xml(f"B{r}", text, S_HELP_TEXT)],
            height=30 if style == S_HELP_TITLE else row_height([(text, 80, False)]),
        )
    sheet.dimension = f"A1:B{len(lines)}"
    return sheet


def _return_step(info: RoundInfo) -> str:
    """The last step: how to send the workbook back, with where and by when if set."""
    send = "lähetä se takaisin"
    if info.return_address and info.deadline:
        send = f"lähetä se osoitteeseen {info.return_address} viimeistään {info.deadline}"
    elif info.return_address:
        send = f"lähetä se osoitteeseen {info.return_address}"
    elif info.deadline:
        send = f"lähetä se takaisin viimeistään {info.deadline}"
    return (
        f"Tallenna tiedosto Excel-työkirjana (.xlsx) ja {send}. Tiedoston nimeä ei "
        "tarvitse muuttaa."
    )


def _list_sheet(info: RoundInfo) -> Sheet:
    sheet = Sheet(
        LIST_SHEET, state="hidden", cols=[(1, 80)], protect=True, protection_password=info.password
    )
    for r, step in enumerate(info.scale, start=1):
        sheet.add_row(r, [cell_xml(f"A{r}", step, 0)])
    sheet.dimension = f"A1:A{max(len(info.scale), 1)}"
    return sheet


def _manifest_sheet(manifest: Manifest) -> Sheet:
    sheet = Sheet(MANIFEST_SHEET, state="veryHidden", protect=True)
    grid = manifest.to_grid()
    width = max(len(r) for r in grid)
    for r, values in enumerate(grid, start=1):
        if values:
            sheet.add_row(
                r,
                [
                    cell_xml(f"{column_letter(c)}{r}", str(v), 0)
                    for c, v in enumerate(values, start=1)
                ],
            )
    sheet.dimension = f"A1:{column_letter(width)}{len(grid)}"
    return sheet
