"""The memory (DRAM) fallback model, used when no RAPL ``dram`` domain is readable: flagged ``modelled``.

    P = memory_gb × 0.3725 W/GB

The factor is Green Algorithms' (Lannelongue, Grealey & Inouye, "Green Algorithms: Quantifying the
Carbon Footprint of Computation", Advanced Science 8(12), 2100707, 2021, doi:10.1002/advs.202100707):
power draw of memory, 0.3725 W per GB, independent of use. By default ``memory_gb`` is the machine's
``MemTotal``; pass the memory a job was given where that is smaller (a Slurm allocation).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from aiceberg.errors import SensorUnavailable
from aiceberg.measure.base import Channel, EnergyReading, Method
from aiceberg.measure.procfs import default_proc_root, read_mem_total_gb

__all__ = ["DRAM_POWER_SOURCE", "DRAM_POWER_W_PER_GB", "MemoryModelSensor", "memory_power_w"]

#: W per GB of DRAM (Lannelongue et al. 2021, Green Algorithms).
DRAM_POWER_W_PER_GB = 0.3725
DRAM_POWER_SOURCE = "lannelongue-2021-green-algorithms"


def memory_power_w(memory_gb: float, w_per_gb: float = DRAM_POWER_W_PER_GB) -> float:
    """Modelled DRAM power in watts for ``memory_gb`` GB."""
    return memory_gb * w_per_gb


class MemoryModelSensor:
    """Modelled DRAM energy: constant power × elapsed time.

    Args:
        memory_gb: memory in GB (default: ``MemTotal`` of ``<proc_root>/meminfo``).
        proc_root: default ``$AICEBERG_PROC_ROOT`` or ``/proc``.
        w_per_gb, source: the factor and its source id.

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
        w_per_gb: float = DRAM_POWER_W_PER_GB,
        source: str = DRAM_POWER_SOURCE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if memory_gb is None:
            root = default_proc_root(proc_root)
            try:
                memory_gb = read_mem_total_gb(root)
            except (OSError, ValueError) as exc:
                raise SensorUnavailable(
                    "memory-model", f"cannot read {root}/meminfo: {exc}", "pass memory_gb explicitly"
                ) from exc
        self.memory_gb = float(memory_gb)
        self.power = memory_power_w(self.memory_gb, w_per_gb)
        self._clock = clock
        self._t0 = clock()
        self._channel = Channel(
            id="model:dram",
            domain="dram",
            label=f"{self.memory_gb:.1f} GB DRAM × {w_per_gb:g} W/GB (modelled)",
            sources=(source,),
        )

    def channels(self) -> list[Channel]:
        return [self._channel]

    def read(self) -> EnergyReading:
        t = self._clock()
        cid = self._channel.id
        return EnergyReading(t_s=t, energy_j={cid: self.power * (t - self._t0)}, power_w={cid: self.power})

    def close(self) -> None:
        """Nothing to release."""
