"""Issue 11, item 5 (words): plural forms, Finnish numbers and dates, the dry run in the
conditional, the change list's difference window and empty values, the next step, and no
internal ids in what people read. CLI behaviour through the real entry point."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest

from seuranta_xl.texts import (
    CELL_REASONS,
    DECISION_NAMES,
    RULES,
    count,
    error_text,
    excel_text,
    fill,
    finding_text,
)
from seuranta_xl.xlsx.patch import patch_sheets, set_cells

from .conftest import KP, run_cli
from .test_merge import fill as fill_return

# --------------------------------------------------------------------------- the helper


@pytest.mark.parametrize(
    ("n", "fi", "en"),
    [(0, "0 riviä", "0 rows"), (1, "1 rivi", "1 row"), (2, "2 riviä", "2 rows")],
)
def test_a_count_takes_the_plural_form_of_its_number(n, fi, en):
    assert count(n, "rivi", "riviä", "fi") == fi
    assert count(n, "row", "rows", "en") == en
    assert fill("{n:rivi|riviä}", "fi", n=n) == fi
    assert fill("{n:row|rows}", "en", n=n) == en


def test_finnish_writes_a_decimal_comma_and_d_m_yyyy_dates():
    assert fill("{s:.1f} s", "fi", s=0.25) == "0,2 s"
    assert fill("{s:.1f} s", "en", s=0.25) == "0.2 s"
    assert fill("{d}", "fi", d=date(2026, 5, 31)) == "31.5.2026"
    assert fill("{d}", "en", d=date(2026, 5, 31)) == "2026-05-31"
    assert fill("{d}", "fi", d=datetime(2026, 3, 4, 9, 5, 7)) == "4.3.2026 9:05"
    assert fill("{d}", "en", d=datetime(2026, 3, 4, 9, 5, 7)) == "2026-03-04T09:05:07"


def test_a_locks_time_is_written_as_the_language_writes_a_time():
    params = {"path": "s.xlsx", "host": "kone", "pid": 7, "lock": "s.lock"}
    fi = error_text("busy_elsewhere", "fi", since="2026-11-29T18:09:59", **params)
    en = error_text("busy_elsewhere", "en", since="2026-11-29T18:09:59", **params)
    assert "alkaen 29.11.2026 18:09)" in fi
    assert "since 2026-11-29T18:09:59)" in en  # English as before
    # a stamp that is not a time is shown as it is
    assert "alkaen ?)" in error_text("busy_elsewhere", "fi", since="?", **params)


@pytest.mark.parametrize(
    ("key", "params", "fi", "en"),
    [
        ("master_has_errors", {"count": 1}, "korjattava 1 virhe ", "has 1 error to fix"),
        ("master_has_errors", {"count": 3}, "korjattava 3 virhettä ", "has 3 errors to fix"),
        ("master_has_errors_merge", {"count": 1}, "korjattava 1 virhe ", "has 1 error to fix"),
    ],
)
def test_error_messages_count_in_the_right_form(key, params, fi, en):
    assert fi in error_text(key, "fi", path="s.xlsx", **params)
    assert en in error_text(key, "en", path="s.xlsx", **params)


def test_rule_and_excel_messages_count_in_the_right_form():
    one = finding_text("return.duplicate_code", "en", code="01.01", count=2)
    assert "on 2 rows of the return" in one
    assert excel_text("validate_ok", "fi", rows=1) == "Tarkistettu: 1 rivi, ei virheitä."
    assert (
        excel_text("validate_errors", "en", rows=2, errors=1) == "Checked: 2 rows, 1 error to fix."
    )
    assert excel_text("more", "fi", count=1) == "… ja 1 muu"
    assert excel_text("more", "fi", count=2) == "… ja 2 muuta"


# --------------------------------------------------------------------------- the demo


def _demo(tmp_path, lang):
    out = run_cli("demo", str(tmp_path / f"demo-{lang}"), "--lang", lang)
    assert out.returncode == 0, out.stderr
    return out.stdout + out.stderr


# internal ids a person should never read: rule ids, reason keys, decision values
_IDS = (
    set(RULES)
    | set(CELL_REASONS)
    | {f"{d}," for d in DECISION_NAMES}
    | {"outdated_round", "duplicate_in_run", "as_issued", "nothing_applied"}
)


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_the_demo_shows_no_internal_ids(tmp_path, lang):
    text = _demo(tmp_path, lang)
    found = sorted(i for i in _IDS if re.search(rf"(?<![\w.]){re.escape(i)}(?![\w])", text))
    assert found == [], found
    assert "owner_rows" not in text and "{" not in text  # every template was filled


def test_the_demo_counts_and_times_in_finnish(tmp_path):
    text = _demo(tmp_path, "fi")
    assert "1 oma rivi + 0 taustariviä" in text
    assert "52 omaa riviä + 15 taustariviä" in text
    assert "0 virhettä, 9 varoitusta, 14 huomautusta." in text
    assert "… ja 1 muu\n" in text and "… ja 1 muuta" not in text
    assert re.search(r"Valmis \d+,\d sekunnissa", text)
    assert "2 työkirjaa" in text and "3 muutosta, 0 ristiriitaa, 0 hylättyä solua" in text


def test_the_demo_counts_in_english(tmp_path):
    text = _demo(tmp_path, "en")
    assert "1 own row + 0 context rows" in text
    assert "0 errors, 9 warnings, 14 notes." in text
    assert "3 changes, 0 conflicts, 0 rejected cells" in text
    assert re.search(r"Done in \d+\.\d s", text)


# --------------------------------------------------------------------------- merge


def test_a_dry_run_speaks_in_the_conditional(issued, tmp_path):
    master, files = issued
    before = master.read_bytes()
    ret = fill_return(files[KP], tmp_path / "p" / "r.xlsx", {"G3": "Uusi tilannekuvaus."})
    fi = run_cli("merge", str(master), str(ret), "--dry-run")
    assert fi.returncode == 0, fi.stderr
    assert "yhdistettäisiin — 1 muutos, 0 ristiriitaa, 0 hylättyä solua" in fi.stdout
    assert "Muutokset, jotka vietäisiin (1):" in fi.stdout
    assert "Seuraavaksi aja sama komento ilman valitsinta --dry-run" in fi.stdout
    assert "yhdistetty" not in fi.stdout and "Viedyt" not in fi.stdout
    en = run_cli("merge", str(master), str(ret), "--dry-run", "--lang", "en")
    assert "would be merged — 1 change, 0 conflicts, 0 rejected cells" in en.stdout
    assert "Changes that would be applied (1):" in en.stdout
    assert "Next, run the same command without --dry-run" in en.stdout
    data = json.loads(run_cli("merge", str(master), str(ret), "--dry-run", "--json").stdout)
    assert data["files"][0]["result"] == "merged"  # the JSON keeps its ids
    assert data["files"][0]["reason"] == "yhdistettäisiin"
    assert master.read_bytes() == before


def test_the_change_list_shows_where_long_texts_differ_and_names_an_empty_value(issued, tmp_path):
    master, files = issued
    from openpyxl import load_workbook

    ws = load_workbook(files[KP])["Seuranta"]
    commentary = ws["G4"].value  # 01.02's commentary: long in the sample
    risks = ws["D5"].value  # 01.03's risks
    assert len(commentary) > 120 and risks
    longer = commentary + " Lisätty loppuun: rahoitus varmistui."
    ret = fill_return(files[KP], tmp_path / "p" / "r.xlsx", {"G4": longer, "D5": None})
    out = run_cli("merge", str(master), str(ret), "--dry-run")
    assert out.returncode == 0, out.stderr
    (line,) = [x for x in out.stdout.splitlines() if x.startswith("  01.02 tilannekuvaus:")]
    old, new = line.split(": ", 1)[1].split(" → ")
    assert "Lisätty loppuun" in new  # the difference is in sight
    assert new.startswith("'…") and old.startswith("'…")  # not two equal beginnings
    assert len(new.split("'  (")[0]) <= 55  # about 50 characters of it
    (line,) = [x for x in out.stdout.splitlines() if x.startswith("  01.03 merkittävimmät")]
    assert line.endswith(f"'{risks}' → (tyhjä)  ({KP})")
    en = run_cli("merge", str(master), str(ret), "--dry-run", "--lang", "en")
    assert "01.03 risks: " in en.stdout and " → (empty)  (" in en.stdout


def test_after_a_merge_the_next_step_is_said(issued, tmp_path):
    master, files = issued
    ret = fill_return(files[KP], tmp_path / "p" / "r.xlsx", {"G3": "Uusi tilannekuvaus."})
    out = run_cli("merge", str(master), str(ret))
    assert out.returncode == 0, out.stderr
    assert f"Seuraavaksi päivitä yhteenveto: seuranta summary {master}" in out.stdout


def test_after_a_merge_with_a_conflict_the_next_step_is_to_resolve_it(issued, tmp_path):
    master, files = issued
    patch_sheets(
        master, {"Seuranta": lambda xml: set_cells(xml, {(3, 7): "Koordinaattorin teksti"})[0]}
    )
    ret = fill_return(files[KP], tmp_path / "p" / "r.xlsx", {"G3": "Vastaajan teksti"})
    out = run_cli("merge", str(master), str(ret), "--lang", "en")
    assert out.returncode == 1, out.stderr
    assert "(conflict, the master's value changed since the workbook was issued)" in out.stdout
    assert "Next, go through the conflicts and rejected cells" in out.stdout
    assert f"then rebuild the summary: seuranta summary {master}" in out.stdout


# --------------------------------------------------------------------------- generate


def test_after_generate_the_next_step_is_said(tmp_path, sample_path):
    master = tmp_path / "kansio jossa väli" / "seuranta.xlsx"
    master.parent.mkdir()
    assert run_cli("init", str(master), "--from", str(sample_path)).returncode == 0
    out = run_cli("generate", str(master), "--out", str(tmp_path / "jaetut"))
    assert out.returncode == 0, out.stderr
    assert "Kierros " in out.stdout and ": 2 työkirjaa kansioon" in out.stdout
    assert "Seuraavaksi lähetä työkirjat vastuuhenkilöille." in out.stdout
    assert f'seuranta merge "{master}" KANSIO' in out.stdout  # a path with a space, quoted
    en = run_cli("generate", str(master), "--out", str(tmp_path / "toiset"), "--lang", "en",
                 "--round", "2021-syksy")  # fmt: skip
    assert en.returncode == 0, en.stderr
    assert "Next, send the workbooks to their owners." in en.stdout


def test_generate_refused_for_errors_points_to_validate_mark(tmp_path, sample_path):
    master = tmp_path / "seuranta.xlsx"
    assert run_cli("init", str(master), "--from", str(sample_path)).returncode == 0
    # 01.02 written as 01.01 a second time: a duplicate code, an error to fix
    patch_sheets(master, {"Seuranta": lambda xml: set_cells(xml, {(4, 2): "01.01 Kopio"})[0]})
    out = run_cli("generate", str(master), "--out", str(tmp_path / "jaetut"))
    assert out.returncode == 1, out.stderr
    assert re.search(r"korjattava \d+ virhet?t?ä? ennen työkirjojen tekemistä", out.stderr)
    assert out.stdout.rstrip().endswith(f"seuranta validate --mark {master}")
    assert "code.duplicate" not in out.stdout  # the heading names the rule by its title
    assert "Sama koodi kahdesti" in out.stdout
    en = run_cli("generate", str(master), "--out", str(tmp_path / "jaetut"), "--lang", "en")
    assert f"run: seuranta validate --mark {master}" in en.stdout
    js = run_cli("validate", str(master), "--json")
    rules = {f["rule"] for f in json.loads(js.stdout)["findings"]}
    assert "code.duplicate" in rules  # --json keeps the ids
