"""The summary sheets' layouts (``xlsx.summary_layout``): what finance and the council read,
checked cell by cell for the sample and a synthetic master."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from seuranta_xl import init_master
from seuranta_xl.api import generate, merge, summary, synthetic_master
from seuranta_xl.model import Code, column_index, column_letter
from seuranta_xl.summary import NO_STATUS, parse_deadline, parse_time, summarize
from seuranta_xl.xlsx.names import SETTING_DEADLINE, SUMMARY_SHEETS
from seuranta_xl.xlsx.patch import patch_sheets, set_cells
from seuranta_xl.xlsx.read import load_plan
from seuranta_xl.xlsx.report import Meta
from seuranta_xl.xlsx.sheetspec import DATE_FORMAT, DATE_TIME_FORMAT, PERCENT_FORMAT, SheetSpec
from seuranta_xl.xlsx.summary_layout import summary_sheets
from seuranta_xl.xlsx.template import row_height

from .conftest import KP, S2, run_cli
from .test_merge import fill
from .test_summary import _fill

NOW = datetime(2021, 5, 4, 8, 5)
BANNER = 2
"""Rows an owner workbook's data moves down when the master sets a deadline: its line and
an empty row above the header (issue 11, item 3)."""


def set_setting(master, name, value):
    """A setting written into the master's settings sheet (column D beside its name)."""
    wb = load_workbook(master)
    ws = wb["Asetukset"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(row=r, column=3).value == name:
            ws.cell(row=r, column=4).value = value
    wb.save(master)


def specs_of(master, lang="fi"):
    loaded = load_plan(master)
    figures = summarize(
        loaded.plan,
        loaded.rounds,
        loaded.returns,
        loaded.log,
        deadline=loaded.setting(SETTING_DEADLINE),
    )
    return loaded, figures, summary_sheets(figures, Meta(master.name, NOW, lang))


def _width(spec: SheetSpec, row: int, col: int) -> float:
    """A cell's width in characters: its column's, or its merged range's."""
    for ref in spec.merged:
        first, last = ref.split(":")
        if first == f"{column_letter(col)}{row}":
            end = column_index(last.rstrip("0123456789"))
            return sum(spec.widths.get(c, 8.43) for c in range(col, end + 1))
    return spec.widths.get(col, 8.43)


def values(spec: SheetSpec) -> list[object]:
    return [c.value for c in spec.cells.values()]


def column(spec: SheetSpec, header_row: int, name: str) -> int:
    (col,) = [c for (r, c), cell in spec.cells.items() if r == header_row and cell.value == name]
    return col


def header_row(spec: SheetSpec, first: str) -> int:
    """The row of a table whose header starts with ``first`` (the look of a header)."""
    rows = [r for (r, c), cell in spec.cells.items() if c == 1 and cell.value == first]
    rows = [r for r in rows if spec.cells[(r, 1)].look.fill]
    assert rows, first
    return rows[0]


def table(spec: SheetSpec, head: int) -> list[dict[str, object]]:
    """The rows under a header, as header -> value, up to the first row without cells."""
    names = {c: cell.value for (r, c), cell in spec.cells.items() if r == head}
    out = []
    r = head + 1
    while any((r, c) in spec.cells for c in names):
        out.append({names[c]: spec.cells[(r, c)].value for c in names if (r, c) in spec.cells})
        r += 1
    return out


@pytest.fixture
def sample_merged(tmp_path, sample_path):
    """The sample's master, the deadline 30.4.2021, the round 2021-kevät issued and two
    returns of Kansliapäällikkö merged through the command line: the first with a cell
    applied, one in conflict and one rejected, the second with one more applied. Returns
    (master, what the command line printed)."""
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    set_setting(master, SETTING_DEADLINE, "30.4.2021")
    files = {
        f.owner: f.path
        for f in generate(
            master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1)
        ).files
    }
    # the coordinator edits 01.01's commentary after issuing: the return's edit conflicts
    patch_sheets(
        master, {"Seuranta": lambda xml: set_cells(xml, {(3, 7): "Koordinaattorin teksti"})[0]}
    )
    first = fill(
        files[KP],
        tmp_path / "r1.xlsx",
        {
            f"G{3 + BANNER}": "Vastaajan teksti",
            f"D{4 + BANNER}": "Uusi riski",
            f"F{5 + BANNER}": "9 ei asteikolla",
            f"F{6 + BANNER}": S2,
        },
    )
    second = fill(files[KP], tmp_path / "r2.xlsx", {f"G{8 + BANNER}": "Toinen palautus"})
    printed = []
    for ret in (first, second):
        out = run_cli("merge", str(master), str(ret))
        assert out.returncode in (0, 1), out.stderr
        printed.append(out.stdout)
    return master, "\n".join(printed)


def test_sample_titles_whole_wrapped_and_high_enough(sample_merged):
    master, _ = sample_merged
    loaded, _, specs = specs_of(master)
    overview = specs[0]
    head = header_row(overview, "Tavoite")
    goals = [r for r in loaded.plan.rows if r.code is not None and r.code.level == 1]
    for goal in goals:
        (row,) = [r for (r, c), cell in overview.cells.items() if cell.value == goal.title]
        cell = overview.cells[(row, 2)]
        assert cell.look.wrap and row > head
        needed = row_height([(goal.title, overview.widths[2], False)])
        assert overview.heights.get(row, 15.0) >= (needed or 15.0)
    # the risks and the movement carry whole titles too
    risks = specs[2]
    titles = {str(r.code): r.title for r in loaded.plan.rows if r.code is not None}
    for row in table(risks, header_row(risks, "Koodi")):
        assert row["Otsikko"] == titles[str(row["Koodi"])]


def test_sample_counts_are_numbers_and_shares_percent(sample_merged):
    master, _ = sample_merged
    _, figures, specs = specs_of(master)
    overview = specs[0]
    head = header_row(overview, "Tavoite")
    rows = table(overview, head)
    assert [r["Tavoite"] for r in rows[:-1]] == [g.code for g in figures.goals]
    for goal, row in zip(figures.goals, rows, strict=False):
        for value in (1, 2, 3, 4, 5):
            assert row[f"Rivejä, aste {value}"] == goal.dist.count(value)
            share = row[f"Osuus, aste {value}"]
            assert isinstance(share, float) and share == pytest.approx(goal.dist.share(value))
        assert row["Rivejä, ei etenemisastetta"] == goal.dist.count(NO_STATUS)
        assert row["Rivejä yhteensä"] == goal.dist.total
    assert rows[-1]["Valtuustokauden tavoite"] == "Kaikki tavoitteet"
    assert rows[-1]["Rivejä yhteensä"] == figures.overall.total == 52
    for (r, c), cell in overview.cells.items():
        name = overview.cells.get((head, c))
        in_table = head < r <= head + len(rows)
        if in_table and name is not None and str(name.value).startswith("Osuus"):
            assert cell.look.number_format == PERCENT_FORMAT
            assert cell.value is None or isinstance(cell.value, float)
    assert not any(isinstance(v, str) and v.endswith("%") for v in values(overview))
    assert "Ei tilaa" not in values(overview)


def test_sample_legend_holds_the_scale_and_the_chart_names_its_steps(sample_merged):
    master, _ = sample_merged
    loaded, figures, specs = specs_of(master)
    overview = specs[0]
    texts = [v for v in values(overview) if isinstance(v, str)]
    for value, label in loaded.plan.scale.labels:
        assert f"{value} = {label}" in texts  # the master's own label, word for word
    assert any(t.startswith("Ei etenemisastetta = ") for t in texts)
    chart = overview.chart
    assert chart is not None and chart.top_down and chart.horizontal and chart.stacked
    assert (chart.category_title, chart.value_title) == (
        "Tavoite",
        "Vuositavoitteita ja toimenpiteitä",
    )
    names = [s.name for s in chart.series]
    assert len(set(names)) == len(names) == 6 and names[-1] == "Ei etenemisastetta"
    for value, s in zip(loaded.plan.scale.values, chart.series, strict=False):
        assert s.name.startswith(f"{value} ") and len(s.name) <= 34
        label_words = loaded.plan.scale.label(value).split()
        assert s.name.split()[1] == label_words[0]
    # red first, green last, grey for none
    assert chart.series[0].color == "C00000" and chart.series[4].color == "00B050"
    assert chart.series[5].color == "A6A6A6"
    cats = [
        overview.cells[(r, chart.category_column)].value
        for r in range(chart.first_row, chart.last_row + 1)
    ]
    assert cats == [g.code for g in figures.goals]
    assert cats == sorted(cats, key=lambda c: Code.parse(c).parts)
    for s in chart.series:  # each series' column holds that step's counts
        head = overview.cells[(chart.first_row - 1, s.column)].value
        assert str(head).startswith("Rivejä")


def test_sample_every_issued_owner_listed_late_and_missing_stand_out(sample_merged):
    master, _ = sample_merged
    loaded, _, specs = specs_of(master)
    overview, returns = specs[0], specs[1]
    owners = table(overview, header_row(overview, "Palautus"))
    by_owner = {r["Vastuuhenkilö"]: r for r in owners}
    issued = {rec.owner for rec in loaded.rounds}
    assert issued == {KP, "Pormestari"} and issued <= set(by_owner)
    # merged today, after the deadline 30.4.2021: late; Pormestari (goals only): missing
    assert by_owner[KP]["Palautus"] == "myöhässä"
    assert by_owner["Pormestari"]["Palautus"] == "puuttuu"
    assert by_owner["Pormestari"]["Rivejä yhteensä"] == 0
    assert by_owner["Pormestari"]["Osuus, aste 1"] is None  # no rows: no share
    head = header_row(returns, "Vastuuhenkilö")
    rows = {r["Vastuuhenkilö"]: r for r in table(returns, head)}
    assert rows[KP]["Tila"] == "myöhässä" and rows["Pormestari"]["Tila"] == "puuttuu"
    state_col = column(returns, head, "Tila")
    fills = {
        returns.cells[(r, 1)].value: returns.cells[(r, state_col)].look.fill
        for r in range(head + 1, head + 3)
    }
    assert fills[KP] and fills["Pormestari"] and fills[KP] != fills["Pormestari"]
    # the deadline, a real date
    (deadline,) = [
        cell
        for cell in returns.cells.values()
        if isinstance(cell.value, datetime) and cell.look.bold
    ]
    assert deadline.value == datetime(2021, 4, 30, 23, 59, 59)
    assert deadline.look.number_format == DATE_FORMAT
    assert "Palautettu 1 / 2; puuttuu 1; myöhässä 1" in values(returns)
    # the time received: a real date and time
    when = rows[KP]["Viimeksi vastaanotettu"]
    assert isinstance(when, datetime) and when > datetime(2021, 4, 30)
    col = column(returns, head, "Viimeksi vastaanotettu")
    assert all(
        returns.cells[(r, col)].look.number_format == DATE_TIME_FORMAT
        for r in range(head + 1, head + 3)
    )
    assert rows[KP]["Palautuksia"] == 2


def test_counts_agree_with_what_merge_printed(sample_merged):
    master, printed = sample_merged
    _, figures, specs = specs_of(master)
    returns, movement = specs[1], specs[3]
    counts = re.findall(
        r"— (\d+) muutos(?:ta)?, (\d+) ristiriitaa?, (\d+) hylätty(?:ä)? solu(?:a)?", printed
    )
    assert len(counts) == 2, printed
    applied, conflicts, rejected = (sum(int(c[i]) for c in counts) for i in range(3))
    # the second return brings back two values the first changed: conflicts, as merge says
    assert (applied, conflicts, rejected) == (3, 3, 1), printed
    head = header_row(returns, "Vastuuhenkilö")
    rows = table(returns, head)
    kp = next(r for r in rows if r["Vastuuhenkilö"] == KP)
    total = rows[-1]
    assert total["Vastuuhenkilö"] == "Yhteensä"
    for row in (kp, total):
        assert row["Viedyt solut"] == applied
        assert row["Ristiriitaiset solut, ei viety"] == conflicts
        assert row["Hylätyt solut, ei viety"] == rejected
    # Muutokset lists the cells applied: as many as merge printed, the total says so
    moves = table(movement, header_row(movement, "Koodi"))
    assert len(moves) - 1 == applied == len(figures.movements)
    assert moves[-1]["Koodi"] == "Yhteensä" and moves[-1]["Otsikko"] == applied
    assert any(f"{applied} solua" in str(v) for v in values(movement))


def test_sample_movement_titles_and_round_heading(sample_merged):
    master, _ = sample_merged
    loaded, _, specs = specs_of(master)
    movement = specs[3]
    assert movement.cells[(1, 1)].value == "Muutokset kierroksella 2021-kevät"
    titles = {str(r.code): r.title for r in loaded.plan.rows if r.code is not None}
    moves = table(movement, header_row(movement, "Koodi"))[:-1]
    assert [(m["Koodi"], m["Sarake"], m["Muutos"]) for m in moves] == [
        ("01.02", "merkittävimmät tavoitteen toteuttamista uhkaavat riskit", "teksti muuttui"),
        ("01.03.01", "etenemisaste", "annettiin"),
        ("01.04", "tilannekuvaus", "teksti muuttui"),
    ]
    for m in moves:
        assert m["Otsikko"] == titles[str(m["Koodi"])] and m["Vastuuhenkilö"] == KP
    assert moves[1]["Uusi arvo"] == S2 and moves[2]["Uusi arvo"] == "Toinen palautus"


def test_every_sheet_heading_and_print_set_up(sample_merged):
    master, _ = sample_merged
    _, _, specs = specs_of(master)
    assert [s.kind for s in specs] == ["overview", "returns", "risks", "movement", "council"]
    assert [s.name for s in specs] == [SUMMARY_SHEETS[s.kind][0] for s in specs]
    for spec in specs[:4]:  # the council's report has its own opening (test_council_sheet)
        meta = str(spec.cells[(2, 1)].value)
        assert "2021-kevät" in meta and master.name in meta and "Laadittu 4.5.2021 8:05" in meta
        counted = str(spec.cells[(3, 1)].value)
        assert "vuositavoit" in counted or "solu" in counted
        assert spec.landscape and spec.fit_width and spec.title_rows
        assert "2021-kevät" in spec.page_header and "4.5.2021 8:05" in spec.page_header
        assert "&A" in spec.page_footer and "&P" in spec.page_footer
        # every wrapped text in a row high enough for it (merged heading lines included)
        for (r, c), cell in spec.cells.items():
            if cell.look.wrap and isinstance(cell.value, str):
                needed = row_height([(cell.value, _width(spec, r, c), cell.look.bold)])
                assert spec.heights.get(r, 15.0) >= (needed or 15.0), (spec.name, r, c)


def test_english(sample_merged):
    master, _ = sample_merged
    _, _, specs = specs_of(master, "en")
    assert [s.name for s in specs] == [SUMMARY_SHEETS[s.kind][1] for s in specs]
    texts = set(values(specs[0]))
    assert {"Rows, status 1", "Share, status 1", "Rows, no progress status"} <= texts
    assert specs[0].chart is not None and specs[0].chart.series[-1].name == "No progress status"
    assert "missing" in values(specs[1]) and "Movement in the round 2021-kevät" in values(specs[3])


def test_deadline_unset_said_so_and_passed_by_api_summary(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    generate(master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1))
    _, figures, specs = specs_of(master)
    assert figures.deadline is None
    assert any(str(v).startswith("ei asetettu") for v in values(specs[1]))
    set_setting(master, SETTING_DEADLINE, "2099-12-31")
    assert summary(master, now=NOW).summary.deadline == datetime(2099, 12, 31, 23, 59, 59)
    set_setting(master, SETTING_DEADLINE, "huomenna")
    _, figures, specs = specs_of(master)
    assert figures.deadline is None
    assert "huomenna (ei luettavissa päivämääräksi)" in values(specs[1])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31.5.2026", datetime(2026, 5, 31, 23, 59, 59)),
        ("2026-05-31", datetime(2026, 5, 31, 23, 59, 59)),
        ("2026-05-31T16:00", datetime(2026, 5, 31, 16, 0)),
        ("31.5.2026 16.00", datetime(2026, 5, 31, 16, 0)),
        (datetime(2026, 5, 31), datetime(2026, 5, 31, 23, 59, 59)),
        ("", None),
        (None, None),
        ("toukokuun lopussa", None),
        ("31.2.2026", None),
    ],
)
def test_parse_deadline(value, expected):
    assert parse_deadline(value) == expected


def test_received_times_as_text_or_dates():
    assert parse_time("2021-05-03 10:15:00") == datetime(2021, 5, 3, 10, 15)
    assert parse_time(datetime(2021, 5, 3, 10, 15)) == datetime(2021, 5, 3, 10, 15)
    assert parse_time("ei aikaa") is None


def test_synthetic_master(tmp_path):
    master = synthetic_master(tmp_path / "m.xlsx", owners=30, rows_per_owner=20, seed=4).master
    set_setting(master, SETTING_DEADLINE, "2021-04-25")
    issued = generate(master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1))
    for n, f in enumerate(issued.files[:8]):
        edits = {(3 + BANNER, 6): str(1 + n % 5), (4 + BANNER, 7): f"kuvaus {n}"}
        merge(
            master, [_fill(f.path, tmp_path / f"a{n}.xlsx", edits)], now=datetime(2021, 4, 20 + n)
        )
    loaded, figures, specs = specs_of(master)
    overview, returns, _, movement, _ = specs
    # every goal's whole title, and every issued owner with the state of their return
    for g in figures.goals:
        assert g.title in values(overview)
    owners = {
        r["Vastuuhenkilö"]: r["Palautus"] for r in table(overview, header_row(overview, "Palautus"))
    }
    issued_owners = {rec.owner for rec in loaded.rounds}
    assert len(issued_owners) == 30 and issued_owners <= set(owners)
    states = [owners[o] for o in issued_owners]
    # returned 20.4.-27.4., the deadline 25.4. (the whole day)
    assert states.count("palautettu") == 6 and states.count("myöhässä") == 2
    assert states.count("puuttuu") == 22
    rows = table(returns, header_row(returns, "Vastuuhenkilö"))
    assert (
        rows[-1]["Viedyt solut"]
        == len(figures.movements)
        == len(table(movement, header_row(movement, "Koodi"))) - 1
    )
    assert sum(r.applied for r in figures.returns) == rows[-1]["Viedyt solut"]
    percents = [
        cell
        for (r, c), cell in overview.cells.items()
        if cell.look.number_format == PERCENT_FORMAT and cell.value is not None
    ]
    assert percents and all(isinstance(c.value, float) and 0 <= c.value <= 1 for c in percents)


def test_a_master_without_a_round(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    _, figures, specs = specs_of(master)
    overview, returns, _, movement, _ = specs
    assert figures.round_id == "" and not figures.returns
    assert "ei kierrosta" in str(overview.cells[(2, 1)].value)
    # the rows' owners are listed, none was issued a workbook
    owners = table(overview, header_row(overview, "Palautus"))
    assert {r["Palautus"] for r in owners} == {"ei jaettu"}
    assert "Ei rivejä." in values(returns) and "Palautettu 0 / 0; puuttuu 0; myöhässä 0" in values(
        returns
    )
    assert movement.cells[(1, 1)].value == "Muutokset kierroksella"
    assert "Ei muutoksia kierroksella." in values(movement)


def test_a_correction_after_the_deadline_is_not_late(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    set_setting(master, SETTING_DEADLINE, "30.4.2021")
    issued = generate(master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1))
    kp = next(f for f in issued.files if f.owner == KP)
    merge(
        master,
        [_fill(kp.path, tmp_path / "r1.xlsx", {(3 + BANNER, 6): "5"})],
        now=datetime(2021, 4, 30, 15),
    )
    merge(
        master,
        [_fill(kp.path, tmp_path / "r2.xlsx", {(4 + BANNER, 7): "x"})],
        now=datetime(2021, 5, 2, 9),
    )
    _, figures, specs = specs_of(master)
    (line,) = [r for r in figures.returns if r.owner == KP]
    assert not line.late and line.count == 2 and line.received_at == datetime(2021, 5, 2, 9)
    assert line.applied == 2
    rows = table(specs[1], header_row(specs[1], "Vastuuhenkilö"))
    assert next(r for r in rows if r["Vastuuhenkilö"] == KP)["Tila"] == "palautettu"
