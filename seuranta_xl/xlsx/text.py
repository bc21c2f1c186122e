"""Tab- and comma-separated text as copied or saved out of Excel.

Excel quotes a cell only when it holds a line break, a separator or a quote; a cell that
merely starts with a quote is literal text. The parser keeps every character.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import UnreadableFile

_DELIMITERS = ("\t", ";", ",")


def decode(data: bytes, path: str) -> str:
    """Bytes to text: a BOM decides (UTF-8, UTF-16), else UTF-8, else Windows-1252, which
    is what Finnish Excel writes for "CSV (comma delimited)"."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise UnreadableFile("encoding", path=path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableFile("encoding", path=path) from None


def guess_delimiter(text: str) -> str:
    """Tab when any of the first lines has one (Excel's copy and "Unicode text"), else the
    more frequent of ``;`` (Finnish Excel's CSV) and ``,``."""
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    if any("\t" in ln for ln in lines):
        return "\t"
    counts = {d: sum(ln.count(d) for ln in lines) for d in _DELIMITERS[1:]}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else "\t"


def parse_delimited(text: str, delimiter: str) -> list[list[str]]:
    """Split text into rows of cells the way Excel writes them."""
    rows: list[list[str]] = []
    row: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            end = _closing_quote(text, i + 1, delimiter)
            if end is not None:
                row.append(text[i + 1 : end].replace('""', '"'))
                i = end + 1
                if i < n and text[i] == delimiter:
                    i += 1
                    if i == n:
                        row.append("")
                    continue
                i = _skip_newline(text, i)
                rows.append(row)
                row = []
                continue
        j = i
        while j < n and text[j] not in (delimiter, "\n", "\r"):
            j += 1
        row.append(text[i:j])
        if j < n and text[j] == delimiter:
            i = j + 1
            if i == n:
                row.append("")
            continue
        i = _skip_newline(text, j)
        rows.append(row)
        row = []
    if row:
        rows.append(row)
    return rows


def _closing_quote(text: str, start: int, delimiter: str) -> int | None:
    """Index of the quote closing a quoted cell, or None when the cell is not quoted
    (its quote is not followed by a separator or the end of the line)."""
    i, n = start, len(text)
    while i < n:
        if text[i] == '"':
            if i + 1 < n and text[i + 1] == '"':
                i += 2
                continue
            if i + 1 == n or text[i + 1] in (delimiter, "\n", "\r"):
                return i
            return None
        i += 1
    return None


def _skip_newline(text: str, i: int) -> int:
    if text.startswith("\r\n", i):
        return i + 2
    if i < len(text) and text[i] in "\r\n":
        return i + 1
    return i


def read_text_grid(path: Path) -> list[list[str]]:
    """A text file as a grid: row 1 is the file's first line, as when pasted into Excel."""
    p = str(path)
    text = decode(path.read_bytes(), p)
    return parse_delimited(text, guess_delimiter(text))
