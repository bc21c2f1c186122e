"""Control characters and Excel's ``_xHHHH_`` escapes in a master: the manifest is signed
over exactly what the workbook stores, and every writer cleans alike (issue 8, item 7)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from seuranta_xl import init_master
from seuranta_xl.api import generate, merge, summary, validate
from seuranta_xl.celltext import escape_excel, stored_text
from seuranta_xl.rounds import Manifest
from seuranta_xl.xlsx.ooxml import cell_xml
from seuranta_xl.xlsx.patch import patch_sheets
from seuranta_xl.xlsx.read import load_plan, read_manifest_grid

from .conftest import run_cli
from .test_merge import KP, S5, fill

# Kansliapäällikkö's workbook row 3 is 01.01, master row 3; A-H are goal .. owner.
RAW = {
    # as Excel stores them in its XML: a vertical tab pasted from Word, a CR LF, a literal
    "B3": "01.01 Viemme käytäntöön_x000B_ pasted from Word",
    "G3": "Rivi yksi_x000D_\nrivi kaksi",
    "D3": "kirjaimellinen _x005F_x000D_ teksti",
    "H4": "Kanslia_x000B_päällikkö",
}
AS_READ = {
    "B3": "01.01 Viemme käytäntöön\x0b pasted from Word",
    "G3": "Rivi yksi\r\nrivi kaksi",
    "D3": "kirjaimellinen _x000D_ teksti",
}


def _put_raw(master: Path, raw: dict[str, str]) -> None:
    """Write cells' text into the master's XML as it stands, escapes and all (as Excel)."""

    def edit(xml: bytes) -> bytes:
        text = xml.decode("utf-8")
        for ref, value in raw.items():
            cell = f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
            text, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', cell, text, count=1)
            assert n == 1, ref
        return text.encode("utf-8")

    patch_sheets(master, {"Seuranta": edit})


@pytest.fixture
def dirty_round(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    _put_raw(master, RAW)
    rows = {r.sheet_row: r for r in load_plan(master).plan.rows}
    assert (
        rows[3].values[next(f for f in rows[3].values if f.value == "annual_goal")]
        == (AS_READ["B3"])
    )
    assert validate(master).ok  # control characters are a warning, not an error
    result = generate(master, tmp_path / "jaetut", round_id="r1", now=datetime(2026, 9, 1, 9))
    return master, {f.owner: f.path for f in result.files}


def test_the_manifest_is_signed_over_what_the_workbook_stores(dirty_round):
    master, files = dirty_round
    key = load_plan(master).identity.key
    manifest = Manifest.from_grid(read_manifest_grid(files[KP], "seuranta_manifesti"))
    assert manifest.verify(key)
    by_code = {r.code: r for r in manifest.rows}
    assert "01.01 Viemme käytäntöön pasted from Word" in by_code["01.01"].values
    assert "Rivi yksi\nrivi kaksi" in by_code["01.01"].values
    assert "kirjaimellinen _x000D_ teksti" in by_code["01.01"].values  # the literal kept
    returned = load_plan(files[KP]).plan
    row = next(r for r in returned.rows if str(r.code) == "01.01")
    assert "kirjaimellinen _x000D_ teksti" in row.values.values()


def test_a_return_merges_cleanly_and_the_summary_does_not_crash(dirty_round, tmp_path):
    master, files = dirty_round
    as_issued = merge(master, [files[KP]])
    assert [f.reason for f in as_issued.files] == ["as_issued"]
    ret = fill(files[KP], tmp_path / "palautukset" / "kp.xlsx", {"F3": S5, "G4": "Uusi."})
    result = merge(master, [ret])
    (fr,) = result.files
    assert fr.reason == "merged", fr.reason
    assert result.conflicts == [] and result.ok
    assert sorted(c.field.value for _, c in result.changes if c.decision.value == "applied") == [
        "commentary",
        "status",
    ]
    rows = {r.sheet_row: r for r in load_plan(master).plan.rows}
    assert "kirjaimellinen _x000D_ teksti" in rows[3].values.values()  # untouched, still literal
    made = summary(master, out=tmp_path / "yhteenveto.xlsx")
    assert made.standalone is not None and made.standalone.exists()
    # the summary's save (openpyxl) keeps the master's text as it was, escapes and all
    after = {r.sheet_row: r for r in load_plan(master).plan.rows}
    assert "kirjaimellinen _x000D_ teksti" in after[3].values.values()
    assert AS_READ["B3"] in after[3].values.values()
    assert [r.values for r in after.values()] == [r.values for r in rows.values()]


def test_a_literal_escape_typed_into_the_source_survives_init(tmp_path):
    src = tmp_path / "lahde.tsv"
    src.write_text(
        "Valtuustokauden tavoite\tVuositavoite\tToimenpide\tRiskit\tKokonaistilanne\t"
        "Etenemisaste\tTilannekuvaus\tVastuuhenkilö\n"
        "01. Tavoite\t\t\t\t\t\t\tPormestari\n"
        "\t01.01 Vuositavoite\t\tkirjoitettu _x000D_ ja _x000b_\t\t\tteksti\x0bvt\tPormestari\n",
        encoding="utf-8",
    )
    master = init_master(src, tmp_path / "m.xlsx").master
    row = next(r for r in load_plan(master).plan.rows if str(r.code) == "01.01")
    values = set(row.values.values())
    assert "kirjoitettu _x000D_ ja _x000b_" in values
    assert "tekstivt" in values


def test_one_cleaning_for_every_writer():
    for raw in ("a\x0bb", "c\r\nd", "e\rf", "_x000D_", "\ufffe", "a\x00b\x1fc", "ok"):
        clean = stored_text(raw)
        assert stored_text(clean) == clean  # idempotent
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\r]", clean)
    assert escape_excel("_x000D_ x _x00e4_") == "_x005F_x000D_ x _x005F_x00e4_"
    assert cell_xml("A1", "\x0b", 0) == '<c r="A1"/>'
    assert "<t>ab</t>" in cell_xml("A1", "a\x0bb", 0)


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_a_return_saved_by_libreoffice_merges_cleanly(dirty_round, tmp_path):
    from .conftest import lo_edit

    master, files = dirty_round
    (tmp_path / "palautukset").mkdir()
    ret = lo_edit(
        files[KP],
        tmp_path / "palautukset" / "kp_lo.xlsx",
        [
            {
                "sheet": "Seuranta",
                "cell": "G4",
                "value": "Kirjoitettu _x000D_ LO:ssa.",
                "kind": "text",
            },
            {"sheet": "Seuranta", "cell": "G5", "value": "rivi\ntoinen", "kind": "text"},
        ],
    )
    result = merge(master, [ret])
    (fr,) = result.files
    assert fr.reason == "merged", fr.reason
    assert result.conflicts == []
    rows = {r.sheet_row: r for r in load_plan(master).plan.rows}
    assert "Kirjoitettu _x000D_ LO:ssa." in rows[4].values.values()  # a literal, typed
    assert "rivi\ntoinen" in rows[5].values.values()
    assert "kirjaimellinen _x000D_ teksti" in rows[3].values.values()
    summary(master)


def _literal_master(tmp_path: Path) -> Path:
    src = tmp_path / "lahde.tsv"
    src.write_text(
        "Valtuustokauden tavoite\tVuositavoite\tToimenpide\tRiskit\tKokonaistilanne\t"
        "Etenemisaste\tTilannekuvaus\tVastuuhenkilö\n"
        "01. Tavoite\t\t\t\t\t\t\tPormestari\n"
        "\t01.01 Vuositavoite\t\tkirjoitettu _x000D_ näin\t\t7\t\tPormestari\n",
        encoding="utf-8",
    )
    return init_master(src, tmp_path / "m.xlsx").master


def _risks(master: Path) -> str:
    row = next(r for r in load_plan(master).plan.rows if str(r.code) == "01.01")
    return row.text(next(f for f in row.values if f.value == "risks"))


def test_marking_and_the_summary_keep_a_literal_escape(tmp_path):
    master = _literal_master(tmp_path)
    assert _risks(master) == "kirjoitettu _x000D_ näin"
    marked = run_cli("validate", str(master), "--mark")
    assert marked.returncode == 1  # status 7 is an error: marked all the same
    assert _risks(master) == "kirjoitettu _x000D_ näin"


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_mark_and_summary_keep_every_text_of_a_master_a_real_client_saved(tmp_path):
    """A master saved by a real client (shared strings, the literal stored escaped): after
    `validate --mark` and `summary`, written in place, every text of its sheets reads back
    the same."""
    import zipfile

    import python_calamine as pc

    from .conftest import soffice_convert

    made = _literal_master(tmp_path)
    (tmp_path / "lo").mkdir()
    master = soffice_convert(made, tmp_path / "lo")
    with zipfile.ZipFile(master) as zf:
        assert b"_x005F_x000D_" in zf.read("xl/sharedStrings.xml")
    assert _risks(master) == "kirjoitettu _x000D_ näin"
    before = pc.CalamineWorkbook.from_path(str(master))
    grids = {name: before.get_sheet_by_name(name).to_python() for name in before.sheet_names}
    run_cli("validate", str(master), "--mark")
    assert run_cli("summary", str(master)).returncode == 0
    after = pc.CalamineWorkbook.from_path(str(master))
    for name, grid in grids.items():
        assert after.get_sheet_by_name(name).to_python() == grid, name
    assert _risks(master) == "kirjoitettu _x000D_ näin"
