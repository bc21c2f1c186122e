"""Rounds: who gets which rows, the manifest each owner workbook carries, and its signature.

A round sends every owner their rows plus the rows above them as read-only context. The
manifest records what was issued, signed with an HMAC key that only the master holds, so a
returned file can be checked without trusting it. Pure: standard library only.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .celltext import stored_text
from .model import FIELD_ORDER, Code, Plan, Row

MANIFEST_FORMAT = 1
MANIFEST_MARK = "seuranta-xl-manifesti"
ROUND_RE = re.compile(r"^[\w][\w.\-]{0,40}$")
WINDOWS_FORBIDDEN = '<>:"/\\|?*'
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)
}


def default_round_id(today: date | None = None) -> str:
    """``2026-syksy`` from July on, ``2026-kevät`` before: the two reporting seasons."""
    today = today or date.today()
    return f"{today.year}-{'kevät' if today.month <= 6 else 'syksy'}"


def check_round_id(round_id: str) -> str:
    """A round id: letters (ä and ö too), digits, ``-``, ``_`` and ``.``, at most 41 characters."""
    round_id = unicodedata.normalize("NFC", round_id.strip())
    if not ROUND_RE.match(round_id):
        raise ValueError(round_id)
    return round_id


@functools.lru_cache(maxsize=65536)  # a summary asks it for every row of a large master
def owner_key(name: str) -> str:
    """Owners are the same person when their names differ only in case, spacing and
    invisible format characters (a zero-width space pasted from a mail, say)."""
    text = stored_text(unicodedata.normalize("NFC", name))
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(visible.split()).casefold()


def new_key() -> str:
    """A fresh signing key for a master: 32 random bytes, hex."""
    return secrets.token_hex(32)


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class IssuedRow:
    """A row as it goes into an owner workbook: editable (the owner's) or context."""

    row: Row
    editable: bool


@dataclass(frozen=True)
class OwnerPart:
    """One owner's part of a round: their rows and the ancestors they hang from, in sheet order."""

    owner: str
    rows: tuple[IssuedRow, ...]

    @property
    def own_count(self) -> int:
        return sum(1 for r in self.rows if r.editable)


def owners_of(plan: Plan) -> dict[str, str]:
    """owner key -> the name as first written."""
    out: dict[str, str] = {}
    for row in plan.rows:
        if row.owner:
            out.setdefault(owner_key(row.owner), row.owner)
    return out


def split_by_owner(plan: Plan, only: Iterable[str] | None = None) -> list[OwnerPart]:
    """Each owner's rows plus their ancestors (by code) as context, in master order.

    ``only`` limits the owners (names matched as ``owner_key``); an owner with no rows has
    no part. Rows without a code cannot be issued and are left out (validation reports them).
    """
    names = owners_of(plan)
    wanted = set(names) if only is None else {owner_key(o) for o in only}
    by_code: dict[Code, Row] = {}
    for row in plan.rows:
        if row.code is not None:
            by_code.setdefault(row.code, row)
    mine: dict[str, list[Row]] = {}
    for row in plan.rows:
        if row.owner and row.code is not None and owner_key(row.owner) in wanted:
            mine.setdefault(owner_key(row.owner), []).append(row)
    parts: list[OwnerPart] = []
    order = {id(r): i for i, r in enumerate(plan.rows)}
    for key in names:
        rows = mine.get(key)
        if not rows:
            continue
        own_ids = {id(r) for r in rows}
        chosen: dict[int, Row] = {id(r): r for r in rows}
        for row in rows:
            assert row.code is not None
            for ancestor in row.code.ancestors():
                above = by_code.get(ancestor)
                if above is not None:
                    chosen.setdefault(id(above), above)
        ordered = sorted(chosen.values(), key=lambda r: order[id(r)])
        parts.append(OwnerPart(names[key], tuple(IssuedRow(r, id(r) in own_ids) for r in ordered)))
    return parts


def unowned_rows(plan: Plan) -> list[Row]:
    """Rows nobody is asked to fill in."""
    return [r for r in plan.rows if not r.owner and r.code is not None]


# --------------------------------------------------------------------------- fingerprints


def row_values(row: Row) -> list[str]:
    """A row's fields as text, in master column order: what the manifest records."""
    return [row.text(f) for f in FIELD_ORDER]


def master_fingerprint(plan: Plan) -> str:
    """SHA-256 over every row's code and values: what the round was made from."""
    h = hashlib.sha256()
    for row in plan.rows:
        # \x1f and \x1e cannot stand in a cell's text, so the joins are unambiguous
        h.update("\x1f".join([str(row.code or ""), *row_values(row)]).encode())
        h.update(b"\x1e")
    return h.hexdigest()


# --------------------------------------------------------------------------- file names


def safe_file_stem(text: str) -> str:
    """A file name part Windows accepts: forbidden characters and control characters out,
    ä and ö kept, no trailing dots or spaces, no reserved device names."""
    text = unicodedata.normalize("NFC", text)
    cleaned = "".join(
        "_" if ch in WINDOWS_FORBIDDEN or ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    cleaned = re.sub(r"_+", "_", cleaned).strip("._ ")[:80] or "tuntematon"
    if cleaned.split(".")[0].upper() in WINDOWS_RESERVED:
        cleaned += "_"
    return cleaned


def owner_file_names(
    round_id: str, owners: Sequence[str], taken: Iterable[str] = ()
) -> dict[str, str]:
    """``Seuranta_2021-kevät_Kansliapäällikkö.xlsx`` for each owner, never colliding (also
    not case-insensitively, as on Windows) with each other or with ``taken``."""
    used = {t.casefold() for t in taken}
    out: dict[str, str] = {}
    for owner in owners:
        stem = f"Seuranta_{safe_file_stem(round_id)}_{safe_file_stem(owner)}"
        name, n = f"{stem}.xlsx", 2
        while name.casefold() in used:
            name, n = f"{stem}_{n}.xlsx", n + 1
        used.add(name.casefold())
        out[owner] = name
    return out


# --------------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class ManifestRow:
    """One issued row: its code, where it stands in the owner workbook and the master,
    whether the owner may edit it, and every field's value as issued."""

    code: str
    sheet_row: int
    master_row: int
    editable: bool
    values: tuple[str, ...]  # FIELD_ORDER


@dataclass(frozen=True)
class Manifest:
    """What an owner workbook was issued with."""

    round_id: str
    owner: str
    created: str  # ISO 8601, seconds
    master_id: str
    master_fingerprint: str
    rows: tuple[ManifestRow, ...]
    fields: tuple[str, ...] = tuple(f.value for f in FIELD_ORDER)
    format: int = MANIFEST_FORMAT
    signature: str = field(default="", compare=False)

    def payload(self) -> bytes:
        """The canonical bytes that are signed."""
        body = {
            "format": self.format,
            "round": self.round_id,
            "owner": self.owner,
            "created": self.created,
            "master_id": self.master_id,
            "master_fingerprint": self.master_fingerprint,
            "fields": list(self.fields),
            "rows": [
                [r.code, r.sheet_row, r.master_row, int(r.editable), *r.values] for r in self.rows
            ],
        }
        return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    def signed(self, key: str) -> Manifest:
        return _replace(self, signature=sign(self.payload(), key))

    def verify(self, key: str) -> bool:
        """True when the signature matches the content under the master's key."""
        return bool(self.signature) and hmac.compare_digest(
            self.signature, sign(self.payload(), key)
        )

    # The manifest lives in a (very) hidden sheet as plain cells: a few key/value rows,
    # then one row per issued row. All cells are text.
    HEADER_ROWS = 9

    def to_grid(self) -> list[list[str]]:
        meta = [
            [MANIFEST_MARK, str(self.format)],
            ["round", self.round_id],
            ["owner", self.owner],
            ["created", self.created],
            ["master_id", self.master_id],
            ["master_fingerprint", self.master_fingerprint],
            ["signature", self.signature],
            [],
        ]
        head = ["code", "sheet_row", "master_row", "editable", *self.fields]
        body = [
            [r.code, str(r.sheet_row), str(r.master_row), "1" if r.editable else "0", *r.values]
            for r in self.rows
        ]
        return [*meta, head, *body]

    @classmethod
    def from_grid(cls, grid: Sequence[Sequence[object]]) -> Manifest:
        """Read a manifest back from its sheet's cells; ValueError when it is not one."""
        cells = [[_text(v) for v in row] for row in grid]
        if not cells or not cells[0] or cells[0][0] != MANIFEST_MARK:
            raise ValueError("not a seuranta-xl manifest")
        meta = {row[0]: (row[1] if len(row) > 1 else "") for row in cells[1:8] if row and row[0]}
        head = cells[cls.HEADER_ROWS - 1] if len(cells) >= cls.HEADER_ROWS else []
        if head[:4] != ["code", "sheet_row", "master_row", "editable"]:
            raise ValueError("manifest rows have no header")
        fields = tuple(h for h in head[4:] if h)
        rows = []
        for row in cells[cls.HEADER_ROWS :]:
            if not row or not row[0]:
                continue
            padded = list(row) + [""] * (4 + len(fields) - len(row))
            rows.append(
                ManifestRow(
                    code=padded[0],
                    sheet_row=int(float(padded[1])),
                    master_row=int(float(padded[2])),
                    editable=padded[3] in ("1", "1.0"),
                    values=tuple(padded[4 : 4 + len(fields)]),
                )
            )
        return cls(
            round_id=meta.get("round", ""),
            owner=meta.get("owner", ""),
            created=meta.get("created", ""),
            master_id=meta.get("master_id", ""),
            master_fingerprint=meta.get("master_fingerprint", ""),
            rows=tuple(rows),
            fields=fields,
            format=int(float(cells[0][1])) if len(cells[0]) > 1 and cells[0][1] else 0,
            signature=meta.get("signature", ""),
        )


def sign(payload: bytes, key: str) -> str:
    return hmac.new(bytes.fromhex(key), payload, hashlib.sha256).hexdigest()


def _replace(manifest: Manifest, **changes: object) -> Manifest:
    from dataclasses import replace

    return replace(manifest, **changes)  # type: ignore[arg-type]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def build_manifest(
    part: OwnerPart,
    *,
    round_id: str,
    created: datetime,
    master_id: str,
    fingerprint: str,
    key: str,
    first_row: int = 2,
) -> Manifest:
    """The signed manifest of one owner's part, rows numbered from ``first_row``."""
    rows = tuple(
        ManifestRow(
            code=str(issued.row.code),
            sheet_row=first_row + i,
            master_row=issued.row.sheet_row,
            editable=issued.editable,
            values=tuple(stored_text(v) for v in row_values(issued.row)),
        )
        for i, issued in enumerate(part.rows)
    )
    return Manifest(
        round_id=round_id,
        owner=stored_text(part.owner),
        created=created.isoformat(timespec="seconds"),
        master_id=master_id,
        master_fingerprint=fingerprint,
        rows=rows,
    ).signed(key)


# --------------------------------------------------------------------------- the master's records

KEY_MARK = "seuranta-xl-avain"


@dataclass(frozen=True)
class RoundRecord:
    """One owner workbook issued in a round, as the master's rounds sheet records it."""

    round_id: str
    created: str
    owner: str
    file: str
    rows: int
    own_rows: int
    fingerprint: str
    signature: str
    file_sha256: str = ""  # the workbook as issued: a return with this hash was never filled

    def cells(self) -> list[object]:
        return [
            self.round_id,
            time_value(self.created),
            self.owner,
            self.file,
            self.rows,
            self.own_rows,
            self.fingerprint,
            self.signature,
            self.file_sha256,
        ]

    @classmethod
    def from_cells(cls, row: Sequence[object]) -> RoundRecord:
        """A record from its cells; BadToolCell (column index from 0) for a count that
        is not a whole number."""
        v = [_text(x) for x in row] + [""] * (9 - len(row))
        if len(row) > 1:
            v[1] = time_text(row[1])  # a real date, or the ISO text older versions wrote
        rows, own = _count(v[4], 4), _count(v[5], 5)
        return cls(v[0], v[1], v[2], v[3], rows, own, v[6], v[7], v[8])


def time_text(value: object, sep: str = "T") -> str:
    """A time in the tool's sheets as the ISO text (to the second) the tool compares and
    shows: a cell formatted as a date reads as a datetime, one written by an older
    version as that text, which is kept as it is. Local naive time either way."""
    if isinstance(value, datetime):
        # a serial number read back may be a microsecond off the second written
        value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
        return value.isoformat(sep=sep)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).isoformat(sep=sep)
    return _text(value)


def time_value(text: object) -> object:
    """An ISO time text as a naive datetime, for a real date in the tool's sheets; any
    other value as it is."""
    if isinstance(text, str) and text[:4].isdigit():
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return text
        if value.tzinfo is not None:
            value = value.astimezone().replace(tzinfo=None)
        return value
    return text


class BadToolCell(ValueError):
    """A cell of the tool's own sheets holds what cannot stand there."""

    def __init__(self, row: int, column: int, value: str, expected: str) -> None:
        super().__init__(f"row {row}, column {column}: {value!r}")
        self.row, self.column, self.value, self.expected = row, column, value, expected


def _count(text: str, column: int) -> int:
    try:
        number = float(text or 0)
    except ValueError:
        raise BadToolCell(0, column, text, "count") from None
    if not number.is_integer() or number < 0:
        raise BadToolCell(0, column, text, "count")
    return int(number)


def read_round_records(
    grid: Sequence[Sequence[object]], problems: list[BadToolCell] | None = None
) -> list[RoundRecord]:
    """The rounds sheet's rows under its header; empty rows are skipped.

    A count that is not a whole number raises BadToolCell (row from 1, column from 0); with
    ``problems`` given, it is collected there instead and read as 0, since only the
    round's own bookkeeping needs it.
    """
    out = []
    for i, r in enumerate(grid[1:], start=2):
        if not r or not _text(r[0]):
            continue
        try:
            out.append(RoundRecord.from_cells(r))
        except BadToolCell as exc:
            exc.row = i
            if problems is None:
                raise
            problems.append(exc)
            cells = list(r)
            for c in (4, 5):
                if c < len(cells):
                    try:
                        _count(_text(cells[c]), c)
                    except BadToolCell:
                        cells[c] = 0
            out.append(RoundRecord.from_cells(cells))
    return out


def issued_owners(records: Iterable[RoundRecord], round_id: str) -> dict[str, RoundRecord]:
    """owner key -> record, for the owners already issued in ``round_id``."""
    return {owner_key(r.owner): r for r in records if r.round_id == round_id}


def parts_to_issue(
    plan: Plan, records: Iterable[RoundRecord], round_id: str, owners: Sequence[str] | None = None
) -> tuple[list[OwnerPart], tuple[str, ...]]:
    """The parts a round still has to issue, and the owners it issued before (skipped).

    Raises RoundError for a master without owners, an unknown owner, or a round that has
    already gone to everyone asked for: a round is never issued twice to one owner.
    """
    from .errors import RoundError

    known = owners_of(plan)
    if not known:
        raise RoundError("no_owners", path=plan.source)
    unknown = [o for o in owners or () if owner_key(o) not in known]
    if unknown:
        raise RoundError(
            "unknown_owner", owners=", ".join(unknown), known=", ".join(known.values())
        )
    issued = issued_owners(records, round_id)
    parts = split_by_owner(plan, owners)
    skipped = tuple(p.owner for p in parts if owner_key(p.owner) in issued)
    parts = [p for p in parts if owner_key(p.owner) not in issued]
    if not parts:
        raise RoundError("round_issued", round=round_id, owners=", ".join(skipped))
    return parts, skipped


@dataclass(frozen=True)
class MasterIdentity:
    """The master's id (not secret) and its signing key (secret: only in the master)."""

    master_id: str
    key: str

    def grid(self) -> list[list[str]]:
        return [[KEY_MARK], ["master_id", self.master_id], ["key", self.key]]

    @classmethod
    def from_grid(cls, grid: Sequence[Sequence[object]]) -> MasterIdentity | None:
        if not grid or not grid[0] or _text(grid[0][0]) != KEY_MARK:
            return None
        values = {_text(r[0]): _text(r[1]) for r in grid[1:] if len(r) > 1}
        master_id, key = values.get("master_id", ""), values.get("key", "")
        try:
            bytes.fromhex(key)
        except ValueError:
            return None
        return cls(master_id, key) if master_id and key else None

    @classmethod
    def new(cls) -> MasterIdentity:
        import uuid

        return cls(str(uuid.uuid4()), new_key())
