"""Issue 8, item 1: ``seuranta demo`` touches only what it can prove it made."""

from __future__ import annotations

import hashlib
import json
import shutil

from .conftest import run_cli


def _snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".seuranta-demo.json"
    }


def test_demo_reruns_in_its_default_folder(tmp_path):
    first = run_cli("demo", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    made = tmp_path / "seuranta-demo"
    assert (made / "seuranta.xlsx").exists() and (made / ".seuranta-demo.json").exists()
    backups = len(list((made / "varmuuskopiot").iterdir()))
    again = run_cli("demo", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    # the earlier run's files went: the folder holds one run's, all of them recorded
    assert len(list((made / "varmuuskopiot").iterdir())) == backups
    recorded = json.loads((made / ".seuranta-demo.json").read_text("utf-8"))["files"]
    assert recorded == _snapshot(made)
    assert (made / "yhteenveto.xlsx").exists()


def test_demo_refuses_a_folder_with_a_real_master_and_leaves_it(tmp_path):
    demo = tmp_path / "demo"
    assert run_cli("demo", str(demo)).returncode == 0
    # a coordinator's own folder: a master of theirs, backups, returns with a file of theirs
    real = tmp_path / "oikea"
    real.mkdir()
    shutil.copy(demo / "seuranta.xlsx", real / "seuranta.xlsx")
    shutil.copytree(demo / "varmuuskopiot", real / "varmuuskopiot")
    (real / "palautukset").mkdir()
    (real / "palautukset" / "oma muistio.txt").write_text("tärkeä")
    before = _snapshot(real)
    out = run_cli("demo", str(real))
    assert out.returncode == 2
    assert "oma muistio.txt" in out.stderr and "seuranta.xlsx" in out.stderr
    assert "Traceback" not in out.stderr
    assert _snapshot(real) == before
    assert not (real / ".seuranta-demo.json").exists()


def test_demo_refuses_its_folder_once_someone_added_or_changed_a_file(tmp_path):
    demo = tmp_path / "demo"
    assert run_cli("demo", str(demo)).returncode == 0
    (demo / "palautukset" / "oma.xlsx").write_bytes(b"mine")
    before = _snapshot(demo)
    out = run_cli("demo", str(demo), "--lang", "en")
    assert out.returncode == 2 and "palautukset/oma.xlsx" in out.stderr
    assert _snapshot(demo) == before
    (demo / "palautukset" / "oma.xlsx").unlink()
    # the demo's master, opened and changed by someone since, is theirs now
    with (demo / "seuranta.xlsx").open("ab") as fh:
        fh.write(b"\0")
    before = _snapshot(demo)
    out = run_cli("demo", str(demo))
    assert out.returncode == 2 and "seuranta.xlsx" in out.stderr
    assert _snapshot(demo) == before


def test_demo_names_the_first_few_foreign_files(tmp_path):
    folder = tmp_path / "full"
    folder.mkdir()
    for n in range(8):
        (folder / f"f{n}.txt").write_text(str(n))
    out = run_cli("demo", str(folder), "--lang", "en")
    assert out.returncode == 2
    assert "f0.txt, f1.txt, f2.txt, f3.txt, f4.txt (+3)" in out.stderr
    assert len(list(folder.iterdir())) == 8


def test_demo_into_an_empty_folder(tmp_path):
    folder = tmp_path / "tyhja"
    folder.mkdir()
    out = run_cli("demo", str(folder))
    assert out.returncode == 0, out.stderr
    assert (folder / "seuranta.xlsx").exists()
