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
