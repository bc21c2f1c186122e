"""Three-way merge of returned owner workbooks into the master. Pure.

For every editable cell of every row the owner was issued: the value as issued (in the
signed manifest), the value returned, and the master's value now.

* returned == issued: nothing to do (``unchanged``);
* master == issued: the owner's change is applied (``applied``);
* master == returned: it is there already (``same``);
* all three differ: a ``conflict``, reported and not applied.

Statuses are compared by their value on the scale, so a re-selected label is no change, and
an applied status is written as the scale says it. Locked cells (codes, titles, owner, rows
that were context only) are never applied; rows the owner added go to a proposals list; a
status that is not on the scale is rejected for that cell. Text stays text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from .findings import Finding, Severity
from .model import (
    EDITABLE_FIELDS,
    FIELD_ORDER,
    LEVEL_FIELDS,
    CellRef,
    Code,
    Field,
    Plan,
    Row,
    StatusMatch,
    StatusScale,
)
from .rounds import Manifest, ManifestRow, owner_key


class Decision(StrEnum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"
    SAME = "same"
    CONFLICT = "conflict"
    REJECTED = "rejected"  # the returned value cannot be used (a status not on the scale)
    LOCKED = "locked"  # an edit to a cell the owner could not change


@dataclass(frozen=True)
class CellChange:
    """One decision about one cell, as the change log records it."""

    code: str
    field: Field
    decision: Decision
    issued: str
    returned: str
    master: str  # the master's value before this return
    new: str  # what the master holds after (== master unless applied)
    master_row: int | None
    reason: str = ""


@dataclass(frozen=True)
class Proposal:
    """A row the owner added: not in the manifest, so not merged but kept for the coordinator."""

    code: str
    title: str
    values: dict[Field, str]
    sheet_row: int


@dataclass
class ReturnMerge:
    """Everything one returned workbook would do to the master."""

    owner: str
    round_id: str
    changes: list[CellChange] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def count(self, decision: Decision) -> int:
        return sum(1 for c in self.changes if c.decision is decision)

    @property
    def applied(self) -> list[CellChange]:
        return [c for c in self.changes if c.decision is Decision.APPLIED]

    @property
    def logged(self) -> list[CellChange]:
        """The decisions worth a change-log row: all but ``unchanged`` and ``same``."""
        return [c for c in self.changes if c.decision not in (Decision.UNCHANGED, Decision.SAME)]


def text_of(value: object) -> str:
    """A cell's value as comparable text: numbers without ``.0``, line ends as ``\\n``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class MasterState:
    """The master's editable values as a merge run sees them, updated as returns apply."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.rows: dict[Code, Row] = plan.by_code()
        self.values: dict[tuple[Code, Field], str] = {}

    def get(self, code: Code, f: Field) -> str:
        key = (code, f)
        if key in self.values:
            return self.values[key]
        row = self.rows.get(code)
        return text_of(row.values.get(f)) if row is not None else ""

    def set(self, code: Code, f: Field, value: str) -> None:
        self.values[(code, f)] = value


def merge_return(
    manifest: Manifest,
    returned: Plan,
    master: MasterState,
    *,
    file: str = "",
) -> ReturnMerge:
    """Decide every editable cell of one return against the master; apply to ``master``
    (the in-memory state) what is to be applied."""
    result = ReturnMerge(owner=manifest.owner, round_id=manifest.round_id)
    scale = master.plan.scale
    fields = [Field(f) for f in manifest.fields if f in Field._value2member_map_]
    issued_by_code: dict[str, ManifestRow] = {r.code: r for r in manifest.rows}
    seen: set[str] = set()
    for row in returned.rows:
        if row.code is None:
            if any(text_of(v).strip() for v in row.values.values()):
                result.proposals.append(_proposal(row, ""))
            continue
        code_text = str(row.code)
        issued = issued_by_code.get(code_text)
        if issued is None or code_text in seen:
            result.proposals.append(_proposal(row, code_text))
            continue
        seen.add(code_text)
        issued_values = dict(zip(fields, issued.values, strict=False))
        _check_locked(row, issued, issued_values, result)
        if not issued.editable:
            continue
        master_row = master.rows.get(row.code)
        for f in EDITABLE_FIELDS:
            if f not in issued_values or f not in returned.columns:
                continue
            result.changes.extend(
                _decide(
                    row,
                    f,
                    issued_values[f],
                    master=master,
                    master_row=master_row,
                    manifest=manifest,
                    scale=scale,
                    result=result,
                )
            )
    for code_text, issued in issued_by_code.items():
        if code_text not in seen:
            result.findings.append(
                Finding(
                    "return.row_missing",
                    Severity.WARNING,
                    returned.sheet,
                    f"A{issued.sheet_row}",
                    code_text,
                    {},
                )
            )
    return result


def _proposal(row: Row, code_text: str) -> Proposal:
    values = {f: text_of(v) for f, v in row.values.items() if text_of(v).strip()}
    return Proposal(code_text, row.title, values, row.sheet_row)


def _check_locked(
    row: Row, issued: ManifestRow, issued_values: dict[Field, str], result: ReturnMerge
) -> None:
    """Report edits to cells the owner could not change; they are never applied."""
    locked = [f for f in FIELD_ORDER if f not in EDITABLE_FIELDS or not issued.editable]
    for f in locked:
        if f not in issued_values or f not in row.columns:
            continue
        before, after = issued_values[f], text_of(row.values.get(f))
        if f in LEVEL_FIELDS and not before and not after:
            continue
        if _same_text(before, after):
            continue
        result.changes.append(
            CellChange(str(row.code), f, Decision.LOCKED, before, after, before, before, None)
        )
        result.findings.append(
            Finding.at(
                "return.locked_edit",
                Severity.WARNING,
                _ref(row, f),
                str(row.code),
                issued=before,
                returned=after,
            )
        )


def _same_text(a: str, b: str) -> bool:
    return text_of(a).rstrip() == text_of(b).rstrip()


def _decide(
    row: Row,
    f: Field,
    issued: str,
    *,
    master: MasterState,
    master_row: Row | None,
    manifest: Manifest,
    scale: StatusScale,
    result: ReturnMerge,
) -> Iterable[CellChange]:
    assert row.code is not None
    code = row.code
    raw = row.values.get(f)
    returned = text_of(raw)
    current = master.get(code, f)
    if f is Field.STATUS:
        st = scale.parse(raw)
        if st.match is StatusMatch.UNKNOWN:
            result.findings.append(
                Finding.at(
                    "return.status_unknown", Severity.ERROR, _ref(row, f), str(code), value=returned
                )
            )
            yield CellChange(
                str(code),
                f,
                Decision.REJECTED,
                issued,
                returned,
                current,
                current,
                _row_of(master_row),
            )
            return
        new = scale.display(st.value) if st.value is not None else ""
        same = _status_equal
    else:
        new = returned
        same = _text_equal
    if same(scale, new, issued):
        yield CellChange(
            str(code),
            f,
            Decision.UNCHANGED,
            issued,
            returned,
            current,
            current,
            _row_of(master_row),
        )
        return
    if master_row is None:
        result.findings.append(
            Finding.at("return.row_gone", Severity.ERROR, _ref(row, f), str(code))
        )
        yield CellChange(str(code), f, Decision.CONFLICT, issued, new, "", "", None, "row_gone")
        return
    if owner_key(master_row.owner) != owner_key(manifest.owner):
        yield CellChange(
            str(code),
            f,
            Decision.CONFLICT,
            issued,
            new,
            current,
            current,
            master_row.sheet_row,
            "owner_changed",
        )
        return
    if same(scale, current, new):
        yield CellChange(
            str(code), f, Decision.SAME, issued, new, current, current, master_row.sheet_row
        )
        return
    if same(scale, current, issued):
        master.set(code, f, new)
        yield CellChange(
            str(code), f, Decision.APPLIED, issued, new, current, new, master_row.sheet_row
        )
        return
    yield CellChange(
        str(code),
        f,
        Decision.CONFLICT,
        issued,
        new,
        current,
        current,
        master_row.sheet_row,
        "master_changed",
    )


def _ref(row: Row, f: Field) -> CellRef:
    ref = row.ref(f)
    assert ref is not None
    return ref


def _row_of(row: Row | None) -> int | None:
    return row.sheet_row if row is not None else None


def _text_equal(scale: StatusScale, a: str, b: str) -> bool:
    return text_of(a) == text_of(b)


def _status_equal(scale: StatusScale, a: str, b: str) -> bool:
    pa, pb = scale.parse(a), scale.parse(b)
    if pa.value is not None or pb.value is not None:
        return pa.value == pb.value
    return text_of(a).strip() == text_of(b).strip()
