"""Validation rules over a Plan. Each rule has a stable id and a severity; every finding
points at the cell to fix. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .findings import Finding, Report, Severity
from .layout import CANONICAL_HEADERS_FI, Header
from .model import (
    EXCEL_CELL_LIMIT,
    LEVEL_FIELDS,
    MAX_LEVEL,
    CellRef,
    Code,
    Field,
    Plan,
    Row,
    StatusMatch,
    column_letter,
)
from .texts import level_name

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO  # N: a note


@dataclass(frozen=True)
class Rule:
    """A validation rule: its id, its severity and the function that checks a plan."""

    id: str
    severity: Severity
    check: Callable[[Plan], Iterator[Finding]]


def _code_text(row: Row) -> str:
    return str(row.code) if row.code is not None else ""


def _must(ref: CellRef | None) -> CellRef:
    """A field the plan has a column for: its cell always exists."""
    assert ref is not None
    return ref


def _level_cell(row: Row) -> CellRef:
    """The code-and-title cell, or the goal column's cell when the row has none."""
    ref = row.ref(row.code_field or Field.GOAL)
    return ref if ref is not None else CellRef(row.sheet, row.sheet_row, min(row.columns.values()))


def check_codes(plan: Plan) -> Iterator[Finding]:
    """code.missing, code.unparseable, code.format, code.depth, code.column,
    row.several_levels, title.missing."""
    for row in plan.rows:
        if row.column_level is None:
            if any(row.text(f).strip() for f in row.values):
                yield Finding.at("code.missing", E, _level_cell(row))
            continue
        ref = _level_cell(row)
        written = row.text(LEVEL_FIELDS[row.column_level - 1])
        if row.code is None:
            yield Finding.at("code.unparseable", E, ref, text=written)
            continue
        code = _code_text(row)
        if row.code_cell.issues:
            yield Finding.at(
                "code.format",
                W,
                ref,
                code,
                written=written.split(row.title, 1)[0].strip() if row.title else written,
                canonical=code,
                issues=[i.value for i in row.code_cell.issues],
            )
        if row.code.level > MAX_LEVEL:
            yield Finding.at("code.depth", E, ref, code, depth=row.code.level)
        elif row.code.level != row.column_level:
            expected = plan.columns.get(LEVEL_FIELDS[row.code.level - 1])
            yield Finding.at(
                "code.column",
                E,
                ref,
                code,
                level=row.code.level,
                column=ref.address.rstrip("0123456789"),
                column_name=level_name(row.column_level),
                expected=column_letter(expected) if expected else "?",
                expected_name=level_name(row.code.level),
            )
        for extra in row.level_fields_used[1:]:
            yield Finding.at(
                "row.several_levels",
                E,
                _must(row.ref(extra)),
                code,
                first=ref.address.rstrip("0123456789"),
                column=_must(row.ref(extra)).address.rstrip("0123456789"),
            )
        if not row.title:
            yield Finding.at("title.missing", W, ref, code)


def check_hierarchy(plan: Plan) -> Iterator[Finding]:
    """code.duplicate, hierarchy.parent_missing, hierarchy.parent_after, hierarchy.prefix,
    hierarchy.order: at most one hierarchy finding a row, the most telling first."""
    first_row: dict[Code, Row] = {}
    for row in plan.rows:
        if row.code is not None:
            first_row.setdefault(row.code, row)
    seen: set[Code] = set()
    previous: Row | None = None
    stack: list[Row] = []  # the rows above this one, one a level
    for row in plan.rows:
        code = row.code
        if code is None or code.level > MAX_LEVEL:
            continue
        if code in seen:
            yield Finding.at(
                "code.duplicate",
                E,
                _level_cell(row),
                str(code),
                first_row=first_row[code].sheet_row,
            )
            continue
        while stack and stack[-1].code is not None and stack[-1].code.level >= code.level:
            stack.pop()
        above = stack[-1] if stack else None
        parent = code.parent
        hierarchy_finding = None
        if parent is not None and parent not in first_row:
            hierarchy_finding = Finding.at(
                "hierarchy.parent_missing", E, _level_cell(row), str(code), parent=str(parent)
            )
        elif parent is not None and parent not in seen:
            hierarchy_finding = Finding.at(
                "hierarchy.parent_after",
                E,
                _level_cell(row),
                str(code),
                parent=str(parent),
                parent_row=first_row[parent].sheet_row,
            )
        elif (
            parent is not None
            and above is not None
            and above.code is not None
            and above.code.level == code.level - 1
            and above.code != parent
        ):
            hierarchy_finding = Finding.at(
                "hierarchy.prefix",
                E,
                _level_cell(row),
                str(code),
                above=str(above.code),
                above_row=above.sheet_row,
                parent=str(parent),
            )
        elif previous is not None and previous.code is not None and code < previous.code:
            hierarchy_finding = Finding.at(
                "hierarchy.order",
                W,
                _level_cell(row),
                str(code),
                previous=str(previous.code),
                previous_row=previous.sheet_row,
            )
        if hierarchy_finding is not None:
            yield hierarchy_finding
        seen.add(code)
        stack.append(row)
        previous = row


def check_statuses(plan: Plan) -> Iterator[Finding]:
    """status.unknown, status.label, status.format, status.missing, status.no_owner."""
    scale = plan.scale
    has_status_column = Field.STATUS in plan.columns
    for row in plan.rows:
        code = _code_text(row)
        ref = row.ref(Field.STATUS)
        st = row.status
        if ref is None:
            continue
        if st.match is StatusMatch.UNKNOWN:
            yield Finding.at(
                "status.unknown",
                E,
                ref,
                code,
                value=row.text(Field.STATUS),
                scale=", ".join(str(v) for v in scale.values),
            )
        elif st.match is StatusMatch.LABEL_DIFFERS and st.value is not None:
            yield Finding.at(
                "status.label",
                W,
                ref,
                code,
                number=st.value,
                expected=scale.display(st.value),
                written=row.text(Field.STATUS),
            )
        elif st.match is StatusMatch.VARIANT and st.value is not None:
            yield Finding.at(
                "status.format",
                N,
                ref,
                code,
                written=row.text(Field.STATUS),
                expected=scale.display(st.value),
            )
        if (
            st.is_empty
            and has_status_column
            and row.level in (2, 3)
            and row.column_level is not None
        ):
            yield Finding.at("status.missing", W, ref, code, level=row.level)
        if not st.is_empty and not row.owner and Field.OWNER in plan.columns:
            yield Finding.at("status.no_owner", W, ref, code)


def check_owners(plan: Plan) -> Iterator[Finding]:
    """owner.missing: a warning for annual goals and actions; a note for goals, which
    are often only headings over other people's rows."""
    if Field.OWNER not in plan.columns:
        return
    from .rounds import owner_key

    first: dict[str, str] = {}  # owner_key -> the name as first written
    keys: dict[str, str] = {}  # name -> owner_key: an owner has many rows
    for row in plan.rows:
        if row.owner and row.ref(Field.OWNER) is not None:
            # names differing only in case or spacing are one person: said, not hidden
            # (issue 8, hostile review)
            key = keys.get(row.owner)
            if key is None:
                key = keys[row.owner] = owner_key(row.owner)
            seen = first.setdefault(key, row.owner)
            if seen != row.owner:
                ref = _must(row.ref(Field.OWNER))
                yield Finding.at(
                    "owner.spelling", N, ref, _code_text(row), written=row.owner, first=seen
                )
        if row.owner or row.level is None or row.column_level is None:
            continue
        severity = N if row.level == 1 else W
        yield Finding.at(
            "owner.missing", severity, _must(row.ref(Field.OWNER)), _code_text(row), level=row.level
        )


FORMULA_STARTS = ("=", "+", "@")


def looks_like_formula(text: str) -> bool:
    """Would Excel (or a CSV reader) take this text for a formula? ``=…``, ``+…``,
    ``@…``, and ``-`` followed by a letter or a bracket (``- bullet`` and ``-5`` are fine)."""
    t = text.lstrip(" \u00a0")
    if not t:
        return False
    if t[0] in FORMULA_STARTS:
        return len(t) > 1
    return t[0] == "-" and len(t) > 1 and (t[1].isalpha() or t[1] in "(=+@")


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def check_texts(plan: Plan) -> Iterator[Finding]:
    """text.too_long, text.control, text.formula over every text cell of the known columns."""
    for row in plan.rows:
        for f, value in row.values.items():
            if not isinstance(value, str) or not value:
                continue
            too_long = len(value) > EXCEL_CELL_LIMIT
            control = _CONTROL_RE.search(value) is not None
            formula = looks_like_formula(value)
            if not (too_long or control or formula):
                continue  # the common case: no cell to name
            ref = _must(row.ref(f))
            if too_long:
                yield Finding.at("text.too_long", E, ref, _code_text(row), length=len(value))
            if control:
                yield Finding.at("text.control", W, ref, _code_text(row))
            if formula:
                yield Finding.at(
                    "text.formula", W, ref, _code_text(row), first=value.lstrip()[0], text=value
                )


def check_blank_rows(plan: Plan) -> Iterator[Finding]:
    """row.blank: empty rows inside the data."""
    col = min(plan.columns.values()) if plan.columns else 1
    for r in plan.blank_rows:
        yield Finding.at("row.blank", N, CellRef(plan.sheet, r, col))


RULES: tuple[Rule, ...] = (
    Rule("codes", E, check_codes),
    Rule("hierarchy", E, check_hierarchy),
    Rule("statuses", E, check_statuses),
    Rule("owners", W, check_owners),
    Rule("texts", E, check_texts),
    Rule("blank_rows", N, check_blank_rows),
)
"""Rule groups in the order they run; finding ids are listed in ``texts.RULES``."""


def header_ambiguities(header: Header, sheet: str) -> Iterator[Finding]:
    """header.ambiguous: a field two or more columns name equally well, at the later cell,
    every candidate cell named. An error: which column holds the field cannot be told."""
    row = header.row
    for f, cols in header.ambiguous:
        cells = [f"{column_letter(c)}{row}" for c in cols]
        yield Finding.at(
            "header.ambiguous",
            E,
            CellRef(sheet, row, cols[1]),
            field_name=CANONICAL_HEADERS_FI[f],
            cells=", ".join(cells[:-1]) + " / " + cells[-1],
            sheet_name=sheet,
        )


def header_findings(header: Header, sheet: str) -> Iterator[Finding]:
    """header.ambiguous, header.duplicate, header.extra, header.missing,
    header.blank_commentary."""
    yield from header_ambiguities(header, sheet)
    row = header.row
    extra_texts = dict(header.extras)
    dup_columns = {col for _, col in header.duplicates}
    dup_columns |= {c for _, cols in header.ambiguous for c in cols}
    # a weaker name beside the field's exact one (an archive column): resolved, so a note
    for f, col in header.duplicates:
        yield Finding.at(
            "header.duplicate",
            N,
            CellRef(sheet, row, col),
            header=extra_texts.get(col, ""),
            column=column_letter(col),
            first=column_letter(header.columns[f]),
        )
    for col, text in header.extras:
        if col not in dup_columns:
            yield Finding.at(
                "header.extra", N, CellRef(sheet, row, col), header=text, column=column_letter(col)
            )
    first = min(header.columns.values())
    for f in Field:
        if f not in header.columns:
            yield Finding.at(
                "header.missing", W, CellRef(sheet, row, first), field_name=CANONICAL_HEADERS_FI[f]
            )
    if header.commentary_from_blank:
        col = header.columns[Field.COMMENTARY]
        yield Finding.at(
            "header.blank_commentary", N, CellRef(sheet, row, col), column=column_letter(col)
        )


def validate_plan(
    plan: Plan, header: Header | None = None, *, only: tuple[str, ...] | None = None
) -> Report:
    """Run every rule (or the rule groups named in ``only``) over a plan and collect the
    findings."""
    report = Report()
    if header is not None and only is None:
        report.extend(header_findings(header, plan.sheet))
    for rule in RULES:
        if only is None or rule.id in only:
            report.extend(rule.check(plan))
    return report
