"""The CPU fallback model, for machines where no RAPL counter can be read (virtual machines, laptops
without access): flagged ``modelled``.

    P(t) = sockets × (idle_w + (tdp_w − idle_w) × u(t))

with ``u`` the machine's CPU utilisation from ``/proc/stat`` and ``tdp_w``/``idle_w`` from the reference
data's row for the CPU named in ``/proc/cpuinfo`` (or the class default ``default-cpu`` when the model
is unknown). As the model is linear in ``u`` and ``u`` is the mean over each interval, ``P × Δt`` with
the interval's mean utilisation is the model's exact energy for that interval.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiceberg.errors import InputError, SensorUnavailable
from aiceberg.i18n import Msg
from aiceberg.measure.base import Channel, EnergyReading, Method, Text
from aiceberg.measure.procfs import CpuTimes, default_proc_root, read_cpu_times, utilisation
from aiceberg.refdata import find_hardware, get_hardware, hardware_name, names_cpu_model  # the engine's lookup API

__all__ = [
    "DEFAULT_CPU_ID",
    "CpuInfo",
    "CpuModelSensor",
    "GivenCpu",
    "HardwareLike",
    "hardware_sources",
    "read_cpuinfo",
    "resolve_cpu",
    "resolve_given_cpu",
]

DEFAULT_CPU_ID = "default-cpu"


class HardwareLike(Protocol):
    """What the model needs from ``aiceberg.refdata.Hardware`` (its sources in ``source``)."""

    id: str
    name: str
    tdp_w: float | None
    idle_w: float | None


def hardware_sources(hw: Any) -> tuple[str, ...]:
    """The source ids of a reference-data row (``source`` in the schema; ``sources`` accepted too)."""
    value = getattr(hw, "source", None) or getattr(hw, "sources", None) or ()
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class CpuInfo:
    """What ``/proc/cpuinfo`` says about the CPU.

    Attributes:
        model_name: the ``model name`` (x86) or ``Model``/``cpu model`` line, ``None`` if absent.
        sockets: distinct ``physical id`` values (1 when absent, or under a hypervisor, where the
            numbers describe virtual sockets).
        logical_cpus: number of ``processor`` entries.
        virtual: whether the ``hypervisor`` flag is set.
    """

    model_name: str | None
    sockets: int
    logical_cpus: int
    virtual: bool


def read_cpuinfo(proc_root: str | None = None) -> CpuInfo:
    """Read ``<proc_root>/cpuinfo`` directly (no py-cpuinfo). Raises ``OSError`` if unreadable."""
    path = os.path.join(default_proc_root(proc_root), "cpuinfo")
    with open(path, "rb") as f:
        text = f.read().decode(errors="replace")
    model: str | None = None
    physical: set[str] = set()
    processors = 0
    virtual = False
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        value = value.strip()
        if key == "processor":
            processors += 1
        elif key in ("model name", "cpu model", "model") and model is None and value and not value.isdigit():
            model = value
        elif key == "physical id":
            physical.add(value)
        elif key == "flags" and not virtual:
            virtual = " hypervisor" in f" {value} "
    sockets = 1 if virtual or not physical else len(physical)
    return CpuInfo(model_name=model, sockets=sockets, logical_cpus=processors, virtual=virtual)


def _refdata() -> tuple[Callable[[str], Any], Callable[[str], Any]]:
    return find_hardware, get_hardware


def resolve_cpu(
    model_name: str | None,
    *,
    find: Callable[[str], Any] | None = None,
    get: Callable[[str], Any] | None = None,
) -> tuple[Any, Msg | None]:
    """The reference-data row for a CPU model name, and a note when the class default is used: the model
    is not in the data, or ``/proc/cpuinfo`` names none (a cloud VM that says only "Intel Xeon CPU").

    Args:
        model_name: as in ``/proc/cpuinfo``.
        find, get: ``aiceberg.refdata.find_hardware``/``get_hardware`` (injectable for tests).
    """
    if find is None or get is None:
        f, g = _refdata()
        find, get = find or f, get or g
    hw = find(model_name) if model_name else None
    if hw is not None and getattr(hw, "kind", "cpu") == "cpu" and hw.tdp_w:
        return hw, None
    if not model_name:
        note = Msg("measure.cpu.not_named", default=DEFAULT_CPU_ID)
    elif not names_cpu_model(model_name):  # "Intel(R) Xeon(R) CPU @ 2.60GHz" (Google Cloud's Intel VMs)
        note = Msg("measure.cpu.no_model", name=repr(model_name), default=DEFAULT_CPU_ID)
    else:
        note = Msg("measure.cpu.unknown_model", name=repr(model_name), default=DEFAULT_CPU_ID)
    return get(DEFAULT_CPU_ID), note


def resolve_given_cpu(
    name: str,
    field: str = "cpu_model",
    *,
    find: Callable[[str], Any] | None = None,
) -> Any:
    """The reference-data row of a CPU the user names (``--cpu-model``): an id, a name or an alias.

    Raises:
        InputError: no such CPU (``UnknownNameError``, with the closest names), or a row that is not a
            CPU with a TDP; the message names ``field``.
    """
    hw = (find or find_hardware)(name)
    if hw is None:
        hw = get_hardware(name, field)  # raises with the closest names
    if getattr(hw, "kind", "cpu") not in ("cpu", "client") or not hw.tdp_w:
        raise InputError(field, Msg("measure.cpu.not_a_cpu", name=repr(name), id=hw.id),
                         Msg("measure.cpu.not_a_cpu_accepted"))
    return hw


@dataclass(frozen=True)
class GivenCpu:
    """A CPU whose TDP the user gave (``--cpu-tdp-w``); its name and thread count come from the row
    that was named or detected, where the data knows it, and its idle power is that row's share of
    its TDP (else the class default's, given by the caller)."""

    id: str
    name: str
    tdp_w: float
    idle_w: float | None
    threads: int | None
    field: str
    source: tuple[str, ...] = ()
    kind: str = "cpu"

    @classmethod
    def of(cls, hw: Any, tdp_w: float, field: str, *, known: bool, name: str | None = None) -> GivenCpu:
        idle = None
        if known and hw.idle_w is not None and hw.tdp_w:
            idle = float(hw.idle_w) / float(hw.tdp_w) * tdp_w
        return cls(
            id=hw.id if known else "given-cpu",
            name=hw.name if known else (name or "CPU"),
            tdp_w=float(tdp_w), idle_w=idle, threads=getattr(hw, "threads", None) if known else None,
            field=field, source=hardware_sources(hw) if known and idle is not None else (),
        )


class CpuModelSensor:
    """Modelled CPU energy from utilisation, TDP and idle power (see the module docstring).

    Args:
        hardware: the CPU's reference-data row (``tdp_w``, ``idle_w``, ``sources``).
        sockets: number of CPU packages.
        share: the part of those packages this machine gets (a virtual machine's vCPUs over the host
            CPU's hardware threads), 1 on bare metal.
        proc_root: folder of ``stat`` (default ``$AICEBERG_PROC_ROOT`` or ``/proc``).
        idle_fraction: ``idle_w / tdp_w`` when the row has no idle power (then the default row's
            ratio should be passed, with its source in ``extra_sources``).
        note: why this row was chosen (e.g. the unknown-model message), shown by ``aiceberg doctor``.

    Raises:
        SensorUnavailable: ``/proc/stat`` is unreadable.
    """

    name = "cpu-model"
    method: Method = "modelled"

    def __init__(
        self,
        hardware: HardwareLike,
        *,
        sockets: int = 1,
        share: float = 1.0,
        proc_root: str | os.PathLike[str] | None = None,
        idle_fraction: float | None = None,
        extra_sources: tuple[str, ...] = (),
        note: Text | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.hardware = hardware
        self.sockets = max(1, int(sockets))
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share!r}")
        self.share = share
        self.proc_root = default_proc_root(proc_root)
        self.note = note
        self._clock = clock
        if not hardware.tdp_w:
            raise SensorUnavailable("cpu-model", Msg("measure.cpu.no_tdp", name=hardware.name))
        self.tdp_w = float(hardware.tdp_w)
        if hardware.idle_w is not None:
            self.idle_w = float(hardware.idle_w)
        elif idle_fraction is not None:
            self.idle_w = self.tdp_w * idle_fraction
        else:
            self.idle_w = 0.0
        own = hardware_sources(hardware)
        sources = own + tuple(s for s in extra_sources if s not in own)
        self._channel = Channel(
            id="model:cpu",
            domain="cpu",
            # a label is stored as it is written: a row named in English words (the class default) by its id
            label=f"{hardware.name if isinstance(hardware_name(hardware), str) else hardware.id} × {self.sockets}, "
                  f"TDP {self.tdp_w:g} W",
            sources=sources,
        )
        try:
            self._last: CpuTimes = read_cpu_times(self.proc_root)
        except (OSError, ValueError) as exc:
            why = Msg("measure.cannot_read", path=f"{self.proc_root}/stat", error=str(exc))
            fix = Msg("measure.cpu.procfs_fix", variable="AICEBERG_PROC_ROOT")
            raise SensorUnavailable("cpu-model", why, fix) from exc
        self._last_t = self._clock()
        self._energy_j = 0.0

    def power_w(self, u: float) -> float:
        """Modelled power in watts at utilisation ``u`` (0–1)."""
        return self.sockets * self.share * (self.idle_w + (self.tdp_w - self.idle_w) * u)

    def channels(self) -> list[Channel]:
        return [self._channel]

    def read(self) -> EnergyReading:
        cid = self._channel.id
        try:
            now = read_cpu_times(self.proc_root)
        except (OSError, ValueError) as exc:
            return EnergyReading(t_s=self._clock(), energy_j={}, errors={cid: f"/proc/stat: {exc}"})
        t = self._clock()
        u = utilisation(self._last, now)
        if u is None:  # no tick elapsed: keep the previous baseline
            return EnergyReading(t_s=t, energy_j={cid: self._energy_j})
        p = self.power_w(u)
        self._energy_j += p * max(0.0, t - self._last_t)
        self._last, self._last_t = now, t
        return EnergyReading(t_s=t, energy_j={cid: self._energy_j}, power_w={cid: p})

    def close(self) -> None:
        """Nothing to release."""
