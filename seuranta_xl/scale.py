"""The default progress scale, kept as data in ``data/scale_fi.txt``."""

from __future__ import annotations

from functools import cache
from importlib import resources

from .model import StatusScale


@cache
def default_scale() -> StatusScale:
    """The sample's 1-5 scale."""
    text = resources.files("seuranta_xl").joinpath("data/scale_fi.txt").read_text("utf-8")
    return StatusScale.from_lines(ln for ln in text.splitlines() if not ln.startswith("#"))
