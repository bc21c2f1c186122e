"""``seuranta excel install``: put the Seuranta add-in where Excel finds add-ins.

Only a file this command put there (its SHA-256 recorded beside it) is ever replaced;
anything else of the same name is left as it is and named.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import UnreadableFile, WriteError

ADDIN_NAME = "seuranta.xlam"
RECORD_NAME = ".seuranta-xl-asennettu.txt"
"""Beside the installed add-in: the SHA-256 of each copy this command put in the folder."""
REPO_ADDIN = Path(__file__).resolve().parents[1] / "xlsx_templates" / ADDIN_NAME
MAC_GROUP = Path("Library/Group Containers/UBF8T346G9.Office")


@dataclass(frozen=True)
class Installed:
    """Where the add-in went, and how: ``new``, ``updated`` (an earlier copy of ours
    replaced) or ``same`` (the same file was already there)."""

    source: Path
    target: Path
    how: str


def addin_source() -> Path:
    """The built add-in: inside the installed package, else in the source checkout."""
    packaged = _packaged()
    if packaged.is_file():
        return packaged
    if REPO_ADDIN.is_file():
        return REPO_ADDIN
    # a source checkout names the file its build makes
    missing = REPO_ADDIN if REPO_ADDIN.parent.is_dir() else packaged
    raise UnreadableFile("addin_missing", path=str(missing))


def _packaged() -> Path:
    """Where the wheel carries the add-in (force-included from ``xlsx_templates/``)."""
    return Path(str(resources.files("seuranta_xl").joinpath("templates", ADDIN_NAME)))


def addin_folder(platform: str | None = None, home: Path | None = None) -> Path | None:
    """Excel's per-user add-in folder: ``%APPDATA%\\Microsoft\\AddIns`` on Windows, the
    Office group container's ``User Content/Add-Ins`` on macOS; None elsewhere."""
    platform = platform or sys.platform
    home = home or Path.home()
    if platform == "win32":
        appdata = os.environ.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(appdata) / "Microsoft" / "AddIns"
    if platform == "darwin":
        group = home / MAC_GROUP
        for content, addins in (
            ("User Content.localized", "Add-Ins.localized"),
            ("User Content", "Add-Ins"),
        ):
            if (group / content / addins).is_dir():
                return group / content / addins
        return group / "User Content" / "Add-Ins"
    return None


def install_addin(folder: Path | None = None, *, source: Path | None = None) -> Installed:
    """Copy the add-in into ``folder`` (default: Excel's add-in folder here)."""
    source = source or addin_source()
    if folder is None:
        folder = addin_folder()
        if folder is None:
            raise WriteError("addin_no_excel", system=sys.platform, path=str(source))
    target = folder / ADDIN_NAME
    data = source.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    record = folder / RECORD_NAME
    ours = _recorded(record)
    how = "new"
    if target.exists() or target.is_symlink():
        if target.is_file() and not target.is_symlink():
            current = hashlib.sha256(target.read_bytes()).hexdigest()
            if current == sha:
                _record(record, ours | {sha}, target)
                return Installed(source, target, "same")
            if current in ours:
                how = "updated"
        if how != "updated":
            fi, en = ("", "") if not _looks_like_ours(target) else _LOOKS
            raise WriteError("addin_not_ours", path=str(target), looks_fi=fi, looks_en=en)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _record(record, ours | {sha}, target)  # first: a copy of ours is always known as such
        temp = folder / f".{ADDIN_NAME}.{os.getpid()}.tmp"
        try:
            temp.write_bytes(data)
            os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)
    except OSError as exc:
        raise WriteError("addin_write", path=str(target), detail=str(exc)) from None
    return Installed(source, target, how)


def _recorded(record: Path) -> set[str]:
    try:
        lines = record.read_text("utf-8").splitlines()
    except OSError:
        return set()
    return {ln.split()[0] for ln in lines if ln.strip() and not ln.startswith("#")}


def _record(record: Path, shas: set[str], target: Path) -> None:
    try:
        record.write_text(
            f"# seuranta excel install: copies of {target.name} it put here (SHA-256)\n"
            + "".join(f"{s}\n" for s in sorted(shas)),
            "utf-8",
        )
    except OSError as exc:
        raise WriteError("addin_write", path=str(record), detail=str(exc)) from None


_LOOKS = ("; se näyttää Seuranta-apuohjelmalta", "; it looks like a Seuranta add-in")


def _looks_like_ours(path: Path) -> bool:
    """Whether the file seems to be a Seuranta add-in (changed, or copied by hand)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.lower().startswith("customui/")]
            return any(b"SeurantaTab" in z.read(n) for n in names)
    except (OSError, zipfile.BadZipFile, KeyError):
        return False
