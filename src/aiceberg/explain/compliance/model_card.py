"""The Hugging Face model card's ``co2_eq_emissions`` (Hub documentation, "Displaying carbon emissions for
your model"): ``emissions`` in grams of CO2e, ``source``, ``training_type``, ``geographical_location`` and
``hardware_used``, from any :class:`ComplianceInput` (a run, a job, an estimate, a case, a scenario).

The block is YAML for the README's front matter; a number never has an exponent (YAML 1.1 readers such as
PyYAML, hence the Hub, read ``2e-05`` as a string).
"""

from __future__ import annotations

import json
from typing import Any

from aiceberg import __version__
from aiceberg.errors import InputError
from aiceberg.explain.compliance.source import ComplianceInput
from aiceberg.i18n import Msg, localise
from aiceberg.i18n import numbers as N

__all__ = ["TRAINING_TYPES", "co2_eq_emissions", "model_card_yaml"]

#: The card's training types, and the activity each stands for.
TRAINING_TYPES = {"training": "pre-training", "fine-tuning": "fine-tuning"}


def _yaml_number(x: float, sig: int = 6) -> str:
    text = N.number(x, "en", sig).replace(",", "")
    return text if text not in ("", "-") else "0"


def _source(inp: ComplianceInput) -> str:
    head = f"aiceberg {__version__}"
    if inp.kind in ("run", "job"):
        sensors = ", ".join(f"{n} {s}" for n, s in inp.sensors) or "no sensor"
        job = inp.extra.get("job_id") if inp.kind == "run" else None
        if job:  # one run of a distributed job: say that the job's other runs are not in the figure
            return f"{head} ({sensors}; run {inp.name}: node {inp.extra.get('node', '?')} of job {job} only)"
        return f"{head} ({sensors}; {inp.kind} {inp.name})"
    if inp.kind == "case":
        return f"{head}, complete view of the case {inp.name} ({', '.join(inp.sources)})"
    how = inp.energy.obtained.replace("_", " ") if inp.energy else "no energy figure"
    return f"{head}, {inp.kind} {inp.name} ({how})"


def co2_eq_emissions(inp: ComplianceInput, *, training_type: str | None = None,
                     scope: str = "operational") -> dict[str, Any]:
    """The ``co2_eq_emissions`` mapping of ``inp``.

    Args:
        training_type: ``pre-training`` or ``fine-tuning``; by default the input's activity.
        scope: ``operational`` (the use phase: electricity and PUE overhead, as CodeCarbon and most cards
            count it) or ``total`` (aiceberg's whole footprint, the embodied share included).

    Raises:
        InputError: an unknown scope or training type, an inference (the card's block is a training's), or
            no footprint to take the emissions from.
    """
    if scope not in ("operational", "total"):
        raise InputError("scope", Msg("compliance.card.scope", value=scope), "operational, total")
    kind = training_type or TRAINING_TYPES.get(inp.activity)
    if kind not in TRAINING_TYPES.values():
        raise InputError("training_type", Msg("compliance.card.training_type", value=kind or inp.activity),
                         "pre-training, fine-tuning")
    chosen = inp.operational_co2e_kg if scope == "operational" else inp.co2e_kg
    if chosen is None:
        raise InputError(inp.kind, Msg("compliance.card.no_footprint", kind=inp.kind, name=inp.name))
    location = localise(inp.location_name, "en") or inp.location or (
        f"not given (a grid at {N.number(inp.intensity_g_per_kwh.central, 'en', 3)} gCO2e/kWh)"
        if inp.intensity_g_per_kwh is not None and inp.kind != "run" else "unknown (world average)")
    return {"emissions": chosen.central * 1000.0, "source": _source(inp), "training_type": kind,
            "geographical_location": location, "hardware_used": ", ".join(inp.hardware_names) or "unknown"}


def model_card_yaml(inp: ComplianceInput, *, training_type: str | None = None, scope: str = "operational") -> str:
    """The ``co2_eq_emissions`` block, ready to paste into the model card's YAML header; the other scope's
    figure follows as a YAML comment."""
    data = co2_eq_emissions(inp, training_type=training_type, scope=scope)
    lines = ["co2_eq_emissions:", f"  emissions: {_yaml_number(data['emissions'])}"]
    lines += [f"  {k}: {json.dumps(data[k], ensure_ascii=False)}"
              for k in ("source", "training_type", "geographical_location", "hardware_used")]
    if scope == "operational" and inp.co2e_kg is not None:
        lines.append(f"  # whole footprint with the embodied share (aiceberg): {N.co2e(inp.co2e_kg.central)}")
    elif scope == "total" and inp.operational_co2e_kg is not None:
        lines.append(f"  # use phase only (as CodeCarbon counts): {N.co2e(inp.operational_co2e_kg.central)}")
    return "\n".join(lines) + "\n"
