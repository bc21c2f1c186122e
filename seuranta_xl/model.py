"""The domain: hierarchy codes, the progress scale, rows and the plan they form.

Pure: no workbook library is imported here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import IntEnum, StrEnum
from functools import cached_property, lru_cache, total_ordering

MAX_LEVEL = 3
"""Goal (1), annual goal (2), action (3)."""

EXCEL_CELL_LIMIT = 32_767
"""Excel keeps at most this many characters in one cell."""


class Level(IntEnum):
    """Where a row sits in the hierarchy."""

    GOAL = 1
    ANNUAL_GOAL = 2
    ACTION = 3


class Field(StrEnum):
    """The columns of a follow-up sheet, by what they hold."""

    GOAL = "goal"
    ANNUAL_GOAL = "annual_goal"
    ACTION = "action"
    RISKS = "risks"
    OVERALL = "overall"
    STATUS = "status"
    COMMENTARY = "commentary"
    OWNER = "owner"

    @property
    def level(self) -> Level | None:
        """The hierarchy level whose code and title this column holds, if any."""
        return _LEVEL_OF_FIELD.get(self)

    @classmethod
    def for_level(cls, level: int) -> Field:
        """The code-and-title column of a level."""
        return LEVEL_FIELDS[level - 1]


LEVEL_FIELDS: tuple[Field, Field, Field] = (Field.GOAL, Field.ANNUAL_GOAL, Field.ACTION)
_LEVEL_OF_FIELD = {f: Level(i + 1) for i, f in enumerate(LEVEL_FIELDS)}
EDITABLE_FIELDS: tuple[Field, ...] = (Field.RISKS, Field.OVERALL, Field.STATUS, Field.COMMENTARY)
"""The fields an owner may change in a round."""
FIELD_ORDER: tuple[Field, ...] = tuple(Field)
"""The column order of a master: the sample's order."""


# --------------------------------------------------------------------------- codes

_SPACES = " \t\u00a0\u2007\u202f"
# digits and dots at the start of the cell, then the title after white space
_CODE_RE = re.compile(
    r"^(?P<lead>[\s\u00a0\u2007\u202f]*)(?P<code>\d+(?:\.\d+)*\.?)(?P<rest>.*)$", re.S
)


# "01. Title", "01.03 Title", "01.03.01 Title" or the code alone, exactly as it should be
_EDGE = r"[^\s\u00a0\u2007\u202f]"  # a title's first and last character: no kind of space
_CANONICAL_RE = re.compile(
    rf"(\d\d\.|\d\d\.\d\d|\d\d\.\d\d\.\d\d)(?: ({_EDGE}(?:.*{_EDGE})?))?\Z", re.S
)


class CodeIssue(StrEnum):
    """Ways a code was recognised but not written in its canonical form."""

    PADDING = "padding"  # 1.3 for 01.03
    TRAILING_DOT = "trailing_dot"  # 01.03. for 01.03
    MISSING_DOT = "missing_dot"  # 01 for 01.
    LEADING_SPACE = "leading_space"
    NBSP = "nbsp"  # a non-breaking or other odd space around the code
    SEPARATOR = "separator"  # no space, or several, between code and title
    NUMBER_CELL = "number_cell"  # the cell holds a number, not text


@total_ordering
@dataclass(frozen=True)
class Code:
    """A hierarchy code: ``01.`` (goal), ``01.03`` (annual goal), ``01.03.01`` (action).

    Codes order depth-first: a parent sorts before its children and they before its
    next sibling, so sorting a plan by code gives the order of the sheet.
    """

    parts: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.parts or min(self.parts) < 0:
            raise ValueError(f"invalid code parts {self.parts!r}")

    @classmethod
    def parse(cls, text: str) -> Code:
        """Parse a canonical or sloppy code alone (no title); ValueError if it is none."""
        parsed = parse_code_cell(text)
        if parsed.code is None or parsed.title:
            raise ValueError(f"not a code: {text!r}")
        return parsed.code

    @property
    def level(self) -> int:
        return len(self.parts)

    @property
    def parent(self) -> Code | None:
        return Code(self.parts[:-1]) if len(self.parts) > 1 else None

    def ancestors(self) -> Iterator[Code]:
        """Parent, grandparent, … up to the goal."""
        for n in range(len(self.parts) - 1, 0, -1):
            yield Code(self.parts[:n])

    def is_ancestor_of(self, other: Code) -> bool:
        return len(self.parts) < len(other.parts) and other.parts[: len(self.parts)] == self.parts

    @cached_property
    def text(self) -> str:
        """The canonical form, ``01.`` or ``01.03``; computed once (codes are compared and
        printed a great deal in a merge)."""
        body = ".".join(f"{p:02d}" for p in self.parts)
        return body + "." if len(self.parts) == 1 else body

    def __str__(self) -> str:
        return self.text

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Code):
            return NotImplemented
        return self.parts < other.parts


@dataclass(frozen=True)
class CodeCell:
    """A code-and-title cell as understood: the code (None when there is none), the title,
    and how the text departs from the canonical ``CODE TITLE``."""

    code: Code | None
    title: str
    issues: tuple[CodeIssue, ...] = ()

    @property
    def canonical(self) -> str:
        """The text as it should stand: ``01.03 Title``."""
        if self.code is None:
            return self.title
        return f"{self.code} {self.title}".rstrip()


def parse_code_cell(value: object) -> CodeCell:
    """Split a cell such as ``01.03 Vahvistamme…`` into code and title.

    Recognises sloppy forms (``1.3``, ``01.03.``, ``01``, stray or non-breaking spaces, a
    number cell) and says how the text departs from the canonical form; never guesses a
    code that is not written at the start of the cell.
    """
    if type(value) is str:
        canonical = _CANONICAL_RE.match(value)
        if canonical is not None:  # the usual case, read without the checks below
            digits = canonical.group(1).rstrip(".").split(".")
            return CodeCell(Code(tuple(map(int, digits))), canonical.group(2) or "")
    issues: list[CodeIssue] = []
    if isinstance(value, bool) or value is None:
        return CodeCell(None, "" if value is None else str(value))
    if isinstance(value, int | float):
        issues.append(CodeIssue.NUMBER_CELL)
        text = format_number(value)
    else:
        text = str(value)
    m = _CODE_RE.match(text)
    if m is None:
        return CodeCell(None, text.strip())
    lead, raw, rest = m.group("lead"), m.group("code"), m.group("rest")
    # "2021 budjetti": a number then a word is a title, not a code, unless it fits as one
    if rest and rest[0] not in _SPACES and rest[0] != "\n":
        return CodeCell(None, text.strip())
    trailing_dot = raw.endswith(".")
    digits = raw.rstrip(".").split(".")
    parts = tuple(int(d) for d in digits)
    if lead:
        issues.append(CodeIssue.NBSP if lead.strip(" \t") else CodeIssue.LEADING_SPACE)
    if any(len(d) != 2 and not (len(d) > 2 and d[0] != "0") for d in digits):
        issues.append(CodeIssue.PADDING)
    if len(parts) == 1 and not trailing_dot:
        issues.append(CodeIssue.MISSING_DOT)
    if len(parts) > 1 and trailing_dot:
        issues.append(CodeIssue.TRAILING_DOT)
    title = rest
    if rest:
        sep_len = len(rest) - len(rest.lstrip(_SPACES))
        sep = rest[:sep_len]
        if any(ch not in " \t" for ch in sep):
            issues.append(CodeIssue.NBSP)
        elif sep != " ":
            issues.append(CodeIssue.SEPARATOR)
        title = rest[sep_len:]
    stripped = title.rstrip(_SPACES)
    # trailing spaces after a title are common and harmless; only odd spaces are reported
    if stripped.strip() and any(ch not in " \t" for ch in title[len(stripped) :]):
        issues.append(CodeIssue.NBSP)
    return CodeCell(Code(parts), stripped, tuple(dict.fromkeys(issues)))


EXACT_DIGITS = 15
"""Excel keeps 15 significant digits; larger or smaller numbers it shows as ``1E+308``."""


def format_number(value: float) -> str:
    """A number as Excel shows it in the formula bar: ``3`` for 3.0, ``1.3`` for 1.3,
    ``1E+308`` for 1e308 (never 309 digits); ``#NUM!`` for what no cell can hold."""
    if isinstance(value, float) and not math.isfinite(value):
        return "#NUM!"
    if abs(value) < 10**EXACT_DIGITS and (isinstance(value, int) or value.is_integer()):
        return str(int(value))
    text = format(float(value), f".{EXACT_DIGITS}G")
    if math.isinf(float(text)):  # rounded up past the largest double: toward zero instead
        from decimal import ROUND_DOWN, Context, Decimal

        text = format(Context(prec=EXACT_DIGITS, rounding=ROUND_DOWN).plus(Decimal(value)), "G")
    return text


def cell_text(value: object) -> str:
    """A cell's value as the text a person sees in it, for masters and returns alike:
    empty for a blank cell, numbers as ``format_number``, a boolean as ``TRUE``/``FALSE``
    (the file's own spelling, which Excel in English and LibreOffice show)."""
    if type(value) is str:  # the usual case
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


# --------------------------------------------------------------------------- statuses

_WS_RE = re.compile(r"[\s\u00a0\u2007\u202f]+")
_STATUS_RE = re.compile(r"^(?P<num>\d+)(?:[.,]0+)?(?:\s*[-–—:.)]\s*|\s+|$)(?P<label>.*)$", re.S)


def normalize_text(text: str) -> str:
    """Casefolded with every run of white space (non-breaking included) made one space."""
    return _WS_RE.sub(" ", text).strip().casefold()


LABEL_SIMILARITY = 0.85
"""How close the text after a status number must be to that step's own label to be read
by the number (``difflib`` ratio, case and spacing ignored, and no number the label lacks);
the label's first whole words also do. A typo such as ``viimeistely`` for ``viimeistelty``
is, and ``3 Toteutus on aloitettu``; ``4 ei vielä, ehkä 2``, ``2-3``, ``3.5`` or
``3 valmis`` are not, and are not on the scale."""


class StatusMatch(StrEnum):
    """How a status value relates to the scale."""

    EXACT = "exact"  # "3 Toteutus on aloitettu, ei vielä valmis"
    VARIANT = "variant"  # case, spacing or punctuation differs; a bare number; a label alone
    LABEL_DIFFERS = "label_differs"  # the number is on the scale, its label mistyped
    UNKNOWN = "unknown"  # not on the scale
    EMPTY = "empty"


@dataclass(frozen=True)
class StatusValue:
    """A progress status as read: the value on the scale (None when unknown or empty)."""

    raw: object
    value: int | None
    match: StatusMatch

    @property
    def is_empty(self) -> bool:
        return self.match is StatusMatch.EMPTY


@dataclass(frozen=True)
class StatusScale:
    """The progress scale: numbered labels, e.g. ``3 Toteutus on aloitettu, ei vielä valmis``.

    The scale is data: the default is the sample's, a master carries its own.
    """

    labels: tuple[tuple[int, str], ...]

    def __post_init__(self) -> None:
        values = [v for v, _ in self.labels]
        if not values:
            raise ValueError("a status scale needs at least one step")
        if len(set(values)) != len(values):
            raise ValueError(f"status scale repeats a value: {values}")

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> StatusScale:
        """Build a scale from lines such as ``3 Toteutus on aloitettu``."""
        steps: list[tuple[int, str]] = []
        for raw in lines:
            line = _WS_RE.sub(" ", raw).strip()
            if not line:
                continue
            m = _STATUS_RE.match(line)
            if m is None:
                raise ValueError(f"a scale line must start with its number: {line!r}")
            steps.append((int(m.group("num")), m.group("label").strip()))
        return cls(tuple(steps))

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(v for v, _ in self.labels)

    def label(self, value: int) -> str:
        return dict(self.labels)[value]

    def display(self, value: int) -> str:
        """The canonical text of a step: ``3 Toteutus on aloitettu, ei vielä valmis``."""
        return f"{value} {self.label(value)}".rstrip()

    def displays(self) -> list[str]:
        return [self.display(v) for v in self.values]

    def parse(self, raw: object) -> StatusValue:
        """Read a status as typed or pasted: ``3``, ``3.0``, ``"3"``, ``3 Label``,
        ``3 - Label``, the label alone, in any case and spacing."""
        if isinstance(raw, str):
            return _parse_text_status(self, raw)  # the same few texts recur: cached
        return self._parse(raw)

    def _parse(self, raw: object) -> StatusValue:
        if raw is None or (isinstance(raw, str) and not raw.strip(_SPACES + "\n\r")):
            return StatusValue(raw, None, StatusMatch.EMPTY)
        if isinstance(raw, bool):
            return StatusValue(raw, None, StatusMatch.UNKNOWN)
        if isinstance(raw, int | float):
            if float(raw).is_integer() and int(raw) in self.values:
                return StatusValue(raw, int(raw), StatusMatch.VARIANT)
            return StatusValue(raw, None, StatusMatch.UNKNOWN)
        text = str(raw)
        labels = dict(self.labels)
        m = _STATUS_RE.match(_WS_RE.sub(" ", text).strip())
        if m is not None:
            value = int(m.group("num"))
            if value not in labels:
                return StatusValue(raw, None, StatusMatch.UNKNOWN)
            label = m.group("label")
            if text == self.display(value):
                return StatusValue(raw, value, StatusMatch.EXACT)
            if not label.strip() or _loose(label) == _loose(labels[value]):
                return StatusValue(raw, value, StatusMatch.VARIANT)
            if _similar(label, labels[value]):
                return StatusValue(raw, value, StatusMatch.LABEL_DIFFERS)
            return StatusValue(raw, None, StatusMatch.UNKNOWN)
        wanted = _loose(text)
        for value, label in self.labels:
            if wanted == _loose(label):
                return StatusValue(raw, value, StatusMatch.VARIANT)
        return StatusValue(raw, None, StatusMatch.UNKNOWN)


@lru_cache(maxsize=4096)
def _parse_text_status(scale: StatusScale, raw: str) -> StatusValue:
    return scale._parse(raw)


def _loose(text: str) -> str:
    """Compare labels ignoring case, spacing and trailing punctuation."""
    return normalize_text(text).rstrip(".!")


_DIGITS_RE = re.compile(r"\d+")


def _similar(written: str, label: str) -> bool:
    """Is ``written`` the step's ``label`` with a typo or two (``LABEL_SIMILARITY``)? A
    number the label does not have (``… valmis, ehkä 4``) makes it another statement."""
    a, b = _loose(written), _loose(label)
    if not a or _DIGITS_RE.findall(a) != _DIGITS_RE.findall(b):
        return False
    if b.startswith(a) and not b[len(a)].isalnum():
        return True  # the label's first words: shortened, not another statement
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= LABEL_SIMILARITY


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class CellRef:
    """Where a value came from: a sheet and an A1 address."""

    sheet: str
    row: int  # 1-based, as Excel numbers rows
    column: int  # 1-based

    @property
    def address(self) -> str:
        return f"{column_letter(self.column)}{self.row}"

    def __str__(self) -> str:
        return f"{self.sheet}!{self.address}"


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    if index < 1:
        raise ValueError(f"column index must be positive, got {index}")
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str | bytes) -> int:
    """A -> 1, AA -> 27 (the inverse of ``column_letter``)."""
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + ch - 64
    return n


@dataclass(frozen=True)
class Row:
    """One row of the follow-up: a goal, an annual goal or an action.

    ``values`` holds every field's cell value exactly as read (text stays text, a number
    stays a number), ``cells`` where each field lives. The code, title and status are
    interpretations of those values.
    """

    sheet_row: int
    column_level: int | None  # which code column (A, B, C) holds the code cell
    code_cell: CodeCell
    status: StatusValue
    values: dict[Field, object]
    sheet: str
    columns: Mapping[Field, int]  # field -> 1-based column, shared by the plan's rows
    extras: tuple[object, ...] = ()
    level_fields_used: tuple[Field, ...] = ()  # the code columns that were not empty

    def ref(self, f: Field) -> CellRef | None:
        """Where a field's cell stands, or None when the sheet has no such column."""
        col = self.columns.get(f)
        return CellRef(self.sheet, self.sheet_row, col) if col is not None else None

    @property
    def cells(self) -> dict[Field, CellRef]:
        """Every field's cell."""
        return {f: CellRef(self.sheet, self.sheet_row, c) for f, c in self.columns.items()}

    @property
    def code(self) -> Code | None:
        return self.code_cell.code

    @property
    def title(self) -> str:
        return self.code_cell.title

    @property
    def level(self) -> int | None:
        """The code's depth, or the column's when the code is missing."""
        return self.code.level if self.code is not None else self.column_level

    def text(self, f: Field) -> str:
        """A field as text: empty for a blank cell, numbers without a trailing .0."""
        return cell_text(self.values.get(f))

    @property
    def owner(self) -> str:
        return self.text(Field.OWNER).strip()

    @property
    def risks(self) -> str:
        return self.text(Field.RISKS)

    @property
    def overall(self) -> str:
        return self.text(Field.OVERALL)

    @property
    def commentary(self) -> str:
        return self.text(Field.COMMENTARY)

    @property
    def code_field(self) -> Field | None:
        return Field.for_level(self.column_level) if self.column_level else None


@dataclass(frozen=True)
class Plan:
    """A follow-up sheet as read: its rows in sheet order, the scale and the layout."""

    sheet: str
    header_row: int
    columns: dict[Field, int]  # field -> 1-based column
    headers: dict[Field, str]
    rows: tuple[Row, ...]
    scale: StatusScale
    extra_columns: tuple[tuple[int, str], ...] = ()  # (column, header) kept as they are
    blank_rows: tuple[int, ...] = ()  # sheet rows inside the data that were empty
    source: str = ""

    def __len__(self) -> int:
        return len(self.rows)

    def by_code(self) -> dict[Code, Row]:
        """First row of each code."""
        out: dict[Code, Row] = {}
        for row in self.rows:
            if row.code is not None:
                out.setdefault(row.code, row)
        return out

    def owners(self) -> list[str]:
        """Owners in order of first appearance."""
        return list(dict.fromkeys(r.owner for r in self.rows if r.owner))

    def count_by_level(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for row in self.rows:
            if row.level is not None:
                counts[row.level] = counts.get(row.level, 0) + 1
        return counts


@dataclass(frozen=True)
class SourceTable:
    """A grid of cell values as read from a file, before its header is found."""

    name: str  # the sheet name, or the file name for text files
    cells: Sequence[Sequence[object]]
    first_row: int = 1  # sheet row of cells[0]
