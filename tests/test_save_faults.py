"""Faults on every write path (merge, summary, validate --mark, init --force): an OS error
(no space, I/O error, no permission) at a write, sync or rename, and SIGKILL at random
moments. The master always opens and holds the old content or the new, no half backup
stands under a backup's name, and the tool's temporary files are gone after the next run.

(generate's write path has its own such tests.) Seeded: a failure names its seed, point
and error, and repeats.
"""

from __future__ import annotations

import errno
import random
import shutil
from datetime import datetime

import pytest
from click.testing import CliRunner

from seuranta_xl import init_master
from seuranta_xl.api import generate
from seuranta_xl.cli import main

from .conftest import seuranta_command
from .faults import (
    ERRNOS,
    assert_backups_whole,
    assert_old_or_new,
    count_ops,
    faults,
    killed_run,
    sheet_cells,
    timed,
    tool_leftovers,
)
from .test_merge import EDITS, KP, fill

SEED = 20261129
PATHS = {
    "merge": ("merge", "{master}", "{ret}"),
    "summary": ("summary", "{master}"),
    "validate-mark": ("validate", "{master}", "--mark"),
    "init-force": ("init", "{master}", "--from", "{source}", "--force"),
}


@pytest.fixture
def setting(tmp_path, sample_path):
    """A master with a round issued and one return filled in; backups of the setting-up
    removed."""
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    result = generate(
        master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1, 9)
    )
    files = {f.owner: f.path for f in result.files}
    ret = fill(files[KP], tmp_path / "palautukset" / "r.xlsx", EDITS)
    shutil.rmtree(tmp_path / "varmuuskopiot")
    return master, ret, sample_path


def _args(name, master, ret, source):
    return [a.format(master=master, ret=ret, source=source) for a in PATHS[name]]


def _reset(master, state):
    master.write_bytes(state)
    shutil.rmtree(master.parent / "varmuuskopiot", ignore_errors=True)


def _invoke(args, lang="en"):
    return CliRunner().invoke(main, [*args, "--lang", lang])


@pytest.mark.parametrize("name", list(PATHS))
def test_an_os_error_at_any_write_leaves_the_old_master_or_the_new(setting, name):
    master, ret, source = setting
    args = _args(name, master, ret, source)
    state = master.read_bytes()
    old = sheet_cells(master)
    outcome = {}

    def clean():
        outcome["result"] = _invoke(args)

    n = count_ops(clean)
    assert outcome["result"].exit_code in (0, 1), outcome["result"].output
    new = sheet_cells(master)
    assert new != old, "the clean run changed nothing: no write path to test"
    rng = random.Random(f"{SEED}-{name}")
    # every operation while there are few (each path makes some 30-40), a sample beyond
    points = list(range(1, n + 1)) if n <= 60 else sorted(rng.sample(range(1, n + 1), 60))
    seen = set()
    for i, point in enumerate(points):
        code = ERRNOS[i % len(ERRNOS)]
        note = f"{name}: {errno.errorcode[code]} at operation {point}/{n} (seed {SEED})"
        _reset(master, state)
        with faults(point, code) as f:
            result = _invoke(args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{note}: {result.exception!r} at {f.hit}"
        )
        assert "Traceback" not in result.output, note
        which = assert_old_or_new(master, old, new, f"{note} at {f.hit}")
        if result.exit_code == 2:
            # the message says the original is unchanged: it must be
            assert which == "old", note
            assert "could not be saved" in result.output, f"{note}: {result.output}"
        else:
            assert result.exit_code in (0, 1), f"{note}: {result.output}"
        seen.add(which)
        assert_backups_whole(master.parent, {state}, note)
        assert tool_leftovers(master.parent) == [], note
    assert "old" in seen, seen


@pytest.mark.parametrize("name", list(PATHS))
def test_killed_at_random_moments_old_or_new_and_the_next_run_cleans_up(setting, name):
    master, ret, source = setting
    cmd = [*seuranta_command(), *_args(name, master, ret, source)]
    state = master.read_bytes()
    old = sheet_cells(master)
    full = timed(cmd)
    new = sheet_cells(master)
    rng = random.Random(f"{SEED}-kill-{name}")
    killed = 0
    for i in range(6):
        _reset(master, state)
        delay = rng.uniform(0.3 * full, 1.05 * full)
        note = f"{name}: kill {i} after {delay:.2f}s of {full:.2f}s (seed {SEED})"
        killed += killed_run(cmd, delay)
        assert_old_or_new(master, old, new, note)
        assert_backups_whole(master.parent, {state}, note)
    assert killed >= 2, "the runs ended before any kill: timing too coarse"
    # the next run takes a dead run's lock over and removes its temporary files
    _reset(master, state)
    out = _invoke(args := _args(name, master, ret, source), lang="fi")
    assert out.exit_code in (0, 1), out.output
    assert tool_leftovers(master.parent) == []
    assert sheet_cells(master) == new, args
