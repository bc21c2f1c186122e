"""The demo's stand-in for a member of staff: fills in a few cells of an owner workbook,
the way they would in Excel, so that the demo can show a merge."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .model import FIELD_ORDER, Field
from .rounds import Manifest

DEMO_EDITS = (
    (1, Field.STATUS, "5 Toimenpide on toteutettu ja käytönotettu toteutusohjelman mukaan"),
    (1, Field.COMMENTARY, "Tuunaustoimenpiteet on hyväksytty valtuustossa toukokuussa."),
    (2, Field.RISKS, "Rahoituksen epävarmuus syksyllä."),
)
"""(nth editable row, field, value): what the demo's owner changes."""


def fill_like_staff(issued: Path, returned: Path) -> list[tuple[str, Field, str]]:
    """Copy an issued owner workbook to ``returned`` with ``DEMO_EDITS`` typed in; returns
    (code, field, value) of each edit."""
    from .xlsx.patch import set_cells, sheet_parts
    from .xlsx.read import read_manifest_grid

    grid = read_manifest_grid(issued, "seuranta_manifesti")
    assert grid is not None
    rows = [r for r in Manifest.from_grid(grid).rows if r.editable]
    edits = {
        (rows[n].sheet_row, FIELD_ORDER.index(f) + 1): value
        for n, f, value in DEMO_EDITS
        if n < len(rows)
    }
    with zipfile.ZipFile(issued) as zin:
        part = sheet_parts(zin)["Seuranta"]
        returned.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(returned, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item)
                if item.filename == part:
                    data = set_cells(data, edits)[0]
                zout.writestr(item, data)
    return [(rows[n].code, f, value) for n, f, value in DEMO_EDITS if n < len(rows)]


# --------------------------------------------------------------------------- the demo's folder

DEMO_RECORD = ".seuranta-demo.json"
"""What the demo made in its folder: each file's SHA-256 and each folder. A rerun removes
those files only, as long as they are as the demo left them."""
_SHOWN = 5  # foreign files named in a refusal


def _contents(directory: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """(file -> SHA-256, folders, links) in ``directory``, as paths relative to it; the
    record itself left out. Links are never followed."""
    import hashlib
    import os

    files: dict[str, str] = {}
    folders: list[str] = []
    links: list[str] = []
    for top, dirs, names in os.walk(directory):
        base = Path(top).relative_to(directory)
        for d in list(dirs):
            if (Path(top) / d).is_symlink():
                links.append((base / d).as_posix())
                dirs.remove(d)
            else:
                folders.append((base / d).as_posix())
        for name in names:
            rel = (base / name).as_posix()
            if rel == DEMO_RECORD:
                continue
            full = Path(top) / name
            if full.is_symlink():
                links.append(rel)
                continue
            digest = hashlib.sha256()
            with full.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            files[rel] = digest.hexdigest()
    return files, folders, links


def _read_record(directory: Path) -> tuple[dict[str, str], set[str]]:
    import json

    try:
        data = json.loads((directory / DEMO_RECORD).read_text("utf-8"))
        files = {str(k): str(v) for k, v in dict(data.get("files", {})).items()}
        return files, {str(d) for d in data.get("folders", [])}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}, set()


def clear_demo_folder(directory: Path) -> None:
    """Empty the demo's folder of what an earlier demo made there, and of nothing else.

    A folder holding anything the demo did not make (or made and someone changed since) is
    refused, naming the first few such files; nothing is removed then.
    """
    from .errors import WriteError

    if not directory.exists():
        return
    if not directory.is_dir():
        raise WriteError("demo_foreign", dir=str(directory), files=directory.name)
    files, folders, links = _contents(directory)
    recorded, recorded_folders = _read_record(directory)
    foreign = sorted(
        [name for name, sha in files.items() if recorded.get(name) != sha]
        + [d for d in folders if d not in recorded_folders]
        + links
    )
    if foreign:
        shown = ", ".join(foreign[:_SHOWN]) + (
            f" (+{len(foreign) - _SHOWN})" if len(foreign) > _SHOWN else ""
        )
        raise WriteError("demo_foreign", dir=str(directory), files=shown)
    for name in files:
        (directory / name).unlink()
    for d in sorted(folders, key=lambda p: p.count("/"), reverse=True):
        (directory / d).rmdir()


def prepare_demo_folder(directory: Path) -> bool:
    """Clear what an earlier demo made in ``directory`` (refusing a folder with anything
    else), make the folder and record it as the demo's. Returns True."""
    from .errors import WriteError

    clear_demo_folder(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        record_demo_folder(directory)
    except OSError as exc:
        raise WriteError("save_failed", path=str(directory), detail=str(exc)) from None
    return True


def record_demo_folder(directory: Path) -> None:
    """Record every file and folder now in the demo's folder as the demo's own."""
    import json
    import os

    files, folders, _ = _contents(directory)
    record = directory / DEMO_RECORD
    tmp = record.with_name(record.name + ".tmp")
    tmp.write_text(
        json.dumps({"made_by": "seuranta demo", "files": files, "folders": folders}, indent=1),
        "utf-8",
    )
    os.replace(tmp, record)
