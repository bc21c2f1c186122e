"""The sheet writer's fast row builder writes what the straightforward one wrote: the same
cells, the same rows and the same style indices in the same order (hypothesis, against the
earlier implementation kept here)."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from seuranta_xl.model import column_letter
from seuranta_xl.xlsx.ooxml import cell_xml
from seuranta_xl.xlsx.sheetspec import DATE_FORMAT, DATE_TIME_FORMAT, Cell, Look, SheetSpec
from seuranta_xl.xlsx.sheetxml import _rows, render, serial
from seuranta_xl.xlsx.styles import MINIMAL_STYLES, StyleBook


def _old_cell(ref: str, cell: Cell, book: StyleBook, styles: dict[int, int]) -> str:
    value = cell.value
    look = cell.look
    if isinstance(value, datetime | date):
        if not look.number_format:
            fmt = DATE_TIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
            look = Look(**{**look.__dict__, "number_format": fmt})
        return cell_xml(ref, serial(value), book.index(look))
    style = styles.get(id(look))
    if style is None:
        style = styles[id(look)] = book.index(look)
    return cell_xml(ref, value, style)


def _old_rows(spec: SheetSpec, book: StyleBook) -> tuple[list[str], str]:
    """The rows and the dimension as ``render`` wrote them before (issue 10)."""
    rows: dict[int, list[tuple[int, Cell]]] = {}
    for (r, c), cell in spec.cells.items():
        rows.setdefault(r, []).append((c, cell))
    for r in spec.heights:
        rows.setdefault(r, [])
    body = []
    styles: dict[int, int] = {}
    letters: dict[int, str] = {}
    last_col = 1
    for r in sorted(rows):
        attrs = f' r="{r}"'
        if r in spec.heights:
            attrs += f' ht="{spec.heights[r]:g}" customHeight="1"'
        row = rows[r]
        row.sort(key=lambda item: item[0])
        parts = []
        for c, cell in row:
            letter = letters.get(c)
            if letter is None:
                letter = letters[c] = column_letter(c)
                last_col = max(last_col, c)
            parts.append(_old_cell(f"{letter}{r}", cell, book, styles))
        body.append(f"<row{attrs}>{''.join(parts)}</row>")
    last_row = max((r for r in rows if rows[r]), default=1)
    dimension = "A1" if not spec.cells else f"A1:{column_letter(last_col)}{last_row}"
    return body, dimension


LOOKS = [
    Look(),
    Look(bold=True),
    Look(wrap=True, fill="DDEBF7", border=True),
    Look(number_format="0 %", halign="right"),
    Look(italic=True, color="808080", size=9),
    Look(number_format=DATE_FORMAT),
]
texts = st.one_of(
    st.sampled_from(["", " ", "a", " a", "a ", "x & y", "<b>", "_x000D_", "rivi\nrivi", "ä"]),
    st.text(max_size=12),
)
values = st.one_of(
    texts,
    st.integers(-(10**16), 10**16),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.dates(date(1900, 3, 1), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)),
)
# a look by number and whether the cell gets its own equal copy (as layouts make them)
cells = st.tuples(values, st.integers(0, len(LOOKS) - 1), st.booleans())
positions = st.tuples(st.integers(1, 40), st.integers(1, 30))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(positions, cells, max_size=60),
    st.dictionaries(st.integers(1, 45), st.floats(5, 400).map(lambda h: round(h, 2))),
)
def test_rows_as_before(
    placed: dict[tuple[int, int], tuple[object, int, bool]], heights: dict[int, float]
) -> None:
    spec = SheetSpec("overview", "X", heights=heights)
    for (r, c), (value, n, copy) in placed.items():
        look = Look(**LOOKS[n].__dict__) if copy else LOOKS[n]
        spec.put(r, c, value, look)  # type: ignore[arg-type]
    old_book = StyleBook(MINIMAL_STYLES.encode())
    new_book = StyleBook(MINIMAL_STYLES.encode())
    old_body, dimension = _old_rows(spec, old_book)
    body, last_col, last_row = _rows(spec, new_book)
    assert "".join(body) == "".join(old_body)
    if spec.cells:
        assert f"A1:{column_letter(last_col)}{last_row}" == dimension
    assert new_book.xml() == old_book.xml()
    xml = render(spec, StyleBook(MINIMAL_STYLES.encode()), "X").xml.decode()
    assert f'<dimension ref="{dimension}"/>' in xml
    assert f"<sheetData>{''.join(old_body)}</sheetData>" in xml
