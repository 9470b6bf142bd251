"""Each phase's formula, written once for any number type: floats (the central value), ``Q`` (the range)
and numpy arrays (Monte Carlo samples).

A :class:`Plan` is the compiled scenario: for each phase, which inputs it reads (a :data:`Ref` is an input
id, looked up in the values ``v``, or a constant). :func:`evaluate` computes every part of every phase
with the operations of ``ops`` (:mod:`aiceberg.model.uncertainty`): only ``+``, ``*``, ``/`` and
``ops.call`` for a function that increases with its arguments, so interval arithmetic stays valid.
Energies are in kWh, emissions in kgCO2e, grid intensities in gCO2e/kWh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aiceberg.i18n import Msg
from aiceberg.model.embodied import USE_RULES, DeviceUse
from aiceberg.model.federated import federated_energy
from aiceberg.model.uncertainty import Ops

__all__ = ["PHASES", "CentralisedPlan", "DataPlan", "DeploymentPlan", "DevicePlan", "FederatedPlan", "Hardware",
           "InferencePlan", "NetworkPlan", "Outcome", "Plan", "Ref", "Requests", "TrainingPlan", "evaluate",
           "growth_years"]

#: The phases of a service's life, in the order they are reported.
PHASES: tuple[str, ...] = ("data", "development", "training", "retraining", "federated", "deployment", "inference",
                           "network", "devices", "end_of_life")

Ref = str | float  # an input id, or a constant
Parts = dict[str, tuple[Any, Any]]  # part name → (electricity kWh, emissions kgCO2e)


def growth_years(growth: Any, years: Any, xp: Any) -> Any:
    """Years of traffic at the first year's rate that a traffic growing by ``growth`` a year adds up to over
    ``years``: ∫₀ᵀ (1 + g)^t dt = ((1 + g)^T − 1) / ln(1 + g), and T when g = 0. Increases with g and T."""
    x = years * xp.log1p(growth)
    small = x < 1e-9
    return years * xp.where(small, 1.0 + x / 2.0, xp.expm1(x) / xp.where(small, 1.0, x))


def _at_most_one(share: Any, xp: Any) -> Any:
    """The share of a one-off phase charged to the period, period / model life, at most 1."""
    return xp.minimum(1.0, share)


@dataclass(frozen=True)
class Requests:
    """Requests a day in the first year (the product of ``base``), their growth a year, and the users."""

    base: tuple[Ref, ...]
    growth: Ref | None = None
    users: Ref | None = None


@dataclass(frozen=True)
class Hardware:
    """Devices whose manufacturing a phase shares: per device and per server (kgCO2e), lifetime (years),
    utilisation, devices per server, and the part name (``embodied.gpu``)."""

    device_kg: Ref
    server_kg: Ref | None
    per_server: float
    life: Ref
    util: Ref
    part: str = "embodied.gpu"


@dataclass(frozen=True)
class TrainingPlan:
    """One training: device-hours (a product), power per device (W) or a measured electricity (kWh)."""

    device_hours: tuple[Ref, ...]
    intensity: Ref
    power_w: Ref | None = None
    measured_kwh: Ref | None = None
    overhead: Ref | None = None  # PUE − 1
    hardware: Hardware | None = None
    rule: str = "use-time"
    part: str = "gpu.dynamic"


@dataclass(frozen=True)
class InferencePlan:
    """Electricity per request (the sum of ``per_request_kwh``), with the data centre's overhead when the
    figure is the servers' alone (boundary ``it``)."""

    per_request_kwh: tuple[Ref, ...]
    intensity: Ref
    overhead: Ref | None = None


@dataclass(frozen=True)
class DeploymentPlan:
    """The serving fleet's manufacturing share: held by ``count`` devices for ``hours_per_day``, or
    ``held_per_request`` device-hours a request; busy ``busy_per_request`` device-hours a request (or the
    request's electricity over the device's power)."""

    hardware: Hardware
    hours_per_day: Ref = 24.0
    count: Ref | None = None
    held_per_request: Ref | None = None
    busy_per_request: Ref | None = None
    busy_power_w: Ref | None = None
    fleet_requests_per_day: Ref | None = None
    rule: str = "use-time"


@dataclass(frozen=True)
class NetworkPlan:
    gb_per_request: Ref
    kwh_per_gb: Ref
    intensity: Ref


@dataclass(frozen=True)
class DevicePlan:
    """A kind of user device: its share of the requests, seconds a request, power (W), manufacturing."""

    device: str
    share: Ref
    seconds: Ref
    power_w: float
    kg: Ref
    life: Ref
    intensity: Ref
    daily_use_hours: Ref | None = None
    rule: str = "calendar-time"


@dataclass(frozen=True)
class DataPlan:
    """Storage over the period (TB × hours × Wh per TB-hour × replicas) and the collection's transfer.
    ``tb_per_unit`` is 0.001 when the stored amount is counted in GB (the centralised counterpart's data)."""

    intensity: Ref
    stored_tb: Ref | None = None
    wh_per_tb_hour: Ref | None = None
    replication: Ref = 1.0
    overhead: Ref | None = None
    collected_gb: Ref | None = None
    kwh_per_gb: Ref | None = None
    tb_per_unit: float = 1.0


@dataclass(frozen=True)
class FederatedPlan:
    """Cross-device federated training, evaluated by :func:`aiceberg.model.federated.federated_energy`: clients
    a round, rounds, local epochs, seconds an epoch, the device's power (W), the model's size (MB), the access
    network's kWh per GB or the link's rates (Mbit/s) with the router's and the idle device's power (W), the
    server's seconds a round and power (W) on its grid with its overhead (PUE − 1), and the clients' devices'
    manufacturing (kgCO2e, lifetime) shared by ``rule``."""

    clients: Ref
    rounds: Ref
    epochs: Ref
    epoch_seconds: Ref
    power_w: Ref
    model_mb: Ref
    intensity: Ref
    kwh_per_gb: Ref | None = None
    rates: tuple[Ref, Ref, Ref, Ref] | None = None  # upload, download (Mbit/s), router, idle (W)
    server_seconds: Ref | None = None
    server_power_w: Ref | None = None
    server_intensity: Ref | None = None
    server_overhead: Ref | None = None
    device_kg: Ref | None = None
    device_life: Ref | None = None
    daily_use_hours: Ref | None = None
    rule: str = "calendar-time"


@dataclass(frozen=True)
class CentralisedPlan:
    """The same model trained centrally, beside the federated phase and not added to the total: a training
    (the scenario's training formula), the clients' data uploaded once and stored for ``storage_days`` (the
    data phase's formula)."""

    training: TrainingPlan
    upload: DataPlan | None = None
    storage: DataPlan | None = None
    storage_days: Ref = 0.0


@dataclass(frozen=True)
class Plan:
    """A compiled scenario: the period, the requests, the reporting unit and each phase's plan.

    ``not_counted`` says, for a phase or part that has no number, why (a catalog message): it is shown as
    such, never as 0.
    """

    period_days: Ref
    unit: str
    requests: Requests | None = None
    model_life_years: Ref | None = None
    data: DataPlan | None = None
    development: tuple[Ref, ...] | None = None  # trainings × fraction of the final one
    training: TrainingPlan | None = None
    retraining: tuple[Ref, ...] | None = None  # per year × fraction
    deployment: DeploymentPlan | None = None
    inference: InferencePlan | None = None
    network: NetworkPlan | None = None
    devices: tuple[DevicePlan, ...] = ()
    end_of_life: Ref | None = None
    federated: FederatedPlan | None = None
    centralised: CentralisedPlan | None = None
    not_counted: Mapping[str, Msg] = field(default_factory=dict)

    def with_rule(self, rule: str) -> Plan:
        """The same plan with ``rule`` for every phase that can take it (the allocation comparison)."""
        training = self.training
        if training is not None and training.hardware is not None and rule in ("use-time", "calendar-time"):
            training = replace(training, rule=rule)
        deployment = replace(self.deployment, rule=rule) if self.deployment is not None else None
        devices = tuple(
            replace(d, rule=rule) if rule == "calendar-time" or (
                rule in ("use-time", "share-of-device-time") and d.daily_use_hours is not None) else d
            for d in self.devices)
        fl = self.federated
        if fl is not None and fl.device_kg is not None and (rule == "calendar-time" or (
                rule in ("use-time", "share-of-device-time") and fl.daily_use_hours is not None)):
            fl = replace(fl, rule=rule)
        return replace(self, training=training, deployment=deployment, devices=devices, federated=fl)


@dataclass
class Outcome:
    """Every part of every phase (``"training.gpu.dynamic"`` → (kWh, kgCO2e)), the requests over the period
    (None without a deployment), the number of reporting units R, and the centralised counterpart of a
    federated phase (its parts, not in the total)."""

    parts: Parts
    requests: Any
    units: Any
    centralised: Parts = field(default_factory=dict)

    def phase(self, name: str) -> Parts:
        prefix = name + "."
        return {k[len(prefix):]: v for k, v in self.parts.items() if k.startswith(prefix)}


def _val(v: Mapping[str, Any], ref: Ref) -> Any:
    return v[ref] if isinstance(ref, str) else ref


def _prod(v: Mapping[str, Any], refs: tuple[Ref, ...]) -> Any:
    out: Any = 1.0
    for r in refs:
        out = out * _val(v, r)
    return out


def _electric(energy: Any, intensity: Any) -> tuple[Any, Any]:
    return energy, energy * intensity * 0.001


def _training(p: TrainingPlan, v: Mapping[str, Any]) -> Parts:
    hours = _prod(v, p.device_hours)
    intensity = _val(v, p.intensity)
    it = _val(v, p.measured_kwh) if p.measured_kwh is not None else hours * _val(v, p.power_w or 0.0) * 0.001
    parts: Parts = {p.part: _electric(it, intensity)}
    if p.overhead is not None:
        parts["cooling_overhead"] = _electric(it * _val(v, p.overhead), intensity)
    if p.hardware is not None:
        parts.update(_embodied(p.hardware, DeviceUse(hours, hours), p.rule, v))
    return parts


def _embodied(hw: Hardware, use: DeviceUse, rule: str, v: Mapping[str, Any]) -> Parts:
    life, util = _val(v, hw.life), _val(v, hw.util)
    share = USE_RULES[rule]
    parts: Parts = {hw.part: (0.0, _val(v, hw.device_kg) * share(use, life, util))}
    if hw.server_kg is not None:
        k = 1.0 / hw.per_server
        per_server = DeviceUse(use.held_hours * k, use.busy_hours * k, use.requests, use.fleet * k,
                               use.fleet_requests_per_year)
        parts["embodied.server"] = (0.0, _val(v, hw.server_kg) * share(per_server, life, util))
    return parts


def _scaled(parts: Parts, factor: Any) -> Parts:
    return {k: (e * factor, c * factor) for k, (e, c) in parts.items()}


def evaluate(plan: Plan, v: Mapping[str, Any], ops: Ops) -> Outcome:
    """Every part of the scenario for the input values ``v`` (floats, ``Q`` or arrays, as ``ops`` says)."""
    days = _val(v, plan.period_days)
    years = days * (1.0 / 365.0)
    one_off: Any = 1.0
    if plan.model_life_years is not None:
        one_off = ops.call(_at_most_one, years / _val(v, plan.model_life_years))
    out: Parts = {}

    def put(phase: str, parts: Parts) -> None:
        out.update({f"{phase}.{k}": val for k, val in parts.items()})

    requests = users = None
    if plan.requests is not None:
        first_day = _prod(v, plan.requests.base)
        span = years if plan.requests.growth is None else ops.call(growth_years, _val(v, plan.requests.growth),
                                                                   years)
        requests = first_day * 365.0 * span
        users = None if plan.requests.users is None else _val(v, plan.requests.users)
    if plan.data is not None:
        put("data", _data(plan.data, v, days, one_off))
    if plan.training is not None:
        final = _training(plan.training, v)
        if plan.development is not None:
            put("development", _scaled(final, _prod(v, plan.development) * one_off))
        put("training", _scaled(final, one_off))
        if plan.retraining is not None:
            put("retraining", _scaled(final, _prod(v, plan.retraining) * years))
    if plan.inference is not None and requests is not None:
        inf = plan.inference
        per_request = sum((_val(v, r) for r in inf.per_request_kwh[1:]), _val(v, inf.per_request_kwh[0]))
        it = requests * per_request
        intensity = _val(v, inf.intensity)
        put("inference", {"inference.compute": _electric(it, intensity)})
        if inf.overhead is not None:
            put("inference", {"cooling_overhead": _electric(it * _val(v, inf.overhead), intensity)})
        if plan.deployment is not None:
            put("deployment", _deployment(plan.deployment, v, requests, per_request, days, years))
    if plan.network is not None and requests is not None:
        net = plan.network
        put("network", {"network": _electric(requests * _val(v, net.gb_per_request) * _val(v, net.kwh_per_gb),
                                             _val(v, net.intensity))})
    if plan.devices and requests is not None:
        put("devices", _devices(plan.devices, v, requests))
    if plan.end_of_life is not None:
        put("end_of_life", {"end_of_life": (0.0, _val(v, plan.end_of_life))})
    if plan.federated is not None:
        put("federated", _scaled(_federated(plan.federated, v), one_off))
    centralised = {} if plan.centralised is None else _scaled(_centralised(plan.centralised, v), one_off)
    units = {"per-request": requests, "per-user-year": None if users is None else users * years,
             "per-year": years, "whole-life": 1.0}[plan.unit]
    return Outcome(out, requests, units, centralised)


def _data(p: DataPlan, v: Mapping[str, Any], days: Any, one_off: Any) -> Parts:
    parts: Parts = {}
    intensity = _val(v, p.intensity)
    if p.stored_tb is not None and p.wh_per_tb_hour is not None:
        it = (_val(v, p.stored_tb) * p.tb_per_unit * days * 24.0 * _val(v, p.wh_per_tb_hour)
              * _val(v, p.replication) * 0.001)
        parts["storage"] = _electric(it, intensity)
        if p.overhead is not None:
            parts["cooling_overhead"] = _electric(it * _val(v, p.overhead), intensity)
    if p.collected_gb is not None and p.kwh_per_gb is not None:
        parts["network"] = _electric(_val(v, p.collected_gb) * _val(v, p.kwh_per_gb) * one_off, intensity)
    return parts


def _deployment(p: DeploymentPlan, v: Mapping[str, Any], requests: Any, per_request_kwh: Any, days: Any,
                years: Any) -> Parts:
    hours_per_day = _val(v, p.hours_per_day)
    if p.count is not None:
        fleet = _val(v, p.count)
        held = fleet * hours_per_day * days
    else:
        held = requests * _val(v, p.held_per_request if p.held_per_request is not None else 0.0)
        fleet = held / (hours_per_day * days)
    if p.busy_per_request is not None:
        busy = requests * _val(v, p.busy_per_request)
    else:
        busy = requests * per_request_kwh / (_val(v, p.busy_power_w or 1.0) * 0.001)
    per_year = (_val(v, p.fleet_requests_per_day) * 365.0 if p.fleet_requests_per_day is not None
                else requests / years)
    return _embodied(p.hardware, DeviceUse(held, busy, requests, fleet, per_year), p.rule, v)


def _devices(devices: tuple[DevicePlan, ...], v: Mapping[str, Any], requests: Any) -> Parts:
    use_kwh: Any = 0.0
    use_kg: Any = 0.0
    made_kg: Any = 0.0
    for d in devices:
        hours = requests * _val(v, d.share) * _val(v, d.seconds) * (1.0 / 3600.0)
        energy = hours * d.power_w * 0.001
        use_kwh = use_kwh + energy
        use_kg = use_kg + energy * _val(v, d.intensity) * 0.001
        util = 1.0 if d.daily_use_hours is None else _val(v, d.daily_use_hours) * (1.0 / 24.0)
        made_kg = made_kg + _val(v, d.kg) * USE_RULES[d.rule](DeviceUse(hours, hours), _val(v, d.life), util)
    return {"devices.use": (use_kwh, use_kg), "embodied.devices": (0.0, made_kg)}


def _federated(p: FederatedPlan, v: Mapping[str, Any]) -> Parts:
    """The federated model's parts (``model/federated.py``): its formula, called on the values ``v``."""
    rates: dict[str, Any] = {}
    if p.rates is not None:
        rates = dict(zip(("upload_mbps", "download_mbps", "router_w", "idle_w"), (_val(v, r) for r in p.rates),
                         strict=True))
    else:
        rates = {"kwh_per_gb": _val(v, p.kwh_per_gb if p.kwh_per_gb is not None else 0.0)}
    server: dict[str, Any] = {}
    if p.server_seconds is not None:
        server = {"server_seconds_per_round": _val(v, p.server_seconds),
                  "server_power_w": _val(v, p.server_power_w if p.server_power_w is not None else 0.0)}
    e = federated_energy(_val(v, p.clients), _val(v, p.rounds), _val(v, p.epochs), _val(v, p.epoch_seconds),
                         _val(v, p.power_w), _val(v, p.model_mb), **rates, **server)
    intensity = _val(v, p.intensity)
    parts: Parts = {"fl.training": _electric(e.training_kwh, intensity), "network": _electric(e.network_kwh, intensity)}
    if p.server_seconds is not None:
        server_intensity = _val(v, p.server_intensity if p.server_intensity is not None else p.intensity)
        parts["fl.aggregation"] = _electric(e.server_kwh, server_intensity)
        if p.server_overhead is not None:
            parts["cooling_overhead"] = _electric(e.server_kwh * _val(v, p.server_overhead), server_intensity)
    if p.device_kg is not None and p.device_life is not None:
        util = 1.0 if p.daily_use_hours is None else _val(v, p.daily_use_hours) * (1.0 / 24.0)
        hours = e.device_hours
        parts["embodied.devices"] = (0.0, _val(v, p.device_kg) * USE_RULES[p.rule](DeviceUse(hours, hours),
                                                                                    _val(v, p.device_life), util))
    return parts


def _centralised(p: CentralisedPlan, v: Mapping[str, Any]) -> Parts:
    """The centralised counterpart: the training's parts, and its data's (``data.network``, ``data.storage``)."""
    parts = _training(p.training, v)
    for plan in (p.upload, p.storage):
        if plan is not None:
            parts.update({f"data.{k}": val for k, val in _data(plan, v, _val(v, p.storage_days), 1.0).items()})
    return parts
