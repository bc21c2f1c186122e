"""Benchmark: a click on *Tarkista*, from process start to the result, against a bare Python.

    uv run python benchmarks/bench_excel_start.py            # best of 5
    uv run python benchmarks/bench_excel_start.py --runs 1   # a quick look

Every RunPython click starts a fresh Python, so what the coordinator waits for is the
interpreter's start, the imports and the work. Each run starts a new process that puts
the xlwings fake of the tests (tests/excel_fake.py) in place of xlwings and calls
``seuranta_xl.excel.validate()`` on a fresh master made from the bundled sample: the
workbook is closed, validated, its findings marked (which needs openpyxl), reopened, and
the message box "shown". The baseline is ``python -c pass`` measured in the same run;
the target is at most 0.5 s for the click. Excel's own part (closing and opening the
workbook, starting RunPython) is not in it: Excel cannot run here.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.5

CLICK = """
import sys
{first}
sys.path.insert(0, {root!r})
from tests import excel_fake


class _Modules:
    def setitem(self, mapping, key, value):
        mapping[key] = value


book = excel_fake.install(_Modules(), {master!r}, dialogs=False)
import seuranta_xl.excel as x

x.validate()
assert book.app.messages and book.app.messages[-1].startswith("Tarkistettu"), book.app.alerts
heavy = ("openpyxl", "pandas", "numpy", "python_calamine")
print("modules", " ".join(m for m in heavy if sys.modules.get(m) is not None))
"""
RUNPYTHON_FIRST = "import xlwings.utils  # what RunPython's command line runs before ours"
WITHOUT_PANDAS = "sys.modules['pandas'] = sys.modules['numpy'] = None; " + RUNPYTHON_FIRST
"""An environment where neither is installed, simulated: seuranta-xl itself uses neither
(pandas is only the tests' independent oracle)."""


def timed(code: str) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return time.perf_counter() - start, out.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    from seuranta_xl import init_master
    from seuranta_xl.api import demo_source

    with tempfile.TemporaryDirectory() as tmp:
        made = init_master(demo_source(), Path(tmp) / "made" / "seuranta.xlsx").master
        base: list[float] = []
        ours: list[float] = []
        full: list[float] = []
        lean: list[float] = []
        imported = {"ours": "", "full": "", "lean": ""}
        for n in range(args.runs):
            base.append(timed("pass")[0])
            for side, first, times in (
                ("ours", "", ours),
                ("full", RUNPYTHON_FIRST, full),
                ("lean", WITHOUT_PANDAS, lean),
            ):
                folder = Path(tmp) / f"{side}{n}"
                folder.mkdir()
                master = shutil.copy(made, folder / made.name)
                code = CLICK.format(first=first, root=str(ROOT), master=str(master))
                seconds, out = timed(code)
                times.append(seconds)
                imported[side] = out.split("modules", 1)[-1].strip() or "-"
    bare = min(base)
    print(f"baseline (python -c pass)             : {min(base):6.3f} s  best of {args.runs}")
    print(
        f"Tarkista (validate and mark, sample)  : {min(ours):6.3f} s  "
        f"(+{min(ours) - bare:.3f} s; imports {imported['ours']})"
    )
    print(
        f"  the same after RunPython's xlwings  : {min(full):6.3f} s  "
        f"(+{min(full) - bare:.3f} s; imports {imported['full']})"
    )
    print(
        f"  the same without pandas and numpy   : {min(lean):6.3f} s  "
        f"(+{min(lean) - bare:.3f} s; imports {imported['lean']})"
    )
    for name, best in (
        ("ours", min(ours)),
        ("after xlwings", min(full)),
        ("after xlwings, no pandas/numpy", min(lean)),
    ):
        verdict = "met" if best <= TARGET else "NOT met"
        print(f"target <= {TARGET:g} s process start to result ({name}): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
