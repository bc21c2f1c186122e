"""The progress scale: data, and the ways a status is typed or pasted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seuranta_xl import StatusMatch, StatusScale, default_scale

LABEL3 = "Toteutus on aloitettu, ei vielä valmis"


@pytest.fixture(scope="module")
def scale() -> StatusScale:
    return default_scale()


def test_default_scale_is_the_samples(scale):
    assert scale.values == (1, 2, 3, 4, 5)
    assert scale.display(3) == f"3 {LABEL3}"
    assert scale.label(4).endswith("viimeistelty/käyttöön otettu")


@pytest.mark.parametrize(
    ("raw", "value", "match"),
    [
        (f"3 {LABEL3}", 3, StatusMatch.EXACT),
        (3, 3, StatusMatch.VARIANT),
        (3.0, 3, StatusMatch.VARIANT),
        ("3", 3, StatusMatch.VARIANT),
        ("3.0", 3, StatusMatch.VARIANT),
        ("3,0", 3, StatusMatch.VARIANT),
        (f"3 - {LABEL3}", 3, StatusMatch.VARIANT),
        (f"3: {LABEL3}", 3, StatusMatch.VARIANT),
        (f"3) {LABEL3}", 3, StatusMatch.VARIANT),
        (f"  3   {LABEL3.upper()}  ", 3, StatusMatch.VARIANT),
        (f"3\u00a0{LABEL3}", 3, StatusMatch.VARIANT),
        (f"3 {LABEL3}.", 3, StatusMatch.VARIANT),
        (LABEL3, 3, StatusMatch.VARIANT),
        (LABEL3.lower(), 3, StatusMatch.VARIANT),
        (
            "4 Toteutusvaiheessa lähellä valmistumista, ei vielä viimeistely/käyttöön otettu",
            4,
            StatusMatch.LABEL_DIFFERS,
        ),
        ("3 valmis", None, StatusMatch.UNKNOWN),  # not its label mistyped: another statement
        (7, None, StatusMatch.UNKNOWN),
        ("7", None, StatusMatch.UNKNOWN),
        ("7 Jotain", None, StatusMatch.UNKNOWN),
        (3.5, None, StatusMatch.UNKNOWN),
        ("valmis", None, StatusMatch.UNKNOWN),
        ("kolme", None, StatusMatch.UNKNOWN),
        (True, None, StatusMatch.UNKNOWN),
        (None, None, StatusMatch.EMPTY),
        ("", None, StatusMatch.EMPTY),
        ("  \u00a0", None, StatusMatch.EMPTY),
    ],
)
def test_status_forms(scale, raw, value, match):
    parsed = scale.parse(raw)
    assert (parsed.value, parsed.match) == (value, match)


def test_scale_is_data():
    traffic = StatusScale.from_lines(["1 Punainen", "2 Keltainen", "3 Vihreä"])
    assert traffic.parse("vihreä").value == 3
    assert traffic.parse("4").match is StatusMatch.UNKNOWN
    with pytest.raises(ValueError):
        StatusScale.from_lines(["Punainen"])
    with pytest.raises(ValueError):
        StatusScale.from_lines(["1 A", "1 B"])


@given(st.sampled_from([1, 2, 3, 4, 5]), st.sampled_from(["", " ", "  "]), st.booleans())
def test_every_display_form_reads_back(value, pad, upper):
    scale = default_scale()
    text = pad + scale.display(value) + pad
    parsed = scale.parse(text.upper() if upper else text)
    assert parsed.value == value
    assert parsed.match in (StatusMatch.EXACT, StatusMatch.VARIANT)
