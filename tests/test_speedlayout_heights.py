"""The row heights' faster line count (a line at a time, a cheap bound before the exact
count) gives what the word-at-a-time count it replaced gave: the old functions are kept
here and compared with the new ones over texts with long words, runs of spaces, line
breaks and tabs."""

from __future__ import annotations

import math

from hypothesis import example, given, settings
from hypothesis import strategies as st

from seuranta_xl.xlsx import template
from seuranta_xl.xlsx.council import _pieces
from seuranta_xl.xlsx.template import (
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    _lines_bound,
    _text_lines,
    _wrapped_lines,
    row_height,
    tall_length,
    too_tall,
)


def old_row_height(texts: list[tuple[str, float, bool]]) -> float | None:
    """``template.row_height`` before it counted a line at a time."""
    lines = 1
    for text, width, bold in texts:
        if not text:
            continue
        per_line = max(int(width * (0.9 if bold else 1.0)), 1)
        if len(text) <= per_line and "\n" not in text:
            continue
        n = sum(old_wrapped_lines(part, per_line) for part in text.split("\n"))
        lines = max(lines, n)
    if lines <= 1:
        return None
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 3)


def old_wrapped_lines(text: str, per_line: int) -> int:
    """``template._wrapped_lines`` before: a word at a time."""
    if len(text) <= per_line:
        return 1
    lines, used = 1, 0
    for n in map(len, text.split()):
        if used and used + 1 + n <= per_line:
            used += 1 + n
            continue
        if used:
            lines += 1
        if n > per_line:
            lines += math.ceil(n / per_line) - 1
        used = n % per_line or per_line
    return lines


def old_too_tall(text: str, width: float) -> bool:
    """``council._too_tall`` before: the whole count, every time."""
    return (old_row_height([(text, width, True)]) or 0) >= MAX_ROW_HEIGHT


def old_pieces(text: str, width: float) -> list[str]:
    """``council._pieces`` with the old count."""
    if not old_too_tall(text, width):
        return [text]
    out: list[str] = []
    current = ""
    for n, paragraph in enumerate(text.split("\n")):
        for j, word in enumerate(paragraph.split(" ")):
            sep = ("\n" if n and not j else " ") if current else ""
            if current and old_too_tall(current + sep + word, width):
                out.append(current)
                current = word
            else:
                current += sep + word
    out.append(current)
    return [p.strip() for p in out if p.strip()] or [""]


# words short and long (longer than most lines), between them runs of spaces, tabs,
# line breaks and other white space Python splits at
WORD = st.one_of(
    st.text(alphabet="abcäö", min_size=1, max_size=8),
    st.text(alphabet="xyz-.", min_size=9, max_size=120),
)
GAP = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\n\n", " \n ", "\r", "\xa0", "\u2003"])
TEXT = st.lists(st.tuples(st.sampled_from(["", " ", "\t", "\n"]), WORD, GAP), max_size=120).map(
    lambda parts: "".join(lead + word + gap for lead, word, gap in parts)
)
WIDTH = st.one_of(st.integers(1, 80).map(float), st.floats(0.0, 120.0))


@settings(max_examples=1500, deadline=None)
@given(TEXT, st.integers(1, 90))
@example("a" * 200, 7)
@example("ab cd ef", 2)
@example("abc defg", 3)
@example("   ", 1)
@example("", 1)
@example("xxxxxxxxxxxxx y", 4)
def test_wrapped_lines_as_before(text: str, per_line: int) -> None:
    assert _wrapped_lines(text, per_line) == old_wrapped_lines(text, per_line)


@settings(max_examples=1500, deadline=None)
@given(TEXT, st.integers(1, 90))
def test_bound_is_never_below_the_count(text: str, per_line: int) -> None:
    count = sum(old_wrapped_lines(part, per_line) for part in text.split("\n"))
    assert _text_lines(text, per_line) == count
    assert _lines_bound(text, per_line) >= count


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(TEXT, WIDTH, st.booleans()), max_size=7))
@example([("a " * 400, 10.0, False), ("b", 3.0, True)])
@example([("x" * 5000, 1.0, True)])
def test_row_height_as_before(texts: list[tuple[str, float, bool]]) -> None:
    assert row_height(texts) == old_row_height(texts)


@settings(max_examples=1000, deadline=None)
@given(TEXT, WIDTH, st.booleans())
@example("sana " * 200, 10.0, True)
@example("x" * 27 * 9, 10.0, True)
@example("x" * 28 * 9, 10.0, True)
def test_too_tall_as_before(text: str, width: float, bold: bool) -> None:
    tall = (old_row_height([(text, width, bold)]) or 0) >= MAX_ROW_HEIGHT
    assert too_tall(text, width, bold) == tall


@settings(max_examples=1000, deadline=None)
@given(TEXT, WIDTH, st.booleans())
@example("xxxxx " * 21, 10.0, True)
@example("ab " * 200, 4.0, False)
def test_shorter_than_tall_length_is_never_too_tall(text: str, width: float, bold: bool) -> None:
    text = text.replace("\n", " ")
    if len(text) < tall_length(width, bold):
        assert not old_too_tall_as(text, width, bold)


def old_too_tall_as(text: str, width: float, bold: bool) -> bool:
    return (old_row_height([(text, width, bold)]) or 0) >= MAX_ROW_HEIGHT


def test_tall_length_is_where_the_bound_reaches_a_full_row() -> None:
    per_line = 9  # width 10, bold
    assert tall_length(10.0, True) == 14 * per_line
    assert _lines_bound("x" * (14 * per_line), per_line) >= template._LINES_AT_MOST
    assert _lines_bound("x" * (14 * per_line - 1), per_line) < template._LINES_AT_MOST


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WORD, GAP), min_size=0, max_size=400), st.floats(4.0, 70.0))
@example([("sana", " ")] * 600, 10.0)
def test_pieces_as_before(parts: list[tuple[str, str]], width: float) -> None:
    text = "".join(word + gap for word, gap in parts)
    assert _pieces(text, width) == old_pieces(text, width)


def test_the_threshold_is_the_maximum_height() -> None:
    # a row of that many lines is the highest; one line fewer is not
    assert template._LINES_AT_MOST * LINE_HEIGHT + 3 >= MAX_ROW_HEIGHT
    assert (template._LINES_AT_MOST - 1) * LINE_HEIGHT + 3 < MAX_ROW_HEIGHT
