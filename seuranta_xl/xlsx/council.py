"""The council's report (*Valtuustoraportti*): goal → annual goal → action in code order,
each with its status (the scale's own text, coloured red to green), the overall status,
the commentary, the risks and the owner; a goal a page, the round and date on every page.
Built as a ``SheetSpec``; nothing here imports a workbook library."""

from __future__ import annotations

from ..model import column_letter
from ..summary import ReportLine, Summary
from .names import SUMMARY_SHEETS
from .report import HEADER_FILL, Meta, step_gradient
from .sheetspec import Look, SheetSpec
from .template import row_height, tall_length, too_tall

KIND = "council"

T = {
    "title": (
        "Valtuustoraportti: strategian toteutuminen",
        "Council report: progress of the strategy",
    ),
    "round": ("Seurantakierros", "Follow-up round"),
    "date": ("Laadittu", "Prepared"),
    "deadline": ("Palautuksen määräpäivä", "Return deadline"),
    "source": ("Lähde", "Source"),
    "legend": (
        "Etenemisaste (seurantataulukon asteikko):",
        "Progress status (the follow-up's scale):",
    ),
    "none": ("Ei etenemisastetta", "No progress status"),
    "unknown": (
        "Kirjoitettu muuten kuin asteikon mukaan: näytetään sellaisenaan, harmaalla.",
        "Written other than on the scale: shown as written, in grey.",
    ),
    "how": (
        "Rivit koodijärjestyksessä: tavoite (lihavoitu, taustaväri), sen alla vuositavoitteet "
        "ja toimenpiteet sisennettyinä. Jokainen tavoite alkaa omalta sivultaan.",
        "Rows in code order: each goal (bold, shaded), under it its annual goals and actions, "
        "indented. Every goal starts a new page.",
    ),
    "uncoded_note": (
        "Rivit, joilla ei ole koodia ({count} kpl), eivät kuulu tavoitehierarkiaan: ne ovat "
        "raportin lopussa omalla sivullaan.",
        "Rows without a code ({count}) are not part of the hierarchy: they are at the end of "
        "the report on a page of their own.",
    ),
    "uncoded": ("Rivit ilman koodia (eivät kuulu tavoitehierarkiaan)", "Rows without a code"),
    "nothing": ("Seurantataulukossa ei ole rivejä.", "The follow-up has no rows."),
    "more": ("(jatkuu)", "(continued)"),
    "page": ("Sivu &P / &N", "Page &P / &N"),
    "code": ("Koodi", "Code"),
    "item": ("Tavoite / vuositavoite / toimenpide", "Goal / annual goal / action"),
    "status": ("Etenemisaste", "Progress status"),
    "overall": ("Kokonaistilanne", "Overall status"),
    "commentary": ("Tilannekuvaus", "Commentary"),
    "risks": ("Riskit", "Risks"),
    "owner": ("Vastuuhenkilö", "Owner"),
}

# fills from the lowest step to the highest: light enough for black text to read, and
# told apart in print by their text, not their colour alone
STEP_ANCHORS = ("F4A6A6", "F8CBAD", "FFE699", "C6E0B4", "92D19F")
NO_STATUS_FILL = "D9D9D9"
GOAL_FILL = "DDEBF7"
BODY_SIZE = 11.0

# (key, width in characters); the overall status only when some row has one
COLUMNS = (
    ("code", 9.0),
    ("item", 40.0),
    ("status", 26.0),
    ("overall", 14.0),
    ("commentary", 58.0),
    ("risks", 34.0),
    ("owner", 16.0),
)
TEXT_FIELDS = ("item", "status", "overall", "commentary", "risks", "owner")


def t(key: str, lang: str) -> str:
    fi, en = T[key]
    return en if lang == "en" else fi


def step_fills(values: tuple[int, ...]) -> dict[int, str]:
    """A fill per scale step, red (lowest) through yellow to green (highest), for a scale
    of any length: pale, so that the status text on it stays readable."""
    return step_gradient(values, STEP_ANCHORS)


def header_escape(text: str) -> str:
    """Text as it must stand in a page header: ``&`` doubled, no line breaks."""
    return " ".join(text.split()).replace("&", "&&")


def council_sheet(summary: Summary, meta: Meta, *, deadline: str = "") -> SheetSpec:
    """The council's report of ``summary`` as a sheet; ``deadline`` is the return deadline
    as the settings give it (shown when known; by default the summary's)."""
    lang = meta.lang
    deadline = deadline or summary.deadline_text
    lines = summary.council.lines
    out = _Report(
        SheetSpec(kind=KIND, name=SUMMARY_SHEETS[KIND][1 if lang == "en" else 0]),
        lang,
        # the overall status only when someone gave one
        [k for k, _ in COLUMNS if k != "overall" or any(x.overall for x in lines)],
        step_fills(tuple(v for v, _ in summary.council.scale) or summary.overall.values),
    )
    when = f"{meta.generated.day}.{meta.generated.month}.{meta.generated.year}"
    round_text = summary.round_id or "–"
    facts = [f"{t('round', lang)}: {round_text}", f"{t('date', lang)}: {when}"]
    if deadline:
        facts.append(f"{t('deadline', lang)}: {deadline}")
    facts.append(f"{t('source', lang)}: {meta.source}")
    head = out.opening(facts, summary.council.scale, lines)
    out.table(head, lines)
    spec = out.spec
    spec.page_header = (
        f"&L&9{header_escape(t('title', lang))}"
        f"&C&9{header_escape(t('round', lang))} {header_escape(round_text)}"
        f"&R&9{header_escape(t('date', lang))} {when}"
    )
    spec.page_footer = f"&C&9{t('page', lang)}"
    spec.landscape = True
    spec.fit_width = True
    return spec


class _Report:
    """The sheet as it is built: its columns, their widths and the status fills."""

    def __init__(self, spec: SheetSpec, lang: str, keys: list[str], fills: dict[int, str]):
        self.spec = spec
        self.lang = lang
        self.col = {k: i for i, k in enumerate(keys, start=1)}
        self.widths = dict(COLUMNS)
        self.fills = fills
        self.last = column_letter(len(keys))
        spec.widths = {self.col[k]: self.widths[k] for k in keys}
        self.text_keys = [k for k in TEXT_FIELDS if k in self.col]  # in the columns' order
        self._usable_by_indent: dict[int, tuple[list[float], list[int]]] = {}
        self._looks_by_kind: dict[tuple[bool, int, str, bool], tuple[Look, Look, list[Look]]] = {}

    def t(self, key: str) -> str:
        return t(key, self.lang)

    def across(self, r: int, value: str, look: Look, first: str = "A") -> None:
        """A text over the whole width of the table."""
        self.spec.put(r, ord(first) - 64, value, look)
        self.spec.merged.append(f"{first}{r}:{self.last}{r}")

    def opening(
        self,
        facts: list[str],
        scale: tuple[tuple[int, str], ...],
        lines: tuple[ReportLine, ...],
    ) -> int:
        """Title, round and date, the scale's legend and how to read the report; returns
        the row of the table's header."""
        spec = self.spec
        spec.put(1, 1, self.t("title"), Look(bold=True, size=16, valign="center"))
        spec.heights[1] = 24
        self.across(2, "     ".join(facts), Look(size=11))
        self.across(4, self.t("legend"), Look(bold=True, size=BODY_SIZE))
        r = 5
        legend = [(self.fills[v], str(v), f"{v} {label}".rstrip()) for v, label in scale]
        legend.append((NO_STATUS_FILL, "–", self.t("none")))
        if any(x.status is None and x.status_text for x in lines):
            legend.append((NO_STATUS_FILL, "?", self.t("unknown")))
        for fill, mark, text in legend:
            look = Look(size=BODY_SIZE, fill=fill, border=True, halign="center", bold=True)
            spec.put(r, 1, mark, look)
            self.across(r, text, Look(size=BODY_SIZE), "B")
            r += 1
        notes = [self.t("how")]
        uncoded = sum(1 for x in lines if not x.code)
        if uncoded:
            notes.append(self.t("uncoded_note").format(count=uncoded))
        r += 1
        for note in notes:
            self.across(r, note, Look(italic=True, size=BODY_SIZE, color="404040"))
            r += 1
        return r + 1

    def table(self, head: int, lines: tuple[ReportLine, ...]) -> None:
        """The header (printed on every page) and the rows, a goal a page."""
        spec = self.spec
        look = Look(
            bold=True,
            size=BODY_SIZE,
            color="FFFFFF",
            fill=HEADER_FILL,
            border=True,
            wrap=True,
            valign="center",
        )
        for k, c in self.col.items():
            spec.put(head, c, self.t(k), look)
        spec.heights[head] = 28
        spec.title_rows = (head, head)
        spec.freeze_row = head
        r = head + 1
        if not lines:
            spec.put(r, 1, self.t("nothing"), Look(italic=True))
        group: str | None = ""
        for line in lines:
            this = line.code.split(".")[0] if line.code else None
            if this != group:
                if r > head + 1:  # each goal (and the rows without a code) on a new page
                    spec.row_breaks.append(r - 1)
                if this is None:
                    self.across(r, self.t("uncoded"), Look(bold=True, size=BODY_SIZE + 1))
                    spec.heights[r] = 22
                    r += 1
                group = this
            r = self.line(r, line)

    def line(self, r: int, line: ReportLine) -> int:
        """Write one report row at ``r`` (and, for a text too long for one row, the rows
        that carry it on); returns the next free row."""
        spec, col = self.spec, self.col
        goal = line.level == 1 and bool(line.code)
        indent = max(line.level - 1, 0) if line.code else 0
        if line.status is not None:
            status_fill, status_text = self.fills.get(line.status, NO_STATUS_FILL), line.status_text
        elif line.status_text:  # not on the scale: as written
            status_fill, status_text = NO_STATUS_FILL, line.status_text
        elif goal:  # a goal is a heading: no status there is nothing to point out
            status_fill, status_text = GOAL_FILL, ""
        else:
            status_fill, status_text = NO_STATUS_FILL, self.t("none")
        texts = {
            "item": line.title,
            "status": status_text,
            "overall": line.overall,
            "commentary": line.commentary,
            "risks": line.risks,
            "owner": line.owner,
        }
        keys = self.text_keys
        usable, short = self._usable(indent)
        pieces = [
            # a short text is one piece: settled here, without asking _pieces
            [text] if len(text) < limit and "\n" not in text else _pieces(text, w)
            for text, w, limit in zip([texts[k] for k in keys], usable, short, strict=True)
        ]
        italic = line.status is None and bool(line.status_text)
        code_look, more_look, looks = self._looks(goal, indent, status_fill, italic)
        code_col, cols = col["code"], [col[k] for k in keys]
        for i in range(max(map(len, pieces))):
            if i == 0:
                spec.put(r, code_col, line.code, code_look)
            else:
                spec.put(r, code_col, self.t("more"), more_look)
            shown = [p[i] if i < len(p) else "" for p in pieces]
            for c, text, look in zip(cols, shown, looks, strict=True):
                spec.put(r, c, text or None, look)
            height = row_height([(text, w, goal) for text, w in zip(shown, usable, strict=True)])
            if height:
                spec.heights[r] = height
            r += 1
        return r

    def _usable(self, indent: int) -> tuple[list[float], list[int]]:
        """The text columns' usable widths at ``indent`` and the length below which a text
        without line breaks fits one row (worked out once per indent)."""
        known = self._usable_by_indent.get(indent)
        if known is None:
            usable = [_usable(self.widths[k], indent if k == "item" else 0) for k in self.text_keys]
            # as _too_tall asks: estimated as bold
            known = usable, [tall_length(w, True) for w in usable]
            self._usable_by_indent[indent] = known
        return known

    def _looks(
        self, goal: bool, indent: int, status_fill: str, italic: bool
    ) -> tuple[Look, Look, list[Look]]:
        """A row's looks: the code's, the code's on the rows that carry a text on, and the
        text columns'; made once per combination, the same for every row."""
        key = (goal, indent, status_fill, italic)
        known = self._looks_by_kind.get(key)
        if known is None:
            base = Look(
                size=BODY_SIZE, border=True, wrap=True, bold=goal, fill=GOAL_FILL if goal else ""
            )
            own = {
                "item": _with(base, indent=indent),
                "status": _with(base, fill=status_fill, italic=italic),
            }
            known = (
                _with(base, wrap=False),
                _with(base, italic=True, bold=False),
                [own.get(k, base) for k in self.text_keys],
            )
            self._looks_by_kind[key] = known
        return known


def _with(look: Look, **changes: object) -> Look:
    from dataclasses import replace

    return replace(look, **changes)  # type: ignore[arg-type]


def _usable(width: float, indent: int) -> float:
    """Characters a line of the column holds, less the indent (about three a level).
    ``row_height`` counts a character per unit of width, which left wide columns of
    this sheet (Finnish prose) with a third of their height empty; 1.1 still leaves a
    line or two to spare (looked at as pages of the sample and the synthetic master)."""
    return max(width * 1.1 - 3 * indent, 4.0)


def _pieces(text: str, width: float) -> list[str]:
    """``text`` cut at word breaks into pieces that each fit one row (a row is at most
    ``MAX_ROW_HEIGHT`` points high); a text that fits is one piece."""
    if not _too_tall(text, width):
        return [text]
    out: list[str] = []
    current = ""
    for n, paragraph in enumerate(text.split("\n")):
        for j, word in enumerate(paragraph.split(" ")):
            sep = ("\n" if n and not j else " ") if current else ""
            if current and _too_tall(current + sep + word, width):
                out.append(current)
                current = word
            else:
                current += sep + word
    out.append(current)
    return [p.strip() for p in out if p.strip()] or [""]


def _too_tall(text: str, width: float) -> bool:
    # estimated as bold: a little more generous than the text needs
    return too_tall(text, width, True)
