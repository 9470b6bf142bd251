"""Measured runs and jobs from the run store as a scenario's inputs.

``run = "RUN_ID"`` in a phase reads the run's measured electricity (at the devices, without the data
centre's overhead) and its duration. ``job = "JOB_ID"`` goes through the same path when the store keeps
jobs (a cluster's jobs, issue 9); a store without jobs says so, naming the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiceberg.errors import InputError, StoreError
from aiceberg.i18n import Msg
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
    """``(kWh measured, hours, job id)`` of a job, when the store keeps jobs; else ``InputError`` saying so."""
    store = _open(opener)
    try:
        get_job = getattr(store, "get_job", None)
        if get_job is None:
            raise InputError(path, Msg("scenario.error.no_jobs", job=job_id), Msg("scenario.accepted.run"))
        try:
            job: Any = get_job(job_id)
        except StoreError as exc:
            raise InputError(path, Msg("scenario.error.no_job", job=job_id, reason=str(exc)),
                             Msg("scenario.accepted.run")) from None
    finally:
        store.close()
    energy = getattr(job, "energy_kwh", None)
    duration = getattr(job, "duration_s", None)
    if energy is None or not duration:
        raise InputError(path, Msg("scenario.error.job_no_energy", job=job_id), Msg("scenario.accepted.run"))
    return float(energy), float(duration) / 3600.0, str(job_id)
