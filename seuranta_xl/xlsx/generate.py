"""Writing a round's owner workbooks: staged beside their folder, published only once the
master has recorded the round, on as many processes as it pays to use."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import WriteError
from ..rounds import MasterIdentity, OwnerPart, build_manifest
from .owner import RoundInfo, owner_workbook

PARALLEL_FROM = 40
"""Below this many workbooks a second process costs more than it saves."""


@dataclass
class StagedRound:
    """Workbooks written to a staging folder, not yet where staff will find them."""

    staging: Path
    out_dir: Path
    names: dict[str, str]
    signatures: list[tuple[OwnerPart, str, str]]  # (part, manifest signature, file SHA-256)

    def publish(self) -> dict[str, Path]:
        """Move every workbook into the output folder; owner -> final path."""
        out: dict[str, Path] = {}
        try:
            for part, _, _ in self.signatures:
                name = self.names[part.owner]
                target = self.out_dir / name
                os.replace(self.staging / name, target)
                out[part.owner] = target
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
        return out

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


@dataclass(frozen=True)
class _Job:
    jobs: Sequence[tuple[OwnerPart, str]]
    staging: str
    info: RoundInfo
    identity: MasterIdentity
    fingerprint: str
    extras: Sequence[str]


# Set before the worker processes fork, so they inherit the round instead of unpickling it.
_FORKED_JOB: _Job | None = None


def _make(job: _Job, start: int, stop: int) -> list[tuple[str, str]]:
    signatures = []
    for part, name in job.jobs[start:stop]:
        manifest = build_manifest(
            part,
            round_id=job.info.round_id,
            created=job.info.created,
            master_id=job.identity.master_id,
            fingerprint=job.fingerprint,
            key=job.identity.key,
        )
        data = owner_workbook(part, manifest, job.info, job.extras)
        with open(os.path.join(job.staging, name), "wb") as fh:
            fh.write(data)
        signatures.append((manifest.signature, hashlib.sha256(data).hexdigest()))
    return signatures


def _make_forked(bounds: tuple[int, int]) -> list[tuple[str, str]]:
    assert _FORKED_JOB is not None
    return _make(_FORKED_JOB, *bounds)


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
) -> StagedRound:
    """Write every part's workbook into a staging folder inside ``out_dir``.

    Many workbooks are shared among forked processes where the platform forks (Linux,
    macOS); elsewhere they are written one after another, which is quick enough.
    """
    global _FORKED_JOB  # noqa: PLW0603 -- handed to forked workers without pickling
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".seuranta-", dir=out_dir))
    except OSError as exc:
        raise WriteError("save_failed", path=str(out_dir), detail=str(exc)) from None
    job = _Job(
        [(p, names[p.owner]) for p in parts], str(staging), info, identity, fingerprint, extras
    )
    n = len(job.jobs)
    workers = workers or os.cpu_count() or 1
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    try:
        if workers > 1 and n >= PARALLEL_FROM and can_fork:
            size = -(-n // (workers * 4))
            bounds = [(i, min(i + size, n)) for i in range(0, n, size)]
            _FORKED_JOB = job
            try:
                ctx = multiprocessing.get_context("fork")
                with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                    signatures = [s for chunk in pool.map(_make_forked, bounds) for s in chunk]
            finally:
                _FORKED_JOB = None
        else:
            signatures = _make(job, 0, n)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError("save_failed", path=str(out_dir), detail=str(exc)) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    made = [(p, sig, sha) for p, (sig, sha) in zip(parts, signatures, strict=True)]
    return StagedRound(staging, out_dir, names, made)
