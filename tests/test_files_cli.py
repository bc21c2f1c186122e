"""The command's output: any output encoding, and JSON even for a fatal error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seuranta_xl import init_master
from seuranta_xl.api import generate
from seuranta_xl.xlsx.patch import patch_sheets, set_cells

from .conftest import KP, seuranta_command, write_xlsx


def run(encoding: str, *args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """The real entry point with its output redirected in ``encoding``, as on Windows."""
    env = {**os.environ, "PYTHONIOENCODING": encoding, "SEURANTA_LANG": "fi"}
    env.pop("PYTHONUTF8", None)
    proc = subprocess.run(
        [*seuranta_command(), *args],
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    for stream in (proc.stdout, proc.stderr):
        text = stream.decode("utf-8", "replace")
        assert "Traceback" not in text and "UnicodeEncodeError" not in text, text
    # ascii output is written as UTF-8 by click; the others in their own encoding
    shown = "utf-8" if encoding == "ascii" else encoding
    return proc.returncode, proc.stdout.decode(shown), proc.stderr.decode(shown, "replace")


@pytest.mark.parametrize("encoding", ["cp1252", "ascii", "latin-1"])
def test_every_command_survives_any_output_encoding(encoding, tmp_path, sample_path):
    work = tmp_path / "työ ä"
    work.mkdir()
    source = shutil.copy(sample_path, work / "lähde_ä.tsv")
    master = work / "seurantä.xlsx"
    code, out, _ = run(encoding, "init", str(master), "--from", str(source))
    assert code == 0 and "Seurantataulukko tehty" in out and "rivejä" in out
    code, out, _ = run(encoding, "validate", str(master))
    assert code == 0 and "Tarkistettu" in out
    code, out, _ = run(encoding, "validate", "--json", str(master))
    assert code == 0 and json.loads(out)["ok"] is True
    code, out, _ = run(encoding, "generate", str(master), "--out", str(work / "jaetut"))
    assert code == 0 and KP in out
    issued = next((work / "jaetut").glob("*Kansliap*.xlsx"))
    wb = load_workbook(issued)
    wb["Seuranta"]["G3"] = "Valmis → käytössä ✓"
    wb.save(work / "palautus_ä.xlsx")
    code, out, _ = run(encoding, "merge", "--dry-run", str(master), str(work / "palautus_ä.xlsx"))
    assert code == 0 and "palautus_" in out and "Kokeiluajo" in out
    code, out, _ = run(encoding, "merge", "--json", "--dry-run", str(master), str(work))
    data = json.loads(out)
    assert data["changes"][0]["new"] == "Valmis → käytössä ✓"  # \u escapes where needed
    code, out, _ = run(encoding, "merge", str(master), str(work / "palautus_ä.xlsx"))
    assert code == 0 and "Seurantataulukko päivitetty" in out
    assert "'Valmis ? k" in out or "'Valmis → k" in out
    code, out, _ = run(encoding, "summary", str(master), "--out", str(work / "yhteenvetö.xlsx"))
    assert code == 0 and "Yhteenveto" in out
    for command in ([], ["merge"], ["validate"]):
        code, out, _ = run(encoding, *command, "--help")
        assert code == 0 and "seuranta" in out


def test_the_demo_survives_a_cp1252_console(tmp_path):
    code, out, _ = run("cp1252", "demo", str(tmp_path / "esittely"))
    assert code == 0 and "Valmis" in out and "Palautettuja tiedostoja" in out


@pytest.fixture
def issued(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    generate(master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1, 9))
    return master


def _fatal(*args: str) -> tuple[int, dict, str]:
    env = {**os.environ, "SEURANTA_LANG": "en"}
    proc = subprocess.run(
        [*seuranta_command(), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def test_a_fatal_error_with_json_prints_json(issued, tmp_path):
    missing = str(tmp_path / "ei_ole.xlsx")
    text = tmp_path / "teksti.xlsx"
    text.write_text("a\tb\n", "utf-8")
    plain = write_xlsx(tmp_path / "ilman_kierroksia.xlsx", [["x"]])
    for args, code, key, path in [
        (["validate", "--json", missing], 2, "missing", missing),
        (["merge", "--json", missing, str(tmp_path)], 2, "missing", missing),
        (["merge", "--json", str(text), str(tmp_path)], 2, "master_is_text", str(text)),
        (["merge", "--json", str(plain), str(tmp_path)], 2, "no_rounds", str(plain)),
    ]:
        got, data, err = _fatal(*args)
        assert got == code
        assert data["ok"] is False and data["error"] == key and data["path"] == path
        assert data["message"] and data["message"] in err  # said on stderr as before
    # the same exit code as without --json
    plain_run = subprocess.run(
        [*seuranta_command(), "validate", missing], capture_output=True, check=False
    )
    assert plain_run.returncode == 2


def test_a_master_with_errors_to_fix_first_prints_json_with_them(issued, tmp_path):
    patch_sheets(  # a repeated code
        issued,
        {"Seuranta": lambda xml: set_cells(xml, {(4, 2): "01.01 Toinen samalla koodilla"})[0]},
    )
    got, data, _ = _fatal("merge", "--json", str(issued), str(tmp_path / "jaetut"))
    assert got == 2 and data["ok"] is False and data["error"] == "master_has_errors_merge"
    assert data["path"] == str(issued)
    assert data["findings"] and all(f["severity"] == "error" for f in data["findings"])
