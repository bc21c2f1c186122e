"""The plan reader's faster loop reads what the earlier one read: the same rows, values,
codes, statuses, extras and blank rows, from ragged grids with every kind of blank cell
(hypothesis, against the earlier implementation kept here)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from seuranta_xl.layout import (
    LEVEL_FIELDS,
    Header,
    _cell,
    _is_blank,
    find_header,
    read_plan,
)
from seuranta_xl.model import (
    CodeCell,
    Field,
    Plan,
    Row,
    SourceTable,
    StatusScale,
    parse_code_cell,
)
from seuranta_xl.scale import default_scale
from tests.conftest import HEADERS


def _old_read_plan(table: SourceTable, scale: StatusScale, header: Header) -> Plan:
    start = header.row - table.first_row + 1
    rows: list[Row] = []
    blanks: list[int] = []
    extra_cols = [c for c, _ in header.extras]
    columns = list(header.columns.items())
    level_columns = [(f, header.columns[f]) for f in LEVEL_FIELDS if f in header.columns]
    status_col = header.columns.get(Field.STATUS)
    for offset, cells in enumerate(table.cells[start:]):
        sheet_row = header.row + 1 + offset
        if all(_is_blank(v) for v in cells):
            blanks.append(sheet_row)
            continue
        width = len(cells)
        values = {f: (cells[col - 1] if col <= width else None) for f, col in columns}
        used = tuple(
            f for f, col in level_columns if col <= width and not _is_blank(cells[col - 1])
        )
        column_level = LEVEL_FIELDS.index(used[0]) + 1 if used else None
        code_cell = parse_code_cell(values[used[0]]) if used else CodeCell(None, "")
        rows.append(
            Row(
                sheet_row=sheet_row,
                column_level=column_level,
                code_cell=code_cell,
                status=scale.parse(
                    cells[status_col - 1] if status_col and status_col <= width else None
                ),
                values=values,
                sheet=table.name,
                columns=header.columns,
                extras=tuple(_cell(cells, c) for c in extra_cols),
                level_fields_used=used,
            )
        )
    last = rows[-1].sheet_row if rows else header.row
    return Plan(
        sheet=table.name,
        header_row=header.row,
        columns=header.columns,
        headers=header.texts,
        rows=tuple(rows),
        scale=scale,
        extra_columns=header.extras,
        blank_rows=tuple(b for b in blanks if b < last),
        source=table.name,
    )


cell_values = st.one_of(
    st.sampled_from(
        [None, "", " ", "\t", "\u00a0", "01.", "01.02", "01.02.03 Toimenpide", "1.2 x", "3", 3,
         3.0, "Pormestari", "riski", True, 0]
    ),
    st.text(max_size=6),
    st.integers(-5, 5),
)  # fmt: skip
grid_rows = st.lists(st.lists(cell_values, max_size=11), max_size=25)


@settings(max_examples=300, deadline=None)
@given(grid_rows, st.booleans())
def test_read_plan_as_before(body: list[list[object]], extra: bool) -> None:
    head: list[object] = [*HEADERS, "Oma sarake"] if extra else list(HEADERS)
    table = SourceTable("Seuranta", [["Otsikko"], head, *body])
    header = find_header(table)
    scale = default_scale()
    assert read_plan(table, scale, header) == _old_read_plan(table, scale, header)


def test_load_plan_leaves_the_collector_as_it_found_it(tmp_path: Path, sample_path: Path) -> None:
    import gc

    from seuranta_xl import init_master
    from seuranta_xl.xlsx.read import load_plan

    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    assert gc.isenabled()
    assert load_plan(master).plan.rows
    assert gc.isenabled()
    gc.disable()
    try:
        assert load_plan(master).plan.rows
        assert not gc.isenabled()
    finally:
        gc.enable()
