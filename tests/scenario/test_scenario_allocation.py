"""Allocation rules give the figures their formulas say (docs/scenarios.md), and --compare-allocations shows
each rule's total side by side."""

from __future__ import annotations

import pytest

from aiceberg import refdata
from aiceberg.model.uncertainty import FLOAT
from aiceberg.scenario import loads
from aiceberg.scenario.formulas import evaluate

#: the data's manufacturing figure for the GPU (central): the input the rules share out
A100_KG = float(refdata.get_hardware("nvidia-a100-sxm4-40gb").embodied_kgco2e or 0.0)
HOURS_PER_YEAR = 8760.0

TRAINING = """
[scenario]
period_days = 30
unit = "whole-life"
intensity_g_per_kwh = 100
[training]
hardware = "nvidia-a100-sxm4-40gb"
count = 4
hours = 100
power_w = 300
pue = 1.0
lifetime_years = 5
utilisation = 0.5
allocation = "{rule}"
"""

SERVICE = """
[scenario]
period_days = 365
unit = "per-request"
intensity_g_per_kwh = 100
pue = 1.0
[deployment]
requests_per_day = 1000
hardware = "nvidia-a100-sxm4-40gb"
count = 2
power_w = 400
lifetime_years = 4
utilisation = 0.5
fleet_requests_per_day = 4000
allocation = "{rule}"
[inference]
wh_per_request = 2
boundary = "it"
"""


def _part(text: str, name: str) -> float:
    sc = loads(text)
    out = evaluate(sc.compiled.plan, {k: i.dist.central for k, i in sc.compiled.inputs.items()}, FLOAT)
    return float(out.parts[name][1])


@pytest.mark.parametrize(("rule", "expected"), [
    ("use-time", A100_KG * 400 / (5 * HOURS_PER_YEAR * 0.5)),
    ("calendar-time", A100_KG * 400 / (5 * HOURS_PER_YEAR)),
])
def test_a_training_shares_its_gpus_by_the_rule(rule: str, expected: float) -> None:
    assert _part(TRAINING.format(rule=rule), "training.embodied.gpu") == pytest.approx(expected)


@pytest.mark.parametrize(("rule", "expected"), [
    # held: 2 devices × 24 h × 365 days
    ("use-time", A100_KG * 2 * 24 * 365 / (4 * HOURS_PER_YEAR * 0.5)),
    ("calendar-time", A100_KG * 2 * 24 * 365 / (4 * HOURS_PER_YEAR)),
    # busy: 365,000 requests × 2 Wh / 400 W
    ("share-of-device-time", A100_KG * 365_000 * 0.002 / 0.4 / (4 * HOURS_PER_YEAR * 0.5)),
    # the fleet's 2 devices × this service's 365,000 requests over the fleet's 4,000 a day for 4 years
    ("share-of-requests", A100_KG * 2 * 365_000 / (4 * 4000 * 365)),
])
def test_a_serving_fleet_shares_its_gpus_by_the_rule(rule: str, expected: float) -> None:
    assert _part(SERVICE.format(rule=rule), "deployment.embodied.gpu") == pytest.approx(expected)


def test_the_comparison_shows_every_rule_with_the_total_its_formula_gives() -> None:
    sc = loads(SERVICE.format(rule="use-time"))
    res = sc.run(compare_allocations=True)
    rows = {c.label.key.rsplit(".", 1)[1]: c for c in res.comparison if c.kind == "allocation"}
    assert set(rows) == {"use-time", "calendar-time", "share-of-device-time", "share-of-requests"}
    assert rows["use-time"].current and not rows["calendar-time"].current
    for rule, row in rows.items():
        alone = loads(SERVICE.format(rule=rule)).run()
        assert row.co2e_kg == pytest.approx(alone.total[1].central)
    # calendar-time charges half of use-time at 50 % utilisation: the difference is the GPUs' and servers' share
    assert rows["use-time"].co2e_kg > rows["calendar-time"].co2e_kg


def test_lifetimes_and_trainings_are_compared_too() -> None:
    text = TRAINING.format(rule="use-time").replace("lifetime_years = 5\n", "") + \
        "[development]\ntrainings = \"2:4:10\"\nfraction = 0.5\n"
    res = loads(text).run(compare_allocations=True)
    kinds = {c.kind for c in res.comparison}
    assert kinds == {"allocation", "lifetime", "trainings"}
    trainings = [c for c in res.comparison if c.kind == "trainings"]
    by_n = {c.label.params["n"]: c.co2e_kg for c in trainings}
    # each development training is half the final one: n trainings add n × 0.5 × the final training
    final = by_n[0.0]
    assert by_n[4.0] == pytest.approx(final * (1 + 4 * 0.5))
    assert by_n[10.0] == pytest.approx(final * (1 + 10 * 0.5))


def test_a_lifetime_no_counted_phase_uses_is_not_compared() -> None:
    """The federated keyboard's centralised GPU stands beside the total: its lifetime moves nothing counted,
    so it gets no rows (it used to get identical ones)."""
    from aiceberg.scenario import get_template

    res = get_template("federated-keyboard").scenario().run(compare_allocations=True)
    assert [c for c in res.comparison if c.kind == "lifetime"] == []
    assert [c.kind for c in res.comparison] == ["allocation"]  # the phones' rule still is
    # a lifetime a counted phase uses is compared at each end, and the rows differ
    text = TRAINING.format(rule="use-time").replace("lifetime_years = 5\n", "lifetime_years = \"3:5:8\"\n")
    rows = [c for c in loads(text).run(compare_allocations=True).comparison if c.kind == "lifetime"]
    assert [c.label.params["years"] for c in rows] == [3.0, 5.0, 8.0]
    assert rows[0].co2e_kg > rows[1].co2e_kg > rows[2].co2e_kg and [c.current for c in rows] == [False, True, False]
