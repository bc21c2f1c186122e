"""Benchmark: merging a round's returns, seuranta-xl against a naive openpyxl baseline.

    uv run python benchmarks/bench_merge.py                # 1,000 returns into 20,000 rows
    uv run python benchmarks/bench_merge.py --owners 50    # a quick look

A synthetic master (owners x 20 rows) issues a round; every owner's workbook comes back
with about 5 cells changed (3 statuses, 2 commentaries). Both sides merge all returns into
a copy of the master: verify each manifest, compare each editable cell three ways, write
the changed cells and a change-log row per change. The baseline is what one would write
first: openpyxl reads each return, openpyxl loads the master, sets the cells, appends the
log and saves. Each side runs in its own process (its reader workers included in its peak
memory). Reported as the ratio baseline / seuranta-xl; the target is at least 8x.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

TARGET = 8.0


def make_returns(master: Path, issued: Path, returns: Path) -> int:
    """Fill every issued workbook as staff would: about five cells each."""
    from seuranta_xl.api import generate

    result = generate(master, issued, round_id="bench")
    returns.mkdir()
    for n, f in enumerate(result.files):
        fill_return(f.path, returns / f.path.name, n)
    return len(result.files)


def fill_return(issued: Path, target: Path, n: int) -> None:
    """One owner's return: three statuses and two commentaries changed (``n`` varies them)."""
    import zipfile

    from seuranta_xl.xlsx.patch import set_cells

    scale = [
        "2 Suunnitteluvaiheessa, on edetty hieman",
        "4 Toteutusvaiheessa lähellä valmistumista, ei vielä viimeistelty/käyttöön otettu",
    ]
    edits = {
        (3, 6): scale[n % 2],
        (5, 6): scale[(n + 1) % 2],
        (7, 6): "5 Toimenpide on toteutettu ja käytönotettu toteutusohjelman mukaan",
        (4, 7): f"Päivitetty tilannekuvaus {n}: työ etenee aikataulussa.",
        (6, 7): f"Toinen päivitys {n}.",
    }
    with zipfile.ZipFile(issued) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = set_cells(data, edits)[0]
            zout.writestr(item, data)


def run_ours(master: str, returns: str) -> None:
    from seuranta_xl.api import merge

    result = merge(master, [returns])
    assert result.written and len(result.changes) > 0


def run_baseline(master: str, returns: str) -> None:
    """The naive way: openpyxl to read every return and to load and save the master."""
    from datetime import datetime

    from openpyxl import load_workbook

    from seuranta_xl.layout import read_plan
    from seuranta_xl.merge import MasterState, merge_return
    from seuranta_xl.model import SourceTable
    from seuranta_xl.rounds import Manifest, MasterIdentity
    from seuranta_xl.scale import default_scale

    wb = load_workbook(master)
    ws = wb["Seuranta"]
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    plan = read_plan(SourceTable("Seuranta", grid), default_scale())
    key_rows = [list(r) for r in wb["seuranta_avain"].iter_rows(values_only=True)]
    identity = MasterIdentity.from_grid(key_rows)
    assert identity is not None
    state = MasterState(plan)
    log = wb["Muutosloki"]
    stamp = datetime.now().isoformat(sep=" ", timespec="seconds")
    for path in sorted(Path(returns).glob("*.xlsx")):
        ret = load_workbook(path, read_only=True)
        manifest = Manifest.from_grid(
            [list(r) for r in ret["seuranta_manifesti"].iter_rows(values_only=True)]
        )
        assert manifest.verify(identity.key)
        data = [list(r) for r in ret["Seuranta"].iter_rows(values_only=True)]
        ret.close()
        merged = merge_return(manifest, read_plan(SourceTable("Seuranta", data), plan.scale), state)
        for change in merged.applied:
            cell = ws.cell(row=change.master_row, column=plan.columns[change.field])
            cell.value = change.new
            cell.data_type = "s"
            log.append(
                [
                    stamp,
                    manifest.round_id,
                    manifest.owner,
                    path.name,
                    "",
                    change.code,
                    change.field.value,
                    change.master,
                    change.new,
                    "viety",
                ]
            )
    wb.save(master)


def measure(which: str, master: Path, returns: Path, work: Path) -> dict[str, float]:
    copy = work / f"{which}-master.xlsx"
    shutil.copy(master, copy)
    result = common.measure(__file__, which, str(copy), str(returns))
    result["master"] = copy
    return result


def main() -> int:
    args = common.arguments(__doc__)
    if common.run_child_if_asked(args, run_ours, run_baseline):
        return 0
    from openpyxl import load_workbook

    from seuranta_xl.api import synthetic_master

    with tempfile.TemporaryDirectory(prefix="bench-merge-") as tmp:
        work = Path(tmp)
        master = work / "master.xlsx"
        made = synthetic_master(master, owners=args.owners, rows_per_owner=args.rows)
        count = make_returns(master, work / "issued", work / "returns")
        print(
            f"master: {len(made.plan.rows):,} rows; {count:,} returns of about 5 changed cells; {os.cpu_count()} cores"
        )
        ours = measure("ours", master, work / "returns", work)
        base = measure("baseline", master, work / "returns", work)
        a = [
            tuple(r)
            for r in load_workbook(ours["master"], read_only=True)["Seuranta"].iter_rows(
                values_only=True
            )
        ]
        b = [
            tuple(r)
            for r in load_workbook(base["master"], read_only=True)["Seuranta"].iter_rows(
                values_only=True
            )
        ]
        assert a == b, "the two merges disagree"
    common.report(ours, base, TARGET, "readers in isolated workers")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
