"""Workbook-level surgery on an xlsx package, in place: the tool's own sheets removed (with
the parts only they own) and added anew, every other zip entry copied byte for byte.

Only the small package parts are read and rewritten (the workbook, its relationships, the
content types, the styles, ``docProps/app.xml``); a large data sheet is never parsed, only
copied, unless a caller asks to edit sheets. Sheet-scoped defined names follow their sheets
when positions change; new part names, relationship ids and sheet ids never collide with
existing ones, and are the same on every run (running twice gives the same package).
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from .marks import MARK_PREFIX, free_name, sheet_of
from .names import DATA_SHEET, KEY_SHEET, LOG_SHEET, RETURNS_SHEET, ROUNDS_SHEET, SETTINGS_SHEET
from .ooxml import NS_PKG_REL, NS_REL, quote_sheet, xml_attr, xml_text
from .patch import _office_document, _write_raw, copy_entry_raw
from .save import atomic_write
from .sheetspec import SheetSpec
from .sheetxml import render
from .styles import MINIMAL_STYLES, StyleBook

RECORD_SHEETS = (DATA_SHEET, SETTINGS_SHEET, ROUNDS_SHEET, KEY_SHEET, RETURNS_SHEET, LOG_SHEET)
"""The sheets holding the master's data and the tool's records: never removed as a tool
sheet, whatever marker names them."""
REL_WORKSHEET = NS_REL + "/worksheet"
REL_STYLES = NS_REL + "/styles"
REL_DRAWING = NS_REL + "/drawing"
REL_CHART = NS_REL + "/chart"
REL_CALC_CHAIN = NS_REL + "/calcChain"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"

_ATTR_RE = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REL_RE = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*?/?>")
# a sheet written <sheet …/> or <sheet …></sheet> (both are the same XML)
_SHEET_RE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?(?:/>|>.*?</(?:\w+:)?sheet\s*>)", re.S)
_NAME_RE = re.compile(rb"<(?:\w+:)?definedName\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?definedName>)", re.S)
_OVERRIDE_RE = re.compile(rb"<(?:\w+:)?Override\b[^>]*?/>")
_LOCAL_RE = re.compile(rb"""(\slocalSheetId\s*=\s*["'])(\d+)(["'])""")


def _attrs(tag: bytes) -> dict[str, str]:
    return {
        k.decode(): html.unescape((dq or sq).decode("utf-8")) for k, dq, sq in _ATTR_RE.findall(tag)
    }


def _local(attrs: Mapping[str, str], name: str) -> str | None:
    """An attribute by its local name, whatever its prefix."""
    for k, v in attrs.items():
        if k == name or k.endswith(":" + name):
            return v
    return None


def _resolve(source: str, target: str) -> str:
    """A relationship's target as a part name, relative to its source part."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def rels_of(part: str) -> str:
    """The relationships part of ``part``."""
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


@dataclass(frozen=True)
class SheetEntry:
    """A sheet as the workbook lists it."""

    name: str
    sheet_id: int
    rid: str
    part: str
    state: str
    element: bytes  # the ``<sheet/>`` element as it stands


@dataclass
class NewSheet:
    """A sheet to add: from a ``SheetSpec``, or as ready XML (``xml``) with ``name``."""

    spec: SheetSpec | None = None
    kind: str = ""  # the marker's kind; "" for a sheet that is not marked
    xml: bytes = b""
    name: str = ""
    state: str = ""  # "" = from the spec (visible or hidden)

    @property
    def wanted(self) -> str:
        return self.spec.name if self.spec is not None else self.name


@dataclass
class Edit:
    """What to change in a package."""

    remove_kinds: tuple[str, ...] = ()
    first: list[NewSheet] = field(default_factory=list)  # placed first in the workbook
    after: list[NewSheet] = field(default_factory=list)  # placed after ``data_sheet``
    last: list[NewSheet] = field(default_factory=list)  # placed at the end
    data_sheet: str | None = None
    # called with each remaining sheet's name, XML and the style book: new XML or None
    edit_sheets: Callable[[str, bytes, StyleBook], bytes | None] | None = None


@dataclass
class Surgery:
    """The entries to replace, drop and add, and the names the new sheets were given."""

    replaced: dict[str, bytes] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    added: dict[str, bytes] = field(default_factory=dict)
    names: list[tuple[str, str]] = field(default_factory=list)  # (wanted, given)
    packed: dict[str, bytes] = field(default_factory=dict)  # large parts as deflated
    workbook: str = ""  # the workbook part
    sheets: list[str] = field(default_factory=list)  # the sheets it lists afterwards, in order
    kept: list[str] | None = None  # the sheets an XML parser finds in it, less those removed


class Package:
    """The package-level parts of a workbook, read from an open zip."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.entries = {i.filename for i in zf.infolist()}
        self.lower = {n.lower(): n for n in self.entries}
        self.workbook = _office_document(zf)
        self.workbook_xml = zf.read(self.workbook)
        self.wb_rels_part = rels_of(self.workbook)
        self.wb_rels = zf.read(self.wb_rels_part)
        self.rels: list[tuple[bytes, dict[str, str]]] = [
            (m.group(0), _attrs(m.group(0))) for m in _REL_RE.finditer(self.wb_rels)
        ]
        self.targets = {
            a.get("Id", ""): _resolve(self.workbook, a.get("Target", ""))
            for _, a in self.rels
            if a.get("TargetMode") != "External"
        }
        sheets_m = self._sheets_section()
        self.sheets: list[SheetEntry] = []
        for m in _SHEET_RE.finditer(self.workbook_xml, sheets_m.start(), sheets_m.end()):
            a = _attrs(m.group(0))
            rid = _local({k: v for k, v in a.items() if ":" in k}, "id") or ""
            self.sheets.append(
                SheetEntry(
                    a.get("name", ""),
                    int(a.get("sheetId", "0") or 0),
                    rid,
                    self.targets.get(rid, ""),
                    a.get("state", "visible"),
                    m.group(0),
                )
            )
        root = re.search(rb"<(?:(\w+):)?workbook\b[^>]*>", self.workbook_xml)
        assert root is not None
        self.prefix = (root.group(1).decode() + ":") if root.group(1) else ""
        r = re.search(rb'xmlns:(\w+)="' + re.escape(NS_REL.encode()) + rb'"', root.group(0))
        self.r_prefix = r.group(1).decode() if r else "r"
        # some writers declare the relationships namespace on each <sheet>, not the root
        self.r_declared = r is not None
        self.root_tag = root.group(0)

    def _sheets_section(self) -> re.Match[bytes]:
        m = re.search(
            rb"<(?:\w+:)?sheets\b[^>]*?(?:/>|>.*?</(?:\w+:)?sheets>)", self.workbook_xml, re.S
        )
        if m is None:
            raise ValueError("workbook lists no sheets")
        return m

    def marked(self) -> dict[str, str]:
        """Sheet name -> kind, for the sheets the tool marked as its own."""
        from .marks import KINDS

        names = {s.name for s in self.sheets}
        out: dict[str, str] = {}
        for m in _NAME_RE.finditer(self.workbook_xml):
            a = _attrs(m.group(1))
            name = a.get("name", "")
            if "localSheetId" in a or not name.startswith(MARK_PREFIX):
                continue
            kind = name[len(MARK_PREFIX) :]
            sheet = sheet_of(html.unescape((m.group(2) or b"").decode("utf-8", "replace")))
            if kind in KINDS and sheet in names:
                out[sheet] = kind
        return out

    def read(self, part: str) -> bytes | None:
        real = self.lower.get(part.lower())
        return self.zf.read(real) if real is not None else None


def plan_surgery(zf: zipfile.ZipFile, edit: Edit) -> Surgery:
    """What ``edit`` changes in the package open in ``zf``."""
    return _Surgeon(zf, edit).plan()


class _Surgeon:
    """One edit of one package, step by step."""

    def __init__(self, zf: zipfile.ZipFile, edit: Edit) -> None:
        self.zf, self.edit = zf, edit
        self.pkg = pkg = Package(zf)
        self.out = Surgery()
        # a marker naming the data sheet or a record sheet (hand-edited, or a hostile file)
        # is no proof the tool made that sheet: it is never removed for it
        records = {n.casefold() for n in (*RECORD_SHEETS, edit.data_sheet or DATA_SHEET)}
        self.marked = {n: k for n, k in pkg.marked().items() if n.casefold() not in records}
        self.removed = [s for s in pkg.sheets if self.marked.get(s.name) in edit.remove_kinds]
        self.removed_names = {s.name for s in self.removed}
        self.remaining = [s for s in pkg.sheets if s.name not in self.removed_names]
        self.new = [*edit.first, *edit.after, *edit.last]
        self.given: dict[int, str] = {}
        self.order: list[SheetEntry | NewSheet] = []
        self.data: str | None = None
        self.new_rels: list[str] = []
        self.new_overrides: list[tuple[str, str]] = []
        self.entries_for: dict[int, bytes] = {}
        self.drop_rids = {s.rid for s in self.removed}
        removed_parts = {s.part for s in self.removed}
        self.used_rids = {
            a.get("Id", "") for _, a in pkg.rels if pkg.targets.get(a.get("Id", "")) not in
            removed_parts
        }  # fmt: skip
        self.dropped = _owned(zf, pkg, self.removed)
        self.dropped |= {rels_of(s.part) for s in self.removed if s.part} & pkg.entries
        self.dropped |= {s.part for s in self.removed if s.part in pkg.entries}
        self.taken_parts = {n.lower() for n in pkg.entries - self.dropped}
        self.wb_dir = posixpath.dirname(pkg.workbook)

    def plan(self) -> Surgery:
        self._name_and_order()
        book, styles_part = self._style_book()
        self._edit_sheets(book)
        self._add_sheets(book)
        self._calc_chain()
        self.out.replaced[self.pkg.workbook] = self._workbook()
        self.out.replaced[self.pkg.wb_rels_part] = self._workbook_rels()
        self.out.replaced["[Content_Types].xml"] = self._content_types()
        if styles_part in self.out.added:
            self.out.added[styles_part] = book.xml()
        elif book.changed:
            self.out.replaced[styles_part] = book.xml()
        names = [o.name if isinstance(o, SheetEntry) else self.given[id(o)] for o in self.order]
        self.out.workbook, self.out.sheets = self.pkg.workbook, names
        try:
            listed = _listed_sheets(self.pkg.workbook_xml)
        except ValueError:
            listed = None
        self.out.kept = [n for n in listed if n not in self.removed_names] if listed else None
        app = self.pkg.read("docProps/app.xml")
        if app is not None:
            new_app = app_titles(app, names)
            if new_app != app:
                self.out.replaced[self.pkg.lower["docprops/app.xml"]] = new_app
        self.out.dropped = {self.pkg.lower.get(d.lower(), d) for d in self.dropped}
        for part in list(self.out.replaced):
            if part in self.out.dropped:
                del self.out.replaced[part]
        return self.out

    def _name_and_order(self) -> None:
        """Names given (a coordinator's sheet keeps its name, the tool's gets another) and
        the new order of the sheets."""
        edit = self.edit
        taken = [s.name for s in self.remaining]
        for new in self.new:
            name = free_name(new.wanted, taken) if new.kind else new.wanted
            taken.append(name)
            self.given[id(new)] = name
            self.out.names.append((new.wanted, name))
        order: list[SheetEntry | NewSheet] = [*edit.first]
        data = edit.data_sheet
        if data not in {s.name for s in self.remaining}:
            others = [s.name for s in self.remaining if s.name not in self.marked]
            data = others[0] if others else None
        placed = False
        for s in self.remaining:
            order.append(s)
            if s.name == data:
                order.extend(edit.after)
                placed = True
        if not placed:
            order[len(edit.first) : len(edit.first)] = edit.after
        order.extend(edit.last)
        self.order, self.data = order, data

    def _fresh_rid(self) -> str:
        n = 1
        while f"rId{n}" in self.used_rids:
            n += 1
        self.used_rids.add(f"rId{n}")
        return f"rId{n}"

    def _fresh_part(self, folder: str, stem: str) -> str:
        n = 1
        while posixpath.join(folder, f"{stem}{n}.xml").lower() in self.taken_parts:
            n += 1
        part = posixpath.join(folder, f"{stem}{n}.xml")
        self.taken_parts.add(part.lower())
        return part

    def _style_book(self) -> tuple[StyleBook, str]:
        pkg = self.pkg
        styles_part = next(
            (pkg.targets[a["Id"]] for _, a in pkg.rels
             if a.get("Type") == REL_STYLES and a.get("Id") in pkg.targets),
            None,
        )  # fmt: skip
        styles_xml = pkg.read(styles_part) if styles_part else None
        if styles_part is not None and styles_xml is not None:
            return StyleBook(styles_xml), pkg.lower.get(styles_part.lower(), styles_part)
        # a workbook without styles (some writers leave them out) gets the minimal ones
        styles_part = self._fresh_part(self.wb_dir, "styles")
        self.new_rels.append(
            f'<Relationship Id="{self._fresh_rid()}" Type="{REL_STYLES}" '
            f'Target="{xml_attr(_relative(pkg.workbook, styles_part))}"/>'
        )
        self.new_overrides.append((styles_part, CT_STYLES))
        self.out.added[styles_part] = b""  # the book's, once the sheets are in
        return StyleBook(MINIMAL_STYLES.encode()), styles_part

    def _edit_sheets(self, book: StyleBook) -> None:
        if self.edit.edit_sheets is None:
            return
        for s in self.remaining:
            xml = self.pkg.read(s.part) if s.part else None
            if xml is None:
                continue
            new_xml = self.edit.edit_sheets(s.name, xml, book)
            if new_xml is not None and new_xml != xml:
                self.out.replaced[self.pkg.lower.get(s.part.lower(), s.part)] = new_xml

    def _add_sheets(self, book: StyleBook) -> None:
        used_ids = {s.sheet_id for s in self.remaining}
        p, rp = self.pkg.prefix, self.pkg.r_prefix
        for new in self.new:
            name = self.given[id(new)]
            part = self._fresh_part(posixpath.join(self.wb_dir, "worksheets"), "sheet")
            if new.spec is not None:
                self._add_spec(new.spec, name, part, book)
                state = new.state or ("visible" if new.spec.visible else "hidden")
            else:
                self.out.added[part] = new.xml
                state = new.state or "visible"
            self.new_overrides.append((part, CT_SHEET))
            rid = self._fresh_rid()
            self.new_rels.append(
                f'<Relationship Id="{rid}" Type="{REL_WORKSHEET}" '
                f'Target="{xml_attr(_relative(self.pkg.workbook, part))}"/>'
            )
            sheet_id = 1
            while sheet_id in used_ids:
                sheet_id += 1
            used_ids.add(sheet_id)
            state_attr = f' state="{state}"' if state != "visible" else ""
            ns = "" if self.pkg.r_declared else f' xmlns:{rp}="{NS_REL}"'
            self.entries_for[id(new)] = (
                f'<{p}sheet name="{xml_attr(name)}" sheetId="{sheet_id}"{state_attr}{ns} '
                f'{rp}:id="{rid}"/>'
            ).encode()

    def _add_spec(self, spec: SheetSpec, name: str, part: str, book: StyleBook) -> None:
        rendered = render(spec, book, name)
        self.out.added[part] = rendered.xml
        if not rendered.chart:
            return
        drawing = self._fresh_part(posixpath.join(self.wb_dir, "drawings"), "drawing")
        chart = self._fresh_part(posixpath.join(self.wb_dir, "charts"), "chart")
        self.out.added[drawing] = rendered.drawing
        self.out.added[rels_of(drawing)] = _rels_xml(
            [("rId1", REL_CHART, _relative(drawing, chart))]
        )
        self.out.added[chart] = rendered.chart
        self.out.added[rels_of(part)] = _rels_xml([("rId1", REL_DRAWING, _relative(part, drawing))])
        self.new_overrides += [(drawing, CT_DRAWING), (chart, CT_CHART)]

    def _calc_chain(self) -> None:
        """A calculation chain names sheets by id: one with an entry on a removed sheet is
        dropped (Excel rebuilds it)."""
        pkg = self.pkg
        removed_ids = {s.sheet_id for s in self.removed}
        chain = next(
            ((a["Id"], pkg.targets[a["Id"]]) for _, a in pkg.rels
             if a.get("Type") == REL_CALC_CHAIN and a.get("Id") in pkg.targets),
            None,
        )  # fmt: skip
        if chain is not None and _chain_names(pkg.read(chain[1]) or b"", removed_ids):
            self.dropped.add(pkg.lower.get(chain[1].lower(), chain[1]))
            self.drop_rids.add(chain[0])

    def _workbook(self) -> bytes:
        pkg, p = self.pkg, self.pkg.prefix
        index_of: dict[object, int] = {
            (o.name if isinstance(o, SheetEntry) else id(o)): i for i, o in enumerate(self.order)
        }
        sheets_xml = b"".join(
            o.element if isinstance(o, SheetEntry) else self.entries_for[id(o)] for o in self.order
        )
        wb = pkg.workbook_xml
        sm = pkg._sheets_section()
        head = re.match(rb"<[^>]*?>", wb[sm.start() : sm.end()])
        assert head is not None
        open_tag = head.group(0)[:-2] + b">" if head.group(0).endswith(b"/>") else head.group(0)
        wb = wb[: sm.start()] + open_tag + sheets_xml + f"</{p}sheets>".encode() + wb[sm.end() :]
        wb = _set_defined_names(wb, p, self._defined_names(wb, index_of))
        return _book_views(wb, pkg, self.order, index_of, self.data)

    def _defined_names(self, wb: bytes, index_of: Mapping[object, int]) -> list[bytes]:
        """The names kept (a sheet's own names follow it to its new position; those of a
        removed sheet and the removed kinds' markers go) and the new sheets' names."""
        old_names = [s.name for s in self.pkg.sheets]
        kinds = {n.kind for n in self.new if n.kind}
        drop_markers = {MARK_PREFIX + k for k in (*self.edit.remove_kinds, *kinds)}
        names: list[bytes] = []
        for m in _NAME_RE.finditer(wb):
            a = _attrs(m.group(1))
            element = m.group(0)
            local = a.get("localSheetId")
            if local is not None:
                try:
                    old = old_names[int(local)]
                except (ValueError, IndexError):
                    names.append(element)
                    continue
                if old in self.removed_names:
                    continue
                new_index = str(index_of[old]).encode()
                element = _LOCAL_RE.sub(
                    lambda mm, i=new_index: mm.group(1) + i + mm.group(3), element, count=1
                )
            elif a.get("name", "") in drop_markers:
                continue
            names.append(element)
        p = self.pkg.prefix
        for new in self.new:
            name, i = self.given[id(new)], index_of[id(new)]
            sheet = quote_sheet(name)
            if new.kind:
                names.append(_name(p, MARK_PREFIX + new.kind, f"{sheet}!$A$1"))
            spec = new.spec
            if spec is not None and spec.title_rows:
                a, b = spec.title_rows
                names.append(_name(p, "_xlnm.Print_Titles", f"{sheet}!${a}:${b}", local=i))
            if spec is not None and spec.autofilter:
                ref = re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", spec.autofilter)
                names.append(
                    _name(p, "_xlnm._FilterDatabase", f"{sheet}!{ref}", local=i, hidden=True)
                )
        return names

    def _workbook_rels(self) -> bytes:
        rels = self.pkg.wb_rels
        kept = [raw for raw, a in self.pkg.rels if a.get("Id") not in self.drop_rids]
        start = re.search(rb"<(?:(\w+):)?Relationships\b[^>]*>", rels)
        close = re.search(rb"</(?:\w+:)?Relationships>\s*$", rels)
        assert start is not None and close is not None
        rpfx = start.group(1).decode() + ":" if start.group(1) else ""
        added = "".join(r.replace("<Relationship ", f"<{rpfx}Relationship ") for r in self.new_rels)
        return rels[: start.end()] + b"".join(kept) + added.encode() + rels[close.start() :]

    def _content_types(self) -> bytes:
        ct = self.zf.read("[Content_Types].xml")
        gone = {"/" + d.lower() for d in self.dropped}

        def keep(m: re.Match[bytes]) -> bytes:
            part = _attrs(m.group(0)).get("PartName", "")
            return b"" if part.lower() in gone else m.group(0)

        ct = _OVERRIDE_RE.sub(keep, ct)
        close = re.search(rb"</(?:(\w+):)?Types>", ct)
        assert close is not None
        tp = (close.group(1).decode() + ":") if close.group(1) else ""
        overrides = list(self.new_overrides)
        if not re.search(rb'<(?:\w+:)?Default\b[^>]*\sExtension="rels"', ct, re.I):
            # a package listing each relationships part by name: the new ones are listed too
            overrides += [(part, CT_RELS) for part in self.out.added if part.endswith(".rels")]
        added = "".join(
            f'<{tp}Override PartName="/{xml_attr(part)}" ContentType="{kind}"/>'
            for part, kind in overrides
        )
        return ct[: close.start()] + added.encode() + ct[close.start() :]


def _rels_xml(rels: Iterable[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f'<Relationship Id="{rid}" Type="{kind}" Target="{xml_attr(target)}"/>'
        for rid, kind, target in rels
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{NS_PKG_REL}">{body}</Relationships>'
    ).encode()


def _name(p: str, name: str, ref: str, *, local: int | None = None, hidden: bool = False) -> bytes:
    attrs = f' name="{xml_attr(name)}"'
    if local is not None:
        attrs += f' localSheetId="{local}"'
    if hidden:
        attrs += ' hidden="1"'
    return f"<{p}definedName{attrs}>{xml_text(ref)}</{p}definedName>".encode()


# the elements that follow definedNames in a workbook, in schema order
_AFTER_NAMES = (
    b"calcPr", b"oleSize", b"customWorkbookViews", b"pivotCaches", b"smartTagPr",
    b"smartTagTypes", b"webPublishing", b"fileRecoveryPr", b"webPublishObjects", b"extLst",
)  # fmt: skip


def _set_defined_names(wb: bytes, p: str, names: list[bytes]) -> bytes:
    section = re.search(
        rb"<(?:\w+:)?definedNames\b[^>]*?(?:/>|>.*?</(?:\w+:)?definedNames>)", wb, re.S
    )
    body = (
        f"<{p}definedNames>".encode() + b"".join(names) + f"</{p}definedNames>".encode()
        if names
        else b""
    )
    if section is not None:
        return wb[: section.start()] + body + wb[section.end() :]
    if not names:
        return wb
    at = None
    for tag in _AFTER_NAMES:
        m = re.search(rb"<(?:\w+:)?" + tag + rb"\b", wb)
        if m is not None and (at is None or m.start() < at):
            at = m.start()
    if at is None:
        at = wb.rindex(f"</{p}workbook>".encode())
    return wb[:at] + body + wb[at:]


def _book_views(
    wb: bytes,
    pkg: Package,
    order: list[SheetEntry | NewSheet],
    index_of: Mapping[object, int],
    data: str | None,
) -> bytes:
    """The active and first tab still name a sheet that is there, the same one when it
    stayed; an active sheet removed gives way to the data sheet (or, when that is hidden,
    the first visible sheet). No sheet the tool adds is scrolled out of the tab strip."""
    old_names = [s.name for s in pkg.sheets]
    hidden = {i for i, o in enumerate(order) if _state(o) != "visible"}
    added = [i for i, o in enumerate(order) if isinstance(o, NewSheet) and i not in hidden]
    visible = [i for i in range(len(order)) if i not in hidden]

    def fix(m: re.Match[bytes]) -> bytes:
        tag = m.group(0)
        a = _attrs(tag)

        def mapped(attr: str, default: int) -> int:
            try:
                old = old_names[int(a.get(attr, "0"))]
            except (ValueError, IndexError):
                return default
            return index_of.get(old, default)

        fallback = index_of.get(data, 0) if data is not None else 0
        if fallback in hidden and visible:
            fallback = visible[0]
        active = mapped("activeTab", fallback)
        if active in hidden:
            active = fallback
        first = min(mapped("firstSheet", 0), active, *added)
        tag = _set_attr(tag, b"activeTab", active, default=0)
        return _set_attr(tag, b"firstSheet", first, default=0)

    return re.sub(rb"<(?:\w+:)?workbookView\b[^>]*?/?>", fix, wb)


def _state(sheet: SheetEntry | NewSheet) -> str:
    if isinstance(sheet, SheetEntry):
        return sheet.state
    return sheet.state or ("visible" if sheet.spec is None or sheet.spec.visible else "hidden")


def _set_attr(tag: bytes, attr: bytes, value: int, *, default: int) -> bytes:
    pattern = re.compile(rb"(\s" + attr + rb"""\s*=\s*["'])(\d*)(["'])""")
    if pattern.search(tag):
        return pattern.sub(lambda m: m.group(1) + str(value).encode() + m.group(3), tag, count=1)
    if value == default:
        return tag
    end = -2 if tag.endswith(b"/>") else -1
    return tag[:end] + b" " + attr + b'="%d"' % value + tag[end:]


def _chain_names(chain: bytes, ids: set[int]) -> bool:
    """Whether a calculation chain has an entry on one of the sheets ``ids`` (an entry
    without ``i`` is on the sheet of the one before)."""
    current = 0
    for m in re.finditer(rb"<(?:\w+:)?c\b[^>]*?/?>", chain):
        i = re.search(rb'\si="(\d+)"', m.group(0))
        if i is not None:
            current = int(i.group(1))
        if current in ids:
            return True
    return False


def _owned(zf: zipfile.ZipFile, pkg: Package, removed: list[SheetEntry]) -> set[str]:
    """The parts reachable only from the removed sheets (their drawings, charts, comments,
    printer settings…), through every relationship in the package."""
    if not removed:
        return set()
    graph: dict[str, list[str]] = {}
    for name in pkg.entries:
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        source = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")])
        if name == "_rels/.rels":
            source = ""
        targets = []
        for m in _REL_RE.finditer(zf.read(name)):
            a = _attrs(m.group(0))
            if a.get("TargetMode") == "External" or (
                "Target" in a and a["Target"].startswith(("http:", "https:", "mailto:", "file:"))
            ):
                continue
            base = source if source else "x"
            targets.append(_resolve(base, a.get("Target", "")).lower())
        graph[source.lower()] = targets
    removed_parts = {s.part.lower() for s in removed if s.part}
    wb = pkg.workbook.lower()
    graph[wb] = [t for t in graph.get(wb, []) if t not in removed_parts]

    def reach(starts: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        stack = list(starts)
        while stack:
            part = stack.pop()
            if part in seen:
                continue
            seen.add(part)
            stack.extend(graph.get(part, []))
        return seen

    kept = reach(graph.get("", []))
    owned = reach(removed_parts) - kept - removed_parts
    out: set[str] = set()
    for part in owned:
        real = pkg.lower.get(part)
        if real is None:
            continue
        out.add(real)
        rels = pkg.lower.get(rels_of(part).lower())
        if rels is not None:
            out.add(rels)
    return out


# --------------------------------------------------------------------------- docProps/app.xml

_VECTOR_RE = re.compile(
    rb"(<(?:\w+:)?(HeadingPairs|TitlesOfParts)>\s*<(?:(\w+):)?vector\b[^>]*>)(.*?)"
    rb"(</(?:\w+:)?vector>\s*</(?:\w+:)?\2>)",
    re.S,
)
_VARIANT_RE = re.compile(
    rb"<(?:\w+:)?variant>\s*<(?:\w+:)?lpstr>([^<]*)</(?:\w+:)?lpstr>\s*</(?:\w+:)?variant>\s*"
    rb"<(?:\w+:)?variant>\s*<(?:\w+:)?i4>(\d+)</(?:\w+:)?i4>\s*</(?:\w+:)?variant>"
)
_LPSTR_RE = re.compile(rb"<(?:\w+:)?lpstr>([^<]*)</(?:\w+:)?lpstr>|<(?:\w+:)?lpstr/>")


def app_titles(app: bytes, sheets: list[str]) -> bytes:
    """``docProps/app.xml`` listing ``sheets`` as the workbook's worksheets (the first
    heading pair); the rest of its list as it was. One that cannot be read as Excel writes
    it is made consistent: the worksheets only."""
    found = {m.group(2): m for m in _VECTOR_RE.finditer(app)}
    if b"HeadingPairs" not in found or b"TitlesOfParts" not in found:
        return app
    pairs_m, titles_m = found[b"HeadingPairs"], found[b"TitlesOfParts"]
    vt = (pairs_m.group(3).decode() + ":") if pairs_m.group(3) else ""
    pairs = [(m.group(1), int(m.group(2))) for m in _VARIANT_RE.finditer(pairs_m.group(4))]
    titles = [m.group(1) or b"" for m in _LPSTR_RE.finditer(titles_m.group(4))]
    if not pairs or sum(n for _, n in pairs) != len(titles):
        pairs = [(b"Worksheets", len(titles))]
    rest = titles[pairs[0][1] :]
    new_titles = [xml_text(s).encode() for s in sheets] + rest
    pairs[0] = (pairs[0][0], len(sheets))

    def vector(open_tag: bytes, body: bytes, size: int) -> bytes:
        return re.sub(rb'\ssize="\d*"', b' size="%d"' % size, open_tag, count=1) + body

    pair_body = b"".join(
        f"<{vt}variant><{vt}lpstr>".encode()
        + label
        + f"</{vt}lpstr></{vt}variant>".encode()
        + f"<{vt}variant><{vt}i4>{n}</{vt}i4></{vt}variant>".encode()
        for label, n in pairs
    )
    title_body = b"".join(
        f"<{vt}lpstr>".encode() + t + f"</{vt}lpstr>".encode() for t in new_titles
    )
    # the later match first, so that the earlier one's offsets stay right
    edits = sorted(
        [
            (pairs_m, vector(pairs_m.group(1), pair_body, 2 * len(pairs))),
            (titles_m, vector(titles_m.group(1), title_body, len(new_titles))),
        ],
        key=lambda e: -e[0].start(),
    )
    out = app
    for m, new_open in edits:
        out = out[: m.start()] + new_open + m.group(5) + out[m.end() :]
    return out


# --------------------------------------------------------------------------- writing


LARGE = 1_000_000
"""A part this large is deflated at level 1 (several times faster, a little larger) and
checked as stored, not inflated again."""


def _write(source: zipfile.ZipFile, tmp: Path, surgery: Surgery) -> None:
    """The package anew: entries replaced in place, dropped ones left out, new ones at the
    end; every other entry copied as its stored bytes."""
    from .patch import _deflate

    def put(dst: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
        if len(data) > LARGE:
            deflated, crc = _deflate(data)
            surgery.packed[info.filename] = deflated
            _write_raw(dst, info, deflated, crc, len(data))
        else:
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)

    with zipfile.ZipFile(tmp, "w") as dst:
        for info in source.infolist():
            name = info.filename
            if name in surgery.dropped:
                continue
            data = surgery.replaced.get(name)
            if data is None:
                copy_entry_raw(source, dst, info)
            else:
                put(dst, info, data)
        for name, data in surgery.added.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o600 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            put(dst, info, data)


def _verify(tmp: Path, surgery: Surgery) -> None:
    from .patch import _stored_bytes

    with zipfile.ZipFile(tmp) as zf:
        names = set(zf.namelist())
        if (surgery.dropped - set(surgery.added)) & names:
            raise OSError("written file still holds a removed part")
        for part, data in [*surgery.replaced.items(), *surgery.added.items()]:
            packed = surgery.packed.get(part)
            if packed is not None:
                same = _stored_bytes(zf, zf.getinfo(part)) == packed
            else:
                same = zf.read(part) == data
            if not same:
                raise OSError(f"written file differs at {part}")
        if surgery.workbook:
            _check_sheets(zf.read(surgery.workbook), surgery)


def _listed_sheets(workbook: bytes) -> list[str]:
    """The sheets a workbook part lists, read by an XML parser (ValueError if it is not
    well-formed)."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(workbook)
    except ElementTree.ParseError as exc:
        raise ValueError(str(exc)) from None
    return [
        e.get("name", "")
        for sheets in root
        if sheets.tag.rsplit("}", 1)[-1] == "sheets"
        for e in sheets
        if e.tag.rsplit("}", 1)[-1] == "sheet"
    ]


def _check_sheets(workbook: bytes, surgery: Surgery) -> None:
    """The written workbook is well-formed XML and lists the sheets meant, every one the
    source had and the edit did not remove among them (one the surgery failed to see is
    never left out)."""
    try:
        listed = _listed_sheets(workbook)
    except ValueError as exc:
        raise OSError(f"written workbook is not well-formed XML ({exc})") from None
    if len({n.casefold() for n in listed}) != len(listed):  # Excel refuses such a workbook
        raise OSError(f"written workbook would list two sheets of one name: {listed}")
    kept = surgery.kept
    if listed != surgery.sheets or (
        kept is not None and [n for n in listed if n in set(kept)] != kept
    ):
        raise OSError(f"written workbook lists the sheets {listed}, not {surgery.sheets}")


def rewrite(path: Path, edit: Edit, *, backup: bool = True) -> tuple[Path | None, Surgery]:
    """Apply ``edit`` to the workbook at ``path`` in place (atomically, with a backup,
    verified). The caller holds the file's run lock. Returns the backup made and what was
    done."""
    path = Path(path)
    with zipfile.ZipFile(path) as zf:
        surgery = plan_surgery(zf, edit)

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(path) as src:
            _write(src, tmp, surgery)

    made = atomic_write(path, write, backup=backup, verify=lambda tmp: _verify(tmp, surgery))
    return made, surgery


def write_new(
    path: Path, sheets: list[NewSheet], *, title: str = "", backup: bool = False
) -> tuple[Path | None, Surgery]:
    """A new workbook of ``sheets``: a minimal package (styles, no sheets) with the sheets
    added by the same surgery as in place. The caller holds the file's run lock."""
    from .ooxml import Properties, workbook_bytes

    base = workbook_bytes([], MINIMAL_STYLES, properties=Properties(title=title))
    source = zipfile.ZipFile(BytesIO(base))
    surgery = plan_surgery(source, Edit(last=list(sheets)))

    def write(tmp: Path) -> None:
        _write(source, tmp, surgery)

    try:
        made = atomic_write(path, write, backup=backup, verify=lambda t: _verify(t, surgery))
    finally:
        source.close()
    return made, surgery
