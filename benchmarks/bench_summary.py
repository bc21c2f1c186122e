"""Benchmark: summary, summary --out, validate --mark and init, against openpyxl loading and
saving the same master.

    uv run python benchmarks/bench_summary.py                    # 1,000 owners x 20 rows
    uv run python benchmarks/bench_summary.py --owners 50        # a quick look
    uv run python benchmarks/bench_summary.py --growth           # and 2,000 ... 100,000 rows
    uv run python benchmarks/bench_summary.py --growth --sizes 2000,10000

The master is synthetic (owners x rows, 20,000 rows at full size) with a round issued to
every owner and a few returns merged, so the rounds, the returns tracker and the change log
are filled as after a real round. Each operation runs in its own process on its own copy of
that same fresh master (a run changes its master): ``summary`` (the summary sheets into
the master), ``summary --out`` (and a standalone summary), ``validate --mark`` (the findings
sheet and highlights) and ``init`` (a new master from an .xlsx source holding the same rows:
the synthetic master as it was before the round). The baseline is what a user of openpyxl
would do to change the master at all: ``load_workbook`` and ``save``, measured in the same
run; the targets are at most a quarter of its time (ratio >= 4x). ``init`` is measured
against init as it was before issue 10 (openpyxl loads the template, fills the rows and
saves; the frozen copy in ``init_openpyxl.py``): the target is at least 3x faster. Peak
memory of each operation (its workers included) is held against 300 MB.

``--growth`` adds a table (Markdown) of seconds and peak memory per operation and of both
baselines, for masters of 2,000 to 100,000 rows (``--sizes``): ``--rows`` rows per owner,
up to 2,000 owners, and more rows per owner beyond 40,000 rows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

TARGET = 4.0  # summary, summary --out, validate --mark: at most a quarter of the baseline
INIT_TARGET = 3.0  # init: at least 3x faster than init as it was
MEMORY_LIMIT_MB = 300.0  # megabytes (10^6 bytes)
SIZES = (2_000, 10_000, 20_000, 50_000, 100_000)
MAX_OWNERS = 2_000  # beyond this the growth table's masters get more rows per owner
RETURNS = 10  # returns merged into the master before the measurements

# name -> how it is shown; the operations measured against a baseline, and which
OPERATIONS = {
    "summary": "summary",
    "summary-out": "summary --out",
    "mark": "validate --mark",
    "init": "init",
}
BASELINES = {
    "openpyxl": "openpyxl load + save",
    "init-before": "init before (openpyxl)",
}
BASELINE_OF = {
    "summary": "openpyxl",
    "summary-out": "openpyxl",
    "mark": "openpyxl",
    "init": "init-before",
}


# --------------------------------------------------------------------------- the sides


def run_summary(master: str, _: str) -> None:
    from seuranta_xl.api import summary

    summary(master)


def run_summary_out(master: str, out: str) -> None:
    from seuranta_xl.api import summary

    result = summary(master, out=out)
    assert result.standalone is not None and Path(out).exists()


def run_mark(master: str, _: str) -> None:
    from seuranta_xl.api import validate_and_mark

    validate_and_mark(master)


def run_init(source: str, target: str) -> None:
    from seuranta_xl.api import init_master

    init_master(source, target)


def run_openpyxl(master: str, _: str) -> None:
    """The baseline: openpyxl loads the master and saves it, as a user of openpyxl would."""
    from openpyxl import load_workbook

    wb = load_workbook(master)
    wb.save(master)


def run_init_before(source: str, target: str) -> None:
    """init as it was before issue 10: the source read as ``init`` reads it, then the
    master written by the frozen copy of the openpyxl writer (``init_openpyxl.py``)."""
    from init_openpyxl import write_master_openpyxl

    from seuranta_xl.rules import validate_plan
    from seuranta_xl.xlsx.read import load_plan

    loaded = load_plan(source)
    validate_plan(loaded.plan, loaded.header)
    write_master_openpyxl(loaded.plan, Path(target))


SIDES: dict[str, Callable[[str, str], None]] = {
    "summary": run_summary,
    "summary-out": run_summary_out,
    "mark": run_mark,
    "init": run_init,
    "openpyxl": run_openpyxl,
    "init-before": run_init_before,
}


# --------------------------------------------------------------------------- the run


def prepare(work: Path, owners: int, rows: int, returns: int) -> tuple[Path, Path, int, int]:
    """The fresh master (a round issued, ``returns`` returns merged) and the init source
    (the same rows, before the round). Returns both, the rows and the returns merged."""
    from bench_merge import fill_return

    from seuranta_xl.api import generate, merge, synthetic_master

    work.mkdir(parents=True, exist_ok=True)
    source = work / "source.xlsx"
    made = synthetic_master(source, owners=owners, rows_per_owner=rows)
    master = work / "master.xlsx"
    shutil.copy(source, master)
    issued = generate(master, work / "issued", round_id="bench")
    back = work / "returns"
    back.mkdir()
    for n, f in enumerate(issued.files[:returns]):
        fill_return(f.path, back / f.path.name, n)
    merged = merge(master, [back]) if returns else None
    assert merged is None or merged.written
    shutil.rmtree(work / "issued")
    return master, source, len(made.plan.rows), min(returns, len(issued.files))


def measure(which: str, master: Path, source: Path, work: Path) -> dict[str, float]:
    """One side on its own fresh copy, in its own process."""
    if which in ("init", "init-before"):
        target = work / f"{which}-new.xlsx"
        target.unlink(missing_ok=True)
        return common.measure(__file__, which, str(source), str(target))
    copy = work / f"{which}.xlsx"
    shutil.copy(master, copy)
    out = work / f"{which}-summary.xlsx"
    out.unlink(missing_ok=True)
    result = common.measure(__file__, which, str(copy), str(out))
    copy.unlink()
    return result


def measure_all(master: Path, source: Path, work: Path) -> dict[str, dict[str, float]]:
    return {w: measure(w, master, source, work) for w in (*BASELINES, *OPERATIONS)}


def within_memory(side: dict[str, float]) -> bool:
    return side["peak_mib"] * 1024 * 1024 / 1e6 < MEMORY_LIMIT_MB


def report(results: dict[str, dict[str, float]]) -> None:
    """Each operation against its baseline and its target, and its peak memory."""
    limit_mib = MEMORY_LIMIT_MB * 1e6 / 1024 / 1024
    for which, label in BASELINES.items():
        side = results[which]
        print(f"baseline {label:<24}: {side['seconds']:7.2f} s  peak {side['peak_mib']:7.1f} MiB")
    for which, label in OPERATIONS.items():
        ours, base = results[which], results[BASELINE_OF[which]]
        target = INIT_TARGET if which == "init" else TARGET
        ratio = base["seconds"] / ours["seconds"]
        print(
            f"{label:<16}: {ours['seconds']:7.2f} s  peak {ours['peak_mib']:7.1f} MiB"
            f"  ratio {ratio:6.2f}x against {BASELINES[BASELINE_OF[which]]}"
            f" (target >= {target:g}x: {'met' if ratio >= target else 'NOT met'});"
            f" memory < {MEMORY_LIMIT_MB:g} MB ({limit_mib:.0f} MiB):"
            f" {'met' if within_memory(ours) else 'NOT met'}"
        )


def growth_shape(size: int, rows: int) -> tuple[int, int]:
    """Owners and rows per owner for a master of about ``size`` rows: ``rows`` each, up to
    MAX_OWNERS owners (the synthetic sheet's two-digit goal codes hold 2,475), then more
    rows each."""
    owners = max(1, min(size // rows, MAX_OWNERS))
    return owners, max(rows, -(-size // owners))


def growth_header() -> None:
    columns = {**BASELINES, **OPERATIONS}
    print("| rows | owners × rows | " + " | ".join(columns.values()) + " |")
    print("|---:|---:|" + "---:|" * len(columns), flush=True)


def growth_line(
    rows: int, owners: int, per_owner: int, results: dict[str, dict[str, float]]
) -> None:
    """One size's line of the growth table (Markdown): seconds and peak MiB per column."""
    columns = {**BASELINES, **OPERATIONS}
    cells = [f"{results[w]['seconds']:.2f} s, {results[w]['peak_mib']:.0f} MiB" for w in columns]
    print(f"| {rows:,} | {owners:,} × {per_owner} | " + " | ".join(cells) + " |", flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=20, help="rows per owner")
    parser.add_argument(
        "--returns", type=int, default=RETURNS, help="returns merged before measuring"
    )
    parser.add_argument("--growth", action="store_true", help="also the growth table")
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in SIZES),
        help="rows of the growth table's masters, comma-separated",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = arguments()
    if args.child:
        which, a, b = args.child
        common.child(SIDES[which], a, b)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-summary-") as tmp:
        work = Path(tmp) / "main"
        master, source, rows, returned = prepare(work, args.owners, args.rows, args.returns)
        print(
            f"master: {rows:,} rows, {args.owners:,} owners x {args.rows} rows, a round issued"
            f" to every owner, {returned} returns merged; {os.cpu_count()} cores"
        )
        results = measure_all(master, source, work)
        report(results)
        sys.stdout.flush()
        if not args.growth:
            return 0
        print()
        print(f"growth (seconds and peak memory, one run each; {os.cpu_count()} cores):")
        growth_header()
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            owners, per_owner = growth_shape(size, args.rows)
            if (owners, per_owner) == (args.owners, args.rows):
                growth_line(rows, owners, per_owner, results)  # the size measured above
                continue
            here = Path(tmp) / f"size-{size}"
            master, source, n, _ = prepare(here, owners, per_owner, args.returns)
            growth_line(n, owners, per_owner, measure_all(master, source, here))
            shutil.rmtree(here)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
