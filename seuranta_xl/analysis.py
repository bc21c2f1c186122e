"""The master as pandas data frames, for analysts: ``seuranta_xl.frames(master)``.

The only module that imports pandas, and only when called: pandas is an optional extra
(``pip install "seuranta-xl[analysis]"``), kept out of the Python that Excel's buttons run
in (xlwings imports pandas on every click whenever it is installed). The master is read
with the tool's own readers (``xlsx.read.load_plan``, ``summary.summarize``), so the frames
hold what every command sees.

Column names are English snake_case. Texts are pandas' ``string`` dtype with ``<NA>`` for
an empty cell; statuses and counts that may be missing are ``Int64``; times are
``datetime64[ns]`` whether the sheet holds real dates or ISO text (``2026-11-29 16:05:00``);
a time that cannot be read as one is ``NaT``. The columns, frame by frame:

``rows`` (the follow-up sheet, one row per sheet row, in sheet order)
    code (string: ``01.``, ``01.03``, ``01.03.01``; <NA> for a row without a code),
    level (Int64: 1 goal, 2 annual goal, 3 action), parent_code (string), goal_code
    (string: the goal the row belongs to), title (string), owner (string), status (Int64:
    the progress status's number on the scale; <NA> when empty or not on the scale),
    status_label (string: that step's label on the master's scale), status_text (string:
    the status cell as written), overall_status (Int64) and overall_text (string: the
    overall-status cell, read the same way), suggested_status (Int64: the roll-up
    suggestion for goals and annual goals, see ``summary``), risks (string), commentary
    (string), sheet_row (int64: the row's number in the sheet), source_cell (string: the
    row's progress-status cell, e.g. ``Seuranta!F12``).
``log`` (sheet *Muutosloki*, one row per change a merge applied or did not)
    time (datetime64[ns]), round, owner, file, sha256, code, field (the column's Finnish
    header, e.g. ``Etenemisaste``), old, new, decision (all string).
``returns`` (sheet *Palautukset*, one row per return merged)
    round, owner (string), rows (Int64), file, sha256 (string), received, saved
    (datetime64[ns]: when merged; when the owner's file was saved), changes, conflicts,
    rejected_cells (Int64), result (string).
``rounds`` (sheet *Kierrokset*, one row per owner workbook issued)
    round (string), created (datetime64[ns]), owner, file (string), rows, own_rows (Int64:
    all rows in the workbook; the rows the owner fills in), sha256 (string: the workbook
    as issued).
``overall``, ``goals``, ``owners`` (the summary's distributions: annual goals and actions
per progress status, as the sheet *Yhteenveto* counts them)
    status (Int64; <NA> is the line of the rows without status), status_label (string),
    count (int64), share (float64, 0..1 of the lines' total; 0 when there are no rows); in
    ``goals`` first goal_code and goal_title (string), in ``owners`` first owner (string)
    and returned (bool: a return of ``round_id`` was merged for the owner). ``owners`` holds
    every owner of a counted row and every owner issued a workbook in ``round_id`` (one
    whose rows are goals only has counts of 0).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import MissingExtra, RoundError
from .model import Field, Plan, Row, StatusScale, cell_text
from .summary import NO_STATUS, Distribution, rollup, summarize

if TYPE_CHECKING:
    import pandas as pd

ROW_COLUMNS: dict[str, str] = {
    "code": "string",
    "level": "Int64",
    "parent_code": "string",
    "goal_code": "string",
    "title": "string",
    "owner": "string",
    "status": "Int64",
    "status_label": "string",
    "status_text": "string",
    "overall_status": "Int64",
    "overall_text": "string",
    "suggested_status": "Int64",
    "risks": "string",
    "commentary": "string",
    "sheet_row": "int64",
    "source_cell": "string",
}
LOG_COLUMNS: dict[str, str] = {
    "time": "datetime64[ns]",
    "round": "string",
    "owner": "string",
    "file": "string",
    "sha256": "string",
    "code": "string",
    "field": "string",
    "old": "string",
    "new": "string",
    "decision": "string",
}
RETURNS_COLUMNS: dict[str, str] = {
    "round": "string",
    "owner": "string",
    "rows": "Int64",
    "file": "string",
    "sha256": "string",
    "received": "datetime64[ns]",
    "saved": "datetime64[ns]",
    "changes": "Int64",
    "conflicts": "Int64",
    "rejected_cells": "Int64",
    "result": "string",
}
ROUNDS_COLUMNS: dict[str, str] = {
    "round": "string",
    "created": "datetime64[ns]",
    "owner": "string",
    "file": "string",
    "rows": "Int64",
    "own_rows": "Int64",
    "sha256": "string",
}
_DISTRIBUTION: dict[str, str] = {
    "status": "Int64",
    "status_label": "string",
    "count": "int64",
    "share": "float64",
}
OVERALL_COLUMNS = dict(_DISTRIBUTION)
GOAL_COLUMNS = {"goal_code": "string", "goal_title": "string", **_DISTRIBUTION}
OWNER_COLUMNS = {"owner": "string", "returned": "bool", **_DISTRIBUTION}
COLUMNS: dict[str, dict[str, str]] = {
    "rows": ROW_COLUMNS,
    "log": LOG_COLUMNS,
    "returns": RETURNS_COLUMNS,
    "rounds": ROUNDS_COLUMNS,
    "overall": OVERALL_COLUMNS,
    "goals": GOAL_COLUMNS,
    "owners": OWNER_COLUMNS,
}
"""Every frame's columns and their dtypes, in order (the module docstring says what each holds)."""


@dataclass(frozen=True)
class Frames:
    """A master as data frames (columns: see the module's docstring and ``COLUMNS``)."""

    path: Path
    round_id: str  # the round ``owners.returned`` refers to ('' when none was issued)
    rows: pd.DataFrame
    log: pd.DataFrame
    returns: pd.DataFrame
    rounds: pd.DataFrame
    overall: pd.DataFrame
    goals: pd.DataFrame
    owners: pd.DataFrame


def read_frames(master: str | Path, *, round_id: str | None = None) -> Frames:
    """Read a master (or any follow-up sheet) into data frames. ``round_id`` picks the round
    the owners' ``returned`` refers to (default: the latest issued). MissingExtra when
    pandas is not installed; the readers' own errors for a file that cannot be read."""
    try:
        import pandas as pd
    except ImportError:
        raise MissingExtra("pandas_missing") from None
    from .xlsx.read import load_plan

    loaded = load_plan(master)
    issued = list(dict.fromkeys(r.round_id for r in loaded.rounds))
    if round_id is not None and round_id not in issued:
        raise RoundError("unknown_round", round=round_id, known=", ".join(issued) or "–")
    plan = loaded.plan
    figures = summarize(plan, loaded.rounds, loaded.returns, loaded.log, round_id=round_id)

    def frame(kind: str, records: Sequence[Sequence[object]]) -> pd.DataFrame:
        columns = COLUMNS[kind]
        data = {
            name: pd.Series([r[i] for r in records], dtype=dtype, name=name)
            for i, (name, dtype) in enumerate(columns.items())
        }
        return pd.DataFrame(data, columns=list(columns))

    rounds = [
        (
            _text(r.round_id),
            _when(r.created),
            _text(r.owner),
            _text(r.file),
            r.rows,
            r.own_rows,
            _text(r.file_sha256),
        )
        for r in loaded.rounds
    ]
    return Frames(
        path=Path(master),
        round_id=figures.round_id,
        rows=frame("rows", _rows(plan)),
        log=frame("log", [_cells(x, _LOG_READERS) for x in loaded.log]),
        returns=frame("returns", [_cells(x, _RETURNS_READERS) for x in loaded.returns]),
        rounds=frame("rounds", rounds),
        overall=frame("overall", _distribution(figures.overall, plan.scale)),
        goals=frame(
            "goals",
            [
                (g.code, _text(g.title), *line)
                for g in figures.goals
                for line in _distribution(g.dist, plan.scale)
            ],
        ),
        owners=frame(
            "owners",
            [
                (o.owner, o.returned, *line)
                for o in figures.owners
                for line in _distribution(o.dist, plan.scale)
            ],
        ),
    )


def _rows(plan: Plan) -> list[tuple[object, ...]]:
    suggested = rollup(plan)
    status_column = plan.columns.get(Field.STATUS)
    out: list[tuple[object, ...]] = []
    for row in plan.rows:
        code = row.code
        overall = plan.scale.parse(row.values.get(Field.OVERALL)).value
        out.append(
            (
                str(code) if code is not None else None,
                row.level,
                str(code.parent) if code is not None and code.parent is not None else None,
                f"{code.parts[0]:02d}." if code is not None else None,
                _text(row.title),
                _text(row.owner),
                row.status.value,
                _label(plan.scale, row.status.value),
                _text(row.text(Field.STATUS)),
                overall,
                _text(row.overall),
                suggested.get(code) if code is not None else None,
                _text(row.risks),
                _text(row.commentary),
                row.sheet_row,
                _cell(row, status_column),
            )
        )
    return out


def _cell(row: Row, column: int | None) -> str | None:
    """``Seuranta!F12``; a sheet name that needs it quoted as Excel quotes it."""
    if column is None:
        return None
    ref = row.ref(Field.STATUS)
    assert ref is not None
    sheet = ref.sheet
    if not re.fullmatch(r"[^\W\d]\w*", sheet):
        sheet = "'" + sheet.replace("'", "''") + "'"
    return f"{sheet}!{ref.address}"


def _distribution(dist: Distribution, scale: StatusScale) -> list[tuple[object, ...]]:
    return [
        (
            None if key == NO_STATUS else key,
            _label(scale, None if key == NO_STATUS else key),
            dist.count(key),
            dist.share(key),
        )
        for key in dist.keys
    ]


def _label(scale: StatusScale, value: int | None) -> str | None:
    return (scale.label(value) or None) if value is not None else None


def _text(value: object) -> str | None:
    """A cell as text, None (shown <NA>) when empty."""
    text = cell_text(value)
    return text if text != "" else None


def _count(value: object) -> int | None:
    text = cell_text(value).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


_EXCEL_EPOCH = datetime(1899, 12, 30)
_FINNISH_TIME = re.compile(
    r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?"
)


def _when(value: object) -> datetime | None:
    """A time as the sheet holds it: a real date, ISO text, ``d.m.yyyy h:mm`` text or an
    Excel serial number; None when it is none of these."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _EXCEL_EPOCH + timedelta(days=float(value))
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        pass
    m = _FINNISH_TIME.fullmatch(text)
    if m is None:
        return None
    d, mo, y, h, mi, s = (int(g) if g else 0 for g in m.groups())
    try:
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None


_LOG_READERS: tuple[Callable[[object], Any], ...] = (_when, *([_text] * 9))
_RETURNS_READERS: tuple[Callable[[object], Any], ...] = (
    _text, _text, _count, _text, _text, _when, _when, _count, _count, _count, _text
)  # fmt: skip


def _cells(values: Sequence[object], readers: Sequence[Callable[[object], Any]]) -> tuple[Any, ...]:
    """A tool sheet's row through its columns' readers (missing cells read as empty)."""
    padded = list(values[: len(readers)]) + [None] * (len(readers) - len(values))
    return tuple(read(v) for read, v in zip(readers, padded, strict=True))
