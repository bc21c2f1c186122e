"""A style book over an existing ``xl/styles.xml``: cell formats for ``sheetspec.Look``s and
differential formats for conditional formats, added as needed and written back with
nothing else in the file changed.

Works on the file's bytes: any writer's stylesheet (Excel's, LibreOffice's, openpyxl's,
ours), with or without a namespace prefix, with sections missing. An entry identical to one
the file holds already is reused, so running twice adds nothing the second time.
"""

from __future__ import annotations

import re

from .ooxml import xml_attr
from .sheetspec import FONT, Look

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FIRST_CUSTOM_NUMFMT = 164
BORDER_COLOR = "A6A6A6"

# CT_Stylesheet's children, in schema order
_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)
_DEFAULTS = {
    "fonts": '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    "fills": '<fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>',
    "borders": "<border><left/><right/><top/><bottom/><diagonal/></border>",
    "cellStyleXfs": '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',
    "cellXfs": '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
}
_CHILD = {
    "numFmts": "numFmt",
    "fonts": "font",
    "fills": "fill",
    "borders": "border",
    "cellStyleXfs": "xf",
    "cellXfs": "xf",
    "dxfs": "dxf",
}
_PREFIX_RE = re.compile(rb"<(?:(\w+):)?styleSheet\b")
_NUMFMT_RE = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')
_NUMFMT_RE2 = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*?formatCode="([^"]*)"[^>]*?numFmtId="(\d+)"')
_COUNT_RE = re.compile(rb'\scount="\d*"')


def _rgb(color: str) -> str:
    return "FF" + color.upper()


class StyleBook:
    """Cell and differential formats of one workbook, added to as needed."""

    def __init__(self, xml: bytes) -> None:
        self._xml = xml
        m = _PREFIX_RE.search(xml)
        if m is None:
            raise ValueError("not a stylesheet")
        self._p = (m.group(1).decode() + ":") if m.group(1) else ""
        self._sections: dict[str, list[str]] = {}  # entries as found (prefix removed)
        self._added: dict[str, list[str]] = {}
        self._index: dict[tuple[str, str], int] = {}
        self._numfmts: dict[str, int] = {}
        self._looks: dict[Look, int] = {}
        self._changed = False
        for name in _CHILD:
            entries = self._entries(name)
            self._sections[name] = entries
            self._added[name] = []
            for i, entry in enumerate(entries):
                self._index.setdefault((name, entry), i)
        for m in _NUMFMT_RE.finditer(xml):
            self._numfmts.setdefault(_unescape(m.group(2).decode()), int(m.group(1)))
        for m in _NUMFMT_RE2.finditer(xml):
            self._numfmts.setdefault(_unescape(m.group(1).decode()), int(m.group(2)))

    # ----------------------------------------------------------------- reading

    def _section(self, name: str) -> re.Match[bytes] | None:
        p = re.escape(self._p.encode())
        return re.search(
            rb"<" + p + name.encode() + rb"\b[^>]*?(?:/>|>(.*?)</" + p + name.encode() + rb">)",
            self._xml,
            re.S,
        )

    def _entries(self, name: str) -> list[str]:
        m = self._section(name)
        if m is None or m.group(1) is None:
            return []
        child = _CHILD[name].encode()
        p = re.escape(self._p.encode())
        found = re.findall(
            rb"<" + p + child + rb"\b(?:[^>]*?/>|[^>]*?(?<!/)>.*?</" + p + child + rb">)",
            m.group(1),
            re.S,
        )
        return [self._plain(e.decode("utf-8")) for e in found]

    def _plain(self, entry: str) -> str:
        """An entry as this module writes it: without the file's prefix."""
        if not self._p:
            return entry
        return entry.replace("<" + self._p, "<").replace("</" + self._p, "</")

    def _own(self, entry: str) -> str:
        if not self._p:
            return entry
        return re.sub(r"<(/?)(?=[A-Za-z])", lambda m: "<" + m.group(1) + self._p, entry)

    def _add(self, section: str, entry: str) -> int:
        key = (section, entry)
        if key not in self._index:
            if section in ("fonts", "fills", "borders", "cellXfs", "cellStyleXfs"):
                self._ensure(section)
            self._index[key] = len(self._sections[section]) + len(self._added[section])
            self._added[section].append(entry)
            self._changed = True
        return self._index[key]

    def _ensure(self, section: str) -> None:
        """A section a workbook lacks gets the entries every workbook must have first."""
        if self._sections[section] or self._added[section]:
            return
        for entry in _split(_DEFAULTS[section]):
            self._index.setdefault((section, entry), len(self._added[section]))
            self._added[section].append(entry)
        self._changed = True

    # ----------------------------------------------------------------- public

    def index(self, look: Look) -> int:
        """The ``cellXfs`` index of a cell format for ``look``."""
        known = self._looks.get(look)
        if known is not None:
            return known
        if not self._sections["cellStyleXfs"]:
            self._ensure("cellStyleXfs")
        numfmt = self._numfmt(look.number_format)
        font = self._add("fonts", _font(look))
        fill = self._add("fills", _fill(look.fill)) if look.fill else 0
        border = self._add("borders", _border()) if look.border else 0
        if not look.fill:
            self._ensure("fills")
        if not look.border:
            self._ensure("borders")
        align = ""
        attrs = []
        if look.halign:
            attrs.append(f'horizontal="{look.halign}"')
        if look.valign and look.valign != "bottom":
            attrs.append(f'vertical="{look.valign}"')
        if look.wrap:
            attrs.append('wrapText="1"')
        if look.indent:
            attrs.append(f'indent="{look.indent}"')
        if attrs:
            align = f"<alignment {' '.join(attrs)}/>"
        xf = (
            f'<xf numFmtId="{numfmt}" fontId="{font}" fillId="{fill}" borderId="{border}" '
            'xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" '
            'applyAlignment="1"' + (f">{align}</xf>" if align else "/>")
        )
        self._ensure("cellXfs")
        i = self._add("cellXfs", xf)
        self._looks[look] = i
        return i

    def dxf(self, fill: str) -> int:
        """The index of a differential format: a solid background (conditional formats)."""
        rgb = _rgb(fill)
        return self._add(
            "dxfs",
            f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/>'
            f'<bgColor rgb="{rgb}"/></patternFill></fill></dxf>',
        )

    def _numfmt(self, code: str) -> int:
        if not code:
            return 0
        if code in self._numfmts:
            return self._numfmts[code]
        used = set(self._numfmts.values())
        n = FIRST_CUSTOM_NUMFMT
        while n in used:
            n += 1
        self._numfmts[code] = n
        self._add("numFmts", f'<numFmt numFmtId="{n}" formatCode="{xml_attr(code)}"/>')
        return n

    @property
    def changed(self) -> bool:
        return self._changed

    def xml(self) -> bytes:
        """The stylesheet with the entries added; the very bytes read when none were."""
        if not self._changed:
            return self._xml
        out = self._xml
        for name in _CHILD:
            added = self._added[name]
            if not added:
                continue
            out = self._append(out, name, "".join(self._own(e) for e in added))
        return out

    def _append(self, xml: bytes, name: str, body: str) -> bytes:
        p = self._p
        total = len(self._sections[name]) + len(self._added[name])
        data = body.encode("utf-8")
        m = self._section_in(xml, name)
        if m is not None:
            start_tag_end = xml.index(b">", m.start()) + 1
            tag = xml[m.start() : start_tag_end]
            if tag.endswith(b"/>"):
                open_tag = tag[:-2].rstrip() + b">"
                close = f"</{p}{name}>".encode()
                new = open_tag + data + close
                return xml[: m.start()] + _counted(new, total) + xml[start_tag_end:]
            close_at = m.end() - len(f"</{p}{name}>")
            head = _counted(tag, total)
            return xml[: m.start()] + head + xml[start_tag_end:close_at] + data + xml[close_at:]
        section = f'<{p}{name} count="{total}">'.encode() + data + f"</{p}{name}>".encode()
        return _insert_section(xml, p, name, section)

    def _section_in(self, xml: bytes, name: str) -> re.Match[bytes] | None:
        p = re.escape(self._p.encode())
        n = name.encode()
        return re.search(rb"<" + p + n + rb"\b[^>]*?(?:/>|>.*?</" + p + n + rb">)", xml, re.S)


def _split(entries: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r"<(\w+)\b(?:[^>]*?/>|[^>]*?(?<!/)>.*?</\1>)", entries)]


def _counted(tag: bytes, total: int) -> bytes:
    if _COUNT_RE.search(tag):
        return _COUNT_RE.sub(b' count="%d"' % total, tag, count=1)
    end = -2 if tag.endswith(b"/>") else -1
    return tag[:end] + b' count="%d"' % total + tag[end:]


def _insert_section(xml: bytes, p: str, name: str, section: bytes) -> bytes:
    """Put a new section before the first one that follows it in schema order."""
    later = _ORDER[_ORDER.index(name) + 1 :]
    best = None
    for other in later:
        m = re.search(rb"<" + re.escape(p.encode()) + other.encode() + rb"\b", xml)
        if m is not None and (best is None or m.start() < best):
            best = m.start()
    if best is None:
        end = xml.rindex(f"</{p}styleSheet>".encode())
        best = end
    return xml[:best] + section + xml[best:]


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _font(look: Look) -> str:
    parts = []
    if look.bold:
        parts.append("<b/>")
    if look.italic:
        parts.append("<i/>")
    if look.underline:
        parts.append("<u/>")
    parts.append(f'<sz val="{look.size:g}"/>')
    if look.color:
        parts.append(f'<color rgb="{_rgb(look.color)}"/>')
    parts.append(f'<name val="{FONT}"/><family val="2"/>')
    return "<font>" + "".join(parts) + "</font>"


def _fill(color: str) -> str:
    return (
        f'<fill><patternFill patternType="solid"><fgColor rgb="{_rgb(color)}"/>'
        '<bgColor indexed="64"/></patternFill></fill>'
    )


def _border() -> str:
    side = f'style="thin"><color rgb="{_rgb(BORDER_COLOR)}"/>'
    return (
        f"<border><left {side}</left><right {side}</right><top {side}</top>"
        f"<bottom {side}</bottom><diagonal/></border>"
    )


MINIMAL_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{NS_MAIN}">'
    f'<fonts count="1">{_DEFAULTS["fonts"]}</fonts>'
    f'<fills count="2">{_DEFAULTS["fills"]}</fills>'
    f'<borders count="1">{_DEFAULTS["borders"]}</borders>'
    f'<cellStyleXfs count="1">{_DEFAULTS["cellStyleXfs"]}</cellStyleXfs>'
    f'<cellXfs count="1">{_DEFAULTS["cellXfs"]}</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
"""A stylesheet with only what every workbook must have: the start of a new workbook."""
