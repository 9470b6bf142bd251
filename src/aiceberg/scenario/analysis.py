"""Running a scenario: the central value, the ranges, the tornado, the allocation comparison, and (with
numpy) the Monte Carlo percentiles and the Sobol indices — all from the one set of formulas.

:func:`analyse` returns a :class:`ScenarioResult`; its :meth:`~ScenarioResult.to_dict` is the JSON of
``aiceberg scenario run --json`` (keys in ``docs/scenarios.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aiceberg.i18n import Msg
from aiceberg.model.federated import federated_ratio
from aiceberg.model.quantity import Q
from aiceberg.model.sci import Sci, sci_from_parts
from aiceberg.model.uncertainty import FLOAT, RANGE, Sobol, array_ops, percentiles_of, sample, sobol
from aiceberg.scenario.actions import actions_for
from aiceberg.scenario.build import Compiled, Input
from aiceberg.scenario.formulas import PHASES, Outcome, Plan, evaluate
from aiceberg.scenario.spec import ALLOCATIONS, Spec

__all__ = ["Comparison", "ScenarioResult", "TornadoBar", "analyse", "total_co2e"]

#: The samples of the Sobol analysis for a Monte Carlo of n samples: n / 8, within these bounds.
SOBOL_MIN, SOBOL_MAX = 1024, 8192

#: The two boundaries of the GSF's SCI for AI draft, as the scenario's phases: the operation of the model
#: (what serving the requests draws) and what makes it (data, trainings, end of life).
SCI_BOUNDARIES: dict[str, tuple[str, ...]] = {
    "consumer": ("deployment", "inference", "network", "devices"),
    "provider": ("data", "development", "training", "retraining", "federated", "end_of_life"),
}
#: The scenario's reporting unit as the SCI's functional unit R.
SCI_UNITS: dict[str, str] = {"per-request": "request", "per-user-year": "user-year", "per-year": "year",
                             "whole-life": "service life"}


@dataclass(frozen=True)
class _SciPart:
    """A scenario part as ``sci_from_parts`` reads it."""

    name: str
    energy_kwh: Q
    co2e_kg: Q
    phase: str


def total_co2e(out: Outcome) -> Any:
    """The sum of every part's emissions (a float, a ``Q`` or an array, as the outcome's)."""
    values = [c for _, c in out.parts.values()]
    return sum(values[1:], values[0]) if values else 0.0


def _total_energy(out: Outcome) -> Any:
    values = [e for e, _ in out.parts.values()]
    return sum(values[1:], values[0]) if values else 0.0


def phase_totals(out: Outcome) -> dict[str, tuple[Any, Any]]:
    """Phase → (kWh, kgCO2e), for the phases that have parts."""
    res: dict[str, tuple[Any, Any]] = {}
    for key, (e, c) in out.parts.items():
        phase = key.split(".", 1)[0]
        if phase in res:
            pe, pc = res[phase]
            res[phase] = (pe + e, pc + c)
        else:
            res[phase] = (e, c)
    return res


@dataclass(frozen=True)
class TornadoBar:
    """One input moved alone to its low then its high end: the total at each."""

    input: Input
    at_low: float
    at_high: float

    @property
    def swing(self) -> float:
        return abs(self.at_high - self.at_low)


@dataclass(frozen=True)
class Comparison:
    """One variant of the open questions: which (``allocation``, ``lifetime``, ``trainings``), its words,
    and the total and per-unit emissions it gives."""

    kind: str
    label: Msg
    co2e_kg: float
    per_unit_co2e_kg: float | None
    current: bool = False


@dataclass
class ScenarioResult:
    spec: Spec
    compiled: Compiled
    central: Outcome
    ranges: Outcome
    tornado: list[TornadoBar]
    comparison: list[Comparison] = field(default_factory=list)
    samples: int = 0
    seed: int | None = None
    mc: dict[str, Any] = field(default_factory=dict)
    sensitivity: Sobol | None = None
    file: str = ""

    @property
    def plan(self) -> Plan:
        return self.compiled.plan

    @property
    def inputs(self) -> Mapping[str, Input]:
        return self.compiled.inputs

    @property
    def total(self) -> tuple[Q, Q]:
        """(kWh, kgCO2e) with ranges."""
        return _q(_total_energy(self.ranges)), _q(total_co2e(self.ranges))

    def per_unit(self) -> tuple[Q, Q] | None:
        """(kWh, kgCO2e) per reporting unit, with ranges (None when the unit cannot be counted)."""
        units = self.ranges.units
        if units is None:
            return None
        u = _q(units)
        e, c = self.total
        return e / u, c / u

    def phases(self) -> list[tuple[str, Q | None, Q | None]]:
        """Each phase of the file in the order of :data:`PHASES`: (name, kWh, kgCO2e); None when the phase
        has no number (``plan.not_counted`` says why)."""
        totals = phase_totals(self.ranges)
        out: list[tuple[str, Q | None, Q | None]] = []
        for name in PHASES:
            if name in totals:
                e, c = totals[name]
                out.append((name, _q(e), _q(c)))
            elif name in self.plan.not_counted:
                out.append((name, None, None))
        return out

    def parts(self) -> list[tuple[str, Q, Q, bool]]:
        """Every part: (``phase.part``, kWh, kgCO2e, visible)."""
        return [(k, _q(e), _q(c), _visible(k)) for k, (e, c) in self.ranges.parts.items()]

    def published(self) -> dict[str, Any] | None:
        """The publication's figure, the same scope reproduced (the parts it counts), and the deviation."""
        pub = self.spec.section("published")
        if not pub or "co2e_kg" not in pub:
            return None
        include = tuple(pub.get("include", ()))
        repro = sum(c for k, (_, c) in self.central.parts.items() if k in include)
        value = pub["co2e_kg"].central
        return {"co2e_kg": value, "include": list(include), "reproduced_co2e_kg": repro,
                "deviation_pct": (repro - value) / value * 100.0 if value else None,
                "source": pub.get("source"), "where_en": pub.get("where_en"), "where_fr": pub.get("where_fr")}

    def actions(self, n: int = 3) -> list[tuple[Input, Msg]]:
        """What can be done, tied to the inputs that matter most (Sobol's ranking, else the tornado's)."""
        if self.sensitivity is not None:
            ranked = [self.inputs[i] for i in self.sensitivity.ranked() if i in self.inputs]
        else:
            ranked = [b.input for b in self.tornado]
        return actions_for(ranked, n)

    def sci(self) -> dict[str, Sci]:
        """The SCI (ISO/IEC 21031) of each boundary the scenario has parts in, per its reporting unit R:
        ``consumer`` (serving the requests) and ``provider`` (data, trainings, end of life). Empty when R
        cannot be counted."""
        units = self.ranges.units
        out: dict[str, Sci] = {}
        if units is None:
            return out
        for boundary, phases in SCI_BOUNDARIES.items():
            parts = [_SciPart(k, e, c, "manufacturing" if k.split(".", 1)[1].startswith("embodied") else "use")
                     for k, e, c, _ in self.parts() if k.split(".", 1)[0] in phases]
            if parts:
                left = [self.plan.not_counted[p] for p in phases if p in self.plan.not_counted]
                out[boundary] = sci_from_parts(parts, unit=SCI_UNITS[self.plan.unit], r=_q(units),
                                               boundary=boundary, left_out=left)
        return out

    def allocations(self) -> dict[str, Any]:
        """The allocation rule of each phase that shares manufacturing."""
        p = self.plan
        out: dict[str, Any] = {}
        if p.training is not None and p.training.hardware is not None:
            for name in ("development", "training", "retraining"):
                if name == "training" or getattr(p, name) is not None:
                    out[name] = p.training.rule
        if p.deployment is not None:
            out["deployment"] = p.deployment.rule
        if p.devices:
            out["devices"] = [d.rule for d in p.devices]
        if p.federated is not None and p.federated.device_kg is not None:
            out["federated"] = p.federated.rule
        return out

    def federated(self) -> dict[str, Any] | None:
        """The federated phase beside its centralised counterpart: the counterpart's parts and total, and how
        many times the counterpart's footprint the federated phase's is, on carbon and electricity
        (``model.federated.federated_ratio``: each one's ends against the other's opposite ends); with
        samples, the percentiles of the carbon ratio, drawn together (a grid both read is one draw). None
        without a ``[centralised]``."""
        if self.plan.centralised is None or "federated" not in phase_totals(self.ranges):
            return None
        fl_e, fl_c = (_q(x) for x in phase_totals(self.ranges)["federated"])
        parts = [(k, _q(e), _q(c)) for k, (e, c) in self.ranges.centralised.items()]
        c_e = sum((e for _, e, _ in parts[1:]), parts[0][1])
        c_c = sum((c for _, _, c in parts[1:]), parts[0][2])
        out: dict[str, Any] = {"federated": (fl_e, fl_c), "centralised": (c_e, c_c), "parts": parts,
                               "ratio": {"co2e": federated_ratio(fl_c, c_c), "energy": federated_ratio(fl_e, c_e)}}
        if "federated" in self.mc:
            out["samples"] = self.mc["federated"]
        return out


def _visible(key: str) -> bool:
    part = key.split(".", 1)[1]
    return part.endswith(".dynamic") or part in ("inference.compute", "fl.training")


def _q(x: Any) -> Q:
    return x if isinstance(x, Q) else Q.exact(float(x))


def _values(compiled: Compiled, kind: str) -> dict[str, Any]:
    if kind == "range":
        return {k: i.dist.q() for k, i in compiled.inputs.items()}
    return {k: i.dist.central for k, i in compiled.inputs.items()}


def tornado(compiled: Compiled) -> list[TornadoBar]:
    """Each uncertain input alone at its low then high end (the others central), largest swing first."""
    base = _values(compiled, "float")
    bars = []
    for k, inp in compiled.inputs.items():
        if inp.dist.is_exact:
            continue
        lo = total_co2e(evaluate(compiled.plan, {**base, k: inp.dist.low}, FLOAT))
        hi = total_co2e(evaluate(compiled.plan, {**base, k: inp.dist.high}, FLOAT))
        if lo != hi:  # an input this scenario's formulas do not use (under its allocation) moves nothing
            bars.append(TornadoBar(inp, float(lo), float(hi)))
    bars.sort(key=lambda b: -b.swing)
    return bars


def compare(compiled: Compiled) -> list[Comparison]:
    """The talk's open questions side by side: each allocation rule, each end of the hardware lifetimes,
    and the number of trainings."""
    base = _values(compiled, "float")
    plan = compiled.plan

    def run(p: Plan, values: Mapping[str, Any]) -> tuple[float, float | None]:
        out = evaluate(p, values, FLOAT)
        total = float(total_co2e(out))
        return total, (None if not out.units else total / float(out.units))

    rows: list[Comparison] = []
    rules_now = set(_flat_rules(plan))
    for rule in ALLOCATIONS if rules_now else ():
        p = plan.with_rule(rule)
        if p == plan and rule not in rules_now:
            continue
        rows.append(Comparison("allocation", Msg(f"scenario.rule.{rule}"), *run(p, base), current=p == plan))
    for k, inp in compiled.inputs.items():
        if "lifetime" in k and not inp.dist.is_exact:
            values = sorted({inp.dist.low, inp.dist.central, inp.dist.high})
            totals = [run(plan, {**base, k: value}) for value in values]
            # a lifetime that no counted phase uses (the centralised counterpart's GPU, beside the total) moves
            # nothing: identical rows would suggest the question does not matter where it does not apply
            if len({total for total, _ in totals}) < 2:
                continue
            for value, figures in zip(values, totals, strict=True):
                rows.append(Comparison("lifetime", Msg("scenario.variant.lifetime", what=inp.label, years=value),
                                       *figures, current=value == inp.dist.central))
    if plan.training is not None:
        dev = plan.development
        n_now = float(base[dev[0]]) if dev and isinstance(dev[0], str) else 0.0
        fraction: Any = dev[1] if dev and len(dev) > 1 else 1.0
        counts = [0.0, n_now, 10.0 * max(n_now, 1.0)]
        if dev and isinstance(dev[0], str):
            d = compiled.inputs[dev[0]].dist
            counts += [d.low, d.high]
        for n in sorted(set(counts)):
            p = _replace_development(plan, (n, fraction))
            rows.append(Comparison("trainings", Msg("scenario.variant.trainings", n=n, total=n * _frac(base, fraction)
                                                    + 1.0), *run(p, base), current=n == n_now))
    return rows


def _frac(base: Mapping[str, Any], ref: Any) -> float:
    return float(base[ref]) if isinstance(ref, str) else float(ref)


def _replace_development(plan: Plan, dev: tuple[Any, ...]) -> Plan:
    return replace(plan, development=dev)


def _flat_rules(plan: Plan) -> list[str]:
    rules = []
    if plan.training is not None and plan.training.hardware is not None:
        rules.append(plan.training.rule)
    if plan.deployment is not None:
        rules.append(plan.deployment.rule)
    rules += [d.rule for d in plan.devices]
    if plan.federated is not None and plan.federated.device_kg is not None:
        rules.append(plan.federated.rule)
    return rules


def monte_carlo(compiled: Compiled, n: int, seed: int | None) -> tuple[dict[str, Any], Sobol]:
    """Percentiles of the total, the per-unit figure and each phase over ``n`` samples, and the Sobol
    indices of the total."""
    ops = array_ops()
    dists = {k: i.dist for k, i in compiled.inputs.items()}
    draws = sample(dists, n, seed)
    out = evaluate(compiled.plan, draws, ops)
    total = total_co2e(out)
    phases = phase_totals(out)
    series = [total, _total_energy(out), *(c for _, c in phases.values())]
    sci_names = []
    if out.units is not None:
        for boundary, names in SCI_BOUNDARIES.items():
            inside = [c for name, (_, c) in phases.items() if name in names]
            if inside:
                sci_names.append(boundary)
                series.append(sum(inside[1:], inside[0]) * 1000.0 / out.units)  # gCO2e per unit
        series.append(total / out.units)
    pcts = percentiles_of(series)
    mc: dict[str, Any] = {"total": {"co2e_kg": pcts[0], "energy_kwh": pcts[1]}}
    n_phases = len(phases)
    if sci_names:
        mc["sci"] = dict(zip(sci_names, pcts[2 + n_phases:2 + n_phases + len(sci_names)], strict=True))
    mc["phases"] = {name: {"co2e_kg": p} for name, p in zip(phases, pcts[2:], strict=False)}
    if out.units is not None:
        mc["per_unit"] = {"co2e_kg": pcts[-1]}
    if out.centralised and "federated" in phases:
        central = [c for _, c in out.centralised.values()]
        mc["federated"] = {"co2e_ratio": percentiles_of([phases["federated"][1] / sum(central[1:], central[0])])[0]}
    np = ops.np  # type: ignore[attr-defined]
    counts, edges = np.histogram(np.asarray(total, dtype=float), bins=40)
    mc["histogram"] = {"counts": [int(x) for x in counts], "edges": [float(x) for x in edges]}
    n_sobol = min(max(n // 8, SOBOL_MIN), SOBOL_MAX)
    sens = sobol(lambda vals: total_co2e(evaluate(compiled.plan, vals, ops)), dists, n_sobol,
                 None if seed is None else seed + 1)
    return mc, sens


def analyse(spec: Spec, compiled: Compiled, *, samples: int = 0, seed: int | None = 0,
            compare_allocations: bool = False, file: str = "") -> ScenarioResult:
    """Run a compiled scenario (see the module)."""
    central = evaluate(compiled.plan, _values(compiled, "float"), FLOAT)
    ranges = evaluate(compiled.plan, _values(compiled, "range"), RANGE)
    res = ScenarioResult(spec, compiled, central, ranges, tornado(compiled), file=file)
    if compare_allocations:
        res.comparison = compare(compiled)
    if samples:
        res.samples, res.seed = samples, seed
        res.mc, res.sensitivity = monte_carlo(compiled, samples, seed)
    return res
