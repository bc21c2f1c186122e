"""``summary --pdf``: the council report printed by LibreOffice (every row's commentary and
risks, a goal a page, the round and date on every page); without LibreOffice a message on
printing from Excel and nothing written; the targets refused. And ``summary --out`` names
an .xlsx."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from seuranta_xl.api import council_pdf
from seuranta_xl.errors import WriteError
from seuranta_xl.summary import summarize
from seuranta_xl.xlsx.read import load_plan

from .conftest import run_cli

NOW = datetime(2021, 5, 3, 14, 5)
CODE_RE = re.compile(r"^(\d{2})\.(?:\d{2}(?:\.\d{2})?)?(?=\s)", re.MULTILINE)


def _squash(text: str) -> str:
    """Text as compared with a PDF's: no whitespace, no hyphens (pdftotext joins a word
    hyphenated at a line end)."""
    return re.sub(r"[\s\-‐]", "", text)


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def _no_office_path(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH finds no LibreOffice."""
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    return {"PATH": str(empty)}


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_summary_pdf_holds_every_row_a_goal_a_page_round_and_date_on_each(merged, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = tmp_path / "valtuusto" / "raportti.pdf"
    out = run_cli("summary", str(merged), "--pdf", str(pdf))
    assert out.returncode == 0, out.stderr
    assert str(pdf) in out.stdout and "Valtuustoraportti PDF" in out.stdout
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert not [p for p in pdf.parent.iterdir() if p != pdf]  # nothing left beside it
    loaded = load_plan(merged)
    lines = summarize(loaded.plan, loaded.rounds, loaded.returns, loaded.log).council.lines
    pages = _pages(pdf)
    whole = _squash("".join(pages))
    for line in lines:
        assert _squash(line.commentary) in whole, line.code
        assert _squash(line.risks) in whole, line.code
        assert _squash(line.title) in whole, line.code
    with_text = [x for x in lines if x.commentary]
    assert len(with_text) > 30
    # a goal a page: a page holds one goal's rows, and each goal starts its first page
    goals = [x.code for x in lines if x.level == 1]
    firsts: dict[str, str] = {}
    for page in pages:
        codes = [m.group(0) for m in CODE_RE.finditer(page)]
        groups = {c[:2] for c in codes}
        assert len(groups) <= 1, groups
        if codes and codes[0][:2] not in firsts:
            firsts[codes[0][:2]] = codes[0]
    assert list(firsts.values()) == goals
    assert len(pages) >= len(goals) > 5
    for page in pages:
        assert "Seurantakierros 2021-kevät" in page
        assert re.search(r"Laadittu \d{1,2}\.\d{1,2}\.\d{4}", page)
        assert "Tilannekuvaus" in page  # the header row, repeated


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_council_pdf_replaces_only_a_pdf_and_leaves_the_master_alone(merged, tmp_path):
    pdf = tmp_path / "raportti.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% an old report\n")
    before = merged.read_bytes()
    council_pdf(merged, pdf, lang="en", now=NOW)
    assert pdf.read_bytes().startswith(b"%PDF-") and len(pdf.read_bytes()) > 1000
    assert merged.read_bytes() == before
    text = "".join(_pages(pdf)) if shutil.which("pdftotext") else ""
    if text:
        assert "Council report" in text and "3.5.2021" in text


def test_without_libreoffice_the_message_says_how_to_print_from_excel(merged, tmp_path):
    pdf = tmp_path / "raportti.pdf"
    before = merged.read_bytes()
    env = _no_office_path(tmp_path)
    out = run_cli("summary", str(merged), "--pdf", str(pdf), env=env)
    assert out.returncode == 2, out.stdout
    assert "LibreOffice" in out.stderr and "Valtuustoraportti" in out.stderr
    assert "Tiedosto > Tulosta" in out.stderr and "ilman valitsinta --pdf" in out.stderr
    assert "Traceback" not in out.stderr
    assert not pdf.exists() and merged.read_bytes() == before  # nothing done at all
    en = run_cli("summary", str(merged), "--pdf", str(pdf), "--lang", "en", env=env)
    assert en.returncode == 2
    assert "File > Print" in en.stderr and "without --pdf" in en.stderr
    assert not pdf.exists() and merged.read_bytes() == before


def test_without_libreoffice_the_api_raises_before_anything_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(WriteError) as caught:
        council_pdf(tmp_path / "missing.xlsx", tmp_path / "r.pdf")
    assert caught.value.key == "pdf_no_office"


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_pdf_targets_refused_nothing_written(merged, tmp_path, lang):
    before = merged.read_bytes()
    notes = tmp_path / "muistio.pdf"
    notes.write_text("not a pdf, mine")
    book = tmp_path / "raportti.xlsx"
    folder = tmp_path / "kansio.pdf"
    folder.mkdir()
    cases = {
        str(merged): "pdf_is_master",
        str(book): "pdf_suffix",
        str(notes): "pdf_not_pdf",
        str(folder): "pdf_not_pdf",
    }
    for target, key in cases.items():
        out = run_cli("summary", str(merged), "--pdf", target, "--lang", lang)
        assert out.returncode == 2, (target, out.stdout)
        assert target in out.stderr or Path(target).name in out.stderr
        assert "Traceback" not in out.stderr
        with pytest.raises(WriteError) as caught:
            council_pdf(merged, target)
        assert caught.value.key == key
    assert merged.read_bytes() == before
    assert notes.read_text() == "not a pdf, mine"
    assert not book.exists()


@pytest.mark.parametrize("name", ["yhteenveto.xls", "yhteenveto.csv", "yhteenveto", "y.pdf"])
def test_summary_out_must_be_an_xlsx_refused_before_anything_is_read(merged, tmp_path, name):
    before = merged.read_bytes()
    target = tmp_path / name
    out = run_cli("summary", str(merged), "--out", str(target))
    assert out.returncode == 2, out.stdout
    assert str(target) in out.stderr and ".xlsx" in out.stderr
    assert not target.exists() and merged.read_bytes() == before
    # refused before the master is read: a missing master is not what is reported
    missing = run_cli("summary", str(tmp_path / "ei-ole.xlsx"), "--out", str(target))
    assert missing.returncode == 2 and ".xlsx" in missing.stderr
    assert "ei-ole.xlsx" not in missing.stderr
    en = run_cli("summary", str(merged), "--out", str(target), "--lang", "en")
    assert "must end in .xlsx" in en.stderr


def test_summary_out_upper_case_suffix_is_an_xlsx(merged, tmp_path):
    out = run_cli("summary", str(merged), "--out", str(tmp_path / "YHTEENVETO.XLSX"))
    assert out.returncode == 0, out.stderr


def _fake_office(tmp_path: Path, body: str) -> Path:
    """A folder whose ``soffice`` is a shell script doing ``body``."""
    folder = tmp_path / "fake-bin"
    folder.mkdir(exist_ok=True)
    script = folder / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return folder


@pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs a POSIX shell")
@pytest.mark.parametrize(
    "body",
    [
        "echo 'Error: source file could not be loaded' >&2; exit 1",
        # a 'PDF' that is not one, in the folder LibreOffice writes to
        'for a; do o="$a"; done; d=$(dirname "$o"); echo nope > "$d/raportti.pdf"',
        "exec sleep 30",
    ],
    ids=["fails", "not-a-pdf", "hangs"],
)
def test_a_failing_libreoffice_leaves_no_pdf_and_the_old_one_as_it_was(
    merged, tmp_path, monkeypatch, body
):
    from seuranta_xl.xlsx import pdf as pdf_module

    monkeypatch.setenv("PATH", str(_fake_office(tmp_path, body)))
    monkeypatch.setattr(pdf_module, "CONVERT_SECONDS", 2)
    old = tmp_path / "raportti.pdf"
    old.write_bytes(b"%PDF-1.4\n% last spring's report\n")
    with pytest.raises(WriteError) as caught:
        council_pdf(merged, old)
    assert caught.value.key == "pdf_failed"
    assert old.read_bytes() == b"%PDF-1.4\n% last spring's report\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".pdf") == ["raportti.pdf"]
    assert not list(tmp_path.glob(".raportti.pdf*"))
    assert "LibreOffice" in caught.value.message("en")
