"""Documents people must produce about a model's footprint: the EU AI Act's energy and computation items
(Annex XI; the GPAI Code of Practice's Model Documentation Form), the CycloneDX 1.6 ML-BOM's energy
consumptions, the SPDX 3.0.1 AI profile's energy consumption, and the Hugging Face model card's
``co2_eq_emissions``.

Documents receive their data (a :class:`ComplianceInput` built by :mod:`.builders` from what the caller
fetched: a case's result, an estimate's footprint, a run's summary, a job's runs, a scenario's JSON); they
open no store and read no file. ``docs/compliance.md`` lists every key.
"""

from __future__ import annotations

from aiceberg.explain.compliance.builders import (
    case_compliance,
    estimate_compliance,
    job_compliance,
    run_compliance,
    scenario_compliance,
    with_inputs,
)
from aiceberg.explain.compliance.eu_form import eu_form
from aiceberg.explain.compliance.source import ComplianceInput

__all__ = [
    "ComplianceInput",
    "case_compliance",
    "estimate_compliance",
    "eu_form",
    "job_compliance",
    "run_compliance",
    "scenario_compliance",
    "with_inputs",
]
