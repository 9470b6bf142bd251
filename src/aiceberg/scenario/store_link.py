"""Measured runs and jobs from the run store as a scenario's inputs.

``run = "RUN_ID"`` in a phase reads the run's measured electricity (at the devices, without the data
centre's overhead) and its duration. ``job = "JOB_ID"`` reads a distributed job's the same way: its total
counted once (:mod:`aiceberg.jobs`, ``aiceberg jobs show``) and its wall-clock time.
"""

from __future__ import annotations

from collections.abc import Callable

from aiceberg.errors import InputError, StoreError
from aiceberg.i18n import Msg
from aiceberg.jobs import job_summary
from aiceberg.store import RunStore, open_store

__all__ = ["StoreOpener", "read_job", "read_run"]

#: Opens the store (tests give one on a temporary file); None: the configured store.
StoreOpener = Callable[[], RunStore]


def _open(opener: StoreOpener | None) -> RunStore:
    return opener() if opener is not None else open_store(readonly=True, create=False)


def read_run(run_id: str, opener: StoreOpener | None, path: str) -> tuple[float, float, str]:
    """``(kWh measured, hours, run id)`` of a finished run, or ``InputError`` naming ``path``."""
    store = _open(opener)
    try:
        try:
            rec = store.get_run(run_id)
        except StoreError as exc:
            raise InputError(path, Msg("scenario.error.no_run", run=run_id, reason=str(exc)),
                             Msg("scenario.accepted.run")) from None
    finally:
        store.close()
    if rec.energy_kwh is None or not rec.duration_s:
        raise InputError(path, Msg("scenario.error.run_no_energy", run=rec.run_id[:12], status=rec.status),
                         Msg("scenario.accepted.run"))
    return float(rec.energy_kwh), float(rec.duration_s) / 3600.0, rec.run_id[:12]


def read_job(job_id: str, opener: StoreOpener | None, path: str) -> tuple[float, float, str]:
    """``(kWh measured, hours, job id)`` of a finished job, or ``InputError`` naming ``path``.

    The job's total is :func:`aiceberg.jobs.job_summary`'s, the one ``aiceberg jobs show`` gives: each
    node's sensors and each GPU counted once, whatever the number of ranks (never the ranks' runs added
    up); its hours run from the job's first reading to its last.
    """
    store = _open(opener)
    try:
        try:
            job = job_summary(job_id, store)
        except StoreError as exc:
            raise InputError(path, Msg("scenario.error.no_job", job=job_id, reason=exc.message),
                             Msg("scenario.accepted.job")) from None
    finally:
        store.close()
    if job.status == "running":
        raise InputError(path, Msg("scenario.error.job_running", job=job.job_id,
                                   count=sum(1 for n in job.nodes for r in n.runs if r.status == "running")),
                         Msg("scenario.accepted.job"))
    if job.energy_kwh is None or not job.duration_s:
        raise InputError(path, Msg("scenario.error.job_no_energy", job=job.job_id), Msg("scenario.accepted.job"))
    return float(job.energy_kwh), float(job.duration_s) / 3600.0, job.job_id
