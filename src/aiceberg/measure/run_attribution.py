"""A run's attribution: the share of the machine's energy that the tracked process tree used.

Updated at each flush of the tracker, not at each tick: CPU-like domains get the tree's share of the
machine's busy CPU time over the window; each GPU gets its per-process share from its driver (NVML's
utilisation, AMD SMI's engine time: ``GpuSensor.process_shares``), else the whole GPU, flagged with the
reason the driver gives no per-process figure.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiceberg.measure.attribution import CpuShareMeter
from aiceberg.measure.base import Sensor
from aiceberg.measure.gpu import GpuSensor
from aiceberg.model.run_summary import Attribution
from aiceberg.units import J_PER_KWH

log = logging.getLogger("aiceberg.tracker")

_CPU_LIKE = frozenset({"cpu", "dram", "psys", "system"})


class RunAttributor:
    """The tracked process tree's share of the energy, updated at each flush (not each tick).

    CPU-like domains get the tree's share of the machine's busy CPU time over the window; each GPU gets
    its per-process share from its driver, else the whole GPU when a process of the tree runs on it.
    """

    def __init__(self, pid: int, sensors: Sequence[Sensor]) -> None:
        self.meter: Any = None
        self.cpu_error: str | None = None
        try:
            self.meter = CpuShareMeter(pid)
        except Exception as exc:  # no /proc: attribution is reported unavailable, never 0
            self.cpu_error = f"{type(exc).__name__}: {exc}"
        self.gpu_sensors = [s for s in sensors if isinstance(s, GpuSensor)]
        self._gpu_memo: dict[int, dict[str, Any]] = {}
        self.prev_j: dict[str, float] = {}
        self.attributed_j = 0.0
        self.cpu_tree_s = 0.0
        self.cpu_shares: list[float] = []
        self.gpu_methods: dict[str, str] = {}
        self.complete = True

    def update(self, used: Sequence[Any]) -> None:
        share = None
        pids: list[int] = []
        if self.meter is not None:
            try:
                share = self.meter.sample().of_busy
                if share is None and self.meter.tree.cpu_s <= self.cpu_tree_s:
                    share = 0.0  # neither the machine nor the tree used the CPU in this window
                self.cpu_tree_s = self.meter.tree.cpu_s
                pids = self.meter.tree.pids
            except Exception as exc:
                self.cpu_error = f"{type(exc).__name__}: {exc}"
        gpu: dict[str, float | None] = {}
        if self.gpu_sensors and pids:
            for sensor in self.gpu_sensors:
                try:
                    shares = sensor.process_shares(pids, self._gpu_memo.setdefault(id(sensor), {}))
                    gpu.update(shares.shares)
                    self.gpu_methods.update(shares.method)
                except Exception:
                    log.debug("GPU attribution failed", exc_info=True)
        if share is not None:
            self.cpu_shares.append(share)
        elif self.cpu_shares:  # no tick elapsed on the machine: keep the last window's share
            share = self.cpu_shares[-1]
        for st in used:
            if st.last_j is None:
                continue
            delta = st.last_j - self.prev_j.get(st.channel.id, 0.0)
            self.prev_j[st.channel.id] = st.last_j
            if st.channel.domain in _CPU_LIKE:
                if share is None:
                    self.complete = self.complete and delta <= 0
                else:
                    self.attributed_j += delta * share
            elif st.channel.domain == "gpu":
                g = gpu.get(st.channel.id)
                if g is None:  # no per-process information: the whole GPU, flagged with the reason
                    why = self.gpu_methods.get(st.channel.id)
                    if why is None or why == "unknown":
                        why = "the driver lists no process" if why else "no process information"
                    if not why.startswith("whole-gpu"):
                        self.gpu_methods[st.channel.id] = f"whole-gpu ({why})"
                    g = 1.0
                self.attributed_j += delta * g

    def report(self) -> Attribution:
        return Attribution(
            energy_kwh=self.attributed_j / J_PER_KWH if self.complete else None,
            cpu_share=(sum(self.cpu_shares) / len(self.cpu_shares)) if self.cpu_shares else None,
            cpu_time_s=self.cpu_tree_s,
            cpu_basis="CPU time of the tracked process tree / busy CPU time of the machine, per flush window",
            cpu_error=self.cpu_error,
            gpu_methods=dict(self.gpu_methods),
        )


