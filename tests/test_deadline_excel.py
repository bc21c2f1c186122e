"""The Excel button *Luo täyttötyökirjat* (issue 11, item 3): the deadline and address
come from the settings as the coordinator typed them (a date cell too), and the button's
message says which of them the owners were not told."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seuranta_xl import excel as x
from seuranta_xl import init_master

from .excel_fake import install
from .test_excel_entry import set_settings


@pytest.fixture
def master(tmp_path: Path, sample_path: Path) -> Path:
    m = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    set_settings(m, {"Kierros": "2026-kevät", "Työkirjakansio": "tyokirjat"})
    return m


def test_the_button_says_what_is_unset(master, monkeypatch):
    book = install(monkeypatch, master)
    x.generate()
    (text,) = book.app.messages
    assert "Palautuksen määräpäivää ei ole asetettu" in text
    assert "Palautusosoitetta ei ole asetettu" in text
    assert "Asetukset-välilehden" in text


def test_a_date_typed_in_excel_is_shown_in_finnish_on_both_sheets(master, monkeypatch):
    # Excel keeps a date typed into the cell as a real date
    set_settings(
        master,
        {"Palautuksen määräpäivä": datetime(2026, 5, 31), "Palautusosoite": "kirjaamo@kunta.fi"},
    )
    book = install(monkeypatch, master)
    x.generate()
    (text,) = book.app.messages
    assert "ei ole asetettu" not in text and "ei ole päivämäärä" not in text
    (made, *_) = sorted((master.parent / "tyokirjat").iterdir())
    wb = load_workbook(made)
    assert wb["Seuranta"]["A1"].value == "Palauta viimeistään: 31.5.2026"
    assert wb["Seuranta"]["A2"].value == "Palautusosoite: kirjaamo@kunta.fi"
    labels = {r[0]: r[1] for r in wb["Ohje"].iter_rows(values_only=True)}
    assert labels["Palauta viimeistään"] == "31.5.2026"
    assert labels["Palautusosoite"] == "kirjaamo@kunta.fi"
