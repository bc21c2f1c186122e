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

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .celltext import stored_text
from .findings import Finding, Severity
from .layout import CANONICAL_HEADERS_FI
from .model import (
    EDITABLE_FIELDS,
    EXCEL_CELL_LIMIT,
    FIELD_ORDER,
    LEVEL_FIELDS,
    CellRef,
    Code,
    Field,
    Plan,
    Row,
    StatusMatch,
    StatusScale,
    cell_text,
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
    """A cell's value as comparable text (``cell_text``), cleaned as a workbook stores it:
    the master's raw text compares equal to what was issued."""
    if value.__class__ is str and (value.isprintable() or not value):
        return value  # nothing to clean: most cells, on every row of every return
    return stored_text(cell_text(value))


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


@dataclass(frozen=True)
class Edit:
    """A cell the owner changed: returned differs from issued, or cannot be used."""

    code: str
    field: Field
    issued: str
    returned: str  # as read, as text
    new: str  # as it would be written (a status as the scale says it)
    ref: CellRef  # where it stands in the returned workbook
    rejected: bool = False  # the returned value cannot be used
    reason: str = ""  # why it cannot: CELL_ERROR, CELL_NO_VALUE, TOO_LONG, …


# Why a returned cell is rejected (items 5, 11, 13, 23 of issue 8); texts.CELL_REASONS.
CELL_ERROR = "cell_error"  # an error value (#DIV/0!, #NAME?): the cell reads as empty
CELL_NO_VALUE = "cell_no_value"  # a formula saved without its value (openpyxl)
TOO_LONG = "too_long"  # Excel's 32,767 characters or more: maybe cut when read
STATUS_UNKNOWN = "status_unknown"  # not on the scale
DUPLICATE_CODE = "duplicate_code"  # the same code on several rows of the return
OWNER_REVERTED = "owner_reverted"  # a later return puts back what the owner had changed


@dataclass
class ReturnDiff:
    """What one return changed against what was issued: the part of a merge that needs
    only the returned file, so it is done where the file is read."""

    owner: str
    round_id: str
    edits: list[Edit] = field(default_factory=list)
    locked: list[CellChange] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # editable rows read once and cleanly, and the editable fields read: there, a cell
    # without an edit was returned as issued
    read_codes: set[str] = field(default_factory=set)
    read_fields: set[Field] = field(default_factory=set)


def diff_return(
    manifest: Manifest,
    returned: Plan,
    scale: StatusScale,
    bad_cells: Mapping[tuple[int, int], str] | None = None,
) -> ReturnDiff:
    """Compare a returned workbook's rows with its manifest: the owner's edits, edits to
    locked cells, new rows, missing rows, statuses not on the scale. ``bad_cells`` are the
    cells (sheet row, column) whose value could not be read, with why (``CELL_ERROR`` or
    ``CELL_NO_VALUE``): an edit there is rejected, never read as an empty cell."""
    diff = ReturnDiff(owner=manifest.owner, round_id=manifest.round_id)
    bad = bad_cells or {}
    fields = [Field(f) for f in manifest.fields if f in Field._value2member_map_]
    diff.read_fields = {f for f in EDITABLE_FIELDS if f in fields and f in returned.columns}
    for f in EDITABLE_FIELDS:
        if f in fields and f not in returned.columns:
            # renamed past recognition or deleted: its edits cannot be read, so say so
            diff.findings.append(
                Finding(
                    "return.column_missing",
                    Severity.ERROR,
                    returned.sheet,
                    f"A{returned.header_row}",
                    "",
                    {"field_name": CANONICAL_HEADERS_FI[f]},
                )
            )
    issued_by_code: dict[str, ManifestRow] = {r.code: r for r in manifest.rows}
    seen: set[str] = set()
    copies = Counter(str(r.code) for r in returned.rows if r.code is not None)
    for row in returned.rows:
        if row.code is None:
            if any(text_of(v).strip() for v in row.values.values()):
                diff.proposals.append(_proposal(row, ""))
            continue
        code_text = str(row.code)
        issued = issued_by_code.get(code_text)
        if issued is None:
            diff.proposals.append(_proposal(row, code_text))
            continue
        issued_values = dict(zip(fields, issued.values, strict=False))
        if copies[code_text] > 1:
            # an issued code on several rows: which one is the owner's word is unknown
            seen.add(code_text)
            _duplicate(row, issued, issued_values, copies[code_text], diff)
            continue
        seen.add(code_text)
        _check_locked(row, issued, issued_values, diff)
        if not issued.editable:
            continue
        diff.read_codes.add(code_text)
        for f in EDITABLE_FIELDS:
            if f in issued_values and f in returned.columns:
                edit = _edit(row, f, issued_values[f], scale, diff, bad=bad)
                if edit is not None:
                    diff.edits.append(edit)
    for code_text, issued in issued_by_code.items():
        if code_text not in seen:
            diff.findings.append(
                Finding(
                    "return.row_missing",
                    Severity.WARNING,
                    returned.sheet,
                    f"A{issued.sheet_row}",
                    code_text,
                    {},
                )
            )
    return diff


def _edit(
    row: Row,
    f: Field,
    issued: str,
    scale: StatusScale,
    diff: ReturnDiff,
    *,
    bad: Mapping[tuple[int, int], str],
) -> Edit | None:
    assert row.code is not None
    raw = row.values.get(f)
    returned = text_of(raw)
    ref = _ref(row, f)
    why = bad.get((ref.row, ref.column))
    if why is None and isinstance(raw, float) and not math.isfinite(raw):
        why = CELL_ERROR
    if why is not None:
        # an error or a formula without its value reads as empty: it says nothing
        rule = "return.cell_error" if why == CELL_ERROR else "return.cell_no_value"
        diff.findings.append(Finding.at(rule, Severity.ERROR, ref, str(row.code)))
        return Edit(str(row.code), f, issued, returned, returned, ref, rejected=True, reason=why)
    if f is Field.STATUS:
        st = scale.parse(raw)
        if st.match is StatusMatch.UNKNOWN:
            diff.findings.append(
                Finding.at(
                    "return.status_unknown", Severity.ERROR, ref, str(row.code), value=returned
                )
            )
            return Edit(str(row.code), f, issued, returned, returned, ref, True, STATUS_UNKNOWN)
        new = scale.display(st.value) if st.value is not None else ""
        if _status_equal(scale, new, issued):
            return None
    else:
        new = returned
        if new == text_of(issued):
            return None
        if len(new) >= EXCEL_CELL_LIMIT:  # calamine cuts an xlsx's longer text at the limit
            diff.findings.append(
                Finding.at(
                    "return.too_long",
                    Severity.ERROR,
                    ref,
                    str(row.code),
                    length=len(new),
                    limit=EXCEL_CELL_LIMIT,
                )
            )
            return Edit(str(row.code), f, issued, returned, returned, ref, True, TOO_LONG)
    return Edit(str(row.code), f, issued, returned, new, ref)


def _duplicate(
    row: Row, issued: ManifestRow, issued_values: dict[Field, str], count: int, diff: ReturnDiff
) -> None:
    """A row whose issued code the return holds more than once: reported, and each of
    its edited cells rejected."""
    assert row.code is not None
    code_ref = row.ref(row.code_field) if row.code_field else None
    ref = code_ref or CellRef(row.sheet, row.sheet_row, 1)
    diff.findings.append(
        Finding.at("return.duplicate_code", Severity.ERROR, ref, str(row.code), count=count)
    )
    if not issued.editable:
        return
    for f in EDITABLE_FIELDS:
        if f in issued_values and f in row.columns:
            returned = text_of(row.values.get(f))
            if returned != text_of(issued_values[f]):
                diff.edits.append(
                    Edit(
                        str(row.code),
                        f,
                        issued_values[f],
                        returned,
                        returned,
                        _ref(row, f),
                        True,
                        DUPLICATE_CODE,
                    )
                )


def apply_diff(
    diff: ReturnDiff,
    master: MasterState,
    earlier: Mapping[tuple[str, Field], tuple[str, str]] | None = None,
    suggested: Mapping[tuple[str, Field], str] | None = None,
) -> ReturnMerge:
    """Decide each edit three ways against the master; apply to ``master`` (the in-memory
    state) what is to be applied.

    ``suggested`` holds the cells whose master value is still the roll-up's suggestion,
    (code, field) -> that value: no person gave it, so an owner's edit is applied over it
    rather than reported as a conflict.

    ``earlier`` holds what this owner's earlier returns of this round applied, (code,
    field) -> (the value before, the value applied). Where this return has the value as
    issued but the master still holds that earlier edit, the owner has either put it back
    or filled in an older copy: which, only they know, so it is a conflict
    (``OWNER_REVERTED``), reported and not applied."""
    result = ReturnMerge(
        owner=diff.owner,
        round_id=diff.round_id,
        changes=list(diff.locked),
        proposals=list(diff.proposals),
        findings=list(diff.findings),
    )
    scale = master.plan.scale
    for edit in diff.edits:
        code = Code.parse(edit.code)
        current = master.get(code, edit.field)
        master_row = master.rows.get(code)
        row_number = master_row.sheet_row if master_row is not None else None
        same = _status_equal if edit.field is Field.STATUS else _text_equal
        if edit.rejected:
            decision, reason = Decision.REJECTED, edit.reason
        elif master_row is None:
            result.findings.append(
                Finding.at("return.row_gone", Severity.ERROR, edit.ref, edit.code)
            )
            decision, reason, current = Decision.CONFLICT, "row_gone", ""
        elif owner_key(master_row.owner) != owner_key(diff.owner):
            decision, reason = Decision.CONFLICT, "owner_changed"
        elif same(scale, current, edit.new):
            decision, reason = Decision.SAME, ""
        elif same(scale, current, edit.issued) or (
            suggested is not None
            and (edit.code, edit.field) in suggested
            and _text_equal(scale, current, suggested[(edit.code, edit.field)])
        ):
            decision, reason = Decision.APPLIED, ""
            master.set(code, edit.field, edit.new)
        else:
            decision, reason = Decision.CONFLICT, "master_changed"
        after = edit.new if decision is Decision.APPLIED else current
        result.changes.append(
            CellChange(
                edit.code,
                edit.field,
                decision,
                edit.issued,
                edit.returned if edit.rejected else edit.new,
                current,
                after,
                row_number,
                reason,
            )
        )
    if earlier:
        _reverts(diff, master, earlier, result)
    return result


def _reverts(
    diff: ReturnDiff,
    master: MasterState,
    earlier: Mapping[tuple[str, Field], tuple[str, str]],
    result: ReturnMerge,
) -> None:
    """Cells returned as issued where the master holds this owner's earlier edit."""
    edited = {(e.code, e.field) for e in diff.edits}
    scale = master.plan.scale
    for (code_text, f), (before, applied) in earlier.items():
        if code_text not in diff.read_codes or f not in diff.read_fields:
            continue
        if (code_text, f) in edited:
            continue
        code = Code.parse(code_text)
        row = master.rows.get(code)
        current = master.get(code, f)
        same = _status_equal if f is Field.STATUS else _text_equal
        if row is None or not same(scale, current, applied) or same(scale, current, before):
            continue  # the master no longer holds that edit: nothing to undo
        result.changes.append(
            CellChange(
                code_text,
                f,
                Decision.CONFLICT,
                before,
                before,
                current,
                current,
                row.sheet_row,
                OWNER_REVERTED,
            )
        )


def merge_return(
    manifest: Manifest,
    returned: Plan,
    master: MasterState,
    *,
    file: str = "",
    earlier: Mapping[tuple[str, Field], tuple[str, str]] | None = None,
) -> ReturnMerge:
    """Decide every editable cell of one return against the master; apply to ``master``
    (the in-memory state) what is to be applied. Cells returned as issued need nothing and
    get no entry."""
    return apply_diff(diff_return(manifest, returned, master.plan.scale), master, earlier)


def _proposal(row: Row, code_text: str) -> Proposal:
    values = {f: text_of(v) for f, v in row.values.items() if text_of(v).strip()}
    return Proposal(code_text, row.title, values, row.sheet_row)


def _check_locked(
    row: Row, issued: ManifestRow, issued_values: dict[Field, str], diff: ReturnDiff
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
        diff.locked.append(
            CellChange(str(row.code), f, Decision.LOCKED, before, after, before, before, None)
        )
        diff.findings.append(
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
