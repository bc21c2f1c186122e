"""``merge``: returned workbooks into the master, end to end through files."""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
import time
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from seuranta_xl import WriteError, init_master
from seuranta_xl.api import generate, merge
from seuranta_xl.rounds import build_manifest, split_by_owner
from seuranta_xl.xlsx import patch as patch_module
from seuranta_xl.xlsx.owner import RoundInfo, owner_workbook
from seuranta_xl.xlsx.patch import patch_sheets, set_cells, sheet_parts
from seuranta_xl.xlsx.read import load_plan

from .conftest import KP, S2, S5, kill_at_random, run_cli, seuranta_command
from .test_sniff import _rewrite_part


def fill(src, dest, edits, *, saved=None, sheet="Seuranta"):
    """What a member of staff does in Excel: type into cells, save."""
    wb = load_workbook(src)
    ws = wb[sheet]
    for ref, value in edits.items():
        ws[ref] = value
        if isinstance(value, str) and value.startswith("="):
            ws[ref].data_type = "s"
    wb.properties.modified = saved or datetime.now()
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


def master_cells(path):
    ws = load_workbook(path)["Seuranta"]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row}


def log_rows(path, sheet="Muutosloki"):
    return [r for r in load_workbook(path)[sheet].iter_rows(min_row=2, values_only=True) if any(r)]


# In Kansliapäällikkö's workbook, row 3 is 01.01 (master row 3), row 4 is 01.02, row 5 01.03.
EDITS = {
    "F3": "5 toimenpide on toteutettu ja käytönotettu toteutusohjelman mukaan",  # typed, other case
    "G3": "Työ valmistui maaliskuussa.",
    "D4": "Uusi riski: rahoitus",
    "F5": 2,  # a number pasted over the dropdown
}
EXPECTED = {"F3": S5, "G3": "Työ valmistui maaliskuussa.", "D4": "Uusi riski: rahoitus", "F5": S2}


def test_merge_changes_exactly_the_edited_cells_and_logs_them(issued, tmp_path):
    master, files = issued
    before = master_cells(master)
    ret = fill(files[KP], tmp_path / "palautukset" / "kp.xlsx", EDITS)
    result = merge(master, [tmp_path / "palautukset"])
    assert result.ok and result.written
    (fr,) = result.files
    assert (fr.result, fr.owner, fr.round_id, fr.applied, fr.conflicts) == (
        "merged",
        KP,
        "2021-kevät",
        4,
        0,
    )
    after = master_cells(master)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == set(EXPECTED)
    assert {k: after[k] for k in changed} == EXPECTED
    ws = load_workbook(master)["Seuranta"]
    assert ws["F3"].style == "Seuranta vuositavoiterivi"  # the cell kept its style
    log = log_rows(master)
    assert [(r[5], r[6], r[8], r[9]) for r in log] == [
        ("01.01", "Etenemisaste", S5, "viety"),
        ("01.01", "Tilannekuvaus", "Työ valmistui maaliskuussa.", "viety"),
        (
            "01.02",
            "Merkittävimmät tavoitteen toteuttamista uhkaavat riskit",
            "Uusi riski: rahoitus",
            "viety",
        ),
        ("01.03", "Etenemisaste", S2, "viety"),
    ]
    assert {r[3] for r in log} == {"kp.xlsx"} and len({r[4] for r in log}) == 1
    (tracked,) = log_rows(master, "Palautukset")
    assert tracked[:4] == ("2021-kevät", KP, 52, "kp.xlsx") and tracked[7:10] == (4, 0, 0)
    # again: nothing changes, nothing is written
    snapshot = master.read_bytes()
    again = merge(master, [ret])
    assert [f.result for f in again.files] == ["duplicate"] and again.ok and not again.written
    assert master.read_bytes() == snapshot


def test_every_other_part_of_the_master_is_preserved(issued, tmp_path):
    master, files = issued
    with zipfile.ZipFile(master) as zf:
        before = {n: zf.read(n) for n in zf.namelist()}
        parts = sheet_parts(zf)
    merge(master, [fill(files[KP], tmp_path / "r.xlsx", EDITS)])
    with zipfile.ZipFile(master) as zf:
        after = {n: zf.read(n) for n in zf.namelist()}
    assert list(after) == list(before)
    changed = {n for n in before if before[n] != after[n]}
    # the stylesheet gains the fill of the last merge's highlight (issue 11)
    assert changed == {
        parts["Seuranta"],
        parts["Muutosloki"],
        parts["Palautukset"],
        "xl/styles.xml",
    }


def test_reading_survives_what_staff_do(issued, tmp_path):
    master, files = issued
    wb = load_workbook(files[KP])
    ws = wb["Seuranta"]
    grid = [[c.value for c in row] for row in ws.iter_rows()]
    header, rows = grid[0], grid[1:]
    rows[1][6] = "Uusi kuvaus"  # 01.01 commentary
    rows[2][5] = "2"  # 01.02 status typed as text
    rows.reverse()  # re-sorted
    rows.insert(5, [None] * 8)  # a blank row
    del rows[-1]  # a row deleted: goal 01., last after the reverse
    order = [0, 1, 2, 6, 4, 5, 3, 7]  # commentary and risks columns swapped
    new = [[r[i] for i in order] for r in [header, *rows]]
    new[0][3] = "Tilannekuvaus"  # and the moved header renamed as another known name
    for r in range(1, ws.max_row + 2):
        for c in range(1, 9):
            ws.cell(row=r, column=c).value = None
    for r, values in enumerate(new, start=1):
        for c, v in enumerate(values, start=1):
            ws.cell(row=r, column=c).value = v
    ws.title = "Kevät 2021"
    ret = tmp_path / "sekoitettu.xlsx"
    wb.save(ret)
    result = merge(master, [ret])
    (fr,) = result.files
    assert fr.result == "merged", fr.reason
    applied = {(c.code, c.field.value): c.new for _, c in result.changes}
    assert applied == {("01.01", "commentary"): "Uusi kuvaus", ("01.02", "status"): S2}
    missing = [x.code for _, x in result.findings if x.rule == "return.row_missing"]
    assert len(missing) == 1


def test_a_conflict_is_reported_and_not_applied(issued, tmp_path):
    master, files = issued
    # the coordinator edits the master after issuing
    patch_sheets(
        master, {"Seuranta": lambda xml: set_cells(xml, {(3, 7): "Koordinaattorin teksti"})[0]}
    )
    ret = fill(files[KP], tmp_path / "r.xlsx", {"G3": "Vastaajan teksti", "D4": "Riski"})
    out = run_cli("merge", str(master), str(ret), "--json")
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"files", "changes", "conflicts"}
    assert set(data["files"][0]) >= {
        "path",
        "owner",
        "round",
        "result",
        "reason",
        "applied",
        "conflicts",
        "rejected",
    }
    (conflict,) = data["conflicts"]
    assert (conflict["code"], conflict["field"], conflict["returned"], conflict["master"]) == (
        "01.01",
        "commentary",
        "Vastaajan teksti",
        "Koordinaattorin teksti",
    )
    assert [(c["code"], c["field"]) for c in data["changes"]] == [("01.02", "risks")]
    assert master_cells(master)["G3"] == "Koordinaattorin teksti"
    assert any(r[9].startswith("ristiriita") for r in log_rows(master))


def test_two_returns_from_one_owner(issued, tmp_path):
    master, files = issued
    fill(
        files[KP], tmp_path / "in" / "eka.xlsx", {"G3": "Ensimmäinen"}, saved=datetime(2021, 4, 10)
    )
    fill(
        files[KP],
        tmp_path / "in" / "toka.xlsx",
        {"G3": "Toinen", "D4": "Myöhempi riski"},
        saved=datetime(2021, 4, 12),
    )
    result = merge(master, [tmp_path / "in"])
    by_name = {f.path.name: f for f in result.files}
    assert by_name["eka.xlsx"].applied == 1
    assert by_name["toka.xlsx"].applied == 1 and by_name["toka.xlsx"].conflicts == 1
    assert "second_return" in by_name["toka.xlsx"].notes
    cells = master_cells(master)
    assert cells["G3"] == "Ensimmäinen" and cells["D4"] == "Myöhempi riski"


def test_dry_run_writes_nothing(issued, tmp_path):
    master, files = issued
    snapshot = master.read_bytes()
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    result = merge(master, [ret], dry_run=True)
    assert len(result.changes) == 4 and not result.written
    assert master.read_bytes() == snapshot
    out = run_cli("merge", str(master), str(ret), "--dry-run")
    assert out.returncode == 0 and "Kokeiluajo" in out.stdout
    assert master.read_bytes() == snapshot


def test_text_from_returns_stays_text(issued, tmp_path):
    master, files = issued
    ret = fill(
        files[KP], tmp_path / "r.xlsx", {"G3": '=HYPERLINK("http://x","y")', "D4": "@SUM(1)"}
    )
    merge(master, [ret])
    ws = load_workbook(master)["Seuranta"]
    assert ws["G3"].value == '=HYPERLINK("http://x","y")' and ws["G3"].data_type == "s"
    with zipfile.ZipFile(master) as zf:
        xml = zf.read(sheet_parts(zf)["Seuranta"])
    assert b"<f>" not in xml and b"<f " not in xml


def _encrypt(src, dest):
    from msoffcrypto.format.ooxml import OOXMLFile

    with src.open("rb") as fin, dest.open("wb") as fout:
        OOXMLFile(fin).encrypt("salasana", fout)
    return dest


def test_every_kind_of_bad_file_gets_its_reason_and_nothing_crashes(issued, tmp_path, sample_path):
    master, files = issued
    box = tmp_path / "palautukset"
    box.mkdir()
    good = fill(files[KP], box / "hyvä.xlsx", {"G3": "ok"})
    _encrypt(good, box / "salattu.xlsx")
    (box / "katkennut.xlsx").write_bytes(good.read_bytes()[:3000])
    with zipfile.ZipFile(box / "pommi.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    far = load_workbook(good)
    far["Seuranta"]["XFD1048576"] = "x"
    far.save(box / "kaukana.xlsx")
    _rewrite_part(
        good,
        box / "strict.xlsx",
        "xl/workbook.xml",
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    )
    (box / "sivu.xlsx").write_text("<html><body><table><tr><td>x</td></tr></table></body></html>")
    nomanifest = load_workbook(good)
    del nomanifest["seuranta_manifesti"]
    nomanifest.save(box / "ilman_tunnistetta.xlsx")
    tampered = load_workbook(good)
    tampered["seuranta_manifesti"]["B3"] = "Pormestari"
    tampered.save(box / "muutettu_tunniste.xlsx")
    other = init_master(sample_path, tmp_path / "toinen.xlsx").master
    other_files = generate(other, tmp_path / "toinen", round_id="2021-kevät").files
    shutil.copy(other_files[0].path, box / "toinen_taulukko.xlsx")
    # signed with this master's key, but for a round it never issued
    loaded = load_plan(master)
    part = split_by_owner(loaded.plan, [KP])[0]
    manifest = build_manifest(
        part,
        round_id="2019-syksy",
        created=datetime(2019, 9, 1),
        master_id=loaded.identity.master_id,
        fingerprint="f",
        key=loaded.identity.key,
    )
    info = RoundInfo("2019-syksy", datetime(2019, 9, 1), tuple(loaded.plan.scale.displays()))
    (box / "vanha_kierros.xlsx").write_bytes(owner_workbook(part, manifest, info))
    # macro-enabled: data read, macros ignored
    with (
        zipfile.ZipFile(good) as zin,
        zipfile.ZipFile(box / "makrot.xlsm", "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for item in zin.infolist():
            zout.writestr(item, zin.read(item))
        zout.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0fake")
    (box / "~$hyvä.xlsx").write_bytes(b"lock")
    (box / ".~lock.hyvä.xlsx#").write_bytes(b"lock")
    result = merge(master, [box])
    reasons = {f.path.name: (f.result, f.reason) for f in result.files}
    assert reasons == {
        "hyvä.xlsx": ("merged", "merged"),
        "makrot.xlsm": ("unchanged", "unchanged"),  # the same edit as hyvä.xlsx: already there
        "salattu.xlsx": ("rejected", "encrypted"),
        "katkennut.xlsx": ("rejected", "corrupt"),
        "pommi.xlsx": ("rejected", "too_large"),
        "kaukana.xlsx": ("rejected", "too_large"),
        "strict.xlsx": ("rejected", "strict"),
        "sivu.xlsx": ("rejected", "html"),
        "ilman_tunnistetta.xlsx": ("rejected", "no_manifest"),
        "muutettu_tunniste.xlsx": ("rejected", "bad_signature"),
        "toinen_taulukko.xlsx": ("rejected", "other_master"),
        "vanha_kierros.xlsx": ("rejected", "other_round"),
        # someone has hyvä.xlsx open: said, not read
        "~$hyvä.xlsx": ("skipped", "skipped_lock"),
        ".~lock.hyvä.xlsx#": ("skipped", "skipped_lock"),
    }
    macro = next(f for f in result.files if f.path.name == "makrot.xlsm")
    assert "macros_ignored" in macro.notes
    assert not result.ok
    out = run_cli("merge", str(master), str(box), "--lang", "en")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "encrypted with a password" in out.stdout


def test_master_open_elsewhere_or_unusable_is_exit_2(issued, tmp_path):
    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", {"G3": "x"})
    lock = master.with_name("~$" + master.name)
    lock.write_text("x")
    out = run_cli("merge", str(master), str(ret))
    assert out.returncode == 2 and "auki toisessa ohjelmassa" in out.stderr
    lock.unlink()
    fresh = init_master(master, tmp_path / "uusi.xlsx").master
    out = run_cli("merge", str(fresh), str(ret))
    assert out.returncode == 2 and "kierrosta" in out.stderr


def test_disk_full_and_permission_errors_leave_the_master_untouched(issued, tmp_path, monkeypatch):
    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    snapshot = master.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(patch_module, "copy_entry_raw", full)
    with pytest.raises(WriteError) as err:
        merge(master, [ret])
    assert "No space left on device" in err.value.message("en")
    assert master.read_bytes() == snapshot
    monkeypatch.undo()

    from seuranta_xl.xlsx import save

    def denied(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(save.os, "replace", denied)
    with pytest.raises(WriteError):
        merge(master, [ret])
    assert master.read_bytes() == snapshot
    assert not [
        p for p in master.parent.iterdir() if p.name.endswith(".tmp") or "seuranta-lock" in p.name
    ]


def test_killed_while_merging_the_master_is_old_or_new(issued, tmp_path):
    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", EDITS)
    original = master.read_bytes()
    cmd = [*seuranta_command(), "merge", str(master), str(ret)]
    start = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=False)
    full = time.perf_counter() - start
    merged = master.read_bytes()
    assert merged != original

    def reset():
        master.write_bytes(original)
        shutil.rmtree(master.parent / "varmuuskopiot", ignore_errors=True)

    def old_or_new():
        cells = master_cells(master)
        assert len(load_plan(master).plan.rows) == 67
        done = all(cells[k] == v for k, v in EXPECTED.items())
        assert done or master.read_bytes() == original
        reset()

    reset()
    killed = kill_at_random(
        cmd, times=10, seed=4, window=(0.4 * full, 1.05 * full), after_each=old_or_new
    )
    assert killed >= 3


def test_a_folder_with_the_master_its_backups_and_the_issued_files(issued, tmp_path):
    master, files = issued
    fill(files[KP], tmp_path / "paluu.xlsx", {"G3": "x"})
    merge(master, [tmp_path / "paluu.xlsx"])  # leaves a backup in varmuuskopiot/
    fill(files[KP], tmp_path / "toinen.xlsx", {"D4": "y"})
    result = merge(master, [tmp_path])
    names = {f.path.name: f.reason for f in result.files}
    assert master.name not in names
    assert not any("varmuuskopiot" in str(f.path) for f in result.files)
    assert names["paluu.xlsx"] == "duplicate" and names["toinen.xlsx"] == "merged"
    assert names[files[KP].name] == "as_issued"
    # toinen.xlsx, filled from a fresh copy, has G3 as issued where the master holds
    # paluu.xlsx's edit: put back or never seen, only the owner knows (issue 8, item 14)
    assert [(c.code, c.reason) for _, c in result.conflicts] == [("01.01", "owner_reverted")]


def test_a_formula_in_the_master_is_never_overwritten(issued, tmp_path):
    import re

    master, files = issued
    # a formula whose last result is the issued text: the merge would apply, the write won't
    issued_text = master_cells(master)["G3"]
    cell = b'<c r="G3" t="str"><f>"laskettu"</f><v>' + issued_text.encode() + b"</v></c>"

    def formula(xml):
        return re.sub(rb'<c r="G3"[^>]*?(/>|>.*?</c>)', lambda m: cell, xml, count=1, flags=re.S)

    patch_sheets(master, {"Seuranta": formula})
    ret = fill(files[KP], tmp_path / "r.xlsx", {"G3": "uusi"})
    dry = merge(master, [ret], dry_run=True)  # the dry run tells the same
    assert [c.reason for _, c in dry.conflicts] == ["formula"] and not dry.changes
    result = merge(master, [ret])
    (fr,) = result.files
    assert fr.result == "unchanged" and fr.conflicts == 1
    (conflict,) = [c for _, c in result.conflicts]
    assert conflict.reason == "formula"
    with zipfile.ZipFile(master) as zf:
        assert cell in zf.read(sheet_parts(zf)["Seuranta"])
    assert any("kaava" in r[9] for r in log_rows(master))


def test_a_master_with_a_repeated_code_is_not_merged_into(issued, tmp_path):
    master, files = issued
    ret = fill(files[KP], tmp_path / "r.xlsx", {"G3": "x"})
    patch_sheets(
        master,
        {"Seuranta": lambda xml: set_cells(xml, {(4, 2): "01.01 Toinen samalla koodilla"})[0]},
    )
    snapshot = master.read_bytes()
    out = run_cli("merge", str(master), str(ret))
    assert (
        out.returncode == 2 and "Sama koodi kahdesti" in out.stdout and "Seuranta!B4" in out.stdout
    )
    assert master.read_bytes() == snapshot


def test_a_column_renamed_past_recognition_is_reported(issued, tmp_path):
    master, files = issued
    wb = load_workbook(files[KP])
    ws = wb["Seuranta"]
    ws["G1"] = "Omat huomiot"  # the commentary column renamed to something unknown
    ws["G3"] = "ei luettavissa"
    ws["D4"] = "riski luetaan"
    ret = tmp_path / "r.xlsx"
    wb.save(ret)
    result = merge(master, [ret])
    assert [(c.code, c.field.value) for _, c in result.changes] == [("01.02", "risks")]
    assert [x.rule for _, x in result.findings] == ["return.column_missing"]
    assert not result.ok
