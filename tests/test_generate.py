"""``generate``: owner workbooks from the sample and synthetic masters, checked part by part."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seuranta_xl import init_master
from seuranta_xl.api import generate, synthetic_master
from seuranta_xl.errors import MasterHasErrors, RoundError
from seuranta_xl.model import EDITABLE_FIELDS, FIELD_ORDER
from seuranta_xl.rounds import Manifest, MasterIdentity, build_manifest, split_by_owner
from seuranta_xl.xlsx.ooxml import legacy_password_hash
from seuranta_xl.xlsx.owner import RoundInfo, header_row, owner_workbook
from seuranta_xl.xlsx.read import load_plan, read_manifest_grid

from .conftest import run_cli, write_xlsx
from .test_rules import PLANTED
from .workbook_parts import describe

GOLDEN = Path(__file__).with_name("golden") / "owner_workbook.json"
EDITABLE_COLUMNS = {"ABCDEFGH"[FIELD_ORDER.index(f)] for f in EDITABLE_FIELDS}


@pytest.fixture
def round_2021(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    result = generate(master, tmp_path / "out", round_id="2021-kevät", now=datetime(2021, 4, 1, 9))
    return master, result


def _manifest(path):
    return Manifest.from_grid(read_manifest_grid(path, "seuranta_manifesti"))


def test_sample_gives_one_workbook_per_owner_with_exactly_their_rows(round_2021):
    master, result = round_2021
    files = {f.owner: f for f in result.files}
    assert set(files) == {"Pormestari", "Kansliapäällikkö"}
    assert files["Kansliapäällikkö"].path.name == "Seuranta_2021-kevät_Kansliapäällikkö.xlsx"
    assert (files["Pormestari"].rows, files["Pormestari"].own_rows) == (1, 1)
    assert (files["Kansliapäällikkö"].rows, files["Kansliapäällikkö"].own_rows) == (67, 52)
    plan = load_plan(master).plan
    ws = load_workbook(files["Kansliapäällikkö"].path)["Seuranta"]
    written = [ws.cell(row=r, column=c).value for r in range(2, 69) for c in range(1, 9)]
    expected = [r.values[f] or None for r in plan.rows for f in FIELD_ORDER]
    assert written == expected
    assert ws.max_row == 68
    assert len(result.unowned) == 14
    assert sorted(p.name for p in result.out_dir.iterdir()) == sorted(
        f.path.name for f in result.files
    )


def test_protection_locked_and_unlocked_cells_and_the_dropdown(round_2021):
    master, result = round_2021
    path = next(f.path for f in result.files if f.owner == "Kansliapäällikkö")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Ohje", "Seuranta", "Asteikko", "seuranta_manifesti"]
    assert [ws.sheet_state for ws in wb.worksheets] == [
        "visible",
        "visible",
        "hidden",
        "veryHidden",
    ]
    assert wb.security.lockStructure
    ws = wb["Seuranta"]
    assert all(w.protection.sheet for w in wb.worksheets)
    assert ws.freeze_panes == "A2"
    manifest = _manifest(path)
    status_cells = []
    for row in manifest.rows:
        for letter in "ABCDEFGH":
            cell = ws[f"{letter}{row.sheet_row}"]
            should_unlock = row.editable and letter in EDITABLE_COLUMNS
            assert cell.protection.locked is not should_unlock, (cell.coordinate, row.code)
        if row.editable:
            status_cells.append(f"F{row.sheet_row}")
    assert all(ws[f"A{r}"].protection.locked for r in range(1, 70))
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == "Etenemisasteikko"
    assert sorted(str(dv.sqref).split()) == sorted(status_cells)
    assert wb.defined_names["Etenemisasteikko"].attr_text == "'Asteikko'!$A$1:$A$5"
    assert [c.value for c in wb["Asteikko"]["A"]] == load_plan(master).plan.scale.displays()
    # context rows look read-only: grey italic
    context = next(r for r in manifest.rows if not r.editable)
    assert ws[f"B{context.sheet_row}"].font.i or ws[f"A{context.sheet_row}"].font.i


def test_manifest_verifies_with_the_masters_key_only(round_2021, tmp_path):
    master, result = round_2021
    loaded = load_plan(master)
    key = loaded.identity.key
    for f in result.files:
        manifest = _manifest(f.path)
        assert manifest.verify(key)
        assert manifest.round_id == "2021-kevät" and manifest.owner == f.owner
        assert manifest.master_id == loaded.identity.master_id
        assert manifest.created == "2021-04-01T09:00:00"
    # nothing secret in the owner file
    for f in result.files:
        with zipfile.ZipFile(f.path) as zf:
            assert not any(key.encode() in zf.read(n) for n in zf.namelist())
    # a value or the owner changed in the manifest sheet fails verification
    path = next(f.path for f in result.files if f.owner == "Kansliapäällikkö")
    for coordinate, value in (("F12", "5 Toimenpide on toteutettu"), ("B3", "Pormestari")):
        wb = load_workbook(path)
        wb["seuranta_manifesti"][coordinate] = value
        tampered = tmp_path / f"tampered-{coordinate}.xlsx"
        wb.save(tampered)
        assert not _manifest(tampered).verify(key)


def test_round_is_recorded_and_nothing_else_in_the_master_changes(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    original = master.read_bytes()
    with zipfile.ZipFile(master) as zf:
        before = {n: zf.read(n) for n in zf.namelist()}
    result = generate(master, tmp_path / "out", round_id="2021-kevät")
    with zipfile.ZipFile(master) as zf:
        after = {n: zf.read(n) for n in zf.namelist()}
    assert set(after) == set(before)
    changed = {n for n in before if before[n] != after[n]}
    from seuranta_xl.xlsx.patch import sheet_parts

    with zipfile.ZipFile(master) as zf:
        parts = sheet_parts(zf)
    assert changed <= {parts["Kierrokset"], parts["seuranta_avain"]}, changed
    loaded = load_plan(master)
    assert [(r.round_id, r.owner, r.file, r.rows, r.own_rows) for r in loaded.rounds] == [
        ("2021-kevät", f.owner, f.path.name, f.rows, f.own_rows) for f in result.files
    ]
    assert result.backup is not None and result.backup.read_bytes() == original


def test_a_round_is_never_issued_twice(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    first = generate(master, tmp_path / "out", round_id="2021-kevät", owners=["Pormestari"])
    assert [f.owner for f in first.files] == ["Pormestari"]
    second = generate(master, tmp_path / "out", round_id="2021-kevät")
    assert [f.owner for f in second.files] == ["Kansliapäällikkö"]
    assert second.already_issued == ("Pormestari",)
    with pytest.raises(RoundError) as err:
        generate(master, tmp_path / "out", round_id="2021-kevät")
    assert err.value.key == "round_issued"
    assert "Pormestari" in err.value.message() and "Kansliapäällikkö" in err.value.message()
    assert len(load_plan(master).rounds) == 2
    # a new round is fine, into another folder
    third = generate(master, tmp_path / "syksy", round_id="2021-syksy")
    assert len(third.files) == 2


def test_existing_files_are_not_replaced_and_nothing_is_left_half_done(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    out = tmp_path / "out"
    out.mkdir()
    (out / "Seuranta_2021-kevät_Pormestari.xlsx").write_bytes(b"mine")
    with pytest.raises(RoundError) as err:
        generate(master, out, round_id="2021-kevät")
    assert err.value.key == "files_exist"
    assert sorted(p.name for p in out.iterdir()) == ["Seuranta_2021-kevät_Pormestari.xlsx"]
    assert load_plan(master).rounds == ()


def test_a_master_with_errors_is_refused(tmp_path):
    master = init_master(write_xlsx(tmp_path / "p.xlsx", PLANTED), tmp_path / "m.xlsx").master
    with pytest.raises(MasterHasErrors) as err:
        generate(master, tmp_path / "out")
    assert err.value.exit_code == 1 and not err.value.report.ok
    assert not (tmp_path / "out").exists()
    out = run_cli("generate", str(master), "--out", str(tmp_path / "out"))
    assert out.returncode == 1 and "Etenemisaste ei ole asteikolla" in out.stdout


def test_settings_reach_the_instructions_and_the_protection(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    wb = load_workbook(master)
    settings = wb["Asetukset"]
    values = {
        "Palautuksen määräpäivä": datetime(2021, 5, 31),
        "Palautusosoite": "seuranta@tuusula.fi",
        "Suojauksen salasana": "kevät",
        "Ohje vastaajille": "Kysy tarvittaessa.",
    }
    for r in range(2, 10):
        name = settings.cell(row=r, column=3).value
        if name in values:
            settings.cell(row=r, column=4).value = values[name]
    wb.save(master)
    result = generate(master, tmp_path / "out", round_id="2021-kevät")
    owner = load_workbook(result.files[0].path)
    texts = [c.value for c in owner["Ohje"]["B"] if c.value]
    assert "31.5.2021" in texts and "seuranta@tuusula.fi" in texts and "Kysy tarvittaessa." in texts
    assert owner["Seuranta"].protection.password == legacy_password_hash("kevät")
    assert owner.security.workbookPassword == legacy_password_hash("kevät")


def test_password_hash_matches_openpyxls():
    from openpyxl.utils.protection import hash_password

    for pw in ("", "a", "kevät", "Salasana123!", "x" * 15):
        assert legacy_password_hash(pw) == hash_password(pw)


def test_many_owners_in_parallel(tmp_path):
    master = synthetic_master(tmp_path / "m.xlsx", owners=60, rows_per_owner=5).master
    result = generate(master, tmp_path / "out", round_id="r1", workers=2)
    assert len(result.files) == 60
    key = load_plan(master).identity.key
    for f in result.files[::7]:
        manifest = _manifest(f.path)
        assert manifest.verify(key) and manifest.owner == f.owner and len(manifest.rows) == 6
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")] == []


def test_cli_generate(tmp_path, sample_path):
    master = tmp_path / "seuranta.xlsx"
    assert run_cli("init", str(master), "--from", str(sample_path)).returncode == 0
    out = run_cli("generate", str(master), "--out", str(tmp_path / "out"), "--round", "2021-kevät")
    assert out.returncode == 0, out.stderr
    assert "Seuranta_2021-kevät_Kansliapäällikkö.xlsx" in out.stdout
    assert "52 omaa riviä + 15 taustariviä" in out.stdout
    again = run_cli(
        "generate",
        str(master),
        "--out",
        str(tmp_path / "out"),
        "--round",
        "2021-kevät",
        "--lang",
        "en",
    )
    assert again.returncode == 2 and "already issued" in again.stderr
    bad = run_cli("generate", str(master), "--out", str(tmp_path / "o2"), "--round", "kevät 2021")
    assert bad.returncode == 2 and "ei kelpaa" in bad.stderr
    who = run_cli(
        "generate",
        str(master),
        "--out",
        str(tmp_path / "o3"),
        "--round",
        "r2",
        "--owner",
        "Rehtori",
    )
    assert who.returncode == 2 and "Rehtori" in who.stderr


# --------------------------------------------------------------------------- golden


def _golden_workbook(tmp_path: Path) -> Path:
    """One owner workbook made with a fixed key, time and settings: the same every run."""
    from seuranta_xl import SourceTable, default_scale, read_plan
    from seuranta_xl.synthetic import synthetic_grid

    plan = read_plan(SourceTable("S", synthetic_grid(2, 4, seed=11)), default_scale())
    part = split_by_owner(plan)[1]
    identity = MasterIdentity("00000000-0000-4000-8000-000000000000", "ab" * 32)
    created = datetime(2021, 4, 1, 9, 0, 0)
    info = RoundInfo(
        "2021-kevät",
        created,
        tuple(plan.scale.displays()),
        deadline="31.5.2021",
        return_address="seuranta@kunta.fi",
        password="kevät",
    )
    manifest = build_manifest(
        part,
        round_id=info.round_id,
        created=created,
        master_id=identity.master_id,
        fingerprint="f" * 64,
        key=identity.key,
        first_row=header_row(info) + 1,
    )
    path = tmp_path / "golden.xlsx"
    path.write_bytes(owner_workbook(part, manifest, info))
    return path


def test_golden_owner_workbook(tmp_path):
    got = json.loads(json.dumps(describe(_golden_workbook(tmp_path)), default=str))
    if os.environ.get("SEURANTA_UPDATE_GOLDEN"):
        GOLDEN.write_text(
            json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8"
        )
    expected = json.loads(GOLDEN.read_text("utf-8"))
    assert got == expected, (
        "owner workbook differs from tests/golden/owner_workbook.json (SEURANTA_UPDATE_GOLDEN=1 to accept)"
    )


def test_a_second_run_on_the_same_master_waits_its_turn(tmp_path, sample_path):
    from seuranta_xl import WriteError
    from seuranta_xl.xlsx.save import run_lock

    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    with run_lock(master), pytest.raises(WriteError) as err:
        generate(master, tmp_path / "out", round_id="r")
    assert err.value.key == "busy"
    assert not (tmp_path / "out").exists()
