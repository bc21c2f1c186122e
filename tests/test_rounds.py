"""Rounds in the pure core: who gets which rows, file names, manifests and signatures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seuranta_xl import SourceTable, default_scale, read_plan
from seuranta_xl.errors import RoundError
from seuranta_xl.rounds import (
    Manifest,
    MasterIdentity,
    RoundRecord,
    build_manifest,
    check_round_id,
    default_round_id,
    master_fingerprint,
    owner_file_names,
    owner_key,
    parts_to_issue,
    safe_file_stem,
    split_by_owner,
    unowned_rows,
)
from seuranta_xl.synthetic import synthetic_grid
from seuranta_xl.xlsx.read import load_plan

from .conftest import SAMPLE_GOALS_WITHOUT_OWNER


@pytest.fixture(scope="module")
def plan(sample_path):
    return load_plan(sample_path).plan


def _codes(part, editable=None):
    return [str(r.row.code) for r in part.rows if editable is None or r.editable is editable]


def test_sample_splits_into_its_two_owners(plan):
    parts = {p.owner: p for p in split_by_owner(plan)}
    assert set(parts) == {"Pormestari", "Kansliapäällikkö"}
    assert _codes(parts["Pormestari"]) == ["01."]
    kp = parts["Kansliapäällikkö"]
    own = [str(r.code) for r in plan.rows if r.owner == "Kansliapäällikkö"]
    assert _codes(kp, editable=True) == own and len(own) == 52
    # context: the goals above its rows, 01. (Pormestari's) included, never editable
    assert _codes(kp, editable=False) == [str(r.code) for r in plan.rows if r.level == 1]
    assert [r.row.sheet_row for r in kp.rows] == sorted(r.row.sheet_row for r in kp.rows)
    assert len(kp.rows) == 67
    assert [str(r.code) for r in unowned_rows(plan)] == list(SAMPLE_GOALS_WITHOUT_OWNER)


def test_owner_names_match_across_case_and_spacing():
    grid = synthetic_grid(2, 3)
    grid[3][7] = "  " + str(grid[3][7]).upper() + " "  # one action of owner 1, spelled otherwise
    plan = read_plan(SourceTable("S", grid), default_scale())
    parts = split_by_owner(plan)
    assert len(parts) == 2 and parts[0].own_count == 3
    assert owner_key("  Kansliapäällikkö ") == owner_key("KANSLIAPÄÄLLIKKÖ")


def test_only_named_owners(plan):
    parts = split_by_owner(plan, ["pormestari"])
    assert [p.owner for p in parts] == ["Pormestari"]


def test_parts_to_issue_skips_owners_already_issued(plan):
    records = [RoundRecord("2021-kevät", "", "Pormestari", "x.xlsx", 1, 1, "", "")]
    parts, skipped = parts_to_issue(plan, records, "2021-kevät")
    assert [p.owner for p in parts] == ["Kansliapäällikkö"] and skipped == ("Pormestari",)
    parts, skipped = parts_to_issue(plan, records, "2021-syksy")
    assert len(parts) == 2 and skipped == ()
    with pytest.raises(RoundError) as err:
        parts_to_issue(plan, records, "2021-kevät", ["Pormestari"])
    assert err.value.key == "round_issued"
    with pytest.raises(RoundError) as err:
        parts_to_issue(plan, [], "r", ["Rehtori"])
    assert err.value.key == "unknown_owner" and "Kansliapäällikkö" in err.value.message()


def test_round_ids():
    assert default_round_id(date(2021, 3, 1)) == "2021-kevät"
    assert default_round_id(date(2021, 9, 1)) == "2021-syksy"
    assert check_round_id(" 2021-kevät ") == "2021-kevät"
    for bad in ("", "-x", "a/b", "x" * 50, "kevät 2021"):
        with pytest.raises(ValueError):
            check_round_id(bad)


@pytest.mark.parametrize(
    ("owner", "stem"),
    [
        ("Kansliapäällikkö", "Kansliapäällikkö"),
        ("Talous/Hallinto: johtaja?", "Talous_Hallinto_johtaja"),
        ("CON", "CON_"),
        ("  ...  ", "tuntematon"),
        ("a\tb\x00c", "a_bc"),
    ],
)
def test_safe_file_stems(owner, stem):
    assert safe_file_stem(owner) == stem


def test_file_names_never_collide():
    names = owner_file_names(
        "2021-kevät",
        ["A/B", "A B", "a b", "Kansliapäällikkö"],
        taken=["Seuranta_2021-kevät_A_B_2.xlsx"],
    )
    assert names["Kansliapäällikkö"] == "Seuranta_2021-kevät_Kansliapäällikkö.xlsx"
    assert names["A/B"] == "Seuranta_2021-kevät_A_B.xlsx"
    assert len({n.casefold() for n in names.values()}) == 4
    assert "Seuranta_2021-kevät_A_B_2.xlsx" not in names.values()


@given(st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=15, unique=True))
def test_file_names_are_distinct_and_windows_safe(owners):
    names = owner_file_names("r", owners)
    assert len({n.casefold() for n in names.values()}) == len(owners)
    for name in names.values():
        assert not set('<>:"/\\|?*') & set(name)
        assert all(ord(ch) >= 32 for ch in name)


def _manifest(plan, key):
    part = next(p for p in split_by_owner(plan) if p.owner == "Kansliapäällikkö")
    return build_manifest(
        part,
        round_id="2021-kevät",
        created=datetime(2021, 4, 1, 9),
        master_id="m-1",
        fingerprint=master_fingerprint(plan),
        key=key,
    )


def test_manifest_verifies_and_tampering_fails(plan):
    identity = MasterIdentity.new()
    m = _manifest(plan, identity.key)
    assert m.verify(identity.key)
    assert not m.verify(MasterIdentity.new().key)
    changed = replace(m.rows[1], values=("x", *m.rows[1].values[1:]))
    changed_value = replace(m, rows=(m.rows[0], changed, *m.rows[2:]))
    assert not changed_value.verify(identity.key)
    assert not replace(m, owner="Pormestari").verify(identity.key)
    assert not replace(m, rows=m.rows[:-1]).verify(identity.key)
    unlocked = replace(m, rows=(replace(m.rows[0], editable=True), *m.rows[1:]))
    assert not unlocked.verify(identity.key)
    assert not replace(m, signature="").verify(identity.key)


def test_manifest_round_trips_through_cells(plan):
    key = MasterIdentity.new().key
    m = _manifest(plan, key)
    back = Manifest.from_grid(m.to_grid())
    assert back == m and back.signature == m.signature and back.verify(key)
    # as a spreadsheet reader gives it back: numbers for numeric text, padded rows
    grid = [[float(v) if v.isdigit() else v for v in row] + [""] * 2 for row in m.to_grid()]
    assert Manifest.from_grid(grid).verify(key)
    with pytest.raises(ValueError):
        Manifest.from_grid([["something else"]])


def test_fingerprint_follows_content(plan):
    a = master_fingerprint(plan)
    assert a == master_fingerprint(plan)
    grid = [list(r) for r in synthetic_grid(3, 4)]
    p1 = read_plan(SourceTable("S", grid), default_scale())
    grid[2][6] = "muutettu"
    p2 = read_plan(SourceTable("S", grid), default_scale())
    assert master_fingerprint(p1) != master_fingerprint(p2)


def test_synthetic_sheet_is_deterministic_and_valid():
    from seuranta_xl import validate_plan

    a, b = synthetic_grid(60, 20, seed=7), synthetic_grid(60, 20, seed=7)
    assert a == b and synthetic_grid(60, 20, seed=8) != a
    plan = read_plan(SourceTable("S", a), default_scale())
    assert len(plan.rows) == 3 + 60 * 20  # three goals over 25 annual goals each
    assert validate_plan(plan).ok
    parts = split_by_owner(plan)
    assert len(parts) == 60 and all(p.own_count == 20 and len(p.rows) == 21 for p in parts)
