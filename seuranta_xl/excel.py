"""The Excel layer: one entry point per button of the add-in's *Seuranta* tab.

The add-in's VBA calls these through xlwings' ``RunPython`` (a fresh Python per click),
e.g. ``import seuranta_xl.excel as x; x.merge()``. Each finds the master as the calling
workbook (``xw.Book.caller()``) and runs the same library operation as the CLI
(``seuranta_xl.api``) on the master FILE: unsaved changes are offered for saving first
(cancel changes nothing), the workbook is closed, the operation runs, and the workbook is
opened again, even when the operation failed, with the relevant sheet active. Results go
to a message box, progress to the status bar; an unexpected error becomes a message and
its details go to ``seuranta-xl-virheet.log`` beside the master.

xlwings is imported inside the functions: importing this module pulls in neither xlwings
nor pandas nor openpyxl. The calls made on xlwings objects are few, and the tests stand
in for them (tests/excel_fake.py documents the subset):

* ``xw.Book.caller()``; book: ``fullname``, ``app``, ``api.Saved``, ``save()``,
  ``close()``, ``sheets[name].activate()``;
* app: ``alert(prompt, title, buttons)``, ``status_bar``, ``books.open(path)``, and
  through ``app.api`` Excel's ``FileDialog(4)`` (folder picker) and ``InputBox``.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ERROR_LOG = "seuranta-xl-virheet.log"
"""Beside the master: the details of an unexpected error, for support."""
DEFAULT_RETURNS_DIR = "palautukset"
DEFAULT_OWNER_DIR = "tyokirjat"
_LIST_LIMIT = 10  # names and findings listed in a message box


class _Stop(Exception):
    """Stop before anything was changed; ``text`` (if any) is said."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.text = text


@dataclass
class _Outcome:
    """What an operation has to say, and which sheet to show."""

    text: str
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _Session:
    """The calling workbook and its Excel, the master's path, settings and language."""

    book: Any
    app: Any
    path: Path
    settings: dict[str, str]
    lang: str = "fi"
    warned: list[str] = field(default_factory=list)  # the library's warnings, said

    def say(self, key: str, **params: Any) -> str:
        from .texts import excel_text

        return excel_text(key, self.lang, **params)

    def alert(self, text: str, buttons: str = "ok") -> str | None:
        answer = self.app.alert(text, self.say("title"), buttons)
        return None if answer is None else str(answer).lower()

    def status(self, text: str | bool) -> None:
        with contextlib.suppress(Exception):  # a status bar that cannot be set is no failure
            self.app.status_bar = text

    def setting(self, name: str) -> str:
        return self.settings.get(name.casefold(), "")


# -- the entry points (one per button) --------------------------------------------------


def validate() -> None:
    """*Tarkista*: validate the master and mark the findings in it (``validate --mark``)."""
    _run(_validate, writes=True)


def generate(out_dir: str | None = None, round_id: str | None = None) -> None:
    """*Luo täyttötyökirjat*: one owner workbook per owner, the round recorded (``generate``)."""
    _run(lambda s: _generate(s, out_dir, round_id), writes=True)


def merge(folder: str | None = None) -> None:
    """*Yhdistä palautukset*: merge the returns folder into the master (``merge``)."""
    _run(lambda s: _merge(s, folder), writes=True)


def summary() -> None:
    """*Päivitä yhteenveto*: rebuild the summary sheets in the master (``summary``)."""
    _run(_summary, writes=True)


def show_help() -> None:
    """*Ohje*: what the buttons do and where the guide is."""
    from . import __version__

    _run(lambda s: _Outcome(s.say("help", version=__version__)), writes=False)


# -- the frame every button runs in ----------------------------------------------------


def _run(operation: Callable[[_Session], _Outcome], *, writes: bool) -> None:
    """Start from the calling workbook, run ``operation`` on the file (the workbook closed
    while it writes), reopen the workbook and say what came of it. Never raises for a
    user: a known problem is its own message, anything else a message naming the log."""
    import xlwings as xw

    book = xw.Book.caller()
    s = _Session(book, book.app, Path(), {})
    try:
        try:
            s.path = _master_path(book)
        except _Stop:
            if writes:
                raise
        else:
            s.settings = read_settings(s.path)
            s.lang = _lang(s.settings)
        if writes:
            _offer_save(s)
            s.settings = read_settings(s.path)  # what was just saved counts
            s.lang = _lang(s.settings)
        outcome = operation(s)
    except _Stop as stop:
        s.status(False)
        if stop.text:
            s.alert(stop.text)
        return
    except Exception as exc:
        _report_failure(s, exc)
        return
    s.status(False)
    if outcome.sheet is not None and writes:
        _activate(s, outcome.sheet)
    s.alert("\n\n".join([outcome.text, *outcome.notes, *s.warned]))


def _closed(s: _Session, work: Callable[[], Any]) -> Any:
    """Run ``work`` with the workbook closed; it is opened again afterwards, whatever
    happened (the caller activates a sheet)."""
    import warnings

    from .errors import SeurantaWarning

    s.book.close()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SeurantaWarning)
            try:
                return work()
            finally:
                # what the library warns of (a dead run's lock taken over) is said too
                s.warned += [
                    w.message.message(s.lang)
                    for w in caught
                    if isinstance(w.message, SeurantaWarning)
                ]
    finally:
        s.book = _reopen(s)


def _master_path(book: Any) -> Path:
    name = str(book.fullname)
    if name.lower().startswith(("http://", "https://")):
        from .texts import excel_text

        raise _Stop(excel_text("web_path", "fi", name=name))
    path = Path(name)
    if not path.is_absolute() or not path.is_file():
        from .texts import excel_text

        raise _Stop(excel_text("not_saved_yet", "fi"))
    return path


def _offer_save(s: _Session) -> None:
    """Unsaved changes: save them (yes), go on without them (no) or stop (cancel)."""
    if _is_saved(s.book):
        return
    answer = s.alert(s.say("ask_save", name=s.path.name), "yes_no_cancel")
    if answer == "yes":
        s.book.save()
    elif answer != "no":
        raise _Stop()


def _is_saved(book: Any) -> bool:
    """Whether the workbook has no unsaved changes (Excel's ``Workbook.Saved``; on macOS
    appscript's ``saved``). When it cannot be told, the question is asked."""
    try:
        return bool(book.api.Saved)
    except Exception:
        pass
    try:
        return bool(book.api.saved.get())
    except Exception:
        return False


def _reopen(s: _Session) -> Any:
    """The master opened again in the same Excel; said when it cannot be."""
    try:
        return s.app.books.open(str(s.path))
    except Exception:
        s.alert(s.say("reopen_failed", path=str(s.path)))
        return s.book


def _activate(s: _Session, sheet: str) -> None:
    with contextlib.suppress(Exception):  # a sheet that is not there: the first one shows
        s.book.sheets[sheet].activate()


def _report_failure(s: _Session, exc: BaseException) -> None:
    """A known problem is said as it is; anything else goes to the log beside the master."""
    from .errors import MasterHasErrors, SeurantaError

    s.status(False)
    if isinstance(exc, MasterHasErrors):
        count = exc.params.get("count", 0)
        s.alert("\n\n".join([s.say("master_errors", count=count), *_first_errors(s, exc.report)]))
    elif isinstance(exc, SeurantaError):
        s.alert("\n\n".join([s.say("failed", message=exc.message(s.lang)), *s.warned]))
    else:
        log = _write_error_log(s, exc)
        s.alert(s.say("unexpected", error=type(exc).__name__, log=str(log)))


def _write_error_log(s: _Session, exc: BaseException) -> Path:
    """The details go beside the master; where that cannot be written, to the user's log."""
    from . import __version__
    from . import log as user_log

    text = (
        f"--- {datetime.now().isoformat(timespec='seconds')} seuranta-xl {__version__}\n"
        f"master: {s.path}\n" + "".join(traceback.format_exception(exc)) + "\n"
    )
    for where in (s.path.parent / ERROR_LOG, user_log.log_path().with_name(ERROR_LOG)):
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
            with where.open("a", encoding="utf-8") as f:
                f.write(text)
            return where
        except OSError:
            continue
    return s.path.parent / ERROR_LOG


def _first_errors(s: _Session, report: Any) -> list[str]:
    from .findings import Severity

    if report is None:
        return []
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    lines = [f"{f.sheet}!{f.cell} {f.code}: {f.message(s.lang)}" for f in errors[:_LIST_LIMIT]]
    if len(errors) > _LIST_LIMIT:
        lines.append(s.say("more", count=len(errors) - _LIST_LIMIT))
    return [s.say("first_errors") + "\n" + "\n".join(lines)] if lines else []


# -- settings, folders and the round -------------------------------------------------------


def read_settings(path: Path) -> dict[str, str]:
    """The master's settings (sheet *Asetukset*, C:D) as texts, names casefolded; empty
    when they cannot be read (the operation itself then says why)."""
    try:
        import python_calamine as pc

        from .xlsx.names import SETTINGS_SHEET

        wb = pc.CalamineWorkbook.from_path(str(path))
        if SETTINGS_SHEET not in wb.sheet_names:
            return {}
        rows = wb.get_sheet_by_name(SETTINGS_SHEET).to_python(skip_empty_area=False)
    except Exception:
        return {}
    out: dict[str, str] = {}
    for r in rows[1:]:
        if len(r) > 2 and str(r[2]).strip():
            value = r[3] if len(r) > 3 else ""
            out[str(r[2]).strip().casefold()] = "" if value is None else str(value).strip()
    return out


def _lang(settings: dict[str, str]) -> str:
    from .xlsx.names import SETTING_LANG

    value = settings.get(SETTING_LANG.casefold(), "").strip().casefold()
    return "en" if value in ("en", "english", "englanti", "eng") else "fi"


def _folder(s: _Session, setting: str, default: str, ask: str) -> Path:
    """The folder a setting names (relative to the master's folder), else the one picked,
    else (no picker here) the default beside the master, said in a note."""
    given = s.setting(setting)
    if given:
        folder = Path(given).expanduser()
        return folder if folder.is_absolute() else s.path.parent / folder
    fallback = s.path.parent / default
    try:
        picked = pick_folder(s.app, s.say(ask), fallback if fallback.is_dir() else s.path.parent)
    except Exception:
        s.alert(s.say("default_folder", dir=str(fallback), setting=setting))
        return fallback
    if picked is None:
        raise _Stop()  # cancelled: nothing done
    return Path(picked)


def pick_folder(app: Any, title: str, initial: Path) -> str | None:
    """Excel's folder picker (``Application.FileDialog(msoFileDialogFolderPicker)``);
    None when cancelled. Raises where Excel has none (e.g. macOS)."""
    dialog = app.api.FileDialog(4)
    dialog.Title = title
    dialog.InitialFileName = str(initial).rstrip("\\/") + "\\"
    if dialog.Show() != -1:
        return None
    return str(dialog.SelectedItems(1))


def ask_text(app: Any, prompt: str, title: str, default: str) -> str | None:
    """Excel's input box (``Application.InputBox``, text); None when cancelled."""
    answer = app.api.InputBox(prompt, title, default, Type=2)
    if answer is False or answer is None:
        return None
    return str(answer).strip()


def _round(s: _Session) -> str:
    from .rounds import default_round_id
    from .xlsx.names import SETTING_ROUND

    given = s.setting(SETTING_ROUND)
    if given:
        return given
    default = default_round_id()
    try:
        answer = ask_text(s.app, s.say("ask_round"), s.say("title"), default)
    except Exception:
        return default  # no input box here: the CLI's default
    if answer is None:
        raise _Stop()
    return answer or default


# -- the operations ----------------------------------------------------------------------


def _validate(s: _Session) -> _Outcome:
    from .api import validate_and_mark
    from .findings import Severity

    s.status(s.say("busy_validate"))
    marked = _closed(s, lambda: validate_and_mark(s.path, s.lang))
    result = marked.validation
    report = result.report
    rows = len(result.plan.rows)
    errors = report.count(Severity.ERROR)
    text = (
        s.say("validate_errors", rows=rows, errors=errors)
        if errors
        else s.say("validate_ok", rows=rows)
    )
    text += " " + s.say(
        "validate_counts",
        warnings=report.count(Severity.WARNING),
        notes=report.count(Severity.INFO),
    )
    notes = _first_errors(s, report)
    sheet = marked.sheet or result.plan.sheet
    if marked.sheet:
        notes.append(s.say("validate_where", sheet=marked.sheet))
    notes += [s.say("renamed", wanted=w, given=g) for w, g in marked.renamed]
    return _Outcome(text, sheet, notes)


def _generate(s: _Session, out_dir: str | None, round_id: str | None) -> _Outcome:
    from .api import generate
    from .xlsx.names import DATA_SHEET, SETTING_OWNER_DIR

    folder = (
        Path(out_dir)
        if out_dir
        else _folder(s, SETTING_OWNER_DIR, DEFAULT_OWNER_DIR, "pick_owner_dir")
    )
    rid = round_id or _round(s)
    s.status(s.say("busy_generate"))
    result = _closed(s, lambda: generate(s.path, folder, round_id=rid))
    notes: list[str] = []
    if result.finished:
        notes.append(s.say("generate_finished", count=len(result.finished)))
    if result.already_issued:
        notes.append(s.say("generate_already", owners=_names(s, result.already_issued)))
    if result.unowned:
        notes.append(s.say("generate_unowned", count=len(result.unowned)))
    notes += [s.say(f"generate_{key}", value=result.deadline) for key in result.setting_notes]
    text = s.say("generate_done", round=result.round_id, count=len(result.files), dir=folder)
    return _Outcome(text, DATA_SHEET, notes)


def _merge(s: _Session, folder_given: str | None) -> _Outcome:
    from .api import merge
    from .texts import return_reason
    from .xlsx.names import LOG_SHEET, RETURNS_SHEET, SETTING_RETURNS_DIR

    folder = (
        Path(folder_given)
        if folder_given
        else _folder(s, SETTING_RETURNS_DIR, DEFAULT_RETURNS_DIR, "pick_returns")
    )
    if not folder.is_dir():
        raise _Stop(s.say("no_returns_dir", dir=str(folder), setting=SETTING_RETURNS_DIR))
    total = 0
    done = 0

    def started(n: int) -> None:
        nonlocal total
        total = n
        s.status(s.say("busy_merge_n", done=0, total=n))

    def advance(n: int) -> None:
        nonlocal done
        done += n
        s.status(s.say("busy_merge_n", done=done, total=total))

    s.status(s.say("busy_merge"))
    result = _closed(s, lambda: merge(s.path, [folder], progress=advance, on_files=started))
    read = [f for f in result.files if f.result != "skipped"]
    if not read:
        return _Outcome(s.say("merge_nothing", dir=str(folder)), RETURNS_SHEET)
    count = {k: sum(1 for f in read if f.result == k) for k in ("merged", "unchanged")}
    text = s.say(
        "merge_done",
        read=len(read),
        dir=str(folder),
        merged=count["merged"],
        unchanged=count["unchanged"],
        duplicate=sum(1 for f in read if f.result == "duplicate"),
        rejected=sum(1 for f in read if f.result == "rejected"),
        changes=len(result.changes),
        conflicts=len(result.conflicts),
        proposals=len(result.proposals),
    )
    notes: list[str] = []
    rejected = [f for f in read if f.result == "rejected"]
    if rejected:
        lines = [
            f"{f.path.name}: {return_reason(f.reason, s.lang, f.detail)}"
            for f in rejected[:_LIST_LIMIT]
        ]
        if len(rejected) > _LIST_LIMIT:
            lines.append(s.say("more", count=len(rejected) - _LIST_LIMIT))
        notes.append(s.say("merge_rejected") + "\n" + "\n".join(lines))
    if result.conflicts:
        from .texts import field_name

        lines = [
            f"{c.code} {field_name(c.field.value, s.lang)} ({fr.owner})"
            for fr, c in result.conflicts[:_LIST_LIMIT]
        ]
        if len(result.conflicts) > _LIST_LIMIT:
            lines.append(s.say("more", count=len(result.conflicts) - _LIST_LIMIT))
        notes.append(s.say("merge_conflicts") + "\n" + "\n".join(lines))
    missing = _missing_owners(s.path)
    if missing:
        notes.append(s.say("merge_missing", count=len(missing), owners=_names(s, missing)))
    if result.written:
        notes.append(s.say("merge_where", backup=str(result.backup or "–")))
    return _Outcome(text, LOG_SHEET if result.written else RETURNS_SHEET, notes)


def _missing_owners(path: Path) -> list[str]:
    """Owners of the latest round whose return has not been merged (best effort)."""
    from .errors import SeurantaError

    try:
        from .summary import summarize
        from .xlsx.read import load_plan

        loaded = load_plan(path)
        figures = summarize(loaded.plan, loaded.rounds, loaded.returns, loaded.log)
    except SeurantaError:
        return []
    return [r.owner for r in figures.returns if not r.received]


def _summary(s: _Session) -> _Outcome:
    from .api import summary
    from .xlsx.names import SUMMARY_SHEETS

    s.status(s.say("busy_summary"))
    result = _closed(s, lambda: summary(s.path, lang=s.lang))
    figures = result.summary
    text = s.say("summary_done", round=figures.round_id or "–", **figures.counts())
    wanted = SUMMARY_SHEETS["overview"][1 if s.lang == "en" else 0]
    sheet = dict(result.renamed).get(wanted, wanted)
    notes = [s.say("summary_where", sheet=sheet)]
    notes += [s.say("renamed", wanted=w, given=g) for w, g in result.renamed]
    missing = [r.owner for r in figures.returns if not r.received]
    if missing:
        notes.append(s.say("merge_missing", count=len(missing), owners=_names(s, missing)))
    return _Outcome(text, sheet, notes)


def _names(s: _Session, names: Any) -> str:
    names = list(names)
    shown = ", ".join(names[:_LIST_LIMIT])
    if len(names) > _LIST_LIMIT:
        shown += " " + s.say("more", count=len(names) - _LIST_LIMIT)
    return shown


# -- UDFs, as plain functions (registered with xlwings in ``seuranta_xl.udf``) ---------------


def status_number(text: object) -> int | None:
    """The number of a status text through the default scale (``3 Toteutus…`` -> 3);
    None when it is not on the scale or empty."""
    from .scale import default_scale

    return default_scale().parse(text).value


def code_level(text: object) -> int | None:
    """A hierarchy code's level: 1 goal, 2 annual goal, 3 action; None when not a code."""
    code = _code(text)
    return None if code is None else code.level


def code_parent(text: object) -> str | None:
    """A hierarchy code's parent in canonical form (``01.03.01`` -> ``01.03``); None for
    a goal or what is not a code."""
    code = _code(text)
    parent = None if code is None else code.parent
    return None if parent is None else parent.text


def _code(text: object) -> Any:
    from .model import Code

    if isinstance(text, float) and text.is_integer():
        text = int(text)  # Excel gives 1 for a goal typed as 1
    if text is None or str(text).strip() == "":
        return None
    try:
        return Code.parse(str(text).strip())
    except ValueError:
        return None
