"""The summary sheets as finance and the council read them, laid out as ``SheetSpec``s:
the overview (with its chart), the returns status, the risks and the movement in the
round. The figures come from ``summary.summarize``; the writer puts the specs into the
master or a standalone workbook. Nothing here imports a workbook library.

Every sheet opens with its title, the round, the source file, the time it was made and
what it counts; numbers are numbers (shares with a percent format, times as real dates);
the scale's own labels are stated where its numbers are used; row heights fit whole
titles, since programs do not refit rows they did not write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..model import Code
from ..rounds import owner_key
from ..summary import NO_STATUS, Distribution, ReturnLine, Summary
from ..texts import fill
from .names import SUMMARY_SHEETS
from .report import HEADER_FILL, TOTAL_FILL, Meta, step_gradient, t
from .sheetspec import (
    DATE_FORMAT,
    DATE_TIME_FORMAT,
    PERCENT_FORMAT,
    BarChart,
    Look,
    Series,
    SheetSpec,
    Value,
)
from .template import row_height

KINDS = ("overview", "returns", "risks", "movement")

TITLE = Look(bold=True, size=14)
META = Look(italic=True, color="404040", wrap=True)
HEAD = Look(bold=True, color="FFFFFF", fill=HEADER_FILL, border=True, wrap=True, valign="center")
BODY = Look(border=True, wrap=True)
NUMBER = Look(border=True, halign="right")
PERCENT = Look(border=True, halign="right", number_format=PERCENT_FORMAT)
WHEN = Look(border=True, halign="right", number_format=DATE_TIME_FORMAT)
TOTAL = Look(bold=True, fill=TOTAL_FILL, border=True, wrap=True)
TOTAL_NUMBER = Look(bold=True, fill=TOTAL_FILL, border=True, halign="right")
TOTAL_PERCENT = Look(
    bold=True, fill=TOTAL_FILL, border=True, halign="right", number_format=PERCENT_FORMAT
)
# a return's state: a word and a fill, so it does not rest on colour alone
STATE_LOOKS = {
    "returned": Look(border=True, wrap=True, fill="C6EFCE", color="006100"),
    "late": Look(bold=True, border=True, wrap=True, fill="FFEB9C", color="7F4F00"),
    "missing": Look(bold=True, border=True, wrap=True, fill="FFC7CE", color="9C0006"),
    "not_issued": Look(border=True, wrap=True, color="595959"),
}
NO_STATUS_COLOR = "A6A6A6"
STEP_ANCHORS = ("C00000", "FFC000", "00B050")  # red, yellow, green: the chart's own


def summary_sheets(summary: Summary, meta: Meta) -> list[SheetSpec]:
    """The overview, returns status, risks and movement sheets and the council's report,
    in that order."""
    from .council import council_sheet

    return [
        overview_sheet(summary, meta),
        returns_sheet(summary, meta),
        risks_sheet(summary, meta),
        movement_sheet(summary, meta),
        council_sheet(summary, meta),
    ]


def sheet_name(kind: str, lang: str) -> str:
    fi, en = SUMMARY_SHEETS[kind]
    return en if lang == "en" else fi


def step_colors(values: tuple[int, ...]) -> dict[int, str]:
    """A colour per step of the scale, red through yellow to green; grey for none."""
    return {NO_STATUS: NO_STATUS_COLOR, **step_gradient(values, STEP_ANCHORS)}


def time_text(when: datetime) -> str:
    """``d.m.yyyy h:mm``, as the sheets show a time."""
    return f"{when.day}.{when.month}.{when.year} {when.hour}:{when.minute:02d}"


def _round(s: Summary, lang: str) -> str:
    return s.round_id or t("l_no_round", lang)


def _new(kind: str, s: Summary, meta: Meta) -> SheetSpec:
    """A sheet with the print set-up every summary sheet has."""
    lang = meta.lang
    header = "&L&8{}&R&8{}".format(
        _codes(t("l_round", lang).format(round=_round(s, lang))),
        _codes(t("l_generated", lang).format(time=time_text(meta.generated))),
    )
    return SheetSpec(kind, sheet_name(kind, lang), page_header=header)


def _codes(text: str) -> str:
    """Text for a page header: a literal ``&`` doubled."""
    return text.replace("&", "&&")


def _heading(
    spec: SheetSpec, title: str, s: Summary, meta: Meta, counted: str, *, ncols: int
) -> int:
    """Title, round, source, time and what is counted in rows 1-3; returns the next row."""
    lang = meta.lang
    spec.put(1, 1, title, TITLE)
    spec.heights[1] = 22
    meta_line = t("l_meta", lang).format(
        round=_round(s, lang), source=meta.source, time=time_text(meta.generated)
    )
    _line(spec, 2, meta_line, META, ncols)
    _line(spec, 3, counted, META, ncols)
    return 4


def _line(spec: SheetSpec, row: int, text: str, look: Look, ncols: int) -> None:
    """A line of text across the table's width, wrapped, its row as high as it needs."""
    spec.put(row, 1, text, look)
    if ncols > 1:
        spec.merged.append(f"A{row}:{_col(ncols)}{row}")
    width = sum(_width(spec, c) for c in range(1, ncols + 1))
    spec.heights[row] = _height([(text, width, look.bold)]) or 15.0


def _col(n: int) -> str:
    from ..model import column_letter

    return column_letter(n)


def _width(spec: SheetSpec, col: int) -> float:
    return spec.widths.get(col, 8.43)


def _height(texts: list[tuple[str, float, bool]]) -> float | None:
    """A height for wrapped texts: ``template.row_height``, which wraps words whole as
    LibreOffice and Excel do, at fewer characters a line than Calibri fits (generous)."""
    return row_height(texts)


def _fit_rows(spec: SheetSpec, first: int, last: int) -> None:
    """Heights for the table rows ``first``..``last`` whose wrapped texts need more than
    one line (merged heading lines have theirs already)."""
    by_row: dict[int, list[tuple[str, float, bool]]] = {}
    for (r, c), cell in spec.cells.items():
        if first <= r <= last and cell.look.wrap and isinstance(cell.value, str):
            by_row.setdefault(r, []).append((cell.value, _width(spec, c), cell.look.bold))
    for r, texts in by_row.items():
        height = _height(texts)
        if height:
            spec.heights[r] = max(height, spec.heights.get(r, 0))


def _header(spec: SheetSpec, row: int, names: list[str], first_col: int = 1) -> None:
    spec.put_row(row, list(names), HEAD, first_col)
    for i, name in enumerate(names):  # a header breaks between words, never inside one
        longest = max((len(word) for word in name.split()), default=0)
        col = first_col + i
        spec.widths[col] = max(_width(spec, col), round(longest * 1.1 + 1.5))
    texts = [(n, _width(spec, first_col + i), True) for i, n in enumerate(names)]
    spec.heights[row] = max(_height(texts) or 15.0, 30.0)


def _share(d: Distribution, key: int) -> float | None:
    return d.share(key) if d.total else None


# the overview


def overview_sheet(s: Summary, meta: Meta) -> SheetSpec:
    """The scale, the figures per goal, the chart and the figures per owner."""
    spec = _new("overview", s, meta)
    cols = _Columns(s.overall.keys)
    spec.widths = {1: 11, 2: 46, cols.last: 11, cols.total: 10}
    for i, key in enumerate(cols.keys):
        wide = 15 if key == NO_STATUS else 9
        spec.widths[cols.count + i] = wide
        spec.widths[cols.share + i] = wide
    counted = t("l_counted", meta.lang).format(rows=s.overall.total)
    row = _heading(spec, t("title", meta.lang), s, meta, counted, ncols=cols.last)
    row = _legend(spec, row + 1, s, meta.lang)
    row = _goal_table(spec, row + 2, s, meta.lang, cols)
    row = _owner_table(spec, row, s, meta.lang, cols)
    spec.title_rows = (1, 2)
    return spec


@dataclass(frozen=True)
class _Columns:
    """The overview's columns: code or return, title or owner, a count per step, the
    total, a share per step, the suggested status."""

    keys: tuple[int, ...]

    @property
    def count(self) -> int:
        return 3

    @property
    def total(self) -> int:
        return 3 + len(self.keys)

    @property
    def share(self) -> int:
        return 4 + len(self.keys)

    @property
    def last(self) -> int:
        return 4 + 2 * len(self.keys)

    def names(self, lang: str) -> list[str]:
        rows = [_rows_name(key, lang) for key in self.keys]
        return [*rows, t("l_rows_total", lang), *(_share_name(key, lang) for key in self.keys)]


def _legend(spec: SheetSpec, row: int, s: Summary, lang: str) -> int:
    """The scale, stated where its numbers are used: the master's own labels, each with
    its colour in the chart; returns the last row."""
    colors = step_colors(s.overall.values)
    top = max(s.overall.values, default=0)
    spec.put(row, 1, t("l_scale", lang).format(top=top), Look(bold=True))
    for value in s.overall.values:
        row += 1
        spec.put(row, 1, value, _swatch(colors[value]))
        label = s.labels.get(value, "")
        spec.put(row, 2, t("l_step", lang).format(value=value, label=label))
    row += 1
    spec.put(row, 1, "", _swatch(NO_STATUS_COLOR))
    spec.put(row, 2, t("l_none_means", lang))
    return row


def _goal_table(spec: SheetSpec, head: int, s: Summary, lang: str, cols: _Columns) -> int:
    """The figures per goal and in all, then the chart on a page of its own; returns the
    last row used."""
    top = max(s.overall.values, default=0)
    names = [t("l_goal_code", lang), t("l_goal_title", lang), *cols.names(lang)]
    _header(spec, head, [*names, t("l_suggested", lang).format(top=top)])
    row = head
    for g in s.goals:
        row += 1
        spec.put(row, 1, g.code, BODY)
        spec.put(row, 2, g.title, BODY)
        _dist(spec, row, g.dist, cols.count)
        spec.put(row, cols.last, g.suggested, NUMBER)
    first_goal, last_goal = head + 1, row
    row += 1
    spec.put(row, 1, "", TOTAL)
    spec.put(row, 2, t("l_all", lang), TOTAL)
    _dist(spec, row, s.overall, cols.count, total=True)
    spec.put(row, cols.last, None, TOTAL)
    _fit_rows(spec, head + 1, row)
    if not s.goals:
        return row
    # goals from the top in code order; a series per step, named by the scale
    spec.row_breaks.append(row)
    colors = step_colors(s.overall.values)
    chart_top = row + 2
    chart_rows = max(26, round(len(s.goals) * 1.4) + 10)
    spec.chart = BarChart(
        title=t("l_chart", lang),
        category_title=t("l_chart_cats", lang),
        value_title=t("l_chart_values", lang),
        category_column=1,
        first_row=first_goal,
        last_row=last_goal,
        series=tuple(
            Series(_series_name(key, s, lang), cols.count + i, colors[key])
            for i, key in enumerate(cols.keys)
        ),
        anchor_col=1,
        anchor_row=chart_top,
        to_col=cols.last + 1,
        to_row=chart_top + chart_rows,
        top_down=True,
    )
    return chart_top + chart_rows


def _owner_table(spec: SheetSpec, row: int, s: Summary, lang: str, cols: _Columns) -> int:
    """Every owner issued a workbook in the round (and every other owner of counted rows),
    on a page of their own: the return's state in a word and a fill, and their rows'
    figures; returns the last row."""
    spec.row_breaks.append(row)
    row += 1
    _line(spec, row, t("l_owners", lang), META, cols.last)
    row += 1
    head = row
    _header(spec, head, [t("l_return", lang), t("l_owner", lang), *cols.names(lang)])
    states = {owner_key(r.owner): r for r in s.returns}
    for o in s.owners:
        row += 1
        state = _state(states.get(owner_key(o.owner)), o.issued)
        spec.put(row, 1, t("l_" + state, lang), STATE_LOOKS[state])
        spec.put(row, 2, o.owner, BODY)
        _dist(spec, row, o.dist, cols.count)
    _fit_rows(spec, head + 1, row)
    return row


def _swatch(color: str) -> Look:
    return Look(bold=True, fill=color, color=_ink(color), border=True, halign="center")


def _ink(color: str) -> str:
    """White on a dark fill, black on a light one."""
    r, g, b = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    return "FFFFFF" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else "000000"


def _rows_name(key: int, lang: str) -> str:
    return t("l_rows_none", lang) if key == NO_STATUS else t("l_rows_step", lang).format(value=key)


def _share_name(key: int, lang: str) -> str:
    if key == NO_STATUS:
        return t("l_share_none", lang)
    return t("l_share_step", lang).format(value=key)


def _series_name(key: int, s: Summary, lang: str, n: int = 34) -> str:
    """A legend entry: the step's number and its label, shortened at a word."""
    if key == NO_STATUS:
        return t("l_none", lang)
    text = f"{key} {s.labels.get(key, '')}".strip()
    if len(text) <= n:
        return text
    cut = text[: n - 1].rsplit(" ", 1)[0].rstrip(",.;:")
    return cut + "…"


def _dist(spec: SheetSpec, row: int, d: Distribution, col: int, *, total: bool = False) -> None:
    """Counts per step, the total and shares per step (none when there are no rows)."""
    number, percent = (TOTAL_NUMBER, TOTAL_PERCENT) if total else (NUMBER, PERCENT)
    k = len(d.keys)
    for i, key in enumerate(d.keys):
        spec.put(row, col + i, d.count(key), number)
        spec.put(row, col + k + 1 + i, _share(d, key), percent)
    spec.put(row, col + k, d.total, number)


def _state(line: ReturnLine | None, issued: bool) -> str:
    if line is None:
        return "missing" if issued else "not_issued"
    if not line.received:
        return "missing"
    return "late" if line.late else "returned"


# the returns status


def returns_sheet(s: Summary, meta: Meta) -> SheetSpec:
    lang = meta.lang
    spec = _new("returns", s, meta)
    spec.widths = {1: 28, 2: 12, 3: 34, 4: 13, 5: 17, 6: 34, 7: 11, 8: 14, 9: 14}
    ncols = 9
    row = _heading(
        spec, t("returns_title", lang), s, meta, t("l_returns_counted", lang), ncols=ncols
    )
    spec.put(row, 1, t("l_deadline", lang), Look(bold=True))
    if s.deadline is not None:
        fmt = DATE_FORMAT if s.deadline.time() >= _END_OF_DAY else DATE_TIME_FORMAT
        spec.put(row, 2, s.deadline, Look(bold=True, halign="left", number_format=fmt))
    elif s.deadline_text:
        spec.put(row, 2, t("l_deadline_bad", lang).format(text=s.deadline_text), Look(bold=True))
    else:
        spec.put(row, 2, t("l_deadline_unset", lang), Look(bold=True, color="9C0006"))
    row += 1
    received = sum(1 for r in s.returns if r.received)
    late = sum(1 for r in s.returns if r.late)
    counts = t("l_return_counts", lang).format(
        received=received, issued=len(s.returns), missing=len(s.returns) - received, late=late
    )
    spec.put(row, 1, counts, Look(bold=True))
    row += 2
    head = row
    keys = ("owner", "status_col", "issued_file", "count", "when", "file")
    names = [t("l_" + k, lang) for k in keys]
    names += [t("l_applied", lang), t("l_conflicts", lang), t("l_rejected", lang)]
    _header(spec, head, names)
    for r in s.returns:
        row += 1
        state = _state(r, True)
        spec.put(row, 1, r.owner, BODY)
        spec.put(row, 2, t("l_" + state, lang), STATE_LOOKS[state])
        spec.put(row, 3, r.issued_file, BODY)
        spec.put(row, 4, r.count, NUMBER)
        spec.put(row, 5, r.received_at if r.received_at else (r.when or None), WHEN)
        spec.put(row, 6, r.file or None, BODY)
        figures: list[Value] = [r.applied, r.conflicts, r.rejected]
        spec.put_row(row, figures if r.received else [None] * 3, NUMBER, 7)
    if not s.returns:
        row += 1
        spec.put(row, 1, t("l_nothing", lang))
    row += 1
    spec.put_row(row, [t("l_total", lang), f"{received} / {len(s.returns)}"], TOTAL)
    spec.put_row(row, [None, None], TOTAL, 3)
    spec.put(row, 4, sum(r.count for r in s.returns), TOTAL_NUMBER)
    spec.put_row(row, [None, None], TOTAL, 5)
    sums = [sum(r.applied for r in s.returns), sum(r.conflicts for r in s.returns)]
    sums.append(sum(r.rejected for r in s.returns))
    spec.put_row(row, list(sums), TOTAL_NUMBER, 7)
    _fit_rows(spec, head + 1, row)
    _table_print(spec, head, row, ncols)
    return spec


_END_OF_DAY = datetime(2000, 1, 1, 23, 59, 59).time()


def _table_print(spec: SheetSpec, head: int, last: int, ncols: int) -> None:
    """The table's header stays in view and is printed on every page; a filter on it."""
    spec.freeze_row = head
    spec.title_rows = (head, head)
    if last > head:
        spec.autofilter = f"A{head}:{_col(ncols)}{last}"


# the risks


def risks_sheet(s: Summary, meta: Meta) -> SheetSpec:
    lang = meta.lang
    spec = _new("risks", s, meta)
    spec.widths = {1: 11, 2: 48, 3: 62, 4: 30, 5: 24}
    ncols = 5
    counted = t("l_risks_counted", lang).format(rows=len(s.risks))
    row = _heading(spec, t("risks_title", lang), s, meta, counted, ncols=ncols)
    row += 1
    head = row
    names = [t("l_" + k, lang) for k in ("code", "title", "risks", "status", "owner")]
    _header(spec, head, names)
    for r in s.risks:
        row += 1
        status = _status_text(r.status, s, lang)
        spec.put_row(row, [r.code, r.title, r.risks, status, r.owner], BODY)
    if not s.risks:
        row += 1
        spec.put(row, 1, t("l_no_risks", lang))
    _fit_rows(spec, head + 1, row)
    _table_print(spec, head, row, ncols)
    return spec


def _status_text(value: int | None, s: Summary, lang: str) -> str:
    """A status as the scale writes it (``3 Toteutus on aloitettu…``), or none."""
    if value is None:
        return t("l_none", lang)
    return f"{value} {s.labels.get(value, '')}".strip()


# the movement


def movement_sheet(s: Summary, meta: Meta) -> SheetSpec:
    from ..texts import field_name

    lang = meta.lang
    spec = _new("movement", s, meta)
    spec.widths = {1: 11, 2: 40, 3: 16, 4: 18, 5: 40, 6: 40, 7: 24}
    ncols = 7
    title = t("l_movement_title", lang).format(round=_round(s, lang))
    if not s.round_id:
        title = t("movement_title", lang)
    counted = fill(t("l_movement_counted", lang), lang, count=len(s.movements))
    row = _heading(spec, title, s, meta, counted, ncols=ncols)
    row += 1
    head = row
    keys = ("code", "title", "field", "change", "old", "new", "owner")
    _header(spec, head, [t("l_" + k, lang) for k in keys])
    moves = sorted(s.movements, key=lambda m: (_code_key(m.code), m.field))
    for m in moves:
        row += 1
        change = t("l_" + m.kind, lang)
        values = [m.code, m.title, field_name(m.field, lang), change, m.old, m.new, m.owner]
        spec.put_row(row, list(values), BODY)
    if not moves:
        row += 1
        spec.put(row, 1, t("l_none_yet", lang))
    row += 1
    spec.put_row(row, [t("l_total", lang), len(moves), None, None, None, None, None], TOTAL)
    spec.put(row, 2, len(moves), Look(bold=True, fill=TOTAL_FILL, border=True, halign="left"))
    _fit_rows(spec, head + 1, row)
    _table_print(spec, head, row, ncols)
    return spec


def _code_key(code: str) -> tuple[int, ...]:
    try:
        return Code.parse(code).parts
    except ValueError:
        return (10**9,)
