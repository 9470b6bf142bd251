"""Properties of the training estimate: linear, additive, non-negative, with honest ranges."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiceberg import refdata
from aiceberg.errors import InputError, UnknownNameError
from aiceberg.model.footprint import Phase, Status
from aiceberg.model.training import estimate_training

hours = st.floats(min_value=0.01, max_value=1e5, allow_nan=False)
counts = st.integers(min_value=1, max_value=4096)


def fp(**kw):
    base = {"hardware": "a100", "location": "FR"}
    return estimate_training(**{**base, **kw})


@settings(max_examples=30, deadline=None)
@given(hours, st.integers(min_value=2, max_value=10))
def test_linear_in_time_and_in_count(h, k):
    one = fp(count=4, hours=h)
    assert math.isclose(fp(count=4, hours=h * k).co2e_kg.central, k * one.co2e_kg.central, rel_tol=1e-9)
    assert math.isclose(fp(count=4 * k, hours=h).co2e_kg.central, k * one.co2e_kg.central, rel_tol=1e-9)


@settings(max_examples=30, deadline=None)
@given(hours, hours)
def test_additive_two_runs_equal_one_run_of_their_total(h1, h2):
    both = fp(count=8, hours=h1) + fp(count=8, hours=h2)
    whole = fp(count=8, hours=h1 + h2)
    assert set(both.names()) == set(whole.names())
    assert math.isclose(both.co2e_kg.central, whole.co2e_kg.central, rel_tol=1e-9)
    assert math.isclose(both.energy_kwh.central, whole.energy_kwh.central, rel_tol=1e-9)


def test_given_power_gives_exactly_device_hours_times_power_times_pue():
    f = estimate_training("h100", count=4, hours=10, power_w=500, pue=1.2, intensity_g_per_kwh=100,
                          embodied=False)
    # 4 × 10 h × 0.5 kW × 1.2 = 24 kWh; 24 kWh × 100 g = 2.4 kg
    assert f.energy_kwh.central == pytest.approx(24.0, rel=1e-12)
    assert f.co2e_kg.central == pytest.approx(2.4, rel=1e-12)
    assert f.names() == ["gpu.dynamic", "cooling_overhead"]
    assert f.part("gpu.dynamic").status == Status.INPUT
    assert f.part("gpu.dynamic").visible and not f.part("cooling_overhead").visible


def test_without_power_the_tdp_is_used_and_flagged_modelled():
    f = estimate_training("nvidia-a100-sxm4-80gb", gpu_hours=1000, pue=1.0, intensity_g_per_kwh=100,
                          embodied=False)
    part = f.part("gpu.dynamic")
    assert part.energy_kwh.central == pytest.approx(400.0)  # 1000 h × 400 W TDP
    assert part.status == Status.MODELLED
    assert part.energy_kwh.low < 400 < part.energy_kwh.high


def test_asked_parts_are_reported_apart():
    f = estimate_training("a100", count=8, hours=10, power_w=400, host_power_w=1000, memory_gb=512,
                          idle_power_w=200, pue=1.0, intensity_g_per_kwh=100, embodied=False)
    assert f.part("host").energy_kwh.central == pytest.approx(10.0)  # 1 server × 10 h × 1 kW
    assert f.part("memory").energy_kwh.central == pytest.approx(512 * 0.3725 * 10 / 1000)
    assert f.part("idle").energy_kwh.central == pytest.approx(2.0)
    assert not any(f.part(n).visible for n in ("host", "memory", "idle"))


def test_hours_and_gpu_hours_agree():
    a = fp(count=16, hours=5)
    b = fp(count=16, gpu_hours=80)
    assert a.co2e_kg == b.co2e_kg


def test_flops_path_uses_peak_and_mfu():
    # 6 × 7e9 params × 1e12 tokens = 4.2e22 FLOPs at 312 TFLOP/s and MFU 0.5
    f = estimate_training("a100", count=64, flops=4.2e22, mfu=0.5, pue=1.0, intensity_g_per_kwh=0,
                          embodied=False)
    device_h = 4.2e22 / (312e12 * 0.5) / 3600
    assert f.meta["device_hours"] == pytest.approx(device_h)


def test_embodied_follows_the_use_time_rule():
    f = estimate_training("a100", gpu_hours=8760 * 6 * 0.85, power_w=1, intensity_g_per_kwh=0, pue=1.0,
                          server=None, lifetime_years=6, utilisation=0.85)
    # a whole life's worth of use carries exactly one device's manufacturing footprint (the a100 row's)
    one = refdata.get_hardware("a100").embodied_kgco2e
    assert f.part("embodied.gpu").co2e_kg.central == pytest.approx(one)
    assert f.part("embodied.gpu").phase == Phase.MANUFACTURING
    assert f.submerged.co2e_kg.central == pytest.approx(one)


def test_a_publications_own_embodied_figure_replaces_the_reference_datas():
    f = estimate_training("a100", gpu_hours=8760 * 6 * 0.85, power_w=1, intensity_g_per_kwh=0, pue=1.0,
                          server=None, lifetime_years=6, utilisation=0.85, embodied_kgco2e=150)
    assert f.part("embodied.gpu").co2e_kg.central == pytest.approx(150.0)
    assert f.part("embodied.gpu").status == Status.INPUT
    with pytest.raises(InputError):
        estimate_training("a100", hours=1, embodied=False, embodied_kgco2e=150)


def test_no_embodied_counts_none():
    f = fp(count=8, hours=10, embodied=False)
    assert not [n for n in f.names() if n.startswith("embodied")]


def test_unknown_location_falls_back_to_world_with_a_warning():
    f = estimate_training("a100", hours=1)
    assert any("world" in str(w) and "mondiale" in w.render("fr") for w in f.warnings)
    world = f.factors[0]
    assert world.id == "intensity:WORLD" and world.value.high > world.value.low


@pytest.mark.parametrize(("kw", "field"), [
    ({"hours": -1}, "hours"),
    ({"hours": float("nan")}, "hours"),
    ({"hours": 1, "gpu_hours": 2}, "hours"),
    ({}, "hours"),
    ({"hours": 1, "count": 0}, "count"),
    ({"hours": 1, "pue": 0.9}, "pue"),
    ({"hours": 1, "utilisation": 1.5}, "utilisation"),
    ({"hours": 1, "intensity_g_per_kwh": 50}, "location"),
])
def test_bad_input_names_the_field(kw, field):
    with pytest.raises(InputError) as err:
        fp(**kw)
    assert err.value.field == field


def test_unknown_hardware_suggests_close_names():
    with pytest.raises(UnknownNameError) as err:
        estimate_training("a10O", hours=1, location="FR")
    assert err.value.suggestions
    assert any("a10" in s for s in err.value.suggestions)


def test_a_published_idle_energy_is_taken_as_energy():
    # BLOOM published its idle energy (256,646 kWh), not a power
    f = estimate_training("a100", count=384, gpu_hours=1_082_990, power_w=400, idle_kwh=256_646, pue=1.0,
                          intensity_g_per_kwh=57, embodied=False)
    assert f.part("idle").energy_kwh.central == pytest.approx(256_646, rel=1e-12)
    assert f.part("idle").co2e_kg.central == pytest.approx(256_646 * 0.057, rel=1e-12)
    with_pue = estimate_training("a100", count=384, gpu_hours=1_082_990, power_w=400, idle_kwh=256_646, pue=1.2,
                                 intensity_g_per_kwh=57, embodied=False)
    assert with_pue.part("cooling_overhead").energy_kwh.central == pytest.approx(0.2 * (433_196 + 256_646))
    with pytest.raises(InputError) as err:
        estimate_training("a100", hours=1, idle_kwh=1, idle_power_w=1)
    assert err.value.field == "idle_kwh"


@pytest.mark.parametrize(("kw", "field"), [
    ({"hours": 1, "mfu": 0.5}, "mfu"),
    ({"hours": 1, "embodied": False, "lifetime_years": 3}, "lifetime_years"),
    ({"hours": 1e308}, "hours"),
    ({"gpu_hours": 1e13}, "gpu_hours"),
    ({"flops": 1e23, "mfu": 1e-9}, "mfu"),
    ({"hours": 1, "count": 2.5}, "count"),
    ({"hours": 1, "intensity_g_per_kwh": 1e5}, "intensity_g_per_kwh"),
    ({"hours": 1, "pue": 11}, "pue"),
    ({"hours": 1, "pue": "1,2"}, "pue"),
])
def test_inputs_outside_their_bounds_or_unused_are_refused(kw, field):
    kw.setdefault("location", None)
    with pytest.raises(InputError) as err:
        estimate_training("a100", **kw)
    assert err.value.field == field
