"""``benchmarks/bench_init.py`` still runs (tiny size; no timing is asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def test_the_init_benchmark_runs_small():
    out = subprocess.run(
        [sys.executable, str(BENCH / "bench_init.py"), "--owners", "3", "--rows", "4"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "ratio" in out.stdout and "baseline" in out.stdout and "12 rows" in out.stdout
