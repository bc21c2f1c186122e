"""Files given as returns: every one gets a result and a reason, whatever it is."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seuranta_xl.api import merge
from seuranta_xl.xlsx import returns as returns_module

from .conftest import KP, run_cli


def fill(src: Path, dest: Path, edits: dict[str, object]) -> Path:
    wb = load_workbook(src)
    for ref, value in edits.items():
        wb["Seuranta"][ref] = value
    wb.properties.modified = datetime.now()
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


def results(out) -> dict[str, tuple[str, str]]:
    data = json.loads(out.stdout)
    return {Path(f["path"]).name: (f["result"], f["reason"]) for f in data["files"]}


def test_a_symlink_loop_gets_a_result_not_a_traceback(issued, tmp_path):
    master, _ = issued
    box = tmp_path / "box"
    box.mkdir()
    os.symlink(box / "b.xlsx", box / "a.xlsx")
    os.symlink(box / "a.xlsx", box / "b.xlsx")
    os.symlink(tmp_path / "ei_ole.xlsx", box / "rikki.xlsx")
    before = master.read_bytes()
    # named one by one, and as a folder
    for args in ([str(box / "a.xlsx"), str(box / "b.xlsx"), str(box / "rikki.xlsx")], [str(box)]):
        out = run_cli("merge", "--json", "--lang", "en", str(master), *args)
        assert out.returncode == 1 and "Traceback" not in out.stderr
        assert results(out) == {
            "a.xlsx": ("rejected", "a symbolic link that loops back on itself: there is no file"),
            "b.xlsx": ("rejected", "a symbolic link that loops back on itself: there is no file"),
            "rikki.xlsx": ("rejected", "file not found"),
        }
    assert master.read_bytes() == before


def test_a_file_without_permission_is_said_so(issued, tmp_path, monkeypatch):
    master, files = issued
    locked = fill(files[KP], tmp_path / "lukittu.xlsx", {"G3": "x"})
    if os.geteuid() != 0:
        locked.chmod(0)
        try:
            out = run_cli("merge", "--json", "--lang", "en", str(master), str(locked))
        finally:
            locked.chmod(0o644)
        assert out.returncode == 1
        assert results(out)["lukittu.xlsx"] == (
            "rejected",
            "cannot be read: no permission, or the file is open in another program",
        )
    # root reads anything: the reader meets the refusal as it would come
    real = Path.read_bytes

    def denied(self):
        if self.name == "lukittu.xlsx":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    job = (str(locked), None, "")
    got = returns_module.read_return(job)  # type: ignore[arg-type]
    assert got.error == "permission_denied"


def _without_dimension(src: Path, dst: Path) -> Path:
    """A copy whose sheets declare no extent: only their cells tell how far they reach."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
            zout.writestr(item, data)
    return dst


def test_a_cell_at_the_last_column_and_row_is_too_large_not_damaged(issued, tmp_path):
    master, files = issued
    far = fill(files[KP], tmp_path / "kaukana0.xlsx", {"G3": "x", "XFD1048576": "x"})
    quiet = _without_dimension(far, tmp_path / "kaukana.xlsx")
    with zipfile.ZipFile(quiet) as zf:
        assert b"<dimension" not in zf.read("xl/worksheets/sheet1.xml")
    result = merge(master, [quiet])
    assert [(f.result, f.reason) for f in result.files] == [("rejected", "too_large")]


def test_every_file_in_a_returns_folder_gets_a_line(issued, tmp_path):
    master, files = issued
    box = tmp_path / "palautukset"
    good = fill(files[KP], box / "hyvä.xlsx", {"G3": "ok"})
    shutil.copy(good, box / "pohja.xltx")
    shutil.copy(good, box / "pohja.xltm")
    shutil.copy(good, box / "vanha.xlt")
    (box / "taulukko.csv").write_text("a;b\n1;2\n", "utf-8")
    (box / "muistio.txt").write_text("palautukset\n", "utf-8")
    (box / "saate.pdf").write_bytes(b"%PDF-1.4\n")
    shutil.copy(good, box / ".piilossa.xlsx")
    (box / "~$hyvä.xlsx").write_bytes(b"lock")
    (box / ".~lock.hyvä.xlsx#").write_bytes(b"lock")
    shutil.copy(good, box / "hyvä.xlsx.bak")
    # noise: not worth a line
    (box / "Thumbs.db").write_bytes(b"\0")
    (box / ".DS_Store").write_bytes(b"\0")
    (box / "desktop.ini").write_text("[x]")
    (box / ".git").mkdir()
    shutil.copy(good, box / ".git" / "kopio.xlsx")
    out = run_cli("merge", "--json", str(master), str(box))
    assert out.returncode == 0, out.stdout + out.stderr
    data = json.loads(out.stdout)
    got = {Path(f["path"]).name: f["result"] for f in data["files"]}
    assert got == {
        "hyvä.xlsx": "merged",
        "pohja.xltx": "skipped",
        "pohja.xltm": "skipped",
        "vanha.xlt": "skipped",
        "taulukko.csv": "skipped",
        "muistio.txt": "skipped",
        "saate.pdf": "skipped",
        ".piilossa.xlsx": "skipped",
        "~$hyvä.xlsx": "skipped",
        ".~lock.hyvä.xlsx#": "skipped",
        "hyvä.xlsx.bak": "skipped",
    }
    assert all(f["reason"] for f in data["files"])
    assert "Excel-pohja" in next(f["reason"] for f in data["files"] if f["path"].endswith("xltx"))
    # the terminal says the same, one line a file
    text = run_cli("merge", "--dry-run", "--lang", "en", str(master), str(box)).stdout
    for name in got:
        assert f"  {name}: " in text
    assert "an Excel template" in text and "a text file" in text and "a lock file" in text
    assert "Thumbs.db" not in text and "DS_Store" not in text and "kopio" not in text


def test_files_named_explicitly_always_get_a_result(issued, tmp_path):
    master, files = issued
    lock = tmp_path / "~$paluu.xlsx"
    lock.write_bytes(b"lock")
    template = shutil.copy(files[KP], tmp_path / "pohja.xltx")
    text = tmp_path / "taulukko.csv"
    text.write_text("a;b\n", "utf-8")
    out = run_cli("merge", "--json", str(master), str(lock), str(template), str(text), str(master))
    assert out.returncode == 1
    got = {Path(f["path"]).name: f["result"] for f in json.loads(out.stdout)["files"]}
    # a template or a text file named is read (and judged); a lock file is not a workbook
    assert got == {
        "~$paluu.xlsx": "skipped",
        "pohja.xltx": "unchanged",
        "taulukko.csv": "rejected",
        "seuranta.xlsx": "skipped",  # the master itself
    }


LATIN1_NAME = b"palautus_\xe4\xf6_Kansliap\xe4\xe4llikk\xf6.xlsx"  # as unzipped from Windows


@pytest.mark.skipif(os.name == "nt", reason="Windows file names are always Unicode")
def test_a_name_that_is_not_utf8_is_shown_safely_and_merged(issued, tmp_path):
    master, files = issued
    box = tmp_path / "box"
    box.mkdir()
    real = box / os.fsdecode(LATIN1_NAME)
    fill(files[KP], real, {"G3": "Valmis → käytössä"})
    (box / os.fsdecode(b"pohja_\xe4.xltx")).write_bytes(b"x")
    assert os.path.exists(os.fsencode(box) + b"/" + LATIN1_NAME)
    shown = "palautus_\ufffd\ufffd_Kansliap\ufffd\ufffdllikk\ufffd.xlsx"
    dry = run_cli("merge", "--dry-run", "--json", str(master), str(box))
    assert dry.returncode == 0 and "Traceback" not in dry.stderr
    data = json.loads(dry.stdout)  # valid JSON, however the name was spelled
    assert {Path(f["path"]).name for f in data["files"]} == {shown, "pohja_\ufffd.xltx"}
    assert {c["file"] for c in data["changes"]} == {str(box / shown)}
    out = run_cli("merge", str(master), str(box))
    assert out.returncode == 0, out.stderr
    assert f"  {shown} ({KP}, 2021-kevät): yhdistetty" in out.stdout
    wb = load_workbook(master)
    assert wb["Seuranta"]["G3"].value == "Valmis → käytössä"
    log = [r for r in wb["Muutosloki"].iter_rows(min_row=2, values_only=True) if any(r)]
    assert log and all(r[3] == shown for r in log)
    tracker = [r for r in wb["Palautukset"].iter_rows(min_row=2, values_only=True) if any(r)]
    assert [r[3] for r in tracker] == [shown]
    # and the same file again is known by its content
    again = run_cli("merge", "--json", str(master), str(real))
    assert results(again)[shown] == ("duplicate", "sama tiedosto on jo yhdistetty (sama sisältö)")


def test_a_folder_that_cannot_be_read_is_said_so(issued, tmp_path, monkeypatch):
    master, files = issued
    box = tmp_path / "box"
    fill(files[KP], box / "hyvä.xlsx", {"G3": "ok"})
    closed = box / "suljettu"
    fill(files[KP], closed / "sisällä.xlsx", {"G3": "ok"})
    real = os.scandir

    def scandir(path="."):
        if Path(path) == closed:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    # as the system refuses a folder to a user without the right to list it
    monkeypatch.setattr(os, "scandir", scandir)
    result = merge(master, [box], dry_run=True)
    got = {f.path.name: (f.result, f.reason) for f in result.files}
    assert got == {"hyvä.xlsx": ("merged", "merged"), "suljettu": ("skipped", "permission_denied")}
