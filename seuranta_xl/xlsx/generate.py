"""Writing a round's owner workbooks: staged beside their folder, published only once the
master has recorded the round, on as many processes as it pays to use.

A staging folder ``.seuranta-kierros-*`` in the output folder carries a marker naming the
master, the round and every file with its SHA-256 once all are written and synced. So at
any moment the next run can make the master and the folder agree: files whose round the
master records are published, the rest of what the tool staged is removed, and nothing it
cannot prove it made is touched.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import multiprocessing
import os
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import WriteError
from ..rounds import MasterIdentity, OwnerPart, RoundRecord, build_manifest
from .isolate import tie_to_parent
from .owner import RoundInfo, header_row, owner_workbook
from .save import file_sha256, fsync_dir

PARALLEL_FROM = 40
"""Below this many workbooks a second process costs more than it saves."""

STAGING_PREFIX = ".seuranta-kierros-"
MARKER = "seuranta-kierros.json"
MARKER_MARK = "seuranta-xl-staging"
# link() refused because the file system has no hard links (FAT, some network shares)
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}


@dataclass(frozen=True)
class Marker:
    """What a staging folder holds: whose round, and each file's SHA-256 ('' while the
    files are still being written)."""

    master_id: str
    master: str  # the master's absolute path
    round_id: str
    files: dict[str, str]

    def write(self, staging: Path) -> None:
        """Write the marker atomically and durably."""
        body = {
            "mark": MARKER_MARK,
            "master_id": self.master_id,
            "master": self.master,
            "round": self.round_id,
            "files": self.files,
        }
        tmp = staging / (MARKER + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(body, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, staging / MARKER)
        fsync_dir(staging)

    @classmethod
    def read(cls, staging: Path) -> Marker | None:
        """The marker of a staging folder, or None when there is none the tool wrote."""
        try:
            body = json.loads((staging / MARKER).read_text(encoding="utf-8"))
            if body.get("mark") != MARKER_MARK:
                return None
            files = body["files"]
            if not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
                return None
            if not all(_plain_name(k) for k in files):
                return None  # names only, never a path out of the folder
            return cls(str(body["master_id"]), str(body["master"]), str(body["round"]), files)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None


def _plain_name(name: str) -> bool:
    return (
        name.endswith(".xlsx")
        and Path(name).name == name
        and "/" not in name
        and "\\" not in name
        and not name.startswith(".")
    )


def _publish_one(src: Path, dst: Path, sha: str) -> bool:
    """Move a staged file to ``dst`` without ever replacing a file there the tool did not
    make. True when ``dst`` now holds the file (or already did); False when another file
    stands in the way."""
    try:
        os.link(src, dst)
    except FileExistsError:
        if not (sha and file_sha256(dst) == sha):
            return False  # someone else's file: never replaced
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        if dst.exists():
            if not (sha and file_sha256(dst) == sha):
                return False
        else:
            os.replace(src, dst)
            return True
    src.unlink()
    return True


@dataclass
class Published:
    """Where a publication got: files in the output folder, files another file blocked."""

    paths: dict[str, Path] = field(default_factory=dict)  # file name -> final path
    moved: list[Path] = field(default_factory=list)  # those moved by this call
    blocked: list[str] = field(default_factory=list)


def publish_staged(
    staging: Path, out_dir: Path, files: dict[str, str], *, finish: bool = True
) -> Published:
    """Publish ``files`` (name -> SHA-256) from ``staging``; idempotent, so an interrupted
    publication is finished by running it again. With ``finish`` the folder goes once all
    are out."""
    done = Published()
    for name, sha in files.items():
        src, dst = staging / name, out_dir / name
        if not src.exists():
            # published before an interruption (and perhaps moved on since by staff)
            if dst.exists() and sha and file_sha256(dst) == sha:
                done.paths[name] = dst
            continue
        if _publish_one(src, dst, sha):
            done.paths[name] = dst
            done.moved.append(dst)
        else:
            done.blocked.append(name)
    fsync_dir(out_dir)
    if finish and not done.blocked:
        remove_staging(staging, files)
    return done


def remove_staging(staging: Path, files: Iterable[str]) -> bool:
    """Remove a staging folder's marker and the named files, then the folder if that
    emptied it. True when the folder is gone."""
    for name in [*files, MARKER + ".tmp", MARKER]:
        with contextlib.suppress(FileNotFoundError):
            (staging / name).unlink()
    try:
        staging.rmdir()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


@dataclass
class Recovery:
    """What a run found left by an interrupted one in its output folder."""

    published: list[Path] = field(default_factory=list)  # recorded files now published
    removed: list[Path] = field(default_factory=list)  # staging folders of unrecorded rounds
    kept: list[Path] = field(default_factory=list)  # folders left: a file blocks or is unknown


def recover_staging(
    out_dir: Path, master: Path, identity: MasterIdentity | None, records: Sequence[RoundRecord]
) -> Recovery:
    """Finish what an interrupted ``generate`` of this master left in ``out_dir``.

    A staged file whose round the master records (same name, same SHA-256) is published;
    one it does not record is removed, when the marker proves the tool wrote it (its hash
    matches, or the marker was never completed). Folders of other masters, folders without
    a marker and files the marker does not name are left alone.
    """
    found = Recovery()
    if not out_dir.is_dir():
        return found
    here = str(master.resolve())
    recorded = {(r.round_id, r.file): r.file_sha256 for r in records}
    for staging in sorted(out_dir.glob(STAGING_PREFIX + "*")):
        marker = Marker.read(staging) if staging.is_dir() else None
        if marker is None:
            # killed before its marker was written: only an empty folder (or one holding
            # the marker's own temporary file) is provably the tool's
            leftovers = {p.name for p in staging.iterdir()} if staging.is_dir() else {"?"}
            if leftovers <= {MARKER + ".tmp"} and remove_staging(staging, ()):
                found.removed.append(staging)
            continue
        ours = identity is not None and marker.master_id == identity.master_id
        if not ours and marker.master != here:
            continue  # another master's round: that master's next run finishes it
        complete = all(marker.files.values())
        publish = {
            n: s
            for n, s in marker.files.items()
            if ours and s and recorded.get((marker.round_id, n)) == s
        }
        drop = [
            n
            for n, s in marker.files.items()
            if n not in publish
            and (not complete or not (staging / n).exists() or file_sha256(staging / n) == s)
        ]
        if publish:
            done = publish_staged(staging, out_dir, publish, finish=False)
            found.published += done.moved
            if done.blocked:
                found.kept.append(staging)
                continue
        if remove_staging(staging, [*drop, *publish]):
            if not publish:
                found.removed.append(staging)
        else:
            found.kept.append(staging)
    return found


@dataclass
class StagedRound:
    """Workbooks written to a staging folder, not yet where staff will find them."""

    staging: Path
    out_dir: Path
    names: dict[str, str]
    signatures: list[tuple[OwnerPart, str, str]]  # (part, manifest signature, file SHA-256)

    def files(self) -> dict[str, str]:
        return {self.names[p.owner]: sha for p, _, sha in self.signatures}

    def publish(self) -> Published:
        """Move every workbook into the output folder (see ``publish_staged``)."""
        return publish_staged(self.staging, self.out_dir, self.files())

    def discard(self) -> None:
        """Remove the staged files (the round was not recorded)."""
        remove_staging(self.staging, self.names.values())


@dataclass(frozen=True)
class _Job:
    jobs: Sequence[tuple[OwnerPart, str]]
    staging: str
    info: RoundInfo
    identity: MasterIdentity
    fingerprint: str
    extras: Sequence[str]
    parent: int = 0  # the process that stages the round


# Set before the worker processes fork, so they inherit the round instead of unpickling it.
_FORKED_JOB: _Job | None = None


def _make(job: _Job, start: int, stop: int) -> list[tuple[str, str]]:
    signatures = []
    for part, name in job.jobs[start:stop]:
        if job.parent and os.getpid() != job.parent and os.getppid() != job.parent:
            os._exit(1)  # a worker whose run was killed: write nothing more
        manifest = build_manifest(
            part,
            round_id=job.info.round_id,
            created=job.info.created,
            master_id=job.identity.master_id,
            fingerprint=job.fingerprint,
            key=job.identity.key,
            first_row=header_row(job.info) + 1,
        )
        data = owner_workbook(part, manifest, job.info, job.extras)
        with open(os.path.join(job.staging, name), "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        signatures.append((manifest.signature, hashlib.sha256(data).hexdigest()))
    return signatures


def _make_forked(bounds: tuple[int, int]) -> list[tuple[str, str]]:
    assert _FORKED_JOB is not None
    return _make(_FORKED_JOB, *bounds)


def _make_all(job: _Job, workers: int) -> list[tuple[str, str]]:
    """Every workbook of the job: shared among forked processes when it pays."""
    global _FORKED_JOB  # noqa: PLW0603 -- handed to forked workers without pickling
    n = len(job.jobs)
    if workers <= 1 or n < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return _make(job, 0, n)
    size = -(-n // (workers * 4))
    bounds = [(i, min(i + size, n)) for i in range(0, n, size)]
    _FORKED_JOB = job
    try:
        ctx = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            # a worker of a killed run ends, instead of waiting forever on its queue
            initializer=tie_to_parent,
            initargs=(os.getpid(),),
        )
        try:
            signatures = [s for chunk in pool.map(_make_forked, bounds) for s in chunk]
        except BaseException:
            # interrupted or failed: the chunks not begun are dropped, not written
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown()
        return signatures
    finally:
        _FORKED_JOB = None


def write_owner_workbooks(  # noqa: PLR0917
    parts: Sequence[OwnerPart],
    names: dict[str, str],
    out_dir: Path,
    info: RoundInfo,
    identity: MasterIdentity,
    fingerprint: str,
    extras: Sequence[str] = (),
    *,
    workers: int | None = None,
    master: Path | None = None,
) -> StagedRound:
    """Write every part's workbook into a staging folder inside ``out_dir``, synced, with
    a marker naming each file's SHA-256 (see ``recover_staging``).

    Many workbooks are shared among forked processes where the platform forks (Linux,
    macOS); elsewhere they are written one after another, which is quick enough.
    """
    planned = [names[p.owner] for p in parts]
    marker = Marker(
        identity.master_id,
        str(master.resolve()) if master is not None else "",
        info.round_id,
        dict.fromkeys(planned, ""),
    )
    staging: Path | None = None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
        marker.write(staging)
    except OSError as exc:
        if staging is not None:
            remove_staging(staging, planned)
        raise WriteError("save_failed", path=str(out_dir), detail=str(exc)) from None
    except BaseException:
        if staging is not None:
            remove_staging(staging, planned)
        raise
    job = _Job(
        [(p, names[p.owner]) for p in parts],
        str(staging),
        info,
        identity,
        fingerprint,
        extras,
        os.getpid(),
    )
    try:
        signatures = _make_all(job, workers or os.cpu_count() or 1)
        hashes = {name: sha for name, (_, sha) in zip(planned, signatures, strict=True)}
        Marker(marker.master_id, marker.master, marker.round_id, hashes).write(staging)
    except OSError as exc:
        remove_staging(staging, planned)
        raise WriteError("save_failed", path=str(out_dir), detail=str(exc)) from None
    except BaseException:
        remove_staging(staging, planned)
        raise
    made = [(p, sig, sha) for p, (sig, sha) in zip(parts, signatures, strict=True)]
    return StagedRound(staging, out_dir, names, made)
