"""A click starts a fresh Python: importing the Excel entry points pulls in no workbook
library, no pandas and no xlwings, and the names the add-in's VBA calls exist."""

from __future__ import annotations

from .test_purity import _modules_after

ENTRY_POINTS = ("validate", "generate", "merge", "summary", "show_help")
"""What macros/Seuranta.bas calls (the contract with the add-in)."""


def test_importing_the_entry_points_imports_no_heavy_library():
    mods = _modules_after("import seuranta_xl.excel as x")
    for heavy in ("openpyxl", "pandas", "xlwings", "python_calamine", "numpy"):
        assert heavy not in mods, f"importing seuranta_xl.excel imports {heavy}"


def test_the_entry_points_the_add_in_calls_exist():
    import inspect

    import seuranta_xl.excel as x

    for name in ENTRY_POINTS:
        f = getattr(x, name)
        # the VBA calls them with no arguments
        assert all(
            p.default is not inspect.Parameter.empty
            for p in inspect.signature(f).parameters.values()
        ), name
