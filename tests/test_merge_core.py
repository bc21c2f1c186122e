"""The three-way merge in the pure core."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from seuranta_xl import Field, SourceTable, default_scale, read_plan
from seuranta_xl.merge import Decision, MasterState, merge_return
from seuranta_xl.rounds import MasterIdentity, build_manifest, split_by_owner

from .conftest import HEADERS, S2, S3

KEY = MasterIdentity.new().key


def _grid(commentary="alku", status=S3, risks="", extra=()):
    return [
        HEADERS,
        ["01. Tavoite", "", "", "", "", "", "", ""],
        ["", "01.01 Vuositavoite", "", risks, "", status, commentary, "Kanslia"],
        ["", "", "01.01.01 Toimenpide", "", "", "", "", "Kanslia"],
        *extra,
    ]


def _plan(grid):
    return read_plan(SourceTable("Seuranta", grid), default_scale())


def _manifest(grid):
    plan = _plan(grid)
    (part,) = split_by_owner(plan)
    return build_manifest(
        part, round_id="r", created=datetime(2021, 1, 1), master_id="m", fingerprint="f", key=KEY
    )


class _Changes(dict):
    """Decisions by (code, field); a cell returned as issued gets no entry: unchanged."""

    def __missing__(self, key):
        return SimpleNamespace(decision=Decision.UNCHANGED, new=None)


def _decisions(issued, returned, master):
    result = merge_return(_manifest(issued), _plan(returned), MasterState(_plan(master)))
    return _Changes({(c.code, c.field): c for c in result.changes}), result


def test_the_four_outcomes():
    issued = _grid()
    changes, _ = _decisions(issued, _grid("uusi"), issued)
    assert changes[("01.01", Field.COMMENTARY)].decision is Decision.APPLIED
    changes, _ = _decisions(issued, _grid("alku"), _grid("koordinaattori"))
    assert changes[("01.01", Field.COMMENTARY)].decision is Decision.UNCHANGED
    changes, _ = _decisions(issued, _grid("sama"), _grid("sama"))
    assert changes[("01.01", Field.COMMENTARY)].decision is Decision.SAME
    changes, _ = _decisions(issued, _grid("uusi"), _grid("koordinaattori"))
    c = changes[("01.01", Field.COMMENTARY)]
    assert c.decision is Decision.CONFLICT and c.reason == "master_changed"
    assert (c.issued, c.returned, c.master) == ("alku", "uusi", "koordinaattori")


def test_statuses_compare_by_value_and_are_written_as_the_scale_says():
    issued = _grid(status="3 toteutus on ALOITETTU")
    changes, _ = _decisions(issued, _grid(status=S3), issued)
    assert changes[("01.01", Field.STATUS)].decision is Decision.UNCHANGED
    changes, _ = _decisions(issued, _grid(status=2), issued)  # a number pasted over the list
    c = changes[("01.01", Field.STATUS)]
    assert c.decision is Decision.APPLIED and c.new == S2
    changes, result = _decisions(issued, _grid(status="valmis"), issued)
    assert changes[("01.01", Field.STATUS)].decision is Decision.REJECTED
    assert [f.rule for f in result.findings] == ["return.status_unknown"]


def test_locked_cells_context_rows_proposals_and_missing_rows():
    issued = _grid()
    returned = _grid(extra=[["", "", "01.01.09 Uusi ehdotus", "", "", S2, "perustelu", "Kanslia"]])
    returned[2][1] = "01.01 Toinen otsikko"  # locked title
    returned[1][3] = "riski tavoitteelle"  # the goal is context: locked
    del returned[3]  # the action row deleted
    changes, result = _decisions(issued, returned, issued)
    locked = sorted(
        (c.code, c.field.value) for c in changes.values() if c.decision is Decision.LOCKED
    )
    assert locked == [("01.", "risks"), ("01.01", "annual_goal")]
    assert [p.code for p in result.proposals] == ["01.01.09"]
    assert {f.rule for f in result.findings} == {"return.locked_edit", "return.row_missing"}
    assert not result.applied


def test_rows_found_by_code_whatever_their_order():
    issued = _grid()
    returned = [issued[0], issued[3], [], issued[2], issued[1]]
    returned = [list(r) for r in returned]
    returned[3][6] = "uusi"
    changes, result = _decisions(issued, returned, issued)
    assert changes[("01.01", Field.COMMENTARY)].decision is Decision.APPLIED
    assert not result.findings


def test_a_row_whose_owner_changed_in_the_master_is_not_applied():
    issued = _grid()
    master = _grid()
    master[2][7] = "Pormestari"
    changes, _ = _decisions(issued, _grid("uusi"), master)
    c = changes[("01.01", Field.COMMENTARY)]
    assert c.decision is Decision.CONFLICT and c.reason == "owner_changed"


def test_later_return_of_the_same_owner_wins_only_where_the_earlier_did_not_set():
    issued = _grid()
    state = MasterState(_plan(issued))
    first = merge_return(_manifest(issued), _plan(_grid("eka", risks="")), state)
    second = merge_return(_manifest(issued), _plan(_grid("toka", risks="uusi riski")), state)
    assert [c.field for c in first.applied] == [Field.COMMENTARY]
    decisions = {c.field: c.decision for c in second.changes if c.code == "01.01"}
    assert decisions[Field.COMMENTARY] is Decision.CONFLICT
    assert decisions[Field.RISKS] is Decision.APPLIED


VALUES = st.sampled_from(["", "a", "b", "c"])


@given(VALUES, VALUES, VALUES)
def test_three_way_rule(issued_value, returned_value, master_value):
    changes, _ = _decisions(_grid(issued_value), _grid(returned_value), _grid(master_value))
    c = changes[("01.01", Field.COMMENTARY)]
    if returned_value == issued_value:
        expected = Decision.UNCHANGED
    elif master_value == returned_value:
        expected = Decision.SAME
    elif master_value == issued_value:
        expected = Decision.APPLIED
    else:
        expected = Decision.CONFLICT
    assert c.decision is expected
    if expected is not Decision.UNCHANGED:
        assert c.new == (returned_value if expected is Decision.APPLIED else master_value)


@given(st.lists(st.tuples(VALUES, VALUES), min_size=1, max_size=4))
def test_merging_the_same_returns_again_changes_nothing(returns):
    issued = _grid()
    state = MasterState(_plan(issued))
    for commentary, risks in returns:
        merge_return(_manifest(issued), _plan(_grid(commentary or "alku", risks=risks)), state)
    snapshot = dict(state.values)
    for commentary, risks in returns:
        again = merge_return(
            _manifest(issued), _plan(_grid(commentary or "alku", risks=risks)), state
        )
        assert not again.applied
    assert state.values == snapshot
