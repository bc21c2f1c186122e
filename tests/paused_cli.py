"""The ``seuranta`` command, paused once at its master's run lock: a concurrency test
runs it as a subprocess to set the order of two runs without timing.

``SEURANTA_TEST_PAUSE=WHERE|READY|GO``: at WHERE (``before_lock``: having done what it
does before locking; ``locked``: holding the lock) the run creates the file READY and
waits until the file GO exists (60 s at most, then it exits 99).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def _install() -> None:
    from seuranta_xl.xlsx import save

    where, ready, go = os.environ["SEURANTA_TEST_PAUSE"].split("|")
    acquire = save._acquire
    done = []

    def wait() -> None:
        Path(ready).touch()
        deadline = time.monotonic() + 60
        while not Path(go).exists():
            if time.monotonic() > deadline:
                sys.exit(99)
            time.sleep(0.01)

    def paused(path: Path, lock: Path) -> None:
        if done:
            return acquire(path, lock)
        done.append(True)
        if where == "before_lock":
            wait()
            return acquire(path, lock)
        acquire(path, lock)
        return wait()

    save._acquire = paused


if __name__ == "__main__":
    _install()
    from seuranta_xl.cli import main

    sys.argv[0] = "seuranta"
    main()
