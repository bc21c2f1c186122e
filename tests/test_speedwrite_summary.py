"""The summary's faster figures equal the earlier ones: the roll-up worked on codes' parts,
the risks ordered by the codes themselves, the council report's order and texts (hypothesis
and the sample, against the earlier implementations kept here)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from seuranta_xl import api
from seuranta_xl.model import Code, Plan, Row, cell_text, format_number
from seuranta_xl.summary import (
    ReportLine,
    RiskLine,
    _mean_half_down,
    _report_line,
    _text,
    report_lines,
    rollup,
    summarize,
)
from seuranta_xl.xlsx.read import load_plan


def _old_rollup(plan: Plan) -> dict[Code, int]:
    own: dict[Code, int] = {
        r.code: r.status.value
        for r in plan.rows
        if r.code is not None and r.status.value is not None
    }
    children: dict[Code, list[Code]] = {}
    for r in plan.rows:
        if r.code is not None and r.code.parent is not None:
            children.setdefault(r.code.parent, []).append(r.code)
    suggested: dict[Code, int] = {}
    for code in sorted(children, key=lambda c: -c.level):
        values = [own.get(c, suggested.get(c)) for c in children[code]]
        known = [v for v in values if v is not None]
        if known:
            suggested[code] = _mean_half_down(known)
    return suggested


def _old_report_lines(plan: Plan) -> list[ReportLine]:
    coded = [(r.code, i) for i, r in enumerate(plan.rows) if r.code is not None]
    order = [i for _, i in sorted(coded)]
    order += [i for i, r in enumerate(plan.rows) if r.code is None]
    return [_report_line(plan, plan.rows[i], {}) for i in order]


def _old_risks(plan: Plan) -> list[RiskLine]:
    return sorted(
        (
            RiskLine(str(r.code), r.title, r.risks.strip(), r.status.value, r.owner)
            for r in plan.rows
            if r.code is not None and r.risks.strip()
        ),
        key=lambda x: (x.status if x.status is not None else 99, Code.parse(x.code)),
    )


parts = st.lists(st.integers(0, 120), min_size=1, max_size=4).map(tuple)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), parts), st.one_of(st.none(), st.integers(1, 5)))))
def test_rollup_as_before(rows: list[tuple[tuple[int, ...] | None, int | None]]) -> None:
    plan = SimpleNamespace(
        rows=[
            SimpleNamespace(
                code=None if p is None else Code(p), status=SimpleNamespace(value=value)
            )
            for p, value in rows
        ]
    )
    new = rollup(plan)  # type: ignore[arg-type]
    old = _old_rollup(plan)  # type: ignore[arg-type]
    assert list(new.items()) == list(old.items())


@settings(max_examples=300, deadline=None)
@given(parts)
def test_a_code_text_parses_back_to_the_code(p: tuple[int, ...]) -> None:
    """The risks are ordered by the code itself where they were by its text parsed."""
    assert Code.parse(str(Code(p))) == Code(p)


@given(st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none()))
def test_cell_text_as_before(value: object) -> None:
    if value is None:
        old = ""
    elif isinstance(value, bool):
        old = "TRUE" if value else "FALSE"
    elif isinstance(value, int | float):
        old = format_number(value)
    else:
        old = str(value)
    assert cell_text(value) == old


def _plans(tmp_path: Path, sample_path: Path) -> list[Plan]:
    from seuranta_xl import init_master

    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    synthetic = tmp_path / "synthetic.xlsx"
    api.synthetic_master(synthetic, owners=30, rows_per_owner=12, force=True)
    return [load_plan(master).plan, load_plan(synthetic).plan]


def test_report_and_risks_as_before(tmp_path: Path, sample_path: Path) -> None:
    for plan in _plans(tmp_path, sample_path):
        assert report_lines(plan) == _old_report_lines(plan)
        assert summarize(plan).risks == _old_risks(plan)
        assert summarize(plan).risks  # the comparison is not of empty lists


def test_report_line_texts(tmp_path: Path, sample_path: Path) -> None:
    """Each line's status text is the scale's display of the step, or the cell as written."""
    for plan in _plans(tmp_path, sample_path):
        by_row: dict[int, Row] = {r.sheet_row: r for r in plan.rows}
        for line in report_lines(plan):
            row = by_row[line.sheet_row]
            if row.status.value is not None:
                assert line.status_text == plan.scale.display(row.status.value)
            elif not row.status.is_empty:
                assert line.status_text == _text(row.status.raw).strip()


def test_summarize_leaves_the_collector_as_it_found_it(tmp_path: Path, sample_path: Path) -> None:
    import gc

    plan = _plans(tmp_path, sample_path)[0]
    assert gc.isenabled()
    summarize(plan)
    assert gc.isenabled()
    gc.disable()
    try:
        summarize(plan)
        assert not gc.isenabled()
    finally:
        gc.enable()
