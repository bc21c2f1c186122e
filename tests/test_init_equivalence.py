"""The master ``init`` writes from strings holds what the openpyxl writer it replaced made:
compared as openpyxl reads both (values, styles by name, validations, defined names,
outline, heights, filter, panes, sheet states, settings, properties)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seuranta_xl.layout import read_plan
from seuranta_xl.model import SourceTable, StatusScale
from seuranta_xl.scale import default_scale
from seuranta_xl.synthetic import synthetic_grid
from seuranta_xl.xlsx.master import write_master
from seuranta_xl.xlsx.read import load_plan

from .conftest import HEADERS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from init_openpyxl import write_master_openpyxl


def snapshot(path: Path) -> dict[str, object]:
    """What openpyxl reads from a master, the per-master identity aside."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    out: dict[str, object] = {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items()),
        "props": (wb.properties.title, wb.properties.subject, wb.properties.creator,
                  wb.properties.description),
    }  # fmt: skip
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and c.style == "Normal" and not c.has_style:
                    continue
                value = c.value
                if ws.title == "seuranta_avain" and c.column == 2:
                    value = len(str(value))  # a new id and key in each master
                cells.append(
                    (c.coordinate, value, c.data_type, c.style, c.number_format,
                     c.font.b, c.fill.fgColor.rgb, c.alignment.wrap_text, c.alignment.indent)
                )  # fmt: skip
        dims = {
            r: (d.height, d.outline_level, d.customHeight)
            for r, d in ws.row_dimensions.items()
            if d.height is not None or d.outline_level
        }
        cols = {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth}
        dvs = [
            (str(dv.sqref), dv.type, dv.formula1, dv.showDropDown, dv.error, dv.prompt)
            for dv in ws.data_validations.dataValidation
        ]
        out[ws.title] = {
            "cells": cells,
            "dims": dims,
            "cols": cols,
            "dvs": dvs,
            "filter": ws.auto_filter.ref,
            "freeze": ws.freeze_panes,
            "print_titles": ws.print_title_rows,
            "setup": (ws.page_setup.orientation, ws.page_setup.paperSize,
                      ws.page_setup.fitToWidth, ws.page_setup.fitToHeight),
            "outline": ws.sheet_properties.outlinePr.summaryBelow
            if ws.sheet_properties.outlinePr else None,
            "dimension": ws.calculate_dimension(),
        }  # fmt: skip
    return out


def assert_same_master(plan, tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    write_master(plan, ours, force=True)
    write_master_openpyxl(plan, theirs)
    a, b = snapshot(ours), snapshot(theirs)
    for key in b:
        assert a[key] == b[key], key


def test_the_sample(sample_path, tmp_path):
    assert_same_master(load_plan(sample_path).plan, tmp_path)


def test_a_synthetic_master_past_the_dropdowns_rows(tmp_path):
    # 2,100 rows: the dropdown's range grows past the template's 2,000
    plan = read_plan(SourceTable("synteettinen", synthetic_grid(105, 20, seed=7)), default_scale())
    assert len(plan.rows) > 2000
    assert_same_master(plan, tmp_path)


def test_extra_columns_numbers_dates_and_a_longer_scale(tmp_path):
    # seven steps: more rows than the template's scale
    scale = StatusScale.from_lines(f"{i} Porras {i}" for i in range(1, 8))
    grid = [
        [*HEADERS, "Budjetti", "=Lisä"],
        ["01. Tavoite", "", "", "", "", "", "", "X", 1200.5, "=SUM(A1:A2)"],
        ["", "01.01 Vuositavoite", "", "", "", 3, "", "X", datetime(2021, 5, 31, 12), "@x"],
        ["", "", "01.01.01 Toimenpide", " riski ", "", "7 Porras 7", "a\nb", "X", True, ""],
    ]
    plan = read_plan(SourceTable("lähde.xlsx", grid), scale)
    assert plan.extra_columns
    assert_same_master(plan, tmp_path)


_text = st.lists(
    st.text(st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FF), max_size=8)
    | st.sampled_from(["_x000D_", "_x005F_", "=1+1", "&<>", "\x01", "\ufffe", " ", "\n", "\t"]),
    max_size=6,
).map("".join)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(_text, min_size=6, max_size=6))
def test_any_text_comes_out_as_the_openpyxl_writer_wrote_it(tmp_path, texts):
    grid = [
        HEADERS,
        ["01. " + texts[0], "", "", texts[1], texts[2], "", texts[3], texts[4]],
        ["", "01.01 Vuositavoite", "", "", "", "", texts[5], "X"],
    ]
    plan = read_plan(SourceTable("lähde", grid), default_scale())
    assert_same_master(plan, tmp_path)


def test_the_synthetic_follow_up_is_the_one_it_always_was(monkeypatch):
    """Its words are drawn faster now, and still as ``random.choice`` draws them: the
    benchmarks' masters stay the same from version to version."""
    import random

    from seuranta_xl import synthetic

    fast = synthetic_grid(20, 7, seed=2021)

    def sentence(rng: random.Random, words: int) -> str:
        body = " ".join(rng.choice(synthetic._WORDS) for _ in range(words))
        return body[:1].upper() + body[1:] + "."

    monkeypatch.setattr(synthetic, "_sentence", sentence)
    assert synthetic_grid(20, 7, seed=2021) == fast
