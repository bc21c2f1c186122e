"""Hierarchy codes: parse, format, sloppy forms, ordering."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seuranta_xl import Code, parse_code_cell
from seuranta_xl.model import CodeIssue

parts_st = st.lists(st.integers(min_value=0, max_value=99), min_size=1, max_size=3).map(tuple)
codes_st = parts_st.map(Code)


@pytest.mark.parametrize(
    ("text", "parts", "title"),
    [
        ("01. Uudistamme kuntaa", (1,), "Uudistamme kuntaa"),
        ("01.03 Vahvistamme", (1, 3), "Vahvistamme"),
        ("01.03.01 Varmistamme tuusulalaisten", (1, 3, 1), "Varmistamme tuusulalaisten"),
        ("32.03.05 Toteutamme 3 milj. euron", (32, 3, 5), "Toteutamme 3 milj. euron"),
        ("01.03", (1, 3), ""),
    ],
)
def test_canonical_cells_parse_without_issues(text, parts, title):
    cell = parse_code_cell(text)
    assert cell.code == Code(parts)
    assert cell.title == title
    assert cell.issues == ()
    assert cell.canonical == text


@pytest.mark.parametrize(
    ("text", "canonical", "issue"),
    [
        ("1.3 Otsikko", "01.03", CodeIssue.PADDING),
        ("01.03. Otsikko", "01.03", CodeIssue.TRAILING_DOT),
        ("01 Otsikko", "01.", CodeIssue.MISSING_DOT),
        ("1. Otsikko", "01.", CodeIssue.PADDING),
        (" 01.03 Otsikko", "01.03", CodeIssue.LEADING_SPACE),
        ("01.03\u00a0Otsikko", "01.03", CodeIssue.NBSP),
        ("\u00a001.03 Otsikko", "01.03", CodeIssue.NBSP),
        ("01.03  Otsikko", "01.03", CodeIssue.SEPARATOR),
        ("01.03\tOtsikko", "01.03", CodeIssue.SEPARATOR),
        ("001.03 Otsikko", "01.03", CodeIssue.PADDING),
    ],
)
def test_sloppy_codes_are_recognised_and_reported(text, canonical, issue):
    cell = parse_code_cell(text)
    assert str(cell.code) == canonical
    assert cell.title == "Otsikko"
    assert issue in cell.issues


def test_number_cell_is_reported():
    cell = parse_code_cell(1.3)
    assert cell.code == Code((1, 3))
    assert CodeIssue.NUMBER_CELL in cell.issues


@pytest.mark.parametrize("text", ["Otsikko ilman koodia", "2021budjetti", "A.01 x", "", "  "])
def test_no_code_is_guessed(text):
    cell = parse_code_cell(text)
    assert cell.code is None


def test_year_followed_by_text_is_not_a_code():
    # "2021 budjetti" would be a code 2021. only if written with a dot
    assert parse_code_cell("2021budjetti").code is None


def test_levels_parents_and_ancestors():
    c = Code((1, 3, 1))
    assert c.level == 3
    assert c.parent == Code((1, 3))
    assert list(c.ancestors()) == [Code((1, 3)), Code((1,))]
    assert Code((1,)).parent is None
    assert Code((1,)).is_ancestor_of(c)
    assert not c.is_ancestor_of(Code((1,)))
    assert str(Code((1,))) == "01."
    assert str(Code((1, 3))) == "01.03"
    assert str(Code((100, 2))) == "100.02"


def test_code_parse_rejects_titles_and_garbage():
    assert Code.parse("01.03") == Code((1, 3))
    with pytest.raises(ValueError):
        Code.parse("01.03 Otsikko")
    with pytest.raises(ValueError):
        Code.parse("x")


@given(codes_st)
def test_format_parse_round_trip(code):
    assert Code.parse(str(code)) == code
    cell = parse_code_cell(f"{code} Otsikko")
    assert cell.code == code and cell.issues == () and cell.title == "Otsikko"


@given(codes_st, st.sampled_from(["pad", "dot", "nbsp", "lead"]))
def test_sloppy_variants_parse_to_the_same_code_with_an_issue(code, how):
    text = str(code)
    if how == "pad":
        text = ".".join(str(p) for p in code.parts) + ("." if code.level == 1 else "")
    elif how == "dot":
        text = text.rstrip(".") if code.level == 1 else text + "."
    elif how == "nbsp":
        text = text + "\u00a0"
    elif how == "lead":
        text = " " + text
    cell = parse_code_cell(text + (" Otsikko" if how != "nbsp" else "Otsikko"))
    assert cell.code == code
    if how == "pad" and all(p >= 10 for p in code.parts):
        return  # nothing to pad
    assert cell.issues, text


@given(codes_st, codes_st, codes_st)
def test_ordering_is_a_total_order(a, b, c):
    assert (a < b) + (b < a) + (a == b) == 1
    if a < b < c:
        assert a < c
    assert (a <= b) == (a < b or a == b)


@given(codes_st, codes_st)
def test_ordering_is_consistent_with_the_hierarchy(a, b):
    # a parent comes before its descendants, and a code's whole subtree comes before
    # anything that is neither in it nor before it
    if a.is_ancestor_of(b):
        assert a < b
    if a < b and not a.is_ancestor_of(b):
        for d in (Code((*a.parts, 0)), Code((*a.parts, 99))):
            assert d < b or b.is_ancestor_of(d) or b == d


@given(st.lists(codes_st, min_size=1, max_size=30))
def test_sorting_places_every_parent_before_its_children(codes):
    ordered = sorted(set(codes))
    for i, code in enumerate(ordered):
        for later in ordered[i + 1 :]:
            assert not later.is_ancestor_of(code)


class _Text(str):
    """A str that is not exactly str: parse_code_cell takes its careful path for it."""


@given(codes_st, st.text(alphabet=" \u00a0\tab.1\n", max_size=8), st.booleans())
def test_the_quick_path_for_canonical_cells_agrees_with_the_careful_one(code, tail, titled):
    text = f"{code} x{tail}" if titled else f"{code}{tail}"
    quick, careful = parse_code_cell(text), parse_code_cell(_Text(text))
    assert (quick.code, quick.title, quick.issues) == (careful.code, careful.title, careful.issues)
