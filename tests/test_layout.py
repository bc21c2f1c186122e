"""Finding headers and reading rows from grids and text files."""

from __future__ import annotations

import pytest

from seuranta_xl import Field, LayoutError, SourceTable, default_scale, find_header, read_plan
from seuranta_xl.layout import match_header
from seuranta_xl.xlsx.text import decode, guess_delimiter, parse_delimited

from .conftest import HEADERS


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Valtuustokauden tavoite", Field.GOAL),
        ("VUOSITAVOITE", Field.ANNUAL_GOAL),
        ("Toimenpiteet", Field.ACTION),
        ("Merkittävimmät tavoitteen toteuttamista uhkaavat riskit", Field.RISKS),
        ("Kokonais-tilanne", Field.OVERALL),
        ("Kokonais-\ntilanne", Field.OVERALL),
        ("Etenemisaste", Field.STATUS),
        ("Tilannekuvaus", Field.COMMENTARY),
        ("Vastuuhenkilö", Field.OWNER),
        ("Fullmäktigeperiodens mål", Field.GOAL),
        ("Årsmål", Field.ANNUAL_GOAL),
        ("Åtgärd", Field.ACTION),
        ("Risker", Field.RISKS),
        ("Ansvarsperson", Field.OWNER),
        ("Kommentar", Field.COMMENTARY),
        ("Annual goal", Field.ANNUAL_GOAL),
        ("Owner", Field.OWNER),
        ("Progress status", Field.STATUS),
        ("Overall status", Field.OVERALL),
        ("Vastuuhenkilö(t)", Field.OWNER),
        ("Lisätietoja", None),
        ("", None),
        (None, None),
    ],
)
def test_header_aliases(header, field):
    assert match_header(header) is field


def test_header_below_the_top_columns_in_any_order_commentary_named():
    grid = [
        ["Tuusulan kunta"],
        [],
        ["Strategian seuranta 2021"],
        [
            "Vastuuhenkilö",
            "Etenemisaste",
            "Toimenpide",
            "Vuositavoite",
            "Valtuustokauden tavoite",
            "Kommentti",
            "Riskit",
        ],
        ["Pormestari", "", "", "", "01. Tavoite", "", ""],
    ]
    header = find_header(SourceTable("S", grid))
    assert header.row == 4
    assert header.columns[Field.OWNER] == 1
    assert header.columns[Field.GOAL] == 5
    assert header.columns[Field.COMMENTARY] == 6
    assert Field.OVERALL not in header.columns
    plan = read_plan(SourceTable("S", grid), default_scale(), header)
    assert plan.rows[0].owner == "Pormestari"
    assert plan.rows[0].cells[Field.GOAL].address == "E5"


def test_blank_commentary_header_is_recognised():
    grid = [[], [], HEADERS, ["01. A", "", "", "", "", "", "kommentti", "X"]]
    header = find_header(SourceTable("S", grid))
    assert header.row == 3
    assert header.columns[Field.COMMENTARY] == 7
    assert header.commentary_from_blank


def test_extra_and_duplicate_columns_are_kept():
    grid = [
        [*HEADERS[:7], "Vastuuhenkilö", "Lisätietoja", "Vastuuhenkilö"],
        ["01. A", "", "", "", "", "", "", "X", "huom", "Y"],
    ]
    table = SourceTable("S", grid)
    header = find_header(table)
    assert header.extras == ((9, "Lisätietoja"), (10, "Vastuuhenkilö"))
    # two exact names for one field: which is meant cannot be told (issue 8, item 8)
    assert header.duplicates == ()
    assert header.ambiguous == ((Field.OWNER, (8, 10)),)
    assert header.columns[Field.OWNER] == 8
    plan = read_plan(table, default_scale(), header)
    assert plan.rows[0].extras == ("huom", "Y")


def test_no_header_is_a_layout_error():
    with pytest.raises(LayoutError) as err:
        find_header(SourceTable("x.csv", [["a", "b"], ["1", "2"]]))
    assert "x.csv" in str(err.value)
    assert "otsikkoriviä" in err.value.message("fi")
    assert "no header row" in err.value.message("en")


def test_trailing_blank_rows_are_not_reported_but_inner_ones_are():
    grid = [HEADERS, ["01. A"], [], ["", "01.01 B"], [""], [], []]
    plan = read_plan(SourceTable("S", grid), default_scale())
    assert [r.sheet_row for r in plan.rows] == [2, 4]
    assert plan.blank_rows == (3,)


# --------------------------------------------------------------------------- text files


def test_tsv_as_copied_from_excel():
    text = 'a\tb\n"two\nlines"\t"say ""hi"""\n\t\n"quoted start" rest\tx\n'
    assert parse_delimited(text, "\t") == [
        ["a", "b"],
        ["two\nlines", 'say "hi"'],
        ["", ""],
        ['"quoted start" rest', "x"],
    ]


def test_crlf_and_trailing_separator():
    assert parse_delimited("a;b;\r\nc;d;e\r\n", ";") == [["a", "b", ""], ["c", "d", "e"]]


def test_blank_lines_stay_rows():
    assert parse_delimited("\n\na\n", "\t") == [[""], [""], ["a"]]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("äö".encode(), "äö"),
        ("\ufeffäö".encode(), "äö"),
        ("äö".encode("utf-16"), "äö"),
        ("äö".encode("cp1252"), "äö"),
    ],
)
def test_decode(data, expected):
    assert decode(data, "x") == expected


def test_guess_delimiter():
    assert guess_delimiter("a\tb;c\n") == "\t"
    assert guess_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert guess_delimiter("a,b,c\n") == ","
