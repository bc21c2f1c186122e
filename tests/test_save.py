"""Saving safely: the old file or the new one, never half of one; clear messages."""

from __future__ import annotations

import errno
import subprocess
import time

import pytest

from seuranta_xl import WriteError, init_master, validate
from seuranta_xl.xlsx import save
from seuranta_xl.xlsx.save import atomic_write, run_lock

from .conftest import kill_at_random, seuranta_command


@pytest.fixture
def master(tmp_path, sample_path):
    return init_master(sample_path, tmp_path / "seuranta.xlsx").master


def _leftovers(folder):
    return [
        p.name for p in folder.iterdir() if p.name.endswith(".tmp") or "seuranta-lock" in p.name
    ]


def test_a_failing_writer_leaves_the_target_untouched(master):
    before = master.read_bytes()

    def half_write(tmp):
        tmp.write_bytes(b"PK\x03\x04 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(WriteError) as err:
        atomic_write(master, half_write)
    assert err.value.key == "save_failed"
    assert "No space left on device" in err.value.message("en")
    assert "alkuperäinen tiedosto on ennallaan" in err.value.message("fi")
    assert master.read_bytes() == before
    assert _leftovers(master.parent) == []


def test_a_damaged_result_is_never_swapped_in(master):
    before = master.read_bytes()
    with pytest.raises(WriteError):
        atomic_write(master, lambda tmp: tmp.write_bytes(b"not a zip"))
    assert master.read_bytes() == before


def test_permission_denied_on_replace(master, monkeypatch):
    before = master.read_bytes()

    def denied(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(save.os, "replace", denied)
    with pytest.raises(WriteError) as err:
        init_master(master, master, force=True)
    assert "Permission denied" in err.value.message("en")
    assert master.read_bytes() == before
    assert _leftovers(master.parent) == []


def test_folder_without_write_permission(tmp_path, sample_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    monkeypatch.setattr(save.tempfile, "mkstemp", denied)
    with pytest.raises(WriteError) as err:
        init_master(sample_path, tmp_path / "m.xlsx")
    assert err.value.key == "save_failed"
    assert not (tmp_path / "m.xlsx").exists()


def test_lock_stops_a_second_run_and_a_dead_runs_lock_is_taken_over(master):
    with run_lock(master), pytest.raises(WriteError) as err, run_lock(master):
        pass
    assert err.value.key == "busy"
    # a lock left by a process of this machine that no longer exists
    proc = subprocess.Popen(["sleep", "0"])
    proc.wait()
    lock = master.with_name(f".{master.name}.seuranta-lock")
    lock.write_text(f"pid={proc.pid}\nhost={save.this_host()}\nsince=2026-01-01T00:00:00\n")
    with pytest.warns(save.SeurantaWarning, match=str(proc.pid)), run_lock(master):
        assert lock.exists()
    assert not lock.exists()


def test_backups_accumulate_with_distinct_names(master, sample_path):
    for _ in range(3):
        init_master(sample_path, master, force=True)
    assert len(list((master.parent / "varmuuskopiot").iterdir())) == 3


def test_killed_while_saving_the_master_is_old_or_new_never_damaged(master, sample_path):
    """SIGKILL ``init --force`` at random moments; the master must always read whole."""
    # time a full run once, then kill at random points within it
    start = time.perf_counter()
    cmd = [*seuranta_command(), "init", str(master), "--from", str(sample_path), "--force"]
    subprocess.run(cmd, capture_output=True, check=True)
    full = time.perf_counter() - start

    def whole():
        assert len(validate(master).plan.rows) == 67

    killed = kill_at_random(
        cmd, times=12, seed=20261127, window=(0.3 * full, 1.1 * full), after_each=whole
    )
    assert killed >= 3, "the runs ended before any kill: timing too coarse"
    # no stale lock blocks the next run
    assert subprocess.run(cmd, capture_output=True, check=False).returncode == 0
