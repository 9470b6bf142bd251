"""The phase formulas on their own: requests that grow, storage, the one-off share, the reporting unit,
and the same formula on floats, ranges and arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aiceberg.model.quantity import Q
from aiceberg.model.uncertainty import FLOAT, RANGE, array_ops, sample
from aiceberg.scenario import get_template, loads, templates
from aiceberg.scenario.analysis import total_co2e
from aiceberg.scenario.formulas import evaluate, growth_years

SERVICE = """
[scenario]
period_years = {years}
unit = "{unit}"
intensity_g_per_kwh = 100
pue = 1.0
{extra}
[deployment]
users = 1000
requests_per_user_per_day = 2
growth_per_year = {growth}
[inference]
wh_per_request = 1
boundary = "it"
"""


def test_growing_requests_add_up_to_the_integral_of_the_growth() -> None:
    # doubling every year for one year: ∫₀¹ 2^t dt = 1 / ln 2 years of the first year's traffic
    res = loads(SERVICE.format(years=1, unit="per-request", extra="", growth=1.0)).run()
    assert res.central.requests == pytest.approx(2000 * 365 / math.log(2))
    flat = loads(SERVICE.format(years=1, unit="per-request", extra="", growth=0.0)).run()
    assert flat.central.requests == pytest.approx(2000 * 365)


def test_the_growth_formula_is_one_function_for_floats_ranges_and_arrays() -> None:
    g, years = 0.5, 3.0
    exact = ((1 + g) ** years - 1) / math.log1p(g)
    assert FLOAT.call(growth_years, g, years) == pytest.approx(exact)
    q = RANGE.call(growth_years, Q(0.5, 0.2, 0.8), Q(3.0, 2.0, 4.0))
    assert q.central == pytest.approx(exact) and q.low < q.central < q.high
    arr = array_ops().call(growth_years, np.array([0.0, 0.5]), np.array([3.0, 3.0]))
    np.testing.assert_allclose(arr, [3.0, exact])


@pytest.mark.parametrize(("unit", "units"), [("per-request", 2000 * 730), ("per-user-year", 1000 * 2),
                                             ("per-year", 2), ("whole-life", 1)])
def test_the_reporting_unit_divides_the_total(unit: str, units: float) -> None:
    res = loads(SERVICE.format(years=2, unit=unit, extra="", growth=0)).run()
    per = res.per_unit()
    assert per is not None and res.central.units == pytest.approx(units)
    assert per[1].central == pytest.approx(res.total[1].central / units)


def test_storage_follows_the_ccf_coefficient_and_its_replicas() -> None:
    extra = "[data]\nstored_tb = 100\nstorage = \"ssd\"\nreplication = 3\n"
    res = loads(SERVICE.format(years=1, unit="per-year", extra=extra, growth=0)).run()
    energy, co2e = res.central.parts["data.storage"]
    # 100 TB × 8,760 h × 1.2 Wh per TB-hour (Cloud Carbon Footprint's SSD coefficient) × 3 replicas
    assert energy == pytest.approx(100 * 8760 * 1.2 * 3 / 1000)
    assert co2e == pytest.approx(energy * 0.1)


def test_a_model_life_charges_one_off_phases_by_the_period() -> None:
    base = """
[scenario]
period_years = 1
unit = "whole-life"
intensity_g_per_kwh = 100
{life}
[training]
hardware = "a100"
gpu_hours = 1000
power_w = 400
pue = 1.0
"""
    whole = loads(base.format(life="")).run().central.parts["training.gpu.dynamic"][1]
    quarter = loads(base.format(life="model_life_years = 4")).run().central.parts["training.gpu.dynamic"][1]
    assert whole == pytest.approx(1000 * 0.4 * 0.1) and quarter == pytest.approx(whole / 4)


@pytest.mark.parametrize("name", [t.name for t in templates()])
def test_one_formula_gives_the_same_central_value_on_floats_and_ranges_and_samples_within_the_range(
        name: str) -> None:
    res = get_template(name).scenario().run()
    assert float(total_co2e(res.central)) == pytest.approx(res.total[1].central, rel=1e-12)
    compiled = res.compiled
    dists = {k: i.dist for k, i in compiled.inputs.items()}
    if any(d.kind == "lognormal" for d in dists.values()):
        return  # a lognormal's tails pass its 95 % range by design
    out = evaluate(compiled.plan, sample(dists, 5000, 11), array_ops())
    total = np.asarray(total_co2e(out))
    assert res.total[1].low <= total.min() and total.max() <= res.total[1].high
