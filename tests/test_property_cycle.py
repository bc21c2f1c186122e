"""Property tests over the whole cycle (issue 8): random masters, random edits as staff
make them, random mutations of the returned files at XML and zip level.

Invariants: merge never raises, never changes a locked field, never writes a formula,
applies exactly the legitimate edits, reports every ambiguity (a conflict or a rejected
cell or file, with its reason), and is idempotent.

Bounded and reproducible: ``derandomize=True`` and a few examples each (``deadline=None``:
LibreOffice-free, but every example writes, generates and merges real workbooks).
"""

from __future__ import annotations

import math
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from seuranta_xl import Field, SourceTable, default_scale, init_master
from seuranta_xl.api import generate, merge
from seuranta_xl.findings import Severity
from seuranta_xl.layout import find_header, read_plan
from seuranta_xl.merge import (
    CELL_ERROR,
    CELL_NO_VALUE,
    DUPLICATE_CODE,
    STATUS_UNKNOWN,
    TOO_LONG,
    MasterState,
    apply_diff,
    diff_return,
    text_of,
)
from seuranta_xl.model import EDITABLE_FIELDS, EXCEL_CELL_LIMIT, Code, StatusMatch
from seuranta_xl.rounds import MasterIdentity, build_manifest, owner_key, split_by_owner
from seuranta_xl.xlsx.names import MANIFEST_SHEET
from seuranta_xl.xlsx.patch import patch_sheets, set_cells, sheet_parts
from seuranta_xl.xlsx.read import load_plan

from .conftest import HEADERS, write_xlsx

SCALE = default_scale()
OWNERS = ("Kansliapäällikkö", "Sivistysjohtaja 😀", "Tekninen johtaja")
COLUMN = {f: i + 1 for i, f in enumerate(Field)}  # the sample's order: A..H
LETTER = {f: chr(64 + COLUMN[f]) for f in Field}

# --------------------------------------------------------------------------- strategies

_chars = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn", "Co"))
_specials = st.sampled_from(
    [
        "=SUM(A1)",
        "=1/0",
        "+358 40 123 4567",
        "-riski kasvaa",
        "@maininta",
        "  välilyönnit ympärillä  ",
        "rivi 1\nrivi 2",
        "rivi 1\r\nrivi 2",
        "Ääkköset ja emoji 🎉👍",
        "",
    ]
)
# "_x0041_" is how a workbook stores "A" escaped: only in masters, since openpyxl (the
# test's Excel) writes it unescaped into returns, which no real client does
MASTER_TEXT = st.one_of(st.just("_x0041_ ei ole A"), st.deferred(lambda: TEXT))
TEXT = st.one_of(
    st.text(st.one_of(_chars, st.sampled_from("äöåÄÖ😀\n ")), max_size=40),
    _specials,
    st.integers(min_value=200, max_value=3000).map(lambda n: ("Pitkä selvitys ä😀. " * n)[:n]),
)
TITLE = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzäö ÄÖ😀"), min_size=1, max_size=20).map(
    lambda t: t.strip() or "Otsikko"
)
STATUS = st.one_of(st.just(""), st.sampled_from(SCALE.displays()))


@st.composite
def masters(draw) -> list[list[object]]:
    """A master's rows under the sample's header: goals, annual goals, actions."""
    grid: list[list[object]] = [list(HEADERS)]

    def row(level: int, code: str, owner: str, status: str) -> list[object]:
        cells: list[object] = [""] * 8
        cells[level - 1] = f"{code} {draw(TITLE)}"
        cells[3], cells[4], cells[6] = draw(MASTER_TEXT), draw(MASTER_TEXT), draw(MASTER_TEXT)
        cells[5], cells[7] = status, owner
        return cells

    for g in range(1, draw(st.integers(1, 2)) + 1):
        grid.append(row(1, f"{g:02d}.", draw(st.sampled_from(("", *OWNERS))), ""))
        for a in range(1, draw(st.integers(1, 2)) + 1):
            grid.append(row(2, f"{g:02d}.{a:02d}", draw(st.sampled_from(OWNERS)), draw(STATUS)))
            for t in range(1, draw(st.integers(0, 2)) + 1):
                code = f"{g:02d}.{a:02d}.{t:02d}"
                grid.append(row(3, code, draw(st.sampled_from(OWNERS)), draw(STATUS)))
    return grid


STATUS_TYPED = st.one_of(
    st.sampled_from(SCALE.values),  # a number pasted over the list
    st.sampled_from(SCALE.values).map(float),
    st.sampled_from(SCALE.values).map(str),
    st.sampled_from(SCALE.displays()),
    st.sampled_from([label for _, label in SCALE.labels]).map(str.upper),
    st.sampled_from(["7", "2-3", "3.5", "4 ei vielä, ehkä 2", "valmis", "", None]),
)
VALUE_TYPED = st.one_of(
    TEXT,
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.just(1e308),
    st.just("x" * (EXCEL_CELL_LIMIT + 10)),
)

MUTATIONS = [
    "none",
    "none",
    "reorder_rows",
    "error_cell",
    "formula_cell",
    "manifest_changed",
    "drop_core",
    "drop_styles",
    "drop_manifest_sheet",
    "duplicate_row",
    "duplicate_column",
    "copy_sheet",
]
MUST_REJECT = {"manifest_changed", "drop_manifest_sheet"}
MAY_REJECT = {"drop_core", "drop_styles"}
AMBIGUOUS = {"duplicate_column", "copy_sheet"}  # rejected, or reported with an error


# --------------------------------------------------------------------------- the cycle


@dataclass
class Return:
    owner: str
    path: Path
    edits: dict[tuple[str, Field], object]  # what staff typed, by (code, field)
    locked: dict[str, str] = field(default_factory=dict)  # code -> new title typed
    mutation: str = "none"
    bad_cell: tuple[str, Field] | None = None  # the cell a mutation made unreadable
    duplicated: str | None = None  # the code a mutation put on two rows
    read: dict[tuple[str, Field], object] = field(default_factory=dict)  # as saved


def _owner_plan(path: Path):
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    table = SourceTable(
        "Seuranta", wb.get_sheet_by_name("Seuranta").to_python(skip_empty_area=False)
    )
    return read_plan(table, SCALE, find_header(table))


def _master_values(path: Path) -> dict[tuple[str, Field], str]:
    plan = load_plan(path).plan
    return {
        (str(r.code), f): text_of(r.values.get(f))
        for r in plan.rows
        if r.code is not None
        for f in Field
    }


def _write_cell(ws, ref: str, value: object) -> None:
    ws[ref] = value
    if isinstance(value, str) and value.startswith("="):
        ws[ref].data_type = "s"  # typed as text, as the unlocked cells are formatted


def _fill(src: Path, dest: Path, ret: Return) -> None:
    """What staff do in Excel: type into cells, save."""
    plan = _owner_plan(src)
    rows = {str(r.code): r.sheet_row for r in plan.rows if r.code is not None}
    wb = load_workbook(src)
    ws = wb["Seuranta"]
    for (code, f), value in ret.edits.items():
        _write_cell(ws, f"{LETTER[f]}{rows[code]}", value)
    for code, title in ret.locked.items():
        row = next(r for r in plan.rows if str(r.code) == code)
        assert row.code_field is not None
        _write_cell(ws, f"{LETTER[row.code_field]}{row.sheet_row}", f"{code} {title}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    # what the file holds: openpyxl writes 16 digits, so 1.7976931348623155e308 is saved
    # as a number no cell can hold (read as inf)
    saved = {str(r.code): r for r in _owner_plan(dest).rows if r.code is not None}
    ret.read = {(code, f): saved[code].values.get(f) for code, f in ret.edits}


def _rewrite(path: Path, change) -> None:
    """Rewrite a zip: ``change(name, data)`` returns new bytes, or None to drop the part."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = change(item.filename, zin.read(item))
            if data is not None:
                zout.writestr(item, data)
    tmp.replace(path)


_ROW_RE = re.compile(rb'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)


def _renumber(block: bytes, old: int, new: int) -> bytes:
    block = block.replace(f'<row r="{old}"'.encode(), f'<row r="{new}"'.encode(), 1)
    return re.sub(
        rb'(<c r="[A-Z]+)' + str(old).encode() + rb'"', rb"\g<1>" + str(new).encode() + b'"', block
    )


def _mutate(ret: Return, draw) -> None:
    """Staff's and mail's damage at XML and zip level."""
    path, mutation = ret.path, ret.mutation
    with zipfile.ZipFile(path) as zf:
        parts = sheet_parts(zf)
    data_part, manifest_part = parts["Seuranta"], parts[MANIFEST_SHEET]
    plan = _owner_plan(path)
    own = [
        r for r in plan.rows if r.code is not None and owner_key(r.owner) == owner_key(ret.owner)
    ]
    if mutation == "reorder_rows":
        a, b = draw(st.sampled_from(own)).sheet_row, draw(st.sampled_from(own)).sheet_row

        def swap(name: str, data: bytes) -> bytes:
            if name != data_part or a == b:
                return data
            blocks = {int(m.group(1)): m for m in _ROW_RE.finditer(data)}
            ma, mb = blocks[a], blocks[b]
            first, second = (ma, mb) if ma.start() < mb.start() else (mb, ma)
            ra, rb_ = int(first.group(1)), int(second.group(1))
            return (
                data[: first.start()]
                + _renumber(second.group(0), rb_, ra)
                + data[first.end() : second.start()]
                + _renumber(first.group(0), ra, rb_)
                + data[second.end() :]
            )

        _rewrite(path, swap)
    elif mutation in ("error_cell", "formula_cell"):
        row = draw(st.sampled_from(own))
        f = draw(st.sampled_from(EDITABLE_FIELDS))
        ref = f"{LETTER[f]}{row.sheet_row}"
        new = (
            f'<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
            if mutation == "error_cell"
            else f'<c r="{ref}"><f>NOSUCHFUNC(1)</f></c>'
        ).encode()
        pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)

        def cell(name: str, data: bytes) -> bytes:
            return pattern.sub(lambda _m: new, data, count=1) if name == data_part else data

        _rewrite(path, cell)
        ret.bad_cell = (str(row.code), f)
    elif mutation == "manifest_changed":
        # an issued row's entry removed from the manifest: its signature no longer holds
        def manifest(name: str, data: bytes) -> bytes:
            if name != manifest_part:
                return data
            rows = list(_ROW_RE.finditer(data))
            last = rows[-1]
            return data[: last.start()] + data[last.end() :]

        _rewrite(path, manifest)
    elif mutation == "drop_core":
        _rewrite(path, lambda n, d: None if n == "docProps/core.xml" else d)
    elif mutation == "drop_styles":
        _rewrite(path, lambda n, d: None if n == "xl/styles.xml" else d)
    elif mutation == "drop_manifest_sheet":
        _rewrite(path, lambda n, d: None if n == manifest_part else d)
    elif mutation == "duplicate_row":
        row = draw(st.sampled_from(own))
        last = max(r.sheet_row for r in plan.rows) + 1

        def dup(name: str, data: bytes) -> bytes:
            if name != data_part:
                return data
            block = next(m for m in _ROW_RE.finditer(data) if int(m.group(1)) == row.sheet_row)
            copy = _renumber(block.group(0), row.sheet_row, last)
            end = data.index(b"</sheetData>")
            return data[:end] + copy + data[end:]

        _rewrite(path, dup)
        ret.duplicated = str(row.code)
    elif mutation == "duplicate_column":
        col = "Z"

        def dup_col(name: str, data: bytes) -> bytes:
            if name != data_part:
                return data
            out = data
            for m in _ROW_RE.finditer(data):
                r = int(m.group(1))
                g = re.search(rb'<c r="G' + str(r).encode() + rb'".*?(?:/>|</c>)', m.group(0), re.S)
                if g is None:
                    continue
                # a second commentary column with other text: which is meant is unknown
                dup_cell = f'<c r="{col}{r}" t="inlineStr"><is><t>Toinen versio</t></is></c>'
                dup_cell = (
                    dup_cell.encode()
                    if r > 1
                    else g.group(0).replace(f'r="G{r}"'.encode(), f'r="{col}{r}"'.encode())
                )
                new_row = m.group(0).replace(b"</row>", dup_cell + b"</row>")
                out = out.replace(m.group(0), new_row, 1)
            return out

        _rewrite(path, dup_col)
    elif mutation == "copy_sheet":
        _copy_sheet(path, data_part)


def _copy_sheet(path: Path, data_part: str) -> None:
    """Add a copy of the data sheet, as 'Seuranta (2)', before it."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    new_part = "xl/worksheets/sheet_copy.xml"

    def change(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(
                b"</Types>",
                b'<Override PartName="/' + new_part.encode() + b'" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdCopy" Type="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships/worksheet" Target="/'
                + new_part.encode()
                + b'"/></Relationships>',
            )
        if name == "xl/workbook.xml":
            return re.sub(
                rb"<sheets>",
                b'<sheets><sheet name="Seuranta (2)" sheetId="99" r:id="rIdCopy"/>',
                data,
                count=1,
            )
        return data

    _rewrite(path, change)
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read(data_part)
    assert new_part not in names
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(new_part, sheet)


@st.composite
def cycles(draw):
    grid = draw(masters())
    control = draw(st.booleans())
    owners = sorted({str(r[7]) for r in grid[1:] if r[7]})
    returning = draw(st.lists(st.sampled_from(owners), unique=True, min_size=1))
    coordinator = draw(st.integers(0, 2))
    return grid, control, returning, coordinator


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,  # the same 40 cycles on every run and machine
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cycle=cycles(), data=st.data())
def test_the_whole_cycle(tmp_path_factory, cycle, data):
    grid, control, returning, coordinator = cycle
    draw = data.draw
    tmp = tmp_path_factory.mktemp("cycle")
    master = init_master(write_xlsx(tmp / "lähde.xlsx", grid), tmp / "seuranta.xlsx").master
    if control:
        _inject_control(master)
    issued = generate(master, tmp / "jaetut", round_id="r1", workers=1, now=datetime(2026, 1, 1))
    files = {f.owner: f.path for f in issued.files}
    before_issue = _master_values(master)

    # the coordinator edits a few cells in the master after issuing
    plan = load_plan(master).plan
    coded = [r for r in plan.rows if r.code is not None]
    touched: dict[tuple[int, int], str] = {}
    for _ in range(coordinator):
        row = draw(st.sampled_from(coded))
        f = draw(st.sampled_from((Field.RISKS, Field.COMMENTARY)))
        touched[(row.sheet_row, plan.columns[f])] = draw(
            st.sampled_from(["Koordinaattori", "Yhteinen"])
        )
    if touched:
        patch_sheets(master, {plan.sheet: lambda xml: set_cells(xml, touched)[0]}, backup=False)
    before = _master_values(master)

    returns: list[Return] = []
    for owner in returning:
        own = _owner_plan(files[owner])
        mine = [
            r for r in own.rows if r.code is not None and owner_key(r.owner) == owner_key(owner)
        ]
        edits: dict[tuple[str, Field], object] = {}
        for r in mine:
            for f in EDITABLE_FIELDS:
                if draw(st.integers(0, 3)) == 0:
                    kind = STATUS_TYPED if f is Field.STATUS else VALUE_TYPED
                    edits[(str(r.code), f)] = draw(kind)
                elif f is not Field.STATUS and draw(st.integers(0, 6)) == 0:
                    edits[(str(r.code), f)] = draw(st.sampled_from(["Koordinaattori", "Yhteinen"]))
        locked = {}
        if mine and draw(st.integers(0, 4)) == 0:
            locked[str(draw(st.sampled_from(mine)).code)] = "Vaihdettu otsikko"
        ret = Return(owner, tmp / "palautukset" / f"{len(returns)}.xlsx", edits, locked)
        _fill(files[owner], ret.path, ret)
        ret.mutation = draw(st.sampled_from(MUTATIONS)) if mine else "none"
        _mutate(ret, draw)
        returns.append(ret)
    paths = [r.path for r in returns]
    if draw(st.booleans()):  # the same file sent twice, under another name
        shutil.copy(paths[0], tmp / "palautukset" / "kopio.xlsx")
        paths.append(tmp / "palautukset" / "kopio.xlsx")
    paths.append(next(iter(files.values())))  # a file never filled in

    result = merge(master, paths, workers=1)  # never raises
    for ret in returns:
        event(f"mutation: {ret.mutation}")
    event(f"applied: {min(len(result.changes), 3)}+, conflicts: {min(len(result.conflicts), 3)}+")
    after = _master_values(master)

    by_path = {f.path: f for f in result.files}
    for f in result.files:
        assert f.reason, f  # every file gets a reason
    reported = {(c.code, c.field): c for _, c in result.conflicts}
    expected = dict(before)
    either: dict[tuple[str, Field], set[str]] = {}
    for ret in returns:
        fr = by_path[ret.path]
        if ret.mutation in MUST_REJECT:
            assert fr.result == "rejected", (ret.mutation, fr)
            continue
        if ret.mutation in AMBIGUOUS:
            assert fr.result == "rejected" or (
                fr.merge is not None
                and any(x.severity is Severity.ERROR for x in fr.merge.findings)
            ), (ret.mutation, fr)
        elif ret.mutation not in MAY_REJECT:
            assert fr.result in ("merged", "unchanged"), (ret.mutation, fr.reason, fr.notes)
        if fr.result == "rejected":
            continue
        for key in ret.edits:
            code, f = key
            typed = ret.read[key]
            issued_value = before_issue[key]
            why = _not_legit(ret, key, typed)
            if why is not None:
                c = reported.get(key)
                if why in (TOO_LONG, DUPLICATE_CODE) and text_of(typed) == issued_value:
                    continue  # returned as issued: nothing to reject
                assert c is not None and c.reason == why, (key, typed, why, c)
                continue
            new = _status_text(typed) if f is Field.STATUS else text_of(typed)
            if _same(f, new, issued_value):
                continue  # returned as issued: nothing to do
            if _same(f, before[key], issued_value):
                expected[key] = new  # applied
                if ret.mutation == "duplicate_column" and f is Field.COMMENTARY:
                    either[key] = {new, before[key]}  # the column the merge reported
            elif not _same(f, before[key], new):
                c = reported.get(key)
                assert c is not None and c.reason == "master_changed", (key, c)
        if ret.bad_cell is not None and ret.bad_cell not in ret.edits:
            c = reported.get(ret.bad_cell)
            assert c is not None and c.reason in (CELL_ERROR, CELL_NO_VALUE), ret.bad_cell
        for code in ret.locked:
            if code == ret.duplicated:
                continue
            assert any(
                x.rule == "return.locked_edit" and x.code == code for _, x in result.findings
            )
    for key, value in expected.items():
        f = key[1]
        if key in either:
            assert after[key] in either[key], (key, after[key], either[key])
        elif f in EDITABLE_FIELDS:
            assert _same(f, after[key], value), (key, after[key], value)
        else:  # locked: codes, titles, owner never change
            assert after[key] == value, key
    with zipfile.ZipFile(master) as zf:
        xml = zf.read(sheet_parts(zf)[plan.sheet])
    assert b"<f>" not in xml and b"<f " not in xml  # never a formula

    # idempotent: the same files again change nothing and add no rows
    snapshot = master.read_bytes()
    again = merge(master, paths, workers=1)
    assert not again.changes
    assert master.read_bytes() == snapshot


def _status_text(typed: object) -> str:
    st_ = SCALE.parse(typed)
    return SCALE.display(st_.value) if st_.value is not None else ""


def _same(f: Field, a: str, b: str) -> bool:
    if f is Field.STATUS:
        pa, pb = SCALE.parse(a), SCALE.parse(b)
        if pa.value is not None or pb.value is not None:
            return pa.value == pb.value
        return a.strip() == b.strip()
    return a == b


def _not_legit(ret: Return, key: tuple[str, Field], typed: object) -> str | None:
    """Why an edit cannot be applied, as the merge must report it, or None."""
    code, f = key
    if ret.duplicated == code:
        return DUPLICATE_CODE
    if ret.bad_cell == key:
        return CELL_ERROR if ret.mutation == "error_cell" else CELL_NO_VALUE
    if isinstance(typed, float) and not math.isfinite(typed):
        return CELL_ERROR
    if f is Field.STATUS:
        return STATUS_UNKNOWN if SCALE.parse(typed).match is StatusMatch.UNKNOWN else None
    if len(text_of(typed)) >= EXCEL_CELL_LIMIT:
        return TOO_LONG
    return None


def _inject_control(master: Path) -> None:
    """A control character in the master's commentary, as Excel stores it (_x0001_)."""

    def change(xml: bytes) -> bytes:
        return re.sub(rb'(<c r="G[2-9]"[^>]*><is><t[^>]*>)', rb"\g<1>_x0001_", xml, count=1)

    patch_sheets(master, {load_plan(master).plan.sheet: change}, backup=False)


# --------------------------------------------------------------------------- the core alone


KEY = MasterIdentity.new().key


@settings(max_examples=150, deadline=None, derandomize=True)
@given(grid=masters(), data=st.data())
def test_the_core_merge_applies_exactly_the_legitimate_edits(grid, data):
    """The pure three-way merge over random grids: faster, so many more examples."""
    plan = read_plan(SourceTable("Seuranta", grid), SCALE)
    parts = split_by_owner(plan)
    part = data.draw(st.sampled_from(parts))
    manifest = build_manifest(
        part, round_id="r", created=datetime(2026, 1, 1), master_id="m", fingerprint="f", key=KEY
    )
    returned = [list(r) for r in grid]
    master = [list(r) for r in grid]
    legit: dict[tuple[str, Field], str] = {}
    mine = {str(r.row.code) for r in part.rows if r.editable}
    for i, cells in enumerate(grid[1:], start=1):
        code = Code.parse(str(next(c for c in cells[:3] if c)).split(" ")[0])
        if str(code) not in mine:
            continue
        for f in EDITABLE_FIELDS:
            col = COLUMN[f] - 1
            if data.draw(st.integers(0, 2)) == 0:
                typed = data.draw(STATUS_TYPED if f is Field.STATUS else VALUE_TYPED)
                returned[i][col] = typed
                if data.draw(st.integers(0, 4)) == 0:
                    master[i][col] = "Koordinaattori"  # changed since issue
                legit[(str(code), f)] = text_of(typed)
    diff = diff_return(manifest, read_plan(SourceTable("Seuranta", returned), SCALE), SCALE)
    state = MasterState(read_plan(SourceTable("Seuranta", master), SCALE))
    result = apply_diff(diff, state)
    decided = {(c.code, c.field): c for c in result.changes}
    for (code, f), typed_text in legit.items():
        issued = text_of(grid[_index(grid, code)][COLUMN[f] - 1])
        now = text_of(master[_index(grid, code)][COLUMN[f] - 1])
        c = decided.get((code, f))
        raw = returned[_index(grid, code)][COLUMN[f] - 1]
        if f is Field.STATUS and SCALE.parse(raw).match is StatusMatch.UNKNOWN:
            assert c is not None and c.reason == STATUS_UNKNOWN
            continue
        new = _status_text(raw) if f is Field.STATUS else typed_text
        if f is not Field.STATUS and len(new) >= EXCEL_CELL_LIMIT and new != issued:
            assert c is not None and c.reason == TOO_LONG
            continue
        if _same(f, new, issued):
            assert c is None
        elif _same(f, now, issued):
            assert c is not None and c.decision.value == "applied" and c.new == new
            assert state.get(Code.parse(code), f) == new
        elif _same(f, now, new):
            assert c is not None and c.decision.value == "same"
        else:
            assert c is not None and c.reason == "master_changed"
            assert state.get(Code.parse(code), f) == now
    # idempotent: the same return again applies nothing
    assert not apply_diff(diff, state).applied


def _index(grid: list[list[object]], code: str) -> int:
    for i, cells in enumerate(grid[1:], start=1):
        first = next((c for c in cells[:3] if c), "")
        if str(first).split(" ")[0] == code:
            return i
    raise KeyError(code)
