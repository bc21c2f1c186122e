"""seuranta_xl.frames: the master as data frames equals what the master holds, read
independently through openpyxl; every documented column with its dtype; pandas only there."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime

import pandas as pd
import pytest

import seuranta_xl
from seuranta_xl import analysis
from seuranta_xl.api import generate, merge, summary, synthetic_master
from seuranta_xl.errors import MissingExtra, RoundError, SeurantaError

from .test_summary import _fill

HEADERS = {
    "Valtuustokauden tavoite": "goal",
    "Vuositavoite": "annual_goal",
    "Toimenpide": "action",
    "Merkittävimmät tavoitteen toteuttamista uhkaavat riskit": "risks",
    "Kokonaistilanne": "overall",
    "Etenemisaste": "status",
    "Tilannekuvaus": "commentary",
    "Vastuuhenkilö": "owner",
}
SCALE = range(1, 6)


def _sheet(master, name):
    """A sheet's values as openpyxl reads them (header row first)."""
    from openpyxl import load_workbook

    wb = load_workbook(master, read_only=True)
    try:
        return [list(r) for r in wb[name].iter_rows(values_only=True)]
    finally:
        wb.close()


def _na(value):
    """A cell as the frames hold text: None for empty."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _time(value):
    if value is None or value == "":
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _values(series):
    return [None if pd.isna(v) else v for v in series.tolist()]


def _expected_rows(master):
    """The follow-up rows read independently: code and title split at the first space,
    the status's number when it is on the 1-5 scale."""
    grid = _sheet(master, "Seuranta")
    col = {HEADERS[h]: i for i, h in enumerate(grid[0]) if h in HEADERS}
    letter = "ABCDEFGHIJ"[col["status"]]
    out = []
    for r, cells in enumerate(grid[1:], start=2):
        if all(v in (None, "") for v in cells):
            continue
        cell = next(str(cells[col[f]]) for f in ("goal", "annual_goal", "action") if cells[col[f]])
        code, _, title = cell.partition(" ")
        parts = code.rstrip(".").split(".")
        level = len(parts)
        m = re.match(r"\s*(\d+)\b", str(cells[col["status"]] or ""))
        status = int(m.group(1)) if m and int(m.group(1)) in SCALE else None
        out.append(
            {
                "code": code,
                "level": level,
                "parent_code": ".".join(parts[:-1]) + ("." if level == 2 else "")
                if level > 1
                else None,
                "goal_code": parts[0] + ".",
                "title": title.strip() or None,
                "owner": _na(str(cells[col["owner"]] or "").strip()),
                "status": status,
                "status_text": _na(cells[col["status"]]),
                "overall_text": _na(cells[col["overall"]]),
                "risks": _na(cells[col["risks"]]),
                "commentary": _na(cells[col["commentary"]]),
                "sheet_row": r,
                "source_cell": f"Seuranta!{letter}{r}",
            }
        )
    return pd.DataFrame(out)


def _check(master, frames):
    rows = _expected_rows(master)
    assert len(frames.rows) == len(rows)
    for name in rows.columns:
        assert _values(frames.rows[name]) == _values(rows[name]), name
    steps = [str(r[0]).partition(" ") for r in _sheet(master, "Asetukset")[1:] if r[0]]
    scale = {int(number): label for number, _, label in steps}
    assert _values(frames.rows["status_label"]) == [
        None if pd.isna(v) else scale[v] for v in rows["status"]
    ]

    log = _sheet(master, "Muutosloki")[1:]
    assert len(frames.log) == len(log)
    assert _values(frames.log["time"]) == [_time(r[0]) for r in log]
    for i, name in enumerate(list(analysis.LOG_COLUMNS)[1:], start=1):
        assert _values(frames.log[name]) == [_na(r[i]) for r in log], name

    tracker = _sheet(master, "Palautukset")[1:]
    assert len(frames.returns) == len(tracker)
    for i, name in enumerate(analysis.RETURNS_COLUMNS):
        got = _values(frames.returns[name])
        if name in ("received", "saved"):
            assert got == [_time(r[i]) for r in tracker], name
        elif name in ("rows", "changes", "conflicts", "rejected_cells"):
            assert got == [int(r[i]) for r in tracker], name
        else:
            assert got == [_na(r[i]) for r in tracker], name

    issued = _sheet(master, "Kierrokset")[1:]
    assert _values(frames.rounds["round"]) == [r[0] for r in issued]
    assert _values(frames.rounds["created"]) == [_time(r[1]) for r in issued]
    assert _values(frames.rounds["owner"]) == [r[2] for r in issued]
    assert _values(frames.rounds["own_rows"]) == [int(r[5]) for r in issued]
    assert _values(frames.rounds["sha256"]) == [r[8] for r in issued]

    # the summary's distributions, computed again with pandas from the independent rows
    counted = rows[rows["level"].isin([2, 3])].copy()
    counted["key"] = counted["status"].fillna(0).astype(int)

    def dist(sub):
        counts = sub["key"].value_counts()
        return {k: int(counts.get(k, 0)) for k in [*SCALE, 0]}

    def got(frame):
        return {
            0 if pd.isna(s) else int(s): int(c)
            for s, c in zip(frame["status"], frame["count"], strict=True)
        }

    assert got(frames.overall) == dist(counted)
    total = frames.overall["count"].sum()
    assert frames.overall["share"].tolist() == pytest.approx(
        (frames.overall["count"] / total).tolist()
    )
    goal_codes = rows.loc[rows["level"] == 1, "code"].tolist()
    assert list(dict.fromkeys(frames.goals["goal_code"])) == goal_codes
    for code, sub in frames.goals.groupby("goal_code", sort=False):
        assert got(sub) == dist(counted[counted["goal_code"] == code]), code
    owned = counted[counted["owner"].notna()]
    # every owner of a counted row, and every owner issued in the round (the mayor, whose
    # rows are goals only, with nothing counted)
    issued_owners = {r[2] for r in issued if r[0] == frames.round_id}
    assert set(frames.owners["owner"]) == set(owned["owner"]) | issued_owners
    returned = {r[1] for r in tracker if r[0] == frames.round_id}
    for owner, sub in frames.owners.groupby("owner"):
        assert got(sub) == dist(owned[owned["owner"] == owner]), owner
        assert set(sub["returned"]) == {owner in returned}


def test_sample_frames_equal_the_master(merged):
    summary(merged)  # summary sheets in the master do not get read as rows
    frames = seuranta_xl.frames(merged)
    assert frames.round_id == "2021-kevät"
    _check(merged, frames)
    assert len(frames.rows) == 67 and len(frames.log) > 0 and len(frames.returns) == 1
    assert set(frames.owners.loc[frames.owners["returned"], "owner"]) == {"Kansliapäällikkö"}
    first = frames.rows.iloc[0]
    assert (first["code"], first["level"], first["source_cell"]) == ("01.", 1, "Seuranta!F2")
    assert frames.rows.loc[frames.rows["code"] == "01.", "suggested_status"].item() == 3


def test_synthetic_frames_equal_the_master(tmp_path):
    master = synthetic_master(tmp_path / "m.xlsx", owners=12, rows_per_owner=6, seed=7).master
    first = generate(master, tmp_path / "r1", round_id="2021-kevät", now=datetime(2021, 4, 1))
    for n, f in enumerate(first.files[:5]):
        edits = {(3, 6): str(1 + n % 5), (4, 7): f"kuvaus {n}"}
        merge(master, [_fill(f.path, tmp_path / f"a{n}.xlsx", edits)])
    generate(master, tmp_path / "r2", round_id="2021-syksy", now=datetime(2021, 9, 1))
    frames = seuranta_xl.frames(master)
    assert frames.round_id == "2021-syksy"
    _check(master, frames)
    assert not frames.owners["returned"].any()  # nothing back yet in the newest round
    earlier = seuranta_xl.frames(master, round_id="2021-kevät")
    assert earlier.owners.groupby("owner")["returned"].first().sum() == 5
    with pytest.raises(RoundError):
        seuranta_xl.frames(master, round_id="2020-syksy")


def test_every_documented_column_with_its_dtype(merged):
    frames = seuranta_xl.frames(merged)
    doc = analysis.__doc__ or ""
    for kind, columns in analysis.COLUMNS.items():
        frame = getattr(frames, kind)
        assert list(frame.columns) == list(columns), kind
        assert {c: str(frame[c].dtype) for c in frame.columns} == columns, kind
        for name in columns:
            assert re.search(rf"\b{name}\b", doc), f"{kind}.{name} is not documented"
    assert str(frames.rows["status"].dtype) == "Int64"
    assert str(frames.log["time"].dtype) == "datetime64[ns]"


def test_dates_read_as_text_or_as_real_dates(merged):
    """Today's tool sheets hold ISO text; real Excel dates (d.m.yyyy h:mm) read the same."""
    from openpyxl import load_workbook

    before = seuranta_xl.frames(merged)
    wb = load_workbook(merged)
    for sheet, column in (("Muutosloki", 1), ("Palautukset", 6), ("Kierrokset", 2)):
        ws = wb[sheet]
        for r in range(2, ws.max_row + 1):
            cell = ws.cell(row=r, column=column)
            cell.value = datetime.fromisoformat(str(cell.value))
            cell.number_format = "d.m.yyyy h:mm"
    wb.save(merged)
    after = seuranta_xl.frames(merged)
    pd.testing.assert_series_equal(after.log["time"], before.log["time"])
    pd.testing.assert_series_equal(after.returns["received"], before.returns["received"])
    pd.testing.assert_series_equal(after.rounds["created"], before.rounds["created"])
    assert before.log["time"].notna().all() and before.rounds["created"].notna().all()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 11, 29, 16, 5), datetime(2026, 11, 29, 16, 5)),
        ("2026-11-29 16:05:00", datetime(2026, 11, 29, 16, 5)),
        ("2026-11-29T16:05:00+02:00", datetime(2026, 11, 29, 16, 5)),
        ("29.11.2026 16:05", datetime(2026, 11, 29, 16, 5)),
        ("29.11.2026", datetime(2026, 11, 29)),
        (46355.5, datetime(2026, 11, 29, 12)),
        ("", None),
        (None, None),
        ("eilen", None),
        ("31.2.2026", None),
    ],
)
def test_time_cells(value, expected):
    assert analysis._when(value) == expected


def test_without_pandas_the_message_says_how_to_install(merged, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    with pytest.raises(MissingExtra) as caught:
        seuranta_xl.frames(merged)
    error = caught.value
    assert isinstance(error, SeurantaError) and error.exit_code == 2
    for lang in ("fi", "en"):
        assert 'pip install "seuranta-xl[analysis]"' in error.message(lang)
        assert "uv sync --extra analysis" in error.message(lang)
    assert "pandas-kirjaston" in error.message("fi") and "needs pandas" in error.message("en")


def test_pandas_is_imported_only_when_frames_are_asked_for(merged):
    code = (
        "import sys, seuranta_xl, seuranta_xl.analysis\n"
        "assert callable(seuranta_xl.frames)\n"
        "print('pandas' in sys.modules)\n"
        f"seuranta_xl.frames({str(merged)!r})\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True"]


def test_analysis_extra_declared():
    import tomllib
    from pathlib import Path

    project = tomllib.loads(
        (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text("utf-8")
    )["project"]
    assert not any(d.startswith("pandas") for d in project["dependencies"])
    assert any(d.startswith("pandas") for d in project["optional-dependencies"]["analysis"])


def test_a_plain_follow_up_sheet_gives_rows_and_empty_records(sample_path):
    """Not a master (the bundled tab-separated sample): the rows and their distributions;
    no change log, returns or rounds, yet every frame with its columns and dtypes."""
    frames = seuranta_xl.frames(sample_path)
    assert frames.round_id == "" and len(frames.rows) == 67
    # a text file has no sheet: its name stands for one, quoted as Excel quotes names
    assert frames.rows["source_cell"].iloc[0] == "'sample_2021.tsv'!F4"
    for kind in ("log", "returns", "rounds"):
        frame = getattr(frames, kind)
        assert frame.empty
        assert {c: str(frame[c].dtype) for c in frame.columns} == analysis.COLUMNS[kind]
    assert frames.overall["count"].sum() == 52
    assert not frames.owners["returned"].any()
