"""``generate --deadline --return-to`` (issue 11, item 3): kept in the master's settings,
reused by the next run and the summary, refused when not a date, warned about when unset,
and shown at the top of every owner workbook's data sheet and on its instructions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seuranta_xl import init_master
from seuranta_xl.api import deadline_text, generate, summary
from seuranta_xl.errors import RoundError
from seuranta_xl.rounds import Manifest
from seuranta_xl.xlsx.names import SETTING_DEADLINE, SETTING_RETURN_ADDRESS, SETTINGS_SHEET
from seuranta_xl.xlsx.patch import patch_sheets, set_cells
from seuranta_xl.xlsx.read import load_plan, read_manifest_grid

from .conftest import run_cli

KP = "Kansliapäällikkö"


@pytest.fixture
def master(tmp_path: Path, sample_path: Path) -> Path:
    return init_master(sample_path, tmp_path / "seuranta.xlsx").master


def _settings(master: Path) -> dict[str, tuple[int, object]]:
    """The settings sheet's C:D as the file holds them: name -> (row, value)."""
    ws = load_workbook(master)[SETTINGS_SHEET]
    return {
        str(ws.cell(r, 3).value): (r, ws.cell(r, 4).value)
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, 3).value
    }


def _set_settings_cells(master: Path, edits: dict[tuple[int, int], object]) -> None:
    patch_sheets(master, {SETTINGS_SHEET: lambda xml: set_cells(xml, edits)[0]}, backup=False)


def _notes(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("Huom:", "Note:"))]


def test_the_options_are_kept_in_the_settings_and_the_next_runs_use_them(master, tmp_path):
    before = _settings(master)
    done = run_cli(
        "generate", str(master), "--out", str(tmp_path / "r1"), "--round", "r1",
        "--deadline", "2026-05-31", "--return-to", "kirjaamo@kunta.fi",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Asetus Palautuksen määräpäivä tallennettiin seurantataulukkoon: 31.5.2026" in (
        done.stdout
    )
    assert _notes(done.stdout) == []
    after = _settings(master)
    # written in the settings' own rows, in Finnish form; nothing else in the sheet moved
    assert after[SETTING_DEADLINE] == (before[SETTING_DEADLINE][0], "31.5.2026")
    assert after[SETTING_RETURN_ADDRESS] == (before[SETTING_RETURN_ADDRESS][0], "kirjaamo@kunta.fi")
    assert {
        k: v for k, v in after.items() if k not in (SETTING_DEADLINE, SETTING_RETURN_ADDRESS)
    } == {k: v for k, v in before.items() if k not in (SETTING_DEADLINE, SETTING_RETURN_ADDRESS)}
    # the next run, without the options, tells the owners the same and warns of nothing
    again = run_cli("generate", str(master), "--out", str(tmp_path / "r2"), "--round", "r2")
    assert again.returncode == 0, again.stderr
    assert _notes(again.stdout) == []
    book = load_workbook(tmp_path / "r2" / f"Seuranta_r2_{KP}.xlsx")
    assert book["Seuranta"]["A1"].value == "Palauta viimeistään: 31.5.2026"
    assert book["Seuranta"]["A2"].value == "Palautusosoite: kirjaamo@kunta.fi"
    # and the summary reads the deadline kept (the end of that day)
    assert summary(master).summary.deadline == datetime(2026, 5, 31, 23, 59, 59)


@pytest.mark.parametrize(("lang", "word"), [("fi", "ei ole päivämäärä"), ("en", "is not a date")])
@pytest.mark.parametrize("value", ["31.2.2026", "toukokuun loppuun", "31/5/2026"])
def test_a_deadline_that_is_no_date_is_refused_naming_it(master, tmp_path, lang, word, value):
    before = master.read_bytes()
    done = run_cli(
        "generate", str(master), "--out", str(tmp_path / "out"), "--deadline", value,
        "--lang", lang,
    )  # fmt: skip
    assert done.returncode == 2
    assert f"'{value}'" in done.stderr and word in done.stderr
    assert "Traceback" not in done.stderr
    assert master.read_bytes() == before
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("31.5.2026", "31.5.2026"),
        (" 1.6.2026 ", "1.6.2026"),
        ("2026-05-31", "31.5.2026"),
        ("31.5.2026 16.00", "31.5.2026 16.00"),
        ("2026-05-31T16:30", "31.5.2026 16.30"),
        ("2026-05-31 00:00", "31.5.2026"),
    ],
)
def test_a_deadline_is_kept_in_finnish_form(given, kept):
    assert deadline_text(given) == kept


def test_generate_warns_when_either_is_unset_and_says_how_to_set_it(master, tmp_path):
    done = run_cli("generate", str(master), "--out", str(tmp_path / "r1"), "--round", "r1")
    assert done.returncode == 0, done.stderr
    notes = _notes(done.stdout)
    assert len(notes) == 2
    assert "määräpäivää ei ole asetettu" in notes[0] and "--deadline 31.5.2026" in notes[0]
    assert "palautusosoitetta ei ole asetettu" in notes[1] and "--return-to" in notes[1]
    en = run_cli(
        "generate", str(master), "--out", str(tmp_path / "r2"), "--round", "r2",
        "--deadline", "31.5.2026", "--lang", "en",
    )  # fmt: skip
    assert en.returncode == 0, en.stderr
    (note,) = _notes(en.stdout)
    assert "no return address is set" in note and "--return-to kirjaamo@kunta.fi" in note
    # with neither, the data sheet starts with its header as before
    book = load_workbook(tmp_path / "r1" / f"Seuranta_r1_{KP}.xlsx")
    assert book["Seuranta"]["A1"].value == "Valtuustokauden tavoite"
    assert book["Seuranta"].freeze_panes == "A2"


def test_a_deadline_typed_into_the_settings_that_is_no_date_is_warned_about(master, tmp_path):
    row, _ = _settings(master)[SETTING_DEADLINE]
    _set_settings_cells(master, {(row, 4): "toukokuun loppuun"})
    result = generate(master, tmp_path / "out", round_id="r1", return_address="a@b.fi")
    assert result.setting_notes == ("deadline_unreadable",)
    done = run_cli("generate", str(master), "--out", str(tmp_path / "o2"), "--round", "r2")
    (note,) = _notes(done.stdout)
    assert "'toukokuun loppuun'" in note and "--deadline" in note


def test_both_show_on_both_sheets_and_the_manifest_names_the_rows_they_stand_on(master, tmp_path):
    result = generate(
        master,
        tmp_path / "out",
        round_id="r1",
        deadline="31.5.2026",
        return_address="kirjaamo@kunta.fi",
    )
    assert result.setting_notes == ()
    for f in result.files:
        book = load_workbook(f.path)
        data = book["Seuranta"]
        assert [data.cell(r, 1).value for r in (1, 2, 3)] == [
            "Palauta viimeistään: 31.5.2026",
            "Palautusosoite: kirjaamo@kunta.fi",
            None,
        ]
        assert data["A4"].value == "Valtuustokauden tavoite"
        assert data.freeze_panes == "A5"  # the banner and header stay in view
        assert data.auto_filter.ref.startswith("A4:")
        assert data.print_title_rows == "$4:$4"
        help_pairs = {
            r[0]: r[1] for r in book["Ohje"].iter_rows(values_only=True) if r[0] is not None
        }
        assert help_pairs["Palauta viimeistään"] == "31.5.2026"
        assert help_pairs["Palautusosoite"] == "kirjaamo@kunta.fi"
        assert "osoitteeseen kirjaamo@kunta.fi viimeistään 31.5.2026" in help_pairs["5."]
        manifest = Manifest.from_grid(read_manifest_grid(f.path, "seuranta_manifesti"))
        assert manifest.rows[0].sheet_row == 5
        for row in manifest.rows:  # every row's code stands on the row the manifest names
            texts = [str(c.value or "") for c in data[row.sheet_row]]
            assert any(t.startswith(row.code) for t in texts), (row.code, row.sheet_row)
        assert data.max_row == 4 + f.rows


def test_a_setting_missing_from_the_sheet_is_added_and_an_empty_option_clears_it(master, tmp_path):
    rows = _settings(master)
    row = rows[SETTING_RETURN_ADDRESS][0]
    _set_settings_cells(master, {(row, 3): None})  # the coordinator removed the setting
    last = max(r for r, _ in _settings(master).values())
    generate(master, tmp_path / "o1", round_id="r1", deadline="", return_address="x@kunta.fi")
    after = _settings(master)
    assert after[SETTING_RETURN_ADDRESS] == (last + 1, "x@kunta.fi")
    assert after[SETTING_DEADLINE] == (rows[SETTING_DEADLINE][0], None)
    assert load_plan(master).setting(SETTING_RETURN_ADDRESS) == "x@kunta.fi"
    result = generate(master, tmp_path / "o2", round_id="r2", return_address=" ")
    assert result.stored == ((SETTING_RETURN_ADDRESS, ""),)
    assert result.setting_notes == ("deadline_unset", "return_unset")
    assert load_plan(master).setting(SETTING_RETURN_ADDRESS) == ""


def test_the_api_refuses_a_bad_deadline_before_touching_anything(master, tmp_path):
    with pytest.raises(RoundError) as caught:
        generate(master, tmp_path / "out", deadline="32.5.2026")
    assert caught.value.key == "deadline_invalid"
    assert "'32.5.2026'" in caught.value.message("en")
    assert load_plan(master).rounds == ()


def test_the_settings_are_written_in_the_rounds_own_save_or_not_at_all(
    master, tmp_path, monkeypatch
):
    import seuranta_xl.xlsx.patch as patch_io

    before = master.read_bytes()
    saved: list[set[str]] = []

    def disk_full(path, transforms, **kwargs):
        saved.append(set(transforms))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(patch_io, "patch_sheets", disk_full)
    with pytest.raises(OSError):
        generate(master, tmp_path / "out", round_id="r1", deadline="31.5.2026")
    monkeypatch.undo()
    assert saved == [{"Kierrokset", "seuranta_avain", SETTINGS_SHEET}]
    assert master.read_bytes() == before  # neither the round nor the deadline
    assert not list((tmp_path / "out").rglob("*.xlsx"))
