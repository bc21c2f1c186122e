"""An interrupted ``generate`` records nothing or is finished by the next run (issue 8, item 2),
and a bad value in the tool's own rounds sheet is named by sheet and cell (item 23)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from seuranta_xl.api import generate, merge, summary, synthetic_master, validate
from seuranta_xl.errors import RoundError, UnreadableFile, WriteError
from seuranta_xl.xlsx import generate as gen
from seuranta_xl.xlsx.read import load_plan

from .conftest import run_cli

ROUND = "2026-syksy"


@pytest.fixture
def master(tmp_path):
    return synthetic_master(tmp_path / "seuranta.xlsx", owners=5, rows_per_owner=3).master


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _staging(out: Path) -> list[Path]:
    return sorted(out.glob(gen.STAGING_PREFIX + "*")) if out.exists() else []


def assert_consistent(master: Path, out: Path) -> None:
    """The round records and the published files agree, and nothing is half done."""
    records = [r for r in load_plan(master).rounds if r.round_id == ROUND]
    published = sorted(p.name for p in out.glob("*.xlsx")) if out.exists() else []
    assert sorted(r.file for r in records) == published
    for r in records:
        assert _sha(out / r.file) == r.file_sha256
    assert _staging(out) == []


def test_interrupted_while_publishing_the_next_run_finishes(master, tmp_path, monkeypatch):
    out = tmp_path / "out"
    real, calls = gen._publish_one, []

    def ctrl_c_on_second(src, dst, sha):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(src, dst, sha)

    monkeypatch.setattr(gen, "_publish_one", ctrl_c_on_second)
    with pytest.raises(WriteError) as err:
        generate(master, out, round_id=ROUND)
    monkeypatch.undo()
    assert err.value.key == "publish_interrupted"
    assert "run the same generate command again" in err.value.message("en")
    records = [r for r in load_plan(master).rounds if r.round_id == ROUND]
    assert len(records) == 5  # recorded for all owners ...
    assert len(list(out.glob("*.xlsx"))) == 1  # ... the first file out, the rest still staged
    assert len(_staging(out)) == 1

    again = run_cli("generate", str(master), "--out", str(out), "--round", ROUND, "--lang", "en")
    assert again.returncode == 0, again.stderr
    assert "interrupted run's recorded round put in place (4)" in again.stdout
    assert_consistent(master, out)
    # and the round stays issued: a third run refuses as before
    third = run_cli("generate", str(master), "--out", str(out), "--round", ROUND)
    assert third.returncode == 2 and "on jo tehty" in third.stderr


def test_interrupted_before_the_round_is_recorded_nothing_remains(master, tmp_path, monkeypatch):
    import seuranta_xl.xlsx.master as master_io

    out = tmp_path / "out"
    before = master.read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(master_io, "record_round", interrupted)
    with pytest.raises(KeyboardInterrupt):
        generate(master, out, round_id=ROUND)
    monkeypatch.undo()
    assert master.read_bytes() == before
    assert list(out.iterdir()) == []
    assert len(generate(master, out, round_id=ROUND).files) == 5
    assert_consistent(master, out)


def test_killed_before_recording_the_next_run_removes_what_it_staged(master, tmp_path, monkeypatch):
    """As after SIGKILL between staging and recording: the staged round is unrecorded."""
    import seuranta_xl.xlsx.master as master_io

    out = tmp_path / "out"

    def killed(*args, **kwargs):
        raise SystemExit(137)

    monkeypatch.setattr(master_io, "record_round", killed)
    monkeypatch.setattr(gen.StagedRound, "discard", lambda self: None)  # no cleanup ran
    with pytest.raises(SystemExit):
        generate(master, out, round_id=ROUND)
    monkeypatch.undo()
    [staging] = _staging(out)
    assert len(list(staging.glob("*.xlsx"))) == 5

    result = generate(master, out, round_id=ROUND)
    assert result.cleaned == (staging,) and len(result.files) == 5
    assert_consistent(master, out)


def test_a_staging_folder_holding_a_foreign_file_is_left_alone(master, tmp_path, monkeypatch):
    import seuranta_xl.xlsx.master as master_io

    out = tmp_path / "out"
    monkeypatch.setattr(master_io, "record_round", lambda *a, **k: (_ for _ in ()).throw(OSError))
    monkeypatch.setattr(gen.StagedRound, "discard", lambda self: None)
    with pytest.raises(OSError):
        generate(master, out, round_id=ROUND)
    monkeypatch.undo()
    [staging] = _staging(out)
    (staging / "muistiinpanot.txt").write_text("minun")
    changed = next(staging.glob("*.xlsx"))
    changed.write_bytes(b"not what the tool wrote")

    with pytest.raises(WriteError) as err:
        generate(master, out, round_id=ROUND)
    assert err.value.key == "staging_blocked" and staging.name in err.value.message("en")
    assert (staging / "muistiinpanot.txt").read_text() == "minun"
    assert changed.read_bytes() == b"not what the tool wrote"  # not provably the tool's


def test_a_foreign_file_appearing_under_a_published_name_is_never_replaced(
    master, tmp_path, monkeypatch
):
    import seuranta_xl.xlsx.master as master_io

    out = tmp_path / "out"
    real = master_io.record_round

    def record_then_someone_saves(path, identity, records):
        backup = real(path, identity, records)
        (out / records[0].file).write_bytes(b"staff's own file")
        return backup

    monkeypatch.setattr(master_io, "record_round", record_then_someone_saves)
    with pytest.raises(WriteError) as err:
        generate(master, out, round_id=ROUND)
    monkeypatch.undo()
    assert err.value.key == "publish_blocked"
    first = next(r for r in load_plan(master).rounds if r.round_id == ROUND)
    assert (out / first.file).read_bytes() == b"staff's own file"
    assert first.file in err.value.message("fi")
    # moved away by the user: the next run finishes
    (out / first.file).rename(tmp_path / "moved.xlsx")
    result = generate(master, out, round_id=ROUND)
    assert len(result.finished) == 1
    assert_consistent(master, out)


def test_no_space_while_publishing_is_said_and_finished_next_run(master, tmp_path, monkeypatch):
    import errno

    out = tmp_path / "out"
    calls = []

    def link_fails_third(src, dst):
        if Path(dst).parent == out:  # the workbooks' links, not a lock's
            calls.append(dst)
        if len(calls) == 3 and Path(dst).parent == out:
            raise OSError(errno.EIO, "Input/output error")
        return link(src, dst)

    link = gen.os.link
    monkeypatch.setattr(gen.os, "link", link_fails_third)
    with pytest.raises(WriteError) as err:
        generate(master, out, round_id=ROUND)
    monkeypatch.undo()
    assert err.value.key == "publish_incomplete"
    assert "run the same generate command again" in err.value.message("en")
    assert len(generate(master, out, round_id=ROUND).finished) == 3
    assert_consistent(master, out)


def test_file_systems_without_hard_links_publish_too(master, tmp_path, monkeypatch):
    import errno

    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(gen.os, "link", no_links)
    out = tmp_path / "out"
    assert len(generate(master, out, round_id=ROUND).files) == 5
    assert_consistent(master, out)


def test_other_masters_and_unmarked_folders_are_not_touched(master, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    other = out / (gen.STAGING_PREFIX + "other")
    other.mkdir()
    gen.Marker("another-master", str(tmp_path / "muu.xlsx"), ROUND, {"a.xlsx": ""}).write(other)
    (other / "a.xlsx").write_bytes(b"x")
    unmarked = out / (gen.STAGING_PREFIX + "unmarked")
    unmarked.mkdir()
    (unmarked / "b.xlsx").write_bytes(b"y")
    generate(master, out, round_id=ROUND)
    assert (other / "a.xlsx").read_bytes() == b"x"
    assert (unmarked / "b.xlsx").read_bytes() == b"y"


# --------------------------------------------------------------------------- item 23


def _set_rounds_cell(master: Path, ref: tuple[int, int], value: object) -> None:
    from seuranta_xl.xlsx.patch import patch_sheets, set_cells

    patch_sheets(master, {"Kierrokset": lambda xml: set_cells(xml, {ref: value})[0]})


def test_na_in_the_rounds_sheet_is_named_by_cell_and_harmless_elsewhere(master, tmp_path):
    out = tmp_path / "out"
    first = generate(master, out, round_id="r1")
    _set_rounds_cell(master, (3, 5), "n/a")  # E3: the second owner's row count

    assert validate(master).plan.rows  # validate needs no round counts
    summary(master)  # nor does the summary
    returned = merge(master, [first.files[0].path])
    assert [f.reason for f in returned.files] == ["as_issued"]

    with pytest.raises(UnreadableFile) as err:
        generate(master, tmp_path / "out2", round_id="r2")
    message = err.value.message("en")
    assert "Kierrokset" in message and "E3" in message and "'n/a'" in message
    assert "whole number" in message
    assert "E3" in err.value.message("fi") and "kokonaisluku" in err.value.message("fi")
    cli = run_cli("generate", str(master), "--out", str(tmp_path / "o3"), "--round", "r3")
    assert cli.returncode == 2 and "Kierrokset" in cli.stderr and "E3" in cli.stderr
    assert "Traceback" not in cli.stderr


def test_a_damaged_key_is_named_not_replaced(master, tmp_path):
    from seuranta_xl.xlsx.patch import patch_sheets, set_cells

    generate(master, tmp_path / "out", round_id="r1")
    patch_sheets(master, {"seuranta_avain": lambda xml: set_cells(xml, {(3, 2): "poistettu"})[0]})
    with pytest.raises(UnreadableFile) as err:
        generate(master, tmp_path / "out2", round_id="r2")
    assert "seuranta_avain" in err.value.message("en") and "B3" in err.value.message("en")


def test_round_records_reader_says_which_cell():
    from seuranta_xl.rounds import BadToolCell, read_round_records

    grid = [["head"], ["r1", "t", "o", "f", 3, 2], ["r1", "t", "p", "g", "n/a", 1.5]]
    with pytest.raises(BadToolCell) as err:
        read_round_records(grid)
    assert (err.value.row, err.value.column, err.value.value) == (3, 4, "n/a")
    problems: list[BadToolCell] = []
    records = read_round_records(grid, problems)
    assert [r.rows for r in records] == [3, 0]
    assert [(p.row, p.column) for p in problems] == [(3, 4)]
    with pytest.raises(RoundError):
        raise RoundError("round_issued", round="r", owners="x")


def test_a_failure_after_the_master_was_replaced_keeps_the_round(master, tmp_path, monkeypatch):
    """The master replaced, then syncing its folder fails: the round stands, and the
    message says the next run finishes it rather than that nothing changed."""
    import seuranta_xl.xlsx.master as master_io

    out = tmp_path / "out"
    real = master_io.record_round

    def recorded_then_sync_fails(*args, **kwargs):
        real(*args, **kwargs)
        raise WriteError("save_failed", path=str(master), detail="Input/output error")

    monkeypatch.setattr(master_io, "record_round", recorded_then_sync_fails)
    with pytest.raises(WriteError) as err:
        generate(master, out, round_id=ROUND)
    monkeypatch.undo()
    assert err.value.key == "publish_incomplete"
    assert "Input/output error" in err.value.message("en")
    assert len(generate(master, out, round_id=ROUND).finished) == 5
    assert_consistent(master, out)


def test_validate_names_a_bad_rounds_cell_as_a_warning(master, tmp_path):
    generate(master, tmp_path / "out", round_id="r1")
    _set_rounds_cell(master, (2, 6), "paljon")  # F2: own rows
    found = validate(master).report.by_rule("tool.value")
    assert [(f.sheet, f.cell, f.severity.value) for f in found] == [("Kierrokset", "F2", "warning")]
    assert "'paljon'" in found[0].message("en") and "whole number" in found[0].message("en")
    cli = run_cli("validate", str(master), "--lang", "en")
    assert cli.returncode == 0 and "Kierrokset" in cli.stdout and "F2" in cli.stdout


def test_a_master_given_its_sheets_but_not_the_round_keeps_nothing_staged(tmp_path, monkeypatch):
    """A master not made by ``init`` gets the tool's sheets in one save and the round in
    the next; when only the first lands, the round is not recorded and nothing stays."""
    from seuranta_xl.synthetic import synthetic_grid
    from seuranta_xl.xlsx import patch

    from .conftest import write_xlsx

    master = write_xlsx(tmp_path / "oma.xlsx", synthetic_grid(3, 2, seed=7))
    out = tmp_path / "out"

    def full_disk(*args, **kwargs):
        raise WriteError("save_failed", path=str(master), detail="No space left on device")

    # record_round writes the rounds sheet (and the time format) through patch_sheets
    monkeypatch.setattr(patch, "patch_sheets", full_disk)
    with pytest.raises(WriteError) as err:
        generate(master, out, round_id=ROUND)
    monkeypatch.undo()
    assert err.value.key == "save_failed"
    assert "Kierrokset" in load_plan(master).sheet_names  # the first save landed
    assert not load_plan(master).rounds
    assert list(out.iterdir()) == []
    assert len(generate(master, out, round_id=ROUND).files) == 3
    assert_consistent(master, out)


def test_files_moved_on_by_staff_do_not_block_finishing(master, tmp_path, monkeypatch):
    out = tmp_path / "out"
    real, calls = gen._publish_one, []

    def ctrl_c_on_third(src, dst, sha):
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(src, dst, sha)

    monkeypatch.setattr(gen, "_publish_one", ctrl_c_on_third)
    with pytest.raises(WriteError):
        generate(master, out, round_id=ROUND)
    monkeypatch.undo()
    sent = tmp_path / "lähetetyt"
    sent.mkdir()
    for p in out.glob("*.xlsx"):  # the two already out are mailed and moved away
        p.rename(sent / p.name)
    result = generate(master, out, round_id=ROUND)
    assert len(result.finished) == 3 and _staging(out) == []
    assert len(list(out.glob("*.xlsx"))) == 3


def test_a_marker_naming_a_path_outside_its_folder_is_not_trusted(master, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "tärkeä.xlsx"
    victim.write_bytes(b"keep me")
    staging = out / (gen.STAGING_PREFIX + "crafted")
    staging.mkdir()
    gen.Marker("x", str(master.resolve()), ROUND, {"../../tärkeä.xlsx": ""}).write(staging)
    generate(master, out, round_id=ROUND)
    assert victim.read_bytes() == b"keep me"
    assert staging.exists()  # not provably the tool's: left alone


def test_a_bad_scale_step_in_the_settings_is_named_by_cell(master):
    from seuranta_xl.xlsx.patch import patch_sheets, set_cells

    patch_sheets(master, {"Asetukset": lambda xml: set_cells(xml, {(4, 1): "kolme"})[0]})
    with pytest.raises(UnreadableFile) as err:
        validate(master)
    message = err.value.message("en")
    assert "Asetukset" in message and "A4" in message and "'kolme'" in message
    cli = run_cli("validate", str(master))
    assert cli.returncode == 2 and "A4" in cli.stderr and "Traceback" not in cli.stderr
