"""An owner workbook with the deadline and return address above its header, edited and
saved by LibreOffice, merges; printed through LibreOffice, both show on both sheets
(issue 11, item 3)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from seuranta_xl import init_master
from seuranta_xl.api import generate, merge
from seuranta_xl.model import FIELD_ORDER, Field
from seuranta_xl.rounds import Manifest
from seuranta_xl.xlsx.read import load_plan, read_manifest_grid

from .conftest import KP, S5, lo_edit, soffice_convert

pytestmark = [pytest.mark.libreoffice, pytest.mark.usefixtures("libreoffice")]


@pytest.fixture
def issued(tmp_path: Path, sample_path: Path) -> tuple[Path, Path]:
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    result = generate(
        master,
        tmp_path / "out",
        round_id="2026-kevät",
        deadline="31.5.2026",
        return_address="kirjaamo@kunta.fi",
    )
    (kp,) = [f.path for f in result.files if f.owner == KP]
    return master, kp


def _letter(f: Field) -> str:
    return "ABCDEFGH"[FIELD_ORDER.index(f)]


def test_a_return_edited_in_libreoffice_merges(issued, tmp_path):
    master, kp = issued
    manifest = Manifest.from_grid(read_manifest_grid(kp, "seuranta_manifesti"))
    row = next(r for r in manifest.rows if r.editable)
    assert row.sheet_row > 4  # under the banner and the header
    status = f"{_letter(Field.STATUS)}{row.sheet_row}"
    commentary = f"{_letter(Field.COMMENTARY)}{row.sheet_row}"
    (tmp_path / "palautukset").mkdir()
    ret = lo_edit(
        kp,
        tmp_path / "palautukset" / "kp_lo.xlsx",
        [
            {"sheet": "Seuranta", "cell": status, "value": S5, "kind": "text"},
            {"sheet": "Seuranta", "cell": commentary, "value": "Valmis LO:ssa.", "kind": "text"},
        ],
    )
    result = merge(master, [ret])
    (fr,) = result.files
    assert fr.reason == "merged", fr.reason
    assert result.conflicts == []
    assert {(c.code, c.field, c.new) for _, c in result.changes} == {
        (row.code, Field.STATUS, S5),
        (row.code, Field.COMMENTARY, "Valmis LO:ssa."),
    }
    merged = {r.sheet_row: r for r in load_plan(master).plan.rows}[row.master_row]
    assert merged.values[Field.COMMENTARY] == "Valmis LO:ssa."
    assert str(merged.code) == row.code


def test_printed_both_show_on_the_data_sheet_and_the_instructions(issued, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    _, kp = issued
    pdf = soffice_convert(kp, tmp_path, "pdf")
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    instructions = next(p for p in pages if "Näin täytät" in p)
    data = next(p for p in pages if "Valtuustokauden tavoite" in p)
    for page in (instructions, data):
        assert "31.5.2026" in page and "kirjaamo@kunta.fi" in page
    assert "Palauta viimeistään: 31.5.2026" in data
    assert "Palautusosoite: kirjaamo@kunta.fi" in data
    # above the header, not under it
    assert data.index("Palauta viimeistään") < data.index("Valtuustokauden tavoite")
