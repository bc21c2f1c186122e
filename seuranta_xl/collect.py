"""Collecting a round's returns into the master: the ``merge`` operation.

Reads every returned file safely, checks its manifest against the master, merges it
(``merge.py``), and writes the master's changed cells, the change log and the returns
tracker in place, atomically, with a backup. Nothing but those cells and rows changes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import MasterHasErrors, RoundError
from .findings import Finding, Report, Severity
from .layout import CANONICAL_HEADERS_FI, normalize_header
from .merge import CellChange, Decision, MasterState, Proposal, ReturnMerge, apply_diff
from .model import Code, Field, Plan
from .paths import shown_path
from .rounds import owner_key
from .rules import header_ambiguities, validate_plan
from .texts import CELL_REASONS

if TYPE_CHECKING:
    from .xlsx.read import LoadedPlan
    from .xlsx.returns import ReturnFile

# result of one returned file
MERGED, UNCHANGED, DUPLICATE, REJECTED = "merged", "unchanged", "duplicate", "rejected"
SKIPPED = "skipped"  # found in a folder but not a return (a template, a text file, …)

DECISION_FI = {
    Decision.APPLIED: "viety",
    Decision.CONFLICT: "ristiriita, ei viety",
    Decision.REJECTED: "hylätty, ei viety",
    Decision.LOCKED: "lukittu solu, ei viety",
}
ROLLUP_DECISION = "ehdotettu tila kirjoitettu (summary --write-rollup)"
"""The change log's decision on an overall status the roll-up wrote (``api.summary``)."""
REASON_FI = {
    "master_changed": "seurantataulukon arvo muuttunut jakamisen jälkeen",
    "owner_changed": "rivin vastuuhenkilö vaihtunut",
    "row_gone": "rivi poistettu seurantataulukosta",
    "formula": "seurantataulukon solussa on kaava",
    # issue 8, items 5, 11, 13, 14, 23 (cells)
    **{k: fi for k, (fi, _) in CELL_REASONS.items()},
}


@dataclass
class FileResult:
    """What became of one returned file."""

    path: Path
    result: str  # merged | unchanged | duplicate | rejected | skipped
    reason: str  # a stable key; see texts.RETURN_REASONS
    owner: str = ""
    round_id: str = ""
    sha256: str = ""
    saved: str = ""
    rows: int = 0
    notes: list[str] = field(default_factory=list)  # further reason keys (macros ignored, …)
    merge: ReturnMerge | None = None
    detail: str = ""  # what the reason names: the sheets or cells of an ambiguous return

    @property
    def applied(self) -> int:
        return self.merge.count(Decision.APPLIED) if self.merge else 0

    @property
    def conflicts(self) -> int:
        return self.merge.count(Decision.CONFLICT) if self.merge else 0

    @property
    def rejected(self) -> int:
        return self.merge.count(Decision.REJECTED) if self.merge else 0


@dataclass
class MergeResult:
    """Everything a merge did or, with ``dry_run``, would do."""

    master: Path
    files: list[FileResult]
    dry_run: bool
    backup: Path | None = None
    written: bool = False

    @property
    def changes(self) -> list[tuple[FileResult, CellChange]]:
        return [(f, c) for f in self.files if f.merge for c in f.merge.applied]

    @property
    def conflicts(self) -> list[tuple[FileResult, CellChange]]:
        return [
            (f, c)
            for f in self.files
            if f.merge
            for c in f.merge.changes
            if c.decision in (Decision.CONFLICT, Decision.REJECTED)
        ]

    @property
    def proposals(self) -> list[tuple[FileResult, Proposal]]:
        return [(f, p) for f in self.files if f.merge for p in f.merge.proposals]

    @property
    def findings(self) -> list[tuple[FileResult, Finding]]:
        return [(f, x) for f in self.files if f.merge for x in f.merge.findings]

    @property
    def ok(self) -> bool:
        """No file rejected, no conflict or rejected cell left, no column that could not be
        read: exit code 0."""
        unread = any(x.severity is Severity.ERROR for _, x in self.findings)
        return not self.conflicts and not unread and all(f.result != REJECTED for f in self.files)


def merge_returns(
    master: str | Path,
    paths: Iterable[str | Path],
    *,
    dry_run: bool = False,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_files: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> MergeResult:
    """Merge returned owner workbooks (files or folders) into ``master``: read every file
    safely, merge each editable cell three ways, write the master's cells, the change log
    and the returns tracker in place (nothing with ``dry_run``)."""
    from .xlsx.read import load_plan, read_identity, refuse_owner_workbook, require_workbook
    from .xlsx.returns import collect_returns, finish_reading, start_reading
    from .xlsx.save import refuse_if_open, run_lock

    master = Path(master)
    now = (now or datetime.now()).replace(microsecond=0)
    require_workbook(master)
    paths = [Path(p) for p in paths]
    found, not_read = collect_returns(paths)
    files = [p for p in found if not _same_file(p, master)]
    skipped = [FileResult(p, SKIPPED, why) for p, why in not_read if not _same_file(p, master)]
    # the master named among the returns is said so (in a folder it goes without a word)
    skipped += [FileResult(p, SKIPPED, "is_master") for p in paths if p in found and p not in files]
    if on_files:
        on_files(len(files))
    if not dry_run:
        refuse_if_open(master)
    with run_lock(master) if not dry_run else contextlib.nullcontext():
        # the returns are read in the background while the master is read and checked
        scale, identity = read_identity(master)
        if identity is None:
            refuse_owner_workbook(master)  # an owner workbook has no rounds either
            raise RoundError("no_rounds", path=str(master))
        reading = start_reading(files, scale, identity.key, workers=workers, progress=progress)
        try:
            loaded = load_plan(master)
            # two columns for one field: which cells to write cannot be told
            ambiguous = header_ambiguities(loaded.header, loaded.plan.sheet)
            report = Report([*ambiguous, *_codes_unique(loaded.plan)])
            if not report.ok:
                raise MasterHasErrors(
                    "master_has_errors_merge",
                    report,
                    path=str(master),
                    count=report.count(Severity.ERROR),
                )
            if not loaded.rounds:
                raise RoundError("no_rounds", path=str(master))
        except BaseException:
            reading.cancel()
            raise
        read = finish_reading(files, reading)
        results = _merge_all(read, loaded) + skipped
        outcome = MergeResult(master, results, dry_run)
        if dry_run:
            _dry_write(master, loaded, outcome)
        else:
            _write(master, loaded, outcome, now)
        return outcome


def _merge_all(read: list[ReturnFile], loaded: LoadedPlan) -> list[FileResult]:
    """Judge every file and merge the acceptable ones, the earlier saved first."""
    state = MasterState(loaded.plan)
    known = {str(r[4]) for r in loaded.returns if len(r) > 4 and r[4]}
    issued = {(r.round_id, owner_key(r.owner)) for r in loaded.rounds}
    as_issued = {r.file_sha256 for r in loaded.rounds if r.file_sha256}
    returned_before = {(str(r[0]), owner_key(str(r[1]))) for r in loaded.returns if len(r) > 1}
    earlier = _applied_before(loaded)
    newest = _newest_rounds(loaded)
    suggested = rollup_suggestions(loaded)
    by_index: dict[int, FileResult] = {}
    merged_now: dict[str, str] = {}  # SHA-256 -> the file merged with it in this run
    # the later saved return of an owner comes later, so it wins only where it may
    for i in sorted(range(len(read)), key=lambda i: (read[i].saved, read[i].path)):
        rf = read[i]
        fr = _judge(rf, loaded, known, issued, as_issued)
        if fr.result == DUPLICATE and rf.sha256 in merged_now:
            fr.reason, fr.detail = "duplicate_in_run", merged_now[rf.sha256]
        if fr.result == UNCHANGED and fr.reason == "unchanged":
            manifest = rf.manifest
            assert manifest is not None and rf.diff is not None
            key = (manifest.round_id, owner_key(manifest.owner))
            if newest.get(key[1], (key[0], ""))[0] != key[0]:
                # a newer round went to this owner since: this one's values are stale
                fr.result, fr.reason = REJECTED, "outdated_round"
                by_index[i] = fr
                continue
            if key in returned_before:
                fr.notes.append("second_return")
            returned_before.add(key)
            own = earlier.setdefault(key, {})
            fr.merge = apply_diff(rf.diff, state, own, suggested)
            for c in fr.merge.applied:
                own[(c.code, c.field)] = (c.master, c.new)
            fr.rows = manifest.editable_rows
            fr.result = MERGED if fr.merge.applied else UNCHANGED
            fr.reason = _reason_of(fr)
            known.add(rf.sha256)
            merged_now[rf.sha256] = shown_path(rf.path)
        by_index[i] = fr
    return [by_index[i] for i in range(len(read))]


def _reason_of(fr: FileResult) -> str:
    """A read return's reason: merged, or nothing changed, or, when it has conflicts or
    rejected cells, nothing applied (not "nothing changed": its cells need a look)."""
    if fr.result == UNCHANGED and (fr.conflicts or fr.rejected):
        return "nothing_applied"
    return fr.result


def rollup_suggestions(loaded: LoadedPlan) -> dict[tuple[str, Field], str]:
    """Cells whose last change-log row is the roll-up's suggestion (``summary
    --write-rollup``): (code, field) -> the value it wrote. An owner's return is applied
    over such a value, which no person gave (issue 8, hostile review)."""
    from .merge import text_of

    fields = {name: f for f, name in CANONICAL_HEADERS_FI.items()}
    last: dict[tuple[str, Field], tuple[str, str]] = {}
    for r in loaded.log:
        f = fields.get(text_of(r[6])) if len(r) >= 10 else None
        if f is not None:
            last[(text_of(r[5]), f)] = (text_of(r[8]), text_of(r[9]))
    return {k: value for k, (value, decision) in last.items() if decision == ROLLUP_DECISION}


def _applied_before(
    loaded: LoadedPlan,
) -> dict[tuple[str, str], dict[tuple[str, Field], tuple[str, str]]]:
    """What earlier merges applied from each owner's returns of each round, from the change
    log: (round, owner key) -> (code, field) -> (value before, value applied), the latest."""
    from .merge import text_of

    fields = {name: f for f, name in CANONICAL_HEADERS_FI.items()}
    applied = DECISION_FI[Decision.APPLIED]
    out: dict[tuple[str, str], dict[tuple[str, Field], tuple[str, str]]] = {}
    for r in loaded.log:
        if len(r) < 10 or text_of(r[9]) != applied:
            continue
        f = fields.get(text_of(r[6]))
        if f is None:
            continue
        key = (text_of(r[1]), owner_key(text_of(r[2])))
        out.setdefault(key, {})[(text_of(r[5]), f)] = (text_of(r[7]), text_of(r[8]))
    return out


def _newest_rounds(loaded: LoadedPlan) -> dict[str, tuple[str, str]]:
    """owner key -> (round id, time issued) of the latest round issued to that owner."""
    out: dict[str, tuple[str, str]] = {}
    for r in loaded.rounds:
        key = owner_key(r.owner)
        if key not in out or r.created >= out[key][1]:  # a tie: the later recorded
            out[key] = (r.round_id, r.created)
    return out


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop
        return False


def _judge(
    rf: ReturnFile,
    loaded: LoadedPlan,
    known: set[str],
    issued: set[tuple[str, str]],
    as_issued: set[str],
) -> FileResult:
    """Whether a returned file can be merged at all, and if not, why."""
    path = Path(rf.path)
    fr = FileResult(path, REJECTED, rf.error, sha256=rf.sha256, saved=rf.saved)
    if rf.error:
        fr.reason = rf.error
        if rf.error in ("master_copy", "summary_file"):  # the tool's own, not a return
            fr.result = SKIPPED
        return fr
    # notes on how a file was read, for files that were read
    if rf.kind in ("xls", "xlsb", "ods"):
        fr.notes.append(f"format_{rf.kind}")
    if rf.kind == "xlsm":
        fr.notes.append("macros_ignored")
    if rf.sha256 in known:
        fr.result, fr.reason = DUPLICATE, "duplicate"
        return fr
    if rf.sha256 in as_issued:
        fr.result, fr.reason = UNCHANGED, "as_issued"  # never filled in: not a return
        return fr
    manifest = rf.manifest
    if manifest is None:
        fr.reason = rf.manifest_problem or "no_manifest"
        return fr
    fr.owner, fr.round_id = manifest.owner, manifest.round_id
    assert loaded.identity is not None
    if rf.manifest_problem:  # the signature did not verify under this master's key
        same_master = manifest.master_id == loaded.identity.master_id
        fr.reason = "bad_signature" if same_master else "other_master"
        return fr
    if (manifest.round_id, owner_key(manifest.owner)) not in issued:
        fr.reason = "other_round"
        return fr
    # a copied sheet or a second column for a field: the owner's edits may be in either,
    # so the whole file is refused rather than read from one of them
    if rf.ambiguity:
        fr.reason, fr.detail = rf.ambiguity, rf.detail
        return fr
    issued_extras = {normalize_header(h) for _, h in loaded.plan.extra_columns}
    added = [
        f"{own} / {cell} ({text!r})"
        for own, cell, text in rf.weak_columns
        if normalize_header(text) not in issued_extras
    ]
    if added:
        fr.reason, fr.detail = "ambiguous_columns", "; ".join(added)
        return fr
    fr.result, fr.reason = UNCHANGED, "unchanged"
    return fr


def _cell_edits(
    loaded: LoadedPlan, outcome: MergeResult
) -> tuple[dict[tuple[int, int], object], dict[tuple[int, int], tuple[FileResult, CellChange]]]:
    """The master cells to set, (row, column) -> value, and which change sets each."""
    edits: dict[tuple[int, int], object] = {}
    where: dict[tuple[int, int], tuple[FileResult, CellChange]] = {}
    for fr, change in outcome.changes:
        assert change.master_row is not None
        key = (change.master_row, loaded.plan.columns[change.field])
        edits[key] = change.new or None
        where[key] = (fr, change)
    return edits, where


def _formula_conflicts(
    skipped: list[tuple[int, int]], where: dict[tuple[int, int], tuple[FileResult, CellChange]]
) -> None:
    """A master cell holding a formula is left alone: its change becomes a conflict."""
    for cell in skipped:
        fr, change = where[cell]
        assert fr.merge is not None
        i = fr.merge.changes.index(change)
        fr.merge.changes[i] = CellChange(
            change.code,
            change.field,
            Decision.CONFLICT,
            change.issued,
            change.returned,
            change.master,
            change.master,
            change.master_row,
            "formula",
        )
        if fr.result == MERGED and not fr.applied:
            fr.result = UNCHANGED
            fr.reason = _reason_of(fr)


def _dry_write(master: Path, loaded: LoadedPlan, outcome: MergeResult) -> None:
    """What the write would find: the changes that would meet a formula."""
    import zipfile

    from .xlsx.patch import set_cells, sheet_parts

    edits, where = _cell_edits(loaded, outcome)
    if edits:
        with zipfile.ZipFile(master) as zf:
            xml = zf.read(sheet_parts(zf)[loaded.plan.sheet])
        _formula_conflicts(set_cells(xml, edits)[1], where)


def _write(master: Path, loaded: LoadedPlan, outcome: MergeResult, now: datetime) -> None:
    """Put the applied cells, the log rows and the tracker rows into the master."""
    from .xlsx.datestyle import TimeStyle
    from .xlsx.master import MergeHighlight, ensure_tool_sheets
    from .xlsx.names import LOG_SHEET, RETURNS_SHEET
    from .xlsx.patch import append_rows, patch_sheets, set_cells

    assert loaded.identity is not None
    plan = loaded.plan
    edits, where = _cell_edits(loaded, outcome)
    stamp = now.replace(microsecond=0)  # a real date in the sheets, local time
    time_style = TimeStyle()
    accepted = [f for f in outcome.files if f.merge is not None]
    if not accepted:
        return  # nothing merged: the master stays as it is, byte for byte
    skipped: list[tuple[int, int]] = []
    highlight = MergeHighlight(bool(edits))  # the applied cells, in the same write

    def styles(xml: bytes) -> bytes:
        return highlight.styles(time_style.styles(xml))

    def data(xml: bytes) -> bytes:
        new, skip = set_cells(xml, edits)
        skipped.extend(skip)
        left = set(skip)
        return highlight.sheet(new, [cell for cell in edits if cell not in left])

    log_rows: list[list[object]] = []
    tracker_rows: list[list[object]] = []

    def log(xml: bytes) -> bytes:
        _formula_conflicts(skipped, where)
        for fr in accepted:
            assert fr.merge is not None
            head = [stamp, fr.round_id, fr.owner, shown_path(fr.path.name), fr.sha256]
            for c in fr.merge.logged:
                decision = DECISION_FI.get(c.decision, c.decision.value)
                if c.reason:
                    decision += f" ({REASON_FI.get(c.reason, c.reason)})"
                applied = c.decision is Decision.APPLIED
                old, new = (c.master, c.new) if applied else (c.issued, c.returned)
                log_rows.append([*head, c.code, CANONICAL_HEADERS_FI[c.field], old, new, decision])
            for p in fr.merge.proposals:
                summary = "; ".join(
                    f"{CANONICAL_HEADERS_FI[f]}: {v}"
                    for f, v in p.values.items()
                    if f is not Field.OWNER
                )
                log_rows.append([*head, p.code, "uusi rivi", "", summary, "ehdotus, ei viety"])
            tracker_rows.append(
                [
                    fr.round_id,
                    fr.owner,
                    fr.rows,
                    shown_path(fr.path.name),
                    fr.sha256,
                    stamp,
                    _local(fr.saved),
                    fr.applied,
                    fr.conflicts,
                    fr.rejected,
                    "viety" if fr.result == MERGED else "ei muutoksia",
                ]
            )
        return append_rows(xml, log_rows, time_style.index)

    def tracker(xml: bytes) -> bytes:
        return append_rows(xml, tracker_rows, time_style.index)

    ensure_tool_sheets(master, loaded.identity)
    # in this order: the data sheet tells which cells were skipped before the log is written
    outcome.backup = patch_sheets(
        master,
        {plan.sheet: data, LOG_SHEET: log, RETURNS_SHEET: tracker},
        styles=styles,
    )
    outcome.written = True


def _local(stamp: str) -> datetime | str:
    """An ISO time (UTC) as this machine's local time, as the coordinator reads it (a
    real date in the sheet); text that is no time as it is."""
    try:
        return datetime.fromisoformat(stamp).astimezone().replace(tzinfo=None, microsecond=0)
    except ValueError:
        return stamp


def _codes_unique(plan: Plan) -> Report:
    """What a merge needs of a master: every code on one row only, so each return's rows
    land where they belong. (Statuses, owners and texts the coordinator may still be
    tidying do not stop a merge.) Only when a code repeats are the code rules run, to say
    where."""
    seen: set[Code] = set()
    for row in plan.rows:
        if row.code is not None:
            if row.code in seen:
                report = validate_plan(plan, only=("hierarchy",))
                return Report([f for f in report if f.rule == "code.duplicate"])
            seen.add(row.code)
    return Report()
