"""The master template and the masters made from it: golden checks, part by part."""

from __future__ import annotations

import pytest

from seuranta_xl import init_master
from seuranta_xl.xlsx.template import build_template, template_path

from .workbook_parts import describe

STATUS_LIST = "Etenemisasteikko"


def test_committed_template_matches_the_build_script(tmp_path):
    fresh = tmp_path / "fresh.xlsx"
    build_template(fresh)
    assert describe(template_path()) == describe(fresh), (
        "xlsx_templates/seuranta_master.xlsx is stale: run python -m seuranta_xl.xlsx.template"
    )


def test_template_layout():
    d = describe(template_path())
    assert d["sheets"] == [
        "Seuranta",
        "Palautukset",
        "Muutosloki",
        "Asetukset",
        "Kierrokset",
        "seuranta_avain",
    ]
    assert d["defined_names"] == {"Etenemisasteikko": "'Asetukset'!$A$2:$A$6"}
    assert d["named_styles"] == sorted(
        [
            "Seuranta otsikko",
            "Seuranta aika",  # issue 10: the tool sheets' times
            "Seuranta tavoite",
            "Seuranta vuositavoite",
            "Seuranta toimenpide",
            "Seuranta teksti",
            "Seuranta tavoiterivi",
            "Seuranta vuositavoiterivi",
        ]
    )
    data = d["Seuranta"]
    assert data["state"] == "visible"
    assert data["freeze"] == "A2"
    assert data["cells"]["A1"][0] == "Valtuustokauden tavoite"
    assert data["cells"]["G1"][0] == "Tilannekuvaus"
    assert all(data["cells"][f"{c}1"][2] == "Seuranta otsikko" for c in "ABCDEFGH")
    assert data["validations"] == [("list", STATUS_LIST, "F2:F2001", True, True)]
    assert data["print"] == ("landscape", 1, 0, True, "$1:$1")
    assert data["widths"]["G"] == 60
    settings = d["Asetukset"]
    assert settings["state"] == "hidden"
    assert settings["cells"]["A4"][0] == "3 Toteutus on aloitettu, ei vielä valmis"


@pytest.fixture(scope="module")
def sample_master(tmp_path_factory, sample_path):
    return init_master(sample_path, tmp_path_factory.mktemp("m") / "seuranta.xlsx").master


def test_master_from_the_sample_looks_as_a_coordinator_expects(sample_master):
    d = describe(sample_master)
    data = d["Seuranta"]
    assert data["filter"] == "A1:H68"
    assert data["freeze"] == "A2"
    assert data["validations"] == [("list", STATUS_LIST, "F2:F2001", True, True)]
    # row 2 is goal 01., row 3 annual goal 01.01, row 6 action 01.03.01
    assert data["cells"]["A2"][2] == "Seuranta tavoite" and data["cells"]["A2"][3] is True
    assert data["cells"]["B3"][2] == "Seuranta vuositavoite"
    assert data["cells"]["C6"][2] == "Seuranta toimenpide"
    assert data["cells"]["G3"][5] is True  # wrapped commentary
    assert data["cells"]["G3"][2] == "Seuranta vuositavoiterivi" and data["cells"]["G3"][3] is False
    assert data["cells"]["G6"][2] == "Seuranta teksti"
    assert data["outline"][3] == 1 and data["outline"][6] == 2 and 2 not in data["outline"]
    # long commentaries get taller rows; no row is taller than Excel allows
    assert data["heights"][3] > 30
    assert max(data["heights"].values()) <= 409
    assert d["defined_names"] == {"Etenemisasteikko": "'Asetukset'!$A$2:$A$6"}


def test_master_with_many_rows_extends_the_dropdown(tmp_path):
    from .conftest import HEADERS

    lines = (
        ["\t".join(HEADERS)]
        + ["01. Tavoite\t\t\t\t\t\t\tX"]
        + [f"\t01.{i:02d} Vuositavoite\t\t\t\t3\t\tX" for i in range(1, 100)] * 25
    )
    src = tmp_path / "big.txt"
    src.write_text("\n".join(lines), encoding="utf-8")
    master = init_master(src, tmp_path / "big.xlsx").master
    data = describe(master)["Seuranta"]
    assert data["validations"][0][2] == f"F2:F{len(lines) + 500}"


def test_extra_columns_are_kept_after_the_known_ones(tmp_path):
    from openpyxl import load_workbook

    from .conftest import HEADERS

    src = tmp_path / "extra.txt"
    src.write_text("\t".join([*HEADERS, "Lisätietoja"]) + "\n01. A\t\t\t\t\t\t\tX\thuom\n", "utf-8")
    made = init_master(src, tmp_path / "extra.xlsx")
    ws = load_workbook(made.master)["Seuranta"]
    assert ws["I1"].value == "Lisätietoja" and ws["I2"].value == "huom"
    assert ws["I1"].style == "Seuranta otsikko"
    assert [f.rule for f in made.report if f.rule.startswith("header")] == [
        "header.extra",
        "header.blank_commentary",
    ]
