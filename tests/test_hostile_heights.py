"""Row heights the tool gives wrapped text, against what a real spreadsheet program needs."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seuranta_xl import init_master
from seuranta_xl.api import generate

from .conftest import UNO_PYTHON

LO_EDIT = Path(__file__).with_name("lo_edit.py")


@pytest.mark.libreoffice
def test_no_owner_row_is_shorter_than_libreoffice_needs(tmp_path, sample_path, libreoffice):
    """Every row of the sample's biggest owner workbook is at least as tall as LibreOffice's
    optimal height for its wrapped text: printed, no text is clipped (the last line of long
    commentaries and bold titles was, as counting characters ignored word wrap)."""
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    made = generate(master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1))
    issued = max((f.path for f in made.files), key=lambda p: p.stat().st_size)
    edits = tmp_path / "edits.json"
    edits.write_text(
        json.dumps(
            [{"op": "unprotect", "password": ""}, {"op": "optimal_height", "sheet": "Seuranta"}]
        )
    )
    fitted = tmp_path / "fitted.xlsx"
    subprocess.run(
        [UNO_PYTHON, str(LO_EDIT), str(issued), str(fitted), str(edits)], check=True, timeout=300
    )
    ours, needed = load_workbook(issued)["Seuranta"], load_workbook(fitted)["Seuranta"]
    assert ours.max_row > 60
    short = [
        (r, ours.row_dimensions[r].height, needed.row_dimensions[r].height)
        for r in range(2, ours.max_row + 1)
        if (ours.row_dimensions[r].height or 15) < (needed.row_dimensions[r].height or 15) - 1
    ]
    assert short == []
