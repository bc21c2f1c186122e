"""The operations, as library calls: the CLI and the Excel layer both call these."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .findings import Report
from .model import Plan
from .rules import validate_plan


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

    loaded = load_plan(path)
    return ValidationResult(loaded.path, loaded.plan, validate_plan(loaded.plan, loaded.header))


def mark(result: ValidationResult, lang: str = "fi") -> Path | None:
    """Write a validation's findings into the workbook it came from: a findings sheet with
    links to the cells, and highlighted cells. Returns the backup made."""
    from .xlsx.master import mark_findings

    return mark_findings(result.path, result.report, result.plan.sheet, lang)


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


def demo_source() -> Path:
    """The bundled sample: one owner's part of a real 2021 follow-up, as copied out of Excel."""
    from importlib import resources

    return Path(str(resources.files("seuranta_xl").joinpath("data", "sample_2021.tsv")))
