"""Times in the tool's sheets (*Kierrokset*, *Palautukset*, *Muutosloki*) are real Excel
dates shown as ``d.m.yyyy h:mm``; masters whose earlier rows hold the ISO text older
versions wrote are read, compared and extended alike (issue 10)."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seuranta_xl import init_master
from seuranta_xl.api import generate, merge
from seuranta_xl.rounds import RoundRecord, time_text, time_value
from seuranta_xl.summary import latest_round, summarize
from seuranta_xl.xlsx.datestyle import (
    STYLE_TIME,
    TimeStyle,
    cell_formats,
    excel_serial,
    named_style_xf,
    time_style,
)
from seuranta_xl.xlsx.patch import patch_sheets, sheet_parts
from seuranta_xl.xlsx.read import load_plan
from seuranta_xl.xlsx.sheetspec import DATE_TIME_FORMAT

from .conftest import KP
from .test_merge import fill

T0 = datetime(2021, 4, 1, 9, 0)

# a stylesheet as openpyxl wrote it before issue 10 (no time style, no number formats)
OLD_STYLES = (
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="0" /><fonts count="1"><font><sz val="11" /></font></fonts>'
    '<fills count="1"><fill><patternFill /></fill></fills>'
    '<borders count="1"><border /></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" /></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" /></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" /></cellStyles>'
    "</styleSheet>"
)


# --------------------------------------------------------------------------- the styles


def test_a_stylesheet_without_the_format_gets_one_added_once():
    xml, index = time_style(OLD_STYLES)
    assert index == 1 and len(cell_formats(xml)) == 2
    assert f'<numFmt numFmtId="164" formatCode="{DATE_TIME_FORMAT}"/>' in xml
    assert '<numFmts count="1">' in xml and '<cellXfs count="2">' in xml
    assert time_style(xml) == (xml, 1)  # the format is reused, nothing added twice


def test_a_used_number_format_id_is_not_taken_and_prefixes_are_kept():
    styles = OLD_STYLES.replace(
        '<numFmts count="0" />',
        '<numFmts count="2"><numFmt numFmtId="164" formatCode="0.0"/>'
        '<numFmt numFmtId="170" formatCode="yyyy"/></numFmts>',
    )
    xml, index = time_style(styles)
    assert 'numFmtId="171"' in xml and cell_formats(xml)[index].count('numFmtId="171"') == 1
    prefixed = re.sub(r"<(/?)(?!\?)", r"<\1x:", OLD_STYLES).replace(
        "<x:styleSheet xmlns=", "<x:styleSheet xmlns:x="
    )
    xml, index = time_style(prefixed.replace('<x:numFmts count="0" />', ""))
    assert (
        index == 1 and '<x:numFmts count="1"><x:numFmt ' in xml and '<x:cellXfs count="2">' in xml
    )


def test_an_identical_format_already_there_is_reused():
    styles = OLD_STYLES.replace(
        '<numFmts count="0" />',
        f'<numFmts count="1"><numFmt numFmtId="200" formatCode="{DATE_TIME_FORMAT}"/></numFmts>',
    ).replace(
        '<cellXfs count="1">',
        '<cellXfs count="2"><xf numFmtId="200" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/>',
    )
    assert time_style(styles) == (styles, 0)


def test_the_template_has_the_named_style_and_init_gives_it_a_cell_format(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "m.xlsx").master
    with zipfile.ZipFile(master) as zf:
        styles = zf.read("xl/styles.xml").decode()
    found = named_style_xf(styles, STYLE_TIME)
    assert found is not None and found[0] == styles  # there already: nothing to add
    assert time_style(styles) == found
    holder = TimeStyle()
    assert holder.styles(styles.encode()) == styles.encode() and holder.index == found[1]


def test_serial_numbers():
    assert excel_serial(datetime(1900, 3, 1)) == 61
    assert excel_serial(datetime(2021, 4, 1, 12)) == 44287.5
    assert time_value("2021-04-01T09:00:00") == T0 and time_value("kevät") == "kevät"
    assert time_text(T0 - timedelta(microseconds=3)) == "2021-04-01T09:00:00"
    assert time_text(T0, sep=" ") == "2021-04-01 09:00:00"
    assert time_text("2021-04-01T09:00:00") == "2021-04-01T09:00:00"


# --------------------------------------------------------------------------- end to end


def sheet_cells(path: Path, sheet: str) -> list[list[object]]:
    ws = load_workbook(path)[sheet]
    return [list(row) for row in ws.iter_rows(min_row=2)]


def assert_date(cell, when: datetime) -> None:
    assert cell.is_date and cell.number_format == DATE_TIME_FORMAT, cell.coordinate
    assert abs(cell.value - when) < timedelta(seconds=1), cell.coordinate


def to_old_format(master: Path) -> None:
    """The master as an older version left it: every time in the tool's sheets as ISO
    text, and no time format in its styles."""
    from seuranta_xl.xlsx.ooxml import cell_xml

    columns = {"Kierrokset": ("B", "T"), "Muutosloki": ("A", " "), "Palautukset": ("FG", " ")}

    def texts(cols: str, sep: str):
        def change(xml: bytes) -> bytes:
            def one(m: re.Match[bytes]) -> bytes:
                ref = m.group(1).decode()
                when = datetime(1899, 12, 30) + timedelta(days=float(m.group(2)))
                text = time_text(when, sep=sep)
                return cell_xml(ref, text, 0).encode()

            pattern = rb'<c r="([%s][0-9]+)" s="\d+"><v>([0-9.]+)</v></c>' % cols.encode()
            return re.sub(pattern, one, xml)

        return change

    patch_sheets(
        master,
        {sheet: texts(cols, sep) for sheet, (cols, sep) in columns.items()},
        backup=False,
        # another name, another format: nothing of the time format left
        styles=lambda xml: xml.replace(STYLE_TIME.encode(), b"Oma tyyli").replace(
            DATE_TIME_FORMAT.encode(), b"0.00"
        ),
    )
    with zipfile.ZipFile(master) as zf:
        assert sheet_parts(zf)
        assert DATE_TIME_FORMAT.encode() not in zf.read("xl/styles.xml")


@pytest.fixture
def spring(tmp_path, sample_path):
    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    made = generate(master, tmp_path / "kevät", round_id="2021-kevät", now=T0)
    return master, {f.owner: f.path for f in made.files}


def test_a_round_and_a_merge_write_real_dates(spring, tmp_path):
    master, files = spring
    rounds = sheet_cells(master, "Kierrokset")
    assert len(rounds) == len(files)
    for row in rounds:
        assert_date(row[1], T0)
    ret = fill(files[KP], tmp_path / "r.xlsx", {"G3": "Valmis."})
    when = datetime(2021, 4, 10, 12, 30)
    assert merge(master, [ret], now=when).ok
    (tracker,) = sheet_cells(master, "Palautukset")
    assert_date(tracker[5], when)
    assert tracker[6].is_date  # the file's own saved time, local
    for row in sheet_cells(master, "Muutosloki"):
        assert_date(row[0], when)
    loaded = load_plan(master)
    assert {r.created for r in loaded.rounds} == {"2021-04-01T09:00:00"}
    assert (
        loaded.log[0][0] == "2021-04-10 12:30:00" and loaded.returns[0][5] == "2021-04-10 12:30:00"
    )
    (line,) = [r for r in summarize(loaded.plan, loaded.rounds, loaded.returns, loaded.log).returns
               if r.received]  # fmt: skip
    assert line.when == "2021-04-10 12:30:00"


def test_a_master_with_old_text_times_reads_and_grows_alike(spring, tmp_path):
    master, files = spring
    first = fill(files[KP], tmp_path / "eka.xlsx", {"G3": "Ensimmäinen."})
    assert merge(master, [first], now=datetime(2021, 4, 10, 12)).ok
    to_old_format(master)
    old = load_plan(master)
    assert old.log[0][0] == "2021-04-10 12:00:00" and isinstance(
        sheet_cells(master, "Muutosloki")[0][0].value, str
    )
    # a second return of the same round: appended as dates under the text rows
    second = fill(files[KP], tmp_path / "toka.xlsx", {"G3": "Ensimmäinen.", "G4": "Toinen."})
    assert merge(master, [second], now=datetime(2021, 4, 20, 8, 15)).ok
    tracker = sheet_cells(master, "Palautukset")
    assert tracker[0][5].value == "2021-04-10 12:00:00"  # the old row as it was
    assert_date(tracker[1][5], datetime(2021, 4, 20, 8, 15))
    log = sheet_cells(master, "Muutosloki")
    assert isinstance(log[0][0].value, str) and log[-1][0].is_date
    with zipfile.ZipFile(master) as zf:  # the format was added to the master's styles
        assert DATE_TIME_FORMAT.encode() in zf.read("xl/styles.xml")
    loaded = load_plan(master)
    assert [r[5] for r in loaded.returns] == ["2021-04-10 12:00:00", "2021-04-20 08:15:00"]
    assert [r[0] for r in loaded.log][-1] == "2021-04-20 08:15:00"
    # the last return wins, whichever way each is stored
    figures = summarize(loaded.plan, loaded.rounds, loaded.returns, loaded.log)
    (line,) = [r for r in figures.returns if r.received]
    assert line.when == "2021-04-20 08:15:00" and line.file == "toka.xlsx"
    # a newer round (dates) after the old one (text): it is the latest, the old is outdated
    autumn = generate(
        master, tmp_path / "syksy", round_id="2021-syksy", owners=[KP], now=datetime(2021, 9, 1)
    )
    loaded = load_plan(master)
    assert latest_round(loaded.rounds) == "2021-syksy"
    records = sheet_cells(master, "Kierrokset")
    assert all(r[1].is_date for r in records)  # rewritten whole: the old rows as dates too
    spring_created = {r.created for r in loaded.rounds if r.round_id == "2021-kevät"}
    assert spring_created == {"2021-04-01T09:00:00"}
    late = fill(files[KP], tmp_path / "myöhässä.xlsx", {"G3": "Kevään."})
    (early,) = merge(master, [late], dry_run=True).files
    assert (early.result, early.reason) == ("rejected", "outdated_round")
    ret = fill(autumn.files[0].path, tmp_path / "syksy.xlsx", {"G3": "Syksyn."})
    assert merge(master, [ret], now=datetime(2021, 9, 5, 10)).ok


def test_round_records_read_from_dates_and_texts_alike():
    cells = ["2021-kevät", "2021-04-01T09:00:00", KP, "a.xlsx", 3, 2, "f", "s", "h"]
    from_text = RoundRecord.from_cells(cells)
    from_date = RoundRecord.from_cells([cells[0], T0, *cells[2:]])
    assert from_text == from_date
    assert from_text.cells()[1] == T0  # written back as a real date
