"""What a coordinator does by mistake in a real cycle, through the real command line."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seuranta_xl import init_master
from seuranta_xl.api import generate

from .conftest import run_cli

KP = "Kansliapäällikkö"


@pytest.fixture
def cycle(tmp_path, sample_path) -> tuple[Path, Path]:
    """A master in a folder with spaces, ä and an apostrophe, one round issued."""
    work = tmp_path / "Kunnan seuranta ä'ö"
    work.mkdir()
    master = work / "Seuranta 2026 Äänekoski's.xlsx"
    init_master(sample_path, master)
    generate(master, work / "jaetut", round_id="2026-kevät", now=datetime(2026, 4, 1, 9))
    return master, work


def _fill(issued: Path, dst: Path, cells: dict[str, str]) -> Path:
    wb = load_workbook(issued)
    for ref, value in cells.items():
        wb["Seuranta"][ref] = value
    wb.save(dst)
    return dst


def test_backups_and_summaries_given_as_returns_are_named_as_such(cycle):
    """The master's backup folder or a summary among the returns is not 'identification
    missing: not made by seuranta-xl' (it was made by it) and not a rejected return."""
    master, work = cycle
    issued = next((work / "jaetut").glob(f"*{KP}*.xlsx"))
    returns = work / "palautukset"
    returns.mkdir()
    _fill(issued, returns / "kp.xlsx", {"G3": "Etenee"})
    assert run_cli("merge", str(master), str(returns)).returncode == 0  # makes a backup
    assert (
        run_cli("summary", str(master), "--out", str(returns / "yhteenveto.xlsx")).returncode == 0
    )
    backups = sorted((work / "varmuuskopiot").glob("*.xlsx"))
    assert backups
    shutil.copy(master, returns / "kopio seurannasta.xlsx")

    proc = run_cli("merge", str(master), str(work / "varmuuskopiot"), str(returns))
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr  # nothing rejected
    for backup in backups:
        assert f"{backup.name}: seurantataulukko tai sen kopio" in proc.stdout
    assert "kopio seurannasta.xlsx: seurantataulukko tai sen kopio" in proc.stdout
    assert "yhteenveto.xlsx: seuranta-xl:n tekemä yhteenveto" in proc.stdout
    assert "tunnistetiedot puuttuvat" not in proc.stdout

    proc = run_cli("merge", str(master), str(returns), "--json", "--lang", "en")
    files = {Path(f["path"]).name: f for f in json.loads(proc.stdout)["files"]}
    assert files["yhteenveto.xlsx"]["result"] == "skipped"
    assert files["yhteenveto.xlsx"]["reason"].startswith("a summary seuranta-xl made")
    assert files["kopio seurannasta.xlsx"]["result"] == "skipped"
    assert files["kopio seurannasta.xlsx"]["reason"].startswith("a master or a copy of one")


@pytest.mark.parametrize(
    ("lang", "said", "raw", "head"),
    [
        ("fi", "(hylätty, etenemisaste ei asteikolla)", "(rejected", "mitään ei vietäisi"),
        ("en", "(rejected, ", "", "nothing would be applied"),  # a dry run: the conditional
    ],
)
def test_a_rejected_cell_is_named_in_the_users_language(cycle, lang, said, raw, head):
    """The cell's decision in the user's language, and a return whose only edit was
    rejected is not reported as 'nothing changed'."""
    master, work = cycle
    issued = next((work / "jaetut").glob(f"*{KP}*.xlsx"))
    ret = _fill(issued, work / "kp.xlsx", {"F4": "5 Valmis"})
    proc = run_cli("merge", str(master), str(ret), "--dry-run", "--lang", lang)
    assert proc.returncode == 1
    assert said in proc.stdout
    if raw:
        assert raw not in proc.stdout
    assert f"kp.xlsx ({KP}, 2026-kevät): {head}" in proc.stdout
    assert "ei muutoksia" not in proc.stdout and "nothing changed" not in proc.stdout


def test_the_findings_sheet_prints_on_one_page_width_with_whole_messages(cycle):
    """validate --mark's sheet printed: landscape, one page wide, its header on every page,
    and a long message's row tall enough to show it (it was split over three portrait pages,
    the message clipped and overlapping the next row)."""
    master, _ = cycle
    proc = run_cli("validate", str(master), "--mark")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ws = load_workbook(master)["Havainnot"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    long_rows = [r for r in range(2, ws.max_row + 1) if len(str(ws.cell(r, 6).value)) > 110]
    assert long_rows  # the sample's status label finding is one
    for r in long_rows:
        assert (ws.row_dimensions[r].height or 0) >= 30


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_every_summary_header_word_fits_its_column(cycle, lang):
    """A bold table header is never broken inside a word when printed ('Etenemisast|e' in
    the risks sheet was)."""
    from openpyxl.utils import get_column_letter

    master, work = cycle
    out = work / f"yhteenveto {lang}.xlsx"
    proc = run_cli("summary", str(master), "--out", str(out), "--lang", lang)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checked = 0
    for ws in load_workbook(out):
        for row in ws.iter_rows(max_row=12):
            for c in row:
                if not (isinstance(c.value, str) and c.font.b and c.fill.fill_type == "solid"):
                    continue
                width = ws.column_dimensions[get_column_letter(c.column)].width
                for word in c.value.split():
                    checked += 1
                    # bold characters are about 1.1 of the width unit
                    assert len(word) * 1.1 <= width, (ws.title, c.coordinate, c.value, width)
    assert checked > 20


def test_one_owner_written_in_two_ways_is_said(tmp_path, sample_path):
    """'Kansliapäällikkö', 'kansliapäällikkö' and 'Kansliapäällikkö' with a zero-width space
    pasted from a mail go into one workbook, whose name has no invisible character: validate
    says so, naming the cell, instead of the init's owner count and generate's disagreeing."""
    lines = sample_path.read_text(encoding="utf-8").split("\n")
    rows = [i for i, line in enumerate(lines) if f"\t{KP}" in line]
    lines[rows[0]] = lines[rows[0]].replace(f"\t{KP}", f"\t{KP.lower()} ")
    lines[rows[5]] = lines[rows[5]].replace(f"\t{KP}", f"\t{KP}\u200b")
    source = tmp_path / "lähde.tsv"
    source.write_text("\n".join(lines), encoding="utf-8")
    master = tmp_path / "seuranta.xlsx"
    init_master(source, master)
    proc = run_cli("validate", str(master), "--json")
    assert proc.returncode == 0
    found = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "owner.spelling"]
    assert found and all(f["severity"] == "info" for f in found)
    assert found[0]["sheet"] == "Seuranta" and found[0]["cell"].startswith("H")
    assert f"'{KP}'" in found[0]["message"] and f"'{KP.lower()}'" in found[0]["message"]
    assert any("\\u200b" in f["message"] for f in found)  # repr shows the invisible one
    proc = run_cli("generate", str(master), "--out", str(tmp_path / "jaetut"))
    assert proc.returncode == 0
    made = sorted(p.name for p in (tmp_path / "jaetut").glob("*.xlsx"))
    assert len(made) == 2  # one per person
    assert not any("\u200b" in name for name in made)


def test_a_very_long_owner_name_does_not_push_generates_list_off_the_screen(tmp_path, sample_path):
    lines = sample_path.read_text(encoding="utf-8").split("\n")
    rows = [i for i, line in enumerate(lines) if f"\t{KP}" in line]
    lines[rows[3]] = lines[rows[3]].replace(f"\t{KP}", "\t" + "Ö" * 300)
    source = tmp_path / "lähde.tsv"
    source.write_text("\n".join(lines), encoding="utf-8")
    master = tmp_path / "seuranta.xlsx"
    init_master(source, master)
    proc = run_cli("generate", str(master), "--out", str(tmp_path / "jaetut"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = [line for line in proc.stdout.splitlines() if "Seuranta_" in line]
    assert len(listed) == 3
    assert all(len(line) < 200 for line in listed), listed  # was over 400
    assert any("Ö" * 39 + "…" in line for line in listed)


def test_an_owners_overall_status_wins_over_the_rollups_suggestion(cycle):
    """summary --write-rollup between generate and merge fills an annual goal's empty
    overall status with a suggestion; the owner's own value for it is applied over the
    suggestion (no person gave it), not reported as a conflict. A value the coordinator
    typed over the suggestion still makes a conflict."""
    master, work = cycle
    before = load_workbook(master)["Seuranta"]
    proc = run_cli("summary", str(master), "--write-rollup")
    assert proc.returncode == 0
    ws = load_workbook(master)["Seuranta"]
    row = next(
        r
        for r in range(2, ws.max_row + 1)
        if ws[f"B{r}"].value
        and ws[f"H{r}"].value == KP
        and before[f"E{r}"].value is None
        and ws[f"E{r}"].value
    )  # an annual goal of the owner's whose overall status the roll-up wrote
    suggestion = ws[f"E{row}"].value
    code = str(ws[f"B{row}"].value).split()[0]
    issued = next((work / "jaetut").glob(f"*{KP}*.xlsx"))
    owner_row = next(
        r
        for r in range(2, 80)
        if str(load_workbook(issued)["Seuranta"][f"B{r}"].value).startswith(code + " ")
    )
    ret = _fill(issued, work / "kp.xlsx", {f"E{owner_row}": "Etenee aikataulussa"})

    typed = work / "typed.xlsx"
    shutil.copy(master, typed)
    wb = load_workbook(typed)
    wb["Seuranta"][f"E{row}"] = "Koordinaattorin arvio"
    wb.save(typed)
    proc = run_cli("merge", str(typed), str(ret), "--json")
    conflicts = json.loads(proc.stdout)["conflicts"]
    assert proc.returncode == 1 and [c["code"] for c in conflicts] == [code]

    proc = run_cli("merge", str(master), str(ret), "--json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 0, out
    assert [(c["code"], c["old"], c["new"]) for c in out["changes"]] == [
        (code, suggestion, "Etenee aikataulussa")
    ]
    assert load_workbook(master)["Seuranta"][f"E{row}"].value == "Etenee aikataulussa"
    # and the next roll-up leaves the owner's value alone
    assert run_cli("summary", str(master), "--write-rollup").returncode == 0
    assert load_workbook(master)["Seuranta"][f"E{row}"].value == "Etenee aikataulussa"


@pytest.mark.parametrize(
    "command",
    [
        ("generate", "{wb}", "--out", "{out}"),
        ("validate", "{wb}", "--mark"),
        ("merge", "{wb}", "{returns}"),
        ("summary", "{wb}"),
    ],
)
def test_an_owner_workbook_given_as_the_master_is_refused_untouched(cycle, command):
    """Tab completion picks an owner's workbook (or a return) for the master: generate
    issued a round from it and wrote the master's sheets into it, validate --mark marked
    it, merge said 'no round has been issued'. Now each says what the file is and leaves
    it byte for byte."""
    _, work = cycle
    issued = next((work / "jaetut").glob(f"*{KP}*.xlsx"))
    wb = _fill(issued, work / f"palautus {KP}.xlsx", {"G3": "Etenee"})
    before = wb.read_bytes()
    args = [a.format(wb=wb, out=work / "uudet", returns=work / "jaetut") for a in command]
    for lang, said in (("fi", "on vastuuhenkilön täyttötyökirja"), ("en", "is an owner's")):
        proc = run_cli(*args, "--lang", lang)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr and said in proc.stderr
        assert wb.name in proc.stderr
    assert wb.read_bytes() == before
    assert not (work / "uudet").exists()
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".")) == []


def test_a_dry_runs_proposed_rows_do_not_point_at_a_change_log_not_written(cycle):
    master, work = cycle
    issued = next((work / "jaetut").glob(f"*{KP}*.xlsx"))
    ret = _fill(issued, work / "kp.xlsx", {"C90": "01.03.09 Uusi toimenpide", "H90": KP})
    proc = run_cli("merge", str(master), str(ret), "--dry-run")
    assert "Uusia rivejä ehdotettu (1); niitä ei viedä, oikea ajo kirjaa ne Muutoslokiin" in (
        proc.stdout
    )
    assert "ks. Muutosloki" not in proc.stdout
    proc = run_cli("merge", str(master), str(ret))
    assert "Uusia rivejä ehdotettu (1); niitä ei viety, ks. Muutosloki" in proc.stdout
    log = list(load_workbook(master)["Muutosloki"].iter_rows(values_only=True))
    assert any(r[5] == "01.03.09" and r[6] == "uusi rivi" for r in log)


def test_two_returns_of_one_name_from_two_folders_are_told_apart(cycle):
    """Two folders each with 'palautus.xlsx' (the owner's first and corrected return): the
    report names each by its path, not twice 'palautus.xlsx'."""
    master, work = cycle
    issued = next((work / "jaetut").glob(f"*{KP}*.xlsx"))
    for folder, text in (("maaliskuu", "Ensimmäinen"), ("huhtikuu", "Korjattu")):
        (work / folder).mkdir()
        _fill(issued, work / folder / "palautus.xlsx", {"G3": text})
    proc = run_cli("merge", str(master), str(work / "maaliskuu"), str(work / "huhtikuu"))
    lines = [line.strip() for line in proc.stdout.splitlines()]
    for folder in ("maaliskuu", "huhtikuu"):
        path = str(work / folder / "palautus.xlsx")
        assert any(line.startswith(f"{path} ({KP}, 2026-kevät):") for line in lines), lines
    assert not any(line.startswith("palautus.xlsx") for line in lines)


@pytest.mark.skipif(not hasattr(os, "pathconf"), reason="no pathconf: the limit is not known")
def test_a_master_name_too_long_for_the_safe_save_is_said_plainly(tmp_path, sample_path):
    """A name the disk takes but the tool's lock and temporary names (about 30 characters
    longer) do not: one plain message, not 'could not save (.NAME.seuranta-lock...: File name
    too long); the original is unchanged' about a file that never existed."""
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    name = "Ä" * ((limit - 20) // 2) + ".xlsx"  # 2 bytes each in UTF-8, within the limit
    (tmp_path / name).write_bytes(b"")  # the disk takes the name itself
    (tmp_path / name).unlink()

    def refused(*args: str) -> None:
        proc = run_cli(*args, cwd=tmp_path)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "nimi on liian pitkä" in proc.stderr and "Lyhennä" in proc.stderr
        assert "Traceback" not in proc.stderr and "seuranta-lock" not in proc.stderr

    refused("init", name, "--from", str(sample_path))
    assert list(tmp_path.iterdir()) == []
    init_master(sample_path, tmp_path / "seuranta.xlsx")
    (tmp_path / "seuranta.xlsx").rename(tmp_path / name)  # renamed in a file manager
    before = (tmp_path / name).read_bytes()
    refused("validate", name, "--mark")
    assert (tmp_path / name).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
