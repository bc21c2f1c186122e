"""Every spreadsheet of the corpus (real files from other projects' test suites, some made
to crash readers) through ``validate`` and, as returns, through ``merge``: a result and a
reason each, no traceback, no reader's panic on the terminal, no hang, the master unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from seuranta_xl import init_master
from seuranta_xl.api import generate

from .conftest import CORPUS, seuranta_command

SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
NOISE = ("Traceback", "panicked", "RUST_BACKTRACE", "stack backtrace", "Logging error")


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"the corpus of real spreadsheets is not here ({CORPUS}): not tested")
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    assert len(files) > 100, "the corpus is smaller than it was"
    return files


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RUST_BACKTRACE": "1", "SEURANTA_LANG": "en"}
    return subprocess.run(
        [*seuranta_command(), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def no_noise(out: subprocess.CompletedProcess[str], what: object) -> None:
    assert out.returncode in (0, 1, 2), f"{what}: exit {out.returncode}\n{out.stderr}"
    for noise in NOISE:
        assert noise not in out.stdout + out.stderr, f"{what}: {noise}\n{out.stderr[-2000:]}"


def test_every_corpus_file_as_a_return(tmp_path, sample_path):
    files = corpus_files()
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    generate(master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1, 9))
    before = master.read_bytes()
    start = time.monotonic()
    as_json = run("merge", "--json", str(master), str(CORPUS))
    text = run("merge", str(master), str(CORPUS))
    assert time.monotonic() - start < 120
    for out in (as_json, text):
        no_noise(out, "merge")
        assert out.returncode == 1  # none of them is a return of this master
    results = {f["path"]: f for f in json.loads(as_json.stdout)["files"]}
    for path in files:
        got = results.get(str(path))
        assert got is not None, f"{path} has no result"
        assert got["result"] == "rejected" and got["reason"], got
        # a name two corpus folders share is shown with its path (issue 8, hostile review)
        assert f"  {path.name}: " in text.stdout or f"  {path}: " in text.stdout
    # and the README and licences beside them are said not to be returns
    others = [f for f in results.values() if Path(f["path"]).suffix.lower() not in SUFFIXES]
    assert others and all(f["result"] == "skipped" and f["reason"] for f in others)
    assert master.read_bytes() == before


def test_every_corpus_file_as_a_master():
    files = corpus_files()
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        outs = list(pool.map(lambda p: run("validate", str(p), timeout=90), files))
    assert time.monotonic() - start < 240
    for path, out in zip(files, outs, strict=True):
        no_noise(out, path)
        assert out.returncode == 2, f"{path}: not a follow-up sheet, yet exit {out.returncode}"
        message = out.stderr.strip()
        assert message and path.name in message, f"{path}: {message!r}"
