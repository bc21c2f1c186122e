"""``validate --mark``: a findings sheet linked to the cells, highlights, nothing else changed."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from seuranta_xl import WriteError, init_master, mark, validate
from seuranta_xl.xlsx.master import MARK_FORMULA

from .conftest import run_cli, write_xlsx
from .test_rules import EXPECTED, PLANTED
from .workbook_parts import describe


@pytest.fixture
def planted_master(tmp_path):
    source = write_xlsx(tmp_path / "planted.xlsx", PLANTED)
    return init_master(source, tmp_path / "master.xlsx").master


def _without(d, *keys):
    return {k: v for k, v in d.items() if k not in keys}


def test_mark_adds_linked_findings_and_highlights_only(planted_master):
    before = describe(planted_master)
    result = validate(planted_master)
    backup = mark(result)
    assert backup is not None and backup.exists()
    after = describe(planted_master)
    assert after["sheets"] == ["Havainnot", *before["sheets"]]
    # the data sheet and settings are as they were, but for the highlight rules
    assert _without(after["Seuranta"], "conditional") == _without(before["Seuranta"], "conditional")
    assert after["Asetukset"] == before["Asetukset"]
    # the workbook's names as they were, and the findings sheet marked as the tool's own
    assert after["defined_names"] == {
        **before["defined_names"],
        "seuranta_xl_findings": "'Havainnot'!$A$1",
    }
    marked = {
        c
        for sqref, rules in after["Seuranta"]["conditional"]
        for c in sqref.split()
        if rules == [[MARK_FORMULA]]
    }
    assert {cell for _, cell, _ in EXPECTED} <= marked

    ws = load_workbook(planted_master)["Havainnot"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(result.report.findings)
    links = {
        ws.cell(row=r, column=4).value: ws.cell(row=r, column=4).hyperlink.location
        for r in range(2, ws.max_row + 1)
    }
    assert links["Seuranta!F8"] == "'Seuranta'!F8"
    assert rows[0][0] == "VIRHE"


def test_mark_again_replaces_and_clears_when_fixed(planted_master):
    mark(validate(planted_master))
    first = describe(planted_master)
    mark(validate(planted_master))
    assert describe(planted_master) == first
    # fix everything: the sheet and the highlights go away
    wb = load_workbook(planted_master)
    ws = wb["Seuranta"]
    for r in range(4, 12):
        for c in range(1, 9):
            ws.cell(row=r, column=c).value = None
    wb.save(planted_master)
    mark(validate(planted_master))
    final = describe(planted_master)
    assert "Havainnot" not in final["sheets"]
    assert all(rules != [[MARK_FORMULA]] for _, rules in final["Seuranta"]["conditional"])


def test_mark_refuses_a_workbook_open_elsewhere(planted_master):
    lock = planted_master.with_name("~$" + planted_master.name)
    lock.write_bytes(b"owner")
    before = planted_master.read_bytes()
    with pytest.raises(WriteError) as err:
        mark(validate(planted_master))
    assert err.value.key == "open_elsewhere"
    assert planted_master.read_bytes() == before
    out = run_cli("validate", str(planted_master), "--mark")
    assert out.returncode == 2 and "auki toisessa ohjelmassa" in out.stderr


def test_mark_keeps_a_chart(tmp_path):
    """Issue 10: --mark writes in place; a workbook with a chart is no longer refused and
    the chart's parts come through byte for byte."""
    import zipfile

    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    from .conftest import HEADERS

    wb = Workbook()
    ws = wb.active
    ws.title = "Seuranta"
    ws.append(HEADERS)
    ws.append(["01. A", "", "", "", "", "7", "", "X"])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=6, min_row=1, max_row=2))
    ws.add_chart(chart, "J2")
    path = tmp_path / "chart.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        before = {n: zf.read(n) for n in zf.namelist() if n.startswith(("xl/charts", "xl/draw"))}
    mark(validate(path))
    with zipfile.ZipFile(path) as zf:
        assert before and all(zf.read(n) == data for n, data in before.items())


def test_cli_mark_in_english(planted_master):
    out = run_cli("validate", str(planted_master), "--mark", "--lang", "en")
    assert out.returncode == 1
    assert "Findings marked" in out.stdout
    assert load_workbook(planted_master).sheetnames[0] == "Findings"
