"""The small protocol every sensor backend implements.

A sensor exposes one or more *channels* (a RAPL package, one GPU, a DRAM domain…) and, when read,
returns the **cumulative energy in joules** of each channel since the sensor was opened. Backends with
a hardware energy counter return counter deltas (wrap-around handled inside the backend); backends
with only a power reading integrate power over time themselves (``PowerIntegrator``). A channel that
fails to read is reported in ``EnergyReading.errors`` and left out of ``energy_j``: a gap, never 0 J.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from aiceberg.i18n import Msg

Domain = Literal["cpu", "gpu", "dram", "psys", "system"]
Method = Literal["measured", "modelled"]
SensorState = Literal["measured", "modelled", "unavailable"]
#: A text for people: a catalog message (rendered in the reader's language), or a driver's or the
#: system's own words (an ``OSError``'s, an NVML error's), which stay as they are.
Text = Msg | str


@dataclass(frozen=True)
class Channel:
    """One thing a sensor measures, for example ``rapl:package-0`` or ``nvml:gpu-0``."""

    id: str
    domain: Domain
    label: str
    device_index: int | None = None
    #: id of another channel of the same sensor whose energy already contains this one's (a RAPL
    #: ``core`` inside its ``package``; a package inside ``psys``). Sums must skip such channels.
    included_in: str | None = None
    #: source ids of the factors a modelled channel uses (empty for a measured channel).
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnergyReading:
    """One reading of a sensor: cumulative energy per channel since the sensor was opened.

    Attributes:
        t_s: the monotonic time of the reading, in seconds (``time.monotonic()``).
        energy_j: cumulative energy in joules of each channel that could be read.
        power_w: instantaneous power in watts, where the backend gives one.
        errors: channel id → reason, for each channel that could not be read this time (a gap); a
            catalog message where the code knows the words.
        missing_s: channel id → seconds since the sensor opened that no reading covers, for channels
            integrated from power samples (a stretch without a reading longer than the gap limit);
            their energy leaves that time out, never filled with 0 W.
    """

    t_s: float
    energy_j: dict[str, float]
    power_w: dict[str, float] = field(default_factory=dict)
    errors: dict[str, Text] = field(default_factory=dict)
    missing_s: dict[str, float] = field(default_factory=dict)


def joined(texts: Iterable[Text | None], key: str = "measure.list") -> Text:
    """Texts joined by "; " (``measure.list``) or ", " (``measure.comma``) in the reader's typography, the
    empty ones left out ("" when none is left)."""
    kept = [x for x in texts if x]
    if not kept:
        return ""
    out = kept[-1]
    for x in reversed(kept[:-1]):
        out = Msg(key, first=x, rest=out)
    return out


@runtime_checkable
class Sensor(Protocol):
    """What the tracker needs from a backend."""

    name: str
    method: Method

    def channels(self) -> list[Channel]:
        """The channels this sensor reports, fixed once the sensor is open."""
        ...

    def read(self) -> EnergyReading:
        """Read every channel now. Never raises for one failed channel: that goes to ``errors``."""
        ...

    def close(self) -> None:
        """Release the backend (NVML shutdown, file handles…)."""
        ...


def top_level(channels: Iterable[Channel]) -> list[Channel]:
    """The channels whose energies can be added without counting any joule twice."""
    return [c for c in channels if c.included_in is None]


class ResettingCounter:
    """A GPU's total-energy counter: it only goes up, unless the driver is reloaded and restarts it.

    ``joules(raw)`` gives the energy since the first reading. A counter seen going backwards is a gap
    (``None``), and a new baseline keeps the total counted so far.
    """

    __slots__ = ("_base", "_j_per_unit", "_last")

    def __init__(self, first_raw: float, j_per_unit: float) -> None:
        self._base = self._last = first_raw
        self._j_per_unit = j_per_unit

    def joules(self, raw: float) -> float | None:
        if raw < self._last:
            self._base = raw - (self._last - self._base)
            self._last = raw
            return None
        self._last = raw
        return (raw - self._base) * self._j_per_unit


#: The shortest gap limit of a power-only channel, in seconds (a few missed readings at 1 Hz).
MIN_GAP_S = 10.0


def gap_limit(interval_s: float) -> float:
    """The longest time between two power samples that the trapezoid rule bridges, for a sampling
    interval: four intervals (three missed readings in a row), and never less than ``MIN_GAP_S``."""
    return max(MIN_GAP_S, 4.0 * interval_s)


class PowerIntegrator:
    """Cumulative energy from power samples, by the trapezoid rule.

    A gap (a failed sample) is bridged linearly when it lasts at most ``max_gap_s``
    (:func:`gap_limit` of the sampling interval); a longer gap is left out of the energy and counted
    in ``missing_s``, never filled with 0 W. Its readers report that time (status ``partial``).
    """

    __slots__ = ("energy_j", "last_power_w", "last_t_s", "max_gap_s", "missing_s")

    def __init__(self, max_gap_s: float = MIN_GAP_S) -> None:
        self.max_gap_s = max_gap_s
        self.energy_j = 0.0
        self.missing_s = 0.0
        self.last_t_s: float | None = None
        self.last_power_w: float | None = None

    def add(self, t_s: float, power_w: float) -> float:
        """Add one sample (monotonic seconds, watts); returns the cumulative energy in joules."""
        if self.last_t_s is not None and self.last_power_w is not None:
            dt = t_s - self.last_t_s
            if dt > self.max_gap_s:
                self.missing_s += dt
            elif dt > 0:
                self.energy_j += 0.5 * (self.last_power_w + power_w) * dt
        self.last_t_s = t_s
        self.last_power_w = power_w
        return self.energy_j


@dataclass(frozen=True)
class SensorStatus:
    """One row of the discovery table that ``aiceberg doctor`` prints: ``reason`` and ``fix`` are catalog
    messages (``measure.*``), rendered in the reader's language by ``doctor``, the tour and the run's
    summary; ``str()`` of either is English."""

    name: str
    status: SensorState
    reason: Text
    fix: Text | None = None
