"""The tracker: ``with aiceberg.track() as run:``, ``@aiceberg.track()``, ``aiceberg run -- CMD``.

A thin front over the rooms that do the work: the settings (``aiceberg.config``), discovery of the
sensors (``discovery.py``), the sampler and its thread (``sampler.py``), the phases and the prediction
(``phases.py``), the store link (``recorder.py``), the run's place in a distributed job (``job_run.py``)
and the summary builder (``summary.py``), which turns the measured energies into a Footprint through the
engine (PUE, grid intensity, embodied share), at the end and while the run goes on.

SIGTERM (when the program has no handler of its own, ``signals.py``) and Ctrl-C stop the run cleanly:
the last samples are written and the run is closed with status ``interrupted`` before the signal goes
on. Time comes from an injectable :class:`~aiceberg.measure.clock.Clock` (the system's by default).
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import socket
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from aiceberg import refdata
from aiceberg.config import Settings, load_settings
from aiceberg.errors import InputError, ReferenceDataError
from aiceberg.i18n import Msg
from aiceberg.measure.clock import SYSTEM_CLOCK, Clock
from aiceberg.measure.discovery import discover
from aiceberg.measure.gpu import GpuSensor
from aiceberg.measure.host import host_info
from aiceberg.measure.job_run import JobLink
from aiceberg.measure.launcher import JobContext
from aiceberg.measure.node import JobMember
from aiceberg.measure.phases import PhaseBook, PhaseHandle, check_total
from aiceberg.measure.recorder import Recorder, RunSink, StoreOpener, storable
from aiceberg.measure.result import RunResult, default_command
from aiceberg.measure.run_attribution import RunAttributor
from aiceberg.measure.sampler import Sampler
from aiceberg.measure.signals import SigtermGuard, Terminated
from aiceberg.measure.summary import (
    RunFacts,
    build_summary,
    footprint_for,
    footprint_so_far,
    predicted_footprint,
    utc_iso,
)
from aiceberg.measure.unmetered import run_unmetered_kwh
from aiceberg.model.factors import NO_LOCATION_WARNING
from aiceberg.model.run_records import NewRun
from aiceberg.units import J_PER_KWH

if TYPE_CHECKING:
    from aiceberg.measure.base import Sensor, SensorStatus
    from aiceberg.model.footprint import Footprint
    from aiceberg.model.run_summary import Prediction, Text

__all__ = ["PhaseHandle", "Run", "RunResult", "Terminated", "footprint_for", "host_info", "track"]

log = logging.getLogger("aiceberg.tracker")
F = TypeVar("F", bound=Callable[..., Any])

#: The settings a keyword of ``Run``/``track`` overrides (the keyword is also the field's name in errors).
_SETTING_KEYWORDS = ("location", "interval_s", "flush_every_s", "pue", "project", "cpu_tdp_w", "cpu_model")


class Run:
    """A tracked run: a context manager, a decorator, or ``start()`` / ``stop()``.

    Args:
        sensors: the sensors to read; ``None`` runs discovery (``aiceberg.measure.discovery``).
        statuses: the discovery table (sensors found and why others were not), for the report.
        store: a ``RunStore``, a path or URL, ``None`` for the configured store, ``False`` for none. A store
            that cannot be opened or written never stops the run: the summary says what happened.
        settings: the settings (``load_settings()`` when ``None``); the keyword arguments below win.
        name, project: labels stored with the run.
        location, interval_s, flush_every_s, pue: override the settings.
        cpu_tdp_w, cpu_model: what the user knows of the CPU where the reference data does not (used by
            the CPU model when no RAPL counter is readable).
        idle_baseline_s: measure the machine for this long before the workload, to split static and
            dynamic energy.
        total_phases: the number of phases the run will have, for the prediction.
        on_prediction: called with each new :class:`~aiceberg.model.run_summary.Prediction` (after each
            phase that ends while the run goes on).
        command: the command line (``aiceberg run`` gives it; default: this program's ``sys.argv``).
        handle_signals: turn SIGTERM into a clean stop (main thread, no handler of the program's own).
        attach_pid: the root of the process tree the energy is attributed to (this process when
            ``None``; ``False`` for none, then ``attach(pid)`` later).
        clock: the monotonic and wall clocks and the waits (the system's by default; sensors passed in
            must read the same monotonic clock).
        labels: setting → its name where the user gave it (``{"cpu_tdp_w": "--cpu-tdp-w"}``), for errors
            and the sensors' reasons (default: the keyword, the variable or the config key).
        job_id: the distributed job this process is a rank of, where the launcher does not say or says
            otherwise (``--job-id``, ``AICEBERG_JOB_ID``).
        job: the job context (default: read from the launcher's environment, ``measure/launcher.py``);
            ``False``: measure this process as if alone on its machine. In a job, the node's sensors are
            read by one rank per node and each GPU by one process (``measure/node.py``).
        job_scope: in a job, what this process measures besides the node's sensors (if it holds them):
            ``rank``, the GPUs its rank owns (every rank tracks); ``node``, every GPU of the job on its
            node (one process per node tracks for all its ranks, as a framework's callback may).
    """

    def __init__(
        self,
        *,
        sensors: Sequence[Sensor] | None = None,
        statuses: Sequence[SensorStatus] | None = None,
        store: RunSink | str | os.PathLike[str] | bool | None = None,
        settings: Settings | None = None,
        name: str | None = None,
        project: str | None = None,
        location: str | None = None,
        interval_s: float | None = None,
        flush_every_s: float | None = None,
        pue: float | None = None,
        cpu_tdp_w: float | None = None,
        cpu_model: str | None = None,
        idle_baseline_s: float = 0.0,
        total_phases: int | None = None,
        on_prediction: Callable[[Prediction], None] | None = None,
        command: str | None = None,
        handle_signals: bool = True,
        attach_pid: int | bool | None = None,
        clock: Clock | None = None,
        labels: Mapping[str, str] | None = None,
        open_store: StoreOpener | None = None,
        job_id: str | None = None,
        job: JobContext | bool | None = None,
        job_scope: str = "rank",
        _takeover: JobMember | None = None,
    ) -> None:
        #: the keywords as given (a decorated function's each call makes a run of its own with them)
        self._options: dict[str, Any] = {k: v for k, v in locals().items() if k not in ("self", "_takeover")}
        base = load_settings() if settings is None else settings
        self.settings = base.with_overrides({k: self._options[k] for k in _SETTING_KEYWORDS})
        if not isinstance(idle_baseline_s, int | float) or not 0 <= idle_baseline_s <= 3600:
            raise InputError("idle_baseline_s", f"{idle_baseline_s!r} is not accepted", "a number from 0 to 3600")
        check_total(total_phases)
        self.clock: Clock = clock or SYSTEM_CLOCK
        self.run_id = uuid.uuid4().hex
        self.name = storable(name)
        self.command = storable(command) if command is not None else default_command()
        self.idle_baseline_s = float(idle_baseline_s)
        self.on_prediction = on_prediction
        self.handle_signals = handle_signals
        self._sigterm = SigtermGuard(handle_signals)
        self._sensors_arg = sensors
        self._statuses: list[SensorStatus] = list(statuses or [])
        self._labels = {**{n: self.settings.given_as(n) for n in ("location", "cpu_tdp_w", "cpu_model")},
                        **(labels or {})}
        self._recorder = Recorder(store, self.settings.db, open_store)
        self._discovery: Any = None
        self._sensors: list[Sensor] = []
        self._sampler: Sampler | None = None
        self._book: PhaseBook = PhaseBook(total_phases)
        self._started_unix = 0.0
        self._idle_power_w: dict[str, float] = {}
        self._attributor: Any = None  # a run_attribution.RunAttributor once attached
        self._attr_pid: int | None = None if attach_pid is False else (attach_pid or os.getpid())
        self._warnings: list[Text] = []
        self.result: RunResult | None = None
        self._job = JobLink(job, job_id, job_scope, _takeover)

    # -- the job --------------------------------------------------------------------------------

    @property
    def job(self) -> JobContext | None:
        """The job this process is a rank of (``None`` outside a job)."""
        return self._job.ctx

    @property
    def role(self) -> str | None:
        """What this run reads of its job's node: ``node`` (the node's sensors) or ``rank`` (its GPUs)."""
        return self._job.role

    @property
    def job_scope(self) -> str:
        return self._job.scope

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def total_phases(self) -> int | None:
        return self._book.total

    @property
    def running(self) -> bool:
        return self._sampler is not None and self._sampler.started and self.result is None

    @property
    def sampler(self) -> Sampler | None:
        """The run's sampler once started (its latest values, e.g. for ``measure.exporter.serve_sampler``)."""
        return self._sampler

    @property
    def samples_taken(self) -> int:
        return 0 if self._sampler is None else self._sampler.samples_taken

    def _open_sensors(self) -> None:
        if self._sensors_arg is not None:
            self._sensors = list(self._sensors_arg)
            return
        s = self.settings
        options: dict[str, Any] = dict(powercap_root=s.powercap_root, gpus=s.gpus, cpu_tdp_w=s.cpu_tdp_w,
                                       cpu_model=s.cpu_model, labels=self._labels, interval_s=s.interval_s)
        if self.job is None:
            self._discovery = discover(**options)
        else:  # one reader per node for the node's sensors, one per GPU (measure/node.py)
            self._discovery, said = self._job.open_sensors(self.run_id, options, discover)
            self._warnings.extend(said)
        self._sensors = list(self._discovery.sensors)
        if not self._statuses:
            self._statuses = list(self._discovery.statuses)

    def _check_location(self) -> None:
        loc = self.settings.location
        if loc is None:
            self._warnings.append(NO_LOCATION_WARNING)
            warnings.warn(str(NO_LOCATION_WARNING), UserWarning, stacklevel=4)
            return
        try:
            refdata.get_zone(loc, self._labels["location"])
        except ReferenceDataError as exc:
            self._warnings.append(Msg("measure.warning.location_unchecked", location=loc, error=str(exc)))

    def start(self) -> Run:
        """Open the sensors and the store, take the idle baseline if asked, start the sampler."""
        if self._sampler is not None:
            raise RuntimeError("a Run can be started once; create another with aiceberg.track()")
        self._check_location()
        self._open_sensors()
        s = self.settings
        try:
            self._recorder.open()
            sampler = self._sampler = Sampler(self._sensors, self.clock)
            for sensor in self._sensors:
                if isinstance(sensor, GpuSensor):
                    sensor.set_interval(s.interval_s)
            if self.idle_baseline_s > 0:
                self._idle_power_w = sampler.measure_idle(self.idle_baseline_s)
            self._started_unix = self.clock.wall()
            self._recorder.create(
                NewRun(
                    run_id=self.run_id, started_at=utc_iso(self._started_unix), started_unix=self._started_unix,
                    pid=os.getpid(), hostname=socket.gethostname(), name=self.name,
                    project=storable(s.project) or "default", command=self.command,
                    location=storable(s.location), interval_s=s.interval_s, flush_every_s=s.flush_every_s,
                    job=self._job.info(),
                ),
                sampler.channel_rows(),
            )
            # the run's clock starts with its first reading, not before registering it in the store
            sampler.start_clock()
            sampler.sample()  # the baseline of every counter
            if self._attr_pid is not None:
                self.attach(self._attr_pid)
        except BaseException:
            self._close_resources()
            raise
        self._sigterm.install()
        sampler.start(s.interval_s, s.flush_every_s, self._flush)
        atexit.register(self._at_exit)
        self._job.watch(self._start_node_run, s.interval_s)  # take the node over if its reader goes
        return self

    def _start_node_run(self, member: JobMember) -> Run:
        """The node's run, started by this rank on taking the node over from a rank that ended or died."""
        o = self._options
        run = type(self)(store=o["store"], settings=self.settings, name=self.name, command=self.command,
                         handle_signals=False, attach_pid=False, clock=self.clock, labels=o["labels"],
                         open_store=o["open_store"], job=self.job, _takeover=member)
        with warnings.catch_warnings():  # the rank's run warned already
            warnings.simplefilter("ignore")
            return run.start()

    def stop(
        self,
        *,
        status: str | None = None,
        exit_code: int | None = None,
        end_reason: str | None = None,
    ) -> RunResult:
        """Stop sampling, write the last samples, compute the footprint, close the run.

        Args:
            status: ``finished`` (default), ``failed`` or ``interrupted``.
            exit_code: the workload's exit code, where there is one.
            end_reason: why the run ended, in words.
        """
        if self.result is not None:
            return self.result
        sampler = self._sampler
        if sampler is None or not sampler.started:
            raise RuntimeError("the run was not started")
        sampler.stop()
        self._sigterm.restore()
        atexit.unregister(self._at_exit)
        try:
            sampler.sample()
            end_t = sampler.elapsed_s()
            self._book.end_all(end_t, sampler.total_j())
            result = self._finish(status or "finished", exit_code, end_reason, end_t)
        finally:
            self._close_resources()
        self.result = result
        return result

    def _close_resources(self) -> None:
        self._job.close()
        if self._sensors_arg is None:
            if self._discovery is not None:
                self._discovery.close()
            else:
                for s in self._sensors:
                    try:
                        s.close()
                    except Exception:  # pragma: no cover
                        log.debug("closing %s failed", s.name, exc_info=True)
        self._recorder.close()

    def _at_exit(self) -> None:  # pragma: no cover - exercised through subprocess tests
        if self.result is None and self._sampler is not None:
            self.stop(end_reason="stopped at interpreter exit")

    # -- flushing -------------------------------------------------------------------------------

    def _flush(self, now: float | None = None) -> None:
        sampler = self._sampler
        assert sampler is not None
        now = self.clock.monotonic() if now is None else now
        if self._attributor is not None:
            self._attributor.update(sampler.used_channels())
        rows = sampler.drain()
        phases = self._book.changed()
        written = self._recorder.append(
            self.run_id, rows, phases, heartbeat_unix=self.clock.wall(),
            partial={"duration_s": now - sampler.t0, "energy_kwh": sampler.total_j() / J_PER_KWH},
        )
        if not written:  # keep the data and try again at the next flush
            sampler.give_back(rows)
            self._book.unwritten(phases)
        else:
            self._job.flushed(self.clock.wall())

    # -- energies -------------------------------------------------------------------------------

    @property
    def energy_kwh(self) -> float:
        """Electricity at the devices so far (at the last sample), in kWh."""
        return 0.0 if self._sampler is None else self._sampler.total_j() / J_PER_KWH

    @property
    def elapsed_s(self) -> float:
        return self._sampler.elapsed_s() if self._sampler is not None and self._sampler.started else 0.0

    def sample(self) -> None:
        """Read every sensor now, besides the sampler's own ticks (a fresh figure before a checkpoint)."""
        if not self.running:
            raise RuntimeError("start the run before sampling it")
        assert self._sampler is not None
        self._sampler.sample()

    # -- phases and prediction ------------------------------------------------------------------

    def expect(self, total_phases: int) -> None:
        """Declare how many phases the run will have (enables the prediction)."""
        self._book.total = check_total(total_phases, required=True)

    def phase(self, name: str) -> PhaseHandle:
        """Start a named phase now (``run.phase("epoch 3")``); the previous open phase ends here."""
        if not self.running:
            raise RuntimeError("start the run before its phases")
        sampler = self._sampler
        assert sampler is not None
        sampler.sample()  # a fresh reading at the boundary
        ph, closed = self._book.start(name, sampler.elapsed_s(), sampler.total_j())
        if closed:
            self._predicted()
        return PhaseHandle(self._end_phase, ph.index)

    def _end_phase(self, index: int) -> None:
        sampler = self._sampler
        if self.running and sampler is not None and self._book.is_open(index):
            sampler.sample()
            if self._book.end(index, sampler.elapsed_s(), sampler.total_j()):
                self._predicted()

    def _predicted(self) -> None:
        """A phase ended while the run goes on: a new prediction, for the callback and the summary."""
        if not self._book.total or self.result is not None:
            return
        pred = self.prediction()
        if pred is not None:
            self._book.predictions.append(pred)
            if self.on_prediction is not None:
                self.on_prediction(pred)

    def prediction(self, *, with_footprint: bool = True) -> Prediction | None:
        """The predicted totals of the whole run from its completed phases (``None`` before one ends,
        and once the run has ended: its own figure replaces the prediction)."""
        if self.result is not None:
            return None
        pred = self._book.predict()
        if pred is None or not with_footprint or self._sampler is None:
            return pred
        return predicted_footprint(pred, self._sampler, location=self.settings.location, pue=self.settings.pue)

    def footprint(self) -> Footprint | None:
        """The footprint of what was measured so far (as of the last sample), through the engine with the
        run's factors, as its summary's will be; ``None`` before the run starts, once it has ended (its
        result has the figure) or where the engine cannot compute one. A training callback logs it per epoch.
        """
        sampler = self._sampler
        if sampler is None or not sampler.started or self.result is not None:
            return None
        return footprint_so_far(sampler, location=self.settings.location, pue=self.settings.pue)

    # -- the result -----------------------------------------------------------------------------

    def attach(self, pid: int) -> None:
        """Attribute to the process tree rooted at ``pid`` (``aiceberg run`` attaches its child)."""
        sampler = self._sampler
        if sampler is None:
            raise RuntimeError("start the run before attaching a process to it")
        attributor = RunAttributor(pid, self._sensors)
        with sampler.lock:
            attributor.prev_j = {s.channel.id: s.last_j or 0.0 for s in sampler.used_channels()}
            self._attributor = attributor

    def _finish(self, status: str, exit_code: int | None, end_reason: str | None, end_t: float) -> RunResult:
        sampler = self._sampler
        assert sampler is not None
        self._flush()  # the last samples, and the attribution's last window
        s = self.settings
        # the optional correction for what no counter sees
        unmetered = run_unmetered_kwh(sampler.used_channels(), end_t) if s.unmetered else None
        facts = RunFacts(
            run_id=self.run_id, status=status, started_unix=self._started_unix, duration_s=end_t,
            name=self.name, project=storable(s.project) or "default", command=self.command,
            location=storable(s.location), pue=s.pue, interval_s=s.interval_s, samples=sampler.samples_taken,
            exit_code=exit_code, end_reason=end_reason, idle_baseline_s=self.idle_baseline_s,
            idle_power_w=self._idle_power_w, unmetered_kwh=unmetered, warnings=self._warnings,
        )
        summary = build_summary(
            facts, list(sampler.states.values()), sampler.used_channels(), self._statuses,
            host=host_info(st.channel for st in sampler.states.values()),
            phases=self._book.summaries(), prediction=self._book.last_prediction(status=status),
            attribution=None if self._attributor is None else self._attributor.report(),
        )
        summary = self._recorder.finish(self._job.summary(summary))
        return RunResult(summary=summary, stored_in=self._recorder.where if self._recorder.stored else None)

    # -- context manager and decorator ----------------------------------------------------------

    def __enter__(self) -> Run:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            self.stop()
        elif isinstance(exc, Terminated):
            self.stop(status="interrupted", exit_code=exc.code, end_reason="SIGTERM")  # type: ignore[arg-type]
        elif isinstance(exc, KeyboardInterrupt):
            self.stop(status="interrupted", exit_code=130, end_reason="SIGINT (Ctrl-C)")
        elif isinstance(exc, SystemExit):
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            self.stop(
                status="finished" if code == 0 else "failed", exit_code=code, end_reason=f"exit({code})"
            )
        else:
            self.stop(status="failed", end_reason=f"{type(exc).__name__}: {exc}")

    def __call__(self, func: F) -> F:
        options = self._options

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with Run(**options):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def track(func: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """Track a block, a function or a whole program.

    ``with track(location="FR") as run:`` · ``@track(location="FR")`` · ``@track``. The options are
    those of :class:`Run`.
    """
    if func is not None:
        if not callable(func):
            raise InputError("track", "pass options as keywords: track(location='FR')")
        return Run(**options)(func)
    return Run(**options)
