"""The worksheet functions, tested as the plain functions they are."""

from __future__ import annotations

import re

import pytest

from seuranta_xl.excel import code_level, code_parent, status_number

from .conftest import S3, S5


@pytest.mark.parametrize(
    ("text", "number"),
    [
        (S3, 3),
        (S5, 5),
        ("3", 3),
        (3.0, 3),
        # the sample's other spelling of 4
        ("4 Toteutusvaiheessa lähellä valmistumista, ei vielä viimeistely/käyttöön otettu", 4),
        ("", None),
        (None, None),
        ("9 ei asteikolla", None),
        ("ihan hyvin", None),
    ],
)
def test_status_number(text, number):
    assert status_number(text) == number


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("01.", 1, None),
        ("01.03", 2, "01."),
        ("01.03.01", 3, "01.03"),
        ("1.3.1", 3, "01.03"),  # a sloppy code, as typed
        (1.0, 1, None),  # Excel gives a goal typed as 1 as a number
        ("", None, None),
        (None, None, None),
        ("Tavoite", None, None),
        ("01.03 Otsikko", None, None),  # a code with a title is not a code alone
    ],
)
def test_code_level_and_parent(code, level, parent):
    assert code_level(code) == level
    assert code_parent(code) == parent


def test_the_udf_module_imports_here_and_names_are_vba_names():
    from seuranta_xl import udf

    names = [n for n in dir(udf) if n.startswith("SEURANTA_")]
    assert names == ["SEURANTA_ASTE", "SEURANTA_TASO", "SEURANTA_YLATASO"]
    for name in names:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", name)  # a VBA identifier
    assert udf.SEURANTA_ASTE(S3) == 3
    assert udf.SEURANTA_TASO("01.03") == 2
    assert udf.SEURANTA_YLATASO("01.03.01") == "01.03"
