"""The ``seuranta`` command through its installed entry point: output and exit codes."""

from __future__ import annotations

import json

from .conftest import run_cli, write_xlsx
from .test_rules import PLANTED


def test_help_lists_every_command():
    out = run_cli("--help")
    assert out.returncode == 0
    for command in ("init", "validate", "demo"):
        assert command in out.stdout
    for command in ("init", "validate", "demo"):
        sub = run_cli(command, "--help")
        assert sub.returncode == 0 and "--lang" in sub.stdout


def test_init_then_validate_the_sample(tmp_path, sample_path):
    master = tmp_path / "seuranta.xlsx"
    out = run_cli("init", str(master), "--from", str(sample_path))
    assert out.returncode == 0, out.stderr
    assert "rivejä: 67" in out.stdout
    assert "sample_2021.tsv!A16" in out.stdout  # a dropped blank line, reported
    checked = run_cli("validate", str(master))
    assert checked.returncode == 0
    assert "0 virhettä, 9 varoitusta, 14 huomautusta." in checked.stdout
    assert "Seuranta!F3" in checked.stdout


def test_init_refuses_to_overwrite_without_force(tmp_path, sample_path):
    master = tmp_path / "seuranta.xlsx"
    assert run_cli("init", str(master), "--from", str(sample_path)).returncode == 0
    before = master.read_bytes()
    again = run_cli("init", str(master), "--from", str(sample_path))
    assert again.returncode == 2
    assert "--force" in again.stderr
    assert master.read_bytes() == before
    forced = run_cli("init", str(master), "--from", str(sample_path), "--force")
    assert forced.returncode == 0
    backups = list((tmp_path / "varmuuskopiot").glob("seuranta.*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == before


def test_validate_json_and_exit_1_on_errors(tmp_path):
    path = write_xlsx(tmp_path / "planted.xlsx", PLANTED)
    out = run_cli("validate", str(path), "--json")
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert data["ok"] is False
    assert set(data) == {"ok", "findings"}
    first = data["findings"][0]
    assert set(first) == {"rule", "severity", "sheet", "cell", "row", "code", "message"}
    unknown = [f for f in data["findings"] if f["rule"] == "status.unknown"]
    assert [(f["cell"], f["row"], f["code"]) for f in unknown] == [
        ("F8", 8, "01.05"),
        ("F9", 9, "01.06"),
    ]


def test_english_messages(tmp_path):
    path = write_xlsx(tmp_path / "planted.xlsx", PLANTED)
    out = run_cli("validate", str(path), "--lang", "en")
    assert out.returncode == 1
    assert "errors," in out.stdout and "Status '7' is not on the scale" in out.stdout
    env = run_cli("validate", str(path), env={"SEURANTA_LANG": "en"})
    assert "Status '7' is not on the scale" in env.stdout


def test_unreadable_files_exit_2_with_the_reason(tmp_path):
    missing = run_cli("validate", str(tmp_path / "ei-ole.xlsx"))
    assert missing.returncode == 2 and "ei-ole.xlsx" in missing.stderr
    html = tmp_path / "renamed.xlsx"
    html.write_text("<html><body><table><tr><td>x</td></tr></table></body></html>")
    out = run_cli("validate", str(html), "--lang", "en")
    assert out.returncode == 2 and "web page (HTML)" in out.stderr
    noheader = write_xlsx(tmp_path / "noheader.xlsx", [["a", "b"], [1, 2]])
    out = run_cli("validate", str(noheader), "--lang", "en")
    assert out.returncode == 2 and "no sheet has a follow-up header" in out.stderr
    assert "Traceback" not in out.stderr


def test_demo_runs_the_cycle(tmp_path):
    out = run_cli("demo", str(tmp_path / "demo"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "demo" / "seuranta.xlsx").exists()
    assert "Valmis" in out.stdout
    assert len(list((tmp_path / "demo" / "tyokirjat").glob("*.xlsx"))) == 2
    assert (tmp_path / "demo" / "yhteenveto.xlsx").exists()
    again = run_cli("demo", str(tmp_path / "demo"))
    assert again.returncode == 0, again.stderr
    # each run starts from the sample: the backups are this run's (round, merge, summary)
    assert len(list((tmp_path / "demo" / "varmuuskopiot").iterdir())) == 3
    assert "Viedyt muutokset (3)" in again.stdout


def test_demo_default_directory(tmp_path):
    out = run_cli("demo", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "seuranta-demo" / "seuranta.xlsx").exists()


def test_mark_on_a_text_source_says_what_to_do(tmp_path, sample_path):
    src = tmp_path / "lahde.txt"
    src.write_bytes(sample_path.read_bytes())
    out = run_cli("validate", str(src), "--mark", "--lang", "en")
    assert out.returncode == 2 and "seuranta init" in out.stderr and "Traceback" not in out.stderr


def test_a_text_file_is_no_master_and_an_unknown_round_is_said(tmp_path, sample_path):
    src = tmp_path / "lahde.txt"
    src.write_bytes(sample_path.read_bytes())
    for args in (
        ["generate", str(src), "--out", str(tmp_path / "o")],
        ["merge", str(src), str(tmp_path)],
        ["summary", str(src)],
    ):
        out = run_cli(*args)
        assert (
            out.returncode == 2 and "seuranta init" in out.stderr and "Traceback" not in out.stderr
        ), args
    master = tmp_path / "m.xlsx"
    assert run_cli("init", str(master), "--from", str(src)).returncode == 0
    assert (
        run_cli("generate", str(master), "--out", str(tmp_path / "o"), "--round", "r1").returncode
        == 0
    )
    out = run_cli("summary", str(master), "--round", "r9", "--lang", "en")
    assert out.returncode == 2 and "Rounds issued: r1" in out.stderr
    empty = tmp_path / "tyhja"
    empty.mkdir()
    out = run_cli("merge", str(master), str(empty))
    assert out.returncode == 0 and "ei löytynyt" in out.stdout
