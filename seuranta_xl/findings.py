"""Findings: problems collected as data, each with a stable rule id and a cell to jump to."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .model import CellRef


class Severity(StrEnum):
    """How much a finding matters. Errors make ``validate`` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


_ADDRESS_RE = re.compile(r"^[A-Z]{1,3}(\d+)$")


@dataclass(frozen=True)
class Finding:
    """One problem at one place.

    ``params`` fill the rule's message template, so the message can be told in Finnish or
    English (see ``texts.RULES``).
    """

    rule: str
    severity: Severity
    sheet: str
    cell: str  # A1 address, e.g. "F12"
    code: str = ""  # the row's hierarchy code as written, when it has one
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def at(
        cls, rule: str, severity: Severity, ref: CellRef, code: str = "", **params: Any
    ) -> Finding:
        return cls(rule, severity, ref.sheet, ref.address, code, params)

    @property
    def row(self) -> int | None:
        m = _ADDRESS_RE.match(self.cell)
        return int(m.group(1)) if m else None

    @property
    def column(self) -> str:
        return self.cell.rstrip("0123456789")

    def message(self, lang: str = "fi") -> str:
        from .texts import finding_text

        return finding_text(self.rule, lang, **{"code": self.code, **self.params})

    def to_dict(self, lang: str = "fi") -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "code": self.code,
            "message": self.message(lang),
        }


@dataclass
class Report:
    """The findings of one operation, in the order found."""

    findings: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and notes are allowed)."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def by_rule(self, rule: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule]

    def sorted(self) -> list[Finding]:
        """By severity, then sheet order (row, column)."""
        return sorted(
            self.findings,
            key=lambda f: (f.severity.rank, f.sheet, f.row or 0, len(f.column), f.column, f.rule),
        )

    def grouped(self) -> list[tuple[str, Severity, list[Finding]]]:
        """Findings grouped by rule, most severe rules first, each group in sheet order."""
        groups: dict[str, list[Finding]] = {}
        for f in self.sorted():
            groups.setdefault(f.rule, []).append(f)
        return [(rule, fs[0].severity, fs) for rule, fs in groups.items()]

    def to_dict(self, lang: str = "fi") -> dict[str, Any]:
        return {"ok": self.ok, "findings": [f.to_dict(lang) for f in self.sorted()]}
