"""The add-in in real LibreOffice: it loads, its VBAProject library holds the very source of
macros/ (a corrupt module would open as an empty one, so the text is compared), and the
pure-VBA Asetukset button runs headless on a real master and shows its settings sheet."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from seuranta_xl.xlsx import addin
from seuranta_xl.xlsx.ovba import Module, compound_file, project_tree, vba_project

from .conftest import UNO_PYTHON

pytestmark = [pytest.mark.libreoffice, pytest.mark.usefixtures("libreoffice")]

LO_VBA = Path(__file__).with_name("lo_vba.py")
LO_HEADER = {
    False: "Rem Attribute VBA_ModuleType=VBAModule\nOption VBASupport 1\n",
    True: "Rem Attribute VBA_ModuleType=VBADocumentModule\nOption VBASupport 1\n",
}


def in_libreoffice(path: Path, macro: str | None = None) -> dict:
    """What tests/lo_vba.py reports on ``path`` (after running ``macro``)."""
    args = [UNO_PYTHON, str(LO_VBA), str(path)] + ([macro] if macro else [])
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def as_libreoffice_shows(module: Module) -> str:
    """The module as LibreOffice's Basic IDE holds it: Attribute lines become a header, LF."""
    lines = module.source.replace("\r\n", "\n").split("\n")
    body = "\n".join(line for line in lines if not line.startswith("Attribute VB_"))
    return LO_HEADER[module.document] + body


def same_source(shown: str, module: Module) -> bool:
    return shown.rstrip("\n") == as_libreoffice_shows(module).rstrip("\n")


def test_addin_loads_with_every_module_source_intact(tmp_path):
    target = tmp_path / addin.ADDIN_NAME
    target.write_bytes(addin.ADDIN_PATH.read_bytes())
    report = in_libreoffice(target)
    modules = {m.name: m for m in addin.addin_modules()}
    assert set(report["modules"]) == set(modules)
    for name, module in modules.items():
        assert same_source(report["modules"][name], module), name
    assert "Public Sub Asetukset(control As IRibbonControl)" in report["modules"]["Seuranta"]


def test_a_corrupt_module_opens_empty_so_the_comparison_can_fail(tmp_path):
    # the check above means something: a module stream that does not decompress still opens,
    # without any error, as an empty module
    modules = addin.addin_modules()
    tree = project_tree(modules)
    tree["VBA"]["Seuranta"] = tree["VBA"]["Seuranta"][:40]  # cut short
    corrupt = compound_file(tree)
    target = tmp_path / "corrupt.xlam"
    with zipfile.ZipFile(addin.ADDIN_PATH) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = corrupt if info.filename == "xl/vbaProject.bin" else src.read(info)
            dst.writestr(info, data)
    report = in_libreoffice(target)
    seuranta = next(m for m in modules if m.name == "Seuranta")
    assert not same_source(report["modules"].get("Seuranta", ""), seuranta)


def master_with_addin_module(master: Path, target: Path) -> Path:
    """``master`` as an .xlsm carrying the add-in's module, as when the coordinator clicks
    the button with the master active (the Sub acts on ActiveWorkbook)."""
    modules = [
        addin.read_module(addin.MACROS / "ThisWorkbook.cls"),
        addin.read_module(addin.MACROS / "Seuranta.bas"),
    ]
    with zipfile.ZipFile(master) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                text = data.decode().replace(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    addin.CT_XLSM,
                )
                text = text.replace(
                    "<Default ",
                    f'<Default Extension="bin" ContentType="{addin.CT_VBA}" /><Default ',
                    1,
                )
                data = text.encode()
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Type="{addin.REL_VBA}" Target="vbaProject.bin" '
                    'Id="rIdVba" /></Relationships>'.encode(),
                )
            elif info.filename == "xl/workbook.xml":
                data = re.sub(
                    rb"<workbookPr(?=[\s/>])", b'<workbookPr codeName="ThisWorkbook"', data, count=1
                )
            dst.writestr(info, data)
        dst.writestr("xl/vbaProject.bin", vba_project(modules))
    return target


def test_asetukset_shows_the_settings_sheet_of_a_real_master(tmp_path, sample_path):
    from seuranta_xl import init_master

    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    xlsm = master_with_addin_module(master, tmp_path / "seuranta.xlsm")
    before = in_libreoffice(xlsm)
    assert before["sheets"]["Asetukset"] is False
    assert same_source(
        before["modules"]["Seuranta"], addin.read_module(addin.MACROS / "Seuranta.bas")
    )

    after = in_libreoffice(xlsm, "Seuranta.Asetukset")
    assert after["error"] is None and after["ran"] == "Seuranta.Asetukset"
    assert after["sheets"]["Asetukset"] is True
    assert after["active"] == "Asetukset"
    # nothing else changes: the other hidden sheets stay hidden
    assert {k: v for k, v in after["sheets"].items() if k != "Asetukset"} == {
        k: v for k, v in before["sheets"].items() if k != "Asetukset"
    }


def test_asetukset_without_a_settings_sheet_changes_nothing(tmp_path):
    # the add-in itself is the active workbook here: it has no Asetukset sheet, so the Sub
    # only says so (a MsgBox, answered at once when headless) and touches no sheet
    target = tmp_path / addin.ADDIN_NAME
    target.write_bytes(addin.ADDIN_PATH.read_bytes())
    report = in_libreoffice(target, "Seuranta.Asetukset")
    assert report["error"] is None and report["ran"] == "Seuranta.Asetukset"
    assert report["sheets"] == {"Seuranta": True}
