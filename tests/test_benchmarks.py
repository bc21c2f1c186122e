"""The benchmarks still run (tiny sizes; no timing is asserted here: benchmarks report
ratios measured in one run, see benchmarks/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize(
    ("script", "args"),
    [
        ("bench_generate.py", ["--owners", "3", "--rows", "2"]),
        ("bench_merge.py", ["--owners", "3", "--rows", "8"]),
    ],
)
def test_benchmark_runs_small(script, args):
    out = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "ratio" in out.stdout and "baseline" in out.stdout


def test_summary_benchmark_reports_ratios_and_growth():
    """bench_summary through its entry point, small: every operation's ratio against its
    target and its memory, and the growth table with a line per size."""
    out = subprocess.run(
        [
            sys.executable,
            str(BENCH / "bench_summary.py"),
            *("--owners", "20", "--rows", "5", "--returns", "3"),
            *("--growth", "--sizes", "60,100"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    text = out.stdout
    assert "3 returns merged" in text
    assert "baseline openpyxl load + save" in text
    assert "baseline init before (openpyxl)" in text
    for label, target in [
        ("summary ", "4x"),
        ("summary --out", "4x"),
        ("validate --mark", "4x"),
        ("init ", "3x"),
    ]:
        line = next(x for x in text.splitlines() if x.startswith(label))
        assert "ratio" in line and f"target >= {target}" in line and "memory < 300 MB" in line
    table = text[text.index("| rows |") :].splitlines()
    assert table[0].split("|")[2:-1] == [
        " owners × rows ",
        " openpyxl load + save ",
        " init before (openpyxl) ",
        " summary ",
        " summary --out ",
        " validate --mark ",
        " init ",
    ]
    sizes = [[cell.strip() for cell in line.split("|")[1:3]] for line in table[2:]]
    # the synthetic sheet adds its goals' heading rows
    assert sizes == [["61", "12 × 5"], ["101", "20 × 5"]]
    assert all(line.count(" s, ") == 6 and line.count(" MiB") == 6 for line in table[2:])
