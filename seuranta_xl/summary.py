"""Summary figures for finance and the council, computed from the master. Pure.

Every figure is a plain value (counts, shares, texts), so the summary sheets hold numbers
that every reader sees, not formulas only Excel would evaluate.

Which rows are counted: annual goals and actions, the rows that carry a progress status;
goals are headings over them (their status, when given, is reported by the roll-up).

The suggested roll-up status of a goal or annual goal: the mean of its children's
statuses, rounded half down (so 2.5 gives 2: a goal is not reported further along than its
actions show), over the children that have a status; an annual goal's children are its
actions, a goal's children its annual goals (their own status, or their roll-up when they
have none). A row with no child status gets no suggestion.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from operator import itemgetter

from .layout import CANONICAL_HEADERS_FI, paused_gc
from .model import Code, Field, Plan, Row
from .rounds import RoundRecord, owner_key

NO_STATUS = 0
"""The key of "without status" in a distribution."""


@dataclass(frozen=True)
class Distribution:
    """How many rows are in each status, and without one."""

    counts: dict[int, int]  # status value -> rows; NO_STATUS for rows without status
    values: tuple[int, ...]  # the scale's values, in order

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, value: int) -> int:
        return self.counts.get(value, 0)

    def share(self, value: int) -> float:
        """Share of the total, 0..1 (0 when there are no rows)."""
        return self.count(value) / self.total if self.total else 0.0

    @property
    def keys(self) -> tuple[int, ...]:
        return (*self.values, NO_STATUS)


def distribution(rows: Iterable[Row], values: Sequence[int]) -> Distribution:
    counts = dict.fromkeys((*values, NO_STATUS), 0)
    for row in rows:
        counts[row.status.value if row.status.value is not None else NO_STATUS] += 1
    return Distribution(counts, tuple(values))


def counted(plan: Plan) -> list[Row]:
    """The rows the figures count: annual goals and actions with a code."""
    return [r for r in plan.rows if r.code is not None and r.level in (2, 3)]


@dataclass(frozen=True)
class GoalLine:
    code: str
    title: str
    dist: Distribution
    suggested: int | None  # the roll-up suggestion for the goal itself


@dataclass(frozen=True)
class OwnerLine:
    owner: str
    dist: Distribution
    returned: bool  # a return of the round was merged (or found unchanged) for this owner
    issued: bool = False  # a workbook of the round was issued to this owner


@dataclass(frozen=True)
class ReturnLine:
    owner: str
    issued_file: str
    received: bool
    when: str = ""
    file: str = ""
    applied: int = 0
    conflicts: int = 0
    rejected: int = 0
    # issue 10 (layout): the figures above are summed over all the owner's returns of the
    # round, as merge reports them file by file; ``when`` and ``file`` are the last one's
    received_at: datetime | None = None  # ``when`` as a time (the tracker holds either)
    count: int = 0  # returns of the round merged for this owner
    late: bool = False  # the first return came after the deadline


@dataclass(frozen=True)
class RiskLine:
    code: str
    title: str
    risks: str
    status: int | None
    owner: str


@dataclass(frozen=True)
class Movement:
    code: str
    field: str  # "status" or "commentary"
    kind: str  # "up", "down", "appeared", "disappeared", "changed"
    old: str
    new: str
    owner: str
    title: str = ""  # the row's title in the master ("" when the row is gone)
    field_name: str = ""  # the column as the change log names it


@dataclass(frozen=True)
class ReportLine:
    """One row of the council's report: a goal, an annual goal or an action as the master
    holds it. ``status_text`` is the scale's own text of the step (the coordinator's, never
    rewritten), or the cell as written when it is not on the scale."""

    code: str  # "" for a row without a code: not part of the hierarchy
    level: int  # 1 goal, 2 annual goal, 3 action (a row without a code: its column's)
    title: str
    status: int | None
    status_text: str
    overall: str
    commentary: str
    risks: str
    owner: str
    sheet_row: int


@dataclass(frozen=True)
class CouncilReport:
    """What the council's report shows: its rows (coded rows in code order, then the rows
    without a code in sheet order) and the scale's steps (value, label) for its legend."""

    lines: tuple[ReportLine, ...] = ()
    scale: tuple[tuple[int, str], ...] = ()


@dataclass
class Summary:
    """Everything the summary sheets show."""

    round_id: str
    overall: Distribution
    goals: list[GoalLine] = field(default_factory=list)
    owners: list[OwnerLine] = field(default_factory=list)
    returns: list[ReturnLine] = field(default_factory=list)
    risks: list[RiskLine] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)
    rollup: dict[str, int] = field(default_factory=dict)  # code -> suggested status
    council: CouncilReport = field(default_factory=CouncilReport)
    # issue 10 (layout): the scale's steps (value -> label, as the master has them) and
    # the returns' deadline (the master's setting; None when unset or unreadable)
    labels: dict[int, str] = field(default_factory=dict)
    deadline: datetime | None = None
    deadline_text: str = ""  # the setting as written, "" when unset

    def counts(self) -> dict[str, int]:
        """The headline figures the command line and the Excel buttons report: rows, rows
        without status, returns received and issued, risks, movements."""
        return {
            "rows": self.overall.total,
            "none": self.overall.count(0),
            "received": sum(1 for r in self.returns if r.received),
            "issued": len(self.returns),
            "risks": len(self.risks),
            "moves": len(self.movements),
        }


def rollup(plan: Plan) -> dict[Code, int]:
    """Suggested statuses for goals and annual goals, from their children (see above)."""
    # worked out on the codes' parts (no Code made or hashed per row)
    own: dict[tuple[int, ...], int] = {}
    children: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
    for r in plan.rows:
        code = r.code
        if code is None:
            continue
        parts = code.parts
        value = r.status.value
        if value is not None:
            own[parts] = value
        if len(parts) > 1:
            children.setdefault(parts[:-1], []).append(parts)
    suggested: dict[tuple[int, ...], int] = {}
    # deepest first, so an annual goal's suggestion can stand in for its missing status
    for parent in sorted(children, key=lambda c: -len(c)):
        values = [own.get(c, suggested.get(c)) for c in children[parent]]
        known = [v for v in values if v is not None]
        if known:
            suggested[parent] = _mean_half_down(known)
    return {Code(parts): v for parts, v in suggested.items()}


def _mean_half_down(values: Sequence[int]) -> int:
    mean = sum(values) / len(values)
    return math.ceil(mean - 0.5)


def latest_round(records: Sequence[RoundRecord]) -> str:
    """The round issued last (by the time it was created)."""
    return max(records, key=lambda r: r.created).round_id if records else ""


def summarize(
    plan: Plan,
    rounds: Sequence[RoundRecord] = (),
    returns: Sequence[Sequence[object]] = (),
    log: Sequence[Sequence[object]] = (),
    *,
    round_id: str | None = None,
    deadline: object = None,
) -> Summary:
    """The summary of a master: its plan, its round records, the returns tracker's rows and
    the change log's rows (as the master holds them, header rows excluded), and the
    returns' deadline (the setting's text, or a date)."""
    with paused_gc():
        return _summarize(plan, rounds, returns, log, round_id=round_id, deadline=deadline)


def _summarize(
    plan: Plan,
    rounds: Sequence[RoundRecord],
    returns: Sequence[Sequence[object]],
    log: Sequence[Sequence[object]],
    *,
    round_id: str | None,
    deadline: object,
) -> Summary:
    values = plan.scale.values
    rows = counted(plan)
    rid = round_id if round_id is not None else latest_round(rounds)
    result = Summary(rid, distribution(rows, values))
    result.labels = dict(plan.scale.labels)
    result.deadline = parse_deadline(deadline)
    result.deadline_text = "" if deadline is None else str(deadline).strip()
    suggestions = rollup(plan)
    result.rollup = {str(c): v for c, v in suggestions.items()}
    # per goal: the counted rows under each goal
    by_goal: dict[Code, list[Row]] = {}
    for r in rows:
        assert r.code is not None
        by_goal.setdefault(Code(r.code.parts[:1]), []).append(r)
    for r in plan.rows:
        if r.code is not None and r.code.level == 1:
            result.goals.append(
                GoalLine(
                    str(r.code),
                    r.title,
                    distribution(by_goal.get(r.code, []), values),
                    suggestions.get(r.code),
                )
            )
    # per owner, and who returned in the round
    returned = {owner_key(str(x[1])) for x in returns if len(x) > 1 and str(x[0]) == rid}
    owners: dict[str, list[Row]] = {}
    names: dict[str, str] = {}
    for r in rows:
        owner = r.owner
        if owner:
            key = owner_key(owner)
            owners.setdefault(key, []).append(r)
            names.setdefault(key, owner)
    # every owner issued a workbook in the round is listed, with counted rows or not
    issued = set()
    for rec in rounds:
        if rec.round_id == rid and rec.owner.strip():
            issued.add(owner_key(rec.owner))
            names.setdefault(owner_key(rec.owner), rec.owner.strip())
    for key in sorted(owners.keys() | issued, key=lambda k: names[k].casefold()):
        result.owners.append(
            OwnerLine(
                names[key],
                distribution(owners.get(key, []), values),
                key in returned,
                key in issued,
            )
        )
    result.returns = _returns(rounds, returns, rid, result.deadline)
    risks = []  # (order, line): by status, then code (a code's text parses back to it)
    for r in plan.rows:
        if r.code is not None:
            text = r.risks.strip()
            if text:
                line = RiskLine(str(r.code), r.title, text, r.status.value, r.owner)
                risks.append(((line.status if line.status is not None else 99, r.code.parts), line))
    risks.sort(key=itemgetter(0))
    result.risks = [line for _, line in risks]
    result.movements = _movements(log, rid, plan)
    result.council = CouncilReport(tuple(report_lines(plan)), plan.scale.labels)
    return result


def report_lines(plan: Plan) -> list[ReportLine]:
    """The council report's rows: every coded row in code order (a code's rows in sheet
    order), then the rows without a code in sheet order."""
    rows = plan.rows
    coded = [(r.code.parts, i) for i, r in enumerate(rows) if r.code is not None]
    coded.sort()  # codes order as their parts do
    order = [i for _, i in coded]
    order += [i for i, r in enumerate(rows) if r.code is None]
    shown: dict[int, str] = {}  # a step's text, made once
    return [_report_line(plan, rows[i], shown) for i in order]


def _report_line(plan: Plan, row: Row, displays: dict[int, str]) -> ReportLine:
    value = row.status.value
    if value is not None:
        shown = displays.get(value)
        if shown is None:
            shown = displays[value] = plan.scale.display(value)
    else:  # not on the scale: as written
        shown = "" if row.status.is_empty else _text(row.status.raw).strip()
    return ReportLine(
        str(row.code) if row.code is not None else "",
        row.level or 0,
        row.title.strip(),
        value,
        shown,
        row.overall.strip(),
        row.commentary.strip(),
        row.risks.strip(),
        row.owner,
        row.sheet_row,
    )


def _returns(
    rounds: Sequence[RoundRecord],
    returns: Sequence[Sequence[object]],
    rid: str,
    deadline: datetime | None = None,
) -> list[ReturnLine]:
    """Per owner issued in the round: received or missing; the cells applied, in conflict
    and rejected summed over the owner's returns of the round (what merge reported for
    each file), the time and file of the last."""
    last: dict[str, Sequence[object]] = {}
    first: dict[str, datetime | None] = {}
    sums: dict[str, list[int]] = {}
    for x in returns:
        if len(x) > 9 and str(x[0]) == rid:
            key = owner_key(str(x[1]))
            last[key] = x  # the tracker is in time order: the last wins
            first.setdefault(key, parse_time(x[5]))
            total = sums.setdefault(key, [0, 0, 0, 0])
            for i, v in enumerate((1, _int(x[7]), _int(x[8]), _int(x[9]))):
                total[i] += v
    lines = []
    for rec in rounds:
        if rec.round_id != rid:
            continue
        key = owner_key(rec.owner)
        got = last.get(key)
        if got is None:
            lines.append(ReturnLine(rec.owner, rec.file, False))
            continue
        when = parse_time(got[5])
        text = str(got[5])
        count, applied, conflicts, rejected = sums[key]
        # late when even the first return came after the deadline (a later correction
        # does not make an owner late)
        came = first.get(key)
        late = deadline is not None and came is not None and came > deadline
        lines.append(
            ReturnLine(
                rec.owner,
                rec.file,
                True,
                text,
                str(got[3]),
                applied,
                conflicts,
                rejected,
                when,
                count,
                late,
            )
        )
    return sorted(lines, key=lambda line: (line.received, line.owner.casefold()))


_FI_DATE_RE = re.compile(
    r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(?:klo\s+)?(\d{1,2})[:.](\d{2}))?\s*$"
)


def parse_time(value: object) -> datetime | None:
    """A point in time from a cell: a datetime or date, or text in ISO form
    (``2026-05-31 14:00:00``) or Finnish form (``31.5.2026``, ``31.5.2026 14.00``)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time())
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    m = _FI_DATE_RE.match(text)
    try:
        if m:
            d, mo, y, h, mi = m.groups()
            return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0))
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def parse_deadline(value: object) -> datetime | None:
    """The returns' deadline: a date means the end of that day (a return that day is on
    time); None when unset or unreadable."""
    when = parse_time(value)
    if when is None:
        return None
    text = "" if value is None else str(value).strip()
    date_only = (isinstance(value, date) and not isinstance(value, datetime)) or (
        isinstance(value, str) and ":" not in text and " " not in text and "T" not in text
    )
    if date_only or (isinstance(value, datetime) and when.time() == time()):
        return datetime.combine(when.date(), time(23, 59, 59))
    return when


def _int(value: object) -> int:
    try:
        return int(float(str(value)))
    except ValueError:
        return 0


# the change log's columns: time, round, owner, file, sha, code, field, old, new, decision
_FIELD_HEADERS = {name: f.value for f, name in CANONICAL_HEADERS_FI.items()}
_STATUS_FIELDS = (Field.STATUS.value, Field.OVERALL.value)


def _movements(log: Sequence[Sequence[object]], rid: str, plan: Plan) -> list[Movement]:
    """Every cell merge applied in the round, from the change log (the same cells the
    returns tracker counts as applied): a status that moved, appeared or went, or a text
    that changed."""
    scale = plan.scale
    titles = {str(r.code): r.title for r in plan.rows if r.code is not None}
    out: list[Movement] = []
    for x in log:
        if len(x) < 10 or str(x[1]) != rid or not str(x[9]).startswith("viety"):
            continue
        f = _FIELD_HEADERS.get(str(x[6]))
        if f is None:
            continue
        code, old, new = str(x[5]), _text(x[7]), _text(x[8])
        kind = "changed"
        if f in _STATUS_FIELDS:
            a, b = scale.parse(old).value, scale.parse(new).value
            if a is None and b is not None:
                kind = "appeared"
            elif a is not None and b is None:
                kind = "disappeared"
            elif a is not None and b is not None and a != b:
                kind = "up" if b > a else "down"
        out.append(Movement(code, f, kind, old, new, str(x[2]), titles.get(code, ""), str(x[6])))
    return out


def _text(value: object) -> str:
    return "" if value is None else str(value)
