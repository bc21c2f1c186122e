"""The operations, as library calls: the CLI and the Excel layer both call these."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .collect import ROLLUP_DECISION, merge_returns
from .errors import WriteError
from .findings import Finding, Report, Severity
from .model import Plan
from .rules import validate_plan

merge = merge_returns
"""Merge returned owner workbooks (files and folders) into the master."""

if TYPE_CHECKING:
    from .rounds import MasterIdentity, RoundRecord
    from .summary import Summary
    from .xlsx.generate import Published, StagedRound
    from .xlsx.read import LoadedPlan
    from .xlsx.sheetspec import SheetSpec


@dataclass(frozen=True)
class ValidationResult:
    """What ``validate`` found in a workbook."""

    path: Path
    plan: Plan
    report: Report

    @property
    def ok(self) -> bool:
        return self.report.ok


@dataclass(frozen=True)
class InitResult:
    """A new master: where it went, what it holds, and what the source had to say."""

    source: Path
    master: Path
    plan: Plan
    report: Report  # findings at the source's cells (blank lines dropped, statuses…)
    backup: Path | None


def validate(path: str | Path) -> ValidationResult:
    """Check a master (or any follow-up sheet) and collect every finding."""
    from .xlsx.read import load_plan

    return _validated(load_plan(path))


def _validated(loaded: LoadedPlan) -> ValidationResult:
    """The findings of a plan read, the tool's own sheets' bad cells among them."""
    report = validate_plan(loaded.plan, loaded.header)
    for problem in loaded.tool_problems:  # the tool's own sheets: named, not fatal here
        p = dict(problem.params)
        sheet, cell = p.pop("sheet"), p.pop("cell")
        p.pop("path", None)
        report.add(Finding("tool.value", Severity.WARNING, sheet, cell, "", p))
    return ValidationResult(loaded.path, loaded.plan, report)


@dataclass(frozen=True)
class MarkResult:
    """A validation and the findings written into the workbook, under one hold of its lock."""

    validation: ValidationResult
    backup: Path | None
    sheet: str | None  # the findings sheet's name; None when there was nothing to find
    renamed: tuple[tuple[str, str], ...]  # (name wanted, name given) of the tool's sheets


def mark(result: ValidationResult, lang: str = "fi") -> Path | None:
    """Write a validation's findings into the workbook it came from: a findings sheet with
    links to the cells, and highlighted cells. The workbook is validated again under its
    lock, so what is written is what it holds now. Returns the backup made."""
    return validate_and_mark(result.path, lang).backup


def validate_and_mark(path: str | Path, lang: str = "fi") -> MarkResult:
    """Validate a workbook and write its findings into it, holding its run lock from the
    read to the write (a merge cannot slip in between)."""
    import zipfile

    from .xlsx.master import mark_findings
    from .xlsx.read import load_plan, refuse_owner_workbook
    from .xlsx.save import refuse_if_open, run_lock

    path = Path(path)
    if not zipfile.is_zipfile(path):
        validate(path)  # a missing or unreadable file is said as such
        raise WriteError("mark_needs_xlsx", path=str(path))
    refuse_owner_workbook(path)
    refuse_if_open(path)
    with run_lock(path):
        loaded = load_plan(path)  # read once, under the lock
        result = _validated(loaded)
        # in place: the summary sheets (and all else) are copied as they are
        marked = mark_findings(path, result.report, result.plan.sheet, lang)
    return MarkResult(result, marked.backup, marked.sheet, marked.renamed)


def init_master(source: str | Path, master: str | Path, *, force: bool = False) -> InitResult:
    """Build a master workbook from the template and a source sheet (xlsx, tsv or csv).

    Nothing from the source is dropped or altered except blank rows, which are reported.
    """
    from .xlsx.master import write_master
    from .xlsx.read import load_plan

    loaded = load_plan(source)
    report = validate_plan(loaded.plan, loaded.header)
    backup = write_master(loaded.plan, Path(master), force=force)
    return InitResult(Path(source), Path(master), loaded.plan, report, backup)


@dataclass(frozen=True)
class SummaryResult:
    """The summary built: its figures, and where it was written."""

    master: Path
    summary: Summary
    standalone: Path | None
    backup: Path | None
    rollup_written: int  # overall-status cells filled from the roll-up, when asked
    renamed: tuple[tuple[str, str], ...] = ()  # (name wanted, name given) of summary sheets
    rollup_kept: int = 0  # overall-status cells someone filled, left as they were
    standalone_backup: Path | None = None
    pdf: Path | None = None  # the council report printed as PDF, when asked


def summary(
    master: str | Path,
    *,
    out: str | Path | None = None,
    lang: str = "fi",
    round_id: str | None = None,
    write_rollup: bool = False,
    now: datetime | None = None,
    pdf: str | Path | None = None,
) -> SummaryResult:
    """Rebuild the summary sheets in the master (only the tool's own sheets are replaced)
    and, with ``out``, write a standalone summary workbook; with ``pdf``, print the council
    report there (LibreOffice needed: checked, with the target, before anything is read
    or written). With ``write_rollup`` the suggested statuses go into the overall-status
    cells of goals and annual goals that are empty, each logged in the change log.

    The master's run lock is held from the read to the last write. ``out`` may not be the
    master, nor any file but a standalone summary the tool made.
    """
    from .layout import paused_gc
    from .xlsx.read import load_plan, require_workbook
    from .xlsx.report import Meta
    from .xlsx.save import refuse_if_open, run_lock
    from .xlsx.summary_book import (
        check_summary_target,
        layout,
        renamed,
        same_file,
        write_into_master,
        write_standalone,
    )

    master = Path(master)
    now = (now or datetime.now()).replace(microsecond=0)
    if out is not None and Path(out).suffix.lower() != ".xlsx":
        raise WriteError("summary_out_not_xlsx", path=str(out))
    office = _council_pdf_ready(Path(pdf), master) if pdf is not None else None
    require_workbook(master)
    target = Path(out) if out is not None else None
    if target is not None and same_file(target, master):
        raise WriteError("summary_out_is_master", path=str(target), master=str(master))
    refuse_if_open(master)
    with run_lock(master):
        loaded = _summary_source(master, round_id)
        if target is not None:
            check_summary_target(target)  # before anything is written
        written = kept = 0
        if write_rollup:
            written, kept = _write_rollup(master, loaded, now)
            if written:
                loaded = load_plan(master)
        figures = _figures(loaded, round_id)
        meta = Meta(source=master.name, generated=now, lang=lang)
        with paused_gc():  # many objects made, none of them garbage
            specs = layout(figures, meta)  # once, for the master and the standalone copy
        backup, names = write_into_master(
            master, figures, meta, data_sheet=loaded.plan.sheet, specs=specs
        )
        standalone_backup = None
        if target is not None:
            standalone_backup = write_standalone(target, figures, meta, specs=specs)
        if pdf is not None and office is not None:
            _write_council_pdf(next(s for s in specs if s.kind == "council"), Path(pdf), office)
    return SummaryResult(
        master,
        figures,
        target,
        backup,
        written,
        tuple(renamed(names)),
        kept,
        standalone_backup,
        Path(pdf) if pdf is not None else None,
    )


def council_pdf(
    master: str | Path,
    pdf: str | Path,
    *,
    lang: str = "fi",
    round_id: str | None = None,
    now: datetime | None = None,
) -> Path:
    """Print the council report (*Valtuustoraportti*) of a master as PDF with LibreOffice,
    changing nothing in the master. Without LibreOffice a WriteError says how to print from
    Excel; an existing file is replaced only when it is a PDF, never the master."""
    from .xlsx.council import council_sheet
    from .xlsx.read import require_workbook
    from .xlsx.report import Meta
    from .xlsx.save import run_lock

    master, pdf = Path(master), Path(pdf)
    now = (now or datetime.now()).replace(microsecond=0)
    office = _council_pdf_ready(pdf, master)
    require_workbook(master)
    with run_lock(master):
        figures = _figures(_summary_source(master, round_id), round_id)
        spec = council_sheet(figures, Meta(source=master.name, generated=now, lang=lang))
        return _write_council_pdf(spec, pdf, office)


def _summary_source(master: Path, round_id: str | None) -> LoadedPlan:
    """The master read for a summary (the caller holds its lock): a master, not an owner
    workbook or a plain sheet, and ``round_id`` one it issued."""
    from .errors import RoundError
    from .xlsx.read import load_plan

    loaded = load_plan(master)
    _require_master(loaded)
    issued = list(dict.fromkeys(r.round_id for r in loaded.rounds))
    if round_id is not None and round_id not in issued:
        raise RoundError("unknown_round", round=round_id, known=", ".join(issued) or "–")
    return loaded


def _figures(loaded: LoadedPlan, round_id: str | None) -> Summary:
    """The summary's figures of a master read, for the round asked (default: the latest)."""
    from .summary import summarize
    from .xlsx.names import SETTING_DEADLINE

    return summarize(
        loaded.plan,
        loaded.rounds,
        loaded.returns,
        loaded.log,
        round_id=round_id,
        deadline=loaded.setting(SETTING_DEADLINE),
    )


def _council_pdf_ready(pdf: Path, master: Path) -> str:
    """The LibreOffice to print the council report with, once ``pdf`` is a target it may
    write; WriteError otherwise (before anything is read or written)."""
    from .xlsx.pdf import check_pdf_target, require_office

    check_pdf_target(pdf, master)
    return require_office(pdf, master)


def _write_council_pdf(spec: SheetSpec, pdf: Path, office: str) -> Path:
    from .xlsx.pdf import write_pdf

    return write_pdf([spec], pdf, office)


def _require_master(loaded: LoadedPlan) -> None:
    """Summary sheets go into a master only: not into an owner workbook or a plain sheet."""
    from .errors import LayoutError
    from .xlsx.names import KEY_SHEET, MANIFEST_SHEET, SETTINGS_SHEET

    names = set(loaded.sheet_names)
    if MANIFEST_SHEET in names:
        raise LayoutError("summary_owner_workbook", path=str(loaded.path))
    if SETTINGS_SHEET not in names and KEY_SHEET not in names:
        raise LayoutError("summary_not_master", path=str(loaded.path))


def _write_rollup(master: Path, loaded: LoadedPlan, now: datetime) -> tuple[int, int]:
    """Fill the empty overall-status cells of goals and annual goals with the suggested
    status, in place, and log each in the change log. A cell someone filled is left as it
    is; one holding the roll-up's own logged suggestion, unchanged since, is updated.
    The caller holds the run lock. Returns (cells written, cells left as someone set them)."""
    from .collect import rollup_suggestions
    from .layout import CANONICAL_HEADERS_FI
    from .model import Field
    from .rounds import MasterIdentity
    from .summary import rollup
    from .xlsx.datestyle import TimeStyle
    from .xlsx.master import ensure_tool_sheets
    from .xlsx.names import LOG_SHEET
    from .xlsx.patch import append_rows, patch_sheets, set_cells

    plan = loaded.plan
    column = plan.columns.get(Field.OVERALL)
    if column is None:
        return 0, 0
    field_name = CANONICAL_HEADERS_FI[Field.OVERALL]
    own = rollup_suggestions(loaded)  # cells whose last logged change is a suggestion
    scale = plan.scale
    rows = plan.by_code()
    stamp = now.replace(microsecond=0)  # a real date in the change log, local time
    time_style = TimeStyle()
    edits: dict[tuple[int, int], object] = {}
    logged: dict[tuple[int, int], list[object]] = {}
    kept = 0
    for code, value in rollup(plan).items():
        row = rows.get(code)
        if row is None:
            continue
        current, new = row.text(Field.OVERALL), scale.display(value)
        if current == new:
            continue
        if current.strip() and own.get((str(code), Field.OVERALL)) != current:
            kept += 1  # someone's value: a suggestion never overwrites it
            continue
        edits[(row.sheet_row, column)] = new
        logged[(row.sheet_row, column)] = [
            stamp, "", "", "", "", str(code), field_name, current, new, ROLLUP_DECISION
        ]  # fmt: skip
    if not edits:
        return 0, kept
    skipped: list[tuple[int, int]] = []

    def data(xml: bytes) -> bytes:
        new_xml, skip = set_cells(xml, edits)
        skipped.extend(skip)  # a formula cell is not written over
        return new_xml

    def log(xml: bytes) -> bytes:
        rows = [r for cell, r in logged.items() if cell not in skipped]
        return append_rows(xml, rows, time_style.index)

    ensure_tool_sheets(master, loaded.identity or MasterIdentity.new())
    # in this order: the data sheet tells which cells were skipped before the log is written
    patch_sheets(master, {plan.sheet: data, LOG_SHEET: log}, styles=time_style.styles)
    return len(edits) - len(skipped), kept + len(skipped)


def synthetic_master(
    master: str | Path,
    *,
    owners: int = 10,
    rows_per_owner: int = 20,
    seed: int = 2021,
    force: bool = False,
) -> InitResult:
    """A master filled with a deterministic synthetic follow-up (see ``synthetic``)."""
    from .layout import read_plan
    from .model import SourceTable
    from .scale import default_scale
    from .synthetic import synthetic_grid
    from .xlsx.master import write_master

    name = f"synteettinen-{owners}x{rows_per_owner}-{seed}"
    plan = read_plan(
        SourceTable(name, synthetic_grid(owners, rows_per_owner, seed=seed)), default_scale()
    )
    report = validate_plan(plan)
    backup = write_master(plan, Path(master), force=force)
    return InitResult(Path(name), Path(master), plan, report, backup)


def demo_source() -> Path:
    """The bundled sample: one owner's part of a real 2021 follow-up, as copied out of Excel."""
    from importlib import resources

    return Path(str(resources.files("seuranta_xl").joinpath("data", "sample_2021.tsv")))


@dataclass(frozen=True)
class OwnerFile:
    """One owner workbook made in a round."""

    owner: str
    path: Path
    rows: int  # all rows in the workbook
    own_rows: int  # the rows the owner fills in


@dataclass(frozen=True)
class GenerateResult:
    """What ``generate`` made, skipped and noticed."""

    master: Path
    round_id: str
    out_dir: Path
    files: tuple[OwnerFile, ...]
    already_issued: tuple[str, ...]  # owners of this round issued before, not made again
    unowned: tuple[str, ...]  # codes of rows nobody is asked to fill in
    report: Report  # the master's validation (warnings and notes)
    backup: Path | None
    finished: tuple[Path, ...] = ()  # files of an interrupted run's recorded round, now published
    cleaned: tuple[Path, ...] = ()  # staging folders of interrupted, unrecorded runs, removed
    # issue 11, item 3: settings the options wrote in the master (name, value), and what
    # the owners were not told: "deadline_unset", "return_unset", "deadline_unreadable"
    stored: tuple[tuple[str, str], ...] = ()
    setting_notes: tuple[str, ...] = ()
    deadline: str = ""  # as the round's workbooks show them ("" when unset)
    return_address: str = ""


def generate(
    master: str | Path,
    out_dir: str | Path,
    *,
    round_id: str | None = None,
    owners: list[str] | None = None,
    workers: int | None = None,
    now: datetime | None = None,
    deadline: str | None = None,
    return_address: str | None = None,
) -> GenerateResult:
    """Make one protected owner workbook per owner (or per named owner) and record the round.

    A round is never issued twice to the same owner: owners already issued in ``round_id``
    are skipped and named; when all asked for are, RoundError says so. The master must
    validate without errors (MasterHasErrors carries the report otherwise). ``deadline``
    and ``return_address``, when given, are kept in the master's settings with the round
    ("" clears one); a deadline that is not a date is a RoundError naming it.
    """
    from .errors import MasterHasErrors, RoundError
    from .rounds import check_round_id, default_round_id
    from .xlsx.read import load_plan, refuse_owner_workbook, require_workbook
    from .xlsx.save import refuse_if_open, run_lock

    master = Path(master)
    out_dir = Path(out_dir)
    now = (now or datetime.now()).replace(microsecond=0)
    try:
        rid = check_round_id(round_id or default_round_id(now.date()))
    except ValueError:
        raise RoundError("round_invalid", round=round_id) from None
    given = _given_settings(deadline, return_address)
    require_workbook(master)
    refuse_if_open(master)
    # held from reading the rounds to recording the new ones: two runs cannot both issue
    with run_lock(master), _terminate_as_interrupt():
        loaded = load_plan(master)
        refuse_owner_workbook(master, loaded.sheet_names)
        report = validate_plan(loaded.plan, loaded.header)
        if not report.ok:
            raise MasterHasErrors(
                "master_has_errors", report, path=str(master), count=report.count(Severity.ERROR)
            )
        return _issue_round(
            master,
            out_dir,
            loaded=loaded,
            report=report,
            rid=rid,
            owners=owners,
            now=now,
            workers=workers,
            given=given,
        )


def deadline_text(value: str) -> str:
    """A deadline as the settings keep it: ``d.m.yyyy`` (``d.m.yyyy HH.MM`` with a time),
    from that form or ISO; ValueError when it is no date."""
    from .summary import parse_time

    text = value.strip()
    when = parse_time(text)
    if when is None or when.year < 1900:
        raise ValueError(value)
    day = f"{when.day}.{when.month}.{when.year}"
    timed = any(c in text for c in ": T") and (when.hour, when.minute) != (0, 0)
    return f"{day} {when.hour:02d}.{when.minute:02d}" if timed else day


def _given_settings(deadline: str | None, return_address: str | None) -> dict[str, object]:
    """The settings ``generate`` was given, as they are kept (None clears one)."""
    from .errors import RoundError
    from .xlsx.names import SETTING_DEADLINE, SETTING_RETURN_ADDRESS

    given: dict[str, object] = {}
    if deadline is not None:
        try:
            given[SETTING_DEADLINE] = deadline_text(deadline) if deadline.strip() else None
        except ValueError:
            raise RoundError("deadline_invalid", value=deadline) from None
    if return_address is not None:
        given[SETTING_RETURN_ADDRESS] = return_address.strip() or None
    return given


def _setting_notes(deadline: str, return_address: str) -> tuple[str, ...]:
    """What the owners of a round were not told: an unset or unreadable deadline, no
    return address."""
    from .summary import parse_deadline

    notes = []
    if not deadline:
        notes.append("deadline_unset")
    elif parse_deadline(deadline) is None:
        notes.append("deadline_unreadable")
    if not return_address:
        notes.append("return_unset")
    return tuple(notes)


def _issue_round(
    master: Path,
    out_dir: Path,
    *,
    loaded: LoadedPlan,
    report: Report,
    rid: str,
    owners: list[str] | None,
    now: datetime,
    workers: int | None,
    given: dict[str, object] | None = None,
) -> GenerateResult:
    from .errors import LayoutError, RoundError
    from .rounds import (
        MasterIdentity,
        RoundRecord,
        master_fingerprint,
        owner_file_names,
        parts_to_issue,
        unowned_rows,
    )
    from .xlsx.generate import recover_staging, write_owner_workbooks
    from .xlsx.master import setting_edits
    from .xlsx.names import (
        SETTING_DEADLINE,
        SETTING_NOTE,
        SETTING_PASSWORD,
        SETTING_RETURN_ADDRESS,
        SETTINGS_SHEET,
    )
    from .xlsx.owner import RoundInfo

    plan = loaded.plan
    loaded.require_tool_sheets()  # the rounds sheet is rewritten: no bad cell may be lost
    given = given or {}
    if given and SETTINGS_SHEET not in loaded.sheet_names:
        raise LayoutError("no_settings_sheet", path=str(master), sheet=SETTINGS_SHEET)
    # what an interrupted run left in the folder: publish its recorded files, remove the rest
    recovered = recover_staging(out_dir, master, loaded.identity, loaded.rounds)
    if recovered.kept:
        raise WriteError(
            "staging_blocked", dir=str(out_dir), folders=", ".join(p.name for p in recovered.kept)
        )
    try:
        parts, skipped = parts_to_issue(plan, loaded.rounds, rid, owners)
    except RoundError as exc:
        if exc.key != "round_issued" or not recovered.published:
            raise
        return GenerateResult(
            master=master,
            round_id=rid,
            out_dir=out_dir,
            files=(),
            already_issued=tuple(exc.params.get("owners", "").split(", ")),
            unowned=tuple(str(r.code) for r in unowned_rows(plan)),
            report=report,
            backup=None,
            finished=tuple(recovered.published),
            cleaned=tuple(recovered.removed),
        )
    taken = [r.file for r in loaded.rounds]
    names = owner_file_names(rid, [p.owner for p in parts], taken=taken)
    existing = [n for n in names.values() if (out_dir / n).exists()]
    if existing:
        raise RoundError("files_exist", dir=str(out_dir), files=", ".join(existing))
    identity = loaded.identity or MasterIdentity.new()
    info = RoundInfo(
        round_id=rid,
        created=now,
        scale=tuple(plan.scale.displays()),
        deadline=_chosen(given, loaded, SETTING_DEADLINE),
        return_address=_chosen(given, loaded, SETTING_RETURN_ADDRESS),
        password=loaded.setting(SETTING_PASSWORD),
        coordinator_note=loaded.setting(SETTING_NOTE),
    )
    fingerprint = master_fingerprint(plan)
    extras = [h for _, h in plan.extra_columns]
    made = write_owner_workbooks(
        parts, names, out_dir, info, identity, fingerprint, extras, workers=workers, master=master
    )
    records: list[RoundRecord] = []
    try:
        records = list(loaded.rounds) + [
            RoundRecord(
                rid,
                info.created.isoformat(timespec="seconds"),
                p.owner,
                names[p.owner],
                len(p.rows),
                p.own_count,
                fingerprint,
                signature,
                sha,
            )
            for p, signature, sha in made.signatures
        ]
        settings = setting_edits(loaded.setting_rows, given) if given else None
        backup, published = _record_and_publish(
            master, out_dir, identity, records, made, settings=settings
        )
    except KeyboardInterrupt:
        # interrupted before recording began, or while a failure was being handled: what
        # was staged goes unless the master on disk records it
        if not records or not _records_round(master, records):
            made.discard()
        raise
    if published.blocked:
        raise WriteError(
            "publish_blocked",
            dir=str(out_dir),
            staging=made.staging.name,
            files=", ".join(published.blocked),
        )
    files = tuple(
        OwnerFile(p.owner, published.paths[names[p.owner]], len(p.rows), p.own_count)
        for p, _, _ in made.signatures
    )
    return GenerateResult(
        master=master,
        round_id=rid,
        out_dir=out_dir,
        files=files,
        already_issued=skipped,
        unowned=tuple(str(r.code) for r in unowned_rows(plan)),
        report=report,
        backup=backup,
        finished=tuple(recovered.published),
        cleaned=tuple(recovered.removed),
        stored=tuple((name, "" if v is None else str(v)) for name, v in given.items()),
        setting_notes=_setting_notes(info.deadline, info.return_address),
        deadline=info.deadline,
        return_address=info.return_address,
    )


def _chosen(given: dict[str, object], loaded: LoadedPlan, name: str) -> str:
    """A setting for this round: as given to ``generate``, else as the master has it."""
    if name in given:
        value = given[name]
        return "" if value is None else str(value)
    return loaded.setting(name)


def _record_and_publish(
    master: Path,
    out_dir: Path,
    identity: MasterIdentity,
    records: list[RoundRecord],
    made: StagedRound,
    *,
    settings: dict[tuple[int, int], object] | None = None,
) -> tuple[Path | None, Published]:
    """Record the round in the master, then publish its staged workbooks. Whatever stops
    this leaves the master and the folder agreeing, or the next run makes them agree."""
    from .errors import SeurantaError
    from .xlsx.master import record_round

    try:
        # the settings only when there are some: the three-argument call stays as it was
        extra = {"settings": settings} if settings else {}
        backup = record_round(master, identity, records, **extra)
    except BaseException as exc:
        # the staged files go only while the master provably does not record them
        if not _records_round(master, records):
            made.discard()
            raise
        # replaced, then failed (syncing its folder) or interrupted: the round stands
        if isinstance(exc, KeyboardInterrupt):
            raise WriteError(
                "publish_interrupted", dir=str(out_dir), staging=made.staging.name
            ) from None
        if isinstance(exc, SeurantaError | OSError):
            detail = str(exc.params.get("detail", "")) if isinstance(exc, SeurantaError) else ""
            detail = detail or str(exc)
            raise WriteError(
                "publish_incomplete", dir=str(out_dir), staging=made.staging.name, detail=detail
            ) from None
        raise
    try:
        published = made.publish()
    except OSError as exc:
        raise WriteError(
            "publish_incomplete", dir=str(out_dir), staging=made.staging.name, detail=str(exc)
        ) from None
    except KeyboardInterrupt:
        raise WriteError(
            "publish_interrupted", dir=str(out_dir), staging=made.staging.name
        ) from None
    return backup, published


def _records_round(master: Path, records: list[RoundRecord]) -> bool:
    """Whether the master on disk holds ``records`` (after a save that did not finish:
    it may have replaced the file before failing). True when it cannot be told: the
    staged files are then kept, and the next run decides."""
    from .errors import SeurantaError
    from .xlsx.read import load_plan

    try:
        held = {(r.round_id, r.file, r.file_sha256) for r in load_plan(master).rounds}
    except SeurantaError:
        return True
    return all((r.round_id, r.file, r.file_sha256) in held for r in records)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt while a round is issued, so a terminated run
    cleans up as after Ctrl-C instead of stopping wherever it was."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
