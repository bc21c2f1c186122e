"""Fault injection for ``generate`` (issue 8, item 2): SIGKILL and SIGTERM at random
moments of a real CLI run, and ENOSPC, EIO and EPERM from the Nth write, fsync, link,
replace or zip call in process. After every fault the master opens and is the old or the
new one, the round records equal the published files once the next run has been, no
staging folder or half backup stays, and the next run cleans what the faulty one left."""

from __future__ import annotations

import builtins
import errno
import hashlib
import os
import random
import shutil
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from seuranta_xl.api import generate, synthetic_master
from seuranta_xl.errors import RoundError, SeurantaError
from seuranta_xl.xlsx import generate as gen
from seuranta_xl.xlsx import patch, save
from seuranta_xl.xlsx.read import load_plan

from .conftest import seuranta_command

ROUND = "2026-syksy"
ERRNOS = (errno.ENOSPC, errno.EIO, errno.EPERM)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Faults:
    """Counts calls to the patched operations, by kind, and fails the Nth call of one kind
    with ``err``."""

    def __init__(self, kind: str = "", fail_at: int = 0, err: int = errno.ENOSPC) -> None:
        self.calls: dict[str, int] = {}
        self.kind, self.fail_at, self.err = kind, fail_at, err
        self.hit: str | None = None

    def due(self, what: str) -> bool:
        self.calls[what] = self.calls.get(what, 0) + 1
        return what == self.kind and self.calls[what] == self.fail_at

    def tick(self, what: str) -> None:
        if self.due(what):
            self.hit = what
            raise OSError(self.err, os.strerror(self.err), what)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def wrap(owner: object, name: str) -> None:
            real = getattr(owner, name)

            def faulty(*args: object, **kwargs: object) -> object:
                self.tick(name)
                return real(*args, **kwargs)

            monkeypatch.setattr(owner, name, faulty)

        for name in ("fsync", "replace", "link"):
            wrap(os, name)
        wrap(zipfile.ZipFile, "writestr")
        wrap(patch, "copy_entry_raw")

        real_copy2 = shutil.copy2

        def half_copy2(src: object, dst: object, **kwargs: object) -> object:
            if self.due("backup"):  # the disk fills up halfway through the backup
                self.hit = "backup"
                data = Path(str(src)).read_bytes()
                Path(str(dst)).write_bytes(data[: len(data) // 2])
                raise OSError(self.err, os.strerror(self.err), str(dst))
            return real_copy2(src, dst, **kwargs)

        monkeypatch.setattr(shutil, "copy2", half_copy2)
        real_copyfileobj = shutil.copyfileobj

        def half_copyfileobj(src: object, dst: object, *args: object) -> None:
            if self.due("backup"):  # the same, where the backup is copied by file object
                self.hit = "backup"
                data = src.read()  # type: ignore[attr-defined]
                dst.write(data[: len(data) // 2])  # type: ignore[attr-defined]
                raise OSError(self.err, os.strerror(self.err), "backup")
            real_copyfileobj(src, dst, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(shutil, "copyfileobj", half_copyfileobj)

        faults = self

        class FaultyFile:
            """A workbook file whose write may fail (the staged owner workbooks)."""

            def __init__(self, fh: object) -> None:
                self._fh = fh

            def write(self, data: bytes) -> int:
                faults.tick("write")
                return self._fh.write(data)  # type: ignore[attr-defined]

            def __getattr__(self, name: str) -> object:
                return getattr(self._fh, name)

            def __enter__(self) -> FaultyFile:
                return self

            def __exit__(self, *exc: object) -> None:
                self._fh.close()  # type: ignore[attr-defined]

        def faulty_open(*args: object, **kwargs: object) -> object:
            return FaultyFile(builtins.open(*args, **kwargs))  # type: ignore[call-overload]

        monkeypatch.setattr(gen, "open", faulty_open, raising=False)


def _staged(out: Path) -> list[Path]:
    return sorted(out.glob(gen.STAGING_PREFIX + "*")) if out.exists() else []


def _strays(master: Path) -> list[str]:
    folders = [master.parent, master.parent / save.BACKUP_DIR]
    return [p.name for f in folders if f.exists() for p in f.iterdir() if p.name.endswith(".tmp")]


def check_after_fault(master: Path, out: Path, old: bytes, old_rows: list) -> bool:
    """The state a faulty run may leave: returns whether the round is recorded."""
    loaded = load_plan(master)  # the master always opens
    assert [r.values for r in loaded.plan.rows] == old_rows
    records = {r.file: r.file_sha256 for r in loaded.rounds if r.round_id == ROUND}
    if master.read_bytes() == old:
        assert not records
    if records:  # the whole round, or none of it
        assert len(records) == len({r.owner for r in loaded.plan.rows if r.owner})
    published = {p.name: _sha(p) for p in out.glob("*.xlsx")} if out.exists() else {}
    if not records:
        assert published == {}  # nothing staff could take without a record
    for name, sha in published.items():
        assert records.get(name) == sha
    staged = {p.name: _sha(p) for s in _staged(out) for p in s.glob("*.xlsx")}
    for name, sha in records.items():
        # every recorded file is out, or staged whole for the next run to publish
        assert published.get(name) == sha or staged.get(name) == sha, name
    for backup in (master.parent / save.BACKUP_DIR).glob("*.xlsx"):
        assert backup.read_bytes() == old, f"half backup {backup.name}"  # whole, or none
    return bool(records)


def check_final(master: Path, out: Path) -> None:
    """After a clean run: the round records equal the published files, nothing is left."""
    loaded = load_plan(master)
    records = {r.file: r.file_sha256 for r in loaded.rounds if r.round_id == ROUND}
    assert records
    assert {p.name: _sha(p) for p in out.glob("*.xlsx")} == records
    assert _staged(out) == []
    assert [p.name for p in out.iterdir()] == [p.name for p in out.glob("*.xlsx")]
    assert _strays(master) == []  # the master's own temporary files


def _next_run(master: Path, out: Path) -> None:
    try:
        generate(master, out, round_id=ROUND)
    except RoundError as exc:
        assert exc.key == "round_issued"  # the faulty run got everything out after all


def test_errors_at_the_nth_operation_leave_a_consistent_state(tmp_path, monkeypatch):
    base = synthetic_master(tmp_path / "base.xlsx", owners=4, rows_per_owner=3).master
    old = base.read_bytes()
    old_rows = [r.values for r in load_plan(base).plan.rows]
    counting = Faults()
    with monkeypatch.context() as m:
        counting.install(m)
        generate(base, tmp_path / "count", round_id=ROUND)
    kinds = sorted(counting.calls)
    assert {"fsync", "replace", "link", "writestr", "copy_entry_raw", "backup", "write"} <= set(
        kinds
    )

    rng = random.Random(20261129)
    hits: set[str] = set()
    outcomes = {"failed": 0, "survived": 0}
    for i in range(36):
        folder = tmp_path / f"run{i}"
        folder.mkdir()
        master, out = folder / "seuranta.xlsx", folder / "out"
        master.write_bytes(old)
        kind = kinds[i % len(kinds)]
        faults = Faults(kind, rng.randint(1, counting.calls[kind]), rng.choice(ERRNOS))
        with monkeypatch.context() as m:
            faults.install(m)
            try:
                generate(master, out, round_id=ROUND)
                outcomes["survived"] += 1
            except SeurantaError as exc:
                assert exc.exit_code == 2 and faults.hit is not None
                assert "Traceback" not in exc.message("en")
                outcomes["failed"] += 1
        if faults.hit:
            hits.add(faults.hit)
        check_after_fault(master, out, old, old_rows)
        _next_run(master, out)
        check_final(master, out)
    assert outcomes["failed"] >= 20, outcomes
    assert hits == set(kinds), hits


def _live_workers(folder: Path) -> list[int]:
    """Processes still running a command on files under ``folder`` (Linux: /proc)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes()
            state = (proc / "stat").read_text().split(") ", 1)[1][0]
        except (OSError, IndexError):
            continue
        if str(folder).encode() in cmdline and state != "Z":
            found.append(int(proc.name))
    return found


def _wait_for(proc: subprocess.Popen[bytes], done: object, limit: float) -> bool:
    """Poll until ``done()`` or the process ends; True when ``done()``."""
    end = time.perf_counter() + limit
    while proc.poll() is None and time.perf_counter() < end:
        if done():  # type: ignore[operator]
            return True
        time.sleep(0.001)
    return False


POSIX_ONLY = pytest.mark.skipif(
    not Path("/proc/self").exists(), reason="needs POSIX signals and /proc (Linux)"
)


@POSIX_ONLY
def test_killed_or_terminated_at_random_moments(tmp_path):
    base = synthetic_master(tmp_path / "base.xlsx", owners=120, rows_per_owner=3).master
    old = base.read_bytes()
    old_rows = [r.values for r in load_plan(base).plan.rows]

    def cmd(master: Path, out: Path) -> list[str]:
        return [*seuranta_command(), "generate", str(master), "--out", str(out), "--round", ROUND]

    def phases(master: Path, out: Path, proc: subprocess.Popen[bytes]) -> dict[str, float]:
        """When the run starts staging and when it has recorded the round."""
        stamp, start, seen = master.stat().st_mtime_ns, time.perf_counter(), {}
        if _wait_for(proc, lambda: bool(_staged(out)), 60):
            seen["staging"] = time.perf_counter() - start
        if _wait_for(proc, lambda: master.stat().st_mtime_ns != stamp, 60):
            seen["recorded"] = time.perf_counter() - start
        proc.wait()
        seen["end"] = time.perf_counter() - start
        return seen

    timing = tmp_path / "timing"
    timing.mkdir()
    (timing / "seuranta.xlsx").write_bytes(old)
    t_master, t_out = timing / "seuranta.xlsx", timing / "out"
    seen = phases(
        t_master, t_out, subprocess.Popen(cmd(t_master, t_out), stdout=subprocess.DEVNULL)
    )
    assert {"staging", "recorded"} <= set(seen), seen

    rng = random.Random(2026112901)
    stopped = recorded = 0
    for i in range(12):
        folder = tmp_path / f"run{i}"
        folder.mkdir()
        master, out = folder / "seuranta.xlsx", folder / "out"
        master.write_bytes(old)
        stamp = master.stat().st_mtime_ns
        sig = signal.SIGTERM if i % 5 == 4 else signal.SIGKILL
        proc = subprocess.Popen(
            cmd(master, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        phase = i % 3
        # stop it while it starts and validates, while it stages and records, or while it
        # publishes: each phase anchored on what the run is seen doing, then a random delay
        if phase == 0:
            time.sleep(rng.uniform(0.2 * seen["staging"], seen["staging"]))
        elif phase == 1 and _wait_for(proc, lambda: bool(_staged(out)), 60):  # noqa: B023
            time.sleep(rng.uniform(0, seen["recorded"] - seen["staging"]))
        elif phase == 2 and _wait_for(proc, lambda: master.stat().st_mtime_ns != stamp, 60):  # noqa: B023
            time.sleep(rng.uniform(0, 0.3 * (seen["end"] - seen["recorded"])))
        if proc.poll() is None:
            proc.send_signal(sig)
            stopped += 1
        proc.wait()
        recorded += check_after_fault(master, out, old, old_rows)
        if sig == signal.SIGTERM and master.read_bytes() == old:
            assert _staged(out) == []  # a terminated run cleans up as after Ctrl-C
        again = subprocess.run(cmd(master, out), capture_output=True, text=True, check=False)
        assert again.returncode in (0, 2), again.stderr
        if again.returncode == 2:
            assert "on jo tehty" in again.stderr, again.stderr
        assert "Traceback" not in again.stderr
        check_final(master, out)
    assert stopped >= 6, "the runs ended before any signal: timing too coarse"
    # no worker of a killed run lives on (they would wait forever on their queue)
    time.sleep(1.5)
    assert _live_workers(tmp_path) == []
    assert recorded >= 4  # some were stopped after recording, before all was published


@POSIX_ONLY
def test_no_worker_outlives_a_killed_run(tmp_path):
    """Killed as the last workbooks are written: the worker processes, idle on their
    queue, must end too rather than wait forever."""
    master = synthetic_master(tmp_path / "m.xlsx", owners=120, rows_per_owner=3).master
    out = tmp_path / "out"
    for attempt in range(3):
        target = out / str(attempt)
        proc = subprocess.Popen(
            [
                *seuranta_command(),
                "generate",
                str(master),
                "--out",
                str(target),
                "--round",
                f"r{attempt}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def nearly_all() -> bool:
            return sum(len(list(s.glob("*.xlsx"))) for s in _staged(target)) >= 110  # noqa: B023

        if _wait_for(proc, nearly_all, 60):
            proc.send_signal(signal.SIGKILL)
        proc.wait()
    time.sleep(1.5)
    assert _live_workers(tmp_path) == []
