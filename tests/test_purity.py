"""The core imports no workbook library, and validation stays off openpyxl and pandas."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "seuranta_xl",
    "seuranta_xl.model",
    "seuranta_xl.layout",
    "seuranta_xl.findings",
    "seuranta_xl.rules",
    "seuranta_xl.texts",
    "seuranta_xl.render",
    "seuranta_xl.scale",
    "seuranta_xl.rounds",
    "seuranta_xl.merge",
    "seuranta_xl.synthetic",
    "seuranta_xl.collect",
    "seuranta_xl.api",
    "seuranta_xl.celltext",
    "seuranta_xl.paths",
    "seuranta_xl.demo",
]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def test_core_imports_neither_openpyxl_nor_xlwings():
    mods = _modules_after("\n".join(f"import {m}" for m in CORE))
    for heavy in ("openpyxl", "xlwings", "pandas", "python_calamine"):
        assert heavy not in mods, f"the core imports {heavy}"


def test_validate_reads_without_openpyxl_or_pandas(tmp_path, sample_path):
    from seuranta_xl import init_master

    master = init_master(sample_path, tmp_path / "m.xlsx").master
    mods = _modules_after(f"import seuranta_xl; seuranta_xl.validate({str(master)!r})")
    assert "python_calamine" in mods
    assert "openpyxl" not in mods and "pandas" not in mods


def test_cli_start_up_imports_no_workbook_library():
    mods = _modules_after("import seuranta_xl.cli")
    assert not {"openpyxl", "pandas", "xlwings", "python_calamine"} & mods
