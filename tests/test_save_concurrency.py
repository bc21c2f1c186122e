"""Two commands at once on one master (real CLI runs as subprocesses): each either
completes or refuses with exit 2 saying the master is busy or open; the master ends up
holding everything the completed runs did, nothing lost, nothing stale.

Three orders for each pair: A holds the lock while B runs (B must refuse); B has started
and reached its lock when A runs whole (B must then complete on A's result); both
started together (either order, or one refused).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seuranta_xl import init_master
from seuranta_xl.api import generate

from .conftest import REPO, seuranta_command
from .faults import sheet_cells, tool_leftovers
from .test_merge import KP, fill

BUSY = ("Toinen seuranta-xl-ajo", "auki toisessa ohjelmassa")
SUMMARY = ("Yhteenveto", "Palautustilanne", "Riskit", "Muutokset")
FINDINGS = ("Havainnot",)
EDIT_1 = {"G3": "Ensimmäinen palautus."}
EDIT_2 = {"D4": "Toisen palautuksen riski."}


@pytest.fixture
def setting(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    result = generate(
        master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1, 9)
    )
    files = {f.owner: f.path for f in result.files}
    r1 = fill(files[KP], tmp_path / "palautukset" / "eka.xlsx", EDIT_1)
    r2 = fill(files[KP], tmp_path / "palautukset" / "toka.xlsx", EDIT_2)
    return tmp_path, master, {"merge": r1, "merge2": r2, "source": sample_path}


def _args(run, tmp_path, master, inputs):
    m = str(master)
    if run in ("merge", "merge2"):
        return ["merge", m, str(inputs[run])]
    if run == "generate":
        # not to the owner whose returns are merged: a newer round makes them outdated
        out = str(tmp_path / "syksy")
        return ["generate", m, "--out", out, "--round", "syksy", "--owner", "Pormestari"]
    if run in ("summary", "summary2"):
        return ["summary", m]
    if run == "mark":
        return ["validate", m, "--mark"]
    assert run == "init"
    return ["init", m, "--from", str(inputs["source"]), "--force"]


ENV = {**os.environ, "SEURANTA_LANG": "fi", "PYTHONPATH": str(REPO)}


def _start(args, pause=None):
    env = dict(ENV)
    if pause:
        env["SEURANTA_TEST_PAUSE"] = pause
        cmd = [sys.executable, "-m", "tests.paused_cli", *args]
    else:
        cmd = [*seuranta_command(), *args]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO
    )


def _finish(proc):
    out, err = proc.communicate(timeout=180)
    return proc.returncode, out + err


def _wait_for(path, proc):
    deadline = time.monotonic() + 60
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the paused run ended early: {_finish(proc)}")
        assert time.monotonic() < deadline, "the paused run never reached its lock"
        time.sleep(0.01)


def _completed(code, output, run):
    if code in (0, 1):
        return True
    assert code == 2 and any(b in output for b in BUSY), f"{run}: exit {code}\n{output}"
    return False


def _effects(tmp_path, master, done):
    """Everything the completed runs (in the order they completed) did is in the master."""
    last_init = max((i for i, r in enumerate(done) if r == "init"), default=-1)
    wb = load_workbook(master)
    data = wb["Seuranta"]
    for i, run in enumerate(done):
        lost_to_init = i < last_init
        if run in ("merge", "merge2"):
            ref, value = next(iter((EDIT_1 if run == "merge" else EDIT_2).items()))
            if lost_to_init:  # replaced on purpose by init --force: kept in a backup
                assert any(
                    load_workbook(b)["Seuranta"][ref].value == value
                    for b in (master.parent / "varmuuskopiot").iterdir()
                    if not b.name.startswith(".")
                ), f"{run} lost"
            else:
                assert data[ref].value == value, f"{run} lost"
                files = [r[3] for r in wb["Palautukset"].iter_rows(min_row=2, values_only=True)]
                assert Path(_inputs_name(run)).name in files, f"{run} not in the tracker"
        elif run == "generate":
            assert len(list((tmp_path / "syksy").glob("*.xlsx"))) > 0
            if not lost_to_init:
                rounds = [r[0] for r in wb["Kierrokset"].iter_rows(min_row=2, values_only=True)]
                assert "syksy" in rounds, "the round issued was lost"
        elif run in ("summary", "summary2") and not lost_to_init:
            assert set(SUMMARY) <= set(wb.sheetnames), "summary sheets lost"
        elif run == "mark" and not lost_to_init:
            assert "Havainnot" in wb.sheetnames, "findings sheet lost"
    assert tool_leftovers(master.parent) == []


def _inputs_name(run):
    return "eka.xlsx" if run == "merge" else "toka.xlsx"


def _fresh(tmp_path, master, run, sheets):
    """The sheets ``run`` writes, as it would write them on the master as it is now."""
    ref = tmp_path / "ref" / master.name
    ref.parent.mkdir(exist_ok=True)
    shutil.copy2(master, ref)
    args = _args(run, tmp_path, ref, {})
    code = subprocess.run(
        [*seuranta_command(), *args], capture_output=True, env=ENV, check=False
    ).returncode
    assert code in (0, 1)
    now, fresh = sheet_cells(master), sheet_cells(ref)
    shutil.rmtree(ref.parent)
    return {s: now.get(s) for s in sheets}, {s: fresh.get(s) for s in sheets}


def _not_stale(tmp_path, master, run):
    """A summary or findings sheet written last describes the master as it ended up."""
    sheets = {"summary": SUMMARY, "summary2": SUMMARY, "mark": FINDINGS}.get(run)
    if sheets:
        written, fresh = _fresh(tmp_path, master, run, sheets)
        assert written == fresh, f"{run} wrote stale figures"


PAIRS = [
    ("merge", "merge2"),
    ("merge", "generate"),
    ("generate", "merge"),
    ("merge", "summary"),
    ("merge", "mark"),
    ("generate", "summary"),
    ("summary", "summary2"),
    ("mark", "summary"),
    ("init", "merge"),
    ("merge", "init"),
]


def _ids(pair):
    return "+".join(pair)


@pytest.mark.parametrize("pair", PAIRS, ids=_ids)
def test_a_run_holding_the_lock_makes_the_other_refuse(setting, pair):
    tmp_path, master, inputs = setting
    first, second = pair
    ready, go = tmp_path / "a.ready", tmp_path / "a.go"
    a = _start(_args(first, tmp_path, master, inputs), f"locked|{ready}|{go}")
    _wait_for(ready, a)
    b = subprocess.run(
        [*seuranta_command(), *_args(second, tmp_path, master, inputs)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=180,
        check=False,
    )
    assert not _completed(b.returncode, b.stdout + b.stderr, second), "ran beside a locked run"
    go.touch()
    code, output = _finish(a)
    assert _completed(code, output, first)
    if second == "generate":
        assert not list((tmp_path / "syksy").glob("*.xlsx")), "workbooks of a refused round"
    _effects(tmp_path, master, [first])
    _not_stale(tmp_path, master, first)


AFTER = [
    p
    for p in PAIRS
    if p != ("init", "merge")  # a merge into a new master has no round: refused, and said
]


@pytest.mark.parametrize("pair", AFTER, ids=_ids)
def test_a_run_waiting_at_the_lock_completes_on_the_other_runs_result(setting, pair):
    tmp_path, master, inputs = setting
    first, second = pair
    ready, go = tmp_path / "b.ready", tmp_path / "b.go"
    b = _start(_args(second, tmp_path, master, inputs), f"before_lock|{ready}|{go}")
    _wait_for(ready, b)
    a = subprocess.run(
        [*seuranta_command(), *_args(first, tmp_path, master, inputs)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=180,
        check=False,
    )
    assert a.returncode in (0, 1), a.stdout + a.stderr
    go.touch()
    code, output = _finish(b)
    assert code in (0, 1), output
    _effects(tmp_path, master, [first, second])
    _not_stale(tmp_path, master, second)


TOGETHER = [p for p in PAIRS if "init" not in p]


@pytest.mark.parametrize("pair", TOGETHER, ids=_ids)
def test_two_runs_started_together_one_waits_or_refuses_nothing_lost(setting, pair):
    tmp_path, master, inputs = setting
    procs = [(run, _start(_args(run, tmp_path, master, inputs))) for run in pair]
    results = [(run, *_finish(p)) for run, p in procs]
    done = [run for run, code, output in results if _completed(code, output, run)]
    assert done, "neither run completed"
    # effects that do not depend on the order the two ended in
    _effects(tmp_path, master, done)
