"""Isolated readers: their own output goes to the log, and they end with their parent."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime

import pytest

from seuranta_xl import init_master, log
from seuranta_xl.api import generate
from seuranta_xl.xlsx.isolate import Failed, map_isolated
from seuranta_xl.xlsx.returns import read_return

from .conftest import CORPUS, assert_run_ended, run_cli, run_processes, seuranta_command


class PanicError(BaseException):
    """As pyo3's PanicException: a BaseException, not an Exception."""


def _noisy(x):
    if x == "panic":
        # what a Rust panic does: a message straight on fd 2, then an exception
        os.write(2, b"thread '<unnamed>' panicked at src/xlsb/mod.rs:1:1\nRUST_BACKTRACE=1\n")
        raise PanicError("called `Option::unwrap()` on a `None` value")
    if x == "abort":
        print("Traceback (most recent call last): about to abort", file=sys.stderr, flush=True)
        os.abort()
    print(f"reading {x}")  # stdout too
    return x * 2


def test_a_readers_output_goes_to_the_log_not_the_terminal(capfd, tmp_path, monkeypatch):
    monkeypatch.setenv("SEURANTA_LOG", str(tmp_path / "state" / "seuranta.log"))
    out = map_isolated(
        _noisy, ["a", "panic", "b", "abort", "c"], workers=2, describe=lambda x: f"<{x}>"
    )
    assert out[0] == "aa" and out[2] == "bb" and out[4] == "cc"
    assert isinstance(out[1], Failed) and "PanicError" in out[1].detail
    assert isinstance(out[3], Failed) and out[3].why == "crashed"
    seen = capfd.readouterr()
    assert "panicked" not in seen.err + seen.out
    assert "Traceback" not in seen.err + seen.out
    assert "reading" not in seen.out
    text = (tmp_path / "state" / "seuranta.log").read_text("utf-8")
    assert "the reader of <panic> printed" in text and "panicked at src/xlsb" in text
    assert "the reader of <abort> printed" in text and "about to abort" in text
    assert "reading a" in text


def test_the_log_path_by_platform(monkeypatch, tmp_path):
    monkeypatch.delenv("SEURANTA_LOG", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    if sys.platform != "win32":
        assert log.log_path() == tmp_path / "xdg" / "seuranta-xl" / "seuranta.log"
        monkeypatch.delenv("XDG_STATE_HOME")
        assert log.log_path().parts[-4:] == (".local", "state", "seuranta-xl", "seuranta.log")
    monkeypatch.setenv("SEURANTA_LOG", str(tmp_path / "x.log"))
    assert log.log_path() == tmp_path / "x.log"


def test_an_unwritable_log_costs_nothing(monkeypatch, tmp_path, capfd):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("SEURANTA_LOG", str(tmp_path / "file" / "under-a-file.log"))
    before = log.written()
    log.log("nowhere to go")
    assert "Logging error" not in capfd.readouterr().err
    assert log.written() == before  # so no run says it wrote there
    monkeypatch.setenv("SEURANTA_LOG", str(tmp_path / "ok.log"))
    log.log("name \udce4 not UTF-8")
    assert log.written() == before + 1
    assert "name ? not UTF-8" in (tmp_path / "ok.log").read_text("utf-8")


@pytest.fixture
def many_returns(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    files = generate(
        master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1, 9)
    ).files
    box = tmp_path / "palautukset"
    box.mkdir()
    for i in range(300):
        shutil.copy(files[i % len(files)].path, box / f"palautus_{i:03}.xlsx")
    return master, box


def test_a_killed_merge_leaves_no_reader_running(many_returns):
    master, box = many_returns
    cmd = [*seuranta_command(), "merge", "--dry-run", str(master), str(box)]
    start = time.monotonic()
    assert subprocess.run(cmd, capture_output=True, check=False).returncode in (0, 1)
    full = time.monotonic() - start
    killed_with_readers = 0
    for share in (0.3, 0.5, 0.7):
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(share * full)
        readers = len(run_processes(proc.pid)) - 1  # the run's processes but itself
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_with_readers += readers > 0
        proc.wait()
        assert_run_ended(proc.pid)
    assert killed_with_readers, "no run was killed while its readers were at work"


PANICS = [
    CORPUS / "calamine" / "tests" / name
    for name in ("issue_666_panic.xlsb", "OOM_alloc.xls", "OOM_alloc2.xls", "issue_594_dos.ods")
]


def test_corpus_files_made_to_panic_print_nothing_but_their_result(many_returns, tmp_path):
    if not CORPUS.is_dir():
        pytest.skip(f"the corpus of real spreadsheets is not here ({CORPUS})")
    master, _ = many_returns
    box = tmp_path / "paniikki"
    box.mkdir()
    for path in PANICS:
        shutil.copy(path, box / path.name)
    out = run_cli("merge", str(master), str(box), env={"RUST_BACKTRACE": "1"})
    assert out.returncode == 1
    for noise in ("Traceback", "panicked", "RUST_BACKTRACE", "stack backtrace"):
        assert noise not in out.stdout + out.stderr
    for path in PANICS:
        assert f"  {path.name}: " in out.stdout


def _loud_reader(job):
    os.write(2, b"thread '<unnamed>' panicked at 'index out of bounds'\n")
    return read_return(job)


def test_the_command_says_where_the_log_is_when_a_reader_printed(
    many_returns, tmp_path, monkeypatch
):
    from click.testing import CliRunner

    from seuranta_xl.cli import main
    from seuranta_xl.xlsx import returns

    master, box = many_returns
    logfile = tmp_path / "loki" / "seuranta.log"
    monkeypatch.setenv("SEURANTA_LOG", str(logfile))
    monkeypatch.setattr(returns, "read_return", _loud_reader)
    first = next(box.iterdir())
    out = CliRunner().invoke(main, ["merge", "--dry-run", "--lang", "en", str(master), str(first)])
    assert out.exit_code == 0, out.output
    assert "panicked" not in out.output
    assert f"The file readers' own output was written to the log: {logfile}" in out.output
    assert f"the reader of {first} printed" in logfile.read_text("utf-8")
    # nothing printed, nothing said
    monkeypatch.undo()
    monkeypatch.setenv("SEURANTA_LOG", str(logfile))
    out = CliRunner().invoke(main, ["merge", "--dry-run", str(master), str(first)])
    assert out.exit_code == 0 and "lokiin" not in out.output


def _quick(x):
    if x == "abort":
        os.abort()
    return x * 2


def test_answers_sent_before_a_worker_crashed_are_kept():
    # one worker answers a and b at once and crashes on the third; its answers are
    # still in the pipe when the next item cannot be sent to it
    items = ["a", "b", "abort", *"cdefghijkl"]
    for _ in range(5):
        out = map_isolated(_quick, items, workers=1)
        assert out[:2] == ["aa", "bb"]
        assert isinstance(out[2], Failed) and out[2].why == "crashed"
        assert out[3:] == [x * 2 for x in "cdefghijkl"]


def test_without_a_temporary_folder_a_readers_output_is_dropped(monkeypatch, capfd):
    import tempfile

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)
    out = map_isolated(_noisy, ["a", "panic", "b"], workers=1)
    assert out[0] == "aa" and out[2] == "bb" and isinstance(out[1], Failed)
    seen = capfd.readouterr()
    assert "panicked" not in seen.err and "reading" not in seen.out
    assert os.path.exists(os.devnull)
