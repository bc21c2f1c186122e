"""The bundled sample, end to end through the library: import, then validate."""

from __future__ import annotations

from collections import Counter

import pytest
from openpyxl import load_workbook

from seuranta_xl import Severity, init_master, validate

from .conftest import SAMPLE_GOALS_WITHOUT_OWNER, sample_records


@pytest.fixture(scope="module")
def imported(tmp_path_factory, sample_path):
    target = tmp_path_factory.mktemp("sample") / "seuranta.xlsx"
    return init_master(sample_path, target)


def test_master_holds_all_67_rows_equal_to_the_source(imported):
    records = sample_records()
    assert len(records) == 67
    ws = load_workbook(imported.master)["Seuranta"]
    assert ws.max_row == 68
    for r, (_, cells) in enumerate(records, start=2):
        got = [ws.cell(row=r, column=c).value for c in range(1, 9)]
        assert got == [v if v != "" else None for v in cells], f"master row {r}"
        for c in range(1, 9):
            assert ws.cell(row=r, column=c).data_type in ("s", "n")


def test_level_counts_and_owners(imported):
    assert imported.plan.count_by_level() == {1: 15, 2: 31, 3: 21}
    owners = Counter(r.owner for r in imported.plan.rows)
    assert owners == {"Kansliapäällikkö": 52, "Pormestari": 1, "": 14}


def _cells(report, rule):
    return [f.cell for f in report.by_rule(rule)]


def test_source_findings_are_the_samples_real_blemishes(imported):
    report = imported.report
    assert report.ok, [f.to_dict() for f in report if f.severity is Severity.ERROR]
    counts = Counter(f.rule for f in report)
    assert counts == {
        "status.label": 1,
        "status.missing": 8,
        "owner.missing": 14,
        "row.blank": 4,
        "header.blank_commentary": 1,
    }
    # the second spelling of status 4 ("viimeistely" for "viimeistelty"), on line 5
    assert _cells(report, "status.label") == ["F5"]
    assert _cells(report, "row.blank") == ["A16", "A30", "A46", "A64"]
    assert _cells(report, "status.missing") == [
        "F8",
        "F9",
        "F58",
        "F59",
        "F60",
        "F61",
        "F62",
        "F63",
    ]
    assert all(f.severity is Severity.INFO for f in report.by_rule("owner.missing"))
    assert [f.code for f in report.by_rule("owner.missing")] == list(SAMPLE_GOALS_WITHOUT_OWNER)
    assert {f.sheet for f in report} == {"sample_2021.tsv"}


def test_validating_the_master_reports_the_same_at_master_cells(imported):
    result = validate(imported.master)
    assert result.ok
    assert len(result.plan.rows) == 67
    counts = Counter(f.rule for f in result.report)
    assert counts == {"status.label": 1, "status.missing": 8, "owner.missing": 14}
    assert _cells(result.report, "status.label") == ["F3"]
    label = result.report.by_rule("status.label")[0]
    assert label.code == "01.01"
    assert "viimeistely/" in label.message() and "viimeistelty/" in label.message()
    assert {f.sheet for f in result.report} == {"Seuranta"}


def test_master_values_read_back_equal_through_the_fast_reader(imported, sample_path):
    from seuranta_xl.xlsx.read import load_plan

    source = load_plan(sample_path).plan
    master = load_plan(imported.master).plan
    assert [r.values for r in master.rows] == [r.values for r in source.rows]


def test_row_knows_its_fields_and_where_they_came_from(imported):
    row = imported.plan.rows[1]  # 01.01
    assert str(row.code) == "01.01" and row.level == 2
    assert row.title.startswith("Viemme käytäntöön poliittisen")
    assert row.owner == "Kansliapäällikkö"
    assert row.risks.startswith("Uudistuksen toisen vaiheet")
    assert row.overall == ""
    assert row.status.value == 4
    assert row.commentary.startswith("Poliittisen johtamisjärjestelmän")
    from seuranta_xl import Field

    assert str(row.cells[Field.STATUS]) == "sample_2021.tsv!F5"
    assert str(row.cells[Field.COMMENTARY]) == "sample_2021.tsv!G5"
