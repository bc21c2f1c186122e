"""Parsing untrusted files where a crash or a hang costs only that file."""

from __future__ import annotations

import os
import time

from seuranta_xl.xlsx.isolate import Failed, IsolatedMap, map_isolated


def _job(x):
    if x == "abort":
        os.abort()  # as python-calamine does on some crafted files
    if x == "hang":
        time.sleep(60)
    if x == "raise":
        raise ValueError("bad file")
    if x == "hog":
        return len(bytearray(8 * 1024**3))  # more memory than a reader may have
    return x * 2


def test_crashes_hangs_errors_and_memory_hogs_cost_only_their_item():
    items = ["a", "abort", "b", "hang", "c", "raise", "hog", "d"]
    start = time.monotonic()
    out = map_isolated(_job, items, workers=2, timeout=2.0)
    assert time.monotonic() - start < 20
    assert out[0] == "aa" and out[2] == "bb" and out[4] == "cc" and out[7] == "dd"
    assert isinstance(out[1], Failed) and out[1].why == "crashed"
    assert isinstance(out[3], Failed) and out[3].why == "timeout"
    assert isinstance(out[5], Failed) and "bad file" in out[5].detail
    assert isinstance(out[6], Failed)


def test_background_reading_and_cancel():
    reading = IsolatedMap(_job, ["x", "y"], workers=2).start()
    assert reading.results() == ["xx", "yy"]
    hanging = IsolatedMap(_job, ["hang"] * 3, workers=2).start()
    start = time.monotonic()
    hanging.cancel()
    assert time.monotonic() - start < 10


def test_nothing_to_do():
    assert map_isolated(_job, []) == []
