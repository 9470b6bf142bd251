"""Training footprint: hardware × count × hours (or GPU-hours, or FLOPs), with the whole iceberg."""

from __future__ import annotations

from typing import Any

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.i18n import Amount, Msg
from aiceberg.model import factors as F
from aiceberg.model.defaults import factor
from aiceberg.model.embodied import embodied_part
from aiceberg.model.footprint import Factor, Footprint, Part, Status
from aiceberg.model.inputs import check_q, check_whole, refuse_unused
from aiceberg.model.operational import electricity_part, pue_overhead_part
from aiceberg.model.quantity import Q, QLike

__all__ = ["compute_hours", "embodied_other", "estimate_training", "hardware_embodied", "hardware_embodied_footprint",
           "hardware_embodied_other"]


def compute_hours(flops: Q, peak_tflops: float, mfu: Q) -> Q:
    """Device-hours needed for ``flops`` at ``peak_tflops`` per device and a model-FLOPs utilisation."""
    return flops / (Q.exact(peak_tflops * 1e12 * 3600) * mfu)


def hardware_embodied(hw: refdata.Hardware) -> tuple[Q, Status, tuple[str, ...], Msg | None]:
    """A device's manufacturing GWP (kgCO2e) with its range, status and sources.

    Falls back to the class default row (``default-gpu``…) when the device has no figure of its own.
    """
    row = hw
    note: Msg | None = None
    if row.embodied_kgco2e is None:
        kind = "gpu" if hw.kind == "tpu" else hw.kind
        row = refdata.get_hardware(f"default-{kind}")
        note = Msg("engine.embodied_class_default", hardware=refdata.hardware_name(hw),
                   default=refdata.hardware_name(row))
    if row.embodied_kgco2e is None:
        raise InputError("hardware", Msg("input.no_embodied_figure", hardware=hw.name), Msg("accepted.no_embodied"))
    q = Q.from_row(row, "embodied_kgco2e")
    status = Status(row.embodied_status) if row.embodied_status in Status._value2member_map_ else Status.DEFAULT
    if note:
        status = Status.DEFAULT
    return q, status, row.embodied_source or row.source, note


def embodied_other(table: str, ref: str) -> tuple[dict[str, Q], tuple[str, ...]]:
    """The manufacturing impacts beyond GWP (``pe`` in MJ, ``adpe`` in kgSbeq) of the row ``ref`` of ``table``
    (``hardware`` or ``devices``) that ``embodied_impacts.csv`` publishes, and their sources; a criterion
    without a figure is left out (not assessed)."""
    items, sources = _embodied_other(table, ref)
    return dict(items), sources


@refdata.follows_data  # read once per row and data folder: every estimate asks for its hardware's
def _embodied_other(table: str, ref: str) -> tuple[tuple[tuple[str, Q], ...], tuple[str, ...]]:
    row = refdata.find("embodied_impacts", f"{table}:{ref}")
    if row is None:
        return (), ()
    items = tuple((c, Q.from_row(row, col)) for c, col in (("pe", "pe_mj"), ("adpe", "adpe_kgsbeq"))
                  if getattr(row, col) is not None)
    return items, row.source


def hardware_embodied_other(hw: refdata.Hardware) -> tuple[dict[str, Q], tuple[str, ...]]:
    """:func:`embodied_other` for the hardware row whose GWP :func:`hardware_embodied` uses (its class default
    when it has no figure of its own), so that every criterion describes the same device."""
    ref = hw.id
    if hw.embodied_kgco2e is None:
        ref = f"default-{'gpu' if hw.kind == 'tpu' else hw.kind}"
    return embodied_other("hardware", ref)


def hardware_embodied_footprint(
    hw: refdata.Hardware,
    device_hours: Q,
    *,
    devices_per_server: int = 8,
    server: str | None = "default-server",
    lifetime_years: QLike | None = None,
    utilisation: QLike | None = None,
    allocation: str = "use-time",
    embodied_kgco2e: QLike | None = None,
) -> Footprint:
    """The manufacturing share of ``device_hours`` of ``hw`` and of the servers that hold them.

    ``embodied_kgco2e`` (per device) replaces the reference data's figure, as an input (a publication's own
    assumption, such as the BLOOM study's 150 kg per GPU).
    """
    life = lifetime_factor(lifetime_years)
    util = factor("embodied_utilisation") if utilisation is None else Factor(
        "utilisation", Msg("factor.utilisation_given"), check_q("utilisation", utilisation), "1",
        Status.INPUT)
    kind = hw.kind if hw.kind in ("tpu", "cpu", "server") else "gpu"
    if embodied_kgco2e is None:
        per_dev, st, src, note = hardware_embodied(hw)
    else:
        per_dev, st, src, note = check_q("embodied_kgco2e", embodied_kgco2e), Status.INPUT, (), None
    other, other_src = hardware_embodied_other(hw) if embodied_kgco2e is None else ({}, ())
    parts = [embodied_part(
        f"embodied.{kind}", per_dev, device_hours, lifetime_years=life.value, utilisation=util.value,
        rule=allocation, status=st, sources=_unique(src + other_src + life.sources), what=kind, other=other,
    )]
    if server:
        srv = refdata.get_hardware(server, "server")
        per_srv, st, src, _ = hardware_embodied(srv)
        other, other_src = hardware_embodied_other(srv)
        parts.append(embodied_part(
            "embodied.server", per_srv, device_hours / devices_per_server, lifetime_years=life.value,
            utilisation=util.value, rule=allocation, status=st, sources=_unique(src + other_src + life.sources),
            what="server", other=other,
        ))
    return Footprint(parts=tuple(parts), factors=(life, util), warnings=(note,) if note else ())


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def lifetime_factor(lifetime_years: QLike | None) -> Factor:
    """The hardware's service life for the embodied share: given (``lifetime_years``), or the sourced default."""
    if lifetime_years is None:
        return factor("embodied_lifetime_years")
    return Factor("lifetime", Msg("factor.lifetime_given"), check_q("lifetime_years", lifetime_years), "year",
                  Status.INPUT)


def estimate_training(
    hardware: str,
    *,
    count: int = 1,
    hours: QLike | None = None,
    gpu_hours: QLike | None = None,
    flops: QLike | None = None,
    mfu: QLike | None = None,
    power_w: QLike | None = None,
    host_power_w: QLike | None = None,
    memory_gb: QLike | None = None,
    idle_power_w: QLike | None = None,
    idle_kwh: QLike | None = None,
    pue: QLike | str | None = None,
    location: str | None = None,
    intensity_g_per_kwh: QLike | None = None,
    wue: QLike | str | None = None,
    embodied: bool = True,
    lifetime_years: QLike | None = None,
    utilisation: QLike | None = None,
    devices_per_server: int = 8,
    server: str | None = "default-server",
    allocation: str = "use-time",
    embodied_kgco2e: QLike | None = None,
    title: str = "",
) -> Footprint:
    """The footprint of training on ``count`` devices of ``hardware``.

    Time is given as exactly one of ``hours`` (wall-clock: device-hours = count × hours), ``gpu_hours``
    (device-hours directly) or ``flops`` (device-hours = FLOPs / (peak × ``mfu``)).

    Args:
        power_w: average power per device in W. Given, the compute electricity is exactly
            device-hours × power; else the reference TDP is used (status ``modelled``).
        host_power_w: average power of each server's host (CPUs, fans…) without its accelerators, W.
        memory_gb: memory allocated to the job, GB (power from a sourced W/GB factor).
        idle_power_w: static power of the whole allocation while it waits, W, over the wall time.
        idle_kwh: the idle energy of the whole allocation, kWh, when it is published as energy (BLOOM's
            256,646 kWh); instead of ``idle_power_w``.
        pue: a number, a data-centre class or provider id, or None for the documented default.
        wue: the data centre's on-site water, L per kWh of IT electricity, or an operator id (``wue.csv``);
            None: the PUE's operator when known, else the documented default.
        location / intensity_g_per_kwh: where the electricity comes from (one of the two).
        embodied: whether to count the manufacturing of devices and servers.
        lifetime_years / utilisation: the allocation's assumptions (defaults: 6 years, 85 %).
        embodied_kgco2e: manufacturing GWP per device, kgCO2e, instead of the reference data's figure.
        server: the hardware id of the server a device sits in (without its accelerators), or None.

    Every number is checked against ``aiceberg.model.inputs.BOUNDS``; an input that this computation would
    not use (``mfu`` without ``flops``, ``lifetime_years`` without the embodied part) is refused.
    """
    count = check_whole("count", count)
    devices_per_server = check_whole("devices_per_server", devices_per_server)
    hw = refdata.get_hardware(hardware)
    given = [n for n, v in (("hours", hours), ("gpu_hours", gpu_hours), ("flops", flops)) if v is not None]
    if len(given) != 1:
        raise InputError("hours", Msg("input.training_time", given=", ".join(given)) if given
                         else Msg("input.training_time_none"), Msg("accepted.training_time"))
    if flops is None:
        refuse_unused({"mfu": mfu}, Msg("input.needs.flops"))
    if not embodied:
        refuse_unused({"lifetime_years": lifetime_years, "utilisation": utilisation,
                       "embodied_kgco2e": embodied_kgco2e}, Msg("input.needs.embodied"))
    if idle_power_w is not None and idle_kwh is not None:
        raise InputError("idle_kwh", Msg("input.idle_both"), Msg("accepted.idle"))
    factors: list[Factor] = []
    how: tuple[str, dict[str, Any]]  # the calculation line's message and its parameters
    if hours is not None:
        wall_h = check_q("hours", hours)
        device_h = wall_h * count
        how = ("detail.count_hours_power", {"count": count, "hours": wall_h.central})
    elif gpu_hours is not None:
        device_h = check_q("gpu_hours", gpu_hours)
        wall_h = device_h / count
        how = ("detail.device_hours_power", {"device_hours": device_h.central})
    else:
        assert flops is not None  # exactly one of the three was given, and it is not the other two
        flops_q = check_q("flops", flops)
        if not hw.peak_tflops:
            raise InputError("flops", Msg("input.no_peak", hardware=hw.name), Msg("accepted.no_peak"))
        mfu_f = factor("mfu") if mfu is None else Factor("mfu", Msg("factor.mfu_given"),
                                                         check_q("mfu", mfu), "1", Status.INPUT)
        factors.append(mfu_f)
        device_h = compute_hours(flops_q, hw.peak_tflops, mfu_f.value)
        wall_h = device_h / count
        how = ("detail.flops_power", {"flops": Amount(flops_q.central, "FLOP"), "peak": hw.peak_tflops,
                                      "mfu": Amount(mfu_f.value.central * 100, "%")})

    intensity, warnings = F.grid_intensity(location, intensity_g_per_kwh)
    warnings += F.mix_warnings(intensity)
    pue_f = F.pue(pue)
    wue_f = F.onsite_water(wue, pue_f, intensity)
    power = F.device_power(hw, power_w)
    factors += [intensity, *F.mix_factors(intensity).values(), pue_f, power]
    kind = hw.kind if hw.kind in ("tpu", "cpu") else "gpu"
    parts: list[Part] = []

    it_energy = device_h * power.value * 0.001
    parts.append(electricity_part(
        f"{kind}.dynamic", it_energy, intensity, status=power.status,
        sources=power.sources, visible=True,
        detail=Msg(how[0], power=Amount(power.value.central, "W"), factor=power.name, **how[1]),
    ))
    server_h = device_h / devices_per_server
    if host_power_w is not None:
        host = check_q("host_power_w", host_power_w)
        e = server_h * host * 0.001
        it_energy = it_energy + e
        parts.append(electricity_part(
            "host", e, intensity, status=Status.INPUT,
            detail=Msg("detail.host", server_hours=server_h.central, power=Amount(host.central, "W")),
        ))
    if memory_gb is not None:
        mem = check_q("memory_gb", memory_gb)
        w_per_gb = factor("memory_power_w_per_gb")
        factors.append(w_per_gb)
        e = wall_h * mem * w_per_gb.value * 0.001
        it_energy = it_energy + e
        parts.append(electricity_part(
            "memory", e, intensity, status=Status.MODELLED, sources=w_per_gb.sources,
            detail=Msg("detail.memory", memory=Amount(mem.central, "GB"), w_per_gb=w_per_gb.value.central,
                       hours=wall_h.central),
        ))
    if idle_power_w is not None:
        idle = check_q("idle_power_w", idle_power_w)
        e = wall_h * idle * 0.001
        it_energy = it_energy + e
        parts.append(electricity_part(
            "idle", e, intensity, status=Status.INPUT,
            detail=Msg("detail.idle", power=Amount(idle.central, "W"), hours=wall_h.central),
        ))
    elif idle_kwh is not None:
        e = check_q("idle_kwh", idle_kwh)
        it_energy = it_energy + e
        parts.append(electricity_part("idle", e, intensity, status=Status.INPUT,
                                      detail=Msg("detail.idle_energy", energy=Amount(e.central, "kWh", sig=6))))
    if pue_f.value.high > 1 or wue is not None:
        parts.append(pue_overhead_part(it_energy, pue_f, intensity, wue_f))
        factors += [wue_f] if wue_f else []

    if embodied:
        emb = hardware_embodied_footprint(
            hw, device_h, devices_per_server=devices_per_server, server=server,
            lifetime_years=lifetime_years, utilisation=utilisation, allocation=allocation,
            embodied_kgco2e=embodied_kgco2e)
        parts += emb.parts
        factors += emb.factors
        warnings += emb.warnings
    fp = Footprint(
        parts=tuple(parts),
        title=title or Msg("title.training", count=count, hardware=refdata.hardware_name(hw)),
        factors=tuple(factors),
        warnings=warnings,
        meta={"kind": "training", "hardware": hw.id, "count": count,
              "device_hours": device_h.central, "wall_hours": wall_h.central,
              **({"flops": flops_q.central} if flops is not None else {})},
    )
    return fp
