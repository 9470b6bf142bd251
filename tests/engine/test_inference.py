"""Inference and usage: per-request figures, the LLM model against EcoLogits, usage at scale."""

import math

import pytest

from aiceberg.errors import InputError
from aiceberg.model.inference import estimate_inference, estimate_usage, requests_from_usage


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
    ({}, "wh_per_request"),
    ({"wh_per_request": 1, "task": "phd-text-generation"}, "wh_per_request"),
    ({"parameters_b": 7}, "output_tokens"),
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


def test_a_figure_that_includes_the_overhead_gets_no_pue_again():
    # Google's Gemini median includes the data centre's overhead (inference.csv: boundary facility)
    g = estimate_inference(task="gemini-text-prompt-median", intensity_g_per_kwh=100)
    assert g.energy_kwh.central == pytest.approx(0.24 / 1000) and g.part("cooling_overhead") is None
    with pytest.raises(InputError) as err:
        estimate_inference(task="gemini-text-prompt-median", intensity_g_per_kwh=100, pue=1.1)
    assert err.value.field == "pue"
    # the BLOOM API's figure is the servers' alone (boundary it): the default PUE is added
    b = estimate_inference(task="bloom-api-request", intensity_g_per_kwh=100)
    assert b.part("cooling_overhead").energy_kwh.central == pytest.approx(3.75e-3 * 0.58, rel=1e-9)
    with pytest.raises(InputError) as err:
        estimate_inference(task="bloom-api-request", boundary="facility", intensity_g_per_kwh=100)
    assert err.value.field == "boundary"


def test_a_given_figures_boundary_is_said_or_inferred_from_a_pue():
    given = estimate_inference(wh_per_request=2, intensity_g_per_kwh=100)
    assert given.energy_kwh.central == pytest.approx(0.002) and given.part("cooling_overhead") is None
    assert any("boundary" in str(w) for w in given.warnings)
    it = estimate_inference(wh_per_request=2, boundary="it", intensity_g_per_kwh=100)
    assert it.energy_kwh.central == pytest.approx(0.002 * 1.58) and not it.warnings
    with_pue = estimate_inference(wh_per_request=2, pue=1.2, intensity_g_per_kwh=100)
    assert with_pue.energy_kwh.central == pytest.approx(0.0024) and not with_pue.warnings
    with pytest.raises(InputError):
        estimate_inference(wh_per_request=2, boundary="facility", pue=1.2, intensity_g_per_kwh=100)
    with pytest.raises(InputError):
        estimate_inference(wh_per_request=2, boundary="fridge", intensity_g_per_kwh=100)


def test_every_published_figure_states_its_boundary():
    from aiceberg import refdata

    assert {r.boundary for r in refdata.load_table("inference")} == {"it", "facility"}


@pytest.mark.parametrize(("kw", "field"), [
    ({"wh_per_request": 1, "requests": 1.5}, "requests"),
    ({"wh_per_request": 1, "requests": 1e16}, "requests"),
    ({"wh_per_request": 1, "network": "4g"}, "network"),
    ({"wh_per_request": 1, "device": "smartphone"}, "device"),
    ({"wh_per_request": 1, "device_seconds": 5}, "device_seconds"),
    ({"parameters_b": 7, "output_tokens": 10, "active_parameters_b": 8}, "active_parameters_b"),
])
def test_refused_inference_inputs_name_the_field(kw, field):
    with pytest.raises(InputError) as err:
        estimate_inference(intensity_g_per_kwh=100, **kw)
    assert err.value.field == field


def test_usage_counts_need_not_be_whole_once_multiplied():
    # 0.5 requests a day for 3 days is 1.5 requests on average: a product, not a count the user typed
    fp = estimate_usage(users=1, requests_per_user_per_day=0.5, days=3, wh_per_request=1, intensity_g_per_kwh=100)
    assert fp.energy_kwh.central == pytest.approx(0.0015)
    with pytest.raises(InputError) as err:
        estimate_usage(users=1.5, requests_per_user_per_day=1, wh_per_request=1, intensity_g_per_kwh=100)
    assert err.value.field == "users"
