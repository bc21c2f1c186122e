"""What the merge and generate reports say about files that are the same, files that were
not read, and counts of one (issue 8, from the hostile review)."""

from __future__ import annotations

import shutil

from seuranta_xl.api import merge

from .conftest import KP, run_cli
from .test_merge import fill


def test_the_same_file_twice_in_one_run_names_the_one_merged(issued, tmp_path):
    master, files = issued
    first = fill(files[KP], tmp_path / "a" / "palautus.xlsx", {"G3": "Uusi tilannekuvaus."})
    second = tmp_path / "b" / "kopio.xlsx"
    second.parent.mkdir()
    shutil.copy2(first, second)
    result = merge(master, [first, second])
    got = {f.path.name: (f.result, f.reason, f.detail) for f in result.files}
    merged = next(n for n, (r, _, _) in got.items() if r == "merged")
    other = "kopio.xlsx" if merged == "palautus.xlsx" else "palautus.xlsx"
    assert got[other][:2] == ("duplicate", "duplicate_in_run")
    assert merged in got[other][2]  # the one merged is named
    out = run_cli("merge", str(master), str(first), "--dry-run", "--lang", "en")
    assert "merged before" in out.stdout  # a later run: merged before, as before


def test_a_rejected_xls_carries_no_note_on_how_it_was_read(issued, tmp_path):
    master, _ = issued
    bad = tmp_path / "palautukset" / "vanha.xls"
    bad.parent.mkdir()
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # an OLE file, no book
    result = merge(master, [bad])
    (f,) = result.files
    assert f.result == "rejected" and f.notes == []


def test_generate_counts_one_row_in_the_singular(tmp_path, sample_path):
    master = tmp_path / "seuranta.xlsx"
    assert run_cli("init", str(master), "--from", str(sample_path)).returncode == 0
    out = run_cli("generate", str(master), "--out", str(tmp_path / "jaetut"), "--lang", "en")
    assert out.returncode == 0, out.stderr
    assert "1 own row + 0 context rows" in out.stdout  # Pormestari: goal 01. alone
    assert "1 own rows" not in out.stdout
