"""The Software Carbon Intensity (ISO/IEC 21031:2024, GSF SCI 1.1.0) from its formulas and from footprints."""

import pytest

from aiceberg.model.inference import estimate_inference, estimate_usage
from aiceberg.model.quantity import Q
from aiceberg.model.sci import BOUNDARIES, embodied_share, embodied_share_hours, sci_score
from aiceberg.model.training import estimate_training


def test_the_specifications_worked_example_is_about_28_g():
    # GSF SCI 1.1.0, "Embodied emissions": 1,000 kg, a 4-year life, 1 hour reserved → "around 28 g"
    # (its own expression, 1000 × 1/(4 × 365 × 24) kg, is 28.5 g: tolerance 2.5 %)
    m_kg = embodied_share(1000.0, 1.0, 4 * 365 * 24)
    assert m_kg * 1000 == pytest.approx(28, rel=0.025)
    assert embodied_share_hours(1000.0, 1.0, 4) == m_kg
    # resources reserved over total resources: one of eight GPUs carries an eighth
    assert embodied_share(1000.0, 1.0, 4 * 365 * 24, 1, 8) == pytest.approx(m_kg / 8)


def test_the_formulas_take_floats_ranges_and_arrays():
    assert sci_score(2.0, 400.0, 100.0, 10.0) == pytest.approx((2 * 400 + 100) / 10)
    q = sci_score(Q(2, 1, 3), Q(400, 300, 500), Q(100, 50, 200), 10.0)
    assert q.as_tuple() == pytest.approx((1 * 300 / 10 + 5, 90, 1700 / 10))
    np = pytest.importorskip("numpy", reason="numpy is in the [test] and [analysis] extras")
    arr = sci_score(np.array([1.0, 2.0]), 400.0, np.array([0.0, 100.0]), np.array([1.0, 10.0]))
    assert arr.tolist() == pytest.approx([400.0, 90.0])


def test_an_inference_estimate_is_per_request_within_the_consumer_boundary():
    one = estimate_inference(parameters_b=70, output_tokens=400, location="US", pue=1.2)
    many = estimate_inference(parameters_b=70, output_tokens=400, location="US", pue=1.2, requests=1000)
    s = many.sci()
    assert s.value.as_tuple() == pytest.approx(one.sci().value.as_tuple(), rel=1e-12)
    assert (s.unit, s.boundary) == ("request", "consumer")
    # O + M is the footprint's carbon, in grams
    assert s.value.central * 1000 == pytest.approx(many.co2e_kg.central * 1000, rel=1e-12)
    assert s.embodied_g.central == pytest.approx(
        sum(p.co2e_kg.central for p in many.parts if p.name.startswith("embodied")) * 1000, rel=1e-12)
    # I is the location-based intensity of the zone, E × I the use-phase carbon
    zone = next(f for f in many.factors if f.id == "intensity:US")
    assert s.intensity_g_per_kwh.central == pytest.approx(zone.value.central, rel=1e-12)
    assert "training" in s.to_dict()["excludes"]
    per_token = many.sci(unit="token", r=400 * 1000)
    assert per_token.value.central == pytest.approx(s.value.central / 400, rel=1e-12)


def test_usage_divides_each_end_by_the_same_end_of_the_requests():
    u = estimate_usage(users=(1e6, 2e6, 3e6), requests_per_user_per_day=10, days=30, wh_per_request=3.75,
                       intensity_g_per_kwh=394)
    s = u.sci()
    assert s.value.as_tuple() == pytest.approx((3.75 * 0.394,) * 3, rel=1e-12)  # 1.4775 g per request
    assert s.r.as_tuple() == (3e8, 6e8, 9e8)


def test_a_training_estimate_is_one_training_run_within_the_provider_boundary():
    fp = estimate_training("a100", count=8, hours=24, location="FR")
    s = fp.sci()
    assert (s.unit, s.boundary, s.r.central) == ("training run", "provider", 1.0)
    assert s.value.central == pytest.approx(fp.co2e_kg.central * 1000, rel=1e-12)
    d = fp.to_dict()["sci"]
    assert d["unit"] == "gCO2e per training run" and d["boundary"] == "provider"
    assert set(d) >= {"value", "low", "high", "r", "energy_kwh", "intensity_g_per_kwh", "embodied_g",
                      "operational_g", "includes", "excludes", "boundary_description"}
    assert d["includes"] == fp.names()


def test_boundaries_are_named_and_an_unknown_one_is_refused():
    assert set(BOUNDARIES) == {"consumer", "provider", "software"}
    fp = estimate_training("a100", hours=1, location="FR")
    with pytest.raises(ValueError, match="consumer"):
        fp.sci(boundary="galaxy")
    with pytest.raises(ValueError, match="R"):
        fp.sci(r=0)


def test_the_boundary_is_described_in_the_readers_language():
    fp = estimate_inference(wh_per_request=0.3, location="FR", requests=10)
    fr = fp.sci().to_dict("fr")
    assert "entraînement" in fr["excludes"] and "périmètre consommateur" in fr["boundary_description"]
    assert all(isinstance(x, str) for x in fp.to_dict("fr")["sci"]["excludes"])


def test_a_measured_run_is_one_run_within_the_software_boundary():
    from aiceberg.model.measured import measured_footprint

    fp = measured_footprint({"cpu": 0.010, "gpu": 0.100}, duration_s=3600, location="FR", pue=1.2,
                            host={"gpu_names": ["NVIDIA A100-SXM4-80GB"], "gpu_count": 1})
    s = fp.sci()
    assert (s.unit, s.boundary, s.excludes) == ("run", "software", ())
    assert s.energy_kwh.central == pytest.approx(fp.energy_kwh.central)
    assert s.value.central == pytest.approx(fp.co2e_kg.central * 1000, rel=1e-12)
    # the run's electricity has the zone's other criteria too (its intensity names FR)
    assert "pe" in fp.part("cooling_overhead").impacts
