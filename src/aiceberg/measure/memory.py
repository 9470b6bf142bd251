"""The memory (DRAM) fallback model, used when no RAPL ``dram`` domain is readable: flagged ``modelled``.

    P = memory_gb × W/GB

The factor is the engine's ``memory_power_w_per_gb`` (``factors.csv``): Green Algorithms' 0.3725 W per
GB, independent of use (Lannelongue, Grealey & Inouye, Advanced Science 8(12), 2100707, 2021,
doi:10.1002/advs.202100707), read through ``aiceberg.model.defaults``. By default ``memory_gb`` is the machine's
``MemTotal``; pass the memory a job was given where that is smaller (a Slurm allocation).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from aiceberg.errors import SensorUnavailable
from aiceberg.i18n import Msg
from aiceberg.measure.base import Channel, EnergyReading, Method
from aiceberg.measure.procfs import default_proc_root, read_mem_total_gb
from aiceberg.model.defaults import factor, factor_value

__all__ = ["MemoryModelSensor", "memory_power_w"]

DRAM_FACTOR = "memory_power_w_per_gb"  # the id in factors.csv


def memory_power_w(memory_gb: float, w_per_gb: float | None = None) -> float:
    """Modelled DRAM power in watts for ``memory_gb`` GB (``w_per_gb`` None: the sourced factor)."""
    if w_per_gb is None:
        w_per_gb = factor_value(DRAM_FACTOR)
    return memory_gb * w_per_gb


class MemoryModelSensor:
    """Modelled DRAM energy: constant power × elapsed time.

    Args:
        memory_gb: memory in GB (default: ``MemTotal`` of ``<proc_root>/meminfo``).
        proc_root: default ``$AICEBERG_PROC_ROOT`` or ``/proc``.
        w_per_gb, source: the factor and its source id (None: ``memory_power_w_per_gb`` and its sources).

    Raises:
        SensorUnavailable: no memory size given and ``meminfo`` is unreadable.
    """

    name = "memory-model"
    method: Method = "modelled"

    def __init__(
        self,
        memory_gb: float | None = None,
        *,
        proc_root: str | os.PathLike[str] | None = None,
        w_per_gb: float | None = None,
        source: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if memory_gb is None:
            root = default_proc_root(proc_root)
            try:
                memory_gb = read_mem_total_gb(root)
            except (OSError, ValueError) as exc:
                why = Msg("measure.cannot_read", path=f"{root}/meminfo", error=str(exc))
                raise SensorUnavailable("memory-model", why, Msg("measure.memory.fix")) from exc
        if w_per_gb is None or source is None:
            f = factor(DRAM_FACTOR)
            w_per_gb = f.value.central if w_per_gb is None else w_per_gb
            source = ";".join(f.sources) if source is None else source
        self.memory_gb = float(memory_gb)
        self.w_per_gb = float(w_per_gb)
        self.sources = tuple(source.split(";"))
        self.power = memory_power_w(self.memory_gb, w_per_gb)
        self._clock = clock
        self._t0 = clock()
        self._channel = Channel(
            id="model:dram",
            domain="dram",
            label=f"DRAM {self.memory_gb:.1f} GB × {w_per_gb:g} W/GB",
            sources=self.sources,
        )

    def channels(self) -> list[Channel]:
        return [self._channel]

    def read(self) -> EnergyReading:
        t = self._clock()
        cid = self._channel.id
        return EnergyReading(t_s=t, energy_j={cid: self.power * (t - self._t0)}, power_w={cid: self.power})

    def close(self) -> None:
        """Nothing to release."""
