"""The LLM inference model: one request's GPU and server electricity, and the GPU time it holds.

It reproduces EcoLogits 0.11.3 (``ecologits/impacts/llm.py``; fits on the ML.ENERGY leaderboard, the
constants in ``factors.csv``, source ``ecologits-2025``). For a request of ``T`` output tokens to a model
of ``P`` billion parameters, ``A`` of them active (``A = P`` for a dense model), on GPUs of ``M`` GB:

    gpus          = 2^⌈log2 ⌈overhead × P × bits / 8 / M⌉⌉         the power-of-two count that holds it
    GPU energy    = gpus × T × (α × e^(−decay × batch) × A + γ)    Wh
    latency       = T × (α_l × A + β_l × batch + γ_l) + ttft        s, or T / (tokens per second) + ttft,
                    capped at the measured request latency when one is given (as EcoLogits' tracers do)
    server energy = latency × server power × gpus / server GPUs / batch
    GPU time held = latency × gpus / batch                          for the manufacturing share

Only the server's share and the manufacturing follow the latency; the GPU energy is the regression's.

Ranges: the model increases with ``P`` (through the GPU count, a step function), ``A``, ``T``, the measured
latency and the time to first token, and decreases with the tokens per second. So the low end of each
output is the model at the low ends of the increasing inputs and the high end of the decreasing one, and
the high end the reverse: the bounds are the model evaluated at the corners, never the central GPU count
applied to every end (``tests/engine/test_range_corners.py`` checks every corner lies within them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aiceberg.model.defaults import factor_value
from aiceberg.model.quantity import Q

__all__ = ["LlmPoint", "LlmRequest", "gpu_count", "llm_point", "llm_request"]


@dataclass(frozen=True)
class LlmPoint:
    """The model at one point: kWh for all the request's GPUs and for the server's share, seconds, GPUs."""

    gpu_kwh: float
    server_kwh: float
    latency_s: float
    gpus: int
    capped: bool  # the measured latency was shorter than the modelled one


@dataclass(frozen=True)
class LlmRequest:
    """One request, with ranges: GPU and server electricity (kWh), latency (s), GPU-hours held, GPU count."""

    gpu_kwh: Q
    server_kwh: Q
    latency_s: Q
    gpu_hours: Q
    gpus: Q
    batch: int
    capped: bool


def gpu_count(parameters_b: float, gpu_memory_gb: float) -> int:
    """The power-of-two number of GPUs of ``gpu_memory_gb`` that holds the weights of the model."""
    memory_gb = factor_value("llm_memory_overhead") * parameters_b * factor_value("llm_quantization_bits") / 8
    return int(2 ** math.ceil(math.log2(max(1, math.ceil(memory_gb / gpu_memory_gb)))))


def llm_point(
    parameters_b: float,
    output_tokens: float,
    *,
    active_parameters_b: float | None = None,
    gpu_memory_gb: float | None = None,
    latency_s: float | None = None,
    tokens_per_s: float | None = None,
    ttft_s: float = 0.0,
) -> LlmPoint:
    """The model (see the module) at one value of each input; ``gpu_memory_gb`` None: the sourced 80 GB."""
    active = parameters_b if active_parameters_b is None else active_parameters_b
    batch = factor_value("llm_batch_size")
    gpus = gpu_count(parameters_b, gpu_memory_gb or factor_value("llm_gpu_memory_gb"))
    wh_per_token = factor_value("llm_gpu_energy_alpha") * math.exp(-factor_value("llm_gpu_energy_decay") * batch) \
        * active + factor_value("llm_gpu_energy_gamma")
    gpu_kwh = gpus * output_tokens * wh_per_token / 1000.0
    if tokens_per_s is None:
        per_token = (factor_value("llm_latency_alpha") * active + factor_value("llm_latency_beta") * batch
                     + factor_value("llm_latency_gamma"))
    else:
        per_token = 1.0 / tokens_per_s
    modelled = output_tokens * per_token + ttft_s
    capped = latency_s is not None and latency_s < modelled
    latency = latency_s if capped and latency_s is not None else modelled
    server_kwh = latency / 3600.0 * factor_value("llm_server_power_kw") * gpus \
        / factor_value("llm_server_gpus") / batch
    return LlmPoint(gpu_kwh, server_kwh, latency, gpus, capped)


def llm_request(
    parameters_b: Q,
    output_tokens: Q,
    active_parameters_b: Q | None = None,
    gpu_memory_gb: float | None = None,
    *,
    latency_s: Q | None = None,
    tokens_per_s: Q | None = None,
    ttft_s: Q | None = None,
) -> LlmRequest:
    """One request with ranges: the model at the low corner, the central values and the high corner."""

    def at(end: str) -> LlmPoint:
        up = {"low": 0, "central": 1, "high": 2}[end]
        down = 2 - up

        def pick(q: Q | None, i: int) -> float | None:
            return None if q is None else q.as_tuple()[i]

        return llm_point(
            parameters_b.as_tuple()[up], output_tokens.as_tuple()[up],
            active_parameters_b=pick(active_parameters_b, up), gpu_memory_gb=gpu_memory_gb,
            latency_s=pick(latency_s, up), tokens_per_s=pick(tokens_per_s, down),
            ttft_s=pick(ttft_s, up) or 0.0,
        )

    lo, c, hi = at("low"), at("central"), at("high")
    batch = factor_value("llm_batch_size")

    def q(attr: str) -> Q:
        return Q(getattr(c, attr), getattr(lo, attr), getattr(hi, attr))

    latency = q("latency_s")
    gpu_hours = Q(*(p.latency_s * p.gpus / batch / 3600.0 for p in (c, lo, hi)))
    return LlmRequest(gpu_kwh=q("gpu_kwh"), server_kwh=q("server_kwh"), latency_s=latency, gpu_hours=gpu_hours,
                      gpus=Q(float(c.gpus), float(lo.gpus), float(hi.gpus)), batch=int(batch),
                      capped=c.capped)
