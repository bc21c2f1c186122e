"""Issue 11 item 8: the cells the last merge applied are highlighted in the master's data sheet
by the tool's own conditional format, which the next merge that applies anything replaces."""

from __future__ import annotations

import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from seuranta_xl import mark, validate
from seuranta_xl.api import merge
from seuranta_xl.model import column_letter
from seuranta_xl.xlsx.master import MARK_FORMULA, MERGE_FILL, MERGE_FORMULA, cell_ranges
from seuranta_xl.xlsx.patch import patch_sheets, set_cells, sheet_parts
from seuranta_xl.xlsx.read import load_plan

from .conftest import KP, lo_edit, run_cli
from .test_merge import EDITS, fill


def _cells(sqref: str) -> set[str]:
    out = set()
    for part in sqref.split():
        c1, r1, c2, r2 = range_boundaries(part)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                out.add(f"{column_letter(c)}{r}")
    return out


def highlighted(path, formula=MERGE_FORMULA, sheet="Seuranta") -> set[str]:
    """The cells of ``sheet`` under the tool's conditional formats with ``formula``."""
    ws = load_workbook(path)[sheet]
    out: set[str] = set()
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            if rule.formula == [formula]:
                out |= _cells(str(cf.sqref))
    return out


def merge_rules(path, sheet="Seuranta"):
    ws = load_workbook(path)[sheet]
    return [
        (str(cf.sqref), rule)
        for cf in ws.conditional_formatting
        for rule in cf.rules
        if rule.formula == [MERGE_FORMULA]
    ]


def applied_cells(master, result) -> set[str]:
    columns = load_plan(master).plan.columns
    return {
        f"{column_letter(columns[c.field])}{c.master_row}"
        for _, c in result.changes
        if c.master_row is not None
    }


def cell_looks(path, sheet="Seuranta"):
    """Every cell's own style, as openpyxl reads it."""
    ws = load_workbook(path)[sheet]
    return {
        c.coordinate: (
            c.style_id,
            repr(c.font),
            repr(c.fill),
            repr(c.border),
            c.number_format,
            repr(c.alignment),
            repr(c.protection),
        )
        for row in ws.iter_rows()
        for c in row
    }


def own_rows(path, owner):
    ws = load_workbook(path)["Seuranta"]
    return [r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=8).value == owner]


def later_rows(files, n):
    """Rows of Kansliapäällikkö's workbook past those the first returns change (from 6)."""
    rows = [r for r in own_rows(files[KP], KP) if r >= 6][:n]
    assert len(rows) == n
    return files[KP], rows


def parts_of(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}, sheet_parts(zf)


# --------------------------------------------------------------------------- tests


def test_exactly_the_applied_cells_are_highlighted_and_nothing_else_changes(issued, tmp_path):
    master, files = issued
    looks = cell_looks(master)
    ret = fill(files[KP], tmp_path / "in" / "kp.xlsx", EDITS)
    out = run_cli("merge", str(master), str(ret))  # the real entry point
    assert out.returncode == 0, out.stderr
    assert highlighted(master) == set(EDITS) == {"F3", "G3", "D4", "F5"}
    ((_, rule),) = merge_rules(master)
    assert rule.dxf.fill.fgColor.rgb == "FF" + MERGE_FILL
    assert rule.dxf.font is None and rule.dxf.border is None and rule.dxf.numFmt is None
    # the cells' own styles are untouched: the highlight is a conditional format only
    assert cell_looks(master) == looks
    assert highlighted(master, MARK_FORMULA) == set()


def test_conflicts_and_formula_cells_are_not_highlighted(issued, tmp_path):
    master, files = issued
    # the coordinator edits G3 after issuing and puts a formula in F4
    patch_sheets(
        master,
        {"Seuranta": lambda xml: set_cells(xml, {(3, 7): "Koordinaattorin teksti"})[0]},
    )
    wb = load_workbook(master)
    wb["Seuranta"]["F4"] = '="x"'
    wb.save(master)
    ret = fill(files[KP], tmp_path / "r.xlsx", {"G3": "Vastaajan", "D4": "Riski", "F4": S2_TEXT})
    result = merge(master, [ret])
    assert result.written and len(result.conflicts) == 2
    assert highlighted(master) == {"D4"} == applied_cells(master, result)


S2_TEXT = "2 Suunnitteluvaiheessa, on edetty hieman"


def test_the_next_merge_replaces_them_and_touches_nothing_else(issued, tmp_path):
    master, files = issued
    first = merge(master, [fill(files[KP], tmp_path / "a" / "kp.xlsx", {"G3": "Eka", "D4": "R"})])
    assert highlighted(master) == {"G3", "D4"} == applied_cells(master, first)
    before, parts = parts_of(master)
    path, rows = later_rows(files, 2)
    second = merge(
        master, [fill(path, tmp_path / "b" / "toinen.xlsx", {f"G{r}": f"Uusi {r}" for r in rows})]
    )
    assert second.written and len(second.changes) == 2
    assert highlighted(master) == applied_cells(master, second)
    assert highlighted(master).isdisjoint({"G3", "D4"})
    assert len(merge_rules(master)) == 1
    after, _ = parts_of(master)
    assert list(after) == list(before)
    # the fill is found again in the stylesheet: only the three sheets change this time
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {parts["Seuranta"], parts["Muutosloki"], parts["Palautukset"]}


def test_a_merge_that_applies_nothing_leaves_them(issued, tmp_path):
    master, files = issued
    merge(master, [fill(files[KP], tmp_path / "a" / "kp.xlsx", {"D4": "Riski"})])
    assert highlighted(master) == {"D4"}
    # the coordinator changes G3; a return changing only G3 is a conflict, nothing applied
    patch_sheets(master, {"Seuranta": lambda xml: set_cells(xml, {(3, 7): "Oma"})[0]})
    result = merge(master, [fill(files[KP], tmp_path / "b" / "kp2.xlsx", {"G3": "Toinen"})])
    assert result.written and not result.changes and result.conflicts
    assert highlighted(master) == {"D4"}


def test_dry_run_writes_no_highlight(issued, tmp_path):
    master, files = issued
    snapshot = master.read_bytes()
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    out = run_cli("merge", str(master), str(ret), "--dry-run")
    assert out.returncode == 0, out.stderr
    assert master.read_bytes() == snapshot


def test_mark_and_merge_highlights_coexist_each_replacing_only_its_own(issued, tmp_path):
    master, files = issued
    mark(validate(master))
    marked = highlighted(master, MARK_FORMULA)
    assert marked  # the sample has findings in the data sheet
    merge(master, [fill(files[KP], tmp_path / "a" / "kp.xlsx", {"G3": "Eka", "D4": "R"})])
    assert highlighted(master, MARK_FORMULA) == marked
    assert highlighted(master) == {"G3", "D4"}
    # mark again after fixing F3's label: its highlights change, merge's stay
    patch_sheets(master, {"Seuranta": lambda xml: set_cells(xml, {(3, 6): S2_TEXT})[0]})
    mark(validate(master))
    assert highlighted(master, MARK_FORMULA) == marked - {"F3"}
    assert highlighted(master) == {"G3", "D4"}
    # and the next merge replaces its own, leaving mark's
    path, (r,) = later_rows(files, 1)
    merge(master, [fill(path, tmp_path / "b" / "toinen.xlsx", {f"G{r}": "Uusi"})])
    assert highlighted(master) == {f"G{r}"}
    assert highlighted(master, MARK_FORMULA) == marked - {"F3"}


@pytest.mark.libreoffice
def test_a_master_saved_by_libreoffice_gets_its_old_highlights_replaced(
    issued, tmp_path, libreoffice
):
    master, files = issued
    mark(validate(master))
    marked = highlighted(master, MARK_FORMULA)
    merge(master, [fill(files[KP], tmp_path / "a" / "kp.xlsx", {"G3": "Eka", "D4": "R"})])
    saved = lo_edit(master, tmp_path / "lo" / "seuranta.xlsx", [])
    assert highlighted(saved) == {"G3", "D4"}  # LibreOffice kept the rule recognisable
    assert highlighted(saved, MARK_FORMULA) == marked
    path, rows = later_rows(files, 2)
    result = merge(
        saved, [fill(path, tmp_path / "b" / "toinen.xlsx", {f"G{r}": f"Uusi {r}" for r in rows})]
    )
    assert result.written
    assert highlighted(saved) == applied_cells(saved, result) == {f"G{r}" for r in rows}
    assert len(merge_rules(saved)) == 1
    assert merge_rules(saved)[0][1].dxf.fill.fgColor.rgb == "FF" + MERGE_FILL
    assert highlighted(saved, MARK_FORMULA) == marked


@given(st.sets(st.tuples(st.integers(1, 60), st.integers(1, 30)), min_size=1, max_size=80))
def test_cell_ranges_cover_exactly_the_cells(cells):
    sqref = cell_ranges(sorted(cells))
    assert _cells(sqref) == {f"{column_letter(c)}{r}" for r, c in cells}
    assert len(sqref.split()) <= len(cells)


def test_owner_workbooks_of_the_next_round_carry_no_highlight_and_summary_keeps_them(
    issued, tmp_path
):
    from datetime import datetime

    from seuranta_xl.api import generate, summary

    master, files = issued
    merge(master, [fill(files[KP], tmp_path / "a" / "kp.xlsx", {"G3": "Eka", "D4": "R"})])
    summary(master)
    assert highlighted(master) == {"G3", "D4"}
    result = generate(
        master, tmp_path / "syksy", round_id="2021-syksy", now=datetime(2021, 9, 1, 9)
    )
    assert result.files
    for f in result.files:
        with zipfile.ZipFile(f.path) as zf:
            assert not any(b"seuranta-xl merge" in zf.read(n) for n in zf.namelist())
