"""The Excel buttons' entry points (seuranta_xl.excel) against a fake of xlwings
(tests/excel_fake.py): the same changes to the master file as the CLI, unsaved changes
never lost, a cancelled question changes nothing, the workbook reopened after a failure,
and every error a message."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from seuranta_xl import excel as x
from seuranta_xl import init_master
from seuranta_xl.cli import main
from seuranta_xl.demo import fill_like_staff
from seuranta_xl.rounds import default_round_id

from .excel_fake import digest, install

_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?|\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}:\d\d")
_HEX = re.compile(r"\b[0-9a-f]{64}\b")


def cells(path: Path, *, hexes: bool = False) -> dict[str, list[list[object]]]:
    """Every sheet's values; run times (and with ``hexes`` the hashes that depend on them)
    masked, as two runs a second apart differ only in those."""
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))

    def mask(v: object) -> object:
        if isinstance(v, datetime):  # the tool sheets' times are real dates (issue 10)
            return "<time>"
        if isinstance(v, str):
            v = _TIME.sub("<time>", v)
            return _HEX.sub("<hex>", v) if hexes else v
        return v

    return {
        n: [[mask(v) for v in row] for row in wb.get_sheet_by_name(n).to_python()]
        for n in wb.sheet_names
    }


def cli(*args: str) -> int:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code


def set_settings(path: Path, values: dict[str, object]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Asetukset"]
    names = {ws.cell(r, 3).value: r for r in range(2, ws.max_row + 1)}
    for name, value in values.items():
        ws.cell(names[name], 4).value = value
    wb.save(path)


def twins(master: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of ``master``, each in a folder of its own: one for the CLI, one for Excel."""
    out = []
    for side in ("cli", "excel"):
        (tmp_path / side).mkdir()
        out.append(Path(shutil.copy(master, tmp_path / side / master.name)))
    return out[0], out[1]


@pytest.fixture
def master(tmp_path: Path, sample_path: Path) -> Path:
    return init_master(sample_path, tmp_path / "made" / "seuranta.xlsx").master


# -- the same changes as the CLI ---------------------------------------------------------


def test_validate_marks_the_master_as_the_cli_does(master, tmp_path, monkeypatch):
    a, b = twins(master, tmp_path)
    assert cli("validate", "--mark", str(a)) == 0
    book = install(monkeypatch, b)
    x.validate()
    assert cells(b) == cells(a)
    assert "Havainnot" in cells(b)
    app = book.app
    assert [e[0] for e in app.events] == ["close", "open", "activate", "alert"]
    assert app.events[0][1] == digest(master)  # closed before anything was written
    assert app.active_sheet == "Havainnot"
    (text,) = app.messages
    assert "67 riviä" in text and "Varoituksia 9" in text and "välilehdellä Havainnot" in text
    assert app.statuses[0] == "Seuranta: tarkistetaan…" and app.statuses[-1] is False


def test_generate_issues_the_round_as_the_cli_does(master, tmp_path, monkeypatch):
    set_settings(master, {"Kierros": "2021-kevät", "Työkirjakansio": "tyokirjat"})
    a, b = twins(master, tmp_path)
    out = tmp_path / "cli" / "tyokirjat"
    assert cli("generate", str(a), "--out", str(out), "--round", "2021-kevät") == 0
    book = install(monkeypatch, b)
    x.generate()
    assert cells(b, hexes=True) == cells(a, hexes=True)
    made = sorted(p.name for p in (tmp_path / "excel" / "tyokirjat").iterdir())
    assert made == sorted(p.name for p in out.iterdir())
    assert len(made) == 2
    (text,) = book.app.messages
    assert "Kierros 2021-kevät: 2 täyttötyökirjaa" in text and str(tmp_path / "excel") in text
    assert "ilman vastuuhenkilöä: 14" in text
    assert not [e for e in book.app.events if e[0] in ("pick_folder", "input_box")]


def test_merge_takes_in_the_returns_as_the_cli_does(issued, tmp_path, monkeypatch):
    master, files = issued
    a, b = twins(master, tmp_path)
    for side in (a, b):
        fill_like_staff(files["Kansliapäällikkö"], side.parent / "palautukset" / "p.xlsx")
    assert cli("merge", str(a), str(a.parent / "palautukset")) == 0
    # no folder set: the picker is asked, and starts at the default beside the master
    book = install(monkeypatch, b, folder=b.parent / "palautukset")
    x.merge()
    assert cells(b) == cells(a)
    app = book.app
    picked = next(e for e in app.events if e[0] == "pick_folder")
    assert picked[2].rstrip("\\") == str(b.parent / "palautukset")
    assert app.active_sheet == "Muutosloki"
    (text,) = app.messages
    assert "Yhdistetty 1" in text and "Muutoksia viety 3" in text
    assert "Palautus puuttuu (1): Pormestari" in text and "Muutosloki" in text


def test_summary_is_rebuilt_as_the_cli_does(issued, tmp_path, monkeypatch):
    a, b = twins(issued[0], tmp_path)
    assert cli("summary", str(a)) == 0
    book = install(monkeypatch, b)
    x.summary()
    assert cells(b) == cells(a)
    assert book.app.active_sheet == "Yhteenveto"
    (text,) = book.app.messages
    assert "palautuksia 0/2" in text and "Palautus puuttuu (2)" in text


def test_a_renamed_summary_sheet_is_the_one_shown(issued, monkeypatch):
    from openpyxl import load_workbook

    master = issued[0]
    wb = load_workbook(master)
    wb.create_sheet("Yhteenveto")["A1"] = "my own"
    wb.save(master)
    book = install(monkeypatch, master)
    x.summary()
    assert book.app.active_sheet == "Yhteenveto (seuranta)"
    assert "Yhteenveto (seuranta)" in book.app.messages[0]
    assert cells(master)["Yhteenveto"][0][0] == "my own"


# -- unsaved changes and cancelled questions -----------------------------------------------


def test_unsaved_changes_saved_first_when_asked(master, monkeypatch):
    book = install(monkeypatch, master, answers=["yes"])
    book.edit("Seuranta", "G3", "Kirjoitettu Excelissä")
    x.validate()
    assert cells(master)["Seuranta"][2][6] == "Kirjoitettu Excelissä"
    assert [e[0] for e in book.app.events][:3] == ["alert", "save", "close"]
    assert book.app.alerts[0][2] == "yes_no_cancel"


def test_unsaved_changes_left_out_when_said_no(master, monkeypatch):
    before = cells(master)["Seuranta"][2][6]
    book = install(monkeypatch, master, answers=["no"])
    book.edit("Seuranta", "G3", "Ei tallenneta")
    x.validate()
    assert cells(master)["Seuranta"][2][6] == before
    assert "Havainnot" in cells(master)  # the operation ran


def test_cancel_changes_nothing(master, monkeypatch):
    before = digest(master)
    book = install(monkeypatch, master, answers=["cancel"])
    book.edit("Seuranta", "G3", "Kesken")
    x.merge()
    assert digest(master) == before
    assert not book.closed and book.pending  # still open, the edit still there
    assert [e[0] for e in book.app.events] == ["alert"]
    assert book.app.messages == []


def test_cancelled_folder_picker_changes_nothing(master, tmp_path, monkeypatch):
    before = digest(master)
    book = install(monkeypatch, master, folder=None, text="2021-kevät")
    x.generate()
    assert digest(master) == before and not book.closed
    assert not (master.parent / "tyokirjat").exists()
    assert book.app.messages == []


def test_cancelled_round_changes_nothing(master, tmp_path, monkeypatch):
    before = digest(master)
    book = install(monkeypatch, master, folder=tmp_path / "out", text=None)
    x.generate()
    assert digest(master) == before and not book.closed
    assert not (tmp_path / "out").exists()
    asked = next(e for e in book.app.events if e[0] == "input_box")
    assert asked[2] == default_round_id()  # the CLI's default is offered


def test_without_pickers_the_defaults_beside_the_master(master, monkeypatch):
    book = install(monkeypatch, master, dialogs=False)
    x.generate()
    made = master.parent / "tyokirjat"
    assert len(list(made.glob("*.xlsx"))) == 2
    first, done = book.app.messages
    assert str(made) in first and "Työkirjakansio" in first
    assert default_round_id() in done
    assert any(f"Seuranta_{default_round_id()}_" in p.name for p in made.iterdir())


def test_a_missing_returns_folder_is_said_and_nothing_done(master, monkeypatch):
    set_settings(master, {"Palautuskansio": "ei-ole"})
    before = digest(master)
    book = install(monkeypatch, master)
    x.merge()
    assert digest(master) == before and not book.closed
    (text,) = book.app.messages
    assert str(master.parent / "ei-ole") in text and "Palautuskansio" in text


# -- failures -----------------------------------------------------------------------------


def test_a_known_problem_is_a_message_and_the_book_is_reopened(master, monkeypatch):
    lock = master.parent / f"~${master.name}"  # open in another Excel
    lock.write_bytes(b"x")
    before = digest(master)
    book = install(monkeypatch, master)
    x.validate()
    assert digest(master) == before
    kinds = [e[0] for e in book.app.events]
    assert kinds == ["close", "open", "alert"]
    (text,) = book.app.messages
    assert text.startswith("Toiminto ei onnistunut") and master.name in text
    assert "Traceback" not in text


def test_master_errors_are_listed(master, monkeypatch):
    from openpyxl import load_workbook

    wb = load_workbook(master)
    wb["Seuranta"]["F4"] = "9 ei asteikolla"
    wb.save(master)
    set_settings(master, {"Kierros": "2021-kevät", "Työkirjakansio": "out"})
    book = install(monkeypatch, master)
    x.generate()
    (text,) = book.app.messages
    assert "korjattava ensin 1 virhe." in text and "Seuranta!F4" in text and "Tarkista" in text
    assert [e[0] for e in book.app.events][:2] == ["close", "open"]
    assert not (master.parent / "out").exists()


def test_an_unexpected_error_goes_to_the_log_beside_the_master(master, monkeypatch):
    import seuranta_xl.api

    def broken(*args, **kwargs):
        raise RuntimeError("rikki")

    monkeypatch.setattr(seuranta_xl.api, "validate_and_mark", broken)
    book = install(monkeypatch, master)
    x.validate()  # no exception reaches RunPython
    log = master.parent / x.ERROR_LOG
    assert "RuntimeError: rikki" in log.read_text("utf-8")
    assert "Traceback" in log.read_text("utf-8")
    (text,) = book.app.messages
    assert str(log) in text and "RuntimeError" in text and "Traceback" not in text
    assert [e[0] for e in book.app.events] == ["close", "open", "alert"]
    assert book.app.statuses[-1] is False


def test_a_book_that_cannot_be_reopened_is_named(master, monkeypatch):
    book = install(monkeypatch, master)
    book.app.open_fails = True
    x.validate()
    first, done = book.app.messages
    assert "avaa se itse" in first and str(master) in first
    assert done.startswith("Tarkistettu")


@pytest.mark.parametrize(
    ("fullname", "says"),
    [("Kirja1", "Tallenna työkirja ensin"), ("https://d.docs.live.net/abc/m.xlsx", "OneDrive")],
)
def test_a_book_that_is_no_file_is_said(fullname, says, monkeypatch):
    book = install(monkeypatch, fullname)
    x.merge()
    (text,) = book.app.messages
    assert says in text
    assert not book.closed


# -- language and help ----------------------------------------------------------------------


def test_english_when_the_settings_say_so(master, monkeypatch):
    set_settings(master, {"Kieli": "en"})
    book = install(monkeypatch, master)
    x.validate()
    assert "Findings" in cells(master)
    assert book.app.active_sheet == "Findings"
    (text,) = book.app.messages
    assert text.startswith("Checked: 67 rows") and "sheet Findings" in text


def test_help_changes_nothing(master, monkeypatch):
    before = digest(master)
    book = install(monkeypatch, master, answers=[])
    book.edit("Seuranta", "G3", "kesken")
    x.show_help()
    assert digest(master) == before and not book.closed
    (text,) = book.app.messages
    assert "Yhdistä palautukset" in text and "docs/excel.md" in text


def test_help_needs_no_saved_master(monkeypatch):
    book = install(monkeypatch, "Kirja1")
    x.show_help()
    (text,) = book.app.messages
    assert text.startswith("Seuranta-välilehden painikkeet")


def test_the_librarys_warnings_are_said(master, monkeypatch):
    import warnings

    import seuranta_xl.api
    from seuranta_xl.errors import SeurantaWarning

    real = seuranta_xl.api.validate_and_mark

    def warning(path, lang):
        warnings.warn(
            SeurantaWarning("lock_taken_over", path=str(path), lock="x", pid=1, since="-"),
            stacklevel=1,
        )
        return real(path, lang)

    monkeypatch.setattr(seuranta_xl.api, "validate_and_mark", warning)
    book = install(monkeypatch, master)
    x.validate()
    (text,) = book.app.messages
    assert text.startswith("Tarkistettu")
    assert (
        SeurantaWarning("lock_taken_over", path=str(master), lock="x", pid=1, since="-").message(
            "fi"
        )
        in text
    )


def test_when_the_saved_state_cannot_be_told_the_question_is_asked(master, monkeypatch):
    book = install(monkeypatch, master, answers=["cancel"])
    book.api = object()  # neither Windows' Saved nor the Mac's saved
    before = digest(master)
    x.summary()
    assert digest(master) == before and not book.closed
    assert book.app.alerts[0][2] == "yes_no_cancel"
