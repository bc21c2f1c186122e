"""What a returned cell means (issue 8, items 5, 11, 13, 14, 23): cells that cannot be
read, over-long texts, statuses not on the scale, put-back values, outdated rounds, repeated
codes, booleans and huge numbers. Real files: workbooks the tool made, edited with openpyxl,
mutated at XML level, or saved by LibreOffice."""

from __future__ import annotations

import difflib
import json
import math
import re
import struct
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from seuranta_xl import StatusMatch, default_scale, init_master
from seuranta_xl.api import generate, merge
from seuranta_xl.model import EXCEL_CELL_LIMIT, cell_text, format_number
from seuranta_xl.xlsx.cellkinds import cfb_stream, ods_cells, xlsx_cells

from .conftest import lo_edit, run_cli, soffice_convert
from .test_merge import KP, fill, log_rows, master_cells


def _sheet_xml(path: Path, sheet: str = "Seuranta") -> tuple[str, bytes]:
    from seuranta_xl.xlsx.patch import sheet_parts

    with zipfile.ZipFile(path) as zf:
        part = sheet_parts(zf)[sheet]
        return part, zf.read(part)


def _replace_cell(src: Path, dst: Path, ref: str, new_cell: bytes) -> Path:
    """A copy of a workbook whose cell ``ref`` on Seuranta is replaced by ``new_cell``."""
    part, xml = _sheet_xml(src)
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
    assert pattern.search(xml), ref
    xml = pattern.sub(lambda _m: new_cell, xml, count=1)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, xml if item.filename == part else zin.read(item))
    return dst


# --------------------------------------------------------------------------- item 5


def test_error_and_valueless_formula_cells_are_rejected_not_read_as_empty(issued, tmp_path):
    master, files = issued
    before = master_cells(master)
    base = fill(files[KP], tmp_path / "base.xlsx", {"G5": "Oikea muutos"})
    # as Excel or LibreOffice save =1/0, and as openpyxl saves a formula (no cached value)
    ret = _replace_cell(
        base, tmp_path / "a.xlsx", "G3", b'<c r="G3" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    )
    ret = _replace_cell(
        ret, tmp_path / "r.xlsx", "D4", b'<c r="D4"><f>NOSUCHFUNC(1)</f><v></v></c>'
    )
    out = run_cli("merge", str(master), str(ret), "--json", "--lang", "en")
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    rejected = {(c["code"], c["reason"]) for c in data["conflicts"]}
    assert rejected == {("01.01", "cell_error"), ("01.02", "cell_no_value")}
    assert {f["rule"] for f in data["findings"]} == {"return.cell_error", "return.cell_no_value"}
    cells = master_cells(master)
    assert cells["G3"] == before["G3"] and cells["G3"]  # the master's text stays
    assert cells["D4"] == before["D4"] and cells["D4"]
    assert cells["G5"] == "Oikea muutos"  # the rest of the return is merged
    decisions = [r[9] for r in log_rows(master) if r[5] in ("01.01", "01.02")]
    assert decisions == [
        "hylätty, ei viety (solussa virhearvo)",
        "hylätty, ei viety (solussa kaava ilman arvoa)",
    ]


def test_a_formula_typed_in_openpyxl_is_rejected(issued, tmp_path):
    master, files = issued
    before = master_cells(master)
    wb = load_workbook(files[KP])
    wb["Seuranta"]["G3"] = "=1/0"  # openpyxl saves it as a formula without a value
    ret = tmp_path / "r.xlsx"
    wb.save(ret)
    result = merge(master, [ret])
    assert [(c.code, c.reason) for _, c in result.conflicts] == [("01.01", "cell_no_value")]
    assert master_cells(master)["G3"] == before["G3"]


def test_scanners_find_the_cells():
    xml = (
        b'<row r="3"><c r="G3" s="8" t="e"><f aca="false">1/0</f><v>#DIV/0!</v></c>'
        b'<c r="H3"><f>A1</f></c><c r="I3" t="str"><f>""</f><v></v></c>'
        b'<c r="J3"><f>1+1</f><v>2</v></c><c r="K3" t="s"><v>0</v></c></row>'
    )
    assert xlsx_cells(xml) == {(3, 7): "cell_error", (3, 8): "cell_no_value"}
    ods = (
        b'<table:table table:name="Muu"><table:table-row><table:table-cell '
        b'calcext:value-type="error"/></table:table-row></table:table>'
        b'<table:table table:name="Seuranta"><table:table-row-group>'
        b'<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
        b'<table:table-row><table:table-cell table:number-columns-repeated="3"/>'
        b'<table:table-cell table:formula="of:=1/0" office:value-type="string" '
        b'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>'
        b'<table:table-cell table:formula="of:=A1"/></table:table-row>'
        b"</table:table-row-group></table:table>"
    )
    assert ods_cells(ods, "Seuranta") == {(3, 4): "cell_error", (3, 5): "cell_no_value"}


def test_a_damaged_xls_container_is_not_read_as_clean(tmp_path):
    with pytest.raises((ValueError, struct.error)):
        cfb_stream(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600, ("Workbook",))
    with pytest.raises(ValueError):
        cfb_stream(b"PK\x03\x04" + b"\0" * 600, ("Workbook",))


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_errors_saved_by_libreoffice_as_xlsx_ods_and_xls_are_rejected(issued, tmp_path):
    master, files = issued
    before = master_cells(master)
    edited = lo_edit(
        files[KP],
        tmp_path / "lo.xlsx",
        [
            {"sheet": "Seuranta", "cell": "G3", "value": "=1/0", "kind": "formula"},
            {"sheet": "Seuranta", "cell": "D4", "value": "=NOSUCHFUNC(1)", "kind": "formula"},
        ],
    )
    ods = soffice_convert(edited, tmp_path / "ods", "ods")
    xls = soffice_convert(edited, tmp_path / "xls", "xls")
    for ret in (edited, ods, xls):
        result = merge(master, [ret], dry_run=True)
        assert {(c.code, c.reason) for _, c in result.conflicts} == {
            ("01.01", "cell_error"),
            ("01.02", "cell_error"),
        }, ret
        assert not result.changes
    merge(master, [edited])
    cells = master_cells(master)
    assert (cells["G3"], cells["D4"]) == (before["G3"], before["D4"])


# --------------------------------------------------------------------------- item 11


def test_an_over_long_text_is_rejected_and_the_master_stays_valid(issued, tmp_path):
    master, files = issued
    long_text = "Pitkä selvitys. " * 2500  # 40,000 characters
    ret = fill(files[KP], tmp_path / "r.xlsx", {"G3": long_text, "G4": "lyhyt"})
    result = merge(master, [ret])
    assert [(c.code, c.reason) for _, c in result.conflicts] == [("01.01", "too_long")]
    assert [c.code for _, c in result.changes] == ["01.02"]
    (finding,) = [x for _, x in result.findings]
    assert finding.rule == "return.too_long" and str(EXCEL_CELL_LIMIT) in finding.message("en")
    assert run_cli("validate", str(master)).returncode == 0


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_an_over_long_text_in_an_ods_return_is_rejected(issued, tmp_path):
    master, files = issued
    xlsx = fill(files[KP], tmp_path / "r.xlsx", {"G3": "x" * 40_000})
    ods = soffice_convert(xlsx, tmp_path / "ods", "ods")
    result = merge(master, [ods])
    assert [(c.code, c.reason) for _, c in result.conflicts] == [("01.01", "too_long")]
    assert run_cli("validate", str(master)).returncode == 0
    assert (
        run_cli(
            "generate", str(master), "--out", str(tmp_path / "uusi"), "--round", "r2"
        ).returncode
        == 0
    )


# --------------------------------------------------------------------------- item 13


@pytest.mark.parametrize(
    "typed",
    ["2-3", "4 ei vielä, ehkä 2", "3.5", "3 valmis", "3 Suunnitteluvaiheessa, on edetty hieman"],
)
def test_statuses_not_on_the_scale_are_rejected(issued, tmp_path, typed):
    master, files = issued
    before = master_cells(master)["F3"]
    ret = fill(files[KP], tmp_path / "r.xlsx", {"F3": typed})
    result = merge(master, [ret])
    assert [(c.code, c.reason) for _, c in result.conflicts] == [("01.01", "status_unknown")]
    assert master_cells(master)["F3"] == before


def test_a_mistyped_label_with_its_number_is_read_by_the_number(issued, tmp_path):
    master, files = issued
    typo = "4 Toteutusvaiheessa lähellä valmistumista, ei vielä viimeistely/käyttöön otettu"
    ret = fill(files[KP], tmp_path / "r.xlsx", {"F4": typo, "F5": "2 suunnitteluvaiheessa"})
    result = merge(master, [ret])
    assert not result.conflicts and len(result.changes) == 2
    cells = master_cells(master)
    assert cells["F4"] == default_scale().display(4)
    assert cells["F5"] == default_scale().display(2)


def test_validate_reports_the_lenient_forms_as_unknown(tmp_path):
    from .conftest import HEADERS, write_xlsx

    src = write_xlsx(
        tmp_path / "s.xlsx",
        [
            HEADERS,
            ["01. A", "", "", "", "", "", "", "X"],
            ["", "01.01 B", "", "", "", "2-3", "", "X"],
            ["", "01.02 C", "", "", "", "4 ei vielä, ehkä 2", "", "X"],
            ["", "01.03 D", "", "", "", "3.5", "", "X"],
            ["", "01.04 E", "", "", "", 3.0, "", "X"],
        ],
    )
    report = init_master(src, tmp_path / "m.xlsx").report
    unknown = [f.cell for f in report if f.rule == "status.unknown"]
    assert unknown == ["F3", "F4", "F5"]
    assert [f.cell for f in report if f.rule == "status.format"] == ["F6"]


SCALE = default_scale()
_labels = st.sampled_from([label for _, label in SCALE.labels])
_seps = st.sampled_from([" ", "  ", " - ", ": ", ") ", ". ", "\u00a0", " – "])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(value=st.sampled_from(SCALE.values), sep=_seps, upper=st.booleans())
def test_every_listed_form_is_read(value, sep, upper):
    label = SCALE.label(value)
    forms = [
        SCALE.display(value),
        str(value),
        f"{value}.0",
        float(value),
        value,
        label,
        f"{value}{sep}{label}",
        f"  {value}{sep}{label.upper() if upper else label.lower()}  ",
    ]
    for form in forms:
        assert SCALE.parse(form).value == value, form


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    value=st.sampled_from(SCALE.values),
    other=st.text(st.characters(codec="utf-8"), min_size=1, max_size=40),
    sep=_seps,
)
def test_a_number_with_an_unrelated_text_is_not_on_the_scale(value, other, sep):
    """Random text after a number is read (by the number) only when it is that step's
    label: mistyped (similar) or its first words."""
    parsed = SCALE.parse(f"{value}{sep}{other}")
    if parsed.match is StatusMatch.UNKNOWN:
        return
    assert parsed.value == value
    written = " ".join(other.split()).casefold().rstrip(".!")
    label = SCALE.label(value).casefold()
    close = difflib.SequenceMatcher(None, written, label, autojunk=False).ratio() >= 0.85
    assert not written.strip(" -–:.)") or close or label.startswith(written.lstrip(" -–:.)"))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    value=st.sampled_from(SCALE.values), cut=st.integers(min_value=0, max_value=3), data=st.data()
)
def test_a_mistyped_label_is_read_by_its_number(value, cut, data):
    label = SCALE.label(value)
    i = data.draw(st.integers(min_value=0, max_value=len(label) - 1))
    typo = label[:i] + label[i + 1 :] if cut else label[:i] + label[i].swapcase() + label[i + 1 :]
    assert SCALE.parse(f"{value} {typo}").value == value


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    value=st.sampled_from(SCALE.values),
    number=st.integers(min_value=0, max_value=99),
    sep=_seps,
)
def test_a_second_number_in_the_text_is_never_read_by_the_first(value, number, sep):
    label = SCALE.label(value)
    for text in (f"{value}{sep}{number}", f"{value}{sep}{label}, ehkä {number}"):
        assert SCALE.parse(text).match is StatusMatch.UNKNOWN, text


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.floats(), st.integers(), st.booleans()))
def test_a_number_is_read_as_a_status_only_when_whole_and_on_the_scale(raw):
    on_scale = (
        not isinstance(raw, bool) and math.isfinite(raw) and raw == int(raw) and raw in SCALE.values
    )
    assert (SCALE.parse(raw).value is not None) == on_scale
    assert (SCALE.parse(str(raw)).value is not None) == (on_scale and float(raw) == int(raw))


# --------------------------------------------------------------------------- item 14


def test_a_later_return_putting_back_the_issued_value_is_a_conflict(issued, tmp_path):
    master, files = issued
    mistaken = fill(
        files[KP], tmp_path / "1.xlsx", {"G3": "Väärä rivi!"}, saved=datetime(2021, 4, 10)
    )
    assert merge(master, [mistaken]).ok
    original = load_workbook(files[KP])["Seuranta"]["G3"].value
    # the owner takes the mistake back (G3 as issued) and fills another cell
    fixed = fill(files[KP], tmp_path / "2.xlsx", {"G4": "Oikea rivi"}, saved=datetime(2021, 4, 11))
    out = run_cli("merge", str(master), str(fixed), "--json")
    assert out.returncode == 1
    data = json.loads(out.stdout)
    (conflict,) = data["conflicts"]
    assert (conflict["code"], conflict["reason"]) == ("01.01", "owner_reverted")
    assert (conflict["returned"], conflict["master"]) == (original, "Väärä rivi!")
    assert [c["code"] for c in data["changes"]] == ["01.02"]
    assert master_cells(master)["G3"] == "Väärä rivi!"  # not silently kept: reported
    assert any("aiempi muutos" in str(r[9]) for r in log_rows(master))


def test_the_same_within_one_run(issued, tmp_path):
    master, files = issued
    a = fill(files[KP], tmp_path / "in" / "a.xlsx", {"G3": "Väärä"}, saved=datetime(2021, 4, 10))
    b = fill(files[KP], tmp_path / "in" / "b.xlsx", {"G4": "Oikea"}, saved=datetime(2021, 4, 11))
    result = merge(master, [a, b], dry_run=True)
    assert [(c.code, c.reason) for _, c in result.conflicts] == [("01.01", "owner_reverted")]
    # a coordinator's own later change is not the owner's edit: no conflict for it
    assert merge(master, [a]).ok
    from openpyxl import load_workbook as lw

    wb = lw(master)
    wb["Seuranta"]["G3"] = "Koordinaattori korjasi"
    wb.save(master)
    assert merge(master, [b]).ok


def test_a_return_of_an_outdated_round_is_rejected(issued, tmp_path):
    master, files = issued
    late = fill(files[KP], tmp_path / "myöhässä.xlsx", {"G3": "Kevään teksti"})
    newer = generate(
        master, tmp_path / "syksy", round_id="2021-syksy", owners=[KP], now=datetime(2021, 9, 1)
    )
    autumn = {f.owner: f.path for f in newer.files}
    # an owner not issued the autumn round still returns the spring one
    other = next(o for o in files if o != KP)
    spring = fill(files[other], tmp_path / "muu.xlsx", {"G3": "Kevät"})
    assert merge(master, [spring], dry_run=True).files[0].reason != "outdated_round"
    # the autumn round went out: the spring values are stale even before autumn returns
    (early,) = merge(master, [late], dry_run=True).files
    assert (early.result, early.reason) == ("rejected", "outdated_round")
    ret = fill(autumn[KP], tmp_path / "syksy.xlsx", {"G3": "Syksyn teksti"})
    assert merge(master, [ret]).ok
    out = run_cli("merge", str(master), str(late), "--json")
    assert out.returncode == 1
    (f,) = json.loads(out.stdout)["files"]
    assert f["result"] == "rejected" and "uudempi kierros" in f["reason"]
    assert master_cells(master)["G3"] == "Syksyn teksti"


# --------------------------------------------------------------------------- item 23


def test_the_same_code_twice_in_a_return_rejects_those_rows(issued, tmp_path):
    master, files = issued
    before = master_cells(master)
    wb = load_workbook(files[KP])
    ws = wb["Seuranta"]
    row = [c.value for c in ws[3]]
    ws.insert_rows(4)
    for col, value in enumerate(row, start=1):
        ws.cell(row=4, column=col, value=value)
    ws["G3"], ws["G4"] = "Versio A", "Versio B"
    ws["G5"] = "Eri rivi, ei ristiriitaa"  # now 01.02's row
    ret = tmp_path / "r.xlsx"
    wb.save(ret)
    out = run_cli("merge", str(master), str(ret), "--json")
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert {(c["code"], c["reason"]) for c in data["conflicts"]} == {("01.01", "duplicate_code")}
    assert not data["proposals"]
    assert [x["rule"] for x in data["findings"]].count("return.duplicate_code") == 2
    cells = master_cells(master)
    assert cells["G3"] == before["G3"] and cells["G4"] == "Eri rivi, ei ristiriitaa"


def test_booleans_and_huge_numbers_are_read_as_excel_shows_them(issued, tmp_path):
    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", {"G3": True, "G4": 1e308, "D3": 0.1 + 0.2})
    merge(master, [ret])
    cells = master_cells(master)
    assert (cells["G3"], cells["G4"], cells["D3"]) == ("TRUE", "1E+308", "0.3")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.floats(), st.integers(min_value=-(2**63), max_value=2**63)))
@example(1.7976931348623151e308)  # rounded to 15 digits it would read back as infinity
@example(-1.7976931348623157e308)
def test_a_number_never_becomes_a_long_digit_string(x):
    text = format_number(x)
    assert len(text) <= 22
    if text != "#NUM!":
        assert float(text) == pytest.approx(float(x), rel=1e-14)
    assert cell_text(True) == "TRUE" and cell_text(False) == "FALSE" and cell_text(None) == ""
