"""Validation rules: planted faults are found at their exact cells, and nothing else."""

from __future__ import annotations

import pytest

from seuranta_xl import Severity, SourceTable, default_scale, find_header, init_master, read_plan
from seuranta_xl import validate as validate_file
from seuranta_xl.rules import looks_like_formula, validate_plan

from .conftest import HEADERS, S3, write_xlsx

HEAD = [*HEADERS[:6], "Tilannekuvaus", "Vastuuhenkilö"]


def row(a="", b="", c="", risks="", overall="", status=S3, comment="", owner="Kanslia"):
    return [a, b, c, risks, overall, status, comment, owner]


PLANTED = [
    HEAD,
    row(a="01. Tavoite", status=""),
    row(b="01.01 Vuositavoite"),
    row(b="1.3 Huolimaton koodi"),
    row(b="01.03.01 Toimenpide väärässä sarakkeessa"),
    row(b="01.04 Ensimmäinen"),
    row(b="01.04 Kaksoiskappale"),
    row(b="01.05 Tuntematon aste", status="7"),
    row(b="01.06 Sanallinen aste", status="valmis"),
    row(b="01.07 Kaava", comment='=HYPERLINK("http://x","y")'),
    row(c="05.02.01 Orpo toimenpide"),
]
EXPECTED = {
    ("code.format", "B4", "01.03"),
    ("code.column", "B5", "01.03.01"),
    ("code.duplicate", "B7", "01.04"),
    ("status.unknown", "F8", "01.05"),
    ("status.unknown", "F9", "01.06"),
    ("text.formula", "G10", "01.07"),
    ("hierarchy.parent_missing", "C11", "05.02.01"),
}


def _problems(report):
    return {(f.rule, f.cell, f.code) for f in report if f.severity is not Severity.INFO}


def test_planted_faults_in_an_xlsx_are_found_at_their_cells(tmp_path):
    path = write_xlsx(tmp_path / "planted.xlsx", PLANTED)
    result = validate_file(path)
    assert _problems(result.report) == EXPECTED
    assert not result.ok


def test_planted_faults_survive_init_into_the_master_at_the_same_cells(tmp_path):
    source = write_xlsx(tmp_path / "planted.xlsx", PLANTED)
    made = init_master(source, tmp_path / "master.xlsx")
    assert _problems(made.report) == EXPECTED
    result = validate_file(made.master)
    assert _problems(result.report) == EXPECTED
    # the formula-like commentary stays text in the master, never a live formula
    from openpyxl import load_workbook

    cell = load_workbook(made.master)["Seuranta"]["G10"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","y")'


def _check(rows):
    table = SourceTable("S", [HEAD, *rows])
    header = find_header(table)
    return validate_plan(read_plan(table, default_scale(), header), header)


def _found(rows):
    return sorted((f.rule, f.cell, f.severity.value) for f in _check(rows))


def test_parent_after_child():
    assert _found([row(a="01. A", status=""), row(c="01.01.01 x"), row(b="01.01 y")]) == [
        ("hierarchy.order", "B4", "warning"),
        ("hierarchy.parent_after", "C3", "error"),
    ]


def test_code_under_the_wrong_parent():
    rows = [
        row(a="01. A", status=""),
        row(b="01.01 x"),
        row(a="02. B", status=""),
        row(b="01.02 misplaced"),
    ]
    assert _found(rows) == [("hierarchy.prefix", "B5", "error")]


def test_codes_out_of_order():
    rows = [row(a="02. B", status=""), row(a="01. A", status="")]
    assert _found(rows) == [("hierarchy.order", "A3", "warning")]


def test_skipped_numbers_are_normal():
    rows = [
        row(a="01. A", status=""),
        row(b="01.04 x"),
        row(b="01.06 y"),
        row(a="03. C", status=""),
    ]
    assert _found(rows) == []


def test_title_owner_and_status_rules():
    rows = [
        row(a="01. A", status="", owner=""),
        row(b="01.01", owner="X"),
        row(b="01.02 y", owner=""),
        row(b="01.03 z", status=""),
        row(b="01.04 w", status="3"),
    ]
    assert _found(rows) == [
        ("owner.missing", "H2", "info"),
        ("owner.missing", "H4", "warning"),
        ("status.format", "F6", "info"),
        ("status.missing", "F5", "warning"),
        ("status.no_owner", "F4", "warning"),
        ("title.missing", "B3", "warning"),
    ]


def test_unparseable_missing_and_several_level_codes():
    rows = [
        row(a="01. A", status=""),
        row(b="Vuositavoite ilman koodia"),
        row(comment="vain kommentti", status="", owner=""),
        row(b="01.02 x", c="01.02.01 y"),
        row(b="01.03.01.01 syvä"),
    ]
    assert _found(rows) == [
        ("code.depth", "B6", "error"),
        ("code.missing", "A4", "error"),
        ("code.unparseable", "B3", "error"),
        ("row.several_levels", "C5", "error"),
    ]


def test_too_long_and_control_characters():
    rows = [
        row(a="01. A", status=""),
        row(b="01.01 x", comment="a" * 32_768),
        row(b="01.02 y", risks="a\x01b"),
    ]
    assert _found(rows) == [("text.control", "D4", "warning"), ("text.too_long", "G3", "error")]


def test_missing_columns_are_reported_once():
    table = SourceTable(
        "S", [["Valtuustokauden tavoite", "Vuositavoite", "Vastuuhenkilö"], ["01. A", "", "X"]]
    )
    header = find_header(table)
    report = validate_plan(read_plan(table, default_scale(), header), header)
    assert sorted(f.params["field_name"] for f in report.by_rule("header.missing")) == sorted(
        [
            "Toimenpide",
            "Merkittävimmät tavoitteen toteuttamista uhkaavat riskit",
            "Kokonaistilanne",
            "Etenemisaste",
            "Tilannekuvaus",
        ]
    )
    assert not report.by_rule("status.missing")


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ('=HYPERLINK("http://x","y")', True),
        ("=cmd|' /C calc'!A0", True),
        ("+SUM(A1)", True),
        ("@SUM(A1)", True),
        ("-x+1", True),
        ("- luettelon kohta", False),
        ("-5 % budjetista", False),
        ("Tavallinen teksti = ei kaava", False),
        ("=", False),
    ],
)
def test_formula_like_text(text, formula):
    assert looks_like_formula(text) is formula


def test_every_rule_has_messages_in_both_languages():
    from seuranta_xl.texts import RULES

    report = _check([row(b="01.03.01.01 syvä"), row(a="1 A", status="7", comment="=x")])
    assert report.findings
    for f in report:
        assert f.rule in RULES
        assert f.message("fi") and f.message("en")
        assert f.message("fi") != f.message("en")
