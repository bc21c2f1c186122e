"""seuranta-xl: strategy follow-up spreadsheets for Finnish municipalities.

The public API, by name. The core (model, layout, rules, findings) imports no workbook
library; reading and writing files lives in ``seuranta_xl.xlsx``.
"""

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
from .errors import LayoutError, SeurantaError, UnreadableFile, WriteError
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
