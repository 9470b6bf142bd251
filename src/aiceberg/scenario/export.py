"""The JSON form of a scenario's result (``aiceberg scenario run --json``; keys in ``docs/scenarios.md``).

Every quantity is flat, as in the rest of aiceberg: ``co2e_kg``, ``co2e_kg_low``, ``co2e_kg_high``; a phase
without a number has ``co2e_kg: null`` and ``not_counted`` says why (never a 0 standing for "unknown").
Texts are rendered in ``lang``.
"""

from __future__ import annotations

from typing import Any

from aiceberg.i18n import Msg
from aiceberg.model.quantity import Q
from aiceberg.scenario.analysis import ScenarioResult

__all__ = ["JSON_VERSION", "result_dict"]

#: The version of the JSON's shape (bumped when a key changes meaning or goes).
JSON_VERSION = 1


def flat(prefix: str, q: Q | None) -> dict[str, float | None]:
    if q is None:
        return {prefix: None, f"{prefix}_low": None, f"{prefix}_high": None}
    return {prefix: q.central, f"{prefix}_low": q.low, f"{prefix}_high": q.high}


def _text(value: Any, lang: str) -> Any:
    return value.render(lang) if isinstance(value, Msg) else value


def result_dict(res: ScenarioResult, lang: str = "en") -> dict[str, Any]:
    """The result as JSON-ready data in ``lang``."""
    energy, co2e = res.total
    plan = res.plan
    out: dict[str, Any] = {
        "version": JSON_VERSION,
        "scenario": res.spec.name,
        "title": res.spec.title(lang),
        "description": res.spec.description(lang),
        "file": res.file,
        "period_days": _of(res.ranges, plan.period_days, res),
        "requests": None if res.ranges.requests is None else flat("value", _qq(res.ranges.requests)),
        "unit": plan.unit,
        "units": None if res.ranges.units is None else flat("value", _qq(res.ranges.units)),
        "total": {**flat("energy_kwh", energy), **flat("co2e_kg", co2e),
                  "visible_co2e_kg": sum(c.central for _, _, c, v in res.parts() if v),
                  "submerged_co2e_kg": sum(c.central for _, _, c, v in res.parts() if not v)},
    }
    per = res.per_unit()
    out["per_unit"] = None if per is None else {"unit": plan.unit, **flat("energy_kwh", per[0]),
                                                **flat("co2e_kg", per[1])}
    total = co2e.central
    phases = []
    parts = res.parts()
    allocation = res.allocations()
    for name, e, c in res.phases():
        row: dict[str, Any] = {"name": name, "label": Msg(f"scenario.section.{name}").render(lang),
                               **flat("energy_kwh", e), **flat("co2e_kg", c),
                               "share": None if c is None or not total else c.central / total,
                               "allocation": allocation.get(name)}
        if c is None:
            row["not_counted"] = plan.not_counted[name].render(lang)
        row["parts"] = [{"name": k.split(".", 1)[1], **flat("energy_kwh", pe), **flat("co2e_kg", pc), "visible": v}
                        for k, pe, pc, v in parts if k.split(".", 1)[0] == name]
        if name in res.mc.get("phases", {}):
            row["samples"] = res.mc["phases"][name]["co2e_kg"]
        phases.append(row)
    out["phases"] = phases
    out["allocation"] = allocation
    out["not_counted"] = {k: v.render(lang) for k, v in plan.not_counted.items()}
    out["published"] = res.published()
    out["federated"] = _federated(res, lang)
    out["inputs"] = [_input(i, lang) for i in res.inputs.values()]
    out["tornado"] = [{"id": b.input.id, "label": b.input.label.render(lang),
                       "low": b.input.dist.low + b.input.offset, "high": b.input.dist.high + b.input.offset,
                       "co2e_kg_at_low": b.at_low, "co2e_kg_at_high": b.at_high} for b in res.tornado]
    if res.comparison:
        out["comparison"] = [{"kind": c.kind, "label": c.label.render(lang), "co2e_kg": c.co2e_kg,
                              "per_unit_co2e_kg": c.per_unit_co2e_kg, "current": c.current} for c in res.comparison]
    if res.samples:
        out["samples"] = {"n": res.samples, "seed": res.seed, "total": res.mc["total"],
                          "per_unit": res.mc.get("per_unit"), "histogram": res.mc["histogram"]}
        s = res.sensitivity
        assert s is not None
        out["sensitivity"] = {
            "method": "sobol (Saltelli 2010 first order, Jansen 1999 total order)",
            "output": "total co2e_kg", "samples": s.samples, "evaluations": s.evaluations,
            "indices": [{"id": k, "label": res.inputs[k].label.render(lang), "first_order": s.first[k],
                         "total_order": s.total[k], "total_order_ci": list(s.total_ci.get(k, (s.total[k],) * 2))}
                        for k in s.ranked()]}
    out["sci"] = {b: {**sci.to_dict(lang), **({"samples": res.mc["sci"][b]} if b in res.mc.get("sci", {}) else {})}
                  for b, sci in res.sci().items()}
    out["actions"] = [{"input": i.id, "label": i.label.render(lang), "action": m.render(lang)}
                      for i, m in res.actions()]
    out["warnings"] = [w.render(lang) for w in dict.fromkeys(res.compiled.warnings)]
    out["sources"] = sorted({s for i in res.inputs.values() for s in i.sources}
                            | set(res.spec.get("scenario", "sources", ())))
    return out


def _qq(x: Any) -> Q:
    return x if isinstance(x, Q) else Q.exact(float(x))


def _of(ranges: Any, ref: Any, res: ScenarioResult) -> dict[str, float | None]:
    if isinstance(ref, str):
        return flat("value", res.inputs[ref].dist.q())
    return flat("value", Q.exact(float(ref)))


def _input(i: Any, lang: str) -> dict[str, Any]:
    d = i.dist
    return {"id": i.id, "label": i.label.render(lang), "path": i.path, "unit": i.unit, "status": str(i.status),
            "dist": d.kind, "central": d.central + i.offset, "low": d.low + i.offset, "high": d.high + i.offset,
            "sources": list(i.sources)}


def _federated(res: ScenarioResult, lang: str) -> dict[str, Any] | None:
    """The federated phase beside the same model trained centrally (null without a ``[centralised]``)."""
    fl = res.federated()
    if fl is None:
        return None
    (fe, fc), (ce, cc) = fl["federated"], fl["centralised"]
    out: dict[str, Any] = {
        "federated": {**flat("energy_kwh", fe), **flat("co2e_kg", fc)},
        "centralised": {**flat("energy_kwh", ce), **flat("co2e_kg", cc),
                        "parts": [{"name": k, **flat("energy_kwh", e), **flat("co2e_kg", c)}
                                  for k, e, c in fl["parts"]]},
        "ratio": fl["ratio"],
        "not_counted": [m.render(lang) for k, m in res.plan.not_counted.items() if k in ("federated", "centralised")],
    }
    if "samples" in fl:
        out["samples"] = fl["samples"]
    return out
