"""What the benchmarks share: running each side in its own process, measuring its time and
peak memory, and reporting the ratio against the baseline measured in the same run."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable


def child(run: Callable[[str, str], None], a: str, b: str) -> None:
    """Run one side in this (child) process; print its seconds and peak memory as JSON.
    The peak includes this process's own children (reader workers)."""
    start = time.perf_counter()
    run(a, b)
    seconds = time.perf_counter() - start
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": max(own_peak_kib(), kids) / 1024}))


def own_peak_kib() -> int:
    """This process's peak resident memory, KiB. Linux's ``ru_maxrss`` starts from the
    parent's peak at the fork (it survives exec), so a parent that built a large master
    would set every side's floor: /proc's VmHWM counts this program's memory only."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(script: str, which: str, a: str, b: str) -> dict[str, float]:
    """Run ``script --child which a b`` and read its measurement."""
    proc = subprocess.run(
        [sys.executable, script, "--child", which, a, b],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:  # the side's own traceback says why
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"{which} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(
    ours: dict[str, float], base: dict[str, float], target: float, ours_note: str = ""
) -> float:
    """Print both sides and the ratio baseline / ours against the target."""
    ratio = base["seconds"] / ours["seconds"]
    note = f"  ({ours_note})" if ours_note else ""
    print(f"seuranta-xl : {ours['seconds']:7.2f} s  peak {ours['peak_mib']:7.1f} MiB{note}")
    print(
        f"baseline    : {base['seconds']:7.2f} s  peak {base['peak_mib']:7.1f} MiB  (openpyxl, serial)"
    )
    print(
        f"ratio       : {ratio:7.2f}x  (target >= {target:g}x: {'met' if ratio >= target else 'NOT met'})"
    )
    return ratio


def arguments(doc: str | None) -> argparse.Namespace:
    """The benchmarks' command line: --owners, --rows, and the hidden --child."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=20, help="rows per owner")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    return parser.parse_args()


def run_child_if_asked(
    args: argparse.Namespace, ours: Callable[[str, str], None], baseline: Callable[[str, str], None]
) -> bool:
    """In a child process, run the side asked for and say so."""
    if not args.child:
        return False
    which, a, b = args.child
    child(ours if which == "ours" else baseline, a, b)
    return True
