""""My AI day" for people: the JSON answer of the web calculator, with every label in the reader's language.

The model (:mod:`aiceberg.model.daily`) computes the year, the actions and the scales and names its texts
with catalog messages; this module renders them.
"""

from __future__ import annotations

from typing import Any

from aiceberg.explain.render import footprint_dict
from aiceberg.i18n import localise, t
from aiceberg.model.daily import DAYS_PER_YEAR, PERSONAL_PARTS, DailyResult

__all__ = ["daily_dict", "part_label"]


def part_label(name: str, lang: str = "en") -> str:
    """The label of a part of a day: the engine's, worded for one person where it is theirs ("your device")."""
    return t(f"daily.part.{name}" if name in PERSONAL_PARTS else f"part.{name}", lang)


def _rendered(row: dict[str, Any], lang: str) -> dict[str, Any]:
    return {k: localise(v, lang) if k in ("label", "note") else v for k, v in row.items()}


def daily_dict(result: DailyResult, lang: str = "en") -> dict[str, Any]:
    """The JSON answer: ``footprint_dict`` of the year, with the inputs, actions, uses, scales and assumptions."""
    out = footprint_dict(result.footprint, lang, result.inputs.country)
    for p in out["parts"]:
        p["label"] = part_label(p["name"], lang)
    inputs = result.inputs
    out["inputs"] = {**inputs.__dict__, "other_devices": list(inputs.other_devices)}
    out["per_day_co2e_kg"] = result.footprint.co2e_kg.central / DAYS_PER_YEAR
    out["actions"] = [{"id": a.id, "label": a.label.render(lang), "applicable": a.applicable,
                       "saved_co2e_kg": a.saved_co2e_kg, "saved_pct": a.saved_pct,
                       "note": a.note.render(lang) if a.note is not None else ""} for a in result.actions]
    out["uses"] = [_rendered(u, lang) for u in result.uses]
    out["population"] = [_rendered(p, lang) for p in result.population]
    out["assumptions"] = [{"id": a.id, "value": a.value.central, "low": a.value.low, "high": a.value.high,
                           "unit": a.unit, "label": a.label.render(lang)} for a in result.assumptions]
    return out
