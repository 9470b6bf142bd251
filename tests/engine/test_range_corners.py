"""Ranges are honest: the bounds of a result contain the model evaluated at every corner of its inputs.

For random ranges on every numeric input, the estimate with ranges is compared with the estimate at each
corner (each input at its low or its high end, the others too): every corner's figure — its central value
and its own range, which comes from the reference data — must lie within the ranged result's bounds. A
model that takes one end from the central value only (issue 7: the LLM's GPU count) fails this.
"""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from aiceberg.model.inference import estimate_inference, estimate_usage
from aiceberg.model.training import estimate_training

REL = 1e-9


def ranged(lo, hi, integer=False):
    """A (low, central, high) range within [lo, hi], or an exact value (a degenerate range)."""
    base = st.integers(int(lo), int(hi)) if integer else st.floats(lo, hi, allow_nan=False)
    return st.lists(base, min_size=3, max_size=3).map(lambda v: tuple(sorted(v)))


def _corners(ranges):
    names = list(ranges)
    for ends in itertools.product((0, 2), repeat=len(names)):
        yield {n: ranges[n][i] for n, i in zip(names, ends, strict=True)}


def _check_contains(whole, corner):
    for get in (lambda f: f.energy_kwh, lambda f: f.co2e_kg):
        w, c = get(whole), get(corner)
        slack = REL * max(w.high, 1e-300)
        assert w.low - slack <= c.low and c.high <= w.high + slack, (w, c)


@settings(max_examples=40, deadline=None)
@given(params=ranged(0.5, 2000), tokens=ranged(1, 5000), latency=st.none() | ranged(0.1, 120),
       intensity=ranged(0, 1000), pue=ranged(1, 2), share=st.none() | st.floats(0.05, 1))
def test_llm_bounds_contain_every_corner(params, tokens, latency, intensity, pue, share):
    ranges = {"parameters_b": params, "output_tokens": tokens, "intensity_g_per_kwh": intensity, "pue": pue}
    if latency is not None:
        ranges["latency_s"] = latency

    def active(p):  # a mixture of experts: the active parameters a share of the total (never above it)
        return None if share is None else (tuple(x * share for x in p) if isinstance(p, tuple) else p * share)

    whole = estimate_inference(active_parameters_b=active(params), **ranges)
    for corner in _corners(ranges):
        _check_contains(whole, estimate_inference(active_parameters_b=active(corner["parameters_b"]), **corner))


@settings(max_examples=25, deadline=None)
@given(params=ranged(0.5, 500), tokens=ranged(1, 2000), tps=ranged(1, 500), ttft=ranged(0, 5))
def test_llm_bounds_contain_every_corner_with_a_measured_throughput(params, tokens, tps, ttft):
    ranges = {"parameters_b": params, "output_tokens": tokens, "tokens_per_s": tps, "ttft_s": ttft}
    whole = estimate_inference(intensity_g_per_kwh=400, pue=1.2, **ranges)
    for corner in _corners(ranges):
        _check_contains(whole, estimate_inference(intensity_g_per_kwh=400, pue=1.2, **corner))


@settings(max_examples=30, deadline=None)
@given(hours=ranged(0.01, 1e4), power=ranged(1, 1000), intensity=ranged(0, 1000), pue=ranged(1, 3),
       life=ranged(1, 10), util=ranged(0.05, 1), idle=ranged(0.001, 1e4))
def test_training_bounds_contain_every_corner(hours, power, intensity, pue, life, util, idle):
    ranges = {"hours": hours, "power_w": power, "intensity_g_per_kwh": intensity, "pue": pue,
              "lifetime_years": life, "utilisation": util, "idle_kwh": idle}
    whole = estimate_training("a100", count=8, **ranges)
    for corner in _corners(ranges):
        _check_contains(whole, estimate_training("a100", count=8, **corner))


@settings(max_examples=30, deadline=None)
@given(users=ranged(1, 1e6, integer=True), per_day=ranged(0.1, 100), days=ranged(1, 365), wh=ranged(0.01, 10),
       intensity=ranged(0, 1000), pue=ranged(1, 2), data=ranged(0, 0.01), seconds=ranged(1, 600))
def test_usage_bounds_contain_every_corner(users, per_day, days, wh, intensity, pue, data, seconds):
    ranges = {"users": users, "requests_per_user_per_day": per_day, "days": days, "wh_per_request": wh,
              "intensity_g_per_kwh": intensity, "pue": pue, "data_gb": data, "device_seconds": seconds}
    whole = estimate_usage(device="smartphone", **ranges)
    for corner in _corners(ranges):
        _check_contains(whole, estimate_usage(device="smartphone", **corner))
