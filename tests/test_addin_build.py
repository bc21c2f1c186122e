"""The add-in (xlsx_templates/seuranta.xlam) is built from macros/ and says what it must:
the committed file is a fresh build, the ribbon's buttons reach the contract's Subs, every
RunPython command names an entry point of seuranta_xl.excel, and olevba reads every module
back byte for byte."""

from __future__ import annotations

import importlib
import inspect
import re
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from seuranta_xl.xlsx import addin
from seuranta_xl.xlsx.ovba import Module

REPO = Path(__file__).resolve().parents[1]
MACROS = REPO / "macros"

# the contract between the add-in and seuranta_xl/excel.py (issue 9): button -> Python
ENTRY_POINTS = {
    "Tarkista": "validate",
    "LuoTyokirjat": "generate",
    "YhdistaPalautukset": "merge",
    "PaivitaYhteenveto": "summary",
    "Ohje": "show_help",
}
PURE_VBA = {"Asetukset"}
LABELS = {
    "Tarkista": "Tarkista",
    "LuoTyokirjat": "Luo täyttötyökirjat",
    "YhdistaPalautukset": "Yhdistä palautukset",
    "PaivitaYhteenveto": "Päivitä yhteenveto",
    "Asetukset": "Asetukset",
    "Ohje": "Ohje",
}
COMMAND = re.compile(r"^import seuranta_xl\.excel as x; x\.(\w+)\(\)$")
CUI = "{http://schemas.microsoft.com/office/2009/07/customui}"


def vba_files() -> list[Path]:
    return sorted([*MACROS.glob("*.bas"), *MACROS.glob("*.cls")])


def subs(source: str) -> dict[str, str]:
    """Sub name -> (parameter list, body) of a VBA module, as text."""
    found = re.findall(
        r"^(?:Public |Private )?Sub (\w+)\(([^)]*)\)\r?\n(.*?)^End Sub", source, re.M | re.S
    )
    return {name: (params, body) for name, params, body in found}


def run_python_commands() -> dict[str, list[str]]:
    """Sub -> the command strings it hands to RunPython, over every module in macros/."""
    out: dict[str, list[str]] = {}
    for path in vba_files():
        for name, (_, body) in subs(path.read_text("utf-8")).items():
            out[name] = re.findall(r'^\s*RunPython\s+"([^"]*)"', body, re.M)
    return out


def test_committed_addin_is_a_fresh_build(tmp_path):
    fresh = tmp_path / "seuranta.xlam"
    assert addin.main([str(fresh)]) == 0
    assert fresh.read_bytes() == addin.ADDIN_PATH.read_bytes(), (
        "xlsx_templates/seuranta.xlam is stale: run `uv run python -m seuranta_xl.xlsx.addin`"
    )


def test_two_builds_give_the_same_bytes():
    assert addin.build_addin() == addin.build_addin()


def test_the_wheel_ships_the_addin():
    pyproject = (REPO / "pyproject.toml").read_text("utf-8")
    assert '"xlsx_templates/seuranta.xlam" = "seuranta_xl/templates/seuranta.xlam"' in pyproject


def test_macros_are_cp1252_text_with_a_module_name_line():
    for path in vba_files():
        text = path.read_text("utf-8")
        text.encode("cp1252")  # raises on anything VBA cannot store
        assert text.startswith(f'Attribute VB_Name = "{path.stem}"\n'), path
        assert "\r" not in text, f"{path}: the repository keeps LF; the build writes CRLF"
    module = addin.read_module(MACROS / "Seuranta.bas")
    raw = module.source_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert "ä".encode("cp1252") in raw


def test_package_parts_are_those_design_md_lists():
    with zipfile.ZipFile(addin.ADDIN_PATH) as z:
        names = set(z.namelist())
        assert names == {
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
            "xl/vbaProject.bin",
            "customUI/customUI14.xml",
        }
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
        types = ET.fromstring(z.read("[Content_Types].xml"))
        ct = "{http://schemas.openxmlformats.org/package/2006/content-types}"
        defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(f"{ct}Default")}
        overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{ct}Override")}
        assert defaults["bin"] == "application/vnd.ms-office.vbaProject"
        assert overrides["/xl/workbook.xml"] == (
            "application/vnd.ms-excel.addin.macroEnabled.main+xml"
        )
        rel = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
        root = {
            r.get("Type"): r.get("Target") for r in ET.fromstring(z.read("_rels/.rels")).iter(rel)
        }
        assert (
            root["http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"]
            == "customUI/customUI14.xml"
        )
        wb_rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels")).iter(rel)
        wb = {r.get("Type"): r.get("Target") for r in wb_rels}
        assert (
            wb["http://schemas.microsoft.com/office/2006/relationships/vbaProject"]
            == "vbaProject.bin"
        )
        main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        workbook = ET.fromstring(z.read("xl/workbook.xml"))
        assert workbook.find(f"{main}workbookPr").get("codeName") == "ThisWorkbook"
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        assert sheet.find(f"{main}sheetPr").get("codeName") == "Sheet1"
        assert z.read("customUI/customUI14.xml") == (MACROS / "customUI14.xml").read_bytes()


def test_ribbon_tab_buttons_and_their_subs():
    ui = ET.parse(MACROS / "customUI14.xml").getroot()
    tabs = list(ui.iter(f"{CUI}tab"))
    assert [(t.get("id"), t.get("label")) for t in tabs] == [("SeurantaTab", "Seuranta")]
    buttons = list(tabs[0].iter(f"{CUI}button"))
    module = subs((MACROS / "Seuranta.bas").read_text("utf-8"))
    seen = {}
    for b in buttons:
        module_name, _, sub = b.get("onAction").partition(".")
        assert module_name == "Seuranta", b.get("onAction")
        assert sub in module, f"onAction {b.get('onAction')} has no Sub in Seuranta.bas"
        assert module[sub][0].strip() == "control As IRibbonControl", sub
        assert b.get("size") == "large" and b.get("imageMso"), b.get("id")
        seen[sub] = b.get("label")
    assert seen == LABELS
    # one group per step
    assert len(list(tabs[0].iter(f"{CUI}group"))) >= 4


def test_every_run_python_command_names_a_contract_entry_point():
    commands = run_python_commands()
    for sub, function in ENTRY_POINTS.items():
        assert commands.get(sub) == [f"import seuranta_xl.excel as x; x.{function}()"], sub
    for sub in PURE_VBA:
        assert commands.get(sub) == [], f"{sub} must not need Python"
    named = {COMMAND.match(c) for cs in commands.values() for c in cs}
    assert None not in named, "a RunPython command that is not `import ...; x.name()`"
    # the one call into xlwings' add-in, no copy of its VBA, no reference to it
    text = "\n".join(p.read_text("utf-8") for p in vba_files())
    assert text.count("Application.Run ") == 1
    assert "Application.Run \"'xlwings.xlam'!RunPython\", pythonCode" in text
    assert 'Attribute VB_Name = "Main"' not in text


def test_run_python_commands_import_and_call_on_linux():
    try:
        excel = importlib.import_module("seuranta_xl.excel")
    except ModuleNotFoundError as exc:
        if exc.name != "seuranta_xl.excel":
            raise
        pytest.skip("seuranta_xl/excel.py is not there yet: only the contract's names checked")
    for commands in run_python_commands().values():
        for command in commands:
            function = getattr(excel, COMMAND.match(command).group(1), None)
            assert callable(function), f"{command}: no such function in seuranta_xl.excel"
            required = [
                p
                for p in inspect.signature(function).parameters.values()
                if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
            assert not required, f"{command}: VBA calls it with no arguments"


def test_olevba_gives_back_every_module_byte_for_byte():
    with warnings.catch_warnings():  # oletools' pyparsing grammar warns on import
        warnings.simplefilter("ignore")
        from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(addin.ADDIN_PATH), relaxed=False)
    try:
        assert parser.detect_vba_macros()
        got = {
            stream.split("/")[-1]: code.encode("cp1252")
            for _, stream, _, code in parser.extract_macros()
        }
    finally:
        parser.close()
    expected = {m.name: m.source_bytes() for m in addin.addin_modules()}
    assert set(got) == {"ThisWorkbook", "Sheet1", "Seuranta"}
    for name, raw in expected.items():
        assert got[name] == raw, f"module {name} differs after a round trip through olevba"


def test_a_module_name_must_match_its_file(tmp_path):
    bad = tmp_path / "Other.bas"
    bad.write_text('Attribute VB_Name = "Seuranta"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"must live in Seuranta\.bas"):
        addin.read_module(bad)
    with pytest.raises(ValueError, match="ASCII"):
        from seuranta_xl.xlsx.ovba import vba_project

        vba_project([Module("Päivitä", 'Attribute VB_Name = "Päivitä"\n')])
