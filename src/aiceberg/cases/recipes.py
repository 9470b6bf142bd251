"""Recipes: a case's published inputs → the engine's reproduction and the complete iceberg view."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiceberg import refdata
from aiceberg.cases.case import RECIPES, Case, CaseResult
from aiceberg.i18n import Amount, Msg
from aiceberg.model.equivalents import equivalents
from aiceberg.model.footprint import Footprint, Phase
from aiceberg.model.inference import estimate_inference, estimate_usage, scaled_per_request
from aiceberg.model.quantity import Q
from aiceberg.model.training import estimate_training, hardware_embodied_footprint


def metric(fp: Footprint, of: str, extra: dict[str, float] | None = None) -> float | None:
    """The value named by a published figure's ``of`` (``total:co2e``, ``part:idle:energy``…)."""
    kind, _, rest = of.partition(":")
    if kind == "total":
        return (fp.energy_kwh if rest == "energy" else fp.co2e_kg).central
    if kind == "part":
        name, _, what = rest.rpartition(":")
        part = fp.part(name)
        if part is None:
            return None
        return (part.energy_kwh if what == "energy" else part.co2e_kg).central
    if kind == "phase":
        ph, _, _ = rest.partition(":")
        return sum(p.co2e_kg.central for p in fp.parts if p.phase == Phase(ph))
    if extra is not None and of in extra:
        return extra[of]
    return None


def _collect(case: Case, fp: Footprint, extra: dict[str, float] | None = None) -> dict[str, float]:
    out = {}
    for p in case.published:
        v = metric(fp, p.of, extra)
        if v is not None:
            out[p.metric] = v
    return out


def _equivalent_metrics(case: Case, fp: Footprint) -> dict[str, float]:
    """``equivalent:ID`` values of the reproduction: its total CO2e, and the energy the publication
    reports as ``energy_kwh`` (else the total electricity)."""
    if not any(p.of.startswith("equivalent:") for p in case.published):
        return {}
    energy_of = next((p.of for p in case.published if p.metric == "energy_kwh"), "total:energy")
    energy = metric(fp, energy_of)
    eq = equivalents(fp.co2e_kg, energy if energy is not None else fp.energy_kwh)
    return {f"equivalent:{k}": v.value.central for k, v in eq.items()}


def _training_kwargs(inputs: dict[str, Any]) -> dict[str, Any]:
    keys = ("hardware", "count", "hours", "gpu_hours", "power_w", "pue", "intensity_g_per_kwh",
            "devices_per_server", "server", "lifetime_years", "utilisation", "location", "idle_kwh",
            "embodied_kgco2e")
    kw = {k: inputs[k] for k in keys if k in inputs}
    return kw


def training(case: Case) -> CaseResult:
    inp = case.inputs
    kw = _training_kwargs(inp)
    notes: list[Msg] = []
    has_embodied = any(p.of.startswith(("phase:manufacturing", "part:embodied")) for p in case.published)
    kw.setdefault("server", None if not has_embodied else "default-server")
    if not has_embodied:
        kw = {k: v for k, v in kw.items() if k not in ("lifetime_years", "utilisation", "embodied_kgco2e")}
    repro = estimate_training(**kw, embodied=has_embodied, title=case.title_en)
    extra = _equivalent_metrics(case, repro)
    if "flops" in inp and "hours" in inp:
        hw = refdata.get_hardware(inp["hardware"])
        if hw.peak_tflops:
            mfu = inp["flops"] / (inp["count"] * inp["hours"] * 3600 * hw.peak_tflops * 1e12)
            notes.append(Msg("case.note.mfu", flops=Amount(inp["flops"], "FLOP"), mfu=Amount(mfu * 100, "%"),
                             peak=hw.peak_tflops))
    ckw = {**_training_kwargs(inp), **case.complete}
    ckw["server"] = kw.get("server") or "default-server"
    complete = estimate_training(**ckw, embodied=True, title=case.title_en + " — complete")
    return CaseResult(case, repro, complete, _collect(case, repro, extra), tuple(notes))


def inference(case: Case) -> CaseResult:
    inp = case.inputs
    # the published inputs: the instance's measured electricity (boundary it, no PUE by the paper's
    # convention) over the requests; the published outputs (kg, kg a day, g and Wh per request) are the product
    wh = inp["energy_kwh"] / inp["requests"] * 1000.0
    repro = estimate_inference(wh_per_request=wh, boundary="it", requests=inp["requests"], pue=1.0,
                               intensity_g_per_kwh=inp["intensity_g_per_kwh"], embodied=False,
                               title=case.title_en)
    per_request = repro.meta["per_request"]
    extra = {"per_request:energy_wh": per_request["energy_kwh"] * 1000.0,
             "per_request:co2e_g": per_request["co2e_kg"] * 1000.0,
             "per_day:co2e_kg": repro.co2e_kg.central / inp["days"]}
    # complete view: the same electricity with the PUE, plus the GPUs' and servers' manufacturing share
    hours = inp["days"] * 24.0
    hw_fp = estimate_training(inp["hardware"], count=inp["count"], hours=hours,
                              power_w=inp["energy_kwh"] / (inp["count"] * hours) * 1000.0,
                              pue=case.complete.get("pue"), intensity_g_per_kwh=inp["intensity_g_per_kwh"],
                              embodied=True, title=case.title_en + " — complete")
    parts = tuple(replace(p, name="inference.compute") if p.name == "gpu.dynamic" else p for p in hw_fp.parts)
    complete = replace(hw_fp, parts=parts)
    notes = (Msg("case.note.per_request", energy=Amount(extra["per_request:energy_wh"], "Wh"),
                 co2e=Amount(extra["per_request:co2e_g"] / 1000.0, "kg CO2e")),)
    return CaseResult(case, repro, complete, _collect(case, repro, extra), notes)


def usage(case: Case) -> CaseResult:
    inp = case.inputs
    intensity = inp["intensity_g_per_kwh"]

    def per_prompt_wh(co2e_kg: float, requests: float) -> float:
        return co2e_kg / requests / (intensity / 1000.0) * 1000.0

    # the talk's convention: the per-prompt figure as the servers' electricity (boundary it) with no PUE
    common = {"users": inp["users"], "requests_per_user_per_day": inp["prompts_per_day"], "days": inp["days"],
              "intensity_g_per_kwh": intensity, "boundary": "it", "pue": 1.0, "embodied": False}
    repro = estimate_usage(wh_per_request=per_prompt_wh(inp["reference_co2e_kg"], inp["reference_requests"]),
                           title=case.title_en, **common)
    exact = estimate_usage(wh_per_request=per_prompt_wh(inp["exact_co2e_kg"], inp["exact_requests"]), **common)
    eq = equivalents(repro.co2e_kg, repro.energy_kwh)
    extra = {f"equivalent:{k}": v.value.central for k, v in eq.items()}
    reproduced = _collect(case, repro, extra)
    eq_exact = equivalents(exact.co2e_kg)
    alternatives = {"unrounded": {
        "co2e_kg": exact.co2e_kg.central,
        "paris_new_york_round_trips": eq_exact["paris_new_york_round_trips"].value.central,
        "forest_m2": eq_exact["forest_m2"].value.central,
    }}
    # complete view: PUE, the BLOOM API's GPUs and servers per request, and the user's side
    requests_served = inp["exact_requests"]
    gpu_hours_per_request = inp["gpus"] * inp["days_served"] * 24.0 / requests_served
    complete_one = estimate_inference(
        wh_per_request=per_prompt_wh(inp["reference_co2e_kg"], inp["reference_requests"]),
        intensity_g_per_kwh=intensity, boundary="it", pue=case.complete.get("pue"), embodied=False,
        data_gb=inp["data_gb_per_prompt"], network=inp["network"], device=inp["device"],
        device_seconds=inp["device_seconds_per_prompt"])
    embodied_only = hardware_embodied_footprint(refdata.get_hardware(inp["hardware"]),
                                                Q.exact(gpu_hours_per_request))
    n = repro.meta["requests"]
    complete = scaled_per_request(complete_one + embodied_only, n, title=case.title_en + " — complete")
    notes = (
        Msg("case.note.rounded", requests=inp["exact_requests"], rounded_requests=inp["reference_requests"],
            co2e=Amount(inp["exact_co2e_kg"], "kg", sig=4), rounded_co2e=Amount(inp["reference_co2e_kg"], "kg"),
            month=Amount(exact.co2e_kg.central, "kg CO2e")),
        Msg("case.note.scenario", seconds=inp["device_seconds_per_prompt"], device=inp["device"],
            data=Amount(inp["data_gb_per_prompt"], "GB"), network=inp["network"], gpus=inp["gpus"],
            days=inp["days_served"]),
    )
    return CaseResult(case, repro, complete, reproduced, notes, alternatives)


RECIPES.update({"training": training, "inference": inference, "usage": usage})
