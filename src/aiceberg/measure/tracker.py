"""The sampling tracker: ``with aiceberg.track() as run:``, ``@aiceberg.track()``, ``aiceberg run -- CMD``.

A background thread wakes once per interval (monotonic clock), reads every sensor, appends the
readings to an in-memory buffer and, every ``flush_every_s``, writes the buffer to the run store in one
short transaction with a heartbeat. Nothing else happens in the loop. Energy is the difference of
cumulative counters (the sensor protocol returns cumulative joules), never power × time where a counter
exists; a failed read is a gap, and the next good read of the counter covers it.

When the run stops, its energies per device domain, its duration and the machine go through the
engine (:func:`footprint_for`, one call) to become a Footprint: PUE, grid intensity, embodied share.

SIGTERM (when the program has no handler of its own) and Ctrl-C stop the run cleanly: the last samples
are written and the run is closed with status ``interrupted`` before the signal goes on.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import os
import signal
import socket
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from aiceberg.errors import InputError
from aiceberg.measure.host import host_info
from aiceberg.units import J_PER_KWH

if TYPE_CHECKING:
    from aiceberg.config import Settings
    from aiceberg.measure.base import Channel, Sensor, SensorStatus
    from aiceberg.measure.prediction import Prediction
    from aiceberg.model.footprint import Footprint
    from aiceberg.store.base import RunStore, SampleRow

__all__ = ["PhaseHandle", "Run", "RunResult", "Terminated", "footprint_for", "host_info", "track"]

log = logging.getLogger("aiceberg.tracker")
F = TypeVar("F", bound=Callable[..., Any])


class Terminated(SystemExit):
    """Raised in the main thread when SIGTERM arrives during a tracked run (exit code 128 + 15)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(128 + signum)


def _utc_iso(unix: float | None = None) -> str:
    moment = datetime.fromtimestamp(unix, UTC) if unix is not None else datetime.now(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- the engine --------------------------------------------------------------------------------


def footprint_for(
    domains_kwh: Mapping[str, float],
    *,
    duration_s: float,
    location: str | None,
    pue: float | None,
    host: Mapping[str, Any],
    idle_kwh: float | None = None,
    statuses: Mapping[str, str] | None = None,
    unmetered_kwh: float | None = None,
) -> Footprint:
    """Turn measured energies into a Footprint through the engine: the one call the tracker makes."""
    from aiceberg.model.measured import measured_footprint

    return measured_footprint(
        domains_kwh,
        duration_s=duration_s,
        location=location,
        pue=pue,
        host=host,
        idle_kwh=idle_kwh,
        statuses=statuses,
        unmetered_kwh=unmetered_kwh,
    )


# -- results -----------------------------------------------------------------------------------


@dataclass
class _ChannelState:
    channel: Channel
    sensor: str
    method: str
    base_j: float | None = None
    last_j: float | None = None
    last_t: float | None = None
    gaps: int = 0
    reads: int = 0
    last_error: str | None = None


@dataclass
class _Phase:
    index: int
    name: str
    start_s: float
    start_j: float
    end_s: float | None = None
    energy_j: float | None = None


@dataclass(frozen=True)
class RunResult:
    """What a finished run reports. ``to_dict()`` is the ``--output-json`` contract (docs/tracking.md)."""

    run_id: str
    status: str
    duration_s: float
    energy_kwh: float | None
    co2e_kg: float | None
    exit_code: int | None
    end_reason: str | None
    summary: dict[str, Any] = field(default_factory=dict)
    footprint: Footprint | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.summary)


class PhaseHandle:
    """A named phase; ends when the next phase starts, when ``end()`` is called, or at ``with`` exit."""

    def __init__(self, run: Run, index: int) -> None:
        self._run = run
        self.index = index

    def end(self) -> None:
        self._run._end_phase(self.index)

    def __enter__(self) -> PhaseHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()


# -- the run -----------------------------------------------------------------------------------


class Run:
    """A tracked run: a context manager, a decorator, or ``start()`` / ``stop()``.

    Args:
        sensors: the sensors to read; ``None`` runs discovery (``aiceberg.measure.discovery``).
        statuses: the discovery table (sensors found and why others were not), for the report.
        store: a ``RunStore``, a path or URL, ``None`` for the configured store, ``False`` for none.
        settings: the settings (``load_settings()`` when ``None``); the keyword arguments below win.
        name, project: labels stored with the run.
        location, interval_s, flush_every_s, pue: override the settings.
        idle_baseline_s: measure the machine for this long before the workload, to split static and
            dynamic energy.
        total_phases: the number of phases the run will have, for the prediction.
        on_prediction: called with each new :class:`Prediction` (after each phase).
        command: the command line, for ``aiceberg run``.
        handle_signals: turn SIGTERM into a clean stop (main thread, no handler of the program's own).
        attach_pid: the root of the process tree the energy is attributed to (this process when
            ``None``; ``False`` for none, then ``attach(pid)`` later).
    """

    def __init__(
        self,
        *,
        sensors: Sequence[Sensor] | None = None,
        statuses: Sequence[SensorStatus] | None = None,
        store: RunStore | str | os.PathLike[str] | bool | None = None,
        settings: Settings | None = None,
        name: str | None = None,
        project: str | None = None,
        location: str | None = None,
        interval_s: float | None = None,
        flush_every_s: float | None = None,
        pue: float | None = None,
        idle_baseline_s: float = 0.0,
        total_phases: int | None = None,
        on_prediction: Callable[[Prediction], None] | None = None,
        command: str | None = None,
        handle_signals: bool = True,
        attach_pid: int | bool | None = None,
    ) -> None:
        self._options = dict(
            sensors=sensors, statuses=statuses, store=store, settings=settings, name=name,
            project=project, location=location, interval_s=interval_s, flush_every_s=flush_every_s,
            pue=pue, idle_baseline_s=idle_baseline_s, total_phases=total_phases,
            on_prediction=on_prediction, command=command, handle_signals=handle_signals,
            attach_pid=attach_pid,
        )
        from aiceberg.config import load_settings

        self.settings = load_settings(
            {
                "location": location, "interval_s": interval_s, "flush_every_s": flush_every_s,
                "pue": pue, "project": project,
            },
            labels={"interval_s": "interval_s", "flush_every_s": "flush_every_s"},
        ) if settings is None else settings
        if settings is not None:
            from dataclasses import replace

            over = {
                k: v for k, v in {
                    "location": location, "interval_s": interval_s, "flush_every_s": flush_every_s,
                    "pue": pue, "project": project,
                }.items() if v is not None
            }
            if over:
                from aiceberg.config import _check

                self.settings = replace(settings, **{k: _check(k, v, k) for k, v in over.items()})
        if idle_baseline_s < 0:
            raise InputError("idle_baseline_s", f"{idle_baseline_s!r} is negative", "a number >= 0")
        if total_phases is not None and (not isinstance(total_phases, int) or total_phases <= 0):
            raise InputError("total_phases", f"{total_phases!r} is not accepted", "an integer > 0")
        self.run_id = uuid.uuid4().hex
        self.name = name
        self.command = command
        self.idle_baseline_s = float(idle_baseline_s)
        self.total_phases = total_phases
        self.on_prediction = on_prediction
        self.handle_signals = handle_signals
        self._sensors_arg = sensors
        self._statuses: list[SensorStatus] = list(statuses or [])
        self._store_arg = store
        self._store: RunStore | None = None
        self._own_store = False
        self._discovery: Any = None
        self._sensors: list[Sensor] = []
        self._states: dict[str, _ChannelState] = {}
        self._by_sensor: list[tuple[Sensor, list[str]]] = []
        self._buffer: list[SampleRow] = []
        self._phases: list[_Phase] = []
        self._dirty_phases: set[int] = set()
        self._sample_lock = threading.Lock()
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0 = 0.0
        self._started_unix = 0.0
        self._last_flush = 0.0
        self._idle_power_w: dict[str, float] = {}
        self._attributor: Any = None  # a run_attribution.RunAttributor once attached
        self._attr_pid: int | None = None if attach_pid is False else (attach_pid or os.getpid())
        self._old_sigterm: Any = None
        self._warnings: list[str] = []
        self._store_error: str | None = None
        self._predictions: list[Prediction] = []
        self.result: RunResult | None = None
        self.samples_taken = 0

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self.result is None

    def _open_sensors(self) -> None:
        if self._sensors_arg is not None:
            self._sensors = list(self._sensors_arg)
            return
        from aiceberg.measure.discovery import discover

        root = self.settings.powercap_root
        self._discovery = discover(powercap_root=root, gpus=self.settings.gpus)
        self._sensors = list(self._discovery.sensors)
        if not self._statuses:
            self._statuses = list(self._discovery.statuses)

    def _open_store(self) -> None:
        arg = self._store_arg
        if arg is False:
            return
        if arg is None or arg is True:
            from aiceberg.store import open_store

            self._store, self._own_store = open_store(self.settings.db), True
        elif isinstance(arg, str | os.PathLike):
            from aiceberg.store import open_store

            self._store, self._own_store = open_store(arg), True
        else:
            self._store = arg

    def _check_location(self) -> None:
        loc = self.settings.location
        if loc is None:
            from aiceberg.model.factors import NO_LOCATION_WARNING

            self._warnings.append(NO_LOCATION_WARNING)
            warnings.warn(self._warnings[-1], UserWarning, stacklevel=4)
            return
        try:
            from aiceberg import refdata
        except ImportError:  # pragma: no cover - refdata ships with the package
            return
        label = {"argument": "--location", "env": "AICEBERG_LOCATION", "config": "config.toml: location"}
        from aiceberg.errors import ReferenceDataError

        try:
            refdata.get_zone(loc, label.get(self.settings.source_of("location"), "location"))
        except ReferenceDataError as exc:
            self._warnings.append(f"the location {loc!r} could not be checked: {exc}")

    def start(self) -> Run:
        """Open the sensors and the store, take the idle baseline if asked, start the sampler."""
        if self._thread is not None:
            raise RuntimeError("a Run can be started once; create another with aiceberg.track()")
        self._check_location()
        self._open_sensors()
        try:
            self._open_store()
            for sensor in self._sensors:
                ids = []
                for ch in sensor.channels():
                    self._states[ch.id] = _ChannelState(ch, sensor.name, sensor.method)
                    ids.append(ch.id)
                self._by_sensor.append((sensor, ids))
            if self.idle_baseline_s > 0:
                self._measure_idle()
            self._started_unix = time.time()
            if self._store is not None:
                from aiceberg.store.base import ChannelRow, NewRun

                self._store.create_run(
                    NewRun(
                        run_id=self.run_id, started_at=_utc_iso(self._started_unix),
                        started_unix=self._started_unix, pid=os.getpid(), hostname=socket.gethostname(),
                        name=self.name, project=self.settings.project, command=self.command,
                        location=self.settings.location, interval_s=self.settings.interval_s,
                        flush_every_s=self.settings.flush_every_s,
                    ),
                    [
                        ChannelRow(s.channel.id, s.sensor, s.channel.domain, s.channel.label, s.method)
                        for s in self._states.values()
                    ],
                )
            # the run's clock starts with its first reading, not before registering it in the store
            self._t0 = time.monotonic()
            self._sample()  # the baseline of every counter
            if self._attr_pid is not None:
                self.attach(self._attr_pid)
            self._last_flush = time.monotonic()
        except BaseException:
            self._close_resources()
            raise
        self._install_signals()
        self._thread = threading.Thread(target=self._loop, name="aiceberg-sampler", daemon=True)
        self._thread.start()
        atexit.register(self._at_exit)
        return self

    def _measure_idle(self) -> None:
        first = {s.name: s.read() for s, _ in self._by_sensor}
        time.sleep(self.idle_baseline_s)
        for sensor, _ in self._by_sensor:
            second = sensor.read()
            a = first[sensor.name]
            dt = second.t_s - a.t_s
            for ch, e in second.energy_j.items():
                if ch in a.energy_j and dt > 0:
                    self._idle_power_w[ch] = max(e - a.energy_j[ch], 0.0) / dt

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
        if self._thread is None:
            raise RuntimeError("the run was not started")
        self._stop_event.set()
        self._thread.join()
        self._restore_signals()
        atexit.unregister(self._at_exit)
        try:
            self._sample()
            end_t = time.monotonic() - self._t0
            for ph in self._phases:
                if ph.end_s is None:
                    self._close_phase(ph, end_t)
            result = self._finish(status or "finished", exit_code, end_reason, end_t)
        finally:
            self._close_resources()
        self.result = result
        return result

    def _close_resources(self) -> None:
        if self._sensors_arg is None:
            if self._discovery is not None:
                self._discovery.close()
            else:
                for s in self._sensors:
                    try:
                        s.close()
                    except Exception:  # pragma: no cover
                        log.debug("closing %s failed", s.name, exc_info=True)
        if self._own_store and self._store is not None:
            self._store.close()

    def _at_exit(self) -> None:  # pragma: no cover - exercised through subprocess tests
        if self.result is None and self._thread is not None:
            self.stop(end_reason="stopped at interpreter exit")

    # -- signals --------------------------------------------------------------------------------

    def _install_signals(self) -> None:
        if not self.handle_signals or threading.current_thread() is not threading.main_thread():
            return
        try:
            if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
                self._old_sigterm = signal.signal(signal.SIGTERM, _raise_terminated)
        except (ValueError, OSError):  # pragma: no cover
            self._old_sigterm = None

    def _restore_signals(self) -> None:
        if self._old_sigterm is not None:
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signal.SIGTERM, self._old_sigterm)
            self._old_sigterm = None

    # -- sampling -------------------------------------------------------------------------------

    def _loop(self) -> None:
        interval = self.settings.interval_s
        flush_every = self.settings.flush_every_s
        next_t = self._t0 + interval
        wait = self._stop_event.wait
        while not wait(max(0.0, next_t - time.monotonic())):
            self._sample()
            now = time.monotonic()
            if now - self._last_flush >= flush_every:
                self._flush(now)
            next_t += interval
            if next_t < now:  # the machine was suspended or overloaded: skip the missed ticks
                next_t = now + interval

    def _sample(self) -> None:
        from aiceberg.store.base import SampleRow

        with self._sample_lock:
            rows = self._buffer
            t0 = self._t0
            for sensor, ids in self._by_sensor:
                try:
                    reading = sensor.read()
                except Exception as exc:  # a backend broke its contract: a gap for every channel
                    t = time.monotonic() - t0
                    for ch in ids:
                        broken = self._states[ch]
                        broken.gaps += 1
                        broken.last_error = f"{type(exc).__name__}: {exc}"
                        rows.append(SampleRow(t, ch, None, None, broken.last_error))
                    continue
                t = reading.t_s - t0
                power = reading.power_w
                for ch, e in reading.energy_j.items():
                    st = self._states.get(ch)
                    if st is None:
                        continue
                    if st.base_j is None:
                        st.base_j = e
                    cum = e - st.base_j
                    st.last_j, st.last_t = cum, t
                    st.reads += 1
                    rows.append(SampleRow(t, ch, cum, power.get(ch)))
                for ch, why in reading.errors.items():
                    st = self._states.get(ch)
                    if st is None:
                        continue
                    st.gaps += 1
                    st.last_error = why
                    rows.append(SampleRow(t, ch, None, None, why))
            self.samples_taken += 1

    def _flush(self, now: float | None = None) -> None:
        if self._attributor is not None:
            with self._sample_lock:
                used = self._used_channels()
            self._attributor.update(used)
        with self._sample_lock:
            rows, self._buffer = self._buffer, []
            phases = [self._phases[i] for i in sorted(self._dirty_phases)]
            self._dirty_phases.clear()
        self._last_flush = time.monotonic() if now is None else now
        if self._store is None:
            return
        from aiceberg.store.base import PhaseRow

        try:
            self._store.append(
                self.run_id,
                rows,
                [PhaseRow(p.index, p.name, p.start_s, p.end_s, p.energy_j) for p in phases],
                heartbeat_unix=time.time(),
                partial={
                    "duration_s": self._last_flush - self._t0,
                    "energy_kwh": self._total_j() / J_PER_KWH,
                },
            )
            self._store_error = None
        except Exception as exc:  # keep the data and try again at the next flush
            self._store_error = str(exc)
            log.warning("aiceberg: cannot write samples (%s); will retry", exc)
            with self._sample_lock:
                self._buffer[:0] = rows
                self._dirty_phases.update(p.index for p in phases)

    # -- energies -------------------------------------------------------------------------------

    def _used_channels(self) -> list[_ChannelState]:
        """Top-level channels; per domain, the measured ones when any, else the modelled ones."""
        top = [s for s in self._states.values() if getattr(s.channel, "included_in", None) is None]
        measured_domains = {s.channel.domain for s in top if s.method == "measured"}
        return [s for s in top if s.method == "measured" or s.channel.domain not in measured_domains]

    def _total_j(self) -> float:
        return sum(s.last_j or 0.0 for s in self._used_channels())

    @property
    def energy_kwh(self) -> float:
        """Electricity at the devices so far (at the last sample), in kWh."""
        return self._total_j() / J_PER_KWH

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self._t0 if self._thread is not None else 0.0

    # -- phases and prediction ------------------------------------------------------------------

    def expect(self, total_phases: int) -> None:
        """Declare how many phases the run will have (enables the prediction)."""
        if not isinstance(total_phases, int) or total_phases <= 0:
            raise InputError("total_phases", f"{total_phases!r} is not accepted", "an integer > 0")
        self.total_phases = total_phases

    def phase(self, name: str) -> PhaseHandle:
        """Start a named phase now (``run.phase("epoch 3")``); the previous open phase ends here."""
        if not self.running:
            raise RuntimeError("start the run before its phases")
        self._sample()  # a fresh reading at the boundary
        t = time.monotonic() - self._t0
        with self._sample_lock:
            open_phases = [p for p in self._phases if p.end_s is None]
        for p in open_phases:
            self._close_phase(p, t)
        ph = _Phase(len(self._phases), str(name), t, self._total_j())
        with self._sample_lock:
            self._phases.append(ph)
            self._dirty_phases.add(ph.index)
        return PhaseHandle(self, ph.index)

    def _end_phase(self, index: int) -> None:
        ph = self._phases[index]
        if ph.end_s is None and self.running:
            self._sample()
            self._close_phase(ph, time.monotonic() - self._t0)

    def _close_phase(self, ph: _Phase, t: float) -> None:
        with self._sample_lock:
            ph.end_s = t
            ph.energy_j = max(self._total_j() - ph.start_j, 0.0)
            self._dirty_phases.add(ph.index)
        if self.total_phases and self.result is None:
            pred = self.prediction()
            if pred is not None:
                self._predictions.append(pred)
                if self.on_prediction is not None:
                    self.on_prediction(pred)

    def prediction(self, *, with_footprint: bool = True) -> Prediction | None:
        """The predicted totals of the whole run from its completed phases (``None`` before one ends)."""
        from aiceberg.measure.prediction import predict

        if not self.total_phases:
            return None
        done = [(p.start_s, p.end_s, p.energy_j) for p in self._phases
                if p.end_s is not None and p.energy_j is not None]
        pred = predict(
            [energy_j / J_PER_KWH for _, _, energy_j in done],
            [end_s - start_s for start_s, end_s, _ in done],
            self.total_phases,
            elapsed_s=max(end_s for _, end_s, _ in done) if done else None,
            energy_so_far_kwh=sum(energy_j for _, _, energy_j in done) / J_PER_KWH if done else None,
        )
        if pred is None or not with_footprint:
            return pred
        try:
            now_kwh = self.energy_kwh
            if now_kwh <= 0:
                return pred
            co2 = []
            for e, t in (
                (pred.energy_kwh, pred.duration_s),
                (pred.energy_kwh_low, pred.duration_s_low),
                (pred.energy_kwh_high, pred.duration_s_high),
            ):
                scale = e / now_kwh
                fp = footprint_for(
                    {d: v * scale for d, v in self._domains_kwh().items()},
                    duration_s=t, location=self.settings.location, pue=self.settings.pue,
                    host=host_info(s.channel for s in self._states.values()),
                )
                co2.append(None if fp is None else fp.co2e_kg)
            if co2[0] is not None:
                from dataclasses import replace

                pred = replace(
                    pred, co2e_kg=co2[0].central, co2e_kg_low=co2[1].low, co2e_kg_high=co2[2].high
                )
        except Exception:  # a prediction must never break the workload
            log.debug("footprint of the prediction failed", exc_info=True)
        return pred

    # -- the result -----------------------------------------------------------------------------

    def _unmetered_kwh(self, duration_s: float) -> float | None:
        """The optional correction for what no counter sees, from the measured counters only."""
        if not self.settings.unmetered:
            return None
        from aiceberg.measure.unmetered import unmetered_energy

        counters_j = sum(s.last_j or 0.0 for s in self._used_channels() if s.method == "measured")
        return unmetered_energy(counters_j, duration_s).energy_j / J_PER_KWH

    def _domains_kwh(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for s in self._used_channels():
            if s.last_j is not None:
                out[s.channel.domain] = out.get(s.channel.domain, 0.0) + s.last_j / J_PER_KWH
        return out

    def attach(self, pid: int) -> None:
        """Attribute to the process tree rooted at ``pid`` (``aiceberg run`` attaches its child)."""
        from aiceberg.measure.run_attribution import RunAttributor

        attributor = RunAttributor(pid, self._sensors)
        with self._sample_lock:
            attributor.prev_j = {s.channel.id: s.last_j or 0.0 for s in self._used_channels()}
            self._attributor = attributor

    def _sensor_reports(self, used: set[str]) -> list[dict[str, Any]]:
        reports: dict[str, dict[str, Any]] = {}
        for st in self._states.values():
            rep = reports.setdefault(
                st.sensor,
                {"name": st.sensor, "status": st.method, "energy_kwh": 0.0, "reason": "", "channels": []},
            )
            counted = st.channel.id in used
            if counted and st.last_j is not None:
                rep["energy_kwh"] += st.last_j / J_PER_KWH
            rep["channels"].append(
                {
                    "id": st.channel.id, "domain": st.channel.domain, "label": st.channel.label,
                    "energy_kwh": None if st.last_j is None else st.last_j / J_PER_KWH,
                    "counted": counted, "reads": st.reads, "gaps": st.gaps, "last_error": st.last_error,
                }
            )
        for rep in reports.values():
            chans = rep["channels"]
            if not any(c["counted"] for c in chans):
                rep["reason"] = "read, but not counted: contained in another channel or a measured domain"
            elif all(c["energy_kwh"] is None for c in chans):
                rep["status"], rep["energy_kwh"] = "unavailable", None
                rep["reason"] = "every read failed: " + str(chans[0]["last_error"])
            else:
                gaps = sum(c["gaps"] for c in chans)
                rep["reason"] = "energy counter" if rep["status"] == "measured" else "modelled"
                if gaps:
                    rep["reason"] += f"; {gaps} failed reads (gaps bridged by the counter)"
        status_reason = {s.name: s for s in self._statuses}
        for rep in reports.values():
            s = status_reason.get(rep["name"])
            if s is not None and s.reason and rep["status"] != "unavailable":
                rep["reason"] = s.reason + (f" ({rep['reason']})" if rep["reason"] else "")
        out = list(reports.values())
        for s in self._statuses:
            if s.name not in reports:
                out.append(
                    {
                        "name": s.name, "status": "unavailable" if s.status == "unavailable" else s.status,
                        "energy_kwh": None, "reason": s.reason + (f" — {s.fix}" if s.fix else ""),
                        "channels": [],
                    }
                )
        return out

    def _finish(
        self, status: str, exit_code: int | None, end_reason: str | None, end_t: float
    ) -> RunResult:
        self._flush()  # the last samples, and the attribution's last window
        duration = end_t
        domains = self._domains_kwh()
        energy_kwh = sum(domains.values()) if domains else None
        used = {s.channel.id for s in self._used_channels()}
        host = host_info(s.channel for s in self._states.values())
        idle: dict[str, Any] | None = None
        idle_kwh = None
        if self._idle_power_w:
            idle_w = sum(w for ch, w in self._idle_power_w.items() if ch in used)
            idle_kwh = min(idle_w * duration / J_PER_KWH, energy_kwh or 0.0)
            idle = {
                "baseline_s": self.idle_baseline_s,
                "power_w": idle_w,
                "static_energy_kwh": idle_kwh,
                "dynamic_energy_kwh": max((energy_kwh or 0.0) - idle_kwh, 0.0),
            }
        methods: dict[str, str] = {s.channel.domain: s.method for s in self._used_channels()}
        fp = None
        if domains:
            try:
                fp = footprint_for(
                    domains, duration_s=duration, location=self.settings.location, pue=self.settings.pue,
                    host=host, idle_kwh=idle_kwh, statuses=methods, unmetered_kwh=self._unmetered_kwh(duration),
                )
            except Exception as exc:
                self._warnings.append(f"the footprint could not be computed: {exc}")
            if fp is None and not any("footprint" in w for w in self._warnings):
                self._warnings.append("the footprint engine is not available: energy only")
        else:
            self._warnings.append("no sensor gave any energy: nothing measured")
        co2e = fp.co2e_kg if fp is not None else None
        phases = [
            {
                "name": p.name, "start_s": p.start_s, "end_s": p.end_s,
                "duration_s": None if p.end_s is None else p.end_s - p.start_s,
                "energy_kwh": None if p.energy_j is None else p.energy_j / J_PER_KWH,
            }
            for p in self._phases
        ]
        pred = self._predictions[-1] if self._predictions else None
        warnings_ = list(dict.fromkeys([*self._warnings, *(fp.warnings if fp is not None else ())]))
        summary: dict[str, Any] = {
            "run_id": self.run_id,
            "name": self.name,
            "project": self.settings.project,
            "status": status,
            "end_reason": end_reason,
            "command": self.command,
            "started_at": _utc_iso(self._started_unix),
            "ended_at": _utc_iso(self._started_unix + duration),
            "duration_s": duration,
            "exit_code": exit_code,
            "energy_kwh": energy_kwh,
            "co2e_kg": None if co2e is None else co2e.central,
            "co2e_kg_low": None if co2e is None else co2e.low,
            "co2e_kg_high": None if co2e is None else co2e.high,
            "location": self.settings.location,
            "pue": self.settings.pue,
            "interval_s": self.settings.interval_s,
            "samples": self.samples_taken,
            "domains_kwh": domains,
            "sensors": self._sensor_reports(used),
            "attribution": self._attributor.report() if self._attributor is not None else None,
            "idle": idle,
            "phases": phases,
            "prediction": None if pred is None else pred.to_dict(),
            "host": host,
            "warnings": warnings_,
            "footprint": None if fp is None else fp.to_dict(),
        }
        if self._store is not None:
            if self._store_error:
                summary["warnings"].append(f"some samples could not be stored: {self._store_error}")
            try:
                self._store.finish_run(
                    self.run_id, status=status, ended_at=summary["ended_at"], duration_s=duration,
                    energy_kwh=energy_kwh, co2e_kg=summary["co2e_kg"], exit_code=exit_code,
                    end_reason=end_reason, summary=summary,
                )
            except Exception as exc:
                log.warning("aiceberg: cannot close the run in the store: %s", exc)
                summary["warnings"].append(f"the run could not be closed in the store: {exc}")
        return RunResult(
            run_id=self.run_id, status=status, duration_s=duration, energy_kwh=energy_kwh,
            co2e_kg=summary["co2e_kg"], exit_code=exit_code, end_reason=end_reason,
            summary=summary, footprint=fp,
        )

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
            with Run(**options):  # type: ignore[arg-type]
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(signum)


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
