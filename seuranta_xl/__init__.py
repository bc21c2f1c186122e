"""seuranta-xl: strategy follow-up spreadsheets for Finnish municipalities.

The public API, by name. The core (model, layout, rules, findings) imports no workbook
library; reading and writing files lives in ``seuranta_xl.xlsx``.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from .api import (
    GenerateResult,
    InitResult,
    OwnerFile,
    ValidationResult,
    demo_source,
    generate,
    init_master,
    mark,
    merge,
    synthetic_master,
    validate,
)
from .collect import FileResult, MergeResult
from .errors import LayoutError, MissingExtra, SeurantaError, UnreadableFile, WriteError
from .findings import Finding, Report, Severity
from .layout import find_header, match_header, read_plan
from .model import (
    Code,
    CodeCell,
    Field,
    Level,
    Plan,
    Row,
    SourceTable,
    StatusMatch,
    StatusScale,
    StatusValue,
    parse_code_cell,
)
from .rules import validate_plan
from .scale import default_scale

if TYPE_CHECKING:
    from .analysis import Frames


def frames(master: str | Path, *, round_id: str | None = None) -> "Frames":
    """The master as pandas data frames: its rows, change log, returns tracker, rounds and
    the summary's distributions (overall, per goal, per owner); every column is described
    in ``seuranta_xl.analysis``. Needs the optional extra ``seuranta-xl[analysis]``
    (pandas): without it, MissingExtra says how to install it."""
    from .analysis import read_frames

    return read_frames(master, round_id=round_id)


__version__ = "0.1.0"

__all__ = [
    "Code",
    "CodeCell",
    "Field",
    "FileResult",
    "Finding",
    "GenerateResult",
    "InitResult",
    "LayoutError",
    "Level",
    "MergeResult",
    "MissingExtra",
    "OwnerFile",
    "Plan",
    "Report",
    "Row",
    "SeurantaError",
    "Severity",
    "SourceTable",
    "StatusMatch",
    "StatusScale",
    "StatusValue",
    "UnreadableFile",
    "ValidationResult",
    "WriteError",
    "__version__",
    "default_scale",
    "demo_source",
    "find_header",
    "frames",
    "generate",
    "init_master",
    "mark",
    "match_header",
    "merge",
    "parse_code_cell",
    "read_plan",
    "synthetic_master",
    "validate",
    "validate_plan",
]
