"""A measured run → Footprint: the sensors' energy, the data centre's overhead, the grid, and the
manufacturing share of the machine for the run's duration."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aiceberg import refdata
from aiceberg.i18n import Amount, Msg
from aiceberg.model import factors as F
from aiceberg.model.footprint import Factor, Footprint, Part, Status
from aiceberg.model.operational import electricity_part, pue_overhead_part
from aiceberg.model.quantity import Q
from aiceberg.model.training import hardware_embodied_footprint

__all__ = ["measured_footprint"]

#: domain measured by a sensor → (part name, visible tip?)
DOMAIN_PARTS: Mapping[str, tuple[str, bool]] = {
    "gpu": ("gpu.dynamic", True),
    "cpu": ("cpu.dynamic", True),
    "psys": ("cpu.dynamic", True),  # the SoC platform domain of laptops
    "dram": ("memory", True),
    "system": ("system", True),
}

#: a CPU-only machine whose type is unknown is taken as a generic server for its manufacturing share
GENERIC_MACHINE = "boavizta-cpu-server-medium"
# "GPU 0: NVIDIA H100 80GB HBM3 (energy)" → "NVIDIA H100 80GB HBM3": the sensors' channel labels
_LABEL_NOISE = re.compile(r"^(gpu|GPU)\s*\d+\s*[:\-]\s*|\s*\((energy|power)\)$")


def measured_footprint(
    domains_kwh: Mapping[str, float],
    *,
    duration_s: float,
    location: str | None,
    pue: float | str | None,
    host: Mapping[str, Any],
    idle_kwh: float | None = None,
    statuses: Mapping[str, str] | None = None,
    embodied: bool = True,
    unmetered_kwh: float | None = None,
    unmetered_sources: tuple[str, ...] = ("jay-2023-ccgrid",),
) -> Footprint:
    """The footprint of a measured run.

    Args:
        domains_kwh: electricity per domain at the devices (``cpu``, ``gpu``, ``dram``, ``psys``…), kWh.
        duration_s: the run's wall time.
        location / pue: where it ran (None: world average with a warning; the default PUE).
        host: the machine (``gpu_models``: NVML names; ``cpu_model``: /proc/cpuinfo's model name).
        idle_kwh: the static part of the electricity (idle baseline × duration), reported apart.
        statuses: domain → ``measured`` or ``modelled``.
        unmetered_kwh: the node's electricity that no counter sees (a sourced correction), reported as
            its own submerged part, never folded into the measured ones.
    """
    statuses = statuses or {}
    intensity, warnings = F.grid_intensity(location)
    pue_f = F.pue(pue)
    factors: list[Factor] = [intensity, pue_f]
    total = sum(v for v in domains_kwh.values() if v is not None)
    static = min(max(idle_kwh or 0.0, 0.0), total)
    keep = (total - static) / total if total else 1.0
    parts: list[Part] = []
    it = Q.zero()
    for domain, kwh in domains_kwh.items():
        if kwh is None:
            continue
        name, visible = DOMAIN_PARTS.get(domain, (f"{domain}.dynamic", True))
        status = Status.MEASURED if statuses.get(domain, "measured") == "measured" else Status.MODELLED
        e = Q.exact(kwh * keep)
        it = it + e
        part = electricity_part(name, e, intensity, status=status, visible=visible,
                                detail=Msg("detail.measured_static_removed" if static else "detail.measured",
                                           energy=Amount(kwh, "kWh", sig=4), status=Msg(f"status.{status}"),
                                           domain=domain))
        existing = next((i for i, p in enumerate(parts) if p.name == name), None)
        if existing is None:
            parts.append(part)
        else:
            parts[existing] = parts[existing].merged(part)
    if static:
        e = Q.exact(static)
        it = it + e
        parts.append(electricity_part("idle", e, intensity, status=Status.MEASURED,
                                      detail=Msg("detail.measured_idle", seconds=round(duration_s))))
    if unmetered_kwh:
        e = Q.exact(unmetered_kwh)
        it = it + e
        parts.append(electricity_part("unmetered", e, intensity, status=Status.MODELLED, sources=unmetered_sources,
                                      detail=Msg("detail.measured_unmetered")))
    if pue_f.value.high > 1 and it.central > 0:
        parts.append(pue_overhead_part(it, pue_f, intensity))

    if embodied and duration_s > 0:
        hours = Q.exact(duration_s / 3600.0)
        gpu_names = [str(n) for n in host.get("gpu_models") or ()]
        if gpu_names:
            for name in gpu_names:
                hw = refdata.find_hardware(_LABEL_NOISE.sub("", name)) or refdata.get_hardware("default-gpu")
                if hw.id == "default-gpu":
                    warnings += (Msg("warning.gpu_unknown", gpu=name),)
                emb = hardware_embodied_footprint(hw, hours, devices_per_server=len(gpu_names))
                parts, factors, warnings = _add(parts, factors, warnings, emb)
        else:
            machine = refdata.get_hardware(GENERIC_MACHINE)
            emb = hardware_embodied_footprint(machine, hours, server=None)
            warnings += (Msg("warning.machine_unknown", machine=refdata.hardware_name(machine)),)
            parts, factors, warnings = _add(parts, factors, warnings, emb)
    return Footprint(
        parts=tuple(parts),
        title=Msg("title.measured_on", host=str(host["hostname"])) if host.get("hostname") else Msg("title.measured"),
        factors=tuple(factors),
        warnings=warnings,
        meta={"kind": "run", "duration_s": duration_s},
    )


def _add(parts: list[Part], factors: list[Factor], warnings: tuple[Msg | str, ...], fp: Footprint
         ) -> tuple[list[Part], list[Factor], tuple[Msg | str, ...]]:
    merged = Footprint(tuple(parts)) + Footprint(fp.parts)
    return list(merged.parts), factors + [f for f in fp.factors if f not in factors], warnings + fp.warnings
