"""The summary sheets as ``SheetSpec``s (interim: the earlier openpyxl layouts' content,
drawn as data; the summary layouts of issue 10 replace this module)."""

from __future__ import annotations

from ..model import Code
from ..summary import NO_STATUS, Distribution, Summary
from .names import SUMMARY_SHEETS
from .report import HEADER_FILL, STATUS_COLORS, TOTAL_FILL, Meta, t
from .sheetspec import BarChart, Look, Series, SheetSpec
from .template import row_height

TITLE = Look(bold=True, size=14)
META = Look(italic=True, color="595959", valign="bottom")
HEAD = Look(
    bold=True, color="FFFFFF", fill=HEADER_FILL, border=True, wrap=True, halign="center",
    valign="center",
)  # fmt: skip
BODY = Look(border=True, wrap=True)
TOTAL = Look(bold=True, fill=TOTAL_FILL, border=True, wrap=True)
PCT = "0.0 %"


def summary_sheets(summary: Summary, meta: Meta) -> list[SheetSpec]:
    """The summary sheets, in the order they stand in the workbook."""
    return [
        _overview(summary, meta),
        _returns(summary, meta),
        _risks(summary, meta),
        _movement(summary, meta),
    ]


def _spec(kind: str, meta: Meta) -> SheetSpec:
    return SheetSpec(kind=kind, name=SUMMARY_SHEETS[kind][1 if meta.lang == "en" else 0])


def _heading(spec: SheetSpec, title: str, s: Summary, meta: Meta) -> None:
    spec.put(1, 1, title, TITLE)
    text = t("meta", meta.lang).format(
        round=s.round_id or "–",
        source=meta.source,
        time=meta.generated.strftime("%d.%m.%Y %H:%M"),
    )
    spec.put(2, 1, text, META)


def _table(
    spec: SheetSpec,
    top: int,
    header: list[str],
    rows: list[list[object]],
    *,
    total: list[object] | None = None,
    pct_from: int | None = None,
    wrap: bool = True,
    lang: str = "fi",
) -> int:
    spec.heights[top] = 30
    spec.put_row(top, list(header), HEAD)
    body = [*rows, total] if total is not None else rows
    for r, values in enumerate(body, start=top + 1):
        last = total is not None and r == top + len(body)
        for c, value in enumerate(values, start=1):
            look = TOTAL if last else BODY
            if pct_from is not None and c >= pct_from and isinstance(value, float):
                look = Look(**{**look.__dict__, "number_format": PCT})
            if not wrap and c == 2:
                look = Look(**{**look.__dict__, "wrap": False})
            spec.put(r, c, value, look)  # type: ignore[arg-type]
    if not body:
        spec.put(top + 1, 1, t("nothing", lang))
    return top + 1 + max(len(body), 1)


def _finish(spec: SheetSpec, header_row: int, widths: list[float], titles: bool = True) -> None:
    spec.freeze_row = header_row
    spec.widths = dict(enumerate(widths, start=1))
    by_row: dict[int, list[tuple[str, float, bool]]] = {}
    for (r, c), cell in spec.cells.items():
        if r > header_row and c <= len(widths) and isinstance(cell.value, str) and cell.look.wrap:
            by_row.setdefault(r, []).append((cell.value, widths[c - 1], False))
    for r, texts in by_row.items():
        height = row_height(texts)
        if height:
            spec.heights[r] = height
    if titles:
        spec.title_rows = (header_row, header_row)


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _dist_cells(d: Distribution) -> list[object]:
    counts: list[object] = [d.count(k) for k in d.keys]
    shares: list[object] = [round(d.share(k), 4) for k in d.keys]
    return [*counts, d.total, *shares]


def _overview(s: Summary, meta: Meta) -> SheetSpec:
    lang = meta.lang
    spec = _spec("overview", meta)
    _heading(spec, t("title", lang), s, meta)
    spec.put(3, 1, t("counted", lang), META)
    keys = s.overall.keys
    labels = [str(k) if k != NO_STATUS else t("none", lang) for k in keys]
    shares = [f"{x} %" for x in labels]
    header = [t("code", lang), t("goal", lang), *labels, t("total", lang), *shares]
    header.append(t("suggested", lang))
    rows = [
        [
            g.code,
            _short(g.title),
            *_dist_cells(g.dist),
            g.suggested if g.suggested is not None else "",
        ]
        for g in s.goals
    ]
    top = 5
    pct_from = len(keys) + 4
    total = ["", t("all", lang), *_dist_cells(s.overall), ""]
    after = _table(spec, top, header, rows, total=total, pct_from=pct_from, wrap=False, lang=lang)
    owner_header = ["", t("owner", lang), *labels, t("total", lang), *shares, t("returned", lang)]
    owner_rows = [
        ["", o.owner, *_dist_cells(o.dist), t("yes" if o.returned else "no", lang)]
        for o in s.owners
    ]
    end = _table(
        spec, after + 1, owner_header, owner_rows, pct_from=pct_from, wrap=False, lang=lang
    )
    widths = [8, 52] + [7] * len(keys) + [9] + [8] * len(keys) + [11]
    _finish(spec, top, widths, titles=False)
    if s.goals:
        first, last = top + 1, top + len(s.goals)
        spec.chart = BarChart(
            title=t("chart", lang),
            category_title=t("goal", lang),
            value_title=t("rows", lang),
            category_column=1,
            first_row=first,
            last_row=last,
            series=tuple(
                Series(labels[i], 3 + i, STATUS_COLORS[i % len(STATUS_COLORS)])
                for i in range(len(keys))
            ),
            anchor_col=2,
            anchor_row=end + 1,
            to_col=2 + len(keys) + 6,
            to_row=end + 1 + max(15, len(s.goals) + 8),
        )
    return spec


def _returns(s: Summary, meta: Meta) -> SheetSpec:
    lang = meta.lang
    spec = _spec("returns", meta)
    _heading(spec, t("returns_title", lang), s, meta)
    keys = ("owner", "issued_file", "returned", "when", "file", "applied", "conflicts", "rejected")
    header = [t(k, lang) for k in keys]
    rows = [
        [
            r.owner,
            r.issued_file,
            t("yes" if r.received else "no", lang),
            r.when,
            r.file,
            r.applied,
            r.conflicts,
            r.rejected,
        ]
        for r in s.returns
    ]
    received = sum(1 for r in s.returns if r.received)
    total = [
        t("total", lang),
        "",
        f"{received} / {len(s.returns)}",
        "",
        "",
        sum(r.applied for r in s.returns),
        sum(r.conflicts for r in s.returns),
        sum(r.rejected for r in s.returns),
    ]
    _table(spec, 4, header, rows, total=total, lang=lang)
    _finish(spec, 4, [30, 44, 11, 20, 40, 11, 14, 14])
    return spec


def _risks(s: Summary, meta: Meta) -> SheetSpec:
    lang = meta.lang
    spec = _spec("risks", meta)
    _heading(spec, t("risks_title", lang), s, meta)
    header = [t(k, lang) for k in ("code", "title_col", "risks", "status", "owner")]
    rows = [
        [r.code, r.title, r.risks, r.status if r.status is not None else "", r.owner]
        for r in s.risks
    ]
    _table(spec, 4, header, rows, lang=lang)
    _finish(spec, 4, [10, 50, 70, 15, 24])
    return spec


def _movement(s: Summary, meta: Meta) -> SheetSpec:
    lang = meta.lang
    spec = _spec("movement", meta)
    _heading(spec, t("movement_title", lang), s, meta)
    header = [t(k, lang) for k in ("code", "change", "old", "new", "owner")]
    moves = sorted(s.movements, key=lambda m: (Code.parse(m.code), m.field))
    rows = [[m.code, t(m.kind, lang), m.old, m.new, m.owner] for m in moves]
    _table(spec, 4, header, rows, lang=lang)
    _finish(spec, 4, [10, 24, 55, 55, 24])
    return spec
