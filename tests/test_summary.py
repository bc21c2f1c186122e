"""Summary figures equal an independent computation over the master (pandas)."""

from __future__ import annotations

import zipfile
from datetime import datetime

import pandas as pd
import pytest

from seuranta_xl import init_master
from seuranta_xl.api import generate, merge, synthetic_master
from seuranta_xl.summary import NO_STATUS, rollup, summarize
from seuranta_xl.xlsx.patch import set_cells, sheet_parts
from seuranta_xl.xlsx.read import load_plan


def _frame(master):
    """The master's rows as pandas reads them, with level, code, goal and status value."""
    df = pd.read_excel(master, sheet_name="Seuranta", dtype=str, engine="calamine").fillna("")
    cols = list(df.columns)
    titles = df[cols[0]].where(df[cols[0]] != "", df[cols[1]].where(df[cols[1]] != "", df[cols[2]]))
    df["code"] = titles.str.split(" ").str[0]
    df["level"] = df["code"].str.rstrip(".").str.count(r"\.") + 1
    df["goal"] = df["code"].str[:2] + "."
    df["value"] = df[cols[5]].str.extract(r"^\s*(\d+)")[0].fillna("0").astype(int)
    df["owner"] = df[cols[7]].str.strip()
    df["risks"] = df[cols[3]].str.strip()
    return df


def _check(master, summary):
    df = _frame(master)
    rows = df[df["level"].isin([2, 3])]
    expected = rows["value"].value_counts().to_dict()
    assert {k: v for k, v in summary.overall.counts.items() if v} == expected
    assert summary.overall.total == len(rows)
    for line in summary.goals:
        sub = rows[rows["goal"] == line.code]
        assert line.dist.total == len(sub)
        assert {k: v for k, v in line.dist.counts.items() if v} == sub[
            "value"
        ].value_counts().to_dict()
    owned = rows[rows["owner"] != ""]
    # issue 10: every owner issued a workbook in the round is listed too, counted rows or not
    rounds = pd.read_excel(master, sheet_name="Kierrokset", dtype=str, engine="calamine")
    issued = rounds[rounds.iloc[:, 0] == summary.round_id].iloc[:, 2].str.strip()
    assert sorted(line.owner for line in summary.owners) == sorted(
        set(owned["owner"]) | set(issued), key=str.casefold
    )
    for line in summary.owners:
        sub = owned[owned["owner"] == line.owner]
        assert line.dist.total == len(sub)
        assert line.dist.count(NO_STATUS) == int((sub["value"] == 0).sum())
        assert line.issued == (line.owner in set(issued))
    risky = df[(df["risks"] != "")]
    assert sorted(r.code for r in summary.risks) == sorted(risky["code"])
    statuses = [r.status if r.status is not None else 99 for r in summary.risks]
    assert statuses == sorted(statuses)


@pytest.fixture
def sample_round(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    issued = generate(master, tmp_path / "out", round_id="2021-kevät", now=datetime(2021, 4, 1))
    return master, issued


def _fill(src, dest, edits):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        part = sheet_parts(zin)["Seuranta"]
        for item in zin.infolist():
            data = zin.read(item)
            zout.writestr(item, set_cells(data, edits)[0] if item.filename == part else data)
    return dest


def test_sample_figures_equal_pandas(sample_round, tmp_path):
    master, issued = sample_round
    kp = next(f for f in issued.files if f.owner == "Kansliapäällikkö")
    merge(
        master,
        [_fill(kp.path, tmp_path / "r.xlsx", {(3, 6): "5", (4, 6): "1", (6, 7): "Uusi kuvaus"})],
    )
    loaded = load_plan(master)
    summary = summarize(loaded.plan, loaded.rounds, loaded.returns, loaded.log)
    assert summary.round_id == "2021-kevät"
    _check(master, summary)
    assert summary.overall.total == 52 and summary.overall.count(NO_STATUS) == 8
    by_owner = {line.owner: line for line in summary.returns}
    assert by_owner["Kansliapäällikkö"].received and by_owner["Kansliapäällikkö"].applied == 3
    assert not by_owner["Pormestari"].received
    assert [(m.code, m.kind) for m in summary.movements] == [
        ("01.01", "up"),
        ("01.02", "down"),
        ("01.03.01", "changed"),
    ]
    owners = {line.owner: line.returned for line in summary.owners}
    # issue 10: Pormestari, issued a workbook holding only goal 01., is listed, not returned
    assert owners == {"Kansliapäällikkö": True, "Pormestari": False}


def test_synthetic_two_rounds_figures_equal_pandas(tmp_path):
    master = synthetic_master(tmp_path / "m.xlsx", owners=30, rows_per_owner=6, seed=5).master
    first = generate(master, tmp_path / "r1", round_id="2021-kevät", now=datetime(2021, 4, 1))
    for n, f in enumerate(first.files[:20]):
        merge(master, [_fill(f.path, tmp_path / f"a{n}.xlsx", {(3, 6): str(1 + n % 5)})])
    second = generate(master, tmp_path / "r2", round_id="2021-syksy", now=datetime(2021, 9, 1))
    for n, f in enumerate(second.files[:12]):
        merge(
            master,
            [
                _fill(
                    f.path, tmp_path / f"b{n}.xlsx", {(3, 6): str(5 - n % 5), (4, 7): f"syksy {n}"}
                )
            ],
        )
    loaded = load_plan(master)
    summary = summarize(loaded.plan, loaded.rounds, loaded.returns, loaded.log)
    assert summary.round_id == "2021-syksy"
    _check(master, summary)
    assert sum(line.received for line in summary.returns) == 12 and len(summary.returns) == 30
    log = pd.DataFrame(list(loaded.log)).astype(str)
    applied = log[(log[1] == "2021-syksy") & (log[9] == "viety")]
    assert len(summary.movements) == len(applied[applied[6] == "Tilannekuvaus"]) + sum(
        1 for _, r in applied[applied[6] == "Etenemisaste"].iterrows() if r[7][:1] != r[8][:1]
    )
    earlier = summarize(
        loaded.plan, loaded.rounds, loaded.returns, loaded.log, round_id="2021-kevät"
    )
    assert sum(line.received for line in earlier.returns) == 20


def test_rollup_rule(sample_path):
    plan = load_plan(sample_path).plan
    suggestions = {str(k): v for k, v in rollup(plan).items()}
    # 01.03's actions have no status: no suggestion; 32.03's five actions are all 3
    assert "01.03" not in suggestions and suggestions["32.03"] == 3
    # goal 01.: annual goals 4, 3, 3, 2, 3 -> mean 3.0 -> 3
    assert suggestions["01."] == 3
    # goal 14.: 14.07 (3) -> 3; half rounds down: 30.'s annual goals 3,2,3,3,3,2,2 -> 2.57 -> 3
    assert suggestions["14."] == 3 and suggestions["30."] == 3
