"""Issue 8, items 3, 4, 19, 25: ``summary`` and ``validate --mark`` replace only the sheets
they made, never write over the master or a follow-up sheet, and write into masters only."""

from __future__ import annotations

import os
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from seuranta_xl import init_master
from seuranta_xl.api import summary
from seuranta_xl.xlsx.marks import marked_in_zip
from seuranta_xl.xlsx.read import load_plan

from .conftest import lo_edit, run_cli, sample_converted, write_xlsx
from .test_rules import PLANTED

NOW = datetime(2021, 5, 3, 12, 0)
TOOL_NAMES = ["Riskit", "Overview", "Muutokset", "Yhteenveto", "Palautustilanne"]


def _add_own_sheets(path, names):
    """The coordinator's own sheets, each with a note of its own in A1 and B7."""
    wb = load_workbook(path)
    for name in names:
        ws = wb.create_sheet(name)
        ws["A1"] = f"Koordinaattorin oma {name}"
        ws["B7"] = 42
    wb.save(path)


def _own_cells(path, names):
    wb = load_workbook(path)
    return {n: (wb[n]["A1"].value, wb[n]["B7"].value, wb[n].max_row) for n in names}


def _grid(path, sheet):
    ws = load_workbook(path)[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()]


# --------------------------------------------------------------------------- item 3


def test_coordinators_sheets_with_the_tools_names_are_never_replaced(merged):
    _add_own_sheets(merged, TOOL_NAMES)
    expected = _own_cells(merged, TOOL_NAMES)
    out = run_cli("summary", str(merged))
    assert out.returncode == 0, out.stderr
    wb = load_workbook(merged)
    assert _own_cells(merged, TOOL_NAMES) == expected
    tool = {"Yhteenveto (seuranta)", "Palautustilanne (seuranta)", "Riskit (seuranta)"}
    tool |= {"Muutokset (seuranta)", "Valtuustoraportti"}
    assert tool <= set(wb.sheetnames)
    assert set(marked_in_zip(merged)) == tool
    assert "Välilehti Riskit on jo käytössä" in out.stdout
    assert "Riskit (seuranta)" in out.stdout
    risks = wb["Riskit (seuranta)"]
    assert risks["A1"].value == "Riskit, heikoin etenemisaste ensin"
    count = len(wb.sheetnames)

    # again: the tool's sheets are replaced, the coordinator's stay, nothing is added
    out = run_cli("summary", str(merged), "--lang", "en")
    assert out.returncode == 0, out.stderr
    wb = load_workbook(merged)
    assert _own_cells(merged, TOOL_NAMES) == expected
    assert len(wb.sheetnames) == count
    assert set(marked_in_zip(merged)) == {
        "Overview (seuranta)",
        "Returns status",
        "Risks",
        "Movement",
        "Council report",
    }
    assert "The sheet Overview is taken" in out.stdout


def test_mark_leaves_a_coordinators_findings_sheet(tmp_path):
    source = write_xlsx(tmp_path / "planted.xlsx", PLANTED)
    master = init_master(source, tmp_path / "master.xlsx").master
    _add_own_sheets(master, ["Havainnot", "Findings"])
    expected = _own_cells(master, ["Havainnot", "Findings"])
    out = run_cli("validate", str(master), "--mark")
    assert out.returncode == 1, out.stderr
    assert "Havainnot (seuranta)" in out.stdout and "Välilehti Havainnot" in out.stdout
    out = run_cli("validate", str(master), "--mark", "--lang", "en")
    assert "Findings (seuranta)" in out.stdout
    wb = load_workbook(master)
    assert _own_cells(master, ["Havainnot", "Findings"]) == expected
    assert wb.sheetnames[0] == "Findings (seuranta)"
    assert "Havainnot (seuranta)" not in wb.sheetnames  # the tool's earlier one went
    assert marked_in_zip(master) == {"Findings (seuranta)": "findings"}
    # the plan is still read from the data sheet, not from the coordinator's sheets
    assert load_plan(master).plan.sheet == "Seuranta"


def test_a_follow_up_sheet_called_like_a_tool_sheet_is_read(tmp_path):
    from .conftest import sample_records

    rows = [["Valtuustokauden tavoite", "Vuositavoite", "Toimenpide", "Riskit",
             "Kokonais-tilanne", "Etenemisaste", "", "Vastuuhenkilö"]]  # fmt: skip
    rows += [cells for _, cells in sample_records()]
    plain = write_xlsx(tmp_path / "riskit.xlsx", rows, sheet="Riskit")
    loaded = load_plan(plain)
    assert loaded.plan.sheet == "Riskit" and len(loaded.plan.rows) == 67


@pytest.mark.libreoffice
def test_the_marks_survive_a_libreoffice_save(merged, tmp_path, libreoffice):
    _add_own_sheets(merged, ["Riskit"])
    summary(merged, now=NOW)
    validate_out = run_cli("validate", str(merged), "--mark")
    assert validate_out.returncode in (0, 1), validate_out.stderr
    before = marked_in_zip(merged)
    assert before["Riskit (seuranta)"] == "risks" and "Havainnot" in before
    saved = tmp_path / "lo" / "seuranta.xlsx"
    saved.parent.mkdir()
    lo_edit(merged, saved, [{"sheet": "Seuranta", "cell": "G3", "value": "muokattu"}])
    assert marked_in_zip(saved) == before  # LibreOffice kept every marker on its sheet
    own = _grid(saved, "Riskit")
    count = len(load_workbook(saved).sheetnames)
    out = run_cli("summary", str(saved))
    assert out.returncode == 0, out.stderr
    out = run_cli("validate", str(saved), "--mark")
    assert out.returncode in (0, 1), out.stderr
    wb = load_workbook(saved)
    assert len(wb.sheetnames) == count  # replaced, not added beside the old ones
    assert _grid(saved, "Riskit") == own
    assert marked_in_zip(saved) == before


# --------------------------------------------------------------------------- item 4


def test_summary_out_refuses_the_master_itself(merged, tmp_path):
    before = merged.read_bytes()
    backups = sorted((tmp_path / "varmuuskopiot").iterdir())
    link = tmp_path / "link.xlsx"
    link.symlink_to(merged)
    relative = os.path.relpath(merged, tmp_path / "out")
    for target in (str(merged), str(link), relative):
        out = run_cli("summary", str(merged), "--out", target, cwd=tmp_path / "out")
        assert out.returncode == 2, (target, out.stdout)
        assert "seurantataulukko" in out.stderr and "ei korvaa" in out.stderr
        assert merged.read_bytes() == before
    assert sorted((tmp_path / "varmuuskopiot").iterdir()) == backups


def test_summary_out_refuses_follow_up_sheets_and_other_files(merged, tmp_path, sample_path):
    other = init_master(sample_path, tmp_path / "toinen.xlsx").master
    owner = next((tmp_path / "out").glob("*.xlsx"))
    plain = write_xlsx(tmp_path / "plain.xlsx", [["a", "b"]])
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    for target in (other, owner, plain, text):
        before = target.read_bytes()
        out = run_cli("summary", str(merged), "--out", str(target))
        assert out.returncode == 2, (target, out.stdout)
        assert "eikä ole seuranta-xl:n tekemä erillinen yhteenveto" in out.stderr
        assert target.read_bytes() == before


def test_summary_out_replaces_its_own_standalone_summary_with_a_backup(merged, tmp_path):
    target = tmp_path / "yhteenveto.xlsx"
    first = summary(merged, out=target, now=NOW)
    assert first.standalone_backup is None
    old = target.read_bytes()
    out = run_cli("summary", str(merged), "--out", str(target))
    assert out.returncode == 0, out.stderr
    backups = list((tmp_path / "varmuuskopiot").glob("yhteenveto.*.xlsx"))
    assert [b.read_bytes() for b in backups] == [old]
    assert str(backups[0]) in out.stdout


# --------------------------------------------------------------------------- item 25


def test_summary_refuses_an_owner_workbook_and_a_plain_sheet(merged, tmp_path, sample_path):
    from .conftest import sample_records

    owner = next((tmp_path / "out").glob("*.xlsx"))
    rows = [["Valtuustokauden tavoite", "Vuositavoite", "Toimenpide", "Riskit",
             "Kokonais-tilanne", "Etenemisaste", "", "Vastuuhenkilö"]]  # fmt: skip
    rows += [cells for _, cells in sample_records()]
    plain = write_xlsx(tmp_path / "plain.xlsx", rows)
    for path, says in ((owner, "täyttötyökirja"), (plain, "ei ole seurantataulukko")):
        before = path.read_bytes()
        out = run_cli("summary", str(path), "--write-rollup")
        assert out.returncode == 2, out.stdout
        assert says in out.stderr
        assert path.read_bytes() == before
        assert "Traceback" not in out.stderr


# --------------------------------------------------------------------------- item 19


@pytest.mark.libreoffice
def test_mark_and_summary_on_the_sample_converted_by_libreoffice(
    sample_path, tmp_path, libreoffice
):
    xlsx = sample_converted(sample_path, tmp_path)
    sheet = load_plan(xlsx).plan.sheet
    data = _grid(xlsx, sheet)
    out = run_cli("validate", str(xlsx), "--mark")
    assert out.returncode == 0, out.stderr  # warnings and notes only
    assert "Traceback" not in out.stderr and "Havainnot" in out.stdout
    wb = load_workbook(xlsx)
    assert wb.sheetnames[0] == "Havainnot"
    head = wb["Havainnot"]["A1"]
    assert head.value == "Vakavuus" and head.font.b
    assert _grid(xlsx, sheet) == data
    with zipfile.ZipFile(xlsx) as zf:
        assert zf.testzip() is None
    # a plain sheet is no master: summary says so and leaves it
    before = xlsx.read_bytes()
    out = run_cli("summary", str(xlsx))
    assert out.returncode == 2 and "ei ole seurantataulukko" in out.stderr
    assert xlsx.read_bytes() == before


def test_unmarked_summary_sheets_of_an_earlier_version_are_named_not_replaced(merged, tmp_path):
    import re

    summary(merged, now=NOW)
    # as an earlier version left them: the same sheets and chart, no markers
    unmarked = tmp_path / "old.xlsx"
    with zipfile.ZipFile(merged) as src, zipfile.ZipFile(unmarked, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb"<definedName name=\"seuranta_xl_[^<]*</definedName>", b"", data)
            dst.writestr(info, data)
    assert marked_in_zip(unmarked) == {}
    with zipfile.ZipFile(unmarked) as zf:
        before = {n: zf.read(n) for n in zf.namelist()}
    # issue 10: written in place, nothing is refused; the unmarked sheets may be the
    # coordinator's, so they stay (with their charts, byte for byte) beside the tool's new ones
    out = run_cli("summary", str(unmarked))
    assert out.returncode == 0, out.stderr
    assert "Yhteenveto (seuranta)" in out.stdout
    with zipfile.ZipFile(unmarked) as zf:
        after = {n: zf.read(n) for n in zf.namelist()}
    kept = [n for n in before if n.startswith(("xl/charts/", "xl/drawings/"))]
    assert kept and all(after[n] == before[n] for n in kept)
    marked = marked_in_zip(unmarked)
    renamed = {f"{name} (seuranta)" for name in ("Yhteenveto", "Palautustilanne", "Riskit")}
    assert renamed | {"Muutokset (seuranta)"} <= set(marked)
    # a summary sheet the earlier version did not make keeps its own name
    assert all(name in renamed or "(seuranta)" in name or kind == "council"
               for name, kind in marked.items())  # fmt: skip
