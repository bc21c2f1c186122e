"""Fatal problems: the few things that stop an operation outright.

Everything else a user should fix is a Finding, collected and reported together.
Each error carries a message key and its parameters so it can be said in Finnish or
English; ``str()`` gives the Finnish text.
"""

from __future__ import annotations

from typing import Any


class _Said:
    """A text key of ``texts.ERRORS`` and its parameters, said in Finnish or English."""

    key: str
    params: dict[str, Any]

    def message(self, lang: str = "fi") -> str:
        from .texts import error_text

        return error_text(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.message("fi")


class SeurantaError(_Said, Exception):
    """Base of every fatal problem seuranta-xl reports."""

    exit_code = 2

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)


class UnreadableFile(SeurantaError):
    """The file cannot be used: missing, not a spreadsheet, encrypted, damaged, too large."""


class LayoutError(SeurantaError):
    """The file is a spreadsheet but not a follow-up sheet: no header, no data sheet."""


class WriteError(SeurantaError):
    """A file cannot be written: it exists, is open elsewhere, or saving failed."""


class RoundError(SeurantaError):
    """A round cannot be made as asked: its id, its owners or its files."""


class MasterHasErrors(SeurantaError):
    """The master has validation errors that must be fixed first; ``report`` says which."""

    exit_code = 1

    def __init__(self, key: str, report: object = None, **params: Any) -> None:
        super().__init__(key, **params)
        self.report = report


class SeurantaWarning(_Said, UserWarning):
    """Something the user should hear about although the run went on; ``key`` and
    ``params`` name a text in ``texts.ERRORS``."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)


class MissingExtra(SeurantaError):
    """An optional part is not installed (pandas, for ``frames``); the message says how to
    install it."""
