"""The council's report as a SheetSpec (no workbook library, no LibreOffice): every row in
code order with its commentary and risks whole, a goal a page, the header on every page."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seuranta_xl.model import Code
from seuranta_xl.summary import CouncilReport, Distribution, ReportLine, Summary, summarize
from seuranta_xl.xlsx.council import council_sheet, step_fills
from seuranta_xl.xlsx.read import load_plan
from seuranta_xl.xlsx.report import Meta
from seuranta_xl.xlsx.sheetspec import SheetSpec
from seuranta_xl.xlsx.template import MAX_ROW_HEIGHT

WHEN = datetime(2021, 5, 3, 14, 5)
SCALE = ((1, "Ei edetty"), (2, "Suunnittelussa"), (3, "Aloitettu"))


def _norm(text: object) -> str:
    return " ".join(str(text or "").split())


def _table(spec: SheetSpec) -> tuple[int, dict[str, int]]:
    """The header row and its columns by header text."""
    assert spec.title_rows is not None
    head = spec.title_rows[0]
    cols = {str(cell.value): c for (r, c), cell in spec.cells.items() if r == head and cell.value}
    return head, cols


def _entries(spec: SheetSpec) -> list[dict[str, str]]:
    """The report's rows read back: a row and the rows that carry its texts on, joined."""
    head, cols = _table(spec)
    out: list[dict[str, str]] = []
    for r in range(head + 1, spec.last_row + 1):
        first = spec.cells.get((r, 1))
        if first is None or first.value is None:
            continue
        texts = {
            h: str(getattr(spec.cells.get((r, c)), "value", "") or "") for h, c in cols.items()
        }
        if first.value in ("(jatkuu)", "(continued)"):
            for h, text in texts.items():
                if h not in ("Koodi", "Code") and text:
                    out[-1][h] = (out[-1][h] + " " + text).strip()
        elif (r, 2) in spec.cells:
            out.append(texts)
        # else: a section heading spanning the table
    return out


@pytest.fixture(scope="module")
def sample_summary() -> Summary:
    from seuranta_xl.api import demo_source

    return summarize(load_plan(demo_source()).plan, round_id="2021-kevät")


def test_sample_every_row_in_code_order_with_its_texts_whole(sample_summary):
    plan_rows = sample_summary.council.lines
    spec = council_sheet(sample_summary, Meta("seuranta.xlsx", WHEN), deadline="30.4.2021")
    entries = _entries(spec)
    codes = [e["Koodi"] for e in entries]
    assert codes == sorted(codes, key=Code.parse)
    assert len(entries) == len(plan_rows) > 40
    for line, entry in zip(plan_rows, entries, strict=True):
        assert entry["Koodi"] == line.code
        assert _norm(entry["Tilannekuvaus"]) == _norm(line.commentary)
        assert _norm(entry["Riskit"]) == _norm(line.risks)
        assert _norm(entry["Tavoite / vuositavoite / toimenpide"]) == _norm(line.title)
        assert entry["Vastuuhenkilö"] == line.owner
    # the sample's commentary is there, every one of them
    commentaries = [r.commentary for r in load_plan_rows()]
    assert sum(1 for c in commentaries if c.strip()) > 30
    shown = " ".join(_norm(e["Tilannekuvaus"]) for e in entries)
    for c in commentaries:
        assert _norm(c) in shown


def load_plan_rows():  # type: ignore[no-untyped-def]
    from seuranta_xl.api import demo_source

    return load_plan(demo_source()).plan.rows


def test_sample_status_is_the_scale_text_with_a_fill_per_step(sample_summary):
    spec = council_sheet(sample_summary, Meta("seuranta.xlsx", WHEN))
    head, cols = _table(spec)
    c = cols["Etenemisaste"]
    scale = dict(sample_summary.council.scale)
    fills = step_fills(tuple(scale))
    seen = set()
    for line in sample_summary.council.lines:
        if line.status is None:
            continue
        assert line.status_text == f"{line.status} {scale[line.status]}"
        r = next(
            r
            for (r, col), cell in spec.cells.items()
            if col == 1 and r > head and cell.value == line.code
        )
        cell = spec.cells[(r, c)]
        assert cell.value == line.status_text
        assert cell.look.fill == fills[line.status]
        seen.add(line.status)
    assert len(seen) >= 3
    # red to green: distinct, lowest reddest, highest greenest
    ordered = [fills[v] for v in sorted(fills)]
    assert len(set(ordered)) == len(ordered)
    red = [int(f[:2], 16) - int(f[2:4], 16) for f in ordered]
    assert red == sorted(red, reverse=True)


def test_sample_a_goal_a_page_header_repeated(sample_summary):
    spec = council_sheet(sample_summary, Meta("seuranta.xlsx", WHEN), deadline="30.4.2021")
    head, cols = _table(spec)
    assert spec.title_rows == (head, head)
    assert list(cols) == [
        "Koodi",
        "Tavoite / vuositavoite / toimenpide",
        "Etenemisaste",
        "Tilannekuvaus",
        "Riskit",
        "Vastuuhenkilö",
    ]  # nobody gave an overall status in the sample: no empty column for it
    goal_rows = [
        r
        for (r, c), cell in spec.cells.items()
        if c == 1 and r > head and isinstance(cell.value, str) and cell.value.endswith(".")
    ]
    goals = [line for line in sample_summary.council.lines if line.level == 1]
    assert len(goal_rows) == len(goals) > 5
    first, *rest = sorted(goal_rows)
    assert first == head + 1
    assert sorted(spec.row_breaks) == [r - 1 for r in rest]
    for r in goal_rows:
        assert spec.cells[(r, 2)].look.bold and spec.cells[(r, 2)].look.fill
    assert "2021-kevät" in spec.page_header and "3.5.2021" in spec.page_header
    assert "&P" in spec.page_footer and "&N" in spec.page_footer
    assert spec.landscape and spec.fit_width
    opening = " ".join(str(cell.value) for (r, _), cell in spec.cells.items() if r < head)
    assert "Valtuustoraportti" in opening
    assert "2021-kevät" in opening and "3.5.2021" in opening and "30.4.2021" in opening
    for value, label in sample_summary.council.scale:
        assert f"{value} {label}" in opening
    assert spec.name == "Valtuustoraportti" and spec.kind == "council"


def test_every_row_is_given_a_height_that_fits_and_no_more_than_excel_allows(sample_summary):
    spec = council_sheet(sample_summary, Meta("seuranta.xlsx", WHEN))
    head, _ = _table(spec)
    for (r, _c), cell in spec.cells.items():
        if r > head and isinstance(cell.value, str) and len(cell.value) > 60:
            assert spec.heights.get(r, 0) >= 30
    assert all(h <= MAX_ROW_HEIGHT for h in spec.heights.values())


def _summary(lines: list[ReportLine], round_id: str = "2026-1") -> Summary:
    values = tuple(v for v, _ in SCALE)
    return Summary(
        round_id,
        Distribution(dict.fromkeys((*values, 0), 0), values),
        council=CouncilReport(tuple(lines), SCALE),
    )


def _line(code: str, **kw: object) -> ReportLine:
    level = code.rstrip(".").count(".") + 1 if code else 3
    base: dict[str, object] = {
        "code": code,
        "level": level,
        "title": f"Otsikko {code}",
        "status": None,
        "status_text": "",
        "overall": "",
        "commentary": "",
        "risks": "",
        "owner": "Olli",
        "sheet_row": 2,
    }
    base.update(kw)
    return ReportLine(**base)  # type: ignore[arg-type]


def test_rows_without_a_code_come_last_on_a_page_of_their_own_and_the_sheet_says_so():
    lines = [
        _line("01."),
        _line("01.01", status=2, status_text="2 Suunnittelussa", commentary="Hyvin menee"),
        _line("", title="Irrallinen rivi", commentary="Ilman koodia kirjoitettu"),
    ]
    spec = council_sheet(_summary(lines), Meta("m.xlsx", WHEN))
    entries = _entries(spec)
    assert [e["Koodi"] for e in entries] == ["01.", "01.01", ""]
    assert entries[-1]["Tilannekuvaus"] == "Ilman koodia kirjoitettu"
    texts = [str(c.value) for c in spec.cells.values()]
    assert any("ei ole koodia (1 kpl)" in t for t in texts)
    head, _ = _table(spec)
    heading = next(
        r for (r, c), cell in spec.cells.items() if r > head and "ilman koodia" in str(cell.value)
    )
    assert heading - 1 in spec.row_breaks


def test_overall_status_shown_when_given_and_unknown_status_as_written():
    lines = [
        _line("01.", overall="Hyvä"),
        _line("01.01", status_text="kesken (ei asteikolla)"),
        _line("01.02"),
    ]
    spec = council_sheet(_summary(lines), Meta("m.xlsx", WHEN, lang="en"))
    _, cols = _table(spec)
    assert "Overall status" in cols and spec.name == "Council report"
    entries = _entries(spec)
    assert entries[0]["Overall status"] == "Hyvä"
    assert entries[1]["Progress status"] == "kesken (ei asteikolla)"
    assert entries[2]["Progress status"] == "No progress status"
    assert "round 2026-1" in spec.page_header


def test_page_header_escapes_ampersands():
    spec = council_sheet(_summary([_line("01.")], round_id="R&D 1"), Meta("m.xlsx", WHEN))
    assert "R&&D 1" in spec.page_header


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzäö \n", min_size=1, max_size=12),
        min_size=1,
        max_size=900,
    )
)
def test_long_texts_go_on_in_rows_below_whole_and_each_row_fits(words):
    text = " ".join(words).strip() or "x"
    lines = [_line("01."), _line("01.01", commentary=text, risks=text[:3000])]
    spec = council_sheet(_summary(lines), Meta("m.xlsx", WHEN))
    entries = _entries(spec)
    assert _norm(entries[1]["Tilannekuvaus"]) == _norm(text)
    assert _norm(entries[1]["Riskit"]) == _norm(text[:3000])
    assert all(h <= MAX_ROW_HEIGHT for h in spec.heights.values())


def test_an_empty_follow_up_says_so():
    spec = council_sheet(_summary([]), Meta("m.xlsx", WHEN))
    assert any("ei ole rivejä" in str(c.value) for c in spec.cells.values())
