"""Which job, rank and node this process belongs to: the labels that tie a measurement to its job.

A small stand-in read from the launcher's environment, used by the Prometheus exporter's ``job_id``,
``rank`` and ``node`` labels. The cluster work (issue 9: ``measure/launcher.py``, launcher detection,
node election) replaces the body of :func:`job_context` with its own detection; callers keep calling
this function and reading a :class:`JobContext`.

Order of precedence: ``AICEBERG_JOB_ID`` (an explicit id), then Slurm (``SLURM_JOB_ID``), then
torchrun/elastic (``TORCHELASTIC_RUN_ID``); the rank from ``RANK`` (torchrun, accelerate), ``SLURM_PROCID``,
``OMPI_COMM_WORLD_RANK``, ``PMI_RANK``, ``PMIX_RANK``; the node from ``SLURMD_NODENAME`` where Slurm
names it, else the host name.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["JobContext", "job_context"]

_RANK_VARS = ("RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK")


@dataclass(frozen=True)
class JobContext:
    """The job this process runs in (``None`` outside a job), its rank in it, and the node's name."""

    job_id: str | None
    rank: int | None
    node: str


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def job_context(env: Mapping[str, str] | None = None, hostname: str | None = None) -> JobContext:
    """The job, rank and node of this process, from ``env`` (default ``os.environ``)."""
    env = os.environ if env is None else env
    job = _text(env, "AICEBERG_JOB_ID")
    if job is None:
        job = _text(env, "SLURM_JOB_ID") or _text(env, "TORCHELASTIC_RUN_ID")
    rank: int | None = None
    for name in _RANK_VARS:
        raw = _text(env, name)
        if raw is not None and raw.isdigit():
            rank = int(raw)
            break
    node = _text(env, "SLURMD_NODENAME") or hostname or socket.gethostname()
    return JobContext(job_id=job, rank=rank, node=node)
