"""Inference and usage: per-request figures, the LLM model against EcoLogits, usage at scale."""

import math

import pytest

from aiceberg.errors import InputError
from aiceberg.model.inference import estimate_inference, estimate_usage, requests_from_usage


def test_llm_model_matches_ecologits_reference():
    # EcoLogits 0.11.3, compute_llm_impacts(model_active_parameter_count=70, model_total_parameter_count=70,
    # output_token_count=400, request_latency=1e9, datacenter_pue=1.0, …).energy = 2.1917633e-4 kWh
    fp = estimate_inference(parameters_b=70, output_tokens=400, pue=1.0, intensity_g_per_kwh=500)
    it = fp.part("gpu.dynamic").energy_kwh.central + fp.part("host").energy_kwh.central
    assert it == pytest.approx(2.1917633094450153e-4, rel=1e-6)


def test_llm_energy_grows_with_model_size_and_tokens():
    small = estimate_inference(parameters_b=7, output_tokens=200, pue=1.0, intensity_g_per_kwh=100)
    big = estimate_inference(parameters_b=70, output_tokens=200, pue=1.0, intensity_g_per_kwh=100)
    longer = estimate_inference(parameters_b=7, output_tokens=400, pue=1.0, intensity_g_per_kwh=100)
    assert big.energy_kwh.central > small.energy_kwh.central
    assert longer.energy_kwh.central == pytest.approx(2 * small.energy_kwh.central, rel=1e-9)


def test_requests_scale_every_part():
    one = estimate_inference(wh_per_request=3.0, intensity_g_per_kwh=400, pue=1.5)
    many = estimate_inference(wh_per_request=3.0, intensity_g_per_kwh=400, pue=1.5, requests=1000)
    assert many.energy_kwh.central == pytest.approx(1000 * one.energy_kwh.central)
    assert one.energy_kwh.central == pytest.approx(3.0 * 1.5 / 1000)


def test_published_task_figure_is_used_with_its_source():
    fp = estimate_inference(task="bloom-api-request", intensity_g_per_kwh=394, pue=1.0)
    part = fp.part("inference.compute")
    assert part.energy_kwh.central * 1000 == pytest.approx(864.25 / 230768 * 1000, rel=0.01)
    assert "luccioni-2023-bloom" in part.sources


def test_usage_is_users_times_requests_times_days():
    n = requests_from_usage(100e6, 10, 30)
    assert n.central == pytest.approx(3e10)
    fp = estimate_usage(users=100e6, requests_per_user_per_day=10, days=30, wh_per_request=1,
                        intensity_g_per_kwh=100, pue=1.0)
    assert fp.energy_kwh.central == pytest.approx(3e7)


def test_usage_ranges_propagate():
    fp = estimate_usage(users=(50e6, 100e6, 200e6), requests_per_user_per_day=10, wh_per_request=1,
                        intensity_g_per_kwh=100, pue=1.0)
    assert fp.co2e_kg.low == pytest.approx(fp.co2e_kg.central / 2)
    assert fp.co2e_kg.high == pytest.approx(fp.co2e_kg.central * 2)


def test_network_and_devices_are_submerged_parts():
    fp = estimate_inference(wh_per_request=1, intensity_g_per_kwh=100, pue=1.0, data_gb=0.001, network="4g",
                            device="smartphone", device_seconds=60)
    assert {"network", "devices.use", "embodied.devices"} <= set(fp.names())
    assert not fp.part("network").visible
    emb = fp.part("embodied.devices").co2e_kg.central
    # 84 kg over 2.5 years of calendar time, for one minute
    assert emb == pytest.approx(84.0 * (1 / 60) / (2.5 * 8760), rel=1e-6)


@pytest.mark.parametrize(("kw", "field"), [
    ({}, "wh-per-request"),
    ({"wh_per_request": 1, "task": "phd-text-generation"}, "wh-per-request"),
    ({"parameters_b": 7}, "output-tokens"),
    ({"wh_per_request": 1, "requests": 0}, "requests"),
    ({"wh_per_request": 1, "network": "pigeon", "data_gb": 1}, "network"),
])
def test_bad_input_names_the_field(kw, field):
    with pytest.raises(InputError) as err:
        estimate_inference(intensity_g_per_kwh=100, **kw)
    assert err.value.field == field


def test_usage_needs_users_or_requests():
    with pytest.raises(InputError):
        requests_from_usage(users=10)
    assert math.isclose(requests_from_usage(requests=5).central, 5)
