"""The ``seuranta`` command: a thin layer over the library that maps its errors to exit codes.

Exit codes: 0 done (warnings allowed), 1 the workbook has errors to fix, 2 a file could not
be read or written (the message says why).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from . import __version__
from .errors import SeurantaError
from .findings import Report, Severity
from .paths import printable, shown_path
from .xlsx.names import FINDINGS_SHEETS

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_FATAL = 0, 1, 2
_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}

MESSAGES = {
    "init_done": (
        "Seurantataulukko tehty: {master}\n  lähde: {source}\n  rivejä: {rows} "
        "({goals:tavoite|tavoitetta}, {annual:vuositavoite|vuositavoitetta}, "
        "{actions:toimenpide|toimenpidettä}), vastuuhenkilöitä: {owners}",
        "Master written: {master}\n  source: {source}\n  rows: {rows} "
        "({goals:goal|goals}, {annual:annual goal|annual goals}, {actions:action|actions}), "
        "owners: {owners}",
    ),
    "backup": ("  edellinen versio: {backup}", "  previous version: {backup}"),
    "source_findings": ("Lähteen havainnot:", "Findings in the source:"),
    "validated": (
        "Tarkistettu: {path} (välilehti {sheet}, {rows:rivi|riviä})",
        "Checked: {path} (sheet {sheet}, {rows:row|rows})",
    ),
    "marked": (
        "Havainnot merkitty työkirjaan: välilehti {sheet}, solut korostettu.",
        "Findings marked in the workbook: sheet {sheet}, cells highlighted.",
    ),
    "demo_intro": (
        "seuranta-xl-esittely: vuoden 2021 seurannan otos ({source})",
        "seuranta-xl demo: a sample of a 2021 follow-up ({source})",
    ),
    "demo_step": ("{n}. {what}", "{n}. {what}"),
    "demo_init": ("Seurantataulukko lähteestä", "Master from the source"),
    "demo_validate": ("Seurantataulukon tarkistus", "Validating the master"),
    "generated": (
        "Kierros {round}: {count:työkirja|työkirjaa} kansioon {dir}",
        "Round {round}: {count:workbook|workbooks} in {dir}",
    ),
    "owner_rows": (
        "{own:oma rivi|omaa riviä} + {context:taustarivi|taustariviä}",
        "{own:own row|own rows} + {context:context row|context rows}",
    ),
    "already_issued": (
        "Näille kierros oli jo tehty, eikä niitä tehty uudelleen: {owners}",
        "Already issued in this round, not made again: {owners}",
    ),
    "unowned": (
        "Rivit ilman vastuuhenkilöä ({count}) eivät mene kenellekään täytettäväksi: {codes}",
        "Rows without owner ({count}) go to nobody: {codes}",
    ),
    "round_recorded": (
        "Kierros kirjattu seurantataulukkoon {master} (piilotettu välilehti Kierrokset).",
        "Round recorded in {master} (hidden sheet Kierrokset).",
    ),
    "merge_done": (
        "Palautettuja tiedostoja: {count} → {master}",
        "Returned files: {count} → {master}",
    ),
    "merge_dry": (
        "Kokeiluajo, mitään ei kirjoiteta. Palautettuja tiedostoja: {count} → {master}",
        "Dry run, nothing is written. Returned files: {count} → {master}",
    ),
    "merge_counts": (
        " — {applied:muutos|muutosta}, {conflicts:ristiriita|ristiriitaa}, "
        "{rejected:hylätty solu|hylättyä solua}",
        " — {applied:change|changes}, {conflicts:conflict|conflicts}, "
        "{rejected:rejected cell|rejected cells}",
    ),
    "merge_changes": ("Viedyt muutokset ({count}):", "Changes applied ({count}):"),
    "merge_nothing": (
        "Annetuista poluista ei löytynyt palautettuja työkirjoja "
        "(.xlsx, .xlsm, .xls, .xlsb, .ods).",
        "No returned workbooks (.xlsx, .xlsm, .xls, .xlsb, .ods) were found in the paths given.",
    ),
    "merge_conflicts": (
        "Ristiriidat ja hylätyt solut ({count}), ei viety (annettu / palautettu / taulukossa):",
        "Conflicts and rejected cells ({count}), not applied (issued / returned / master):",
    ),
    "merge_proposals": (
        "Uusia rivejä ehdotettu ({count}); niitä ei viety, ks. Muutosloki:",
        "New rows proposed ({count}); not merged, see the change log:",
    ),
    "merge_written": (
        "Seurantataulukko päivitetty: {master} (Muutosloki ja Palautukset täydennetty).",
        "Master updated: {master} (change log and returns tracker extended).",
    ),
    "demo_generate": ("Täyttötyökirjat vastuuhenkilöille", "Input workbooks for the owners"),
    "summary_done": (
        "Yhteenveto päivitetty: {master} (kierros {round})",
        "Summary rebuilt: {master} (round {round})",
    ),
    "summary_counts": (
        "  {rows:rivi|riviä}, joista {none} ilman etenemisastetta; "
        "palautuksia {received}/{issued}; "
        "riskejä {risks}; muutoksia {moves}",
        "  {rows:row|rows}, {none} without status; returns {received}/{issued}; risks {risks}; "
        "movements {moves}",
    ),
    "rollup_written": (
        "  Ehdotettu tila kirjoitettiin {count} kokonaistilanne-soluun.",
        "  The suggested status was written into {count:overall-status cell|overall-status cells}.",
    ),
    "summary_out": ("  Erillinen yhteenveto: {out}", "  Standalone summary: {out}"),
    "demo_summary": (
        "Yhteenveto taloushallinnolle ja valtuustolle",
        "Summary for finance and the council",
    ),
    "demo_merge": ("Palautusten yhdistäminen", "Merging the returns"),
    "demo_filled": (
        "(Esittely täytti vastuuhenkilön {owner} puolesta kolme solua: {file})",
        "(The demo filled in three cells for {owner}: {file})",
    ),
    "demo_done": (
        "Valmis {seconds:.1f} sekunnissa. Tiedostot: {dir}",
        "Done in {seconds:.1f} s. Files: {dir}",
    ),
    # issue 8, items 3, 4, 16 (summary, validate --mark)
    "sheet_renamed": (
        "  Välilehti {wanted} on jo käytössä (ei seuranta-xl:n tekemä), joten sitä ei "
        "korvattu; seuranta-xl kirjoitti välilehden {given}.",
        "  The sheet {wanted} is taken (seuranta-xl did not make it), so it was not replaced; "
        "seuranta-xl wrote the sheet {given}.",
    ),
    "rollup_kept": (
        "  Kokonaistilanne-soluja oli jo täytetty ({count}); ehdotettua tilaa ei kirjoitettu "
        "niiden päälle.",
        "  {count:overall-status cell was|overall-status cells were} filled already; the "
        "suggested status was not written over them.",
    ),
    "rollup_logged": (
        "  Jokainen kirjoitettu solu on kirjattu Muutoslokiin.",
        "  Each cell written is logged in the change log (Muutosloki).",
    ),
    "summary_out_backup": (
        "  Edellinen erillinen yhteenveto tallennettiin: {backup}",
        "  The previous standalone summary was kept: {backup}",
    ),
    # issue 8, item 22 (files)
    "logged": (
        "Tiedostojen lukijoiden omat tulosteet kirjattiin lokiin: {path}",
        "The file readers' own output was written to the log: {path}",
    ),
    # issue 8, item 2 (generate: an interrupted run finished or cleaned up)
    "generate_finished": (
        "Keskeytyneen ajon kirjatut työkirjat siirrettiin paikalleen ({count}): {files}",
        "Workbooks of an interrupted run's recorded round put in place ({count}): {files}",
    ),
    "generate_cleaned": (
        "Keskeytyneen, kirjaamatta jääneen ajon keskeneräiset tiedostot poistettiin: {folders}",
        "The unfinished files of an interrupted run that recorded nothing were removed: {folders}",
    ),
    # issue 8, hostile review: a dry run writes no change log
    "merge_proposals_dry": (
        "Uusia rivejä ehdotettu ({count}); niitä ei viedä, oikea ajo kirjaa ne Muutoslokiin:",
        "New rows proposed ({count}); they are not merged, a real run logs them in the change log:",
    ),
    # issue 9 (seuranta excel install)
    "addin_installed": (
        "Seuranta-apuohjelma asennettu: {target}",
        "The Seuranta add-in is installed: {target}",
    ),
    "addin_updated": (
        "Seuranta-apuohjelma päivitetty (aiempi kopio korvattu): {target}",
        "The Seuranta add-in is updated (the earlier copy replaced): {target}",
    ),
    "addin_same": (
        "Seuranta-apuohjelma on jo asennettu, sama versio: {target}",
        "The Seuranta add-in is already installed, the same version: {target}",
    ),
    "addin_click_win": (
        "Vielä yksi asia Excelissä: Tiedosto > Asetukset > Apuohjelmat > Hallitse: "
        "Excel-apuohjelmat > Siirry… > rastita Seuranta > OK. Sen jälkeen välilehti Seuranta "
        "näkyy valintanauhassa. Tarvitset myös xlwingsin apuohjelman: xlwings addin install.",
        "One step left in Excel: File > Options > Add-ins > Manage: Excel Add-ins > Go… > "
        "tick Seuranta > OK. The Seuranta tab then shows in the ribbon. The xlwings add-in "
        "is needed too: xlwings addin install.",
    ),
    "addin_click_mac": (
        "Vielä yksi asia Excelissä: Työkalut > Excel-apuohjelmat… > rastita Seuranta > OK. "
        "Tarvitset myös xlwingsin apuohjelman: xlwings addin install.",
        "One step left in Excel: Tools > Excel Add-ins… > tick Seuranta > OK. The xlwings "
        "add-in is needed too: xlwings addin install.",
    ),
    # issue 10, council (summary --pdf)
    "summary_pdf": ("  Valtuustoraportti PDF-muodossa: {pdf}", "  Council report as PDF: {pdf}"),
    # issue 11, item 3: the deadline and return address (generate)
    "setting_stored": (
        "Asetus {name} tallennettiin seurantataulukkoon: {value}",
        "The setting {name} was kept in the master: {value}",
    ),
    "setting_cleared": (
        "Asetus {name} tyhjennettiin seurantataulukosta.",
        "The setting {name} was cleared in the master.",
    ),
    "deadline_unset": (
        "Huom: palautuksen määräpäivää ei ole asetettu, joten työkirjoissa sitä ei näy. "
        "Aseta se valinnalla --deadline 31.5.2026 tai Asetukset-välilehden kohdassa "
        "Palautuksen määräpäivä; se pysyy seuraaviin ajoihin.",
        "Note: no return deadline is set, so the workbooks do not show one. Set it with "
        "--deadline 31.5.2026 or in the setting Palautuksen määräpäivä on the Asetukset "
        "sheet; it is kept for the next runs.",
    ),
    "deadline_unreadable": (
        "Huom: Asetukset-välilehden palautuksen määräpäivä {value!r} ei ole päivämäärä; "
        "työkirjoissa se näkyy sellaisenaan, eikä yhteenveto voi kertoa myöhästyneitä. "
        "Korjaa se valinnalla --deadline 31.5.2026.",
        "Note: the return deadline {value!r} on the Asetukset sheet is not a date; the "
        "workbooks show it as it is, and the summary cannot tell late returns. Correct it "
        "with --deadline 31.5.2026.",
    ),
    "return_unset": (
        "Huom: palautusosoitetta ei ole asetettu, joten työkirjoissa ei kerrota, minne ne "
        "palautetaan. Aseta se valinnalla --return-to kirjaamo@kunta.fi tai "
        "Asetukset-välilehden kohdassa Palautusosoite; se pysyy seuraaviin ajoihin.",
        "Note: no return address is set, so the workbooks do not say where to return them. "
        "Set it with --return-to kirjaamo@kunta.fi or in the setting Palautusosoite on the "
        "Asetukset sheet; it is kept for the next runs.",
    ),
    # issue 11, item 5 (words): a dry run in the conditional, empty values, the next step
    "merge_changes_dry": (
        "Muutokset, jotka vietäisiin ({count}):",
        "Changes that would be applied ({count}):",
    ),
    "merge_conflicts_dry": (
        "Ristiriidat ja hylätyt solut ({count}), joita ei vietäisi (annettu / palautettu / "
        "taulukossa):",
        "Conflicts and rejected cells ({count}) that would not be applied (issued / returned / "
        "master):",
    ),
    "empty_value": ("(tyhjä)", "(empty)"),
    "next_generate": (
        "Seuraavaksi lähetä työkirjat vastuuhenkilöille. Kun ne palaavat, tallenna ne samaan "
        "kansioon ja yhdistä ne: seuranta merge {master} KANSIO",
        "Next, send the workbooks to their owners. When they come back, save them in one "
        "folder and merge them: seuranta merge {master} FOLDER",
    ),
    "next_merge_dry": (
        "Seuraavaksi aja sama komento ilman valitsinta --dry-run, niin muutokset viedään "
        "seurantataulukkoon.",
        "Next, run the same command without --dry-run to merge the changes into the master.",
    ),
    "next_merge": (
        "Seuraavaksi päivitä yhteenveto: seuranta summary {master}",
        "Next, rebuild the summary: seuranta summary {master}",
    ),
    "next_merge_conflicts": (
        "Seuraavaksi käy läpi ristiriidat ja hylätyt solut (lista yllä, myös välilehdellä "
        "Muutosloki) ja korjaa tarvittavat arvot seurantataulukkoon käsin; päivitä sitten "
        "yhteenveto: seuranta summary {master}",
        "Next, go through the conflicts and rejected cells (listed above, and on the sheet "
        "Muutosloki) and correct the values that need it in the master by hand; then rebuild "
        "the summary: seuranta summary {master}",
    ),
    "next_merge_rejected": (
        "Seuraavaksi pyydä hylättyjen tiedostojen lähettäjiä korjaamaan ne (syy on tiedoston "
        "rivillä yllä) ja yhdistä ne uudelleen.",
        "Next, ask the senders of the rejected files to correct them (the reason is on the "
        "file's line above) and merge them again.",
    ),
    "next_validate_mark": (
        "Virheet näkyvät seurantataulukossa, kukin linkkinä soluunsa, kun ajat: "
        "seuranta validate --mark {master}",
        "To see the errors in the master, each linked to its cell, run: "
        "seuranta validate --mark {master}",
    ),
}


def say(key: str, lang: str, **params: Any) -> str:
    from .texts import fill

    fi, en = MESSAGES[key]
    return printable(fill(en if lang == "en" else fi, lang, **params))


def lang_option(f: F) -> F:
    return click.option(
        "--lang",
        type=click.Choice(["fi", "en"]),
        envvar="SEURANTA_LANG",
        default="fi",
        show_default=True,
        help="Language of messages and reports (Finnish or English). Env: SEURANTA_LANG.",
    )(f)


def fail(exc: SeurantaError, lang: str, as_json: bool = False) -> NoReturn:
    click.secho(printable(exc.message(lang)), fg="red", err=True)
    if as_json:
        echo_json(error_json(exc, lang))
    sys.exit(exc.exit_code)


def fail_with_errors(
    exc: SeurantaError, lang: str, code: int, as_json: bool = False, hint: str = ""
) -> NoReturn:
    """The master has errors to fix first: say so, list them, say ``hint`` (what to do
    next), exit with ``code``."""
    click.secho(printable(exc.message(lang)), fg="red", err=True)
    report = getattr(exc, "report", None)
    errors = None
    if isinstance(report, Report):
        errors = Report([f for f in report if f.severity is Severity.ERROR])
    if as_json:
        out = error_json(exc, lang)
        if errors is not None:
            out["findings"] = errors.to_dict(lang)["findings"]
        echo_json(out)
    elif errors is not None:
        echo_report(errors, lang)
    if hint:
        click.echo()
        click.echo(hint, err=as_json)
    sys.exit(code)


def error_json(exc: SeurantaError, lang: str) -> dict[str, Any]:
    """A fatal error as --json prints it: ``{"ok": false, "error", "message", "path"}``."""
    path = exc.params.get("path")
    return {
        "ok": False,
        "error": exc.key,
        "message": exc.message(lang),
        "path": None if path is None else str(path),
    }


def echo_json(data: Any) -> None:
    """Print ``data`` as JSON that any output encoding carries whole: file names that are
    not valid UTF-8 get replacement characters, and characters the output cannot encode
    are written as \\u escapes."""
    data = _json_safe(data)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = json.dumps(data, ensure_ascii=True, indent=2)
    click.echo(text)


def _json_safe(data: Any) -> Any:
    if isinstance(data, str):
        return printable(data)
    if isinstance(data, dict):
        return {_json_safe(k): _json_safe(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_json_safe(v) for v in data]
    return data


def echo_report(report: Report, lang: str, limit: int | None = None) -> None:
    from .render import render_report

    for line, severity in render_report(report, lang, limit):
        if severity is not None:
            click.secho(line, fg=_COLORS[severity], bold=severity is Severity.ERROR)
        else:
            click.echo(line)


def _safe_output() -> None:
    """Every message survives any output encoding (a Windows console or a redirect in
    cp1252, ascii, latin-1): a character the output cannot carry becomes "?"."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            with contextlib.suppress(ValueError, io.UnsupportedOperation):
                stream.reconfigure(errors="replace")


class _Main(click.Group):
    """The command group: safe output first, and a word on the log when a run wrote one."""

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        from . import log

        _safe_output()
        before = log.written()
        try:
            return super().main(args, *rest, **kwargs)
        finally:
            if log.written() > before:
                words = list(sys.argv[1:] if args is None else args)
                lang = os.environ.get("SEURANTA_LANG", "fi")
                for i, word in enumerate(words):
                    if word == "--lang" and i + 1 < len(words):
                        lang = words[i + 1]
                    elif word.startswith("--lang="):
                        lang = word.split("=", 1)[1]
                path = shown_path(log.log_path())
                click.echo(say("logged", lang, path=path), err=True)


@click.group(
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="seuranta")
def main() -> None:
    """seuranta-xl: strategian seurantataulukot / strategy follow-up workbooks.

    \b
    seuranta init MASTER.xlsx --from SOURCE   new master from a sheet (xlsx, tsv, csv)
    seuranta validate MASTER.xlsx             check codes, statuses and owners
    seuranta generate MASTER.xlsx --out DIR   one input workbook per owner
    seuranta merge MASTER.xlsx RETURNS...     merge returned workbooks into the master
    seuranta summary MASTER.xlsx [--out F]    summary sheets for finance and the council
    seuranta demo [DIR]                       the whole cycle on the bundled sample
    seuranta excel install                    the Excel add-in (ribbon tab Seuranta)

    Exit codes: 0 done, 1 the workbook has errors, 2 a file could not be read or written.
    With --json, a fatal error prints {"ok": false, "error", "message", "path"}.

    \b
    What file readers print themselves (a damaged file's crash report) goes to a log:
      env SEURANTA_LOG, else %LOCALAPPDATA%\\seuranta-xl\\seuranta.log on Windows,
      $XDG_STATE_HOME/seuranta-xl/seuranta.log (~/.local/state/...) elsewhere.
    """
    click.get_current_context().with_resource(_say_warnings())


@contextlib.contextmanager
def _say_warnings() -> Iterator[None]:
    """What the library warns of while a command runs (a dead run's lock taken over) is
    said on stderr, in the command's language."""
    from .errors import SeurantaWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", SeurantaWarning)
        shown = warnings.showwarning

        def show(message: Any, category: Any, filename: Any, lineno: Any, *rest: Any) -> None:
            if isinstance(message, SeurantaWarning):
                ctx = click.get_current_context(silent=True)
                lang = ctx.params.get("lang", "fi") if ctx is not None else "fi"
                click.secho(message.message(lang or "fi"), fg="yellow", err=True)
            else:
                shown(message, category, filename, lineno, *rest)

        warnings.showwarning = show
        yield


@main.command("init")
@click.argument("master", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(path_type=Path),
    help="The sheet to start from: xlsx, tab-separated text as copied out of Excel, or CSV.",
)
@click.option("--force", is_flag=True, help="Replace MASTER if it exists (a backup is kept).")
@lang_option
def init_cmd(master: Path, source: Path, force: bool, lang: str) -> None:
    """Build a new master workbook MASTER from the template and SOURCE.

    Every row, code, title, owner, status and text of SOURCE is kept as it is; only blank
    rows are left out, and they are reported with the source's other findings. Exits 1
    when the source has errors to fix (the master is written all the same).
    """
    from .api import init_master

    try:
        result = init_master(source, master, force=force)
    except SeurantaError as exc:
        fail(exc, lang)
    _echo_init(result, lang)
    sys.exit(EXIT_OK if result.report.ok else EXIT_FINDINGS)


def _echo_init(result: Any, lang: str, limit: int | None = None) -> None:
    counts = result.plan.count_by_level()
    click.echo(
        say(
            "init_done",
            lang,
            master=result.master,
            source=result.source,
            rows=len(result.plan.rows),
            goals=counts.get(1, 0),
            annual=counts.get(2, 0),
            actions=counts.get(3, 0),
            owners=len(result.plan.owners()),
        )
    )
    if result.backup:
        click.echo(say("backup", lang, backup=result.backup))
    if result.report.findings:
        click.echo()
        click.echo(say("source_findings", lang))
        echo_report(result.report, lang, limit)


@main.command("validate")
@click.argument("master", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option(
    "--mark",
    is_flag=True,
    help="Add a findings sheet to the workbook, each finding linked to its cell, and "
    "highlight the cells. Earlier marks are replaced; nothing else changes.",
)
@lang_option
def validate_cmd(master: Path, as_json: bool, mark: bool, lang: str) -> None:
    """Check MASTER: hierarchy codes, statuses against the scale, owners and texts.

    Every finding names its sheet and cell. Exits 0 when there are no errors (warnings
    and notes allowed), 1 when there are, 2 when the file cannot be read.

    \b
    JSON: {"ok": bool, "findings": [{"rule", "severity", "sheet", "cell", "row",
    "code", "message"}]}
    """
    from .api import validate, validate_and_mark

    marked = None
    try:
        if mark:
            # validated under the workbook's lock, so the findings written are its own
            marked = validate_and_mark(master, lang)
            result = marked.validation
        else:
            result = validate(master)
    except SeurantaError as exc:
        fail(exc, lang, as_json)
    if as_json:
        echo_json(result.report.to_dict(lang))
    else:
        click.echo(
            say("validated", lang, path=master, sheet=result.plan.sheet, rows=len(result.plan.rows))
        )
        echo_report(result.report, lang)
        if marked is not None:
            click.echo()
            sheet = marked.sheet or FINDINGS_SHEETS[1 if lang == "en" else 0]
            click.echo(say("marked", lang, sheet=sheet))
            for wanted, given in marked.renamed:
                click.echo(say("sheet_renamed", lang, wanted=wanted, given=given))
    sys.exit(EXIT_OK if result.ok else EXIT_FINDINGS)


@main.command("generate")
@click.argument("master", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the owner workbooks (made if missing).",
)
@click.option(
    "--round",
    "round_id",
    help="Round id, e.g. 2021-kevät (default: this year and season, e.g. 2026-syksy).",
)
@click.option(
    "--owner",
    "owners",
    multiple=True,
    help="Make workbooks only for this owner (repeatable). Default: every owner.",
)
@click.option(
    "--deadline",
    help="Return deadline, e.g. 31.5.2026 (or 2026-05-31); kept in the master's settings "
    "for the next runs and the summary. Shown in every workbook.",
)
@click.option(
    "--return-to",
    "return_to",
    help="Where the workbooks are returned, e.g. kirjaamo@kunta.fi; kept in the master's "
    "settings for the next runs. Shown in every workbook.",
)
@lang_option
def generate_cmd(
    master: Path,
    out_dir: Path,
    *,
    round_id: str | None,
    owners: tuple[str, ...],
    deadline: str | None,
    return_to: str | None,
    lang: str,
) -> None:
    """Make one protected input workbook per owner from MASTER and record the round in it.

    Each workbook holds the owner's rows and the rows above them as read-only context;
    only risks, overall status, progress status and commentary can be edited, and the
    status has a dropdown. A signed manifest inside lets `merge` trust the return later.
    The return deadline and address (--deadline, --return-to, kept in the master's
    settings for the next runs) show at the top of every workbook and in its instructions;
    a note says when either is unset. Owners already issued in the round are not issued
    again. Exits 1 when the master has errors to fix first, 2 when a file cannot be read
    or written or the round cannot be made as asked (a deadline that is not a date too).
    """
    from .api import generate
    from .errors import MasterHasErrors

    try:
        result = generate(
            master,
            out_dir,
            round_id=round_id,
            owners=list(owners) or None,
            deadline=deadline,
            return_address=return_to,
        )
    except MasterHasErrors as exc:
        hint = say("next_validate_mark", lang, master=_arg(master))
        fail_with_errors(exc, lang, EXIT_FINDINGS, hint=hint)
    except SeurantaError as exc:
        fail(exc, lang)
    _echo_generate(result, lang, next_step=True)


def _owner_rows(own: int, context: int, lang: str) -> str:
    """'52 own rows + 15 context rows', in the singular where one."""
    return say("owner_rows", lang, own=own, context=context)


def _arg(path: Any) -> str:
    """A path as it is typed in a command: quoted when it holds a space."""
    text = shown_path(path)
    return f'"{text}"' if any(c.isspace() for c in text) else text


def _echo_generate(result: Any, lang: str, next_step: bool = False) -> None:
    if result.cleaned:
        click.secho(
            say("generate_cleaned", lang, folders=", ".join(p.name for p in result.cleaned)),
            fg="yellow",
        )
    if result.finished:
        click.secho(
            say(
                "generate_finished",
                lang,
                count=len(result.finished),
                files=", ".join(p.name for p in result.finished),
            ),
            fg="yellow",
        )
        if not result.files:
            return
    click.echo(
        say("generated", lang, round=result.round_id, count=len(result.files), dir=result.out_dir)
    )
    lines = [
        (
            _short(f.owner, 40),  # one long name does not push every line off the screen
            _owner_rows(f.own_rows, f.rows - f.own_rows, lang),
            f.path.name,
        )
        for f in result.files
    ]
    w1 = max((len(a) for a, _, _ in lines), default=0)
    w2 = max((len(b) for _, b, _ in lines), default=0)
    for owner, rows, name in lines:
        click.echo(f"  {owner:<{w1}}  {rows:<{w2}}  {name}")
    if result.already_issued:
        click.secho(
            say("already_issued", lang, owners=", ".join(result.already_issued)), fg="yellow"
        )
    if result.unowned:
        shown = ", ".join(result.unowned[:10]) + (" …" if len(result.unowned) > 10 else "")
        click.echo(say("unowned", lang, count=len(result.unowned), codes=shown))
    click.echo(say("round_recorded", lang, master=result.master))
    _echo_settings(result, lang)
    if next_step and result.files:
        click.echo()
        click.echo(say("next_generate", lang, master=_arg(result.master)))


def _echo_settings(result: Any, lang: str) -> None:
    """The settings ``generate`` kept, and a note for what the owners were not told."""
    for name, value in result.stored:
        if value:
            click.echo(say("setting_stored", lang, name=name, value=value))
        else:
            click.echo(say("setting_cleared", lang, name=name))
    for key in result.setting_notes:
        click.secho(say(key, lang, value=result.deadline), fg="yellow")


@main.command("merge")
@click.argument("master", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@lang_option
def merge_cmd(
    master: Path, paths: tuple[Path, ...], dry_run: bool, as_json: bool, lang: str
) -> None:
    """Merge returned owner workbooks (files or folders) into MASTER.

    Every file is read safely and checked against its signed manifest; each editable cell
    is merged three ways (as issued, as returned, as the master has it now): applied,
    nothing to do, or a conflict that is reported and not applied. Locked cells are never
    changed, new rows go to a proposals list. The master's cells are updated in place,
    the change log (Muutosloki) and returns tracker (Palautukset) get new rows, and a
    backup of the previous master is kept. Merging the same files again changes nothing.

    Every file named, and every file in a folder named, gets a line: the ones that are
    not returns (templates, text files, lock files, hidden files) are said to be skipped.

    Exit codes: 0 every file merged or had nothing to merge, 1 a file was rejected or a
    conflict remains, 2 the master cannot be used (with --json: {"ok": false, "error",
    "message", "path"}).

    \b
    JSON: {"ok", "files": [{"path", "owner", "round", "result", "reason", "applied",
    "conflicts", "rejected"}], "changes": [{"code", "field", "old", "new", "owner",
    "file"}], "conflicts": [...], "proposals": [...], "findings": [...]}
    """
    from .api import merge
    from .errors import MasterHasErrors

    bar: Any = None

    def started(total: int) -> None:
        nonlocal bar
        if total >= 20 and not as_json and sys.stderr.isatty():
            label = "Luetaan palautuksia" if lang != "en" else "Reading returns"
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()

    def advance(n: int) -> None:
        if bar is not None:
            bar.update(n)

    try:
        result = merge(master, list(paths), dry_run=dry_run, progress=advance, on_files=started)
    except MasterHasErrors as exc:
        hint = say("next_validate_mark", lang, master=_arg(master))
        fail_with_errors(exc, lang, EXIT_FATAL, as_json, hint=hint)
    except SeurantaError as exc:
        fail(exc, lang, as_json)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        echo_json(merge_json(result, lang))
    else:
        _echo_merge(result, lang, next_step=True)
    sys.exit(EXIT_OK if result.ok else EXIT_FINDINGS)


def merge_json(result: Any, lang: str) -> dict[str, Any]:
    """The merge outcome as the JSON the --json option promises."""
    from .texts import return_reason

    def cell(fr: Any, c: Any) -> dict[str, Any]:
        return {
            "code": c.code,
            "field": c.field.value,
            "old": c.master,
            "new": c.new,
            "owner": fr.owner,
            "file": str(fr.path),
        }

    return {
        "ok": result.ok,
        "dry_run": result.dry_run,
        "files": [
            {
                "path": str(f.path),
                "owner": f.owner,
                "round": f.round_id,
                "result": f.result,
                "reason": return_reason(f.reason, lang, f.detail, result.dry_run),
                "notes": [return_reason(n, lang) for n in f.notes],
                "applied": f.applied,
                "conflicts": f.conflicts,
                "rejected": f.rejected,
            }
            for f in result.files
        ],
        "changes": [cell(fr, c) for fr, c in result.changes],
        "conflicts": [
            {
                **cell(fr, c),
                "decision": c.decision.value,
                "reason": c.reason,
                "issued": c.issued,
                "returned": c.returned,
                "master": c.master,
            }
            for fr, c in result.conflicts
        ],
        "proposals": [
            {
                "code": p.code,
                "title": p.title,
                "owner": fr.owner,
                "file": str(fr.path),
                "row": p.sheet_row,
            }
            for fr, p in result.proposals
        ],
        "findings": [{**x.to_dict(lang), "file": str(fr.path)} for fr, x in result.findings],
    }


def _echo_merge(result: Any, lang: str, next_step: bool = False) -> None:
    from .texts import cell_reason, decision_name, field_name, return_reason

    dry = result.dry_run
    head = "merge_dry" if dry else "merge_done"
    read = [f for f in result.files if f.result != "skipped"]
    click.echo(say(head, lang, master=shown_path(result.master), count=len(read)))
    if not read:
        click.secho(say("merge_nothing", lang), fg="yellow")
    colours = {
        "merged": "green",
        "unchanged": None,
        "duplicate": None,
        "rejected": "red",
        "skipped": "yellow",
    }
    # two files of one name (from two folders) are told apart by their path as given
    names = Counter(f.path.name for f in result.files)

    def shown(fr: Any) -> str:
        return shown_path(fr.path if names[fr.path.name] > 1 else fr.path.name)

    for f in result.files:
        who = f" ({f.owner}, {f.round_id})" if f.owner else ""
        counts = (
            say("merge_counts", lang, applied=f.applied, conflicts=f.conflicts, rejected=f.rejected)
            if f.merge
            else ""
        )
        click.secho(
            f"  {shown(f)}{who}: {return_reason(f.reason, lang, f.detail, dry)}{counts}",
            fg=colours.get(f.result),
        )
        for note in f.notes:
            click.echo(f"      {return_reason(note, lang)}")
    if result.changes:
        click.echo()
        click.echo(
            say("merge_changes_dry" if dry else "merge_changes", lang, count=len(result.changes))
        )
        for fr, c in result.changes:
            old, new = _values([c.master, c.new], lang)
            name = field_name(c.field.value, lang)
            click.echo(f"  {c.code} {name}: {old} → {new}  ({fr.owner})")
    if result.conflicts:
        click.echo()
        key = "merge_conflicts_dry" if dry else "merge_conflicts"
        click.secho(say(key, lang, count=len(result.conflicts)), fg="red")
        for fr, c in result.conflicts:
            why = decision_name(c.decision.value, lang)
            why += f", {cell_reason(c.reason, lang)}" if c.reason else ""
            values = " / ".join(_values([c.issued, c.returned, c.master], lang))
            name = field_name(c.field.value, lang)
            click.echo(f"  {c.code} {name} ({why}): {values}  ({shown(fr)})")
    if result.proposals:
        click.echo()
        key = "merge_proposals_dry" if result.dry_run else "merge_proposals"
        click.echo(say(key, lang, count=len(result.proposals)))
        for fr, p in result.proposals:
            click.echo(f"  {p.code or '?'} {_short(p.title)}  ({fr.owner}, {shown(fr)})")
    warnings = [(fr, x) for fr, x in result.findings if x.rule != "return.status_unknown"]
    if warnings:
        click.echo()
        for fr, x in warnings:
            where = f"{shown(fr)}!{x.sheet}!{x.cell}"
            click.echo(f"  {where} {x.code}: {x.message(lang)}")
    if result.written:
        click.echo()
        click.echo(say("merge_written", lang, master=result.master))
        if result.backup:
            click.echo(say("backup", lang, backup=result.backup))
    if next_step:
        _echo_merge_next(result, lang)


def _echo_merge_next(result: Any, lang: str) -> None:
    """What the coordinator does after this merge."""
    rejected = any(f.result == "rejected" for f in result.files)
    master = _arg(result.master)
    lines = []
    if result.dry_run:
        if result.changes:
            lines.append(say("next_merge_dry", lang))
    elif result.written:
        key = "next_merge_conflicts" if result.conflicts else "next_merge"
        lines.append(say(key, lang, master=master))
    if rejected:
        lines.append(say("next_merge_rejected", lang))
    if lines:
        click.echo()
        for line in lines:
            click.echo(line)


def _short(text: str, n: int = 50) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _values(values: list[str], lang: str, n: int = 50) -> list[str]:
    """Cell values side by side for the change list: each long one cut to about ``n``
    characters around where the values first differ (not two equal beginnings), an
    empty one named as such."""
    shortest = min(len(v) for v in values)
    same = 0  # the length of the beginning every value shares
    while same < shortest and len({v[same] for v in values}) == 1:
        same += 1
    # some of the shared text before the difference, more when the values end soon after
    start = max(0, min(same - n // 3, max(len(v) for v in values) - (n - 1)))
    shown = []
    for v in values:
        if not v:
            shown.append(say("empty_value", lang))
        elif len(v) <= n:
            shown.append(repr(v))
        else:
            cut = v[start : start + n - 1] if start else v[: n - 1]
            more = "…" if start + len(cut) < len(v) else ""
            shown.append(repr(("…" if start else "") + cut + more))
    return shown


@main.command("summary")
@click.argument("master", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a standalone summary workbook here (no hidden sheets, no macros). "
    "An existing file is replaced only when it is a standalone summary seuranta-xl made "
    "(a backup is kept); never the master or another follow-up sheet.",
)
@click.option("--round", "round_id", help="The round to report on (default: the latest).")
@click.option(
    "--pdf",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also print the council report (Valtuustoraportti) as PDF here, with LibreOffice. "
    "An existing file is replaced only when it is a PDF; never the master. Without "
    "LibreOffice nothing is done and you are told how to print from Excel.",
)
@click.option(
    "--write-rollup",
    is_flag=True,
    help="Write the suggested roll-up statuses into the empty overall-status cells of goals "
    "and annual goals (a value someone gave is never written over); each cell written is "
    "logged in the change log.",
)
@lang_option
def summary_cmd(  # click passes the options by name
    master: Path,
    *,
    out: Path | None,
    round_id: str | None,
    pdf: Path | None,
    write_rollup: bool,
    lang: str,
) -> None:
    """Rebuild the summary sheets in MASTER: status distribution overall, per goal and per
    owner with a chart, returns received and missing, risks, and movement in the round.

    Only the summary sheets seuranta-xl made are replaced; a sheet of your own with one of
    their names is left as it is, and the summary sheet gets another name (said in the
    output). MASTER must be a master (made by `seuranta init`), not an owner workbook.
    The suggested status of goals and annual goals is the mean of their children's
    statuses, halves rounded down; it is shown in the summary and written into the master
    only with --write-rollup.
    """
    from .api import summary

    try:
        result = summary(
            master, out=out, lang=lang, round_id=round_id, write_rollup=write_rollup, pdf=pdf
        )
    except SeurantaError as exc:
        fail(exc, lang)
    s = result.summary
    click.echo(say("summary_done", lang, master=master, round=s.round_id or "–"))
    click.echo(say("summary_counts", lang, **s.counts()))
    for wanted, given in result.renamed:
        click.echo(say("sheet_renamed", lang, wanted=wanted, given=given))
    if result.rollup_written:
        click.echo(say("rollup_written", lang, count=result.rollup_written))
        click.echo(say("rollup_logged", lang))
    if result.rollup_kept:
        click.echo(say("rollup_kept", lang, count=result.rollup_kept))
    if result.standalone:
        click.echo(say("summary_out", lang, out=result.standalone))
        if result.standalone_backup:
            click.echo(say("summary_out_backup", lang, backup=result.standalone_backup))
    if result.pdf:
        click.echo(say("summary_pdf", lang, pdf=result.pdf))


@main.command("demo")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@lang_option
def demo_cmd(directory: Path | None, lang: str) -> None:
    """Run the whole cycle on the bundled sample into DIRECTORY (default ./seuranta-demo).

    The sample is one owner's part of a real 2021 follow-up with its real blemishes.
    Files the demo made before in DIRECTORY are replaced; a folder holding anything else
    (or a demo file changed since) is refused and left as it is.
    """
    from datetime import datetime, timedelta

    from .api import demo_source, generate, init_master, merge, summary, validate
    from .demo import fill_like_staff, prepare_demo_folder, record_demo_folder

    start = time.perf_counter()
    directory = directory or Path("seuranta-demo")
    source = demo_source()
    made = False
    try:
        # the demo's own earlier output goes, and nothing else: each run starts from the sample
        made = prepare_demo_folder(directory)
        click.echo(say("demo_intro", lang, source=source.name))
        click.echo()
        click.secho(say("demo_step", lang, n=1, what=say("demo_init", lang)), bold=True)
        target = directory / "seuranta.xlsx"
        result = init_master(source, target)
        _echo_init(result, lang, limit=3)
        click.echo()
        click.secho(say("demo_step", lang, n=2, what=say("demo_validate", lang)), bold=True)
        checked = validate(result.master)
        click.echo(
            say(
                "validated",
                lang,
                path=checked.path,
                sheet=checked.plan.sheet,
                rows=len(checked.plan.rows),
            )
        )
        echo_report(checked.report, lang, limit=3)
        click.echo()
        click.secho(say("demo_step", lang, n=3, what=say("demo_generate", lang)), bold=True)
        # as a coordinator would: a deadline two weeks on and an address to return to
        deadline = (datetime.now() + timedelta(days=14)).date()
        issued = generate(
            result.master,
            directory / "tyokirjat",
            round_id="2021-kevät",
            deadline=f"{deadline.day}.{deadline.month}.{deadline.year}",
            return_address="seuranta@kunta.example",
        )
        _echo_generate(issued, lang)
        click.echo()
        click.secho(say("demo_step", lang, n=4, what=say("demo_merge", lang)), bold=True)
        owner = max(issued.files, key=lambda f: f.own_rows)
        returned = directory / "palautukset" / owner.path.name
        fill_like_staff(owner.path, returned)
        click.echo(say("demo_filled", lang, owner=owner.owner, file=returned))
        _echo_merge(merge(result.master, [returned.parent]), lang)
        click.echo()
        click.secho(say("demo_step", lang, n=5, what=say("demo_summary", lang)), bold=True)
        built = summary(result.master, out=directory / "yhteenveto.xlsx", lang=lang)
        click.echo(say("summary_done", lang, master=result.master, round=built.summary.round_id))
        click.echo(say("summary_out", lang, out=built.standalone))
    except SeurantaError as exc:
        fail(exc, lang)
    finally:
        if made:  # what the demo made, even when it stopped half-way, is its own to replace
            with contextlib.suppress(OSError):
                record_demo_folder(directory)
    click.echo()
    click.echo(
        say("demo_done", lang, seconds=time.perf_counter() - start, dir=os.path.abspath(directory))
    )


@main.group("excel")
def excel_group() -> None:
    """The Excel add-in: the Seuranta ribbon tab whose buttons run these commands on the
    open master (see docs/excel.md)."""


@excel_group.command("install")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Put the add-in in this folder instead of Excel's add-in folder "
    "(%APPDATA%\\Microsoft\\AddIns on Windows, the Office group container's "
    "User Content/Add-Ins on macOS).",
)
@lang_option
def excel_install_cmd(folder: Path | None, lang: str) -> None:
    """Copy the Seuranta add-in (seuranta.xlam) to Excel's add-in folder and say the one
    click left in Excel.

    A file of the same name is replaced only when this command put it there (an earlier
    version); anything else is left as it is and named (exit 2). Exits 2 also where
    Excel is not available (Linux: give --dir) or the add-in is missing.
    """
    from .install import install_addin

    try:
        done = install_addin(folder)
    except SeurantaError as exc:
        fail(exc, lang)
    key = {"new": "addin_installed", "updated": "addin_updated", "same": "addin_same"}[done.how]
    click.echo(say(key, lang, target=done.target))
    click.echo(say("addin_click_mac" if sys.platform == "darwin" else "addin_click_win", lang))


if __name__ == "__main__":
    main()
