"""Compliance inputs from what the caller fetched: a case's result, an estimate's footprint, a run's summary,
a job's summary (its total counted once), a scenario's result (its JSON). Nothing here opens a store or reads a file.

Each figure keeps how it was obtained; the training's computation (FLOP) comes, in this order, from the
caller (``--flops``), the publication (a case's ``flops``), the model's size (6 × parameters × training
tokens) or the hardware's time (device-hours × peak × a sourced model-FLOPs utilisation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.explain.compliance.source import (
    Activity,
    ComplianceInput,
    Computation,
    Energy,
    Inference,
    TrainingTime,
    boundary_of,
    parts_energy,
)
from aiceberg.i18n import Amount, Localised, Msg
from aiceberg.model.defaults import factor
from aiceberg.model.footprint import Footprint
from aiceberg.model.quantity import Q
from aiceberg.model.run_summary import RunSummary

__all__ = [
    "INFERENCE_TOKENS",
    "case_compliance",
    "estimate_compliance",
    "job_compliance",
    "run_compliance",
    "scenario_compliance",
    "with_inputs",
]

#: The task a FLOP count from the model's size is given for: the form's own example ("generating 100000 tokens").
INFERENCE_TOKENS = 100_000
#: Training FLOP per parameter and token (forward and backward pass), and inference FLOP per parameter and
#: token (forward pass): Kaplan et al. 2020, section 2.1.
TRAIN_FLOP_PER_PARAM_TOKEN = 6.0
INFER_FLOP_PER_PARAM_TOKEN = 2.0
_KAPLAN = "kaplan-2020-scaling"


# -- pieces shared by every source ------------------------------------------------------------------------

def _pue(fp: Footprint | None) -> tuple[Q | None, tuple[str, ...]]:
    if fp is None:
        return None, ()
    for f in fp.factors:
        if f.id.startswith("pue"):
            return f.value, f.sources
    return None, ()


def _intensity(fp: Footprint | None) -> tuple[Q | None, tuple[str, ...]]:
    if fp is None:
        return None, ()
    for f in fp.factors:
        if f.id.startswith("intensity"):
            return f.value, f.sources
    return None, ()


def _zone_name(location: str | None) -> str | Localised:
    if not location:
        return ""
    try:
        zone = refdata.get_zone(location)
    except Exception:  # a document must not fail on a lookup: the id stands
        return location
    return Localised(en=zone.name_en or zone.id, fr=zone.name_fr or zone.name_en or zone.id)


def _complete(fp: Footprint, obtained: str = "modelled") -> Energy:
    kwh, co2, parts = parts_energy(fp)
    pue, pue_src = _pue(fp)
    return Energy(kwh, boundary_of(parts), obtained, Msg("compliance.how.energy_complete"), co2, pue, pue_src)


def _hardware_flop(device_hours: Q, hw: refdata.Hardware | None) -> Computation | None:
    """FLOP estimated from the devices' time: device-hours × peak × the sourced MFU (with its range)."""
    if hw is None or not hw.peak_tflops:
        return None
    mfu = factor("mfu")
    flop = device_hours * Q.exact(hw.peak_tflops * 1e12 * 3600) * mfu.value
    return Computation(flop, "estimated_from_hardware_time",
                       Msg("compliance.how.flop_hardware", device_hours=device_hours.central,
                           hardware=hw.name, peak=hw.peak_tflops, precision=hw.peak_precision or "",
                           mfu=Amount(mfu.value.central * 100, "%"), low=Amount(mfu.value.low * 100, "%"),
                           high=Amount(mfu.value.high * 100, "%")))


def _size_flop(parameters: float, tokens: float, size_source: str = "") -> Computation:
    flop = Q.exact(TRAIN_FLOP_PER_PARAM_TOKEN * parameters * tokens)
    return Computation(flop, "estimated_from_parameters",
                       Msg("compliance.how.flop_parameters", parameters=parameters, tokens=tokens,
                           size_source=size_source or Msg("compliance.how.size_given"), source=_KAPLAN))


def _size_inference(parameters: float) -> Inference:
    flop = Q.exact(INFER_FLOP_PER_PARAM_TOKEN * parameters * INFERENCE_TOKENS)
    return Inference(flop, Msg("compliance.inference.task_tokens", tokens=INFERENCE_TOKENS),
                     Msg("compliance.inference.any_hardware"), "estimated_from_parameters",
                     Msg("compliance.how.inference_parameters", parameters=parameters, source=_KAPLAN))


def _hardware(hw_id: str | None) -> refdata.Hardware | None:
    if not hw_id:
        return None
    try:
        return refdata.get_hardware(hw_id)
    except Exception:
        return refdata.find_hardware(hw_id)


# -- case ------------------------------------------------------------------------------------------------

def case_compliance(result: Any) -> ComplianceInput:
    """A case study's inputs: its published energy at the publication's boundary, beside aiceberg's
    complete view; time, computation and inference from the published inputs. The caller runs the case
    (``get_case(name).run()``)."""
    case = result.case
    repro: Footprint = result.reproduction
    complete: Footprint = result.complete
    inp = case.inputs
    kind = repro.meta.get("kind", "training")
    activity = "training" if kind == "training" else "inference"
    published = next((p for p in case.published if p.metric == "energy_kwh"), None)
    energy: Energy | None
    if published is not None:
        what, _, rest = published.of.partition(":")
        parts = (repro.part(rest.rsplit(":", 1)[0]),) if what == "part" else parts_energy(repro)[2]
        chosen = tuple(p for p in parts if p is not None)
        co2 = sum((p.co2e_kg for p in chosen), Q.zero())
        pue, pue_src = _pue(complete)
        energy = Energy(Q.exact(published.value), boundary_of(chosen), "published",
                        Msg("compliance.how.energy_published",
                            where=Localised(en=published.where, fr=published.where_fr)), co2, pue, pue_src)
    else:
        kwh, co2, parts = parts_energy(repro)
        energy = Energy(kwh, boundary_of(parts), "published", Msg("compliance.how.energy_case_inputs"), co2)
    hw = _hardware(repro.meta.get("hardware"))
    time = None
    if kind == "training" and "device_hours" in repro.meta:
        device_h, wall_h = Q.exact(repro.meta["device_hours"]), Q.exact(repro.meta["wall_hours"])
        time = TrainingTime(wall_h, device_h, f"{repro.meta.get('count', 1)} × {hw.name if hw else '?'}",
                            (hw.kind if hw and hw.kind in ("gpu", "tpu", "cpu") else "gpu"), "published",
                            Msg("compliance.how.time_case"))
    parameters = float(inp["parameters"]) if "parameters" in inp else None
    computation = None
    if kind == "training":
        if "flops" in inp:
            computation = Computation(Q.exact(float(inp["flops"])), "published",
                                      Msg("compliance.how.flop_published", source=", ".join(case.sources)))
        elif parameters and "training_tokens" in inp:
            computation = _size_flop(parameters, float(inp["training_tokens"]), inp.get("size_source", ""))
        elif time is not None:
            computation = _hardware_flop(time.device_hours, hw)
    full = _complete(complete)
    intensity, int_src = _intensity(complete)
    manufacturing = sum((p.co2e_kg for p in complete.parts if str(p.phase) == "manufacturing"), Q.zero())
    by_size = computation is not None and computation.obtained == "estimated_from_parameters"
    size_sources = [s for s in (inp.get("size_source"), _KAPLAN) if s] if by_size or parameters else []
    sources = tuple(dict.fromkeys((*case.sources, *complete.sources, *size_sources)))
    return ComplianceInput(
        kind="case", name=case.name, title=Localised(en=case.title_en, fr=case.title_fr), activity=activity,
        energy=energy, complete=full if full.kwh != energy.kwh else None, time=time, computation=computation,
        inference=_size_inference(parameters) if parameters else None,
        co2e_kg=complete.co2e_kg, operational_co2e_kg=full.co2e_kg,
        sources=sources, location=inp.get("location"),
        location_name=inp.get("site") or _zone_name(inp.get("location")),
        intensity_g_per_kwh=intensity, intensity_sources=int_src or tuple(case.sources),
        hardware_names=(f"{repro.meta.get('count', 1)} x {hw.name}",) if hw else (),
        activities=(Activity(activity, energy, embodied_co2e_kg=manufacturing),),
        left_out=tuple(Localised(en=en, fr=fr) for en, fr in zip(case.left_out_en, case.left_out_fr, strict=False)),
        parameters=parameters,
    )


# -- estimate --------------------------------------------------------------------------------------------

def estimate_compliance(fp: Footprint, name: str = "estimate") -> ComplianceInput:
    """An estimate's inputs (the footprint ``aiceberg estimate … --json`` printed, read by the caller)."""
    kind = fp.meta.get("kind", "training")
    activity = "training" if kind == "training" else "inference"
    kwh, co2, parts = parts_energy(fp)
    pue, pue_src = _pue(fp)
    compute = next((p for p in parts if p.visible), None)
    from_compute = "flops" in fp.meta
    obtained = "estimated_from_compute" if from_compute else "measured" if (
        compute is not None and str(compute.status) == "measured") else "modelled"
    how = Msg("compliance.how.energy_from_compute" if from_compute else "compliance.how.energy_model",
              detail=compute.detail if compute is not None else "")
    energy = Energy(kwh, boundary_of(parts), obtained, how, co2, pue, pue_src)
    hw = _hardware(fp.meta.get("hardware"))
    time = None
    computation = None
    if kind == "training" and "device_hours" in fp.meta:
        device_h, wall_h = Q.exact(float(fp.meta["device_hours"])), Q.exact(float(fp.meta["wall_hours"]))
        time = TrainingTime(wall_h, device_h, f"{fp.meta.get('count', 1)} × {hw.name if hw else '?'}",
                            hw.kind if hw and hw.kind in ("gpu", "tpu", "cpu") else "gpu",
                            "estimated_from_compute" if from_compute else "input",
                            Msg("compliance.how.time_from_flop" if from_compute else "compliance.how.time_input"))
        if from_compute:
            computation = Computation(Q.exact(float(fp.meta["flops"])), "input", Msg("compliance.how.flop_input"))
        else:
            computation = _hardware_flop(device_h, hw)
    intensity, int_src = _intensity(fp)
    manufacturing = sum((p.co2e_kg for p in fp.parts if str(p.phase) == "manufacturing"), Q.zero())
    return ComplianceInput(
        kind="estimate", name=name, title=fp.title or name, activity=activity, energy=energy, time=time,
        computation=computation, co2e_kg=fp.co2e_kg, operational_co2e_kg=co2, sources=fp.sources,
        location=fp.meta.get("location"), intensity_g_per_kwh=intensity, intensity_sources=int_src,
        hardware_names=(f"{fp.meta.get('count', 1)} x {hw.name}",) if hw else (),
        activities=(Activity(activity, energy, embodied_co2e_kg=manufacturing),),
        left_out=tuple(fp.meta.get("left_out", ())),
    )


# -- runs and jobs ---------------------------------------------------------------------------------------

def _gpu_hardware(models: Sequence[str]) -> tuple[str, refdata.Hardware | None]:
    counts: dict[str, int] = {}
    for m in models:
        counts[m] = counts.get(m, 0) + 1
    text = ", ".join(f"{n} × {m}" for m, n in counts.items())
    hw = refdata.find_hardware(models[0]) if len(counts) == 1 else None
    return text, hw


def _used_sensors(summary: Any) -> list[tuple[str, str]]:
    return [(s.name, s.status) for s in summary.sensors
            if (s.status in ("measured", "modelled", "partial") and any(c.counted for c in s.channels))
            or (s.status in ("measured", "modelled") and not s.channels)]


def _run_energy(kwh: float, domains: Mapping[str, float], sensors: Sequence[tuple[str, str]],
                co2: Q | None, pue: Q | None, pue_src: tuple[str, ...]) -> Energy:
    statuses = {st for _, st in sensors}
    obtained = "measured" if statuses and statuses <= {"measured"} else "modelled"
    boundary = "gpu" if set(domains) and set(domains) <= {"gpu"} else "node"
    how = Msg("compliance.how.energy_sensors" if obtained == "measured" else "compliance.how.energy_sensors_modelled",
              sensors=", ".join(f"{n} ({st})" for n, st in sensors) or "—")
    return Energy(Q.exact(kwh), boundary, obtained, how, co2, pue, pue_src)


def run_compliance(summary: Any) -> ComplianceInput:
    """A measured run's inputs, from its typed summary (``RunSummary``, which the caller read from the store)."""
    fp: Footprint | None = summary.footprint
    sensors = tuple(_used_sensors(summary))
    pue, pue_src = _pue(fp)
    if pue is None and summary.pue is not None:
        pue = Q.exact(float(summary.pue))
    energy = None
    if summary.energy_kwh is not None:
        co2 = parts_energy(fp, with_overhead=False)[1] if fp is not None else None
        energy = _run_energy(summary.energy_kwh, summary.domains_kwh, sensors, co2, pue, pue_src)
    complete = _complete(fp, "modelled") if fp is not None else None
    if complete is not None and (energy is None or complete.boundary == energy.boundary):
        complete = None if energy is not None else complete
    host = summary.host or {}
    gpus = list(host.get("gpu_models") or [])
    hw_text, hw = _gpu_hardware(gpus) if gpus else ("", None)
    wall = Q.exact(float(summary.duration_s or 0.0) / 3600.0)
    cpu = host.get("cpu_model") or ""
    if gpus:
        time = TrainingTime(wall, wall * len(gpus), hw_text, "gpu", "measured", Msg("compliance.how.time_run"))
    else:
        time = TrainingTime(wall, wall, f"1 × {cpu or '?'}", "node", "measured", Msg("compliance.how.time_run"))
    intensity, int_src = _intensity(fp)
    names = tuple(x for x in (", ".join(f"{n} x {m}" for m, n in _counts(gpus).items()), cpu) if x)
    manufacturing = sum((p.co2e_kg for p in fp.parts if str(p.phase) == "manufacturing"), Q.zero()) if fp else None
    main = energy or complete
    info = summary.job
    of_job = info is not None and info.role != "job"  # one run of a distributed job: not the job's total
    return ComplianceInput(
        kind="run", name=summary.run_id, title=summary.name or summary.run_id[:12], energy=main,
        complete=complete if energy is not None else None,
        energy_na=None if main is not None else Msg("compliance.na.run_no_energy"),
        time=time if summary.duration_s else None,
        computation=_hardware_flop(time.device_hours, hw) if gpus and summary.duration_s else None,
        co2e_kg=summary.co2e_kg, operational_co2e_kg=parts_energy(fp)[1] if fp is not None else None,
        sensors=sensors, sources=fp.sources if fp is not None else (), location=summary.location,
        location_name=_zone_name(summary.location), intensity_g_per_kwh=intensity, intensity_sources=int_src,
        hardware_names=names,
        activities=(Activity("training", main, embodied_co2e_kg=manufacturing),) if main is not None else (),
        created=summary.ended_at or summary.started_at or "",
        left_out=(Msg("compliance.note.run_of_job", job=info.job_id, node=info.node),) if of_job else (),
        extra={"run_id": summary.run_id, **({"job_id": info.job_id, "node": info.node} if of_job else {})},
    )


def _counts(items: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for m in items:
        out[m] = out.get(m, 0) + 1
    return out


def _job_summary(job: Any) -> RunSummary:
    """The whole job's summary: ``job.as_run_summary()`` of a ``JobSummary``, or that summary itself."""
    as_run = getattr(job, "as_run_summary", None)
    summary = as_run() if callable(as_run) else job
    info = getattr(summary, "job", None)
    if isinstance(summary, RunSummary) and info is not None and info.role == "job":
        return summary
    if isinstance(summary, RunSummary) and info is not None:  # a rank's or a node's run of the job
        what: Msg = Msg("compliance.error.job_run", run=summary.run_id[:12], role=info.role, job=info.job_id)
    elif isinstance(summary, RunSummary):
        what = Msg("compliance.error.job_plain_run", run=summary.run_id[:12])
    else:
        what = Msg("compliance.error.job_other", what=type(job).__name__)
    raise InputError("job", what, Msg("compliance.accepted.job"))


def job_compliance(job: Any, name: str | None = None) -> ComplianceInput:
    """A job's inputs from its total, counted once: a ``JobSummary`` (``aiceberg.get_job(JOB)``) or its
    ``as_run_summary()``.

    The job's energy and footprint are those :mod:`aiceberg.jobs` computes once per node (each node's
    sensors and GPUs once, its machine's manufacturing share once, whatever the number of ranks); its
    training time runs from its first reading to its last, its device-hours are that time × its GPUs.
    The summaries of the job's runs are refused: adding their footprints would count each node's
    manufacturing share once per rank that tracked it.

    Raises:
        InputError: ``job`` is not a job's summary (field ``job``).
    """
    summary = _job_summary(job)
    base = run_compliance(summary)
    assert summary.job is not None
    job_id = summary.job.job_id
    nodes = int((summary.host or {}).get("nodes") or 1)
    time = None if base.time is None else replace(base.time, how=Msg("compliance.how.time_job", nodes=nodes))
    return replace(
        base, kind="job", name=job_id, title=name or job_id, time=time,
        energy_na=None if base.energy is not None else Msg("compliance.na.job_no_energy"),
        # what the job's total leaves out or cannot know (runs still open, ranks or nodes that never reported,
        # time when no one read a node); that ranks are measured by their node's tracker leaves nothing out
        left_out=tuple(w for w in summary.warnings if isinstance(w, Msg) and w.key != "jobs.note.ranks_by_node"),
        extra={"job_id": job_id, "nodes": str(nodes)},
    )


# -- scenario --------------------------------------------------------------------------------------------

#: A scenario's phases as CycloneDX activities (aiceberg's phase kept beside when they differ).
SCENARIO_ACTIVITIES = {"data": "data-preparation", "development": "other", "training": "training",
                       "retraining": "training", "deployment": "deployment", "inference": "inference",
                       "network": "other", "devices": "other", "end_of_life": "other"}


def _flat(d: Mapping[str, Any], key: str) -> Q | None:
    c = d.get(key)
    if c is None:
        return None
    lo, hi = d.get(f"{key}_low", c), d.get(f"{key}_high", c)
    return Q(float(c), min(float(lo), float(c)), max(float(hi), float(c)))


def _phase_energy(row: Mapping[str, Any], pue: Q | None) -> Energy | None:
    kwh = _flat(row, "energy_kwh")
    if kwh is None:
        return None
    use = [p for p in row.get("parts", []) if not str(p["name"]).startswith("embodied")]
    names = {str(p["name"]) for p in use if (p.get("energy_kwh") or 0) > 0}
    boundary = "facility" if "cooling_overhead" in names else ("node" if names - {"gpu.dynamic", "tpu.dynamic",
                                                                                     "inference.compute"} else "gpu")
    co2 = sum((_flat(p, "co2e_kg") or Q.zero() for p in use), Q.zero())
    return Energy(kwh, boundary, "modelled", Msg("compliance.how.energy_scenario", phase=str(row["name"])), co2, pue)


def scenario_compliance(data: Mapping[str, Any], hardware: str | None = None) -> ComplianceInput:
    """A scenario's inputs from its result's JSON (``aiceberg scenario run --json``: what
    ``aiceberg.scenario.result_dict`` returns); ``hardware`` is its training's hardware id, where it has one."""
    inputs = {i["id"]: i for i in data.get("inputs", [])}

    def central(key: str) -> float | None:
        return float(inputs[key]["central"]) if key in inputs else None

    pue_in = inputs.get("training.pue")
    pue = Q(pue_in["central"], pue_in["low"], pue_in["high"]) if pue_in else None
    phases = {row["name"]: row for row in data.get("phases", [])}
    activities = []
    for name, row in phases.items():
        e = _phase_energy(row, pue)
        if e is None:
            continue
        embodied = sum((_flat(p, "co2e_kg") or Q.zero() for p in row.get("parts", [])
                        if str(p["name"]).startswith("embodied")), Q.zero())
        activities.append(Activity(SCENARIO_ACTIVITIES.get(name, "other"), e, name, embodied))
    training = phases.get("training")
    energy = _phase_energy(training, pue) if training else None
    hw = _hardware(hardware)
    count, hours, gpu_hours = central("training.count"), central("training.hours"), central("training.gpu_hours")
    time = None
    if hours is not None or gpu_hours is not None:
        n = count or 1.0
        device_h = Q.exact(gpu_hours if gpu_hours is not None else n * float(hours or 0))
        wall_h = Q.exact(hours if hours is not None else device_h.central / n)
        time = TrainingTime(wall_h, device_h, f"{int(n)} × {hw.name if hw else '?'}",
                            hw.kind if hw and hw.kind in ("gpu", "tpu", "cpu") else "gpu", "input",
                            Msg("compliance.how.time_scenario"))
    intensity_in = inputs.get("training.intensity_g_per_kwh")
    total = data.get("total", {})
    return ComplianceInput(
        kind="scenario", name=str(data.get("scenario", "scenario")), title=str(data.get("title", "")),
        energy=energy, energy_na=None if energy else Msg("compliance.na.scenario_no_training"), time=time,
        computation=_hardware_flop(time.device_hours, hw) if time is not None else None,
        co2e_kg=_flat(total, "co2e_kg"), operational_co2e_kg=energy.co2e_kg if energy else None,
        sources=tuple(data.get("sources", ())),
        intensity_g_per_kwh=Q.exact(float(intensity_in["central"])) if intensity_in else None,
        intensity_sources=tuple(intensity_in.get("sources", ())) if intensity_in else (),
        hardware_names=(f"{int(count or 1)} x {hw.name}",) if hw else (),
        activities=tuple(activities),
        left_out=tuple(f"{k}: {v}" for k, v in (data.get("not_counted") or {}).items()),
    )


# -- what the caller adds --------------------------------------------------------------------------------

def with_inputs(inp: ComplianceInput, *, flops: float | None = None, parameters: float | None = None,
                training_tokens: float | None = None, inference_flops: float | None = None,
                inference_task: str | None = None, inference_hardware: str | None = None,
                activity: str | None = None) -> ComplianceInput:
    """``inp`` with what the user gave on the command line: the training's FLOP (or the model's size and
    its training tokens, for 6 × N × D), the benchmarked inference computation, the activity."""
    changes: dict[str, Any] = {}
    if activity:
        changes["activity"] = activity
        changes["activities"] = tuple(replace(a, kind=activity) if a.kind in ("training", "fine-tuning")
                                      else a for a in inp.activities)
    if parameters is not None:
        changes["parameters"] = parameters
    if flops is not None:
        changes["computation"] = Computation(Q.exact(flops), "input", Msg("compliance.how.flop_input"))
    elif parameters is not None and training_tokens is not None:
        changes["computation"] = _size_flop(parameters, training_tokens)
        changes["sources"] = tuple(dict.fromkeys((*inp.sources, _KAPLAN)))
    if inference_flops is not None:
        changes["inference"] = Inference(Q.exact(inference_flops), inference_task or "", inference_hardware or "",
                                         "input", Msg("compliance.how.inference_input"))
    elif parameters is not None:
        changes["inference"] = _size_inference(parameters)
    return replace(inp, **changes)
