"""The fake stands in only for calls real xlwings has, with the same names and arguments."""

from __future__ import annotations

import inspect

import pytest


def test_the_fake_subset_exists_in_xlwings():
    xw = pytest.importorskip("xlwings")
    for cls, names in (
        (xw.Book, ("caller", "fullname", "app", "api", "save", "close", "sheets")),
        (xw.App, ("alert", "status_bar", "books", "api")),
        (xw.main.Books, ("open",)),
        (xw.Sheet, ("activate",)),
    ):
        for name in names:
            assert hasattr(cls, name), f"xlwings {cls.__name__} has no {name}"
    params = list(inspect.signature(xw.App.alert).parameters)
    assert params[:4] == ["self", "prompt", "title", "buttons"]
    assert "fullname" in inspect.signature(xw.main.Books.open).parameters
