"""Shared fixtures: the bundled sample, workbooks built for a test, and LibreOffice."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from seuranta_xl import demo_source

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"

HEADERS = [
    "Valtuustokauden tavoite",
    "Vuositavoite",
    "Toimenpide",
    "Merkittävimmät tavoitteen toteuttamista uhkaavat riskit",
    "Kokonais-tilanne",
    "Etenemisaste",
    "",
    "Vastuuhenkilö",
]


# the sample's 14 goals without owner (only goal 01. has one: Pormestari)
SAMPLE_GOALS_WITHOUT_OWNER = (
    "02.", "03.", "06.", "07.", "13.", "14.", "15.", "22.", "23.", "24.", "29.", "30.", "31.", "32.",
)  # fmt: skip


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return demo_source()


S2 = "2 Suunnitteluvaiheessa, on edetty hieman"
S3 = "3 Toteutus on aloitettu, ei vielä valmis"
S5 = "5 Toimenpide on toteutettu ja käytönotettu toteutusohjelman mukaan"
KP = "Kansliapäällikkö"
"""The sample's statuses 2, 3 and 5 as the scale writes them, and its main owner."""


@pytest.fixture
def issued(tmp_path: Path, sample_path: Path) -> tuple[Path, dict[str, Path]]:
    """A master made from the sample, with the round 2021-kevät issued into ``jaetut``:
    (master, owner -> workbook)."""
    from datetime import datetime

    from seuranta_xl import init_master
    from seuranta_xl.api import generate

    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    result = generate(
        master, tmp_path / "jaetut", round_id="2021-kevät", now=datetime(2021, 4, 1, 9)
    )
    return master, {f.owner: f.path for f in result.files}


def sample_records() -> list[tuple[int, list[str]]]:
    """The sample split naively (it has no quoted cells): (line number, 8 cells) per data row."""
    lines = demo_source().read_text("utf-8").split("\n")
    out = []
    for number, line in enumerate(lines, start=1):
        cells = line.split("\t")
        if len(cells) == 8 and cells[0] != HEADERS[0]:
            out.append((number, cells))
    return out


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], sheet: str = "Seuranta") -> Path:
    """A plain workbook with ``rows`` from A1; strings stay text."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r, values in enumerate(rows, start=1):
        for c, v in enumerate(values, start=1):
            if v is None or v == "":
                continue
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str):
                cell.data_type = "s"
    wb.save(path)
    return path


def seuranta_command() -> list[str]:
    """The installed ``seuranta`` entry point of the interpreter running the tests."""
    exe = Path(sys.executable).parent / ("seuranta.exe" if os.name == "nt" else "seuranta")
    if not exe.exists():
        found = shutil.which("seuranta")
        if found is None:
            pytest.fail("the seuranta entry point is not installed (pip install -e .)")
        return [found]
    return [str(exe)]


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    full_env = {**os.environ, "SEURANTA_LANG": "fi", **(env or {})}
    return subprocess.run(
        [*seuranta_command(), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=120,
        check=False,
    )


# --------------------------------------------------------------------------- LibreOffice

UNO_PYTHON = "/usr/bin/python3"
LO_EDIT = Path(__file__).with_name("lo_edit.py")


def lo_edit(src: Path, dst: Path, edits: list[dict]) -> Path:
    """``src`` opened in LibreOffice, ``edits`` made (see ``lo_edit.py``), saved as ``dst``;
    nothing else is left beside it."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp, "edits.json")
        spec.write_text(json.dumps(edits), encoding="utf-8")
        subprocess.run(
            [UNO_PYTHON, str(LO_EDIT), str(src), str(dst), str(spec)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return dst


def libreoffice_missing() -> str | None:
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
    probe = (
        subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, check=False)
        if Path(UNO_PYTHON).exists()
        else None
    )
    if probe is None or probe.returncode != 0:
        return "python3-uno is not installed: apt-get install python3-uno"
    return None


@pytest.fixture(scope="session")
def libreoffice() -> None:
    reason = libreoffice_missing()
    if reason:
        pytest.skip(reason)


def soffice_convert(
    src: Path,
    outdir: Path,
    target: str = "xlsx",
    profile: Path | None = None,
    infilter: str | None = None,
) -> Path:
    """Convert with headless LibreOffice, each run with its own profile."""
    profile = profile or outdir / ".lo-profile"
    cmd = [
        "soffice",
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
    ]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", target, "--outdir", str(outdir), str(src)]
    subprocess.run(cmd, capture_output=True, check=True, timeout=180)
    out = outdir / (src.stem + "." + target.split(":", maxsplit=1)[0])
    assert out.exists(), f"LibreOffice made no {out}"
    return out


@pytest.fixture
def merged(tmp_path: Path, sample_path: Path) -> Path:
    """A master from the sample with the round 2021-kevät issued into ``out`` and one return
    of Kansliapäällikkö merged (a status and a commentary)."""
    from datetime import datetime

    from seuranta_xl import init_master
    from seuranta_xl.api import generate, merge

    from .test_summary import _fill

    master = init_master(sample_path, tmp_path / "seuranta.xlsx").master
    issued = generate(master, tmp_path / "out", round_id="2021-kevät", now=datetime(2021, 4, 1))
    kp = next(f for f in issued.files if f.owner == KP)
    merge(master, [_fill(kp.path, tmp_path / "r.xlsx", {(3, 6): "5", (6, 7): "Uusi"})])
    return master


SAMPLE_TEXT_FILTER = "Text - txt - csv (StarCalc):9,,76,1,1/2/2/2/3/2/4/2/5/2/6/2/7/2/8/2"
"""LibreOffice's import of the sample: tab-separated, no text delimiter, UTF-8, from line 1,
every column as text."""


def sample_converted(sample_path: Path, outdir: Path) -> Path:
    """The bundled sample opened in LibreOffice and saved as xlsx: a follow-up sheet that
    ``init`` did not make."""
    txt = outdir / "sample.txt"
    txt.write_bytes(sample_path.read_bytes())
    return soffice_convert(txt, outdir, "xlsx", infilter=SAMPLE_TEXT_FILTER)


def kill_at_random(cmd, *, times, seed, window, after_each=None):
    """Run ``cmd`` ``times`` times, SIGKILLing it at a random moment within ``window``
    (seconds, from..to) when still running; ``after_each()`` runs after every run (reset
    or check). Returns how many runs were killed."""
    import random
    import signal
    import time

    rng = random.Random(seed)
    killed = 0
    for _ in range(times):
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(rng.uniform(*window))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        assert_run_ended(proc.pid)
        if after_each is not None:
            after_each()
    return killed


def run_processes(group: int) -> list[tuple[int, str]]:
    """Live processes of process group ``group`` (a run started in a new session): pid
    and command line, from /proc; [] where there is no /proc."""
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] not in "ZX":
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                found.append((int(entry.name), cmdline.decode(errors="replace")))
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return found


def assert_run_ended(group: int, wait: float = 10.0) -> None:
    """No process of the run in process group ``group`` is left (after a short bounded
    wait for them to go); any left are killed, so that one failure does not leak."""
    import signal
    import time

    deadline = time.monotonic() + wait
    while (left := run_processes(group)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid, _ in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes of the killed run still running: {left}"


@pytest.fixture(autouse=True, scope="session")
def _log_in_a_temporary_folder(tmp_path_factory):
    """The readers' log goes to a folder of this test session, not the user's."""
    old = os.environ.get("SEURANTA_LOG")
    os.environ["SEURANTA_LOG"] = str(tmp_path_factory.mktemp("log") / "seuranta.log")
    yield
    if old is None:
        os.environ.pop("SEURANTA_LOG", None)
    else:
        os.environ["SEURANTA_LOG"] = old
