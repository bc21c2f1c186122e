"""What the summary's layouts share: the texts in both languages, the colours, and what
every sheet says about itself (``Meta``). The sheets are laid out in ``summary_layout`` and
written by ``summary_book``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .names import SUMMARY_SHEETS

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
        "palautuksista (Muutosloki: ”viety”), {count:solu|solua}: sama luku kuin Palautustilanteen "
        "viedyt solut yhteensä. Ristiriitaiset ja hylätyt solut ovat Muutoslokissa.",
        "Every cell merge applied to the master from the round's returns (change log: "
        "“viety”), {count:cell|cells}: the same number as the cells applied in total on the "
        "Returns status sheet. Cells in conflict and rejected cells are in the change log.",
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


def t(key: str, lang: str) -> str:
    fi, en = T[key]
    return en if lang == "en" else fi


@dataclass(frozen=True)
class Meta:
    """What every sheet says about itself."""

    source: str
    generated: datetime
    lang: str = "fi"


def step_gradient(values: tuple[int, ...], anchors: tuple[str, ...]) -> dict[int, str]:
    """A colour per step of a scale of any length, lowest to highest, mixed evenly along
    ``anchors`` (``RRGGBB``, e.g. red, yellow, green)."""
    n, last = len(values), len(anchors) - 1
    out = {}
    for i, value in enumerate(values):
        pos = (i / (n - 1) if n > 1 else 1.0) * last
        lo = int(pos)
        out[value] = _mix(anchors[lo], anchors[min(lo + 1, last)], pos - lo)
    return out


def _mix(a: str, b: str, f: float) -> str:
    ca = [int(a[i : i + 2], 16) for i in (0, 2, 4)]
    cb = [int(b[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(x + (y - x) * f):02X}" for x, y in zip(ca, cb, strict=True))
