"""Discovery: try each sensor in a fixed order and record, for each, whether it is used and why not.

Order: RAPL (powercap) → NVML → AMD SMI → the CPU model (only if no RAPL CPU channel) → the memory
model (only if no RAPL dram channel). Nothing is kept at module level: ``discover()`` returns a
``Discovery`` that owns the opened sensors; pass ``discovery.sensors`` to the tracker and close it after.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiceberg.errors import AicebergError, ReferenceDataError, SensorUnavailable
from aiceberg.i18n import Amount, Msg
from aiceberg.measure.amd import AmdSmiSensor
from aiceberg.measure.base import Sensor, SensorStatus, Text, gap_limit, joined
from aiceberg.measure.cpu_model import (
    DEFAULT_CPU_ID,
    CpuModelSensor,
    GivenCpu,
    hardware_sources,
    read_cpuinfo,
    resolve_cpu,
    resolve_given_cpu,
)
from aiceberg.measure.gpu import GpuSensor
from aiceberg.measure.memory import MemoryModelSensor
from aiceberg.measure.nvidia import GpuSelection, NvmlSensor
from aiceberg.measure.procfs import default_proc_root
from aiceberg.measure.rapl import RaplSensor
from aiceberg.refdata import get_hardware

__all__ = ["Discovery", "discover"]


@dataclass
class Discovery:
    """The opened sensors and one status row per sensor tried. A context manager that closes them."""

    sensors: list[Sensor] = field(default_factory=list)
    statuses: list[SensorStatus] = field(default_factory=list)

    def close(self) -> None:
        """Close every sensor (each once; errors on close are ignored)."""
        sensors, self.sensors = self.sensors, []
        for s in sensors:
            with contextlib.suppress(Exception):
                s.close()

    def __enter__(self) -> Discovery:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def status(self, name: str) -> SensorStatus | None:
        """The row for ``name``: ``rapl``, ``nvml``, ``amdsmi``, ``cpu-model`` or ``memory-model``."""
        return next((s for s in self.statuses if s.name == name), None)


def _unavailable(name: str, exc: AicebergError) -> SensorStatus:
    reason = getattr(exc, "reason", None) or str(exc)
    return SensorStatus(name, "unavailable", reason, getattr(exc, "fix", None))


def _and(*texts: Text | None) -> Text:
    return joined(texts)


def _power_only(sensor: Any, interval_s: float) -> Msg | None:
    """What a GPU without an energy counter means for a run read every ``interval_s``."""
    if not isinstance(sensor, GpuSensor) or not sensor.power_only:
        return None
    return Msg("measure.discovery.power_only", channels=", ".join(d.channel_id for d in sensor.power_only),
               interval=interval_s, limit=gap_limit(interval_s))


def _describe(sensor: Any) -> Msg:
    """``2 channel(s): NVIDIA A100 (energy counter), …``: each GPU with how it is read, in words."""
    if isinstance(sensor, GpuSensor):
        labels: list[Text] = [Msg(f"measure.gpu.device.{d.mode}", name=d.name) for d in sensor.devices]
    else:
        labels = [c.label for c in sensor.channels()]
    return Msg("measure.discovery.channels", count=len(labels), labels=joined(labels, "measure.comma"))


def discover(
    *,
    powercap_root: str | os.PathLike[str] | None = None,
    gpus: GpuSelection = "auto",
    nvml_module: Any | None = None,
    amdsmi_module: Any | None = None,
    proc_root: str | os.PathLike[str] | None = None,
    include_model: bool = True,
    env: Mapping[str, str] | None = None,
    find_hardware: Callable[[str], Any] | None = None,
    get_hardware: Callable[[str], Any] | None = None,
    cpu_tdp_w: float | None = None,
    cpu_model: str | None = None,
    labels: Mapping[str, str] | None = None,
    interval_s: float = 1.0,
    node_sensors: bool | Text = True,
    memory_gb: float | None = None,
) -> Discovery:
    """Open every sensor that works here, in the fixed order, and say why the others do not.

    Args:
        powercap_root: powercap folder (default ``$AICEBERG_POWERCAP_ROOT`` or ``/sys/class/powercap``).
        gpus: ``"auto"`` (``CUDA_VISIBLE_DEVICES``…), ``"all"``, ``"none"``, or indices/UUIDs.
        nvml_module, amdsmi_module: stand-ins for ``pynvml``/``amdsmi`` (default: imported if installed).
        proc_root: procfs folder (default ``$AICEBERG_PROC_ROOT`` or ``/proc``).
        include_model: add the CPU and memory models where no counter covers them.
        env: environment for the ``*_VISIBLE_DEVICES`` variables (default ``os.environ``).
        find_hardware, get_hardware: the reference-data lookups (default ``aiceberg.refdata``'s).
        cpu_tdp_w, cpu_model: what the user says of the CPU (the settings of the same names), for the
            CPU model: a model name or id of the reference data instead of ``/proc/cpuinfo``'s, and a
            TDP per package instead of the data's.
        labels: the name of each of those two fields as the user gave it, for errors.
        interval_s: the sampling interval a run will use (what a power-only GPU channel means for it).
        node_sensors: open the node's sensors (RAPL, the CPU and memory models); a text instead says who
            reads them (a rank of a job whose node sampler is another process: ``measure/node.py``).
        memory_gb: the memory of the memory model, where a scheduler gave the job less than the machine's.

    Raises:
        InputError: ``cpu_model`` names no CPU of the reference data (with the closest names).

    Returns:
        A ``Discovery``: ``sensors`` in the order tried, and one ``SensorStatus`` per sensor.
    """
    proc = default_proc_root(proc_root)
    found = Discovery()
    gpu_off = gpus is None or gpus == "none" or (not isinstance(gpus, str) and len(gpus) == 0)
    # a rank of a job whose node's sensors another process reads (measure/node.py): who reads them
    elsewhere: Text | None = None if isinstance(node_sensors, bool) else node_sensors
    if node_sensors is False:
        elsewhere = Msg("jobs.sensor.node_off")

    # 1. RAPL
    if elsewhere is not None:
        found.statuses.append(SensorStatus("rapl", "unavailable", elsewhere))
    else:
        _open_rapl(found, powercap_root)

    # 2. NVML, 3. AMD SMI
    for name, factory, module in (
        ("nvml", NvmlSensor, nvml_module),
        ("amdsmi", AmdSmiSensor, amdsmi_module),
    ):
        if gpu_off:
            found.statuses.append(SensorStatus(name, "unavailable", Msg("measure.discovery.gpus_off")))
            continue
        try:
            sensor = factory(module, gpus=gpus, env=env)
        except SensorUnavailable as exc:
            row = _unavailable(name, exc)
            missing = getattr(row.reason, "key", "") in ("measure.nvml.not_installed", "measure.amd.not_installed")
            if module is None and missing and not _driver_present(name, proc):
                row = SensorStatus(name, "unavailable", Msg(f"measure.discovery.no_driver.{name}"))
            found.statuses.append(row)
        except AicebergError as exc:
            found.statuses.append(_unavailable(name, exc))
        else:
            found.sensors.append(sensor)
            found.statuses.append(SensorStatus(name, "measured", _and(_describe(sensor),
                                                                      _power_only(sensor, interval_s))))

    # 4. CPU model, 5. memory model
    channels = [c for s in found.sensors for c in s.channels()]
    has_cpu = any(c.domain in ("cpu", "psys") and c.included_in is None for c in channels)
    has_dram = any(c.domain in ("dram", "psys") for c in channels)
    rapl_row = found.status("rapl")
    rapl_fix = rapl_row.fix if rapl_row and rapl_row.status == "unavailable" else None

    if elsewhere is not None:
        for name in ("cpu-model", "memory-model"):
            found.statuses.append(SensorStatus(name, "unavailable", elsewhere))
        return found
    if has_cpu:
        found.statuses.append(SensorStatus("cpu-model", "unavailable", Msg("measure.discovery.cpu_not_needed")))
    elif not include_model:
        found.statuses.append(SensorStatus("cpu-model", "unavailable", Msg("measure.discovery.models_off"), rapl_fix))
    else:
        found.statuses.append(_open_cpu_model(
            found, proc, rapl_fix, find_hardware, get_hardware,
            CpuHints(cpu_tdp_w, cpu_model, dict(labels or {})),
        ))

    if has_dram:
        found.statuses.append(SensorStatus("memory-model", "unavailable", Msg("measure.discovery.dram_not_needed")))
    elif not include_model:
        found.statuses.append(SensorStatus("memory-model", "unavailable", Msg("measure.discovery.models_off")))
    else:
        try:
            mem = MemoryModelSensor(memory_gb, proc_root=proc)
        except SensorUnavailable as exc:
            found.statuses.append(_unavailable("memory-model", exc))
        else:
            found.sensors.append(mem)
            found.statuses.append(SensorStatus(
                "memory-model", "modelled",
                Msg("measure.discovery.memory_modelled", memory=Amount(mem.memory_gb, "GB"),
                    w_per_gb=Amount(mem.w_per_gb, "W/GB", sig=4), power=Amount(mem.power, "W"),
                    source=", ".join(mem.sources)),
                Msg("measure.discovery.memory_fix"),
            ))
    return found


def _open_rapl(found: Discovery, powercap_root: str | os.PathLike[str] | None) -> None:
    try:
        rapl = RaplSensor(powercap_root)
    except SensorUnavailable as exc:
        found.statuses.append(_unavailable("rapl", exc))
        return
    found.sensors.append(rapl)
    skipped = (Msg("measure.discovery.skipped", zones=joined(
        (Msg("measure.named", name=k, text=v) for k, v in rapl.skipped.items()), "measure.comma"))
        if rapl.skipped else None)
    found.statuses.append(SensorStatus("rapl", "measured", _and(_describe(rapl), skipped)))


@dataclass(frozen=True)
class CpuHints:
    """What the user says of the CPU (``--cpu-tdp-w``, ``--cpu-model`` and their settings)."""

    tdp_w: float | None = None
    model: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


def _open_cpu_model(
    found: Discovery,
    proc: str,
    rapl_fix: Text | None,
    find: Callable[[str], Any] | None,
    get: Callable[[str], Any] | None,
    hints: CpuHints = CpuHints(),
) -> SensorStatus:
    try:
        info = read_cpuinfo(proc)
    except OSError as exc:
        return SensorStatus("cpu-model", "unavailable",
                            Msg("measure.cannot_read", path=f"{proc}/cpuinfo", error=str(exc)), rapl_fix)
    try:
        if hints.model:
            hw, note = resolve_given_cpu(hints.model, hints.label("cpu_model"), find=find), None
        else:
            hw, note = resolve_cpu(info.model_name, find=find, get=get)
    except (ImportError, ReferenceDataError) as exc:
        return SensorStatus("cpu-model", "unavailable", Msg("measure.discovery.no_refdata", error=str(exc)),
                            rapl_fix)
    if hints.tdp_w is not None:
        hw, note = GivenCpu.of(hw, hints.tdp_w, hints.label("cpu_tdp_w"), known=note is None,
                               name=info.model_name), None
    idle_fraction = None
    extra: tuple[str, ...] = ()
    if hw.idle_w is None:
        try:
            default = (get or _default_get())(DEFAULT_CPU_ID)
            if default.idle_w is not None and default.tdp_w:
                idle_fraction = default.idle_w / default.tdp_w
                extra = hardware_sources(default)
        except (ImportError, AicebergError):
            idle_fraction = None
    # a virtual machine gets its vCPUs' share of the host CPU, where the CPU's thread count is known
    threads = getattr(hw, "threads", None)
    share = min(1.0, info.logical_cpus / threads) if info.virtual and threads and info.logical_cpus else 1.0
    try:
        sensor = CpuModelSensor(
            hw,
            sockets=info.sockets,
            share=share,
            proc_root=proc,
            idle_fraction=idle_fraction,
            extra_sources=extra,
            note=note,
        )
    except SensorUnavailable as exc:
        return _unavailable("cpu-model", exc)
    found.sensors.append(sensor)
    cpu_name: Text = Msg("measure.cpu.class_default") if hw.id == DEFAULT_CPU_ID else hw.name
    reason: list[Text | None] = [Msg("measure.discovery.cpu_modelled", cpu=cpu_name, tdp=Amount(sensor.tdp_w, "W"),
                                     idle=Amount(sensor.idle_w, "W"), sockets=sensor.sockets)]
    if isinstance(hw, GivenCpu):
        reason.append(Msg("measure.discovery.tdp_given", field=hw.field))
    elif hints.model:
        reason.append(Msg("measure.discovery.cpu_named", field=hints.label("cpu_model")))
    if info.virtual and share < 1:
        reason.append(Msg("measure.discovery.vm_share", vcpus=info.logical_cpus, threads=threads,
                          share=Amount(share * 100, "%")))
    elif info.virtual:
        reason.append(Msg("measure.discovery.vm_whole"))
    reason.append(note)
    fix = sharpen_hint(unknown=note is not None and not isinstance(hw, GivenCpu),
                       whole_host=info.virtual and share >= 1 and not threads, given=hints)
    return SensorStatus("cpu-model", "modelled", _and(*reason), _and(rapl_fix, fix) or None)


def sharpen_hint(*, unknown: bool, whole_host: bool, given: CpuHints) -> Msg | None:
    """What the user could say to sharpen the modelled CPU figure (for ``aiceberg doctor``), or None: the
    settings a user has (an installed package's data cannot be edited), the data file for contributors."""
    if unknown:
        return Msg("measure.cpu.sharpen_unknown", model="--cpu-model", model_env="AICEBERG_CPU_MODEL",
                   model_key="cpu_model", tdp="--cpu-tdp-w", tdp_env="AICEBERG_CPU_TDP_W", tdp_key="cpu_tdp_w",
                   file="src/aiceberg/refdata/data/hardware.csv")
    if whole_host:
        return Msg("measure.cpu.sharpen_whole_host", model="--cpu-model", model_env="AICEBERG_CPU_MODEL",
                   model_key="cpu_model")
    return None


def _driver_present(name: str, proc: str) -> bool:
    """Whether the GPU driver that a missing binding would talk to is there (so the hint helps)."""
    if name == "nvml":
        return os.path.exists(os.path.join(proc, "driver", "nvidia"))
    try:
        with open(os.path.join(proc, "modules"), "rb") as f:
            return any(line.startswith(b"amdgpu ") for line in f)
    except OSError:  # no /proc/modules (containers): ROCm's compute device node tells instead
        return os.path.exists("/dev/kfd") or os.path.isdir("/sys/module/amdgpu")


def _default_get() -> Callable[[str], Any]:
    return get_hardware
