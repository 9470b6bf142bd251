"""The small protocol every sensor backend implements.

A sensor exposes one or more *channels* (a RAPL package, one GPU, a DRAM domain…) and, when read,
returns the **cumulative energy in joules** of each channel since the sensor was opened. Backends with
a hardware energy counter return counter deltas (wrap-around handled inside the backend); backends
with only a power reading integrate power over time themselves. A channel that fails to read is
reported in ``EnergyReading.errors`` and left out of ``energy_j``: a gap, never 0 J.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Domain = Literal["cpu", "gpu", "dram", "psys", "system"]
Method = Literal["measured", "modelled"]
SensorState = Literal["measured", "modelled", "unavailable"]


@dataclass(frozen=True)
class Channel:
    """One thing a sensor measures, for example ``rapl:package-0`` or ``nvml:gpu-0``."""

    id: str
    domain: Domain
    label: str
    device_index: int | None = None


@dataclass(frozen=True)
class EnergyReading:
    """One reading of a sensor: cumulative energy per channel since the sensor was opened.

    Attributes:
        t_s: the monotonic time of the reading, in seconds (``time.monotonic()``).
        energy_j: cumulative energy in joules of each channel that could be read.
        power_w: instantaneous power in watts, where the backend gives one.
        errors: channel id → reason, for each channel that could not be read this time (a gap).
    """

    t_s: float
    energy_j: dict[str, float]
    power_w: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


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


@dataclass(frozen=True)
class SensorStatus:
    """One row of the discovery table that ``aiceberg doctor`` prints."""

    name: str
    status: SensorState
    reason: str
    fix: str | None = None
