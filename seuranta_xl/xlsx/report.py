"""The summary sheets: written into the master (replacing only the tool's own summary
sheets) or into a standalone workbook fit to send on. Cells hold values, not formulas, so
every reader sees the numbers; the chart is a native Excel chart."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import WriteError
from ..model import Code
from ..summary import NO_STATUS, Distribution, Summary
from .master import cell_text_value, load_workbook_as_stored
from .names import SUMMARY_SHEETS
from .save import atomic_write, refuse_if_open, run_lock

SHEETS = SUMMARY_SHEETS

T = {
    "title": ("Strategian seuranta: yhteenveto", "Strategy follow-up: summary"),
    "returns_title": ("Palautustilanne", "Returns"),
    "risks_title": ("Riskit, heikoin etenemisaste ensin", "Risks, lowest status first"),
    "movement_title": ("Muutokset kierroksella", "Movement in the round"),
    "meta": (
        "Kierros: {round}   Lähde: {source}   Laadittu: {time}",
        "Round: {round}   Source: {source}   Generated: {time}",
    ),
    "counted": (
        "Luvut kattavat vuositavoitteet ja toimenpiteet. Ehdotettu tila: lasten etenemisasteiden "
        "keskiarvo, puolikkaat alaspäin.",
        "Figures count annual goals and actions. Suggested status: the mean of the children's "
        "statuses, halves rounded down.",
    ),
    "goal": ("Tavoite", "Goal"),
    "owner": ("Vastuuhenkilö", "Owner"),
    "none": ("Ei tilaa", "No status"),
    "total": ("Yhteensä", "Total"),
    "all": ("Kaikki", "All"),
    "suggested": ("Ehdotettu tila", "Suggested status"),
    "returned": ("Palautettu", "Returned"),
    "yes": ("kyllä", "yes"),
    "no": ("ei", "no"),
    "chart": ("Etenemisaste tavoitteittain", "Progress status by goal"),
    "rows": ("Rivejä", "Rows"),
    "issued_file": ("Jaettu tiedosto", "File issued"),
    "when": ("Vastaanotettu", "Received"),
    "file": ("Palautettu tiedosto", "File returned"),
    "applied": ("Muutoksia", "Changes"),
    "conflicts": ("Ristiriitoja", "Conflicts"),
    "rejected": ("Hylättyjä soluja", "Rejected cells"),
    "code": ("Koodi", "Code"),
    "title_col": ("Otsikko", "Title"),
    "risks": ("Riskit", "Risks"),
    "status": ("Etenemisaste", "Status"),
    "change": ("Muutos", "Change"),
    "old": ("Vanha", "Old"),
    "new": ("Uusi", "New"),
    "up": ("etenemisaste nousi", "status up"),
    "down": ("etenemisaste laski", "status down"),
    "appeared": ("etenemisaste annettiin", "status given"),
    "disappeared": ("etenemisaste poistui", "status removed"),
    "changed": ("tilannekuvaus muuttui", "commentary changed"),
    "nothing": ("Ei rivejä.", "No rows."),
    # issue 10 (layout): the summary sheets as finance and the council read them
    "l_round": ("Kierros {round}", "Round {round}"),
    "l_meta": (
        "Kierros: {round}   Lähde: {source}   Laadittu {time}",
        "Round: {round}   Source: {source}   Generated {time}",
    ),
    "l_generated": ("Laadittu {time}", "Generated {time}"),
    "l_counted": (
        "Luvut laskevat vuositavoitteet ja toimenpiteet ({rows} riviä); valtuustokauden "
        "tavoitteet ovat niiden otsikoita. Ehdotettu tila: tavoitteen vuositavoitteiden "
        "etenemisasteiden keskiarvo, puolikkaat alaspäin.",
        "The figures count annual goals and actions ({rows} rows); the council-term goals are "
        "their headings. Suggested status: the mean of the goal's annual goals' statuses, "
        "halves rounded down.",
    ),
    "l_scale": (
        "Etenemisasteikko: taulukoiden ja kaavion luvut 1–{top} tarkoittavat",
        "Progress scale: the numbers 1–{top} in the tables and the chart mean",
    ),
    "l_step": ("{value} = {label}", "{value} = {label}"),
    "l_none": ("Ei etenemisastetta", "No progress status"),
    "l_none_means": (
        "Ei etenemisastetta = riville ei ole merkitty etenemisastetta",
        "No progress status = no progress status is given on the row",
    ),
    "l_rows_step": ("Rivejä, aste {value}", "Rows, status {value}"),
    "l_rows_none": ("Rivejä, ei etenemisastetta", "Rows, no progress status"),
    "l_rows_total": ("Rivejä yhteensä", "Rows in total"),
    "l_share_step": ("Osuus, aste {value}", "Share, status {value}"),
    "l_share_none": ("Osuus, ei etenemisastetta", "Share, no progress status"),
    "l_suggested": ("Ehdotettu tila (1–{top})", "Suggested status (1–{top})"),
    "l_goal_code": ("Tavoite", "Goal"),
    "l_goal_title": ("Valtuustokauden tavoite", "Council-term goal"),
    "l_all": ("Kaikki tavoitteet", "All goals"),
    "l_chart": (
        "Vuositavoitteet ja toimenpiteet etenemisasteittain, tavoite kerrallaan",
        "Annual goals and actions by progress status, goal by goal",
    ),
    "l_chart_cats": ("Tavoite", "Goal"),
    "l_chart_values": ("Vuositavoitteita ja toimenpiteitä", "Annual goals and actions"),
    "l_owners": (
        "Vastuuhenkilöittäin: jokainen, jolle kierroksella jaettiin työkirja, ja muut rivien "
        "vastuuhenkilöt. Rivit: vuositavoitteet ja toimenpiteet, joiden vastuuhenkilö hän on.",
        "By owner: everyone issued a workbook in the round, and the rows' other owners. Rows: "
        "the annual goals and actions the person owns.",
    ),
    "l_return": ("Palautus", "Return"),
    "l_owner": ("Vastuuhenkilö", "Owner"),
    "l_returned": ("palautettu", "returned"),
    "l_late": ("myöhässä", "late"),
    "l_missing": ("puuttuu", "missing"),
    "l_not_issued": ("ei jaettu", "not issued"),
    "l_deadline": ("Palautuksen määräpäivä", "Return deadline"),
    "l_deadline_unset": (
        "ei asetettu (Asetukset: Palautuksen määräpäivä)",
        "not set (Asetukset: Palautuksen määräpäivä)",
    ),
    "l_deadline_bad": ("{text} (ei luettavissa päivämääräksi)", "{text} (not readable as a date)"),
    "l_return_counts": (
        "Palautettu {received} / {issued}; puuttuu {missing}; myöhässä {late}",
        "Returned {received} / {issued}; missing {missing}; late {late}",
    ),
    "l_returns_counted": (
        "Yksi rivi jokaista kierroksella jaettua työkirjaa kohden. Solumäärät ovat vastuuhenkilön "
        "kaikista kierroksen palautuksista yhteensä, kuten yhdistäminen (merge) ne ilmoitti "
        "tiedosto kerrallaan: viedyt solut ovat samat, jotka Muutokset-välilehti luettelee ja "
        "Muutosloki kirjaa ”viety”; ristiriitaiset ja hylätyt solut jäivät viemättä.",
        "One row per workbook issued in the round. Cell counts are the sum over the owner's "
        "returns of the round, as merge reported them file by file: the cells applied are those "
        "the Movement sheet lists and the change log records as “viety”; cells in conflict and "
        "rejected cells were not applied.",
    ),
    "l_status_col": ("Tila", "Status"),
    "l_issued_file": ("Jaettu työkirja", "Workbook issued"),
    "l_count": ("Palautuksia", "Returns"),
    "l_when": ("Viimeksi vastaanotettu", "Last received"),
    "l_file": ("Viimeksi palautettu tiedosto", "Last file returned"),
    "l_applied": ("Viedyt solut", "Cells applied"),
    "l_conflicts": ("Ristiriitaiset solut, ei viety", "Cells in conflict, not applied"),
    "l_rejected": ("Hylätyt solut, ei viety", "Rejected cells, not applied"),
    "l_risks_counted": (
        "Kaikki rivit, joille on kirjattu riskejä (tavoitteet, vuositavoitteet ja "
        "toimenpiteet), {rows} riviä; heikoin etenemisaste ensin, ilman etenemisastetta "
        "viimeisenä.",
        "Every row with risks recorded (goals, annual goals and actions), {rows} rows; lowest "
        "progress status first, rows without one last.",
    ),
    "l_code": ("Koodi", "Code"),
    "l_title": ("Otsikko", "Title"),
    "l_risks": ("Riskit", "Risks"),
    "l_status": ("Etenemisaste", "Progress status"),
    "l_movement_title": ("Muutokset kierroksella {round}", "Movement in the round {round}"),
    "l_movement_counted": (
        "Jokainen solu, jonka yhdistäminen (merge) vei seurantataulukkoon kierroksen "
        "palautuksista (Muutosloki: ”viety”), {count} solua: sama luku kuin Palautustilanteen "
        "viedyt solut yhteensä. Ristiriitaiset ja hylätyt solut ovat Muutoslokissa.",
        "Every cell merge applied to the master from the round's returns (change log: "
        "“viety”), {count} cells: the same number as the cells applied in total on the Returns "
        "status sheet. Cells in conflict and rejected cells are in the change log.",
    ),
    "l_field": ("Sarake", "Column"),
    "l_change": ("Muutos", "Change"),
    "l_old": ("Vanha arvo", "Old value"),
    "l_new": ("Uusi arvo", "New value"),
    "l_total": ("Yhteensä", "Total"),
    "l_nothing": ("Ei rivejä.", "No rows."),
    "l_none_yet": ("Ei muutoksia kierroksella.", "No movement in the round."),
    "l_no_risks": ("Riskejä ei ole kirjattu.", "No risks recorded."),
    "l_no_round": ("ei kierrosta", "no round"),
    "l_up": ("nousi", "went up"),
    "l_down": ("laski", "went down"),
    "l_appeared": ("annettiin", "given"),
    "l_disappeared": ("poistettiin", "removed"),
    "l_changed": ("teksti muuttui", "text changed"),
}

HEADER_FILL = "1F4E78"
TOTAL_FILL = "DDEBF7"
STATUS_COLORS = ("C00000", "ED7D31", "FFC000", "9BBB59", "00B050", "A6A6A6")


def t(key: str, lang: str) -> str:
    fi, en = T[key]
    return en if lang == "en" else fi


@dataclass(frozen=True)
class Meta:
    """What every sheet says about itself."""

    source: str
    generated: datetime
    lang: str = "fi"


def add_summary_sheets(wb: Any, summary: Summary, meta: Meta) -> list[tuple[str, str]]:
    """Add the four summary sheets to an openpyxl workbook, each marked as the tool's;
    returns (name wanted, name given) of each. A name a sheet of the workbook has already
    (a coordinator's own *Riskit*, say) is left to it: the tool's sheet gets another."""
    from .marks import SUMMARY_KINDS, free_name, mark

    lang = meta.lang
    writers = {"overview": _overview, "returns": _returns, "risks": _risks, "movement": _movement}
    names = []
    for kind in SUMMARY_KINDS:
        wanted = SHEETS[kind][1 if lang == "en" else 0]
        ws = wb.create_sheet(free_name(wanted, wb.sheetnames))
        mark(wb, ws, kind)
        writers[kind](ws, summary, meta)
        names.append((wanted, ws.title))
    return names


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="A6A6A6")
    return {
        "title": Font(bold=True, size=14),
        "meta": Font(italic=True, color="595959"),
        "head_font": Font(bold=True, color="FFFFFF"),
        "head_fill": PatternFill("solid", fgColor=HEADER_FILL),
        "total_fill": PatternFill("solid", fgColor=TOTAL_FILL),
        "bold": Font(bold=True),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
    }


def _heading(ws: Any, title: str, summary: Summary, meta: Meta) -> None:
    st = _styles()
    ws["A1"] = title
    ws["A1"].font = st["title"]
    ws["A2"] = cell_text_value(
        t("meta", meta.lang).format(
            round=summary.round_id or "–",
            source=meta.source,
            time=meta.generated.strftime("%d.%m.%Y %H:%M"),
        )
    )
    ws["A2"].font = st["meta"]


def _table(
    ws: Any,
    top: int,
    header: list[str],
    rows: list[list[object]],
    *,
    total: list[object] | None = None,
    pct_from: int | None = None,
) -> int:
    """Write a table at row ``top``; returns the row after it. Columns from ``pct_from``
    (1-based) are shares, formatted as percentages."""
    st = _styles()
    ws.row_dimensions[top].height = 30
    for c, text in enumerate(header, start=1):
        cell = ws.cell(row=top, column=c, value=cell_text_value(text))
        cell.font, cell.fill, cell.border, cell.alignment = (
            st["head_font"],
            st["head_fill"],
            st["border"],
            st["center"],
        )
    body = [*rows, total] if total is not None else rows
    for r, values in enumerate(body, start=top + 1):
        for c, value in enumerate(values, start=1):
            # owners' names and titles come from the master: cleaned as every writer does
            cell = ws.cell(row=r, column=c, value=cell_text_value(value))
            if isinstance(value, str):
                cell.data_type = "s"
            cell.border = st["border"]
            cell.alignment = st["wrap"]
            if pct_from is not None and c >= pct_from and isinstance(value, float):
                cell.number_format = "0.0 %"
            if total is not None and r == top + len(body):
                cell.font, cell.fill = st["bold"], st["total_fill"]
    if not body:
        ws.cell(row=top + 1, column=1, value=t("nothing", "fi"))
    return top + 1 + max(len(body), 1)


def _dist_cells(d: Distribution) -> list[object]:
    counts: list[object] = [d.count(k) for k in d.keys]
    shares: list[object] = [round(d.share(k), 4) for k in d.keys]
    return [*counts, d.total, *shares]


def _finish(ws: Any, header_row: int, widths: list[float], *, titles: bool = True) -> None:
    from openpyxl.utils import get_column_letter

    from .template import row_height

    ws.freeze_panes = f"A{header_row + 1}"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    # programs other than LibreOffice do not refit rows: give wrapped text its height
    for r in range(header_row + 1, ws.max_row + 1):
        texts = [
            (str(ws.cell(row=r, column=c).value), widths[c - 1], False)
            for c in range(1, len(widths) + 1)
            if isinstance(ws.cell(row=r, column=c).value, str)
            and ws.cell(row=r, column=c).alignment.wrap_text
        ]
        height = row_height(texts)
        if height:
            ws.row_dimensions[r].height = height
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if titles:
        ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.center.text = "&A – &P / &N"


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _overview(ws: Any, s: Summary, meta: Meta) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrRef
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.styles import Alignment

    lang = meta.lang
    _heading(ws, t("title", lang), s, meta)
    ws["A3"] = t("counted", lang)
    ws["A3"].font = _styles()["meta"]
    keys = s.overall.keys
    labels = [str(k) if k != NO_STATUS else t("none", lang) for k in keys]
    shares = [f"{x} %" for x in labels]
    header = [
        t("code", lang),
        t("goal", lang),
        *labels,
        t("total", lang),
        *shares,
        t("suggested", lang),
    ]
    rows = [
        [
            g.code,
            _short(g.title),
            *_dist_cells(g.dist),
            g.suggested if g.suggested is not None else "",
        ]
        for g in s.goals
    ]
    top = 5
    pct_from = len(keys) + 4
    total = ["", t("all", lang), *_dist_cells(s.overall), ""]
    after = _table(ws, top, header, rows, total=total, pct_from=pct_from)
    owner_top = after + 1
    owner_header = ["", t("owner", lang), *labels, t("total", lang), *shares, t("returned", lang)]
    owner_rows = [
        ["", o.owner, *_dist_cells(o.dist), t("yes" if o.returned else "no", lang)]
        for o in s.owners
    ]
    end = _table(ws, owner_top, owner_header, owner_rows, pct_from=pct_from)
    for r in range(top, end):  # one line a row: titles are cut at the cell, not wrapped
        ws.cell(row=r, column=2).alignment = Alignment(wrap_text=False, vertical="top")
    if s.goals:
        # one stacked bar per goal (by code), one series per status
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = t("chart", lang)
        chart.y_axis.title = t("rows", lang)
        chart.x_axis.title = t("goal", lang)
        chart.height = max(7.5, 0.45 * len(s.goals) + 4)
        chart.width = 24
        first, last = top + 1, top + len(s.goals)
        for i in range(len(keys)):
            chart.add_data(
                Reference(ws, min_col=3 + i, min_row=top, max_row=last), titles_from_data=True
            )
        codes = Reference(ws, min_col=1, min_row=first, max_row=last)
        for series, color in zip(chart.series, STATUS_COLORS, strict=False):
            series.graphicalProperties = GraphicalProperties(solidFill=color)
            # the goal codes are text: a string reference, as Excel writes one
            series.cat = AxDataSource(strRef=StrRef(f=str(codes)))
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend.position = "b"
        ws.add_chart(chart, f"B{end + 1}")
    _finish(ws, top, [8, 52] + [7] * len(keys) + [9] + [8] * len(keys) + [11], titles=False)


def _returns(ws: Any, s: Summary, meta: Meta) -> None:
    lang = meta.lang
    _heading(ws, t("returns_title", lang), s, meta)
    header = [
        t(k, lang)
        for k in (
            "owner",
            "issued_file",
            "returned",
            "when",
            "file",
            "applied",
            "conflicts",
            "rejected",
        )
    ]
    rows = [
        [
            r.owner,
            r.issued_file,
            t("yes" if r.received else "no", lang),
            r.when,
            r.file,
            r.applied,
            r.conflicts,
            r.rejected,
        ]
        for r in s.returns
    ]
    received = sum(1 for r in s.returns if r.received)
    total = [
        t("total", lang),
        "",
        f"{received} / {len(s.returns)}",
        "",
        "",
        sum(r.applied for r in s.returns),
        sum(r.conflicts for r in s.returns),
        sum(r.rejected for r in s.returns),
    ]
    _table(ws, 4, header, rows, total=total)
    _finish(ws, 4, [30, 44, 11, 20, 40, 11, 14, 14])


def _risks(ws: Any, s: Summary, meta: Meta) -> None:
    lang = meta.lang
    _heading(ws, t("risks_title", lang), s, meta)
    header = [t(k, lang) for k in ("code", "title_col", "risks", "status", "owner")]
    rows = [
        [r.code, r.title, r.risks, r.status if r.status is not None else "", r.owner]
        for r in s.risks
    ]
    _table(ws, 4, header, rows)
    _finish(ws, 4, [10, 50, 70, 15, 24])


def _movement(ws: Any, s: Summary, meta: Meta) -> None:
    lang = meta.lang
    _heading(ws, t("movement_title", lang), s, meta)
    header = [t(k, lang) for k in ("code", "change", "old", "new", "owner")]
    moves = sorted(s.movements, key=lambda m: (Code.parse(m.code), m.field))
    rows = [[m.code, t(m.kind, lang), m.old, m.new, m.owner] for m in moves]
    _table(ws, 4, header, rows)
    _finish(ws, 4, [10, 24, 55, 55, 24])


def write_standalone(path: Path, summary: Summary, meta: Meta) -> Path | None:
    """A workbook with the summary sheets only: no hidden sheets, manifest or macros.

    An existing file is replaced only when it is a standalone summary the tool made (a
    backup is kept); a master, a follow-up sheet or any other file is refused. Returns the
    backup made."""
    from openpyxl import Workbook

    path = Path(path)
    if path.exists() or path.is_symlink():
        check_summary_target(path)
    wb = Workbook()
    wb.remove(wb.active)
    add_summary_sheets(wb, summary, meta)
    wb.properties.title = t("title", meta.lang)
    wb.properties.creator = "seuranta-xl"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError("save_failed", path=str(path), detail=str(exc)) from None
    refuse_if_open(path)
    with run_lock(path):
        return atomic_write(path, wb.save, backup=path.exists())


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: through symlinks, ``..`` and, where the file system
    ignores it, case."""
    import os

    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(a.resolve()) == os.path.normcase(b.resolve())


def check_summary_target(path: Path) -> None:
    """An existing file may be replaced by a standalone summary only when every sheet of it
    is a summary sheet the tool made."""
    import zipfile

    from .marks import SUMMARY_KINDS, marked_in_zip
    from .patch import sheet_parts

    path = Path(path)
    if path.is_dir():
        raise WriteError("summary_out_not_summary", path=str(path))
    try:
        with zipfile.ZipFile(path) as zf:
            sheets = set(sheet_parts(zf))
    except (OSError, KeyError, ValueError, SyntaxError, zipfile.BadZipFile):
        raise WriteError("summary_out_not_summary", path=str(path)) from None
    marked = marked_in_zip(path)
    if not sheets or any(marked.get(name) not in SUMMARY_KINDS for name in sheets):
        raise WriteError("summary_out_not_summary", path=str(path))


def write_into_master(
    path: Path, summary: Summary, meta: Meta, *, data_sheet: str | None = None
) -> tuple[Path | None, list[tuple[str, str]]]:
    """Replace the tool's summary sheets in the master; nothing else is meant to change.

    The caller holds the master's run lock. The master is loaded and saved with openpyxl,
    so it is refused when it holds parts that would be lost (charts or images other than
    those of the tool's summary sheets themselves). Returns the backup made and (name
    wanted, name given) of each summary sheet.
    """

    from .master import parts_at_risk

    path = Path(path)
    refuse_if_open(path)
    refuse_risky(path, [p for p in parts_at_risk(path) if not summary_part(path, p)])
    wb = load_workbook_as_stored(path, keep_vba=path.suffix.lower() == ".xlsm", rich_text=True)
    names = replace_summary_sheets(wb, summary, meta, data_sheet=data_sheet)
    return atomic_write(path, wb.save), names


def refuse_risky(path: Path, risky: list[str]) -> None:
    """WriteError naming the parts a save would lose, if any. Charts on summary sheets that
    carry the tool's names but not its marker (an earlier version made them, or the
    coordinator did) are said to be that."""
    import zipfile

    from .marks import marked_in_zip
    from .patch import sheet_parts

    if not risky:
        return
    if {"xl/charts", "xl/drawings"} & set(risky):
        with zipfile.ZipFile(path) as zf:
            sheets = list(sheet_parts(zf))
        marked = marked_in_zip(path)
        tool_names = {name for pair in SHEETS.values() for name in pair}
        unmarked = [s for s in sheets if s in tool_names and s not in marked]
        if unmarked:
            raise WriteError(
                "summary_unmarked",
                path=str(path),
                sheets=", ".join(unmarked),
                detail=", ".join(risky),
            )
    raise WriteError("would_lose", path=str(path), detail=", ".join(risky))


def replace_summary_sheets(
    wb: Any, summary: Summary, meta: Meta, *, data_sheet: str | None = None
) -> list[tuple[str, str]]:
    """Drop the summary sheets the tool made in an openpyxl workbook and add them anew,
    right after the data sheet; a coordinator's sheets are left as they are, whatever
    their names. Returns (name wanted, name given) of each."""
    from .marks import SUMMARY_KINDS, marked_in_book, remove_marked

    remove_marked(wb, SUMMARY_KINDS)
    names = add_summary_sheets(wb, summary, meta)
    given = [name for _, name in names]
    tool = marked_in_book(wb)
    if data_sheet not in wb.sheetnames:
        others = [n for n in wb.sheetnames if n not in tool]
        data_sheet = others[0] if others else None
    after = wb.sheetnames.index(data_sheet) if data_sheet is not None else 0
    for i, name in enumerate(given):
        wb.move_sheet(name, offset=after + 1 + i - wb.sheetnames.index(name))
    wb.active = after
    return names


def renamed(names: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The sheets that could not have the name wanted."""
    return [(w, g) for w, g in names if w != g]


_REL_RE = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")


def _drawing_targets(rels: bytes) -> list[str]:
    """The drawings a sheet's relationships point at."""
    out = []
    for m in _REL_RE.finditer(rels):
        tag = m.group(0)
        kind = re.search(rb'Type="([^"]*)"', tag)
        target = re.search(rb'Target="([^"]*)"', tag)
        if kind and target and kind.group(1).endswith(b"/relationships/drawing"):
            out.append(target.group(1).decode("utf-8", "replace"))
    return out


def summary_part(path: Path, part: str) -> bool:
    """Charts and drawings belong to the tool's summary sheets (which are rebuilt) when no
    other sheet refers to a drawing."""
    import zipfile

    from .marks import SUMMARY_KINDS, marked_in_zip
    from .patch import sheet_parts

    if part not in ("xl/charts", "xl/drawings"):
        return False
    tool = {s for s, kind in marked_in_zip(path).items() if kind in SUMMARY_KINDS}
    with zipfile.ZipFile(path) as zf:
        parts = sheet_parts(zf)
        names = set(zf.namelist())
        for sheet, sheet_part in parts.items():
            rels = sheet_part.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if sheet in tool or rels not in names:
                continue
            if _has_shapes(zf, sheet_part, _drawing_targets(zf.read(rels))):
                return False
    return True


def _has_shapes(zf: Any, sheet_part: str, targets: list[str]) -> bool:
    """Whether a drawing a sheet refers to holds anything (LibreOffice gives sheets an
    empty one)."""
    import posixpath

    from .master import _ANCHOR_RE

    for target in targets:
        if target.startswith("/"):
            name = target.lstrip("/")
        else:
            name = posixpath.normpath(posixpath.join(posixpath.dirname(sheet_part), target))
        try:
            if _ANCHOR_RE.search(zf.read(name)):
                return True
        except KeyError:
            continue
    return False
