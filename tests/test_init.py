"""``init`` from each kind of source: CSV, xlsx, an existing master with its own scale."""

from __future__ import annotations

import pytest

from seuranta_xl import Field, WriteError, init_master, validate

from .conftest import HEADERS, write_xlsx


def test_semicolon_csv_in_windows_1252(tmp_path):
    csv = tmp_path / "vienti.csv"
    lines = [
        ";".join(HEADERS),
        "01. Tavoite;;;;;;;Pormestari",
        ';01.01 Vuositavoite;;"Riski; jossa erotin";;3 Toteutus on aloitettu, ei vielä valmis;"Kaksi\nriviä";Kansliapäällikkö',
    ]
    csv.write_bytes("\r\n".join(lines).encode("cp1252"))
    made = init_master(csv, tmp_path / "m.xlsx")
    rows = made.plan.rows
    assert len(rows) == 2
    assert rows[1].risks == "Riski; jossa erotin"
    assert rows[1].commentary == "Kaksi\nriviä"
    assert rows[1].owner == "Kansliapäällikkö"
    assert validate(made.master).plan.rows[1].commentary == "Kaksi\nriviä"


def test_xlsx_source_with_numbers_and_header_lower_down(tmp_path):
    src = write_xlsx(
        tmp_path / "src.xlsx",
        [
            ["Strategian seuranta 2021"],
            [],
            HEADERS,
            ["01. Tavoite", None, None, None, None, None, None, "Pormestari"],
            [None, "01.01 Vuositavoite", None, None, None, 3, None, "Pormestari"],
        ],
        sheet="Kevät 2021",
    )
    made = init_master(src, tmp_path / "m.xlsx")
    assert made.plan.sheet == "Kevät 2021"
    assert made.plan.rows[1].values[Field.STATUS] == 3
    assert [(f.rule, f.cell) for f in made.report if f.rule.startswith("status")] == [
        ("status.format", "F5")
    ]
    from openpyxl import load_workbook

    ws = load_workbook(made.master)["Seuranta"]
    assert ws["F3"].value == 3 and ws["F3"].data_type == "n"


def test_a_master_as_source_keeps_its_own_scale(tmp_path):
    from openpyxl import load_workbook

    first = init_master(
        write_xlsx(
            tmp_path / "s.xlsx",
            [
                HEADERS,
                ["01. A", "", "", "", "", "", "", "X"],
                ["", "01.01 B", "", "", "", "2 Keltainen", "", "X"],
            ],
        ),
        tmp_path / "first.xlsx",
    )
    # "2 Keltainen" is not the default scale's step 2 mistyped: not on that scale
    assert [f.rule for f in first.report if f.rule.startswith("status")] == ["status.unknown"]
    wb = load_workbook(first.master)
    settings = wb["Asetukset"]
    for r, text in enumerate(["1 Punainen", "2 Keltainen", "3 Vihreä", None, None], start=2):
        settings.cell(row=r, column=1).value = text
    wb.save(first.master)
    second = init_master(first.master, tmp_path / "second.xlsx")
    assert second.plan.scale.values == (1, 2, 3)
    assert not [f for f in second.report if f.rule.startswith("status")]
    again = validate(second.master)
    assert again.plan.scale.display(2) == "2 Keltainen"
    assert (
        load_workbook(second.master).defined_names["Etenemisasteikko"].attr_text
        == "'Asetukset'!$A$2:$A$4"
    )


def test_target_must_be_xlsx(tmp_path, sample_path):
    with pytest.raises(WriteError) as err:
        init_master(sample_path, tmp_path / "m.xlsm")
    assert err.value.key == "not_xlsx"
