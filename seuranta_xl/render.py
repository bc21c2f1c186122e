"""Findings as a readable report for a terminal or a message box."""

from __future__ import annotations

from .findings import Report, Severity
from .texts import fill, rule_title, severity_name

_SUMMARY = {
    "fi": "{errors:virhe|virhettä}, {warnings:varoitus|varoitusta}, {infos:huomautus|huomautusta}.",
    "en": "{errors:error|errors}, {warnings:warning|warnings}, {infos:note|notes}.",
}
_MORE = {"fi": "… ja {n:muu|muuta}", "en": "… and {n:more|more}"}


def summary_line(report: Report, lang: str = "fi") -> str:
    return fill(
        _SUMMARY["en" if lang == "en" else "fi"],
        lang,
        errors=report.count(Severity.ERROR),
        warnings=report.count(Severity.WARNING),
        infos=report.count(Severity.INFO),
    )


def render_report(
    report: Report, lang: str = "fi", limit: int | None = None
) -> list[tuple[str, Severity | None]]:
    """The report as lines, grouped by rule (most severe first), each line with the
    severity to colour it by. ``limit`` caps the lines shown per rule."""
    lines: list[tuple[str, Severity | None]] = [(summary_line(report, lang), None)]
    for rule, severity, findings in report.grouped():
        lines.append(("", None))
        name = severity_name(severity.value, lang)
        head = f"{name}  {rule_title(rule, lang)} ({len(findings)})"  # no rule id: --json has it
        lines.append((head, severity))
        shown = findings if limit is None else findings[:limit]
        for f in shown:
            where = f"{f.sheet}!{f.cell}"
            code = f" {f.code}" if f.code else ""
            lines.append((f"  {where}{code}: {f.message(lang)}", None))
        if len(shown) < len(findings):
            lines.append(
                (
                    "  "
                    + fill(
                        _MORE["en" if lang == "en" else "fi"], lang, n=len(findings) - len(shown)
                    ),
                    None,
                )
            )
    return lines
