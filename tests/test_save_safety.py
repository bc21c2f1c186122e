"""Write safety (issue 8, items 12, 20, 24): symlinked and read-only masters, a full disk
while locking and backing up, a killed run's temporary files, locks of other machines and
of dead runs, and sheets that would grow past Excel's last row."""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import subprocess
import zipfile
from datetime import datetime

import pytest

from seuranta_xl import WriteError
from seuranta_xl.api import merge
from seuranta_xl.xlsx import save
from seuranta_xl.xlsx.patch import patch_sheets, sheet_parts
from seuranta_xl.xlsx.save import run_lock

from .conftest import run_cli
from .test_merge import EDITS, EXPECTED, KP, fill, master_cells


@pytest.fixture
def issued(issued, tmp_path):
    shutil.rmtree(tmp_path / "varmuuskopiot")  # generate's: each test counts its own
    return issued


def _tool_files(folder):
    """Temporary files and locks of the tool in ``folder`` and its backup folder."""
    out = []
    for f in (folder, folder / "varmuuskopiot"):
        if f.is_dir():
            out += [p.name for p in f.iterdir() if ".seuranta-" in p.name or p.suffix == ".tmp"]
    return out


def _backups(folder):
    b = folder / "varmuuskopiot"
    return sorted(p.name for p in b.iterdir()) if b.is_dir() else []


# --------------------------------------------------------------------------- item 12


@pytest.fixture
def linked(issued, tmp_path):
    """The master kept elsewhere, worked on through a symlink."""
    master, files = issued
    work = tmp_path / "työ"
    work.mkdir()
    link = work / "seuranta.xlsx"
    link.symlink_to(master)
    return master, link, files


def test_a_symlinked_master_is_written_through_never_replaced(linked, tmp_path):
    real, link, files = linked
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    out = run_cli("merge", str(link), str(ret))
    assert out.returncode == 0, out.stderr
    assert link.is_symlink() and link.resolve() == real.resolve()
    cells = master_cells(real)
    assert all(cells[k] == v for k, v in EXPECTED.items())
    # the backup and nothing else lands beside the real file, nothing beside the link
    assert len(_backups(real.parent)) == 1
    assert sorted(p.name for p in link.parent.iterdir()) == ["seuranta.xlsx"]
    for args in (
        ("summary", str(link)),
        ("validate", str(link), "--mark"),
        ("init", str(link), "--from", str(real), "--force"),
    ):
        out = run_cli(*args)
        assert out.returncode in (0, 1), (args, out.stderr)
        assert link.is_symlink() and link.resolve() == real.resolve(), args
    assert _tool_files(real.parent) == [] and _tool_files(link.parent) == []


def test_locks_beside_the_real_file_are_seen_through_a_symlink(linked, tmp_path):
    real, link, files = linked
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    before = real.read_bytes()
    office = real.with_name(f".~lock.{real.name}#")
    office.write_text("x")
    out = run_cli("merge", str(link), str(ret))
    assert out.returncode == 2 and "auki toisessa ohjelmassa" in out.stderr
    office.unlink()
    with run_lock(real):  # a run on the real path holds it: one through the link waits
        out = run_cli("merge", str(link), str(ret))
        assert out.returncode == 2 and "Toinen seuranta-xl-ajo" in out.stderr
        with pytest.raises(WriteError) as err, run_lock(link):
            pass
        assert err.value.key == "busy"
    assert real.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ("merge", "{master}", "{ret}"),
        ("summary", "{master}"),
        ("validate", "{master}", "--mark"),
        ("init", "{master}", "--from", "{source}", "--force"),
        ("generate", "{master}", "--out", "{out}", "--round", "syksy"),
    ],
    ids=lambda a: a[0] + ("-mark" if "--mark" in a else ""),
)
def test_a_read_only_master_is_refused_never_rewritten(issued, tmp_path, sample_path, args):
    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    master.chmod(0o444)
    before = master.read_bytes()
    filled = [
        a.format(master=master, ret=ret, source=sample_path, out=tmp_path / "uudet") for a in args
    ]
    out = run_cli(*filled)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "kirjoitussuojattu" in out.stderr and str(master) in out.stderr
    assert "Traceback" not in out.stderr
    assert master.read_bytes() == before
    assert stat.S_IMODE(master.stat().st_mode) == 0o444
    assert _backups(tmp_path) == [] and _tool_files(tmp_path) == []
    out = run_cli(*filled, "--lang", "en")
    assert out.returncode == 2 and "is read-only" in out.stderr


def test_read_only_is_judged_by_the_permission_bits_even_for_root(tmp_path):
    f = tmp_path / "m.xlsx"
    f.write_bytes(b"x")
    assert not save.is_read_only(f)
    for mode in (0o444, 0o044, 0o400):
        f.chmod(mode)
        assert save.is_read_only(f), oct(mode)
    f.chmod(0o644)
    with pytest.raises(WriteError) as err:
        f.chmod(0o444)
        save.atomic_write(f, lambda tmp: None, verify=lambda tmp: None)
    assert err.value.key == "read_only"
    assert f.read_bytes() == b"x"


# --------------------------------------------------------------------------- item 20


def test_a_full_disk_while_locking_is_a_message_not_a_traceback(issued, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from seuranta_xl.cli import main

    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    before = master.read_bytes()
    real_write = os.write

    def full(fd, data):
        if b"seuranta-xl\npid=" in bytes(data):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(save.os, "write", full)
    out = CliRunner().invoke(main, ["merge", str(master), str(ret), "--lang", "en"])
    assert out.exit_code == 2, out.output
    assert "No space left on device" in out.output and "seuranta-lock" in out.output
    assert out.exception is None or isinstance(out.exception, SystemExit)
    assert master.read_bytes() == before
    assert _tool_files(tmp_path) == []


@pytest.mark.parametrize("how", ["enospc", "short"])
def test_a_half_backup_never_stands_under_a_backup_name(issued, tmp_path, monkeypatch, how):
    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    before = master.read_bytes()

    def half(src, dst, length=0):
        dst.write(src.read(1000))
        if how == "enospc":
            raise OSError(errno.ENOSPC, "No space left on device")
        # "short": the copy ends early without a word (a lying network drive)

    monkeypatch.setattr(save.shutil, "copyfileobj", half)
    with pytest.raises(WriteError) as err:
        merge(master, [ret])
    assert err.value.key == "save_failed"
    assert master.read_bytes() == before
    assert _backups(tmp_path) == [] and _tool_files(tmp_path) == []
    monkeypatch.undo()
    merge(master, [ret])
    (backup,) = _backups(tmp_path)
    assert (tmp_path / "varmuuskopiot" / backup).read_bytes() == before


def test_a_killed_runs_temporary_files_are_cleaned_by_the_next_run(issued, tmp_path):
    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    (tmp_path / "varmuuskopiot").mkdir()
    ours = [
        tmp_path / ".seuranta.xlsx.seuranta-k2j4_x9a.tmp",  # the new master, half written
        tmp_path / ".seuranta.xlsx.seuranta-lock.seuranta-abcd1234.tmp",  # a lock being made
        tmp_path / ".seuranta.xlsx.seuranta-lock.seuranta-4242.stale",  # a dead lock moved aside
        tmp_path / "varmuuskopiot" / ".seuranta.xlsx.seuranta-zz00zz00.tmp",  # a half backup
    ]
    theirs = [
        tmp_path / ".toinen.xlsx.seuranta-k2j4_x9a.tmp",  # another master's
        tmp_path / ".seuranta.xlsx.k2j4_x9a.tmp",  # not the tool's pattern
        tmp_path / "seuranta.xlsx.seuranta-k2j4_x9a.tmp",  # no leading dot: a user's file
        tmp_path / ".seuranta.xlsx.seuranta-k2j4_x9a.tmp.bak",
        tmp_path / "jaetut" / ".seuranta.xlsx.seuranta-k2j4_x9a.tmp",  # another folder
    ]
    for p in ours + theirs:
        p.write_bytes(b"PK\x03\x04 half")
    folder_like = tmp_path / ".seuranta.xlsx.seuranta-dir00000.tmp"
    folder_like.mkdir()
    outside = tmp_path / "muualla.txt"
    outside.write_text("keep")
    link_like = tmp_path / ".seuranta.xlsx.seuranta-lnk00000.tmp"
    link_like.symlink_to(outside)
    out = run_cli("merge", str(master), str(ret))
    assert out.returncode == 0, out.stderr
    assert [p for p in ours if p.exists()] == []
    assert all(p.exists() for p in theirs)
    assert folder_like.is_dir() and link_like.is_symlink() and outside.read_text() == "keep"


# --------------------------------------------------------------------------- item 24


def _lock(master):
    return master.with_name(f".{master.name}.seuranta-lock")


def test_the_lock_records_process_host_and_time(issued):
    master, _ = issued
    with run_lock(master):
        text = _lock(master).read_text()
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    assert fields["pid"] == str(os.getpid())
    assert fields["host"] == save.this_host()
    assert datetime.fromisoformat(fields["since"])


def test_another_machines_lock_is_never_taken_over(issued, tmp_path):
    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    before = master.read_bytes()
    lock = _lock(master)
    # a process id that surely does not exist here: it is the other machine's
    text = "seuranta-xl\npid=4194999\nhost=kunta-ws-17\nsince=2026-11-28T16:02:11\n"
    lock.write_text(text)
    out = run_cli("merge", str(master), str(ret))
    assert out.returncode == 2
    for said in ("kunta-ws-17", "alkaen 28.11.2026 16:02", "toisella koneella", str(lock)):
        assert said in out.stderr, said
    out = run_cli("summary", str(master), "--lang", "en")
    assert out.returncode == 2 and "on another machine (kunta-ws-17" in out.stderr
    assert "delete the lock file" in out.stderr
    assert lock.read_text() == text and master.read_bytes() == before


def test_a_lock_without_a_host_is_respected(issued, tmp_path):
    """An earlier version's lock names no host: it may be another machine's."""
    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    _lock(master).write_text("4194999 2026-11-28T16:02:11\n")
    out = run_cli("merge", str(master), str(ret))
    assert out.returncode == 2 and "Toinen seuranta-xl-ajo" in out.stderr
    _lock(master).write_text("")  # empty or unreadable: the same
    assert run_cli("merge", str(master), str(ret)).returncode == 2


def test_a_dead_runs_lock_on_this_machine_is_taken_over_and_said(issued, tmp_path):
    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    proc = subprocess.Popen(["sleep", "0"])
    proc.wait()
    host = save.this_host()
    _lock(master).write_text(f"seuranta-xl\npid={proc.pid}\nhost={host}\nsince=2026-11-28T16:02\n")
    out = run_cli("merge", str(master), str(ret))
    assert out.returncode == 0, out.stderr
    assert "otettiin haltuun" in out.stderr and str(proc.pid) in out.stderr
    assert all(master_cells(master)[k] == v for k, v in EXPECTED.items())
    assert not _lock(master).exists()
    _lock(master).write_text(f"seuranta-xl\npid={proc.pid}\nhost={host}\nsince=2026-11-28T16:02\n")
    out = run_cli("summary", str(master), "--lang", "en")
    assert out.returncode == 0 and "it was taken over" in out.stderr
    # a live process's lock is not
    _lock(master).write_text(f"seuranta-xl\npid={os.getpid()}\nhost={host}\nsince=2026-11-28\n")
    out = run_cli("summary", str(master))
    assert out.returncode == 2 and "Toinen seuranta-xl-ajo" in out.stderr


LAST_ROW = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>viimeinen</t></is></c></row>'


@pytest.mark.parametrize("sheet", ["Muutosloki", "Palautukset"])
def test_rows_past_excels_last_row_are_refused_before_writing(issued, tmp_path, sheet):
    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    patch_sheets(
        master, {sheet: lambda xml: re.sub(rb"</sheetData>", LAST_ROW + b"</sheetData>", xml)}
    )
    shutil.rmtree(tmp_path / "varmuuskopiot")
    before = master.read_bytes()
    out = run_cli("merge", str(master), str(ret))
    assert out.returncode == 2, out.stdout + out.stderr
    assert f"välilehdelle {sheet}" in out.stderr and "1 048 576" in out.stderr
    assert "Mitään ei kirjoitettu" in out.stderr
    assert master.read_bytes() == before
    assert _backups(tmp_path) == [] and _tool_files(tmp_path) == []
    out = run_cli("merge", str(master), str(ret), "--lang", "en")
    assert "sheet " + sheet in out.stderr and "1,048,576" in out.stderr
    with zipfile.ZipFile(master) as zf:
        assert LAST_ROW in zf.read(sheet_parts(zf)[sheet])
