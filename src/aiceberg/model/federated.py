"""Federated learning (the talk's "new paradigm"): cross-device training, beside centralised training.

Qiu et al. (JMLR 2023, "A first look into the carbon footprint of federated learning", source
``qiu-2023-fl-carbon``) split the footprint of cross-device federated learning into the clients' training
energy, the wide-area network's, and their conversion to carbon. Here, for ``rounds`` rounds of
``clients_per_round`` clients, each training ``local_epochs`` local epochs of ``epoch_seconds``:

    device-hours  = clients × rounds × local epochs × epoch seconds / 3600
    training      = device-hours × device power                                   (the visible tip)
    network       = clients × rounds × 2 × model size × kWh per GB of the access  (download the model, upload
                    the update; ``network.csv``: Wi-Fi, 4G…), or — Qiu et al.'s form, when the link's rates
                    are known — clients × rounds × model size × (1/upload + 1/download rate)
                    × (router power + idle device power)
    aggregation   = rounds × server seconds per round × server power, with the data centre's PUE
    manufacturing = device-hours / (device lifetime × 8,760 h) × the device's embodied impacts (calendar-time:
                    the device is the user's for its whole life, the training borrows a slice of it)

The clients draw from their own grid (``location``), the server from its (``server_location``). The formula
(:func:`federated_energy`) is plain arithmetic on non-negative quantities, so it takes floats, :class:`Q`
ranges (interval arithmetic is exact here) or numpy arrays alike; :func:`estimate_federated` wraps it in a
footprint with every criterion, and :func:`estimate_centralised` gives the same model trained on GPUs
(the data uploaded once and stored, the GPU training with its whole iceberg) for the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.i18n import Amount, Msg
from aiceberg.model import factors as F
from aiceberg.model.client import device_parts, network_factor
from aiceberg.model.defaults import factor
from aiceberg.model.embodied import embodied_part
from aiceberg.model.footprint import Factor, Footprint, Part, Status
from aiceberg.model.inputs import check_q, check_whole, refuse_unused
from aiceberg.model.operational import electricity_part, pue_overhead_part
from aiceberg.model.quantity import Q, QLike
from aiceberg.model.training import estimate_training

__all__ = ["FederatedEnergy", "compare_federated", "estimate_centralised", "estimate_federated",
           "federated_energy", "federated_ratio"]

#: The router whose power Qiu et al.'s network term counts (``devices.csv``: an internet box).
ROUTER_DEVICE = "box"


@dataclass(frozen=True)
class FederatedEnergy:
    """The formula's outputs (floats, ``Q`` or arrays): device-hours of training, kWh of the clients' training,
    of the network and of the server's aggregation, and the GB carried."""

    device_hours: Any
    training_kwh: Any
    network_kwh: Any
    server_kwh: Any
    transfer_gb: Any


def federated_energy(clients_per_round: Any, rounds: Any, local_epochs: Any, epoch_seconds: Any,
                     device_power_w: Any, model_mb: Any, *, kwh_per_gb: Any = None, upload_mbps: Any = None,
                     download_mbps: Any = None, router_w: Any = None, idle_w: Any = None,
                     server_seconds_per_round: Any = 0.0, server_power_w: Any = 0.0) -> FederatedEnergy:
    """The federated model (see the module) on floats, ``Q`` or arrays. The network is ``kwh_per_gb`` × the GB
    carried, or Qiu et al.'s rates × powers when ``upload_mbps`` and ``download_mbps`` are given."""
    exchanges = clients_per_round * rounds
    device_hours = exchanges * local_epochs * epoch_seconds / 3600.0
    transfer_gb = exchanges * model_mb * 2 / 1000.0
    if upload_mbps is not None and download_mbps is not None:
        megabits = model_mb * 8.0
        seconds = exchanges * (megabits / upload_mbps + megabits / download_mbps)
        network_kwh = seconds / 3600.0 * (router_w + idle_w) / 1000.0
    else:
        network_kwh = transfer_gb * kwh_per_gb
    server_kwh = rounds * server_seconds_per_round / 3600.0 * server_power_w / 1000.0
    return FederatedEnergy(device_hours, device_hours * device_power_w / 1000.0, network_kwh, server_kwh,
                           transfer_gb)


def estimate_federated(
    *,
    clients_per_round: int,
    rounds: int,
    epoch_seconds: QLike,
    model_mb: QLike,
    local_epochs: QLike = 1,
    device: str | None = None,
    device_power_w: QLike | None = None,
    device_embodied_kgco2e: QLike | None = None,
    device_lifetime_years: QLike | None = None,
    network: str | None = None,
    upload_mbps: QLike | None = None,
    download_mbps: QLike | None = None,
    router_w: QLike | None = None,
    idle_w: QLike | None = None,
    location: str | None = None,
    intensity_g_per_kwh: QLike | None = None,
    server_seconds_per_round: QLike | None = None,
    server_power_w: QLike | None = None,
    server_location: str | None = None,
    pue: QLike | str | None = None,
    embodied: bool = True,
    title: str = "",
) -> Footprint:
    """Cross-device federated training (see the module). ``device``: a ``devices.csv`` row (smartphone, tablet,
    laptop…) for its power and manufacturing, or None for a device described by ``device_power_w`` (and, for
    its manufacturing, ``device_embodied_kgco2e`` and ``device_lifetime_years``: an embedded board). The network
    is the access ``network`` (default ``wifi``) in kWh/GB, or Qiu et al.'s link rates (``upload_mbps`` and
    ``download_mbps``, with ``router_w`` — default: an internet box of ``devices.csv`` — and ``idle_w`` — the
    device's power while it waits). The server's aggregation is counted when ``server_seconds_per_round``
    is given."""
    clients = check_whole("clients_per_round", clients_per_round)
    n_rounds = check_whole("rounds", rounds)
    epochs, seconds, mb = (check_q(n, v) for n, v in (("local_epochs", local_epochs),
                                                      ("epoch_seconds", epoch_seconds), ("model_mb", model_mb)))
    row = refdata.get_device(device) if device is not None else None
    warnings: tuple[Any, ...] = ()
    factors: list[Factor] = []
    left_out: list[Any] = []
    if device_power_w is not None:
        power = Factor("device_power", Msg("engine.factor.fl_device_power_given"), check_q("device_power_w",
                       device_power_w), "W", Status.INPUT)
    elif row is not None and row.use_power_w:
        power = Factor(f"device:{row.id}:power", Msg("engine.factor.fl_device_power", device=row.name_en or row.id),
                       Q.exact(row.use_power_w), "W", Status.DEFAULT, row.source, row.year)
        warnings += (Msg("engine.fl_device_power_default", device=row.id, power=row.use_power_w),)
    else:
        raise InputError("device_power_w", Msg("engine.fl_needs_power"), Msg("engine.accepted.fl_device"))
    factors.append(power)
    rates = upload_mbps is not None or download_mbps is not None
    if rates:
        if upload_mbps is None or download_mbps is None:
            raise InputError("upload_mbps" if upload_mbps is None else "download_mbps", Msg("engine.fl_both_rates"))
        refuse_unused({"network": network}, Msg("engine.needs.no_rates"))
        router = Factor("router_w", Msg("engine.factor.fl_router_given"), check_q("router_w", router_w), "W",
                        Status.INPUT) if router_w is not None else _router()
        idle = Factor("idle_w", Msg("engine.factor.fl_idle_given"), check_q("idle_w", idle_w), "W",
                      Status.INPUT) if idle_w is not None else Factor("idle_w", power.name, power.value, "W",
                                                                      Status.DEFAULT, power.sources, power.year)
        factors += [router, idle]
        net_kw: dict[str, Any] = {"upload_mbps": check_q("upload_mbps", upload_mbps),
                                  "download_mbps": check_q("download_mbps", download_mbps),
                                  "router_w": router.value, "idle_w": idle.value}
    else:
        refuse_unused({"router_w": router_w, "idle_w": idle_w}, Msg("engine.needs.rates"))
        access = network_factor(network or "wifi")
        factors.append(access)
        net_kw = {"kwh_per_gb": access.value}
    net_sources = tuple(s for f in factors[1:] for s in f.sources)
    server_q = None
    if server_seconds_per_round is not None:
        server_q = check_q("server_seconds_per_round", server_seconds_per_round)
        srv = F.device_power(refdata.get_hardware("default-cpu"), server_power_w, field="server_power_w")
        factors.append(srv)
        net_kw.update(server_seconds_per_round=server_q, server_power_w=srv.value)
    else:
        refuse_unused({"server_power_w": server_power_w, "server_location": server_location, "pue": pue},
                      Msg("engine.needs.server_seconds"))
    e = federated_energy(Q.exact(clients), Q.exact(n_rounds), epochs, seconds, power.value, mb, **net_kw)

    grid, more = F.grid_intensity(location, intensity_g_per_kwh)
    warnings += more + F.mix_warnings(grid)
    factors += [grid, *F.mix_factors(grid).values()]
    parts = [electricity_part("fl.training", e.training_kwh, grid, status=power.status, sources=power.sources,
                              visible=True, detail=Msg("engine.detail.fl_training", clients=clients, rounds=n_rounds,
                                                       epochs=epochs.central, hours=Amount(e.device_hours.central, "h"),
                                                       power=power.value.central)),
             electricity_part("network", e.network_kwh, grid, status=Status.MODELLED,
                              sources=net_sources,
                              detail=Msg("engine.detail.fl_network", data=Amount(e.transfer_gb.central, "GB"),
                                         clients=clients, rounds=n_rounds, mb=mb.central))]
    if server_q is not None:
        server_grid, more = F.grid_intensity(server_location or location, None if server_location
                                             else intensity_g_per_kwh, field="server_location")
        pue_f = F.pue(pue)
        factors += [server_grid, pue_f]
        warnings += more
        parts.append(electricity_part("fl.aggregation", e.server_kwh, server_grid, status=Status.MODELLED,
                                      sources=srv.sources, detail=Msg("engine.detail.fl_server",
                                                                              rounds=n_rounds,
                                                                              seconds=server_q.central)))
        if pue_f.value.high > 1:
            parts.append(pue_overhead_part(e.server_kwh, pue_f, server_grid))
    if embodied:
        parts_e, factors_e = _device_embodied(row, e.device_hours, grid, device_embodied_kgco2e, device_lifetime_years)
        if parts_e:
            parts += parts_e
            factors += factors_e
        else:
            left_out.append(Msg("engine.left_out.fl_device_embodied"))
    else:
        refuse_unused({"device_embodied_kgco2e": device_embodied_kgco2e,
                       "device_lifetime_years": device_lifetime_years}, Msg("input.needs.embodied"))
    return Footprint(tuple(parts), title=title or Msg("engine.title.federated", clients=clients, rounds=n_rounds),
                     factors=tuple({f.id: f for f in factors}.values()), warnings=tuple(dict.fromkeys(warnings)),
                     meta={"kind": "federated", "clients_per_round": clients, "rounds": n_rounds,
                           "device_hours": e.device_hours.central, "transfer_gb": e.transfer_gb.central,
                           "left_out": left_out})


def _router() -> Factor:
    row = refdata.get_device(ROUTER_DEVICE)
    return Factor(f"device:{row.id}:power", Msg("engine.factor.fl_router"), Q.exact(row.use_power_w or 0.0), "W",
                  Status.PUBLISHED, row.source, row.year)


def _device_embodied(row: refdata.Device | None, hours: Q, grid: Factor, given_kg: QLike | None,
                     given_life: QLike | None) -> tuple[list[Part], list[Factor]]:
    """The clients' devices' manufacturing share over the training's device-hours (calendar-time)."""
    if row is not None and given_kg is None:
        parts, fs = device_parts(row.id, hours, grid, lifetime_years=given_life)
        return [p for p in parts if p.name == "embodied.devices"], fs
    if given_kg is None:
        refuse_unused({"device_lifetime_years": given_life}, Msg("engine.needs.device_embodied"))
        return [], []
    if given_life is None:
        raise InputError("device_lifetime_years", Msg("engine.fl_needs_lifetime"), Msg("accepted.number_min",
                         op=">", low=0))
    kg, life = check_q("device_embodied_kgco2e", given_kg, "co2e_kg"), check_q("device_lifetime_years", given_life,
                                                                                "lifetime_years")
    fs = [Factor("device_embodied", Msg("engine.factor.fl_device_embodied_given"), kg, "kgCO2e", Status.INPUT),
          Factor("device_lifetime", Msg("factor.lifetime_given"), life, "year", Status.INPUT)]
    return [embodied_part("embodied.devices", kg, hours, lifetime_years=life, utilisation=Q.exact(1.0),
                          rule="calendar-time", status=Status.INPUT, what="device")], fs


def estimate_centralised(
    hardware: str,
    *,
    gpu_hours: QLike,
    data_gb: QLike | None = None,
    network: str | None = None,
    client_location: str | None = None,
    storage_days: QLike | None = None,
    storage: str = "hdd",
    location: str | None = None,
    intensity_g_per_kwh: QLike | None = None,
    pue: QLike | str | None = None,
    title: str = "",
) -> Footprint:
    """The same model trained centrally: ``gpu_hours`` on ``hardware`` (the whole iceberg of
    :func:`estimate_training`), the clients' ``data_gb`` uploaded once over ``network`` from their grid, and
    stored for ``storage_days`` (``hdd`` or ``ssd``, Cloud Carbon Footprint's coefficients, with the PUE)."""
    fp = estimate_training(hardware, gpu_hours=gpu_hours, location=location, intensity_g_per_kwh=intensity_g_per_kwh,
                           pue=pue)
    fp = Footprint(fp.parts, title or Msg("engine.title.centralised"), fp.factors, fp.warnings, fp.meta)
    parts, factors, left_out = list(fp.parts), list(fp.factors), list(fp.meta.get("left_out", ()))
    if data_gb is None:
        refuse_unused({"network": network, "client_location": client_location, "storage_days": storage_days},
                      Msg("input.needs.data_gb"))
        left_out.append(Msg("engine.left_out.central_data"))
    else:
        gb = check_q("data_gb", data_gb)
        access = network_factor(network or "wifi")
        client_grid = F.grid_intensity(client_location, field="client_location")[0] if client_location else \
            next(f for f in factors if f.id.startswith("intensity"))
        detail = Msg("detail.network", data=Amount(gb.central, "GB"), kwh_per_gb=access.value.central,
                     access=network or "wifi")
        parts.append(electricity_part("network", gb * access.value, client_grid, status=Status.MODELLED,
                                      sources=access.sources, detail=detail))
        factors.append(access)
        if storage_days is not None:
            if storage not in ("hdd", "ssd"):
                raise InputError("storage", Msg("input.unknown_value", value=storage),
                                 Msg("accepted.one_of", values="hdd, ssd"))
            days = check_q("storage_days", storage_days)
            wh = factor(f"storage_{storage}_wh_per_tb_hour")
            factors.append(wh)
            grid = next(f for f in fp.factors if f.id.startswith("intensity"))
            pue_f = next(f for f in fp.factors if f.id.startswith("pue"))
            kwh = gb / 1000.0 * days * 24.0 * wh.value / 1000.0 * pue_f.value
            parts.append(electricity_part("data.storage", kwh, grid, status=Status.MODELLED, sources=wh.sources,
                                          detail=Msg("engine.detail.storage", data=Amount(gb.central, "GB"),
                                                     days=days.central, media=storage.upper())))
        else:
            left_out.append(Msg("engine.left_out.central_storage"))
    return Footprint(tuple(parts), title=fp.title, factors=tuple(factors), warnings=fp.warnings,
                     meta={**fp.meta, "kind": "training", "left_out": left_out})


def compare_federated(federated: Footprint, centralised: Footprint) -> dict[str, Any]:
    """How many times the centralised footprint the federated one is, on carbon and energy, with ranges (the
    ends of the ratio are the federated ends over the centralised other ends: the widest honest span)."""
    return {"co2e": federated_ratio(federated.co2e_kg, centralised.co2e_kg),
            "energy": federated_ratio(federated.energy_kwh, centralised.energy_kwh)}


def federated_ratio(federated: Q, centralised: Q) -> dict[str, float]:
    """``federated`` over ``centralised`` (``value``), its ``low`` end the federated low over the centralised
    high, its ``high`` end the federated high over the centralised low (infinite when that reaches 0)."""
    high = federated.high / centralised.low if centralised.low else float("inf")
    return {"value": federated.central / centralised.central, "low": federated.low / centralised.high,
            "high": high}
