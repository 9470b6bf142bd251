"""Slurm's own energy figure for a job: ``sacct``'s ``ConsumedEnergyRaw``, beside aiceberg's.

Where the site configured an ``AcctGatherEnergyType`` plugin (RAPL, IPMI, a PDU…), Slurm accounts the
energy of each job and step, in joules::

    sacct -j 123 --parsable2 --noheader --format=JobID,ElapsedRaw,ConsumedEnergyRaw
    123|3600|5227812
    123.batch|3600|5227812
    123.extern|3601|5228001
    123.0|3540|5102203

An empty field means nothing was collected; sites without a plugin report 0; ``NO_VAL64``
(18446744073709551614) means unknown. Slurm reads each *node's* counters, whatever shares the node:
the figure is the job's only on nodes given to it whole (``--exclusive``); on a shared node it is the
node's. Without accounting storage, ``sacct`` answers "Slurm accounting storage is disabled".
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from aiceberg.i18n import Msg

__all__ = ["FORMAT", "SacctLine", "SacctReport", "parse_sacct", "read_sacct"]

#: The fields asked of ``sacct``, in this order.
FORMAT = "JobID,ElapsedRaw,ConsumedEnergyRaw"
#: Slurm's "no value" for 64-bit counters, and anything at or above it.
NO_VAL64 = 0xFFFFFFFFFFFFFFFE
_SLURM_JOB = re.compile(r"^\d+([_+]\d+)?$")
_DISABLED = "accounting storage is disabled"


@dataclass(frozen=True)
class SacctLine:
    """One line of ``sacct``: the job (``step`` ``None``) or one of its steps (``batch``, ``extern``, ``0``…).

    ``energy_j``: ``None`` where Slurm collected nothing (empty, or unknown); 0 as Slurm wrote it.
    """

    job_id: str
    step: str | None
    elapsed_s: int | None
    energy_j: float | None

    def to_dict(self) -> dict[str, object]:
        return {"job_id": self.job_id, "step": self.step, "elapsed_s": self.elapsed_s, "energy_j": self.energy_j}


@dataclass(frozen=True)
class SacctReport:
    """What ``sacct`` says of a job: its lines, and the job's figure where there is one.

    ``energy_j`` is the job line's energy when Slurm collected one (> 0), else ``None`` and ``why`` says
    why (accounting disabled, no energy plugin, no such job, ``sacct`` missing).
    """

    job_id: str
    lines: tuple[SacctLine, ...] = ()
    why: Msg | None = None

    @property
    def energy_j(self) -> float | None:
        job = next((line for line in self.lines if line.step is None), None)
        return job.energy_j if job is not None and job.energy_j else None

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        return {"job_id": self.job_id, "energy_j": self.energy_j,
                "energy_kwh": None if self.energy_j is None else self.energy_j / 3.6e6,
                "lines": [line.to_dict() for line in self.lines],
                "why": None if self.why is None else self.why.render(lang),
                "caveat": Msg("jobs.sacct.per_node").render(lang)}


def _int(text: str) -> int | None:
    text = text.strip()
    if not text.isdigit():
        return None
    value = int(text)
    return None if value >= NO_VAL64 else value


def parse_sacct(text: str) -> tuple[SacctLine, ...]:
    """The lines of ``sacct --parsable2 --noheader --format=JobID,ElapsedRaw,ConsumedEnergyRaw``.

    Lines that are not three ``|``-separated fields (a warning ``sacct`` printed) are skipped.
    """
    out = []
    for raw in text.splitlines():
        fields = raw.strip().split("|")
        if len(fields) != 3 or not fields[0].strip():
            continue
        job, _, step = fields[0].strip().partition(".")
        energy = _int(fields[2])
        out.append(SacctLine(job, step or None, _int(fields[1]), None if energy is None else float(energy)))
    return tuple(out)


def read_sacct(job_id: str, *, command: Sequence[str] = ("sacct",), timeout_s: float = 30.0) -> SacctReport:
    """Ask ``sacct`` for a Slurm job's energy (``job_id`` as Slurm names it: ``123``, ``123_4``)."""
    if not _SLURM_JOB.match(job_id):
        return SacctReport(job_id, why=Msg("jobs.sacct.not_slurm", job=job_id))
    if shutil.which(command[0]) is None:
        return SacctReport(job_id, why=Msg("jobs.sacct.missing", command=command[0]))
    try:
        done = subprocess.run([*command, "-j", job_id, "--parsable2", "--noheader", f"--format={FORMAT}"],
                              capture_output=True, text=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return SacctReport(job_id, why=Msg("jobs.sacct.failed", reason=f"{type(exc).__name__}: {exc}"))
    err = " ".join(done.stderr.split())
    if _DISABLED in err.lower():
        return SacctReport(job_id, why=Msg("jobs.sacct.disabled"))
    if done.returncode != 0:
        return SacctReport(job_id, why=Msg("jobs.sacct.failed", reason=err or f"exit code {done.returncode}"))
    lines = parse_sacct(done.stdout)
    if not lines:
        return SacctReport(job_id, why=Msg("jobs.sacct.no_job", job=job_id))
    report = SacctReport(job_id, lines)
    if report.energy_j is None:
        return SacctReport(job_id, lines, Msg("jobs.sacct.no_energy"))
    return report
