"""Files made and edited by a real spreadsheet program (LibreOffice, headless).

Skipped, saying so, where LibreOffice or python3-uno is absent; .ci/run installs both.
"""

from __future__ import annotations

from collections import Counter

import pytest
from openpyxl import load_workbook

from seuranta_xl import init_master, validate
from seuranta_xl.xlsx.read import load_plan

from .conftest import lo_edit, sample_converted, soffice_convert

pytestmark = [pytest.mark.libreoffice, pytest.mark.usefixtures("libreoffice")]


@pytest.fixture(scope="module")
def sample_master(tmp_path_factory, sample_path):
    return init_master(sample_path, tmp_path_factory.mktemp("lo") / "seuranta.xlsx").master


def test_master_saved_by_libreoffice_keeps_rows_dropdown_and_findings(sample_master, tmp_path):
    resaved = soffice_convert(sample_master, tmp_path / "out")
    ours, theirs = load_plan(sample_master).plan, load_plan(resaved).plan
    assert [r.values for r in theirs.rows] == [r.values for r in ours.rows]
    assert theirs.scale == ours.scale
    a = Counter((f.rule, f.cell) for f in validate(sample_master).report)
    b = Counter((f.rule, f.cell) for f in validate(resaved).report)
    assert a == b
    wb = load_workbook(resaved)
    ws = wb["Seuranta"]
    dvs = ws.data_validations.dataValidation
    assert any(dv.type == "list" and "F2" in str(dv.sqref) for dv in dvs)
    assert "Etenemisasteikko" in wb.defined_names
    assert wb["Asetukset"].sheet_state == "hidden"
    # (freeze panes are view settings, which a headless conversion has no view to keep)


def test_source_xlsx_made_by_libreoffice_from_the_sample(sample_path, tmp_path):
    xlsx = sample_converted(sample_path, tmp_path)
    from_xlsx = init_master(xlsx, tmp_path / "from_xlsx.xlsx")
    from_txt = init_master(sample_path, tmp_path / "from_txt.xlsx")
    assert [r.values for r in from_xlsx.plan.rows] == [r.values for r in from_txt.plan.rows]
    assert len(from_xlsx.plan.rows) == 67


def test_edits_made_in_libreoffice_are_validated_at_their_cells(sample_master, tmp_path):
    edited = lo_edit(
        sample_master,
        tmp_path / "edited.xlsx",
        [
            {
                "sheet": "Seuranta",
                "cell": "F3",
                "value": "3 Toteutus on aloitettu, ei vielä valmis",
            },
            {"sheet": "Seuranta", "cell": "F4", "value": "7"},
            {"sheet": "Seuranta", "cell": "F5", "value": 5, "kind": "number"},
            {"sheet": "Seuranta", "cell": "G6", "value": "=1+1", "kind": "text"},
            {"sheet": "Seuranta", "cell": "B7", "value": "1.3 Huolimaton"},
        ],
    )
    report = validate(edited).report
    found = {(f.rule, f.cell) for f in report if f.severity.value != "info"}
    assert ("status.label", "F3") not in found  # the typo fixed
    assert ("status.unknown", "F4") in found
    assert ("status.format", "F5") in {(f.rule, f.cell) for f in report}
    assert ("text.formula", "G6") in found
    assert ("code.format", "B7") in found


def test_owner_workbooks_survive_a_libreoffice_save(tmp_path, sample_path):
    from datetime import datetime

    from seuranta_xl.api import generate
    from seuranta_xl.rounds import Manifest
    from seuranta_xl.xlsx.read import read_manifest_grid

    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    result = generate(master, tmp_path / "out", round_id="2021-kevät", now=datetime(2021, 4, 1))
    key = load_plan(master).identity.key
    for made in result.files:
        saved = soffice_convert(made.path, tmp_path / "lo" / made.path.stem)
        wb = load_workbook(saved)
        assert {"Ohje", "Seuranta", "Asteikko", "seuranta_manifesti"} <= set(wb.sheetnames)
        ws = wb["Seuranta"]
        assert ws.protection.sheet
        dvs = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        assert dvs and "Etenemisasteikko" in dvs[0].formula1
        assert "Etenemisasteikko" in wb.defined_names
        assert ws["F3"].protection.locked is (made.owner == "Pormestari")
        manifest = Manifest.from_grid(read_manifest_grid(saved, "seuranta_manifesti"))
        assert manifest.verify(key), made.owner
        assert wb["seuranta_manifesti"].sheet_state in ("hidden", "veryHidden")


def test_returns_edited_in_libreoffice_merge_exactly_and_once(tmp_path, sample_path):
    from datetime import datetime

    from seuranta_xl.api import generate, merge

    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    issued = generate(master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1))
    kp = next(f.path for f in issued.files if f.owner == "Kansliapäällikkö")
    before = _cells(master)
    box = tmp_path / "palautukset"
    box.mkdir()
    lo_edit(
        kp,
        box / "kp.xlsx",
        [
            {
                "sheet": "Seuranta",
                "cell": "F3",
                "value": "2 Suunnitteluvaiheessa, on edetty hieman",
            },
            {
                "sheet": "Seuranta",
                "cell": "G3",
                "value": "Kirjoitettu LibreOfficessa.\nToinen rivi.",
            },
            {"sheet": "Seuranta", "cell": "D4", "value": "Riski LibreOfficesta"},
            {"sheet": "Seuranta", "cell": "F5", "value": "5"},  # pasted over the dropdown
        ],
    )
    result = merge(master, [box])
    assert [(f.path.name, f.result, f.owner) for f in result.files] == [
        ("kp.xlsx", "merged", "Kansliapäällikkö"),
    ]
    after = _cells(master)
    changed = {k: after[k] for k in after if after[k] != before.get(k)}
    assert changed == {
        "F3": "2 Suunnitteluvaiheessa, on edetty hieman",
        "G3": "Kirjoitettu LibreOfficessa.\nToinen rivi.",
        "D4": "Riski LibreOfficesta",
        "F5": "5 Toimenpide on toteutettu ja käytönotettu toteutusohjelman mukaan",
    }
    log = list(load_workbook(master)["Muutosloki"].iter_rows(min_row=2, values_only=True))
    assert [(r[5], r[9]) for r in log] == [
        ("01.01", "viety"),
        ("01.01", "viety"),
        ("01.02", "viety"),
        ("01.03", "viety"),
    ]
    again = merge(master, [box])
    assert [f.result for f in again.files] == ["duplicate"] and not again.written
    # the same return saved by LibreOffice as .ods and .xls is read, and is already in
    for target in ("ods", "xls"):
        other = soffice_convert(box / "kp.xlsx", tmp_path / target, target)
        res = merge(master, [other])
        (fr,) = res.files
        assert fr.result == "unchanged" and f"format_{target}" in fr.notes, (target, fr.reason)
    # the master opens in LibreOffice after the merge
    assert soffice_convert(master, tmp_path / "check").exists()


def _cells(path):
    ws = load_workbook(path)["Seuranta"]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row}
