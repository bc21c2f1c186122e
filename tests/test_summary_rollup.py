"""Issue 8, items 15 and 16: ``summary --write-rollup`` never writes over a value someone
gave and logs what it writes; ``summary`` and ``validate --mark`` read under the lock."""

from __future__ import annotations

from datetime import datetime

import pytest

from seuranta_xl import init_master
from seuranta_xl.api import ROLLUP_DECISION, generate, merge, summary, validate_and_mark
from seuranta_xl.model import Field
from seuranta_xl.summary import rollup
from seuranta_xl.xlsx.patch import patch_sheets, set_cells
from seuranta_xl.xlsx.read import load_plan

from .conftest import run_cli
from .test_summary import _fill

OWNER_VALUE = "Etenee hyvin, rahoitus varmistui"
COORDINATOR_VALUE = "Koordinaattori: arvioidaan syksyllä"


@pytest.fixture
def master(tmp_path, sample_path):
    """The sample after a round in which Kansliapäällikkö gave the overall status of annual
    goal 02.02 (row 12 of their workbook, column E)."""
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    issued = generate(master, tmp_path / "out", round_id="2021-kevät", now=datetime(2021, 4, 1))
    kp = next(f for f in issued.files if f.owner == "Kansliapäällikkö")
    result = merge(master, [_fill(kp.path, tmp_path / "r.xlsx", {(12, 5): OWNER_VALUE})])
    assert result.files[0].applied == 1
    return master


def _type(master, by_code):
    """Cells typed into the master's data sheet, as the coordinator would (no log row)."""
    plan = load_plan(master).plan
    rows = plan.by_code()
    edits = {
        (rows[code].sheet_row, plan.columns[field]): value
        for (code, field), value in by_code.items()
    }
    patch_sheets(master, {plan.sheet: lambda xml: set_cells(xml, edits)[0]}, backup=False)


def _overall(master):
    return {str(r.code): r.text(Field.OVERALL) for r in load_plan(master).plan.rows if r.code}


def test_rollup_writes_empty_cells_only_and_logs_each(master):
    from seuranta_xl.model import Code

    _type(master, {(Code.parse("03."), Field.OVERALL): COORDINATOR_VALUE})
    loaded = load_plan(master)
    before, log_before = _overall(master), len(loaded.log)
    suggested = {str(c): loaded.plan.scale.display(v) for c, v in rollup(loaded.plan).items()}
    assert before["02.02"] == OWNER_VALUE and before["03."] == COORDINATOR_VALUE

    out = run_cli("summary", str(master), "--write-rollup")
    assert out.returncode == 0, out.stderr
    after = load_plan(master)
    overall = _overall(master)
    assert overall["02.02"] == OWNER_VALUE  # the owner's merged value stays
    assert overall["03."] == COORDINATOR_VALUE  # and so does the coordinator's
    written = {c for c in suggested if c not in ("02.02", "03.") and before[c] != suggested[c]}
    assert written and all(overall[c] == suggested[c] for c in written)
    new_rows = after.log[log_before:]
    assert sorted((r[5], r[6], r[7], r[8], r[9]) for r in new_rows) == sorted(
        (c, "Kokonaistilanne", "", suggested[c], ROLLUP_DECISION) for c in written
    )
    assert f"{len(written)} kokonaistilanne-soluun" in out.stdout
    assert "Kokonaistilanne-soluja oli jo täytetty (2)" in out.stdout

    # again: nothing to write, nothing logged
    out = run_cli("summary", str(master), "--write-rollup")
    assert out.returncode == 0, out.stderr
    assert _overall(master) == overall
    assert len(load_plan(master).log) == len(after.log)


def test_rollup_updates_its_own_suggestion_but_not_one_someone_changed(master):
    from seuranta_xl.model import Code

    first = summary(master, write_rollup=True)
    assert first.rollup_written > 0
    # 14.07's children both move to 5; 06.01's single child too. The coordinator has
    # meanwhile written over the suggestion of 06.01 by hand.
    status5 = load_plan(master).plan.scale.display(5)
    _type(
        master,
        {
            (Code.parse("14.07.02"), Field.STATUS): status5,
            (Code.parse("14.07.03"), Field.STATUS): status5,
            (Code.parse("06.01.01"), Field.STATUS): status5,
            (Code.parse("06.01"), Field.OVERALL): COORDINATOR_VALUE,
        },
    )
    before = _overall(master)
    log_before = len(load_plan(master).log)
    second = summary(master, write_rollup=True)
    overall = _overall(master)
    assert overall["14.07"] == status5  # its own suggestion, unchanged since: updated
    assert overall["06.01"] == COORDINATOR_VALUE  # someone's: left
    new_rows = load_plan(master).log[log_before:]
    logged = {r[5]: (r[7], r[8], r[9]) for r in new_rows}
    assert logged["14.07"] == (before["14.07"], status5, ROLLUP_DECISION)
    assert "06.01" not in logged
    assert second.rollup_written == len(new_rows)


# --------------------------------------------------------------------------- item 15


def _lock_of(path):
    return path.with_name(f".{path.name}.seuranta-lock")


def _reads_under_lock(monkeypatch, master):
    """Every read of the master happens while its run lock is held."""
    from seuranta_xl.xlsx import read

    real = read.load_plan
    reads = []

    def load_plan(path, *args, **kwargs):
        if str(path) == str(master):
            reads.append(_lock_of(master).exists())
        return real(path, *args, **kwargs)

    monkeypatch.setattr(read, "load_plan", load_plan)
    return reads


def test_summary_reads_the_master_under_its_lock(master, monkeypatch):
    reads = _reads_under_lock(monkeypatch, master)
    summary(master, write_rollup=True)
    assert reads and all(reads)
    assert not _lock_of(master).exists()


def test_mark_reads_the_workbook_under_its_lock(master, monkeypatch):
    reads = _reads_under_lock(monkeypatch, master)
    validate_and_mark(master)
    assert reads and all(reads)
    assert not _lock_of(master).exists()


def test_summary_waits_for_nobody_while_another_run_holds_the_lock(master):
    import os

    lock = _lock_of(master)
    lock.write_text(f"{os.getpid()} 2021-05-03T12:00:00\n")  # a live run holds it
    before = master.read_bytes()
    out = run_cli("summary", str(master), "--write-rollup")
    assert out.returncode == 2 and master.name in out.stderr
    out = run_cli("validate", str(master), "--mark")
    assert out.returncode == 2 and master.name in out.stderr
    assert master.read_bytes() == before
    lock.unlink()
