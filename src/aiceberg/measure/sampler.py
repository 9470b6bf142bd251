"""The sampler: reads every sensor on the run's clock, keeps each channel's state and a buffer of rows.

A background thread wakes once per interval (monotonic clock), reads every sensor and appends the
readings to an in-memory buffer; every ``flush_every_s`` it calls the tracker's flush (which writes the
buffer to the store). Nothing else happens in the loop. Energy is the difference of cumulative
counters (the sensor protocol returns cumulative joules), never power × time where a counter exists;
a failed read is a gap, and the next good read of the counter covers it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiceberg.measure.clock import Clock
from aiceberg.model.run_records import ChannelRow, SampleRow
from aiceberg.units import J_PER_KWH

if TYPE_CHECKING:
    from aiceberg.measure.base import Channel, Sensor, Text

__all__ = ["ChannelState", "Sampler", "next_tick"]

log = logging.getLogger("aiceberg.tracker")


@dataclass
class ChannelState:
    """What the run knows of one channel: its energy so far (``last_j``, J since the run started),
    how many reads and gaps, the last error, the time no reading covers (``missing_s``), whether the
    latest read worked (``ok``) and the mean power since the previous good read (``power_w``, W)."""

    channel: Channel
    sensor: str
    method: str
    base_j: float | None = None
    last_j: float | None = None
    last_t: float | None = None
    gaps: int = 0
    reads: int = 0
    last_error: Text | None = None
    missing_s: float = 0.0
    ok: bool | None = None
    power_w: float | None = None
    _missing_base: float | None = None


def next_tick(next_t: float, now: float, interval_s: float) -> float:
    """The next wake-up after a tick planned for ``next_t`` and done at ``now``: one interval later,
    or, when the machine was suspended or overloaded past it, one interval from now (missed ticks
    are skipped, not caught up)."""
    planned = next_t + interval_s
    return planned if planned >= now else now + interval_s


class Sampler:
    """Reads ``sensors`` on ``clock``; thread-safe state for the tracker, its phases and its flushes."""

    def __init__(self, sensors: Sequence[Sensor], clock: Clock) -> None:
        self.clock = clock
        self.states: dict[str, ChannelState] = {}
        self.by_sensor: list[tuple[Sensor, list[str]]] = []
        for sensor in sensors:
            ids = []
            for ch in sensor.channels():
                self.states[ch.id] = ChannelState(ch, sensor.name, sensor.method)
                ids.append(ch.id)
            self.by_sensor.append((sensor, ids))
        self.lock = threading.Lock()
        self.samples_taken = 0
        self.t0 = 0.0
        self._buffer: list[SampleRow] = []
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    # -- readings ---------------------------------------------------------------------------------

    def start_clock(self) -> None:
        """The run's time starts now (sample times are seconds since)."""
        self.t0 = self.clock.monotonic()

    def elapsed_s(self) -> float:
        return self.clock.monotonic() - self.t0

    def sample(self) -> None:
        """Read every sensor once; a sensor that raises is a gap on each of its channels."""
        with self.lock:
            rows = self._buffer
            t0 = self.t0
            for sensor, ids in self.by_sensor:
                try:
                    reading = sensor.read()
                except Exception as exc:  # a backend broke its contract: a gap for every channel
                    t = self.clock.monotonic() - t0
                    for ch in ids:
                        broken = self.states[ch]
                        broken.gaps += 1
                        broken.ok = False
                        broken.last_error = f"{type(exc).__name__}: {exc}"
                        rows.append(SampleRow(t, ch, None, None, broken.last_error))
                    continue
                t = reading.t_s - t0
                power = reading.power_w
                for ch, e in reading.energy_j.items():
                    st = self.states.get(ch)
                    if st is None:
                        continue
                    if st.base_j is None:  # the run's first reading: energy and missing time start here
                        st.base_j = e
                        st._missing_base = reading.missing_s.get(ch, 0.0)
                    cum = e - st.base_j
                    if st.last_t is not None and st.last_j is not None and t > st.last_t:
                        st.power_w = max(cum - st.last_j, 0.0) / (t - st.last_t)
                    else:
                        st.power_w = power.get(ch)
                    st.last_j, st.last_t = cum, t
                    st.reads += 1
                    st.ok = True
                    rows.append(SampleRow(t, ch, cum, power.get(ch)))
                for ch, why in reading.errors.items():
                    st = self.states.get(ch)
                    if st is None:
                        continue
                    st.gaps += 1
                    st.ok = False
                    st.last_error = why
                    rows.append(SampleRow(t, ch, None, None, str(why)))  # the store keeps the English text
                for ch, missing in reading.missing_s.items():
                    st = self.states.get(ch)
                    if st is not None and st._missing_base is not None:
                        st.missing_s = max(0.0, missing - st._missing_base)
            self.samples_taken += 1

    def drain(self) -> list[SampleRow]:
        """The rows read since the last drain (the buffer is emptied)."""
        with self.lock:
            rows, self._buffer = self._buffer, []
        return rows

    def give_back(self, rows: Sequence[SampleRow]) -> None:
        """Put rows that could not be written back in front of the buffer, for the next flush."""
        with self.lock:
            self._buffer[:0] = rows

    def measure_idle(self, seconds: float) -> dict[str, float]:
        """Each channel's mean power, in W, over ``seconds`` of the idle machine (before the run)."""
        first = {s.name: s.read() for s, _ in self.by_sensor}
        self.clock.sleep(seconds)
        out: dict[str, float] = {}
        for sensor, _ in self.by_sensor:
            second = sensor.read()
            a = first[sensor.name]
            dt = second.t_s - a.t_s
            for ch, e in second.energy_j.items():
                if ch in a.energy_j and dt > 0:
                    out[ch] = max(e - a.energy_j[ch], 0.0) / dt
        return out

    # -- energies ---------------------------------------------------------------------------------

    def used_channels(self) -> list[ChannelState]:
        """Top-level channels; per domain, the measured ones when any, else the modelled ones."""
        top = [s for s in self.states.values() if s.channel.included_in is None]
        measured_domains = {s.channel.domain for s in top if s.method == "measured"}
        return [s for s in top if s.method == "measured" or s.channel.domain not in measured_domains]

    def channel_rows(self) -> list[ChannelRow]:
        """Every channel as the store registers it, and whether the run counts it (:meth:`used_channels`)."""
        counted = {u.channel.id for u in self.used_channels()}
        return [ChannelRow(st.channel.id, st.sensor, st.channel.domain, st.channel.label, st.method,
                           st.channel.id in counted) for st in self.states.values()]

    def total_j(self) -> float:
        """The energy of the used channels so far, in J."""
        return sum(s.last_j or 0.0 for s in self.used_channels())

    def domains_kwh(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for s in self.used_channels():
            if s.last_j is not None:
                out[s.channel.domain] = out.get(s.channel.domain, 0.0) + s.last_j / J_PER_KWH
        return out

    # -- the thread -------------------------------------------------------------------------------

    def start(self, interval_s: float, flush_every_s: float, flush: Callable[[float], None]) -> None:
        """Start the thread: a reading every ``interval_s``, ``flush(now)`` every ``flush_every_s``."""
        self._last_flush = self.clock.monotonic()
        self._thread = threading.Thread(
            target=self._loop, args=(interval_s, flush_every_s, flush), name="aiceberg-sampler", daemon=True
        )
        self._thread.start()
        self._ready.wait()  # the thread is at its first wait: time moving on now reaches it

    @property
    def started(self) -> bool:
        return self._thread is not None

    def stop(self) -> None:
        """Stop the thread and wait for it (its tick in progress ends first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self, interval: float, flush_every: float, flush: Callable[[float], None]) -> None:
        clock = self.clock
        next_t = self.t0 + interval
        self._ready.set()
        while not clock.wait_until(self._stop, next_t):
            try:
                self.sample()
                now = clock.monotonic()
                if now - self._last_flush >= flush_every:
                    self._last_flush = now
                    flush(now)
            except Exception:  # the sampler never dies: a broken tick is logged, the next one comes
                log.warning("aiceberg: a sampling tick failed", exc_info=True)
                now = clock.monotonic()
            next_t = next_tick(next_t, now, interval)
