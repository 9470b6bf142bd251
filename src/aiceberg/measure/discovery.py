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
from aiceberg.measure.amd import AmdSmiSensor
from aiceberg.measure.base import Sensor, SensorStatus, gap_limit
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


def _power_only(sensor: Any, interval_s: float) -> str:
    """What a GPU without an energy counter means for a run read every ``interval_s``."""
    if not isinstance(sensor, GpuSensor) or not sensor.power_only:
        return ""
    which = ", ".join(d.channel_id for d in sensor.power_only)
    return (f"; {which}: no energy counter, power samples integrated every {interval_s:g} s; a stretch "
            f"without a reading longer than {gap_limit(interval_s):g} s is reported as missing time "
            "(status partial), never as 0 W")


def _describe(sensor: Any, extra: str = "") -> str:
    labels = ", ".join(c.label for c in sensor.channels())
    return f"{len(sensor.channels())} channel(s): {labels}" + extra


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

    Raises:
        InputError: ``cpu_model`` names no CPU of the reference data (with the closest names).

    Returns:
        A ``Discovery``: ``sensors`` in the order tried, and one ``SensorStatus`` per sensor.
    """
    proc = default_proc_root(proc_root)
    found = Discovery()
    gpu_off = gpus is None or gpus == "none" or (not isinstance(gpus, str) and len(gpus) == 0)

    # 1. RAPL
    rapl: RaplSensor | None = None
    try:
        rapl = RaplSensor(powercap_root)
    except SensorUnavailable as exc:
        found.statuses.append(_unavailable("rapl", exc))
    else:
        found.sensors.append(rapl)
        skipped = (
            "; skipped " + ", ".join(f"{k} ({v})" for k, v in rapl.skipped.items()) if rapl.skipped else ""
        )
        found.statuses.append(SensorStatus("rapl", "measured", _describe(rapl, skipped)))

    # 2. NVML, 3. AMD SMI
    for name, factory, module in (
        ("nvml", NvmlSensor, nvml_module),
        ("amdsmi", AmdSmiSensor, amdsmi_module),
    ):
        if gpu_off:
            found.statuses.append(
                SensorStatus(name, "unavailable", "GPU measurement turned off (gpus='none')")
            )
            continue
        try:
            sensor = factory(module, gpus=gpus, env=env)
        except SensorUnavailable as exc:
            row = _unavailable(name, exc)
            if module is None and "not installed" in row.reason and not _driver_present(name, proc):
                what = (
                    "NVIDIA driver here (no /proc/driver/nvidia)"
                    if name == "nvml"
                    else "amdgpu driver loaded here"
                )
                row = SensorStatus(name, "unavailable", f"no {what}")
            found.statuses.append(row)
        except AicebergError as exc:
            found.statuses.append(_unavailable(name, exc))
        else:
            found.sensors.append(sensor)
            found.statuses.append(SensorStatus(name, "measured", _describe(sensor, _power_only(sensor, interval_s))))

    # 4. CPU model, 5. memory model
    channels = [c for s in found.sensors for c in s.channels()]
    has_cpu = any(c.domain in ("cpu", "psys") and c.included_in is None for c in channels)
    has_dram = any(c.domain in ("dram", "psys") for c in channels)
    rapl_row = found.status("rapl")
    rapl_fix = rapl_row.fix if rapl_row and rapl_row.status == "unavailable" else None

    if has_cpu:
        found.statuses.append(SensorStatus("cpu-model", "unavailable", "not needed: RAPL measures the CPU"))
    elif not include_model:
        found.statuses.append(
            SensorStatus("cpu-model", "unavailable", "models turned off (include_model=False)", rapl_fix)
        )
    else:
        found.statuses.append(_open_cpu_model(
            found, proc, rapl_fix, find_hardware, get_hardware,
            CpuHints(cpu_tdp_w, cpu_model, dict(labels or {})),
        ))

    if has_dram:
        found.statuses.append(
            SensorStatus(
                "memory-model", "unavailable", "not needed: RAPL measures the DRAM (or psys covers it)"
            )
        )
    elif not include_model:
        found.statuses.append(
            SensorStatus("memory-model", "unavailable", "models turned off (include_model=False)")
        )
    else:
        try:
            mem = MemoryModelSensor(proc_root=proc)
        except SensorUnavailable as exc:
            found.statuses.append(_unavailable("memory-model", exc))
        else:
            found.sensors.append(mem)
            found.statuses.append(
                SensorStatus(
                    "memory-model",
                    "modelled",
                    f"no RAPL dram domain: {mem.memory_gb:.1f} GB × 0.3725 W/GB = {mem.power:.1f} W "
                    "(Lannelongue et al. 2021)",
                    "a server with a readable RAPL dram domain measures it instead",
                )
            )
    return found


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
    rapl_fix: str | None,
    find: Callable[[str], Any] | None,
    get: Callable[[str], Any] | None,
    hints: CpuHints = CpuHints(),
) -> SensorStatus:
    try:
        info = read_cpuinfo(proc)
    except OSError as exc:
        return SensorStatus("cpu-model", "unavailable", f"cannot read {proc}/cpuinfo: {exc}", rapl_fix)
    try:
        if hints.model:
            hw, note = resolve_given_cpu(hints.model, hints.label("cpu_model"), find=find), None
        else:
            hw, note = resolve_cpu(info.model_name, find=find, get=get)
    except (ImportError, ReferenceDataError) as exc:
        return SensorStatus("cpu-model", "unavailable", f"reference data unavailable: {exc}", rapl_fix)
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
    reason = (
        f"no readable RAPL counter: P = idle + (TDP − idle) × utilisation with {hw.name} "
        f"(TDP {sensor.tdp_w:g} W, idle {sensor.idle_w:g} W) × {sensor.sockets} socket(s)"
    )
    if isinstance(hw, GivenCpu):
        reason += f"; TDP given by {hw.field}"
    elif hints.model:
        reason += f"; CPU named by {hints.label('cpu_model')}"
    if info.virtual and share < 1:
        reason += (f"; virtual machine: {info.logical_cpus} vCPUs of the host CPU's {threads} threads "
                   f"(share {share:.3g})")
    elif info.virtual:
        reason += "; virtual machine: the host's whole CPU is assumed (an upper bound)"
    if note:
        reason += f"; {note}"
    fix = sharpen_hint(unknown=note is not None and not isinstance(hw, GivenCpu),
                       whole_host=info.virtual and share >= 1 and not threads, given=hints)
    return SensorStatus("cpu-model", "modelled", reason, _join_fixes(rapl_fix, fix))


def sharpen_hint(*, unknown: bool, whole_host: bool, given: CpuHints) -> str | None:
    """What the user could say to sharpen the modelled CPU figure (for ``aiceberg doctor``), or None."""
    if unknown:
        return ("name the CPU (--cpu-model, AICEBERG_CPU_MODEL or cpu_model in config.toml: a model the "
                "reference data knows, see 'aiceberg data hardware') or give its TDP per package "
                "(--cpu-tdp-w, AICEBERG_CPU_TDP_W or cpu_tdp_w)")
    if whole_host:
        return ("name the host CPU (--cpu-model, AICEBERG_CPU_MODEL or cpu_model) with a model whose thread "
                "count the reference data knows, so that this VM gets its vCPUs' share")
    return None


def _join_fixes(*fixes: str | None) -> str | None:
    kept = [f for f in fixes if f]
    return "; ".join(kept) if kept else None


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
