"""Which sheets the tool made.

Every summary and findings sheet the tool writes is named by a workbook-level defined name,
``seuranta_xl_<kind>`` -> ``'Sheet'!$A$1``. Excel and LibreOffice keep such a name through a
save and move its reference with the sheet when it is renamed; when the sheet is deleted the
reference breaks (``#REF!``). So a coordinator's own sheet that happens to be called
*Riskit* or *Havainnot* is never taken for the tool's, and never replaced or deleted.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

MARK_PREFIX = "seuranta_xl_"
SUMMARY_KINDS = ("overview", "returns", "risks", "movement", "council")
FINDINGS_KIND = "findings"
KINDS = (*SUMMARY_KINDS, FINDINGS_KIND)
RENAMED_SUFFIX = "seuranta"
"""A tool sheet whose name a coordinator's sheet has taken is called e.g. ``Riskit (seuranta)``."""

_REF_RE = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!\$?A\$?1$")
_NAME_RE = re.compile(rb"<(?:\w+:)?definedName\b([^>]*)>([^<]*)</(?:\w+:)?definedName>")
_ATTR_RE = re.compile(rb'(\w+)="([^"]*)"')


def sheet_of(ref: str) -> str | None:
    """The sheet a marker's reference names, or None when it is broken."""
    import html

    m = _REF_RE.match(html.unescape(ref).strip())
    if m is None:
        return None
    return m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)


def marked_in_zip(path: Path) -> dict[str, str]:
    """Sheet name -> kind, for the sheets of an xlsx file the tool marked as its own."""
    from .patch import _office_document, sheet_parts

    try:
        with zipfile.ZipFile(path) as zf:
            sheets = set(sheet_parts(zf))
            xml = zf.read(_office_document(zf))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, SyntaxError):
        return {}
    out: dict[str, str] = {}
    for attrs, text in _NAME_RE.findall(xml):
        found = {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR_RE.findall(attrs)}
        name = found.get("name", "")
        if "localSheetId" in found or not name.startswith(MARK_PREFIX):
            continue
        kind = name[len(MARK_PREFIX) :]
        sheet = sheet_of(text.decode("utf-8", "replace"))
        if kind in KINDS and sheet in sheets:
            out[sheet] = kind
    return out


def free_name(wanted: str, taken: list[str]) -> str:
    """``wanted`` when no sheet has it (sheet names are compared without case, as Excel
    does), else ``wanted (seuranta)``, ``wanted (seuranta 2)``…, within 31 characters."""
    used = {t.casefold() for t in taken}
    n = 1
    candidate = wanted
    while candidate.casefold() in used:
        tag = f" ({RENAMED_SUFFIX})" if n == 1 else f" ({RENAMED_SUFFIX} {n})"
        candidate = wanted[: 31 - len(tag)] + tag
        n += 1
    return candidate
