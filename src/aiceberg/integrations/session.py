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
``aiceberg/total_energy_kwh``          at the end: the training's electricity (the job's, else this node's run's)
``aiceberg/total_co2e_kg`` (``_low``,  at the end: the training's whole footprint and its range
``_high``)
=====================================  =====================================================================

A figure that could not be computed is left out, never logged as 0.

Which process does what, on a job of several processes (:func:`launcher_roles`, or the framework's own
flags): the first process of each node (local rank 0) tracks, with ``job_scope="node"`` — its run reads the
node's sensors and every GPU of the job on the node, each once (``measure/node.py``'s election and GPU
claims still guard against any other tracker of the job); only the main process (rank 0) logs; the other
processes measure and store nothing. So the epochs' figures are the whole node's, and on one node the
job's. At the end (:meth:`TrainingSession.end`), every process tells the others which run it tracked
(``gather``: ``torch.distributed``'s all-gather where a process group runs, :func:`torch_gather`), and the
main process logs the training's total over all the job's nodes, counted once
(:func:`aiceberg.get_job` on those runs), where this store holds them all; otherwise it logs its own node's
figure and says so (:attr:`TrainingSession.job_note`).

A session never stops a training: a failure while tracking is logged once and the training goes on. A
training that ends without reaching its end hook (an exception, SIGTERM) is closed at interpreter exit
with status ``interrupted``.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiceberg import refdata
from aiceberg.errors import InputError, ReferenceDataError
from aiceberg.i18n import Msg, check_lang, t
from aiceberg.i18n.numbers import Amount
from aiceberg.integrations.model_card import TRAINING_TYPES
from aiceberg.jobs import JobSummary, get_job
from aiceberg.measure.launcher import JobContext, job_context
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
    "CallbackOptions",
    "EpochFigures",
    "Gather",
    "Roles",
    "TrainingSession",
    "check_run_options",
    "launcher_roles",
    "torch_gather",
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

#: Every process's contribution (the run it tracked, or ``None``) → everyone's, in rank order: an all-gather.
Gather = Callable[[Any], Sequence[Any]]


@dataclass(frozen=True)
class Roles:
    """What this process does in a training: ``tracks`` its node (local rank 0), ``logs`` (rank 0)."""

    tracks: bool = True
    logs: bool = True


def launcher_roles(env: Mapping[str, str] | None = None, ctx: JobContext | None = None) -> Roles:
    """Who tracks and who logs, from the launcher's environment as the tracker reads it
    (:func:`aiceberg.measure.launcher.job_context`): for a framework that does not know its ranks (Keras).

    Outside a job, the process does both. In a job, rank 0 logs and each node's local rank 0 tracks; where
    the launcher gives no local rank (MPICH's PMI alone), only rank 0 tracks, unless the node holds one
    rank: a node may then be left unmeasured (the job's notes say so), never measured twice.
    """
    ctx = job_context(env) if ctx is None else ctx
    if ctx.rank is None:
        return Roles(tracks=True, logs=True)
    local = ctx.local_rank if ctx.local_rank is not None else (0 if ctx.local_world_size == 1 else ctx.rank)
    return Roles(tracks=local == 0, logs=ctx.rank == 0)


def torch_gather() -> Gather | None:
    """An all-gather over the running ``torch.distributed`` process group, ``None`` where none runs (one
    process, or torch never imported: this imports nothing). Every rank must call it, as the frameworks'
    ``on_train_end`` hooks do."""
    dist = sys.modules.get("torch.distributed")
    if dist is None or not dist.is_available() or not dist.is_initialized() or dist.get_world_size() < 2:
        return None

    def gather(value: Any) -> list[Any]:
        out: list[Any] = [None] * dist.get_world_size()
        dist.all_gather_object(out, value)
        return out

    return gather


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


class CallbackOptions:
    """What the three frameworks' callbacks share: their options, checked where the callback is made (before
    any training starts), and the session they open. Mixed into each framework's own callback class."""

    lang: str
    options: Mapping[str, Any]
    training_type: str | None
    session: TrainingSession | None
    model_card_yaml: str | None

    def _take_options(self, training_type: str | None, lang: str, options: Mapping[str, Any]) -> None:
        if training_type is not None and training_type not in TRAINING_TYPES:
            raise InputError("training_type", Msg("integrations.bad_training_type", value=training_type),
                             ", ".join(TRAINING_TYPES))
        self.lang = check_lang(lang)
        check_run_options(options)
        self.options = options
        self.training_type = training_type
        self.session = None
        self.model_card_yaml = None

    @property
    def result(self) -> RunResult | None:
        return None if self.session is None else self.session.result


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
        options: :func:`aiceberg.track`'s keywords (``location``, ``store``, ``project``…); ``job_scope``
            is ``node`` unless given (one process per node tracks for all its ranks).
        lang: the language of the lines logged (``en``, ``fr``).

    After :meth:`end`, on the main process: :attr:`job` is the training's total over its job's nodes
    (``None`` outside a job, or where only this node's figure is known: :attr:`job_note` says why).
    """

    def __init__(self, *, tracks: bool, logs: bool, options: Mapping[str, Any], lang: str = "en") -> None:
        self.tracks = tracks
        self.logs = logs
        self.lang = lang
        self._options = dict(options)
        self.run: Run | None = None
        self.result: RunResult | None = None
        self.job: JobSummary | None = None
        self.job_note: Msg | None = None
        self.epochs: list[EpochFigures] = []
        self._phase: PhaseHandle | None = None
        self._start_kwh = 0.0
        self._start_co2e: float | None = None
        self._failed = False
        self._ended = False

    # -- the run --------------------------------------------------------------------------------

    def begin(self, *, total_epochs: int | None = None, name: str | None = None) -> None:
        """Start the run (on a tracking process): ``total_epochs`` enables the prediction."""
        if not self.tracks or self.run is not None:
            return
        options = dict(self._options)
        options.setdefault("job_scope", "node")  # every GPU of the job on this node: no other rank tracks
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

    def end(self, *, status: str = "finished", end_reason: str | None = None,
            gather: Gather | None = None) -> dict[str, float]:
        """Stop the run; the totals to log (empty where this process does not log or did not track).

        Args:
            gather: an all-gather over the job's processes (:func:`torch_gather`): at a training's normal
                end, every process calls it with the run it tracked (``None`` if none), so that the main
                process knows this training's runs on every node. Give it on every process or on none.
        """
        if self._ended:
            return {}
        self._ended = True
        result = self._stop(status, end_reason)
        ids: list[Any] | None = None
        if gather is not None and status == "finished":
            try:
                ids = list(gather(None if result is None else result.run_id))
            except Exception as exc:
                self._fail(exc)
        if result is None or not self.logs:
            return {}
        if status == "finished":
            self._job_total(result, ids)
        energy, co2e = result.energy_kwh, result.co2e_kg
        if self.job is not None:
            energy, co2e = self.job.energy_kwh, self.job.co2e_kg
        metrics: dict[str, float] = {}
        if energy is not None:
            metrics[TOTAL_ENERGY] = energy
        if co2e is not None:
            metrics.update({TOTAL_CO2E: co2e.central, TOTAL_CO2E_LOW: co2e.low, TOTAL_CO2E_HIGH: co2e.high})
        log.info(t("integrations.finished", self.lang, summary=result.render(self.lang)))
        job = self.job
        if job is not None:
            log.info(t("integrations.job_total", self.lang, job=job.job_id, nodes=len(job.nodes),
                       energy=Amount(job.energy_kwh, "kWh"),
                       co2e=Amount(job.co2e_kg, "kg CO2e", with_range=True) if job.co2e_kg is not None else "—"))
        elif self.job_note is not None:
            log.warning(self.job_note.render(self.lang))
        return metrics

    def _stop(self, status: str, end_reason: str | None) -> RunResult | None:
        run = self.run
        if run is None or self.result is not None:
            return self.result
        atexit.unregister(self._at_exit)
        self._phase = None
        try:
            self.result = run.stop(status=status, end_reason=end_reason)
        except Exception as exc:
            self._fail(exc)
        return self.result

    # -- the job ----------------------------------------------------------------------------------

    def _store_target(self) -> Any:
        """Where the run was stored, to read its job from (``None``: not stored)."""
        store = self._options.get("store")
        if store is False:
            return None
        if store is None or store is True:
            return None if self.run is None else self.run.settings.db
        return store

    def _job_total(self, result: RunResult, ids: Sequence[Any] | None) -> None:
        """The training's total over its job's nodes (:attr:`job`), or why only this node's is known
        (:attr:`job_note`). The runs are this training's trackers' (``ids``, gathered from every process),
        else this process's alone: another training of the same job is never added in."""
        ctx = None if self.run is None else self.run.job
        if ctx is None or ctx.job_id is None:
            return  # not in a job: the run is the training
        runs = [result.run_id] if ids is None else list(dict.fromkeys(i for i in ids if isinstance(i, str)))
        if result.run_id not in runs:
            runs.append(result.run_id)
        expected = ctx.nodes
        if expected is None and ctx.world_size is not None and ctx.world_size == ctx.local_world_size:
            expected = 1
        why: Msg | None = None
        target = self._store_target()
        if target is None:
            why = Msg("integrations.job.why.not_stored")
        elif ids is None and expected != 1:
            why = Msg("integrations.job.why.no_gather" if expected else "integrations.job.why.size_unknown")
        else:
            try:
                job = get_job(ctx.job_id, store=target, runs=runs)
            except Exception as exc:  # unreachable, or this run spooled: this node's figure stands
                why = Msg("integrations.job.why.unreadable", reason=f"{type(exc).__name__}: {exc}")
            else:
                seen = {r.run_id for n in job.nodes for r in n.runs}
                missing = [r for r in runs if r not in seen]
                if missing:
                    why = Msg("integrations.job.why.not_in_store", count=len(missing))
                elif expected is not None and len(job.nodes) < expected:
                    why = Msg("integrations.job.why.nodes_untracked", seen=len(job.nodes), expected=expected)
                else:
                    self.job = job
                    return
        self.job_note = Msg("integrations.job.node_only", node=ctx.node, job=ctx.job_id, why=why)

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
