"""The council report laid out faster (looks made once per kind of row, short texts one
piece without counting) is the sheet it was: the old ``_Report.line`` is kept here and both
lay out the same report rows, long texts, line breaks, tabs, statuses off the scale and
rows without a code among them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seuranta_xl.summary import CouncilReport, Distribution, ReportLine, Summary
from seuranta_xl.xlsx import council
from seuranta_xl.xlsx.council import (
    BODY_SIZE,
    GOAL_FILL,
    NO_STATUS_FILL,
    _Report,
    _usable,
    council_sheet,
)
from seuranta_xl.xlsx.report import Meta
from seuranta_xl.xlsx.sheetspec import Look

from .test_speedlayout_heights import old_pieces, old_row_height

SCALE = ((1, "Ei edetty lainkaan tai toimenpide ei vaadi toimia"), (2, "Suunnittelussa"), (3, "Ok"))
WHEN = datetime(2026, 11, 29, 12)


def old_line(self: _Report, r: int, line: ReportLine) -> int:
    """``_Report.line`` as it was before this change, with the old counts."""
    spec, col = self.spec, self.col
    goal = line.level == 1 and bool(line.code)
    base = Look(size=BODY_SIZE, border=True, wrap=True, bold=goal, fill=GOAL_FILL if goal else "")
    indent = max(line.level - 1, 0) if line.code else 0
    if line.status is not None:
        status_fill, status_text = self.fills.get(line.status, NO_STATUS_FILL), line.status_text
    elif line.status_text:
        status_fill, status_text = NO_STATUS_FILL, line.status_text
    elif goal:
        status_fill, status_text = GOAL_FILL, ""
    else:
        status_fill, status_text = NO_STATUS_FILL, self.t("none")
    texts = {
        "item": line.title,
        "status": status_text,
        "overall": line.overall,
        "commentary": line.commentary,
        "risks": line.risks,
        "owner": line.owner,
    }
    texts = {k: v for k, v in texts.items() if k in col}
    usable = {k: _usable(self.widths[k], indent if k == "item" else 0) for k in texts}
    pieces = {k: old_pieces(v, usable[k]) for k, v in texts.items()}
    looks = dict.fromkeys(texts, base)
    looks["item"] = replace(base, indent=indent)
    italic = line.status is None and bool(line.status_text)
    looks["status"] = replace(base, fill=status_fill, italic=italic)
    for i in range(max(len(p) for p in pieces.values())):
        if i == 0:
            spec.put(r, col["code"], line.code, replace(base, wrap=False))
        else:
            spec.put(r, col["code"], self.t("more"), replace(base, italic=True, bold=False))
        shown = {k: p[i] if i < len(p) else "" for k, p in pieces.items()}
        for k, text in shown.items():
            spec.put(r, col[k], text or None, looks[k])
        height = old_row_height([(text, usable[k], goal) for k, text in shown.items()])
        if height:
            spec.heights[r] = height
        r += 1
    return r


WORD = st.one_of(
    st.sampled_from(["ja", "toteutus", "kehittäminen", "valtuustolle", "a", "&", "(jatkuu)"]),
    st.text(alphabet="xyzåäö-", min_size=12, max_size=90),
)
GAP = st.sampled_from([" ", " ", " ", " ", "  ", "\n", "\t", " \n\n"])
SHORT = st.lists(st.tuples(WORD, GAP), max_size=30).map(lambda p: "".join(w + g for w, g in p))
TEXT = st.one_of(
    st.just(""),
    SHORT,
    # long enough, now and then, to be carried on over rows
    st.tuples(SHORT, st.integers(5, 60), SHORT).map(lambda t: t[0] * t[1] + t[2]),
)
CODE = st.sampled_from(["", "01.", "01.01", "01.01.01", "02.", "02.03.04"])


@st.composite
def report_line(draw: st.DrawFn) -> ReportLine:
    code = draw(CODE)
    status = draw(st.sampled_from([None, 1, 2, 3]))
    text = draw(st.sampled_from(["", "4 ei asteikolla", SCALE[0][1]])) if status is None else ""
    return ReportLine(
        code=code,
        level=code.rstrip(".").count(".") + 1 if code else draw(st.integers(1, 3)),
        title=draw(TEXT),
        status=status,
        status_text=f"{status} {dict(SCALE)[status]}" if status is not None else text,
        overall=draw(st.sampled_from(["", "", "Hyvä", "Tilanne on hyvä mutta hidas"])),
        commentary=draw(TEXT),
        risks=draw(TEXT),
        owner=draw(st.sampled_from(["", "Olli", "Kansliapäällikkö ja hyvinvointijohtaja"])),
        sheet_row=1,
    )


def _summary(lines: list[ReportLine]) -> Summary:
    values = tuple(v for v, _ in SCALE)
    return Summary(
        "2026-1",
        Distribution(dict.fromkeys((*values, 0), 0), values),
        council=CouncilReport(tuple(lines), SCALE),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(report_line(), max_size=12), st.sampled_from(["fi", "en"]))
def test_council_sheet_as_before(lines: list[ReportLine], lang: str) -> None:
    summary = _summary(lines)
    meta = Meta(source="m.xlsx", generated=WHEN, lang=lang)
    new = council_sheet(summary, meta)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(council._Report, "line", old_line)
        old = council_sheet(summary, meta)
    assert new == old
    assert list(new.cells) == list(old.cells)  # written in the same order, too
    assert list(new.heights) == list(old.heights)
