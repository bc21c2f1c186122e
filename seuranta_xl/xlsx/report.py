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
