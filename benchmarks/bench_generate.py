"""Benchmark: owner workbooks for a round, seuranta-xl against a naive openpyxl baseline.

    uv run python benchmarks/bench_generate.py                # 1,000 owners x 20 rows
    uv run python benchmarks/bench_generate.py --owners 50    # a quick look

Both sides start from the same synthetic master (20,000 rows at full size), make one
protected workbook per owner with the same features (instructions, status dropdown on a
hidden list sheet, unlocked editable cells, frozen header, print set-up, a signed manifest
on a very hidden sheet) and record the round in the master. The baseline is what one would
write first: openpyxl, serial, one Workbook per owner, the master loaded and saved whole.
Each side runs in its own process, so its peak memory is its own. Reported as the ratio
baseline / seuranta-xl, measured in the same run; the target is at least 5x.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

TARGET = 5.0


def run_ours(master: str, out: str) -> None:
    from seuranta_xl.api import generate

    generate(master, out, round_id="bench")


def run_baseline(master: str, out: str) -> None:
    """The naive way: openpyxl for reading, for every owner workbook and for the master."""
    from datetime import datetime

    from openpyxl import Workbook, load_workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    from seuranta_xl.layout import CANONICAL_HEADERS_FI, read_plan
    from seuranta_xl.model import EDITABLE_FIELDS, FIELD_ORDER, SourceTable
    from seuranta_xl.rounds import (
        MasterIdentity,
        build_manifest,
        master_fingerprint,
        owner_file_names,
        split_by_owner,
    )
    from seuranta_xl.scale import default_scale

    ro = load_workbook(master, read_only=True)
    grid = [list(r) for r in ro["Seuranta"].iter_rows(values_only=True)]
    ro.close()
    plan = read_plan(SourceTable("Seuranta", grid), default_scale())
    identity = MasterIdentity.new()
    fingerprint = master_fingerprint(plan)
    parts = split_by_owner(plan)
    names = owner_file_names("bench", [p.owner for p in parts])
    created = datetime.now().replace(microsecond=0)
    thin = Side(style="thin", color="A6A6A6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    header_font, header_fill = (
        Font(bold=True, color="FFFFFF"),
        PatternFill("solid", fgColor="1F4E78"),
    )
    edit_fill, grey = PatternFill("solid", fgColor="FFF2CC"), PatternFill("solid", fgColor="EDEDED")
    editable = {FIELD_ORDER.index(f) + 1 for f in EDITABLE_FIELDS}
    status_col = FIELD_ORDER.index(FIELD_ORDER[5]) + 1
    scale = default_scale().displays()
    records = []
    os.makedirs(out, exist_ok=True)
    for part in parts:
        wb = Workbook()
        help_ws = wb.active
        help_ws.title = "Ohje"
        help_ws["A1"] = "Strategian seuranta, kierros bench"
        help_ws["A1"].font = Font(bold=True, size=14)
        help_ws["A3"], help_ws["B3"] = "Vastuuhenkilö", part.owner
        for r, step in enumerate(scale, start=6):
            help_ws.cell(row=r, column=2, value=step)
        help_ws.protection.sheet = True
        ws = wb.create_sheet("Seuranta")
        for c, f in enumerate(FIELD_ORDER, start=1):
            cell = ws.cell(row=1, column=c, value=CANONICAL_HEADERS_FI[f])
            cell.font, cell.fill, cell.border, cell.alignment = (
                header_font,
                header_fill,
                border,
                wrap,
            )
        dv = DataValidation(type="list", formula1="=Etenemisasteikko", allow_blank=True)
        ws.add_data_validation(dv)
        for r, issued in enumerate(part.rows, start=2):
            for c, f in enumerate(FIELD_ORDER, start=1):
                value = issued.row.values.get(f)
                cell = ws.cell(row=r, column=c, value=value if value != "" else None)
                if isinstance(value, str):
                    cell.data_type = "s"
                cell.border, cell.alignment = border, wrap
                if issued.editable and c in editable:
                    cell.fill = edit_fill
                    cell.protection = Protection(locked=False)
                elif not issued.editable:
                    cell.fill = grey
                    cell.font = Font(italic=True, color="595959")
            if issued.editable:
                dv.add(ws.cell(row=r, column=status_col).coordinate)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:H{len(part.rows) + 1}"
        ws.protection.sheet = True
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        lists = wb.create_sheet("Asteikko")
        for r, step in enumerate(scale, start=1):
            lists.cell(row=r, column=1, value=step)
        lists.sheet_state = "hidden"
        wb.defined_names["Etenemisasteikko"] = DefinedName(
            "Etenemisasteikko", attr_text=f"'Asteikko'!$A$1:$A${len(scale)}"
        )
        manifest = build_manifest(
            part,
            round_id="bench",
            created=created,
            master_id=identity.master_id,
            fingerprint=fingerprint,
            key=identity.key,
        )
        man = wb.create_sheet("seuranta_manifesti")
        for r, values in enumerate(manifest.to_grid(), start=1):
            for c, v in enumerate(values, start=1):
                man.cell(row=r, column=c, value=v).data_type = "s"
        man.sheet_state = "veryHidden"
        wb.security.lockStructure = True
        wb.properties.title = f"Seuranta bench – {part.owner}"
        wb.save(os.path.join(out, names[part.owner]))
        records.append(
            ["bench", created.isoformat(), part.owner, names[part.owner], len(part.rows)]
        )
    full = load_workbook(master)
    rounds = full["Kierrokset"]
    for rec in records:
        rounds.append(rec)
    full.save(master)


def measure(which: str, master: Path, work: Path) -> dict[str, float]:
    copy = work / f"{which}-master.xlsx"
    shutil.copy(master, copy)
    out = work / f"{which}-out"
    result = common.measure(__file__, which, str(copy), str(out))
    result["files"] = len(list(out.glob("*.xlsx")))
    return result


def main() -> int:
    args = common.arguments(__doc__)
    if common.run_child_if_asked(args, run_ours, run_baseline):
        return 0
    from seuranta_xl.api import synthetic_master

    with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
        work = Path(tmp)
        master = work / "master.xlsx"
        made = synthetic_master(master, owners=args.owners, rows_per_owner=args.rows)
        print(
            f"master: {len(made.plan.rows):,} rows, {args.owners:,} owners x {args.rows} rows, {os.cpu_count()} cores"
        )
        ours = measure("ours", master, work)
        base = measure("baseline", master, work)
    assert ours["files"] == base["files"] == args.owners, (ours, base)
    common.report(ours, base, TARGET)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
