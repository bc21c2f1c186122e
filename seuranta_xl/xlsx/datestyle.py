"""Cell formats found, or added in place, in a workbook's ``styles.xml``: the cell format of
a named style, and the tool's date-and-time format for the times in its own sheets.

Works on the XML text, so a master is never loaded into a workbook library for a style:
the sections are parsed, and anything new is appended to them (every existing index keeps
its meaning). Nothing here knows about a particular sheet.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from xml.sax.saxutils import unescape

from defusedxml import ElementTree

from .sheetspec import DATE_TIME_FORMAT

STYLE_TIME = "Seuranta aika"
"""The template's named style of a point in time (``DATE_TIME_FORMAT``)."""
FIRST_CUSTOM_NUMFMT = 164
"""Number formats below this id are built in."""

_EPOCH = datetime(1899, 12, 30)
_XF_IGNORED = {"applyNumberFormat", "applyFont", "applyFill", "applyBorder", "applyAlignment",
               "applyProtection", "pivotButton", "quotePrefix"}  # fmt: skip


def excel_serial(value: datetime | date | time | timedelta) -> float | int:
    """A date or time as Excel's serial number (1900 date system, local naive time)."""
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400 + (
            value.microsecond / 86400e6
        )
    if not isinstance(value, datetime):
        return (value - _EPOCH.date()).days
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    delta = value - _EPOCH
    days = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return int(days) if days.is_integer() else days


def _section(xml: str, tag: str) -> re.Match[str] | None:
    """A section (``cellXfs``, ``numFmts``…), prefix and all: groups ``open``, ``body``."""
    return re.search(
        rf"(?P<open><(?P<p>\w+:)?{tag}\b[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)?{tag}>)", xml, re.S
    )


def _elements(body: str, tag: str) -> list[str]:
    """The ``<tag>`` elements directly in a section's body, as written."""
    return [
        m.group(0)
        for m in re.finditer(rf"<(\w+:)?{tag}\b[^>]*?(?:/>|>.*?</(?:\1)?{tag}>)", body, re.S)
    ]


def _xf_key(element: str) -> tuple[object, ...]:
    """What makes two cell formats the same format (flags that say "applied" aside)."""
    root = ElementTree.fromstring(_unprefixed(element))
    attrs = {k: v for k, v in root.attrib.items() if k not in _XF_IGNORED}
    for k in ("numFmtId", "fontId", "fillId", "borderId", "xfId"):
        attrs.setdefault(k, "0")
    children = tuple(sorted((c.tag, tuple(sorted(c.attrib.items()))) for c in root))
    return tuple(sorted(attrs.items())), children


def _unprefixed(element: str) -> str:
    return re.sub(r"<(/?)\w+:", r"<\1", element)


def _append(xml: str, tag: str, element: str) -> tuple[str, int]:
    """``element`` appended to section ``tag`` (which must exist), its count grown; the
    new element's index."""
    m = _section(xml, tag)
    assert m is not None
    prefix = m.group("p") or ""
    if prefix:
        element = re.sub(r"<(/?)", rf"<\1{prefix}", element)
    body = m.group("body") or ""
    index = len(_elements(body, tag.removesuffix("s") if tag != "cellXfs" else "xf"))
    opening = re.sub(r"\s+count=\"\d+\"", "", m.group("open")).rstrip()
    new = f'{opening} count="{index + 1}">{body}{element}</{prefix}{tag}>'
    return xml[: m.start()] + new + xml[m.end() :], index


def cell_formats(xml: str) -> list[str]:
    """The workbook's cell formats (``cellXfs``), by index."""
    m = _section(xml, "cellXfs")
    return _elements(m.group("body") or "", "xf") if m else []


def named_style_xf(xml: str, name: str) -> tuple[str, int] | None:
    """The cellXfs index of a cell in the named style ``name`` (a format of that style
    with the style's own font, fill, border, number format and alignment), appended when
    the workbook has none yet: (the styles xml, the index). None without such a style."""
    style = next(
        (
            m
            for m in re.finditer(r"<(?:\w+:)?cellStyle\b[^>]*>", xml)
            if unescape(_attr(m.group(0), "name") or "", {"&quot;": '"'}) == name
        ),
        None,
    )
    if style is None:
        return None
    xf_id = int(_attr(style.group(0), "xfId") or 0)
    styles = _section(xml, "cellStyleXfs")
    base = _elements(styles.group("body") or "", "xf") if styles else []
    if xf_id >= len(base):
        return None
    wanted = re.sub(r"\sxfId=\"\d+\"", "", base[xf_id])
    wanted = re.sub(r"^<(\w+:)?xf\b", rf'<\g<1>xf xfId="{xf_id}"', wanted)
    return _find_or_add_xf(xml, _unprefixed(wanted))


def _find_or_add_xf(xml: str, element: str) -> tuple[str, int]:
    key = _xf_key(element)
    for i, xf in enumerate(cell_formats(xml)):
        if _xf_key(xf) == key:
            return xml, i
    return _append(xml, "cellXfs", element)


def _attr(element: str, name: str) -> str | None:
    m = re.search(rf'\s{name}="([^"]*)"', element)
    return m.group(1) if m else None


def time_style(xml: str) -> tuple[str, int]:
    """The cellXfs index that shows a serial number as ``DATE_TIME_FORMAT``: the
    template's named style ``STYLE_TIME`` when the workbook has it, else an existing plain
    format with that number format, else one added (with its number format). Returns the
    styles xml (unchanged when nothing was added) and the index."""
    named = named_style_xf(xml, STYLE_TIME)
    if named is not None:
        return named
    xml, fmt_id = _number_format(xml, DATE_TIME_FORMAT)
    return _find_or_add_xf(
        xml,
        f'<xf numFmtId="{fmt_id}" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/>',
    )


def _number_format(xml: str, code: str) -> tuple[str, int]:
    """The id of number format ``code``, added (id 164 or above, unused) when missing."""
    m = _section(xml, "numFmts")
    used = []
    for fmt in _elements(m.group("body") or "", "numFmt") if m else []:
        fmt_id = int(_attr(fmt, "numFmtId") or 0)
        if unescape(_attr(fmt, "formatCode") or "", {"&quot;": '"'}) == code:
            return xml, fmt_id
        used.append(fmt_id)
    fmt_id = max([FIRST_CUSTOM_NUMFMT - 1, *used]) + 1
    element = f'<numFmt numFmtId="{fmt_id}" formatCode="{code}"/>'
    if m is None:  # numFmts is the stylesheet's first section
        root = re.search(r"<(\w+:)?styleSheet\b[^>]*>", xml)
        assert root is not None
        prefix = root.group(1) or ""
        section = f'<{prefix}numFmts count="0"/>'
        xml = xml[: root.end()] + section + xml[root.end() :]
    return _append(xml, "numFmts", element)[0], fmt_id


class TimeStyle:
    """The time format of one workbook, for ``patch_sheets(styles=...)``: ``styles``
    finds (or adds) it in the workbook's styles.xml; ``index`` is then its cellXfs index
    for ``append_rows``."""

    def __init__(self) -> None:
        self.index = 0

    def styles(self, xml: bytes) -> bytes:
        try:
            text = xml.decode("utf-8")
        except UnicodeDecodeError:  # a stylesheet in another encoding: plain numbers
            return xml
        new, self.index = time_style(text)
        return xml if new == text else new.encode("utf-8")
