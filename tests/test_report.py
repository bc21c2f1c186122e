"""Summary sheets in the master and in a standalone workbook."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from seuranta_xl.api import summary
from seuranta_xl.model import Field
from seuranta_xl.summary import rollup
from seuranta_xl.xlsx.read import load_plan

from .conftest import run_cli
from .workbook_parts import describe

NOW = datetime(2021, 5, 3, 12, 0)
SUMMARY = ["Yhteenveto", "Palautustilanne", "Riskit", "Muutokset", "Valtuustoraportti"]


def _goal_table(ws):
    """The overview's goal table: (header row, first data row) found by its header."""
    header = next(r for r in range(1, 40) if ws.cell(row=r, column=1).value == "Tavoite")
    return header, header + 1


def _without(d, *names):
    return {k: v for k, v in d.items() if k not in names}


def test_summary_sheets_replace_only_themselves(merged, tmp_path):
    before = describe(merged)
    summary(merged, now=NOW)
    first = describe(merged)
    assert first["sheets"][:6] == ["Seuranta", *SUMMARY]
    for name in before["sheets"]:
        assert first[name] == before[name], (
            name
        )  # the data sheet and the tool's sheets as they were
    # the names the coordinator's workbook had are as they were; the summary sheets are
    # marked as the tool's own
    assert {
        k: v for k, v in first["defined_names"].items() if not k.startswith("seuranta_xl_")
    } == before["defined_names"]
    assert {k: v for k, v in first["defined_names"].items() if k.startswith("seuranta_xl_")} == {
        "seuranta_xl_overview": "'Yhteenveto'!$A$1",
        "seuranta_xl_returns": "'Palautustilanne'!$A$1",
        "seuranta_xl_risks": "'Riskit'!$A$1",
        "seuranta_xl_movement": "'Muutokset'!$A$1",
        "seuranta_xl_council": "'Valtuustoraportti'!$A$1",
    }
    summary(merged, now=NOW)
    second = describe(merged)
    assert second == first  # rebuilding gives the same content


def test_the_chart_points_at_the_goal_rows(merged):
    summary(merged, now=NOW)
    goals = [r for r in load_plan(merged).plan.rows if r.level == 1]
    ws = load_workbook(merged)["Yhteenveto"]
    header, first = _goal_table(ws)
    last = header + len(goals)
    with zipfile.ZipFile(merged) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = zf.read(charts[0]).decode()
    refs = re.findall(r"<(?:c:)?f>([^<]*)</(?:c:)?f>", xml)
    assert f"'Yhteenveto'!$A${first}:$A${last}" in refs  # categories: the goal codes
    values = [r for r in refs if r.endswith(f"${last}") and "$A$" not in r]
    # statuses 1-5 and none, each a series
    assert values == [f"'Yhteenveto'!${c}${first}:${c}${last}" for c in "CDEFGH"]
    assert re.search(r'<(c:)?grouping val="stacked"', xml)
    assert re.search(r'<(c:)?orientation val="maxMin"', xml)  # goals top down in code order
    assert "<strRef>" in xml or "<c:strRef>" in xml  # the codes are text
    assert re.search(r"<(c:)?title>", xml) and re.search(r"<(c:)?legend>", xml)
    assert [ws.cell(row=r, column=1).value for r in range(first, last + 1)] == [
        str(g.code) for g in goals
    ]
    assert ws.cell(row=last + 1, column=2).value == "Kaikki tavoitteet"
    assert ws.cell(row=last + 1, column=9).value == 52  # the total of the totals row


def test_standalone_summary_is_plain(merged, tmp_path):
    result = summary(merged, out=tmp_path / "yhteenveto.xlsx", now=NOW)
    wb = load_workbook(result.standalone)
    assert wb.sheetnames == SUMMARY
    assert all(ws.sheet_state == "visible" for ws in wb.worksheets)
    with zipfile.ZipFile(result.standalone) as zf:
        names = zf.namelist()
    assert not [n for n in names if "vbaProject" in n]
    master = load_workbook(merged)
    for name in SUMMARY:
        a = [[c.value for c in row] for row in wb[name].iter_rows()]
        b = [[c.value for c in row] for row in master[name].iter_rows()]
        assert a == b
    _, first = _goal_table(wb["Yhteenveto"])
    assert wb["Yhteenveto"].cell(row=first, column=10).number_format == "0 %"


def test_english_and_the_rollup_written_only_when_asked(merged, tmp_path):
    before = {r.sheet_row: r.text(Field.OVERALL) for r in load_plan(merged).plan.rows}
    out = run_cli("summary", str(merged), "--lang", "en")
    assert out.returncode == 0 and "Summary rebuilt" in out.stdout
    wb = load_workbook(merged)
    assert "Overview" in wb.sheetnames and "Yhteenveto" not in wb.sheetnames
    assert {r.sheet_row: r.text(Field.OVERALL) for r in load_plan(merged).plan.rows} == before
    out = run_cli("summary", str(merged), "--write-rollup")
    assert out.returncode == 0
    plan = load_plan(merged).plan
    suggested = rollup(plan)
    for row in plan.rows:
        if row.code in suggested:
            assert row.text(Field.OVERALL) == plan.scale.display(suggested[row.code])
        else:
            assert row.text(Field.OVERALL) == before[row.sheet_row]


def test_summary_pdf_from_libreoffice(merged, tmp_path, libreoffice):
    from .conftest import soffice_convert

    result = summary(merged, out=tmp_path / "yhteenveto.xlsx", now=NOW)
    pdf = soffice_convert(result.standalone, tmp_path / "pdf", "pdf")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    goals = sum(1 for r in load_plan(merged).plan.rows if r.level == 1)
    # the council's report a goal a page, the other sheets a page or a few each: nothing
    # spills over dozens of pages
    assert goals + 4 <= pages <= goals + 12


def test_the_overview_sheet_holds_the_figures_pandas_computes(merged):
    from .test_summary import _frame

    summary(merged, now=NOW)
    df = _frame(merged)
    rows = df[df["level"].isin([2, 3])]
    ws = load_workbook(merged)["Yhteenveto"]
    _, first = _goal_table(ws)
    r = first
    while ws.cell(row=r, column=2).value != "Kaikki tavoitteet":
        code = ws.cell(row=r, column=1).value
        sub = rows[rows["goal"] == code]
        counts = [ws.cell(row=r, column=c).value for c in range(3, 9)]
        assert counts == [int((sub["value"] == v).sum()) for v in (1, 2, 3, 4, 5, 0)], code
        assert ws.cell(row=r, column=9).value == len(sub)
        shares = [ws.cell(row=r, column=c).value for c in range(10, 16)]
        if len(sub):
            assert shares == pytest.approx([n / len(sub) for n in counts]), code
        else:
            assert shares == [None] * 6, code  # no rows: no shares, rather than 0 %
        r += 1
    assert r - first == int((df["level"] == 1).sum())


def test_marking_findings_keeps_the_summary_and_its_chart(merged):
    from seuranta_xl import mark, validate

    summary(merged, now=NOW)
    mark(validate(merged))
    wb = load_workbook(merged)
    assert wb.sheetnames[0] == "Havainnot"
    assert [n for n in wb.sheetnames if n in SUMMARY] == SUMMARY
    with zipfile.ZipFile(merged) as zf:
        assert [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
    summary(merged, now=NOW)  # and the summary can still be rebuilt after marking
    assert load_workbook(merged).sheetnames[:7] == ["Havainnot", "Seuranta", *SUMMARY]
