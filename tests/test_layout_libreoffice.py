"""The summary sheets as a reader gets them on paper: the sample's standalone summary, as
the tool writes it, printed to PDF by LibreOffice and read back with ``pdftotext``."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime

import pytest

from seuranta_xl import init_master
from seuranta_xl.api import generate, summary
from seuranta_xl.xlsx.read import load_plan

from .conftest import soffice_convert

pytestmark = pytest.mark.libreoffice


def _words(text: str) -> str:
    """Text without its white space: lines wrap at spaces and after hyphens alike."""
    return re.sub(r"\s+", "", text)


def test_every_goal_title_is_whole_on_the_pages(tmp_path, sample_path, libreoffice):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed: apt-get install poppler-utils")
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    generate(master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1))
    made = summary(master, out=tmp_path / "yhteenveto.xlsx", now=datetime(2021, 5, 4, 8, 5))
    figures = made.summary
    pdf = soffice_convert(made.standalone, tmp_path, "pdf")
    raw = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = _words(raw)
    plan = load_plan(master).plan
    goals = [r for r in plan.rows if r.code is not None and r.code.level == 1]
    assert len(goals) == 15
    # each title's words in order: wrapped inside its cell, nothing cut off
    missing = [g.title for g in goals if _words(g.title) not in text]
    assert not missing
    for value, label in plan.scale.labels:
        assert _words(f"{value} = {label}") in text
    # the risks sheet's titles and risks, whole too
    for r in figures.risks:
        assert _words(r.title) in text and _words(r.risks) in text
    assert _words("Ei etenemisastetta") in text and _words("Kierros 2021-kevät") in text
