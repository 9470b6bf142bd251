"""The ``[federated]`` and ``[centralised]`` sections compiled: cross-device federated training, and the same
model trained centrally beside it (not in the total).

Each number becomes an input as elsewhere in a scenario (``build.py``): a value of the file keyed by its path
(``federated.model_mb``), a factor of the data keyed by what it is (``device:smartphone:embodied``,
``network:wifi``, ``intensity:US``), so a phone in ``[[devices]]`` and the federated clients' phone share one
draw. The defaults are those of :func:`aiceberg.model.federated.estimate_federated`: the device's power in use
from ``devices.csv`` (with a warning), Wi-Fi, an internet box as the router and the device's own power while
it waits, the class-default CPU for the server; the formula is the model's (``formulas.FederatedPlan``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from aiceberg import refdata
from aiceberg.i18n import Localised, Msg
from aiceberg.model import factors as F
from aiceberg.model.defaults import factor
from aiceberg.model.federated import ROUTER_DEVICE
from aiceberg.model.footprint import Status
from aiceberg.model.quantity import Q
from aiceberg.model.uncertainty import Dist
from aiceberg.scenario.formulas import CentralisedPlan, DataPlan, FederatedPlan, Plan, Ref, TrainingPlan

if TYPE_CHECKING:
    from aiceberg.scenario.build import _Builder

__all__ = ["federated_phase"]

SECTION = "federated"


def _name(row: Any) -> Localised:
    return Localised(en=row.name_en or row.id, fr=row.name_fr or row.name_en or row.id)


def federated_phase(b: _Builder, plan: Plan) -> Plan:
    """``plan`` with its federated phase and, when the file asks, its centralised counterpart."""
    spec = b.spec
    if not spec.has(SECTION):
        return plan
    sec = spec.section(SECTION)
    row = None
    if sec.get("device") is not None:
        row = b.lookup(f"{SECTION}.device", refdata.get_device, sec["device"], f"{SECTION}.device")
        if row is None:
            return plan
    power = b.given(SECTION, "device_power_w", "W")
    if power is None and row is not None:
        if not row.use_power_w:  # a device of the data without a power figure: say which field to give
            b.problems.add(f"{SECTION}.device_power_w", Msg("scenario.error.fl_power"),
                           Msg("scenario.accepted.fl_device"))
            return plan
        power = b.add(f"device:{row.id}:power", Dist.exact(row.use_power_w),
                      Msg("scenario.in.fl_device_power", what=_name(row)), "W", Status.DEFAULT, tuple(row.source))
        b.warnings.append(Msg("scenario.note.fl_device_power", device=row.id, power=row.use_power_w))
    if power is None:
        return plan  # the missing power is already named (spec's rules)
    intensity = b.intensity(SECTION)
    kwh_per_gb = rates = None
    if sec.get("upload_mbps") is not None:
        router = b.given(SECTION, "router_w", "W")
        if router is None:
            box = refdata.get_device(ROUTER_DEVICE)
            router = b.add(f"device:{box.id}:power", Dist.exact(box.use_power_w or 0.0),
                           Msg("scenario.in.fl_router", what=_name(box)), "W", Status.PUBLISHED, tuple(box.source))
        idle = b.given(SECTION, "idle_w", "W") or power
        rates = (b.given(SECTION, "upload_mbps", "Mbit/s") or 1.0, b.given(SECTION, "download_mbps", "Mbit/s") or 1.0,
                 router, idle)
    else:
        kwh_per_gb = b.network(f"{SECTION}.network", sec.get("network", "wifi"))
        if kwh_per_gb is None:
            return plan
    server = _server(b, intensity)
    kg, life = _device_manufacturing(b, row)
    fl = FederatedPlan(
        clients=b.given(SECTION, "clients_per_round", "client") or 1.0,
        rounds=b.given(SECTION, "rounds", "round") or 1.0,
        epochs=b.given(SECTION, "local_epochs", "epoch") or 1.0,
        epoch_seconds=b.given(SECTION, "epoch_seconds", "s") or 0.0, power_w=power,
        model_mb=b.given(SECTION, "model_mb", "MB") or 0.0, intensity=intensity, kwh_per_gb=kwh_per_gb, rates=rates,
        **server, device_kg=kg, device_life=life, daily_use_hours=b.given(SECTION, "daily_use_hours", "h"),
        rule=str(sec.get("allocation", "calendar-time")))
    centralised = _centralised(b, intensity) if spec.has("centralised") else None
    return replace(plan, federated=fl, centralised=centralised)


def _server(b: _Builder, clients_grid: Ref) -> dict[str, Any]:
    """The aggregation server's seconds a round, power, grid and overhead (none without its time)."""
    seconds = b.given(SECTION, "server_seconds_per_round", "s")
    if seconds is None:
        return {}
    power = b.given(SECTION, "server_power_w", "W")
    if power is None:
        hw = refdata.get_hardware("default-cpu")
        power = b.factor(F.device_power(hw, None), Msg("scenario.in.power", what=hw.name))
    grid: Ref = clients_grid
    loc = b.spec.get(SECTION, "server_location")
    if loc is not None:
        res = b.lookup(f"{SECTION}.server_location", F.grid_intensity, loc, field=f"{SECTION}.server_location")
        grid = 0.0 if res is None else b.grid(res[0])
    return {"server_seconds": seconds, "server_power_w": power, "server_intensity": grid,
            "server_overhead": b.overhead(SECTION)}


def _device_manufacturing(b: _Builder, row: Any) -> tuple[Ref | None, Ref | None]:
    """The clients' devices' manufacturing (kgCO2e) and lifetime (years), or (None, None) when no figure
    exists: not counted, and said so."""
    life = b.given(SECTION, "device_lifetime_years", "year")
    kg = b.given(SECTION, "device_embodied_kgco2e", "kgCO2e")
    if kg is None and row is not None:
        srcs = tuple(row.source)
        kg = b.add(f"device:{row.id}:embodied", Dist.of_q(Q.from_row(row, "embodied_kgco2e")),
                   Msg("scenario.in.embodied", what=_name(row)), "kgCO2e", Status.PUBLISHED, srcs)
        life = life or b.add(f"device:{row.id}:lifetime", Dist.of_q(Q.from_row(row, "lifetime_years")),
                             Msg("scenario.in.device_lifetime", what=_name(row)), "year", Status.PUBLISHED, srcs)
    if kg is None or life is None:
        b.not_counted[SECTION] = Msg("scenario.note.fl_no_device_embodied")
        return None, None
    return kg, life


def _centralised(b: _Builder, clients_grid: Ref) -> CentralisedPlan | None:
    """The same model trained on ``centralised.hardware`` for ``gpu_hours`` (the training formula, with its
    manufacturing share), the clients' data uploaded once from their grid and stored for ``storage_days``."""
    spec, sec = b.spec, "centralised"
    intensity, overhead = b.intensity(sec), b.overhead(sec)
    res = b.hardware(sec, spec.get(sec, "hardware"))
    if res is None:
        return None
    hw, hardware = res
    kind = hw.kind if hw.kind in ("tpu", "cpu") else "gpu"
    training = TrainingPlan(device_hours=(b.given(sec, "gpu_hours", "h") or 0.0,), intensity=intensity,
                            power_w=b.power(sec, hw), overhead=overhead, hardware=hardware,
                            rule=str(spec.get(sec, "allocation", "use-time")), part=f"{kind}.dynamic")
    gb = b.given(sec, "data_gb", "GB")
    if gb is None:
        b.not_counted[sec] = Msg("scenario.note.central_no_data")
        return CentralisedPlan(training)
    access = spec.get(sec, "network") or spec.get(SECTION, "network") or "wifi"
    kwh_per_gb = b.network(f"{sec}.network", access)
    upload = None if kwh_per_gb is None else DataPlan(clients_grid, collected_gb=gb, kwh_per_gb=kwh_per_gb)
    days = b.given(sec, "storage_days", "day")
    if days is None:
        b.not_counted[sec] = Msg("scenario.note.central_no_storage")
        return CentralisedPlan(training, upload)
    media = spec.get(sec, "storage", "hdd")
    wh = b.factor(factor(f"storage_{media}_wh_per_tb_hour"), Msg("scenario.in.storage", what=media.upper()))
    storage = DataPlan(intensity, stored_tb=gb, wh_per_tb_hour=wh, overhead=overhead, tb_per_unit=0.001)
    return CentralisedPlan(training, upload, storage, days)
