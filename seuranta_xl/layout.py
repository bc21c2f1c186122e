"""Finding the header and the columns of a follow-up sheet, and reading its rows.

Headers are matched by name and alias in Finnish, Swedish and English; the header row
may stand anywhere near the top and the columns in any order. Pure: works on a grid of
cell values that an edge read from a file.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from .errors import LayoutError
from .model import (
    LEVEL_FIELDS,
    CodeCell,
    Field,
    Plan,
    Row,
    SourceTable,
    StatusScale,
    parse_code_cell,
)

HEADER_SEARCH_ROWS = 25
"""How far down the header row is looked for."""

# Exact names first (after normalising case, spaces and hyphens), then word stems.
HEADER_ALIASES: dict[Field, tuple[str, ...]] = {
    Field.GOAL: (
        "valtuustokauden tavoite",
        "valtuustokauden tavoitteet",
        "strateginen tavoite",
        "strategiset tavoitteet",
        "tavoite",
        "fullmäktigeperiodens mål",
        "fullmäktigemål",
        "strategiskt mål",
        "mål",
        "council term goal",
        "council-term goal",
        "strategic goal",
        "goal",
    ),
    Field.ANNUAL_GOAL: (
        "vuositavoite",
        "vuositavoitteet",
        "toiminnallinen tavoite",
        "årsmål",
        "årligt mål",
        "annual goal",
        "annual goals",
        "annual objective",
    ),
    Field.ACTION: (
        "toimenpide",
        "toimenpiteet",
        "åtgärd",
        "åtgärder",
        "action",
        "actions",
        "measure",
    ),
    Field.RISKS: (
        "merkittävimmät tavoitteen toteuttamista uhkaavat riskit",
        "riskit",
        "riski",
        "risker",
        "risk",
        "risks",
    ),
    Field.OVERALL: (
        "kokonaistilanne",
        "kokonaistila",
        "tilanne",
        "helhetsläge",
        "lägesbedömning",
        "overall status",
        "overall",
    ),
    Field.STATUS: (
        "etenemisaste",
        "eteneminen",
        "edistyminen",
        "tila",
        "framskridande",
        "status",
        "progress",
        "progress status",
    ),
    Field.COMMENTARY: (
        "tilannekuvaus",
        "tilanteen kuvaus",
        "kommentti",
        "kommentit",
        "selitys",
        "perustelut",
        "lägesbeskrivning",
        "kommentar",
        "kommentarer",
        "commentary",
        "comment",
        "comments",
        "status description",
    ),
    Field.OWNER: (
        "vastuuhenkilö",
        "vastuuhenkilöt",
        "vastuutaho",
        "vastuussa",
        "vastuuhenkilö / taho",
        "ansvarsperson",
        "ansvarig",
        "owner",
        "responsible",
        "responsible person",
    ),
}

# Stems catch longer headers such as "Merkittävimmät riskit ja niiden hallinta".
HEADER_STEMS: dict[Field, tuple[str, ...]] = {
    Field.GOAL: ("valtuustokauden tavoit", "fullmäktigeperiod", "council term goal"),
    Field.ANNUAL_GOAL: ("vuositavoit", "årsmål", "annual goal"),
    Field.ACTION: ("toimenpi", "åtgärd"),
    Field.RISKS: ("riski", "risker", "risk"),
    Field.OVERALL: ("kokonaistil", "helhetsl", "overall"),
    Field.STATUS: ("etenemis", "framskrid", "progress"),
    Field.COMMENTARY: ("tilannekuva", "kommentt", "kommentar", "comment"),
    Field.OWNER: ("vastuuhenkil", "vastuutah", "ansvar", "responsible", "owner"),
}

CANONICAL_HEADERS_FI: dict[Field, str] = {
    Field.GOAL: "Valtuustokauden tavoite",
    Field.ANNUAL_GOAL: "Vuositavoite",
    Field.ACTION: "Toimenpide",
    Field.RISKS: "Merkittävimmät tavoitteen toteuttamista uhkaavat riskit",
    Field.OVERALL: "Kokonaistilanne",
    Field.STATUS: "Etenemisaste",
    Field.COMMENTARY: "Tilannekuvaus",
    Field.OWNER: "Vastuuhenkilö",
}

_NORM_RE = re.compile(r"[\s\u00a0\-_/]+")


def normalize_header(value: object) -> str:
    """Lower case, hyphens and runs of white space made one space: ``Kokonais-tilanne``
    and ``Kokonaistilanne`` both become comparable."""
    if value is None:
        return ""
    text = str(value).casefold().replace("-\n", "").replace("-", "")
    return _NORM_RE.sub(" ", text).strip(" :*")


# keyed without spaces, so "Vastuu henkilö" and "Vastuuhenkilö" match alike
_ALIAS_INDEX = {
    normalize_header(a).replace(" ", ""): f for f, names in HEADER_ALIASES.items() for a in names
}


MAX_HEADER_LENGTH = 120
"""Longer text is a value, not a header: it is not even looked at."""


def match_header(value: object) -> Field | None:
    """The field a header cell names, or None."""
    if not isinstance(value, str) or len(value) > MAX_HEADER_LENGTH:
        return None
    return _match_header_text(value)


def _match_header_text(value: str) -> Field | None:
    found = _match_header_strength(value)
    return found[0] if found is not None else None


def match_header_strength(value: object) -> tuple[Field, bool] | None:
    """The field a header cell names and whether by an exact alias (True) or only by a
    word stem (False), or None."""
    if not isinstance(value, str) or len(value) > MAX_HEADER_LENGTH:
        return None
    return _match_header_strength(value)


@lru_cache(maxsize=4096)
def _match_header_strength(value: str) -> tuple[Field, bool] | None:
    norm = normalize_header(value)
    if not norm:
        return None
    exact = _ALIAS_INDEX.get(norm.replace(" ", ""))
    if exact is not None:
        return exact, True
    for f, stems in HEADER_STEMS.items():
        if any(stem in norm for stem in stems):
            return f, False
    return None


@dataclass(frozen=True)
class Header:
    """Where the header stands and which column holds which field."""

    row: int  # sheet row
    columns: dict[Field, int]  # field -> 1-based column
    texts: dict[Field, str]
    extras: tuple[tuple[int, str], ...]  # unrecognised columns with a header: kept as they are
    duplicates: tuple[tuple[Field, int], ...]  # a field named again in a later column
    commentary_from_blank: bool = False
    # a field two or more columns name equally well (two exact names, or no exact name and
    # two stems): which column is meant cannot be told; the first is read, the rest are
    # extras, and the header is an error to fix
    ambiguous: tuple[tuple[Field, tuple[int, ...]], ...] = ()


def find_header(table: SourceTable) -> Header:
    """Find the header row: the row near the top that names most fields.

    Raises LayoutError when no row names a code column and at least two other fields.
    """
    best: tuple[int, int, dict[Field, list[int]]] | None = None
    for i, cells in enumerate(table.cells[:HEADER_SEARCH_ROWS]):
        if best is not None and i > best[1] + 3:
            break  # the rows under a header are data: a better header is not that far down
        found = _candidates(cells)
        score = len(found)
        has_level = any(f in found for f in LEVEL_FIELDS)
        if has_level and score >= 3 and (best is None or score > best[0]):
            best = (score, i, found)
    if best is None:
        raise LayoutError(
            "no_header", source=table.name, rows=min(len(table.cells), HEADER_SEARCH_ROWS)
        )
    _, i, candidates = best
    # the field's column: its one column of the best strength; the first of several, which
    # is then an ambiguity to report
    columns = {f: cols[0] for f, cols in candidates.items()}
    ambiguous = tuple((f, tuple(cols)) for f, cols in candidates.items() if len(cols) > 1)
    cells = table.cells[i]
    texts: dict[Field, str] = {f: str(cells[c - 1]).strip() for f, c in columns.items()}
    extras: list[tuple[int, str]] = []
    duplicates: list[tuple[Field, int]] = []
    used = set(columns.values())
    equal = {c for _, cols in ambiguous for c in cols}
    for j, value in enumerate(cells):
        col = j + 1
        if col in used or value is None or not str(value).strip():
            continue
        f = match_header(value)
        if f is not None and col not in equal:
            duplicates.append((f, col))  # a weaker name of a field another column names
        extras.append((col, str(value).strip()))
    from_blank = False
    if Field.COMMENTARY not in columns:
        blank = _blank_commentary_column(table, i, columns)
        if blank is not None:
            columns[Field.COMMENTARY] = blank
            texts[Field.COMMENTARY] = ""
            from_blank = True
    return Header(
        row=table.first_row + i,
        columns=dict(sorted(columns.items(), key=lambda kv: kv[1])),
        texts=texts,
        extras=tuple(extras),
        duplicates=tuple(duplicates),
        commentary_from_blank=from_blank,
        ambiguous=ambiguous,
    )


def _candidates(cells: Sequence[object]) -> dict[Field, list[int]]:
    """Per field, the columns naming it at the best strength found in the row: every exact
    alias when there is one (an exact name beats a stem), else every stem."""
    exact: dict[Field, list[int]] = {}
    stem: dict[Field, list[int]] = {}
    for j, value in enumerate(cells):
        found = match_header_strength(value)
        if found is not None:
            (exact if found[1] else stem).setdefault(found[0], []).append(j + 1)
    return {**stem, **exact}


def _blank_commentary_column(
    table: SourceTable, header_index: int, columns: dict[Field, int]
) -> int | None:
    """The sample leaves the commentary's header empty: take the one blank-headed column
    inside the header's span that holds data."""
    header = table.cells[header_index]
    span = range(min(columns.values()), max(columns.values()) + 1)
    used = set(columns.values())
    blanks = [
        c
        for c in span
        if c not in used
        and (c > len(header) or header[c - 1] is None or not str(header[c - 1]).strip())
    ]
    with_data = [
        c
        for c in blanks
        if any(_cell(r, c) not in (None, "") for r in table.cells[header_index + 1 :])
    ]
    if len(with_data) == 1:
        return with_data[0]
    if not with_data and len(blanks) == 1:
        return blanks[0]
    return None


def _cell(cells: Sequence[object], column: int) -> object:
    return cells[column - 1] if column - 1 < len(cells) else None


def _is_blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cycle collector held off while many objects are made and none is garbage (a
    master read, its summary made): it would walk the whole plan again and again, a fifth
    of the time at 20,000 rows. Reference counting frees as usual; the collector is set
    back as it was."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _blank_row(cells: Sequence[object]) -> bool:
    """Every cell blank (as ``_is_blank``), looked at until the first that is not."""
    for value in cells:
        if value is None or value == "":
            continue
        if isinstance(value, str) and not value.strip():
            continue
        return False
    return True


def read_plan(table: SourceTable, scale: StatusScale, header: Header | None = None) -> Plan:
    """Read the rows under the header into a Plan.

    Nothing is dropped but empty rows, whose sheet rows are kept in ``blank_rows`` so they
    can be reported; trailing empty rows are not counted.
    """
    header = header or find_header(table)
    start = header.row - table.first_row + 1
    rows: list[Row] = []
    blanks: list[int] = []
    extra_cols = [c for c, _ in header.extras]
    columns = list(header.columns.items())
    level_columns = [(f, header.columns[f]) for f in LEVEL_FIELDS if f in header.columns]
    status_col = header.columns.get(Field.STATUS)
    sheet_columns = header.columns
    name = table.name
    parse_status = scale.parse
    for offset, cells in enumerate(table.cells[start:]):
        sheet_row = header.row + 1 + offset
        if _blank_row(cells):
            blanks.append(sheet_row)
            continue
        width = len(cells)
        if all(col <= width for _, col in columns):
            values = {f: cells[col - 1] for f, col in columns}
        else:
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
                status=parse_status(
                    cells[status_col - 1] if status_col and status_col <= width else None
                ),
                values=values,
                sheet=name,
                columns=sheet_columns,
                extras=tuple(_cell(cells, c) for c in extra_cols) if extra_cols else (),
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
