"""The start-up benchmark of the Excel buttons still runs (no timing is asserted: it
reports against a bare interpreter measured in the same run)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_excel_start.py"


def test_the_start_up_benchmark_runs():
    out = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "baseline (python -c pass)" in out.stdout and "Tarkista" in out.stdout
    assert "target <= 0.5 s" in out.stdout
