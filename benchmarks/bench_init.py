"""Benchmark: ``init`` of a synthetic master, seuranta-xl against the openpyxl writer it
replaced (issue 10).

    uv run python benchmarks/bench_init.py                # 1,000 owners x 20 rows
    uv run python benchmarks/bench_init.py --owners 100   # 2,000 rows

Both sides read the same synthetic follow-up into a plan, validate it and write the master
from the template: seuranta-xl copies the template's zip and writes the data sheet as XML
strings; the baseline (``init_openpyxl.py``, the writer before issue 10) loads the template
with openpyxl, fills the data sheet cell by cell and saves. Each side runs in its own
process. Reported as the ratio baseline / seuranta-xl, measured in the same run; the target
is at least 3x.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

TARGET = 3.0


def _plan(spec: str):  # type: ignore[no-untyped-def]
    from seuranta_xl.layout import read_plan
    from seuranta_xl.model import SourceTable
    from seuranta_xl.rules import validate_plan
    from seuranta_xl.scale import default_scale
    from seuranta_xl.synthetic import synthetic_grid

    owners, rows = (int(n) for n in spec.split("x"))
    plan = read_plan(SourceTable("bench", synthetic_grid(owners, rows, seed=2021)), default_scale())
    validate_plan(plan)
    return plan


def run_ours(spec: str, out: str) -> None:
    from seuranta_xl.xlsx.master import write_master

    write_master(_plan(spec), Path(out), force=True)


def run_baseline(spec: str, out: str) -> None:
    from init_openpyxl import write_master_openpyxl

    write_master_openpyxl(_plan(spec), Path(out))


def main() -> int:
    args = common.arguments(__doc__)
    if common.run_child_if_asked(args, run_ours, run_baseline):
        return 0
    spec = f"{args.owners}x{args.rows}"
    with tempfile.TemporaryDirectory() as tmp:
        print(f"init: {args.owners} owners x {args.rows} rows = {args.owners * args.rows} rows")
        base = common.measure(__file__, "baseline", spec, str(Path(tmp) / "base.xlsx"))
        ours = common.measure(__file__, "ours", spec, str(Path(tmp) / "ours.xlsx"))
        common.report(ours, base, TARGET, "template zip copied, data sheet as XML strings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
