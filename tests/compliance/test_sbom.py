"""CycloneDX 1.6 ML-BOM and SPDX 3.0.1 AI profile: from a run, a job, an estimate, a case and a scenario, each
validated against the official JSON schema; the energy in the units the standards name."""

from __future__ import annotations

import atexit
import copy
import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from compliancekit import JOB_ID, cyclonedx_validator, measured_job, run_summary, spdx_validator

import aiceberg
from aiceberg.cases import get_case
from aiceberg.explain.compliance import (
    case_compliance,
    estimate_compliance,
    job_compliance,
    run_compliance,
    scenario_compliance,
)
from aiceberg.explain.compliance.cyclonedx import cyclonedx_bom
from aiceberg.explain.compliance.spdx import spdx_document
from aiceberg.explain.render import footprint_dict
from aiceberg.model.footprint_json import footprint_from_dict
from aiceberg.model.inference import estimate_inference
from aiceberg.model.training import estimate_training
from aiceberg.scenario import get_template, result_dict

CREATED = "2025-01-01T00:00:00Z"


@functools.cache
def _job() -> Any:
    """A job of 2 nodes × 2 ranks from a store (compliancekit.measured_job), its total counted once."""
    root = Path(tempfile.mkdtemp(prefix="aiceberg-job-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return job_compliance(aiceberg.get_job(JOB_ID, store=measured_job(root)))


def _scenario(name: str) -> Any:
    sc = get_template(name).scenario()
    return scenario_compliance(result_dict(sc.run(), "en"), sc.spec.get("training", "hardware"))


def _estimate() -> Any:  # through its JSON, as `aiceberg report --estimate` reads it
    fp = estimate_training("a100", count=8, hours=24, location="FR")
    return estimate_compliance(footprint_from_dict(footprint_dict(fp)), "est")


SOURCES = {
    "run": lambda: run_compliance(run_summary()),
    "job": _job,
    "estimate": _estimate,
    "inference-estimate": lambda: estimate_compliance(
        estimate_inference(parameters_b=70, output_tokens=400, location="US"), "inf"),
    "case": lambda: case_compliance(get_case("bloom-training").run()),
    "inference-case": lambda: case_compliance(get_case("bloom-inference").run()),
    "scenario": lambda: _scenario("chatgpt-month"),
    "scenario-with-data": lambda: _scenario("recommendation-feed"),
}


@pytest.fixture(scope="module")
def cdx() -> Any:
    return cyclonedx_validator()


@pytest.fixture(scope="module")
def spdx() -> Any:
    return spdx_validator()


@pytest.mark.parametrize("source", SOURCES)
def test_cyclonedx_is_valid_1_6(source: str, cdx: Any) -> None:
    inp = SOURCES[source]()
    bom = cyclonedx_bom(inp, created=CREATED)
    assert [e.message for e in cdx.iter_errors(bom)] == []
    energy = bom["components"][0]["modelCard"]["considerations"]["environmentalConsiderations"]["energyConsumptions"]
    assert energy and {e["activityEnergyCost"]["unit"] for e in energy} == {"kWh"}
    assert {e["co2CostEquivalent"]["unit"] for e in energy if "co2CostEquivalent" in e} == {"tCO2eq"}
    for e in energy:
        assert e["energyProviders"][0]["energyProvided"] == e["activityEnergyCost"]
    assert cyclonedx_bom(inp, created=CREATED) == bom  # the same input gives the same BOM


@pytest.mark.parametrize("source", SOURCES)
def test_spdx_is_valid_3_0_1(source: str, spdx: Any) -> None:
    doc = spdx_document(SOURCES[source](), created=CREATED)
    assert [e.message[:200] for e in spdx.iter_errors(doc)] == []
    pkg = next(x for x in doc["@graph"] if x["type"] == "ai_AIPackage")
    slots = {k for k in pkg["ai_energyConsumption"] if k != "type"}
    assert slots and slots <= {"ai_trainingEnergyConsumption", "ai_inferenceEnergyConsumption",
                               "ai_finetuningEnergyConsumption"}
    for k in slots:
        for d in pkg["ai_energyConsumption"][k]:
            assert d["ai_energyUnit"] == "kilowattHour" and float(d["ai_energyQuantity"]) >= 0


def test_bloom_in_both_boms_is_the_published_433196_kwh() -> None:
    inp = SOURCES["case"]()
    e = cyclonedx_bom(inp, created=CREATED)["components"][0]["modelCard"]["considerations"][
        "environmentalConsiderations"]["energyConsumptions"][0]
    assert e["activity"] == "training" and e["activityEnergyCost"]["value"] == 433_196
    # Luccioni et al. 2023, Table 3: 24.69 t CO2e for the dynamic consumption
    assert e["co2CostEquivalent"]["value"] == pytest.approx(24.69, rel=0.002)
    assert {p["name"]: p["value"] for p in e["properties"]}["aiceberg:boundary"] == "gpu"
    pkg = next(x for x in spdx_document(inp, created=CREATED)["@graph"] if x["type"] == "ai_AIPackage")
    assert pkg["ai_energyConsumption"]["ai_trainingEnergyConsumption"][0]["ai_energyQuantity"] == "433196"
    assert "gpu boundary" in pkg["comment"]


def test_a_scenario_s_phases_are_activities_and_spdx_names_what_it_cannot_hold() -> None:
    inp = SOURCES["scenario"]()
    acts = [e["activity"] for e in cyclonedx_bom(inp, created=CREATED)["components"][0]["modelCard"][
        "considerations"]["environmentalConsiderations"]["energyConsumptions"]]
    assert {"training", "inference", "deployment", "other"} <= set(acts)
    pkg = next(x for x in spdx_document(inp, created=CREATED)["@graph"] if x["type"] == "ai_AIPackage")
    assert "network" in pkg["comment"] and "no SPDX slot" in pkg["comment"]
    assert set(pkg["ai_energyConsumption"]) == {"type", "ai_trainingEnergyConsumption", "ai_inferenceEnergyConsumption"}


def test_the_validators_refuse_what_the_standards_refuse(cdx: Any, spdx: Any) -> None:
    inp = SOURCES["case"]()
    bom = cyclonedx_bom(inp, created=CREATED)
    bad = copy.deepcopy(bom)
    bad["components"][0]["modelCard"]["considerations"]["environmentalConsiderations"]["energyConsumptions"][0][
        "activityEnergyCost"]["unit"] = "MWh"
    assert list(cdx.iter_errors(bad))
    doc = spdx_document(inp, created=CREATED)
    bad = copy.deepcopy(doc)
    next(x for x in bad["@graph"] if x["type"] == "ai_AIPackage")["ai_energyConsumption"][
        "ai_trainingEnergyConsumption"][0]["ai_energyQuantity"] = "4.3e5"
    assert list(spdx.iter_errors(bad))
