"""From a parsed scenario to its plan and its inputs: every factor looked up, every problem named.

Each number the formulas read is an :class:`Input` with its law (:class:`~aiceberg.model.uncertainty.Dist`),
its words, its unit, how it was obtained and its sources. An input is keyed by what it *is*, not by where it
is used: two phases on the same grid read ``intensity:US``, two on the same hardware ``embodied:<id>``, so a
Monte Carlo draw gives them one value (correlated inputs stay correlated). A value given in the file is keyed
by its path (``deployment.pue``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from aiceberg import refdata
from aiceberg.errors import AicebergError, InputError
from aiceberg.i18n import Localised, Msg
from aiceberg.model import factors as F
from aiceberg.model.client import network_factor
from aiceberg.model.defaults import factor, factor_value
from aiceberg.model.footprint import Factor, Status
from aiceberg.model.inference import DEFAULT_LLM_HARDWARE
from aiceberg.model.llm import llm_request
from aiceberg.model.quantity import Q
from aiceberg.model.training import hardware_embodied
from aiceberg.model.uncertainty import Dist
from aiceberg.scenario.federated import federated_phase
from aiceberg.scenario.formulas import (
    DataPlan,
    DeploymentPlan,
    DevicePlan,
    Hardware,
    InferencePlan,
    NetworkPlan,
    Plan,
    Ref,
    Requests,
    TrainingPlan,
)
from aiceberg.scenario.spec import Problems, Spec
from aiceberg.scenario.store_link import StoreOpener, read_job, read_run

__all__ = ["Compiled", "Input", "compile_spec"]


@dataclass(frozen=True)
class Input:
    """One input of the formulas: its law, words (``label``), unit, status, sources, and the field that gave
    it (``path``, None for the reference data's). ``offset`` is added when it is shown (a PUE is kept as its
    overhead, PUE − 1)."""

    id: str
    dist: Dist
    label: Msg
    unit: str
    status: Status
    sources: tuple[str, ...] = ()
    path: str | None = None
    offset: float = 0.0


@dataclass
class Compiled:
    plan: Plan
    inputs: dict[str, Input]
    warnings: list[Msg] = field(default_factory=list)


def _label(section: str, name: str) -> Msg:
    """``service: requests a day``: the words of a field given in the file."""
    return Msg("scenario.in.field", section=Msg(f"scenario.in_section.{section}"), what=Msg(f"scenario.field.{name}"))


class _Builder:
    def __init__(self, spec: Spec, problems: Problems, opener: StoreOpener | None) -> None:
        self.spec = spec
        self.problems = problems
        self.opener = opener
        self.inputs: dict[str, Input] = {}
        self.warnings: list[Msg] = []
        self.not_counted: dict[str, Msg] = {}

    # -- inputs ----------------------------------------------------------------------------------
    def add(self, id_: str, dist: Dist, label: Msg, unit: str, status: Status, sources: tuple[str, ...] = (),
            path: str | None = None, offset: float = 0.0) -> str:
        if id_ not in self.inputs:
            self.inputs[id_] = Input(id_, dist, label, unit, status, tuple(sources), path, offset)
        return id_

    def given(self, section: str, name: str, unit: str, scale: float = 1.0, *, table: Any = None) -> str | None:
        """The file's value of ``section.name`` as an input (None when absent)."""
        src = self.spec.section(section) if table is None else table
        d = src.get(name)
        if not isinstance(d, Dist):
            return None
        path = f"{table['_path'] if table is not None else section}.{name}"
        if scale != 1.0:
            d = Dist(d.kind, d.central * scale, d.low * scale, d.high * scale)
        return self.add(path, d, _label(section, name), unit, Status.INPUT, path=path)

    def factor(self, f: Factor, label: Msg, *, scale: float = 1.0, offset: float = 0.0) -> str:
        q = f.value
        if scale != 1.0:
            q = Q(q.central * scale, q.low * scale, q.high * scale)
        d = Dist.of_q(q)
        return self.add(f.id, d.shifted(-offset) if offset else d, label, f.unit, f.status, f.sources, offset=offset)

    def lookup(self, path: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` (a reference-data lookup) whose error is re-attached to ``path``; None when
        it failed."""
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            self.problems.error(exc, path)
        except AicebergError as exc:  # a store's error keeps its catalog message (the reader's language)
            message = getattr(exc, "message", None)
            self.problems.add(path, message if isinstance(message, Msg) else str(exc))
        return None

    # -- where the electricity comes from --------------------------------------------------------
    def intensity(self, *sections: str) -> Ref:
        """The grid of the first of ``sections`` that names one, else the scenario's, else the world's."""
        for section in (*sections, "scenario"):
            ref = self.given(section, "intensity_g_per_kwh", "gCO2e/kWh")
            if ref is not None:
                return ref
            loc = self.spec.get(section, "location")
            if loc is not None:
                res = self.lookup(f"{section}.location", F.grid_intensity, loc, field=f"{section}.location")
                return 0.0 if res is None else self.grid(res[0])
        f, warnings = F.grid_intensity(None)
        self.warnings += [w for w in warnings if isinstance(w, Msg)]
        return self.grid(f)

    def grid(self, f: Factor) -> str:
        """A grid's intensity factor as an input, named in each language."""
        zone = refdata.get_zone(f.id.split(":", 1)[1]) if f.id.startswith("intensity:") else None
        name = Localised(en=zone.name_en or zone.id, fr=zone.name_fr or zone.name_en or zone.id) if zone else f.name
        return self.factor(f, Msg("scenario.in.intensity", zone=name))

    def overhead(self, section: str) -> Ref | None:
        """The data centre's overhead (PUE − 1) of ``section``, else the scenario's, else the default."""
        for sec in (section, "scenario"):
            value = self.spec.get(sec, "pue")
            if isinstance(value, Dist):
                if value.high <= 1.0:
                    return None
                return self.add(f"{sec}.pue", value.shifted(-1.0), _label(sec, "pue"), "1", Status.INPUT,
                                path=f"{sec}.pue", offset=1.0)
            if isinstance(value, str):
                f = self.lookup(f"{sec}.pue", F.pue, value, field=f"{sec}.pue")
                return None if f is None else self.pue(f)
        return self.pue(F.pue(None))

    def pue(self, f: Factor) -> str:
        row = refdata.get_pue(f.id.split(":", 1)[1]) if f.id.startswith("pue:") else None
        name = Localised(en=row.name_en or row.id, fr=row.name_fr or row.name_en or row.id) if row else f.name
        return self.factor(f, Msg("scenario.in.pue", what=name), offset=1.0)

    def network(self, path: str, access: str) -> str | None:
        row = self.lookup(path, refdata.get_network, access, path)
        if row is None:
            return None
        f = network_factor(row.id)
        return self.factor(f, Msg("scenario.in.network", what=Localised(en=row.name_en or row.id,
                                                                         fr=row.name_fr or row.name_en or row.id)))

    def hardware(self, section: str, name: str | None, *,
                 per_server: float | None = None) -> tuple[Any, Hardware] | None:
        """The hardware row of ``section`` and its manufacturing plan (device, server, lifetime, utilisation)."""
        if name is None:
            return None
        hw = self.lookup(f"{section}.hardware", refdata.get_hardware, name, f"{section}.hardware")
        if hw is None:
            return None
        res = self.lookup(f"{section}.hardware", hardware_embodied, hw)
        if res is None:
            return None
        kg, status, sources, note = res
        if note:
            self.warnings.append(note)
        dev = self.add(f"embodied:{hw.id}", Dist.of_q(kg), Msg("scenario.in.embodied", what=hw.name), "kgCO2e",
                       status, sources)
        server_name = self.spec.get(section, "server", "default-server")
        srv = self.lookup(f"{section}.server", refdata.get_hardware, server_name, f"{section}.server")
        srv_ref = None
        if srv is not None:
            skg, sstatus, ssources, _ = hardware_embodied(srv)
            srv_ref = self.add(f"embodied:{srv.id}", Dist.of_q(skg), Msg("scenario.in.embodied", what=srv.name),
                               "kgCO2e", sstatus, ssources)
        life = self.given(section, "lifetime_years", "year") or self.factor(
            factor("embodied_lifetime_years"), Msg("scenario.in.lifetime"))
        util = self.given(section, "utilisation", "1") or self.factor(
            factor("embodied_utilisation"), Msg("scenario.in.utilisation"))
        kind = hw.kind if hw.kind in ("tpu", "cpu") else "gpu"
        per = per_server or float(self.spec.get(section, "devices_per_server", 8))
        return hw, Hardware(dev, srv_ref, per, life, util, part=f"embodied.{kind}")

    def power(self, section: str, hw: Any) -> Ref:
        ref = self.given(section, "power_w", "W")
        if ref is not None:
            return ref
        f = self.lookup(f"{section}.hardware", F.device_power, hw, None, field=f"{section}.power_w")
        return 0.0 if f is None else self.factor(f, Msg("scenario.in.power", what=hw.name))


def compile_spec(spec: Spec, problems: Problems, opener: StoreOpener | None = None) -> Compiled:
    """The plan and inputs of ``spec``; problems go to ``problems`` (the caller raises them all at once)."""
    b = _Builder(spec, problems, opener)
    sc = spec.section("scenario")
    days = b.given("scenario", "period_days", "day")
    if days is None:
        days = b.given("scenario", "period_years", "day", 365.0)
    unit = str(sc.get("unit", "per-request" if spec.has("deployment") else "whole-life"))
    for sid in sc.get("sources", ()):
        if refdata.get_source(sid) is None:
            problems.add("scenario.sources", Msg("scenario.error.unknown_source", source=sid))
    loc = sc.get("location")
    if loc is not None:  # checked even when no phase reads the scenario's grid
        b.lookup("scenario.location", F.grid_intensity, loc, field="scenario.location")
    plan = Plan(period_days=days or 30.0, unit=unit,
                model_life_years=b.given("scenario", "model_life_years", "year"))
    plan = _training_phases(b, plan)
    plan = _service_phases(b, plan)
    plan = _data_phase(b, plan)
    plan = federated_phase(b, plan)
    if spec.has("end_of_life"):
        eol = b.given("end_of_life", "co2e_kg", "kgCO2e")
        plan = _with(plan, end_of_life=eol)
    else:
        b.not_counted["end_of_life"] = Msg("scenario.note.no_eol")
    return Compiled(_with(plan, not_counted=dict(b.not_counted)), b.inputs, b.warnings)


def _with(plan: Plan, **changes: Any) -> Plan:
    return replace(plan, **changes)


def _training_phases(b: _Builder, plan: Plan) -> Plan:
    spec = b.spec
    if not spec.has("training"):
        return plan
    intensity, overhead = b.intensity("training"), b.overhead("training")
    res = b.hardware("training", spec.get("training", "hardware"))
    if res is None:
        return plan
    hw, hardware = res
    measured = None
    count = b.given("training", "count", "device") or 1.0
    if spec.get("training", "run") or spec.get("training", "job"):
        got = _measured(b, "training")
        if got is None:
            return plan
        measured, hours_ref = got
        device_hours: tuple[Ref, ...] = (count, hours_ref)
    elif spec.get("training", "gpu_hours") is not None:
        device_hours = (b.given("training", "gpu_hours", "h") or 0.0,)
    else:
        device_hours = (count, b.given("training", "hours", "h") or 0.0)
    kind = hw.kind if hw.kind in ("tpu", "cpu") else "gpu"
    tp = TrainingPlan(device_hours=device_hours, intensity=intensity,
                      power_w=None if measured else b.power("training", hw), measured_kwh=measured,
                      overhead=overhead, hardware=hardware,
                      rule=str(spec.get("training", "allocation", "use-time")), part=f"{kind}.dynamic")
    dev = None
    if spec.has("development"):
        dev = tuple(r for r in (b.given("development", "trainings", "training"),
                                b.given("development", "fraction", "1")) if r is not None)
    ret = None
    if spec.has("retraining"):
        ret = (b.given("retraining", "per_year", "training/year") or 0.0,
               b.given("retraining", "fraction", "1") or 1.0)
    return _with(plan, training=tp, development=dev, retraining=ret)


def _measured(b: _Builder, section: str) -> tuple[str, str] | None:
    """A run's or job's measured electricity (kWh) and hours, as inputs."""
    run_id, job_id = b.spec.get(section, "run"), b.spec.get(section, "job")
    path = f"{section}.{'run' if run_id else 'job'}"
    got = (b.lookup(path, read_run, run_id, b.opener, path) if run_id
           else b.lookup(path, read_job, job_id, b.opener, path))
    if got is None:
        return None
    kwh, hours, ident = got
    e = b.add(f"{path}:{ident}", Dist.exact(kwh), Msg("scenario.in.measured", what=ident), "kWh", Status.MEASURED,
              path=path)
    h = b.add(f"{path}:{ident}:hours", Dist.exact(hours), Msg("scenario.in.measured_hours", what=ident), "h",
              Status.MEASURED, path=path)
    return e, h


def _service_phases(b: _Builder, plan: Plan) -> Plan:
    spec = b.spec
    if not spec.has("deployment"):
        return plan
    users = b.given("deployment", "users", "user")
    if users is not None:
        base: tuple[Ref, ...] = (users, b.given("deployment", "requests_per_user_per_day", "request/day") or 0.0)
    else:
        base = (b.given("deployment", "requests_per_day", "request/day") or 0.0,)
    requests = Requests(base, b.given("deployment", "growth_per_year", "1/year"), users)
    intensity = b.intensity("deployment")
    inf, dep = _inference(b, intensity)
    net = None
    if spec.has("network"):
        access = spec.get("network", "access", "fixed")
        kwh_gb = b.network("network.access", access)
        if kwh_gb is not None:
            net = NetworkPlan(b.given("network", "gb_per_request", "GB") or 0.0, kwh_gb, b.intensity("network"))
    devices = _devices(b)
    return _with(plan, requests=requests, inference=inf, deployment=dep, network=net, devices=devices)


def _inference(b: _Builder, intensity: Ref) -> tuple[InferencePlan | None, DeploymentPlan | None]:
    spec = b.spec
    sec = spec.section("inference")
    hw_name = spec.get("deployment", "hardware")
    llm = sec.get("parameters_b") is not None
    res = b.hardware("deployment", hw_name or (DEFAULT_LLM_HARDWARE if llm else None),
                     per_server=factor_value("llm_server_gpus") if llm and not spec.get(
                         "deployment", "devices_per_server") else None)
    boundary = sec.get("boundary")
    busy = power = None
    if llm:
        hw = res[0] if res else refdata.get_hardware(DEFAULT_LLM_HARDWARE)
        qs = {k: sec[k].q() for k in ("parameters_b", "output_tokens", "active_parameters_b") if k in sec}
        if "output_tokens" not in qs:  # refused or missing: the problem is already named
            return None, None
        r = b.lookup("inference.parameters_b", llm_request, qs["parameters_b"], qs["output_tokens"],
                     qs.get("active_parameters_b"), hw.memory_gb)
        if r is None:
            return None, None
        what = Msg("scenario.in.llm_what", params=qs["parameters_b"].central, tokens=qs["output_tokens"].central)
        src = factor("llm_gpu_energy_alpha").sources
        per: tuple[Ref, ...] = (
            b.add("inference.llm_gpu_kwh", Dist.of_q(r.gpu_kwh), Msg("scenario.in.llm_gpu", what=what), "kWh",
                  Status.MODELLED, src, "inference.parameters_b"),
               b.add("inference.llm_server_kwh", Dist.of_q(r.server_kwh), Msg("scenario.in.llm_server", what=what),
                     "kWh", Status.MODELLED, src, "inference.parameters_b"))
        busy = b.add("inference.llm_gpu_hours", Dist.of_q(r.gpu_hours), Msg("scenario.in.llm_gpu_hours", what=what),
                     "h", Status.MODELLED, src, "inference.parameters_b")
        boundary = "it"
    elif sec.get("run") or sec.get("job"):
        got = _measured(b, "inference")
        if got is None:
            return None, None
        n = sec.get("run_requests")
        kwh = b.inputs[got[0]].dist.central / (n.central if n is not None else 1.0)
        per = (b.add("inference.measured_kwh", Dist.exact(kwh), Msg("scenario.in.measured_request"), "kWh",
                     Status.MEASURED, path="inference.run"),)
        boundary = "it"
    elif sec.get("task") is not None:
        row = b.lookup("inference.task", refdata.get_inference_figure, sec["task"], "inference.task")
        if row is None:
            return None, None
        if boundary is not None and boundary != row.boundary:
            b.problems.add("inference.boundary", Msg("input.boundary_of_figure", figure=row.id, boundary=row.boundary),
                           Msg("accepted.boundary_of_figure", boundary=row.boundary))
        boundary = row.boundary
        st = Status(row.status) if row.status in Status._value2member_map_ else Status.PUBLISHED
        f = Factor(f"inference:{row.id}", row.name_en or row.id, Q.from_row(row, "wh_per_request"), "Wh", st,
                   row.source, row.year)
        per = (b.factor(f, Msg("scenario.in.figure", what=f.name), scale=0.001),)
    else:
        per = (b.given("inference", "wh_per_request", "kWh", 0.001) or 0.0,)
        if boundary is None:
            has_pue = b.spec.get("deployment", "pue") is not None or b.spec.get("scenario", "pue") is not None
            boundary = "it" if has_pue else "facility"
            if not has_pue:
                b.warnings.append(Msg("scenario.note.boundary_assumed"))
    overhead = b.overhead("deployment") if boundary == "it" else None
    inf = InferencePlan(per, intensity, overhead)
    if res is None:
        b.not_counted["deployment"] = Msg("scenario.note.no_hardware")
        return inf, None
    hw, hardware = res
    count = b.given("deployment", "count", "device")
    held = b.given("deployment", "device_hours_per_request", "h") or busy
    if count is None and held is None:
        b.problems.add("deployment.count", Msg("scenario.error.fleet"), Msg("scenario.accepted.fleet"))
        return inf, None
    if busy is None:
        power = b.power("deployment", hw)
    default_rule = "use-time"
    dep = DeploymentPlan(hardware, hours_per_day=b.given("deployment", "hours_per_day", "h") or 24.0, count=count,
                         held_per_request=held, busy_per_request=busy, busy_power_w=power,
                         fleet_requests_per_day=b.given("deployment", "fleet_requests_per_day", "request/day"),
                         rule=str(b.spec.get("deployment", "allocation", default_rule)))
    return inf, dep


def _devices(b: _Builder) -> tuple[DevicePlan, ...]:
    out = []
    tables = b.spec.devices
    shares = 0.0
    for table in tables:
        path = table["_path"]
        name = table.get("device")
        row = None if name is None else b.lookup(f"{path}.device", refdata.get_device, name, f"{path}.device")
        if row is None:
            continue
        share = b.given("devices", "share", "1", table=table)
        if share is None and len(tables) > 1:
            b.problems.add(f"{path}.share", Msg("scenario.error.shares"), Msg("scenario.accepted.share"))
        shares += b.inputs[share].dist.central if share else 1.0
        srcs = tuple(row.source)
        kg = b.add(f"device:{row.id}:embodied", Dist.of_q(Q.from_row(row, "embodied_kgco2e")),
                   Msg("scenario.in.embodied", what=_name(row)), "kgCO2e", Status.PUBLISHED, srcs)
        life = b.given("devices", "lifetime_years", "year", table=table) or b.add(
            f"device:{row.id}:lifetime", Dist.of_q(Q.from_row(row, "lifetime_years")),
            Msg("scenario.in.device_lifetime", what=_name(row)), "year", Status.PUBLISHED, srcs)
        daily = b.given("devices", "daily_use_hours", "h", table=table)
        rule = table.get("allocation") or ("share-of-device-time" if daily else "calendar-time")
        if rule == "share-of-device-time" and daily is None:
            b.problems.add(f"{path}.daily_use_hours", Msg("scenario.error.needs", needs=f"{path}.allocation"),
                           Msg("scenario.accepted.daily_use"))
        out.append(DevicePlan(row.id, share or 1.0, b.given("devices", "seconds_per_request", "s", table=table) or 0.0,
                              float(row.use_power_w or 0.0), kg, life,
                              b.intensity("network") if not table.get("location") and not table.get(
                                  "intensity_g_per_kwh") else _device_grid(b, table), daily, str(rule)))
    if shares > 1.0 + 1e-9:
        b.problems.add("devices", Msg("scenario.error.shares_sum", total=shares), Msg("scenario.accepted.share"))
    return tuple(out)


def _name(row: Any) -> Localised:
    return Localised(en=row.name_en or row.id, fr=row.name_fr or row.name_en or row.id)


def _device_grid(b: _Builder, table: Any) -> Ref:
    ref = b.given("devices", "intensity_g_per_kwh", "gCO2e/kWh", table=table)
    if ref is not None:
        return ref
    loc = table["location"]
    res = b.lookup(f"{table['_path']}.location", F.grid_intensity, loc, field=f"{table['_path']}.location")
    return 0.0 if res is None else b.grid(res[0])


def _data_phase(b: _Builder, plan: Plan) -> Plan:
    spec = b.spec
    if not spec.has("data"):
        return plan
    stored = b.given("data", "stored_tb", "TB")
    wh = None
    if stored is not None:
        media = spec.get("data", "storage", "hdd")
        wh = b.factor(factor(f"storage_{media}_wh_per_tb_hour"), Msg("scenario.in.storage", what=media.upper()))
    collected = b.given("data", "collected_gb", "GB")
    kwh_gb = None
    if collected is not None:
        access = spec.get("data", "network", "fixed")
        kwh_gb = b.network("data.network", access)
    data = DataPlan(b.intensity("data"), stored, wh, b.given("data", "replication", "1") or 1.0,
                    b.overhead("data") if stored is not None else None, collected, kwh_gb)
    return _with(plan, data=data)
