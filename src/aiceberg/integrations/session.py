"""One training tracked by aiceberg, whatever the framework: the part every callback shares.

A :class:`TrainingSession` holds the tracked run (:class:`aiceberg.tracking.Run`) from the training's
beginning to its end, one phase per epoch (``epoch 1``, ``epoch 2``…), the prediction of the whole
training after each epoch (``total_phases`` is the number of epochs), and says what to log, under the
names below, in the units their names end with:

=====================================  =====================================================================
``aiceberg/epoch_energy_kwh``          the epoch's electricity at the devices (measured + modelled, no PUE)
``aiceberg/epoch_co2e_kg``             what the epoch added to the training's whole footprint (use + embodied)
``aiceberg/energy_kwh``                the training's electricity so far (since its beginning)
``aiceberg/co2e_kg``                   the training's whole footprint so far
``aiceberg/predicted_energy_kwh``      the whole training's predicted electricity (after each epoch)
``aiceberg/predicted_co2e_kg``         the whole training's predicted footprint
``aiceberg/total_energy_kwh``          at the end: the run's electricity (``RunResult.energy_kwh``)
``aiceberg/total_co2e_kg`` (``_low``,  at the end: the run's whole footprint and its range
``_high``)
=====================================  =====================================================================

A figure that could not be computed is left out, never logged as 0. Which process does what, on a job
of several processes: the first process of each node (local rank 0) tracks the node (every sensor of the
machine, so every rank on it is measured, once); only the main process (rank 0) logs. The other
processes do nothing. The ranks come from the framework where it knows them, else from the launcher's
environment (:func:`env_ranks`).

A session never stops a training: a failure while tracking is logged once and the training goes on. A
training that ends without reaching its end hook (an exception, SIGTERM) is closed at interpreter exit
with status ``interrupted``.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiceberg import refdata
from aiceberg.errors import ReferenceDataError
from aiceberg.i18n import t
from aiceberg.measure.result import RunResult
from aiceberg.measure.tracker import PhaseHandle
from aiceberg.tracking import Run

__all__ = [
    "CO2E",
    "ENERGY",
    "EPOCH_CO2E",
    "EPOCH_ENERGY",
    "METRICS",
    "PREDICTED_CO2E",
    "PREDICTED_ENERGY",
    "TOTAL_CO2E",
    "TOTAL_CO2E_HIGH",
    "TOTAL_CO2E_LOW",
    "TOTAL_ENERGY",
    "EpochFigures",
    "Ranks",
    "TrainingSession",
    "check_run_options",
    "env_ranks",
]

log = logging.getLogger("aiceberg.integrations")

EPOCH_ENERGY = "aiceberg/epoch_energy_kwh"
EPOCH_CO2E = "aiceberg/epoch_co2e_kg"
ENERGY = "aiceberg/energy_kwh"
CO2E = "aiceberg/co2e_kg"
PREDICTED_ENERGY = "aiceberg/predicted_energy_kwh"
PREDICTED_CO2E = "aiceberg/predicted_co2e_kg"
TOTAL_ENERGY = "aiceberg/total_energy_kwh"
TOTAL_CO2E = "aiceberg/total_co2e_kg"
TOTAL_CO2E_LOW = "aiceberg/total_co2e_kg_low"
TOTAL_CO2E_HIGH = "aiceberg/total_co2e_kg_high"
#: Every name a callback may log, in the order above.
METRICS = (EPOCH_ENERGY, EPOCH_CO2E, ENERGY, CO2E, PREDICTED_ENERGY, PREDICTED_CO2E, TOTAL_ENERGY, TOTAL_CO2E,
           TOTAL_CO2E_LOW, TOTAL_CO2E_HIGH)

#: Why a run is closed at interpreter exit: the training never reached its end hook.
UNFINISHED = "the training ended before its end hook (an exception or a signal)"

#: The launchers' variables for the global and the node-local rank, first found wins (torchrun and
#: accelerate, Slurm, Open MPI, PMI/PMIx). The "jobs" work (``aiceberg.measure.launcher``) generalises this.
_RANK_VARS = ("RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK")
_LOCAL_RANK_VARS = ("LOCAL_RANK", "SLURM_LOCALID", "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID")


@dataclass(frozen=True)
class Ranks:
    """This process's place in a job: ``rank`` among all processes, ``local_rank`` on its node."""

    rank: int = 0
    local_rank: int = 0

    @property
    def logs(self) -> bool:
        """The main process (rank 0) logs."""
        return self.rank == 0

    @property
    def tracks(self) -> bool:
        """The first process of each node (local rank 0) measures the node."""
        return self.local_rank == 0


def _first_int(environ: Mapping[str, str], names: tuple[str, ...]) -> int | None:
    for name in names:
        value = environ.get(name, "").strip()
        if value.lstrip("-").isdigit():
            return int(value)
    return None


def env_ranks(environ: Mapping[str, str] | None = None) -> Ranks:
    """The ranks the launcher gave this process (0 and 0 when it was not launched as part of a job).

    Without a node-local rank, the process counts as its rank: only rank 0 tracks then, so no node is
    measured twice (at worst, another node is not measured, and the docs say so)."""
    env = os.environ if environ is None else environ
    rank = _first_int(env, _RANK_VARS) or 0
    local = _first_int(env, _LOCAL_RANK_VARS)
    return Ranks(rank=rank, local_rank=rank if local is None else local)


def check_run_options(options: Mapping[str, Any]) -> None:
    """Refuse bad tracker options where the callback is made, before any training starts: the checks and
    messages of :func:`aiceberg.track` (a bad interval, an unknown keyword), and an unknown zone, which the
    tracker would only refuse when the training begins."""
    settings = Run(**options).settings  # validates the settings; opens nothing
    location = settings.location
    if location is None:
        return
    label = {"env": "AICEBERG_LOCATION", "config": "config.toml: location"}.get(
        settings.source_of("location"), "location")
    # an unknown zone: UnknownNameError, with the closest names; the zones' data itself unreadable: the run says so
    with contextlib.suppress(ReferenceDataError):
        refdata.get_zone(location, label)


@dataclass(frozen=True)
class EpochFigures:
    """One epoch as the session saw it: its name, its energy (kWh) and what it added to the footprint (kg)."""

    name: str
    energy_kwh: float
    co2e_kg: float | None


class TrainingSession:
    """The run of one training, for one process (see the module's text for who tracks and who logs).

    Args:
        tracks: whether this process measures (the node's first process).
        logs: whether this process logs (the job's main process).
        options: :func:`aiceberg.track`'s keywords (``location``, ``store``, ``project``…).
        lang: the language of the lines logged (``en``, ``fr``).
    """

    def __init__(self, *, tracks: bool, logs: bool, options: Mapping[str, Any], lang: str = "en") -> None:
        self.tracks = tracks
        self.logs = logs
        self.lang = lang
        self._options = dict(options)
        self.run: Run | None = None
        self.result: RunResult | None = None
        self.epochs: list[EpochFigures] = []
        self._phase: PhaseHandle | None = None
        self._start_kwh = 0.0
        self._start_co2e: float | None = None
        self._failed = False

    # -- the run --------------------------------------------------------------------------------

    def begin(self, *, total_epochs: int | None = None, name: str | None = None) -> None:
        """Start the run (on a tracking process): ``total_epochs`` enables the prediction."""
        if not self.tracks or self.run is not None:
            return
        options = dict(self._options)
        if total_epochs is not None and total_epochs > 0:
            options.setdefault("total_phases", int(total_epochs))
        if name:
            options.setdefault("name", name)
        run = Run(**options)
        run.start()
        self.run = run
        atexit.register(self._at_exit)

    def epoch_begin(self, number: int) -> None:
        """Epoch ``number`` (from 1) begins: a phase ``epoch N``."""
        run = self.run
        if run is None or not run.running:
            return
        try:
            self._phase = run.phase(f"epoch {number}")
            self._start_kwh = run.energy_kwh
            self._start_co2e = _co2e(run)
        except Exception as exc:  # tracking never stops a training
            self._fail(exc)

    def epoch_end(self) -> dict[str, float]:
        """The epoch ends: its phase closes; the figures to log (empty where this process does not log)."""
        run, phase = self.run, self._phase
        if run is None or phase is None or not run.running:
            return {}
        self._phase = None
        try:
            phase.end()
            now_kwh = run.energy_kwh
            now_co2e = _co2e(run)
            epoch_kwh = max(now_kwh - self._start_kwh, 0.0)
            epoch_co2e = None if now_co2e is None or self._start_co2e is None else max(now_co2e - self._start_co2e, 0.0)
            self.epochs.append(EpochFigures(f"epoch {len(self.epochs) + 1}", epoch_kwh, epoch_co2e))
            metrics: dict[str, float] = {EPOCH_ENERGY: epoch_kwh, ENERGY: now_kwh}
            if epoch_co2e is not None:
                metrics[EPOCH_CO2E] = epoch_co2e
            if now_co2e is not None:
                metrics[CO2E] = now_co2e
            prediction = run.prediction()
            if prediction is not None:
                metrics[PREDICTED_ENERGY] = prediction.energy_kwh.central
                if prediction.co2e_kg is not None:
                    metrics[PREDICTED_CO2E] = prediction.co2e_kg.central
                if self.logs:
                    log.info(t("integrations.prediction", self.lang, prediction=prediction.render(self.lang)))
        except Exception as exc:
            self._fail(exc)
            return {}
        return metrics if self.logs else {}

    def end(self, *, status: str = "finished", end_reason: str | None = None) -> dict[str, float]:
        """Stop the run; the totals to log (empty where this process does not log or did not track)."""
        run = self.run
        if run is None or self.result is not None:
            return {}
        atexit.unregister(self._at_exit)
        self._phase = None
        try:
            self.result = result = run.stop(status=status, end_reason=end_reason)
        except Exception as exc:
            self._fail(exc)
            return {}
        metrics: dict[str, float] = {}
        if result.energy_kwh is not None:
            metrics[TOTAL_ENERGY] = result.energy_kwh
        co2e = result.co2e_kg
        if co2e is not None:
            metrics.update({TOTAL_CO2E: co2e.central, TOTAL_CO2E_LOW: co2e.low, TOTAL_CO2E_HIGH: co2e.high})
        if self.logs:
            log.info(t("integrations.finished", self.lang, summary=result.render(self.lang)))
        return metrics if self.logs else {}

    def _at_exit(self) -> None:  # pragma: no cover - exercised through a subprocess test
        if self.run is not None and self.result is None:
            self.end(status="interrupted", end_reason=UNFINISHED)

    def _fail(self, exc: BaseException) -> None:
        if not self._failed:
            self._failed = True
            log.warning(t("integrations.tracking_failed", self.lang, error=f"{type(exc).__name__}: {exc}"),
                        exc_info=log.isEnabledFor(logging.DEBUG))


def _co2e(run: Run) -> float | None:
    fp = run.footprint()
    return None if fp is None else fp.co2e_kg.central
