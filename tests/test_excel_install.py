"""``seuranta excel install``: the add-in copied where Excel finds add-ins, a file the
command did not put there never replaced, and every refusal a message."""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from seuranta_xl import install
from seuranta_xl.cli import main


def fake_addin(path: Path, version: str) -> Path:
    """A stand-in for the built add-in: a zip with the ribbon part that names our tab."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("customUI/customUI14.xml", f'<tab id="SeurantaTab" label="Seuranta"/>{version}')
    return path


def run(*args: str):
    return CliRunner().invoke(main, ["excel", "install", *args])


@pytest.fixture
def addin(tmp_path, monkeypatch) -> Path:
    built = fake_addin(tmp_path / "build" / "seuranta.xlam", "v1")
    monkeypatch.setattr(install, "addin_source", lambda: built)
    return built


def test_installs_and_says_the_click_left(addin, tmp_path):
    folder = tmp_path / "AddIns"
    out = run("--dir", str(folder))
    assert out.exit_code == 0, out.output
    target = folder / "seuranta.xlam"
    assert target.read_bytes() == addin.read_bytes()
    assert "asennettu" in out.output and str(target) in out.output
    assert "Excel-apuohjelmat" in out.output and "rastita Seuranta" in out.output
    assert "xlwings addin install" in out.output
    again = run("--dir", str(folder), "--lang", "en")
    assert again.exit_code == 0 and "already installed" in again.output


def test_an_earlier_copy_of_ours_is_replaced(addin, tmp_path):
    folder = tmp_path / "AddIns"
    assert run("--dir", str(folder)).exit_code == 0
    fake_addin(addin, "v2")  # a newer build
    out = run("--dir", str(folder))
    assert out.exit_code == 0 and "päivitetty" in out.output
    assert (folder / "seuranta.xlam").read_bytes() == addin.read_bytes()
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("ours", [False, True])
def test_a_file_it_did_not_put_there_is_left_as_it_is(addin, tmp_path, ours):
    folder = tmp_path / "AddIns"
    folder.mkdir()
    target = folder / "seuranta.xlam"
    if ours:
        fake_addin(target, "edited by hand")  # a Seuranta add-in, but not as installed
    else:
        target.write_bytes(b"someone else's add-in")
    before = target.read_bytes()
    out = run("--dir", str(folder))
    assert out.exit_code == 2
    assert target.read_bytes() == before
    assert str(target) in out.output and "ei korvattu" in out.output
    assert ("näyttää Seuranta-apuohjelmalta" in out.output) is ours
    assert "Traceback" not in out.output


def test_a_changed_installed_copy_is_not_replaced(addin, tmp_path):
    folder = tmp_path / "AddIns"
    assert run("--dir", str(folder)).exit_code == 0
    target = folder / "seuranta.xlam"
    target.write_bytes(target.read_bytes() + b"changed")
    fake_addin(addin, "v2")
    out = run("--dir", str(folder))
    assert out.exit_code == 2 and target.read_bytes().endswith(b"changed")


def test_the_record_holds_the_hash_of_what_was_put_there(addin, tmp_path):
    folder = tmp_path / "AddIns"
    run("--dir", str(folder))
    record = (folder / install.RECORD_NAME).read_text("utf-8")
    assert hashlib.sha256(addin.read_bytes()).hexdigest() in record


def test_a_missing_add_in_is_a_message(tmp_path, monkeypatch):
    monkeypatch.setattr(install, "_packaged", lambda: tmp_path / "templates" / "seuranta.xlam")
    monkeypatch.setattr(install, "REPO_ADDIN", tmp_path / "xlsx_templates" / "seuranta.xlam")
    (tmp_path / "xlsx_templates").mkdir()
    out = run("--dir", str(tmp_path / "AddIns"))
    assert out.exit_code == 2
    assert "seuranta.xlam ei löydy" in out.output and out.exception.__class__ is SystemExit
    assert not (tmp_path / "AddIns").exists()


def test_without_excel_it_says_what_to_do(addin, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    out = run("--lang", "en")
    assert out.exit_code == 2
    assert "Excel is not available here" in out.output and "--dir" in out.output


def test_excel_add_in_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    assert install.addin_folder("win32") == tmp_path / "Roaming" / "Microsoft" / "AddIns"
    group = tmp_path / install.MAC_GROUP
    assert install.addin_folder("darwin", tmp_path) == group / "User Content" / "Add-Ins"
    (group / "User Content.localized" / "Add-Ins.localized").mkdir(parents=True)
    found = install.addin_folder("darwin", tmp_path)
    assert found == group / "User Content.localized" / "Add-Ins.localized"
    assert install.addin_folder("linux") is None


def test_the_add_in_is_found_in_the_package_then_the_checkout(tmp_path, monkeypatch):
    packaged = fake_addin(tmp_path / "templates" / "seuranta.xlam", "wheel")
    checkout = fake_addin(tmp_path / "xlsx_templates" / "seuranta.xlam", "repo")
    monkeypatch.setattr(install, "_packaged", lambda: packaged)
    monkeypatch.setattr(install, "REPO_ADDIN", checkout)
    assert install.addin_source() == packaged
    packaged.unlink()
    assert install.addin_source() == checkout


def test_help_names_the_command():
    out = CliRunner().invoke(main, ["--help"])
    assert "seuranta excel install" in out.output
    out = CliRunner().invoke(main, ["excel", "install", "--help"])
    assert out.exit_code == 0 and "--dir" in out.output
