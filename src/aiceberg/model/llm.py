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

**One formula for one request and for a million.** :func:`llm_core` is written once, on plain operations
that a float and a numpy array both understand (the few functions that differ — ``ceil``, ``log2``,
``where`` — come from an ``ops`` namespace: :data:`SCALAR_OPS` here, ``numpy`` in ``model/batch.py``).
The per-call path (:func:`llm_point`, :func:`llm_request`) and the vectorised path (``model/batch.py``)
call it; ``tests/engine/test_batch.py`` checks that they agree row by row. An absent optional input is
``NaN`` in an array (``None`` in a call): no latency cap, the latency regression, no time to first token.

Ranges: the model increases with ``P`` (through the GPU count, a step function), ``A``, ``T``, the measured
latency and the time to first token, and decreases with the tokens per second. So the low end of each
output is the model at the low ends of the increasing inputs and the high end of the decreasing one, and
the high end the reverse (:data:`DECREASING`, :func:`corner`): the bounds are the model evaluated at the
corners, never the central GPU count applied to every end (``tests/engine/test_range_corners.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from aiceberg import refdata
from aiceberg.model.defaults import factor_value
from aiceberg.model.quantity import Q

__all__ = ["DECREASING", "ENDS", "SCALAR_OPS", "LlmConstants", "LlmCore", "LlmPoint", "LlmRequest", "corner",
           "gpu_count", "llm_constants", "llm_core", "llm_point", "llm_request"]

#: The three evaluations of a ranged model: (index into a (low, central, high) triple, name).
ENDS = ((0, "low"), (1, "central"), (2, "high"))
#: Inputs that lower the result when they grow: at the low end of the result they take their high end.
DECREASING = frozenset({"tokens_per_s", "lifetime_years"})


def corner(values: tuple[Any, Any, Any], end: int, name: str) -> Any:
    """The value of input ``name`` (a ``(low, central, high)`` triple) at the ``end`` (0, 1, 2) of the result."""
    return values[2 - end] if name in DECREASING else values[end]


class _ScalarOps:
    """The operations :func:`llm_core` needs that floats and numpy arrays spell differently (floats here)."""

    ceil = staticmethod(math.ceil)
    log2 = staticmethod(math.log2)
    isnan = staticmethod(math.isnan)
    maximum = staticmethod(max)
    minimum = staticmethod(min)

    @staticmethod
    def where(condition: Any, if_true: Any, if_false: Any) -> Any:
        return if_true if condition else if_false


#: The operations of :func:`llm_core` on Python floats; ``numpy`` itself is the namespace for arrays.
SCALAR_OPS = _ScalarOps()


@dataclass(frozen=True)
class LlmConstants:
    """The model's sourced constants (``factors.csv``, EcoLogits 0.11.3), read once per data folder."""

    gpu_alpha: float
    gpu_decay: float
    gpu_gamma: float
    latency_alpha: float
    latency_beta: float
    latency_gamma: float
    batch: float
    server_kw: float
    server_gpus: float
    memory_overhead: float
    bits: float
    gpu_memory_gb: float

    @property
    def wh_per_token_slope(self) -> float:
        """α × e^(−decay × batch): the GPU energy per token per billion active parameters, Wh."""
        return self.gpu_alpha * math.exp(-self.gpu_decay * self.batch)


@refdata.follows_data
def llm_constants() -> LlmConstants:
    """The LLM model's constants from ``factors.csv`` (cached; follows ``refdata.set_data_dir``)."""
    f = factor_value
    return LlmConstants(
        f("llm_gpu_energy_alpha"), f("llm_gpu_energy_decay"), f("llm_gpu_energy_gamma"), f("llm_latency_alpha"),
        f("llm_latency_beta"), f("llm_latency_gamma"), f("llm_batch_size"), f("llm_server_power_kw"),
        f("llm_server_gpus"), f("llm_memory_overhead"), f("llm_quantization_bits"), f("llm_gpu_memory_gb"))


@dataclass(frozen=True)
class LlmCore:
    """The model's outputs, each a float or an array: kWh for all the request's GPUs and for the server's
    share, the generation latency (s), the GPU-hours the request holds, the GPU count, whether capped."""

    gpu_kwh: Any
    server_kwh: Any
    latency_s: Any
    gpu_hours: Any
    gpus: Any
    capped: Any


def llm_core(parameters_b: Any, output_tokens: Any, active_parameters_b: Any, gpu_memory_gb: Any,
             latency_s: Any, tokens_per_s: Any, ttft_s: Any, k: LlmConstants, ops: Any = SCALAR_OPS) -> LlmCore:
    """The model (see the module) on floats or arrays. Absent inputs: ``latency_s`` ∞ (no cap),
    ``tokens_per_s`` NaN (the latency regression), ``ttft_s`` 0; ``active_parameters_b`` = ``parameters_b``
    for a dense model. ``ops``: :data:`SCALAR_OPS` for floats, ``numpy`` for arrays."""
    memory_gb = k.memory_overhead * parameters_b * (k.bits / 8)  # bits / 8 is a power of two: exact
    gpus = 2 ** ops.ceil(ops.log2(ops.maximum(1, ops.ceil(memory_gb / gpu_memory_gb))))
    gpu_kwh = gpus * output_tokens * (k.wh_per_token_slope * active_parameters_b + k.gpu_gamma) / 1000.0
    regression = k.latency_alpha * active_parameters_b + (k.latency_beta * k.batch + k.latency_gamma)
    per_token = regression if _absent(tokens_per_s, math.nan) else \
        ops.where(ops.isnan(tokens_per_s), regression, 1.0 / tokens_per_s)
    modelled = output_tokens * per_token
    if not _absent(ttft_s, 0.0):
        modelled = modelled + ttft_s
    uncapped = _absent(latency_s, math.inf)
    latency = modelled if uncapped else ops.minimum(latency_s, modelled)
    held = latency * gpus  # GPU-seconds
    server_kwh = held * (k.server_kw / 3600.0 / k.server_gpus / k.batch)
    gpu_hours = held * (1.0 / k.batch / 3600.0)
    return LlmCore(gpu_kwh, server_kwh, latency, gpu_hours, gpus, False if uncapped else latency_s < modelled)


def _absent(value: Any, marker: float) -> bool:
    """Whether ``value`` is one number standing for an absent input (∞ latency, NaN throughput, 0 s ttft)."""
    return isinstance(value, float) and (value == marker or (math.isnan(marker) and math.isnan(value)))


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
    return int(llm_core(parameters_b, 0.0, parameters_b, gpu_memory_gb, math.inf, math.nan, 0.0,
                        llm_constants()).gpus)


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
    k = llm_constants()
    r = llm_core(parameters_b, output_tokens, parameters_b if active_parameters_b is None else active_parameters_b,
                 gpu_memory_gb or k.gpu_memory_gb, math.inf if latency_s is None else latency_s,
                 math.nan if tokens_per_s is None else tokens_per_s, ttft_s or 0.0, k)
    return LlmPoint(r.gpu_kwh, r.server_kwh, r.latency_s, int(r.gpus), bool(r.capped))


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
    inputs = {"parameters_b": parameters_b, "output_tokens": output_tokens, "active_parameters_b": active_parameters_b,
              "latency_s": latency_s, "tokens_per_s": tokens_per_s, "ttft_s": ttft_s}

    def at(end: int) -> LlmPoint:
        v = {n: None if q is None else corner(q.as_tuple(), end, n) for n, q in inputs.items()}
        return llm_point(v["parameters_b"] or 0.0, v["output_tokens"] or 0.0,
                         active_parameters_b=v["active_parameters_b"], gpu_memory_gb=gpu_memory_gb,
                         latency_s=v["latency_s"], tokens_per_s=v["tokens_per_s"], ttft_s=v["ttft_s"] or 0.0)

    lo, c, hi = at(0), at(1), at(2)
    batch = llm_constants().batch

    def q(attr: str) -> Q:
        return Q(getattr(c, attr), getattr(lo, attr), getattr(hi, attr))

    gpu_hours = Q(*(p.latency_s * p.gpus / batch / 3600.0 for p in (c, lo, hi)))
    return LlmRequest(gpu_kwh=q("gpu_kwh"), server_kwh=q("server_kwh"), latency_s=q("latency_s"), gpu_hours=gpu_hours,
                      gpus=Q(float(c.gpus), float(lo.gpus), float(hi.gpus)), batch=int(batch), capped=c.capped)
