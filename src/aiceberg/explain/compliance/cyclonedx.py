"""A CycloneDX 1.6 ML-BOM with the model's energy: ``components[].modelCard.considerations.
environmentalConsiderations.energyConsumptions`` (CycloneDX 1.6 JSON schema, ``bom-1.6.schema.json``).

One entry per life-cycle activity aiceberg knows (a training, a scenario's phases): the activity, the
energy provider (the grid of the location, its source ``unknown``: aiceberg knows a grid's carbon intensity,
not its mix), the activity's energy cost in kWh and its CO2 equivalent in tCO2eq (the electricity's
emissions; the embodied share, which is not an energy cost, is a property beside). The boundary and how
each figure was obtained are properties named ``aiceberg:…``.
"""

from __future__ import annotations

import uuid
from typing import Any

from aiceberg import __version__
from aiceberg.explain.compliance.source import Activity, ComplianceInput, Energy
from aiceberg.i18n import localise
from aiceberg.i18n import numbers as N

__all__ = ["SPEC_VERSION", "cyclonedx_bom"]

SPEC_VERSION = "1.6"
#: The namespace of aiceberg's CycloneDX property names.
NS = "aiceberg"


def _num(x: float, sig: int = 6) -> float:
    """``x`` to ``sig`` significant digits (a JSON number without float noise)."""
    return float(N.number(x, "en", sig).replace(",", "")) if x else 0.0


def _props(pairs: list[tuple[str, Any]]) -> list[dict[str, str]]:
    """CycloneDX properties (name-value strings); a number is written as a plain decimal."""
    return [{"name": f"{NS}:{k}", "value": N.number(v, "en", 6).replace(",", "") if isinstance(v, float) else str(v)}
            for k, v in pairs if v not in (None, "")]


def _provider(inp: ComplianceInput, energy: Energy) -> dict[str, Any]:
    where = localise(inp.location_name, "en") or inp.location or ""
    name = f"electricity grid: {where}" if where else "electricity grid (its location is not given)"
    description = ""
    if inp.intensity_g_per_kwh is not None:
        description = (f"grid carbon intensity {N.number(inp.intensity_g_per_kwh.central, 'en', 3)} gCO2e/kWh"
                       + (f" ({', '.join(inp.intensity_sources)})" if inp.intensity_sources else ""))
    out: dict[str, Any] = {"organization": {"name": name}, "energySource": "unknown",
                           "energyProvided": {"value": _num(energy.kwh.central), "unit": "kWh"}}
    if description:
        out["description"] = description
    return out


def _consumption(inp: ComplianceInput, a: Activity) -> dict[str, Any]:
    e = a.energy
    out: dict[str, Any] = {
        "activity": a.kind,
        "energyProviders": [_provider(inp, e)],
        "activityEnergyCost": {"value": _num(e.kwh.central), "unit": "kWh"},
    }
    if e.co2e_kg is not None:
        out["co2CostEquivalent"] = {"value": _num(e.co2e_kg.central / 1000.0), "unit": "tCO2eq"}
    pairs: list[tuple[str, Any]] = [
        ("phase", a.phase if a.phase and a.phase != a.kind else ""),
        ("boundary", e.boundary), ("obtained", e.obtained), ("how", localise(e.how, "en")),
        ("energy_kwh_low", _num(e.kwh.low)), ("energy_kwh_high", _num(e.kwh.high)),
        ("pue", None if e.pue is None else _num(e.pue.central)),
    ]
    if e.co2e_kg is not None:
        pairs += [("co2e_t_low", _num(e.co2e_kg.low / 1000.0)), ("co2e_t_high", _num(e.co2e_kg.high / 1000.0))]
    if a.embodied_co2e_kg is not None and a.embodied_co2e_kg.high > 0:
        pairs.append(("embodied_co2e_t", _num(a.embodied_co2e_kg.central / 1000.0)))
    out["properties"] = _props(pairs)
    return out


def cyclonedx_bom(inp: ComplianceInput, *, created: str, serial: str | None = None) -> dict[str, Any]:
    """The ML-BOM of ``inp``: one ``machine-learning-model`` component with its energy consumptions.

    Args:
        created: the BOM's timestamp (ISO 8601, UTC); the caller passes it (now, or SOURCE_DATE_EPOCH).
        serial: the BOM's serial number; by default a UUID derived from the subject and ``created``, so the
            same input gives the same BOM.
    """
    serial = serial or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'aiceberg:{inp.kind}:{inp.name}:{created}')}"
    env: dict[str, Any] = {"energyConsumptions": [_consumption(inp, a) for a in inp.activities]}
    extra: list[tuple[str, Any]] = [("source", f"{inp.kind}:{inp.name}")]
    if inp.complete is not None:
        extra += [("complete_energy_kwh", _num(inp.complete.kwh.central)),
                  ("complete_boundary", inp.complete.boundary)]
    if inp.co2e_kg is not None:
        extra.append(("total_co2e_t", _num(inp.co2e_kg.central / 1000.0)))
    if inp.computation is not None:
        extra += [("training_flop", f"{inp.computation.flop.central:.6g}"),
                  ("training_flop_obtained", inp.computation.obtained)]
    extra += [("sensors", ", ".join(f"{n} ({s})" for n, s in inp.sensors)), ("sources", ", ".join(inp.sources))]
    env["properties"] = _props(extra)
    component: dict[str, Any] = {
        "type": "machine-learning-model",
        "bom-ref": f"{inp.kind}:{inp.name}",
        "name": localise(inp.title, "en") or inp.name,
        "modelCard": {"considerations": {"environmentalConsiderations": env}},
    }
    if inp.hardware_names:
        component["description"] = "trained on " + ", ".join(inp.hardware_names)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": serial,
        "version": 1,
        "metadata": {
            "timestamp": created,
            "tools": {"components": [{"type": "application", "name": "aiceberg", "version": str(__version__)}]},
        },
        "components": [component],
    }
