"""Inference and usage at scale: a per-request footprint, multiplied by the requests.

The per-request electricity comes from one of three places, in this order of strength:
a measured figure (``wh_per_request``), a published task average (``task``, from
``refdata/data/inference.csv``), or an LLM model from parameters and output tokens
(EcoLogits' regressions on the ML.ENERGY leaderboard, 2025, see ``factors.csv``).
"""

from __future__ import annotations

import math
from typing import TypedDict

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.model import factors as F
from aiceberg.model.client import client_footprint
from aiceberg.model.defaults import factor
from aiceberg.model.embodied import embodied_part
from aiceberg.model.footprint import Factor, Footprint, Part, Status
from aiceberg.model.operational import electricity_part, pue_overhead_part
from aiceberg.model.quantity import Q, QLike, as_q
from aiceberg.model.training import hardware_embodied

__all__ = ["estimate_inference", "estimate_usage", "llm_request", "requests_from_usage"]

DEFAULT_LLM_HARDWARE = "nvidia-h100-sxm5-80gb"


class LlmRequest(TypedDict):
    """What :func:`llm_request` returns."""

    gpu_kwh: Q
    server_kwh: Q
    latency_s: Q
    gpus: int
    batch: int


def _v(fid: str) -> float:
    return factor(fid).value.central


def llm_request(parameters_b: Q, output_tokens: Q, active_parameters_b: Q | None = None,
                gpu_memory_gb: float | None = None) -> LlmRequest:
    """One LLM request's GPU and server electricity (kWh), latency (s) and GPU count.

    The GPU energy per output token is ``alpha × exp(-decay × batch) × active + gamma`` (Wh) and the
    latency per token ``alpha_l × active + beta_l × batch + gamma_l`` (s); the model is spread over the
    power-of-two number of GPUs that holds its weights (× 1.2 memory overhead).
    """
    active = active_parameters_b or parameters_b
    batch = _v("llm_batch_size")
    memory_gb = _v("llm_memory_overhead") * parameters_b.central * _v("llm_quantization_bits") / 8
    gpus = 2 ** math.ceil(math.log2(max(1, math.ceil(memory_gb / (gpu_memory_gb or 80.0)))))
    wh_per_token = active * (_v("llm_gpu_energy_alpha") * math.exp(-_v("llm_gpu_energy_decay") * batch)) \
        + _v("llm_gpu_energy_gamma")
    gpu_kwh = output_tokens * wh_per_token * (gpus / 1000.0)
    latency_s = output_tokens * (active * _v("llm_latency_alpha") + _v("llm_latency_beta") * batch
                                 + _v("llm_latency_gamma"))
    server_kwh = latency_s * (_v("llm_server_power_kw") * gpus / _v("llm_server_gpus") / batch / 3600.0)
    return {"gpu_kwh": gpu_kwh, "server_kwh": server_kwh, "latency_s": latency_s, "gpus": gpus,
            "batch": int(batch)}


def estimate_inference(
    *,
    wh_per_request: QLike | None = None,
    task: str | None = None,
    parameters_b: QLike | None = None,
    active_parameters_b: QLike | None = None,
    output_tokens: QLike | None = None,
    hardware: str | None = None,
    requests: QLike = 1,
    pue: QLike | str | None = None,
    location: str | None = None,
    intensity_g_per_kwh: QLike | None = None,
    embodied: bool = True,
    lifetime_years: QLike | None = None,
    data_gb: QLike | None = None,
    network: str = "fixed",
    device: str | None = None,
    device_seconds: QLike | None = None,
    title: str = "",
) -> Footprint:
    """The footprint of ``requests`` inference requests (1 by default: the per-request footprint).

    Give exactly one source of per-request electricity: ``wh_per_request`` (measured), ``task``
    (published average) or ``parameters_b`` + ``output_tokens`` (LLM model). Network transfer
    (``data_gb`` per request over ``network``) and the user's device (``device`` used for
    ``device_seconds`` per request) are added when given.
    """
    given = [n for n, v in (("wh-per-request", wh_per_request), ("task", task), ("parameters-b", parameters_b))
             if v is not None]
    if len(given) != 1:
        raise InputError("wh-per-request",
                         "give exactly one per-request source" + (f" (got {', '.join(given)})" if given else ""),
                         "--wh-per-request WH | --task TASK | --parameters-b B --output-tokens N")
    n_req = as_q(requests, "requests", allow_zero=False)
    intensity, warnings = F.grid_intensity(location, intensity_g_per_kwh)
    pue_f = F.pue(pue)
    factors: list[Factor] = [intensity, pue_f]
    parts: list[Part] = []
    left_out: list[str] = []

    if wh_per_request is not None or task is not None:
        if wh_per_request is not None:
            wh = as_q(wh_per_request, "wh-per-request", allow_zero=False)
            f = Factor("wh_per_request", "electricity per request (given)", wh, "Wh", Status.INPUT)
        else:
            row = refdata.get_inference_figure(task or "")
            wh = Q(row.wh_per_request,
                   row.wh_per_request if row.wh_per_request_low is None else row.wh_per_request_low,
                   row.wh_per_request if row.wh_per_request_high is None else row.wh_per_request_high)
            st = Status(row.status) if row.status in Status._value2member_map_ else Status.PUBLISHED
            f = Factor(f"inference:{row.id}", row.name_en or row.id, wh, "Wh", st, row.source, row.year)
        factors.append(f)
        it = wh * 0.001
        parts.append(electricity_part("inference.compute", it, intensity, status=f.status, sources=f.sources,
                                      visible=True, detail=f"{wh.central:g} Wh per request ({f.name})"))
        if embodied:
            left_out.append("embodied impacts of the servers (a per-request figure names no hardware)")
    else:
        if output_tokens is None:
            raise InputError("output-tokens", "the LLM model needs the number of output tokens", "a number > 0")
        assert parameters_b is not None  # exactly one source was given, and it is not the other two
        params = as_q(parameters_b, "parameters-b", allow_zero=False)
        active = as_q(active_parameters_b, "active-parameters-b", allow_zero=False) if active_parameters_b else None
        tokens = as_q(output_tokens, "output-tokens", allow_zero=False)
        hw = refdata.get_hardware(hardware or DEFAULT_LLM_HARDWARE)
        r = llm_request(params, tokens, active, hw.memory_gb)
        src = factor("llm_gpu_energy_alpha").sources
        factors.append(Factor("llm_model", "LLM energy model (EcoLogits regressions)", Q.exact(r["batch"]),
                              "requests per batch", Status.MODELLED, src, 2025))
        parts.append(electricity_part(
            "gpu.dynamic", r["gpu_kwh"], intensity, status=Status.MODELLED, sources=src, visible=True,
            detail=f"{tokens.central:g} output tokens, {params.central:g} B parameters on {r['gpus']} × {hw.name}",
        ))
        it = r["gpu_kwh"]
        parts.append(electricity_part(
            "host", r["server_kwh"], intensity, status=Status.MODELLED, sources=src,
            detail=f"server share over {r['latency_s'].central:.3g} s of generation, batch {r['batch']}",
        ))
        it = it + r["server_kwh"]
        if embodied:
            life = factor("embodied_lifetime_years") if lifetime_years is None else Factor(
                "lifetime", "hardware lifetime (given)", as_q(lifetime_years, "lifetime-years", allow_zero=False),
                "year", Status.INPUT)
            factors.append(life)
            # the GPUs are held for the latency, shared by the batch
            gpu_hours = r["latency_s"] * (r["gpus"] / r["batch"] / 3600.0)
            per_dev, st, s2, note = hardware_embodied(hw)
            warnings += (note,) if note else ()
            parts.append(embodied_part("embodied.gpu", per_dev, gpu_hours, lifetime_years=life.value,
                                       utilisation=Q.exact(1.0), rule="calendar-time", status=st,
                                       sources=s2 + life.sources, what="gpu"))
            srv = refdata.get_hardware("default-server")
            per_srv, st, s3, _ = hardware_embodied(srv)
            parts.append(embodied_part("embodied.server", per_srv, gpu_hours / 8.0, lifetime_years=life.value,
                                       utilisation=Q.exact(1.0), rule="calendar-time", status=st,
                                       sources=s3 + life.sources, what="server"))
    if pue_f.value.high > 1:
        parts.append(pue_overhead_part(it, pue_f, intensity))
    client = client_footprint(intensity=intensity, data_gb=data_gb, network=network, device=device,
                              device_hours=None if device_seconds is None
                              else as_q(device_seconds, "device-seconds") / 3600.0)
    per_request = Footprint(
        parts=tuple(parts) + client.parts,
        title=title or "Inference",
        factors=tuple(factors) + client.factors,
        warnings=warnings,
        meta={"kind": "inference", "left_out": left_out},
    )
    if n_req.is_exact and n_req.central == 1:
        return per_request
    fp = per_request.scaled(n_req)
    return Footprint(parts=fp.parts, title=fp.title, factors=fp.factors, warnings=fp.warnings,
                     meta={**fp.meta, "requests": n_req.central, "per_request": per_request.to_dict()})


def requests_from_usage(
    users: QLike | None = None,
    requests_per_user_per_day: QLike | None = None,
    days: QLike | None = None,
    requests: QLike | None = None,
) -> Q:
    """The number of requests: ``users × requests per user per day × days``, or ``requests`` directly."""
    if requests is not None:
        if any(v is not None for v in (users, requests_per_user_per_day)):
            raise InputError("requests", "give --requests or --users with --requests-per-day, not both",
                             "one of the two")
        return as_q(requests, "requests", allow_zero=False)
    if users is None or requests_per_user_per_day is None:
        raise InputError("users", "give --users and --requests-per-day (and --days), or --requests",
                         "numbers > 0")
    return (as_q(users, "users", allow_zero=False)
            * as_q(requests_per_user_per_day, "requests-per-day", allow_zero=False)
            * as_q(1 if days is None else days, "days", allow_zero=False))


def estimate_usage(
    *,
    users: QLike | None = None,
    requests_per_user_per_day: QLike | None = None,
    days: QLike | None = None,
    requests: QLike | None = None,
    title: str = "",
    **per_request: object,
) -> Footprint:
    """Usage at scale: the per-request footprint (see ``estimate_inference``) × the number of requests."""
    n = requests_from_usage(users, requests_per_user_per_day, days, requests)
    fp = estimate_inference(requests=n, **per_request)  # type: ignore[arg-type]
    return Footprint(parts=fp.parts, title=title or "Usage at scale", factors=fp.factors,
                     warnings=fp.warnings, meta={**fp.meta, "kind": "usage", "requests": n.central,
                                                  "requests_low": n.low, "requests_high": n.high})
