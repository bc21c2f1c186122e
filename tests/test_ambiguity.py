"""Which sheet and which column (issue 8, items 8-10): an exact header beats a stem, two
equal candidates stop generate and merge naming both cells, a copied sheet never takes the
master's rows, and an ambiguous return is rejected, never read from one of its halves."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from seuranta_xl import Field, LayoutError, SourceTable, find_header, init_master, validate
from seuranta_xl.api import generate, merge
from seuranta_xl.layout import CANONICAL_HEADERS_FI, match_header_strength
from seuranta_xl.rules import header_findings

from .conftest import HEADERS, KP, S2, S5, run_cli, write_xlsx
from .mutations import copy_sheet, duplicate_column, insert_column

ORDER = list(Field)  # the master's column order A-H


def fill(src, dst, edits, sheet="Seuranta"):
    wb = load_workbook(src)
    for ref, value in edits.items():
        wb[sheet][ref] = value
    wb.properties.modified = datetime.now()
    wb.save(dst)
    return dst


def cells(path, sheet="Seuranta"):
    ws = load_workbook(path)[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row}


# --------------------------------------------------------------------------- item 8


def _archive(f: Field) -> str:
    return CANONICAL_HEADERS_FI[f] + " 2025"


@pytest.mark.parametrize("field", list(Field))
def test_every_archive_header_is_a_stem_of_its_field(field):
    assert match_header_strength(_archive(field)) == (field, False)
    assert match_header_strength(CANONICAL_HEADERS_FI[field]) == (field, True)


@settings(max_examples=60, deadline=None)
@given(field=st.sampled_from(list(Field)), at=st.integers(0, 8))
def test_an_exact_header_beats_a_stem_wherever_it_stands(field, at):
    """The archive column of any field, at any place, never takes the field's column."""
    header = [CANONICAL_HEADERS_FI[f] for f in ORDER]
    header.insert(at, _archive(field))
    found = find_header(SourceTable("S", [header, ["01. A"] + [None] * 8]))
    real = header.index(CANONICAL_HEADERS_FI[field]) + 1
    assert found.columns[field] == real
    assert found.ambiguous == ()
    assert (field, at + 1) in found.duplicates and (at + 1, _archive(field)) in found.extras
    rules = {x.rule for x in header_findings(found, "S")}
    assert "header.ambiguous" not in rules and "header.duplicate" in rules


def test_two_exact_or_two_stems_for_one_field_is_an_error_naming_both_cells():
    two_exact = [*HEADERS[:6], "Tilannekuvaus", "Vastuuhenkilö", "Etenemisaste"]
    h = find_header(SourceTable("S", [two_exact, ["01. A"]]))
    assert h.ambiguous == ((Field.STATUS, (6, 9)),)
    (x,) = [x for x in header_findings(h, "Seuranta") if x.rule == "header.ambiguous"]
    assert x.severity.value == "error" and x.cell == "I1"
    assert "F1 / I1" in x.message("fi") and "F1 / I1" in x.message("en")
    two_stems = [*HEADERS[:5], "Etenemisaste 2024", "Tilannekuvaus", "Vastuuhenkilö"]
    two_stems.append("Etenemisaste 2025")
    h = find_header(SourceTable("S", [two_stems, ["01. A"]]))
    assert h.ambiguous == ((Field.STATUS, (6, 9)),)
    assert h.columns[Field.STATUS] == 6  # read from the first, but an error


def test_an_archive_column_left_of_the_status_takes_nothing(issued, tmp_path):
    """The issue's case: 'Etenemisaste 2025' inserted left of 'Etenemisaste' in the master
    after the round was issued; the merged status goes to the real column."""
    master, files = issued
    insert_column(master, master, "Seuranta", "F", "Etenemisaste 2025", {3: "arkisto"})
    before = cells(master)
    assert before["G1"] == "Etenemisaste"
    report = validate(master).report
    # resolved by the exact name, so only a note
    assert [(x.rule, x.cell, x.severity.value) for x in report if x.rule.startswith("header.")] == [
        ("header.duplicate", "F1", "info")
    ]
    ret = fill(files[KP], tmp_path / "kp.xlsx", {"F3": S5, "F5": S2})
    result = merge(master, [ret])
    assert result.ok and result.written
    after = cells(master)
    changed = {k: (before.get(k), after[k]) for k in after if after[k] != before.get(k)}
    assert changed == {"G3": (before["G3"], S5), "G5": (before["G5"], S2)}
    # and the next round is issued from the real column
    again = generate(master, tmp_path / "uudet", round_id="2021-syksy", owners=[KP])
    ws = load_workbook(again.files[0].path)["Seuranta"]
    assert ws["F3"].value == S5 and "arkisto" not in {c.value for c in ws["F"]}


def test_a_master_with_a_field_twice_stops_generate_and_merge_naming_both(issued, tmp_path):
    master, files = issued
    ret = fill(files[KP], tmp_path / "kp.xlsx", {"G3": "uusi"})
    duplicate_column(master, master, "Seuranta", "G", "J")  # a second 'Tilannekuvaus'
    snapshot = master.read_bytes()
    out = run_cli("validate", str(master), "--json")
    assert out.returncode == 1
    assert "header.ambiguous" in out.stdout and "G1 / J1" in out.stdout
    out = run_cli("generate", str(master), "--out", str(tmp_path / "uudet"), "--round", "r2")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "Seuranta!J1" in out.stdout and "G1 / J1" in out.stdout
    assert not (tmp_path / "uudet").exists() or not any((tmp_path / "uudet").iterdir())
    out = run_cli("merge", str(master), str(ret), "--lang", "en")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "Two columns for one field" in out.stdout and "G1 / J1" in out.stdout
    assert master.read_bytes() == snapshot


# --------------------------------------------------------------------------- item 9


def test_a_copy_of_the_data_sheet_placed_first_takes_nothing(issued, tmp_path):
    """'Seuranta kopio 2025' where Excel puts copies: merge and generate use the tool's
    own sheet, and the copy stays as it was."""
    master, files = issued
    copy_sheet(master, master, "Seuranta", "Seuranta kopio 2025", edits={"F3": "1 kopio"})
    copied = cells(master, "Seuranta kopio 2025")
    before = cells(master)
    assert load_workbook(master).sheetnames[0] == "Seuranta kopio 2025"
    ret = fill(files[KP], tmp_path / "kp.xlsx", {"F3": S5})
    result = merge(master, [ret])
    assert result.ok and result.written
    assert cells(master, "Seuranta kopio 2025") == copied
    after = cells(master)
    assert {k for k in after if after[k] != before.get(k)} == {"F3"} and after["F3"] == S5
    assert validate(master).plan.sheet == "Seuranta"
    again = generate(master, tmp_path / "uudet", round_id="2021-syksy", owners=[KP])
    assert load_workbook(again.files[0].path)["Seuranta"]["F3"].value == S5


def test_a_master_whose_own_sheet_is_gone_and_two_candidates_is_refused(issued, tmp_path):
    master, files = issued
    copy_sheet(master, master, "Seuranta", "Seuranta kopio 2025")
    wb = load_workbook(master)
    wb["Seuranta"].title = "Seuranta 2026"
    wb.save(master)
    snapshot = master.read_bytes()
    with pytest.raises(LayoutError) as err:
        validate(master)
    assert err.value.key == "several_sheets_master"
    ret = fill(files[KP], tmp_path / "kp.xlsx", {"F3": S5})
    for args in (
        ["merge", str(master), str(ret)],
        ["generate", str(master), "--out", str(tmp_path / "uudet"), "--round", "r2"],
        ["validate", str(master)],
    ):
        out = run_cli(*args)
        assert out.returncode == 2 and "Traceback" not in out.stderr, args
        assert "'Seuranta kopio 2025', 'Seuranta 2026'" in out.stderr, args
    assert master.read_bytes() == snapshot
    # with one candidate left, whatever its name, it is the data sheet
    del wb["Seuranta kopio 2025"]
    wb.save(master)
    assert validate(master).plan.sheet == "Seuranta 2026"


def test_a_source_with_two_candidate_sheets_is_refused_and_one_is_taken(tmp_path):
    rows = [HEADERS, ["01. Tavoite", None, None, None, None, None, None, "Pormestari"]]
    src = write_xlsx(tmp_path / "lähde.xlsx", rows, sheet="Seuranta 2021")
    wb = load_workbook(src)
    help_sheet = wb.create_sheet("Ohje", 0)
    help_sheet["A1"] = "Täytä etenemisaste ja tilannekuvaus."
    wb.save(src)
    assert init_master(src, tmp_path / "yksi.xlsx").plan.sheet == "Seuranta 2021"
    copy_sheet(src, src, "Seuranta 2021", "Seuranta 2022", index=1)
    out = run_cli("init", str(tmp_path / "m.xlsx"), "--from", str(src), "--lang", "en")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "'Seuranta 2022', 'Seuranta 2021'" in out.stderr
    assert not (tmp_path / "m.xlsx").exists()


# --------------------------------------------------------------------------- item 10


def test_a_return_with_a_copied_sheet_is_rejected_naming_both(issued, tmp_path):
    master, files = issued
    before = master.read_bytes()
    box = tmp_path / "palautukset"
    box.mkdir()
    # the owner's edits in the copy, the original untouched: "nothing changed" before
    copy_sheet(files[KP], box / "kp.xlsx", "Seuranta", edits={"F3": S5, "G3": "kopiossa"})
    result = merge(master, [box])
    (fr,) = result.files
    assert (fr.result, fr.reason) == ("rejected", "several_sheets")
    assert fr.owner == KP and fr.detail == "'Seuranta (2)', 'Seuranta'"
    assert not result.written and master.read_bytes() == before
    out = run_cli("merge", str(master), str(box))
    assert out.returncode == 1 and "'Seuranta (2)', 'Seuranta'" in out.stdout
    assert "usealla välilehdellä" in out.stdout
    out = run_cli("merge", str(master), str(box), "--json", "--lang", "en")
    assert "several sheets ('Seuranta (2)', 'Seuranta')" in out.stdout
    assert master.read_bytes() == before


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "Seuranta!G1 / Seuranta!I1"),  # 'Tilannekuvaus' twice
        ("Tilannekuvaus (uusi)", "Seuranta!G1 / Seuranta!I1 ('Tilannekuvaus (uusi)')"),
    ],
)
def test_a_return_with_a_field_twice_is_rejected_naming_the_cells(issued, tmp_path, header, detail):
    master, files = issued
    before = master.read_bytes()
    ret = duplicate_column(
        files[KP], tmp_path / "kp.xlsx", "Seuranta", "G", "I", header=header, edits={3: "uusi"}
    )
    result = merge(master, [ret])
    (fr,) = result.files
    assert (fr.result, fr.reason, fr.detail) == ("rejected", "ambiguous_columns", detail)
    assert not result.ok and master.read_bytes() == before
    out = run_cli("merge", str(master), str(ret), "--lang", "en")
    assert out.returncode == 1 and detail in out.stdout and "one field in two columns" in out.stdout


def test_issued_extra_columns_and_copied_help_sheets_are_no_ambiguity(tmp_path, sample_path):
    """An archive column the master had when it issued the round comes back in every
    return; a copy of the help sheet holds no rows: both merge as usual."""
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    insert_column(master, master, "Seuranta", "F", "Etenemisaste 2025")
    files = {
        f.owner: f.path for f in generate(master, tmp_path / "jaetut", round_id="2021-kevät").files
    }
    ws = load_workbook(files[KP])["Seuranta"]
    assert ws["I1"].value == "Etenemisaste 2025"
    ret = fill(files[KP], tmp_path / "kp.xlsx", {"F3": S5})
    ret = copy_sheet(ret, ret, "Ohje", index=0)
    result = merge(master, [ret])
    (fr,) = result.files
    assert (fr.result, fr.reason) == ("merged", "merged")
    assert cells(master)["G3"] == S5
