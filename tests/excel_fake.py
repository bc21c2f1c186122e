"""A fake of the xlwings subset ``seuranta_xl.excel`` uses, for tests where Excel cannot run.

The subset (what the entry points call, and nothing more):

* ``xlwings.Book.caller()`` -> the calling book;
* book: ``fullname`` (its path), ``app``, ``api.Saved`` (Excel's unsaved-changes flag),
  ``save()``, ``close()``, ``sheets[name].activate()``;
* app: ``alert(prompt, title, buttons)`` returning the button pressed (``"ok"``,
  ``"yes"``, ``"no"``, ``"cancel"``), ``status_bar`` (settable), ``books.open(path)``;
  ``app.api.FileDialog(4)`` (Excel's folder picker: ``Title``, ``InitialFileName``,
  ``Show()`` -1 when a folder was chosen, ``SelectedItems(1)``) and ``app.api.InputBox``.

Unsaved changes are cell edits kept in the book (``edit``) until ``save()`` writes them
to the file (with openpyxl, as a stand-in for Excel's save); ``close()`` drops them, as
closing without saving does. Every step is recorded in ``app.events`` so a test can tell
what happened in which order, and the file's bytes are noted at each close and open.
"""

from __future__ import annotations

import hashlib
import sys
import types
from pathlib import Path
from typing import Any


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class FakeDialog:
    """Excel's FileDialog(msoFileDialogFolderPicker)."""

    def __init__(self, app: FakeApp) -> None:
        self.app = app
        self.Title = ""
        self.InitialFileName = ""

    def Show(self) -> int:
        self.app.events.append(("pick_folder", self.Title, self.InitialFileName))
        return 0 if self.app.folder is None else -1

    def SelectedItems(self, n: int) -> str:
        assert n == 1
        return str(self.app.folder)


class FakeAppApi:
    """``app.api``: the two Excel calls the entry points make through COM."""

    def __init__(self, app: FakeApp) -> None:
        self.app = app

    def FileDialog(self, kind: int) -> FakeDialog:
        assert kind == 4  # msoFileDialogFolderPicker
        if not self.app.dialogs:
            raise AttributeError("FileDialog")  # as on a Mac: no such call
        return FakeDialog(self.app)

    def InputBox(self, prompt: str, title: str, default: str, Type: int) -> Any:
        assert Type == 2  # text
        self.app.events.append(("input_box", prompt, default))
        if not self.app.dialogs:
            raise AttributeError("InputBox")
        return False if self.app.text is None else self.app.text


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book, self.name = book, name

    def activate(self) -> None:
        self.book.app.active_sheet = self.name
        self.book.app.events.append(("activate", self.name))


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book

    def __getitem__(self, name: str) -> FakeSheet:
        import python_calamine as pc

        names = pc.CalamineWorkbook.from_path(str(self.book.path)).sheet_names
        if name not in names:
            raise KeyError(name)
        return FakeSheet(self.book, name)


class FakeBookApi:
    def __init__(self, book: FakeBook) -> None:
        self.book = book

    @property
    def Saved(self) -> bool:
        return not self.book.pending


class FakeBook:
    def __init__(self, app: FakeApp, path: Path | str) -> None:
        self.app = app
        self.path = Path(path)
        self.fullname = str(path)
        self.pending: dict[tuple[str, str], object] = {}
        self.closed = False
        self.api = FakeBookApi(self)
        self.sheets = FakeSheets(self)

    def edit(self, sheet: str, cell: str, value: object) -> None:
        """A change typed in Excel and not saved yet."""
        self.pending[(sheet, cell)] = value

    def save(self) -> None:
        from openpyxl import load_workbook

        wb = load_workbook(self.path)
        for (sheet, cell), value in self.pending.items():
            wb[sheet][cell] = value
        wb.save(self.path)
        self.pending.clear()
        self.app.events.append(("save",))

    def close(self) -> None:
        assert not self.closed, "closed twice"
        self.closed = True
        self.pending.clear()
        self.app.events.append(("close", digest(self.path)))


class FakeBooks:
    def __init__(self, app: FakeApp) -> None:
        self.app = app

    def open(self, fullname: str) -> FakeBook:
        if self.app.open_fails:
            raise OSError("cannot open")
        book = FakeBook(self.app, fullname)
        self.app.events.append(("open", digest(book.path)))
        return book


class FakeApp:
    """``answers``: the buttons pressed for questions (alerts other than "ok"), in order;
    ``folder``: what the folder picker returns (None: cancelled); ``text``: what the input
    box returns (None: cancelled); ``dialogs=False``: Excel without those calls."""

    def __init__(
        self,
        answers: list[str] | None = None,
        folder: Path | None = None,
        text: str | None = None,
        dialogs: bool = True,
    ) -> None:
        self.answers = list(answers or [])
        self.folder, self.text, self.dialogs = folder, text, dialogs
        self.alerts: list[tuple[str, str | None, str]] = []
        self.statuses: list[object] = []
        self.events: list[tuple[Any, ...]] = []
        self.active_sheet: str | None = None
        self.open_fails = False
        self.books = FakeBooks(self)
        self.api = FakeAppApi(self)

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", *rest: Any) -> str:
        self.alerts.append((prompt, title, buttons))
        self.events.append(("alert", buttons))
        if buttons == "ok":
            return "ok"
        return self.answers.pop(0)

    @property
    def status_bar(self) -> object:
        return self.statuses[-1] if self.statuses else False

    @status_bar.setter
    def status_bar(self, value: object) -> None:
        self.statuses.append(value)

    @property
    def messages(self) -> list[str]:
        """The message boxes shown (not the questions)."""
        return [p for p, _, b in self.alerts if b == "ok"]


def install(monkeypatch: Any, path: Path | str, **app_options: Any) -> FakeBook:
    """Put a fake ``xlwings`` in ``sys.modules`` whose caller book is ``path``."""
    app = FakeApp(**app_options)
    book = FakeBook(app, path)
    module = types.ModuleType("xlwings")
    module.Book = types.SimpleNamespace(caller=lambda: book)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "xlwings", module)
    return book
