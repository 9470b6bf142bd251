"""Monte Carlo and sensitivity: reproducible, correlated where a factor is shared, ranking what dominates,
and Sobol indices that match known values and an independent implementation (SALib)."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from aiceberg.errors import MissingExtraError
from aiceberg.model import uncertainty as U
from aiceberg.model.uncertainty import Dist, array_ops, sample, sobol
from aiceberg.scenario import get_template, loads, result_dict
from aiceberg.scenario.analysis import total_co2e
from aiceberg.scenario.formulas import evaluate

SHARED = """
[scenario]
period_days = 365
unit = "per-request"
location = "{where}"
[training]
hardware = "a100"
gpu_hours = "800:1000:1500"
{training_grid}
[deployment]
requests_per_day = "1000:2000:3000"
[inference]
wh_per_request = "1:2:4"
boundary = "it"
"""


def _draws(text: str, n: int = 4000, seed: int = 3) -> tuple[dict[str, object], object]:
    sc = loads(text)
    dists = {k: i.dist for k, i in sc.compiled.inputs.items()}
    v = sample(dists, n, seed)
    return v, evaluate(sc.compiled.plan, v, array_ops())


def test_the_same_seed_gives_the_same_percentiles_and_another_seed_others() -> None:
    sc = get_template("chatgpt-month").scenario()
    a = result_dict(sc.run(samples=20_000, seed=7))["samples"]["total"]
    b = result_dict(sc.run(samples=20_000, seed=7))["samples"]["total"]
    c = result_dict(sc.run(samples=20_000, seed=8))["samples"]["total"]
    assert a == b
    assert a["co2e_kg"]["p50"] != c["co2e_kg"]["p50"]
    assert a["co2e_kg"]["p5"] < a["co2e_kg"]["p50"] < a["co2e_kg"]["p95"]


def _intensity_of(parts: dict[str, tuple[object, object]], name: str) -> np.ndarray:
    e, c = parts[name]
    return np.asarray(c) / np.asarray(e) * 1000.0  # gCO2e/kWh seen by that part, sample by sample


def test_one_grid_shared_by_two_phases_is_one_draw() -> None:
    _, out = _draws(SHARED.format(where="FR", training_grid=""))
    train = _intensity_of(out.parts, "training.gpu.dynamic")
    serve = _intensity_of(out.parts, "inference.inference.compute")
    assert np.ptp(train) > 1.0  # the grid is uncertain…
    np.testing.assert_allclose(train, serve)  # …and both phases see the same draw


def test_two_grids_are_two_draws() -> None:
    _, out = _draws(SHARED.format(where="FR", training_grid='intensity_g_per_kwh = "50:57:70"'))
    train = _intensity_of(out.parts, "training.gpu.dynamic")
    serve = _intensity_of(out.parts, "inference.inference.compute")
    assert abs(np.corrcoef(train, serve)[0, 1]) < 0.1


def test_samples_stay_within_the_range_of_the_interval_arithmetic() -> None:
    sc = loads(SHARED.format(where="FR", training_grid=""))
    res = sc.run()
    _, out = _draws(SHARED.format(where="FR", training_grid=""))
    total = np.asarray(total_co2e(out))
    q = res.total[1]
    assert q.low <= total.min() and total.max() <= q.high
    assert total.min() < q.central < total.max()


DOMINANT = """
[scenario]
period_days = 365
unit = "per-year"
[deployment]
requests_per_day = {requests}
intensity_g_per_kwh = {intensity}
pue = "1.1:1.15:1.2"
[inference]
wh_per_request = "1.9:2:2.1"
boundary = "it"
"""


@pytest.mark.parametrize(("requests", "intensity", "first"), [
    ("\"9000:10000:11000\"", "{dist = \"lognormal\", central = 300, ratio = 5}", "deployment.intensity_g_per_kwh"),
    ("{dist = \"uniform\", low = 100, high = 100000}", "\"280:300:320\"", "deployment.requests_per_day"),
])
def test_the_input_built_to_dominate_ranks_first(requests: str, intensity: str, first: str) -> None:
    res = loads(DOMINANT.format(requests=requests, intensity=intensity)).run(samples=20_000, seed=2)
    assert res.sensitivity is not None
    ranked = res.sensitivity.ranked()
    assert ranked[0] == first
    assert res.sensitivity.total[first] > 0.8
    assert res.tornado[0].input.id == first
    assert res.actions()[0][0].id == first


def test_sobol_on_an_additive_model_gives_its_exact_shares() -> None:
    # Y = X1 + 2 X2, X uniform on [0, 1]: V = 1/12 + 4/12, S1 = 0.2, S2 = 0.8, no interaction
    s = sobol(lambda v: v["x1"] + 2 * v["x2"], {"x1": Dist("uniform", 0.5, 0, 1), "x2": Dist("uniform", 0.5, 0, 1)},
              n=20_000, seed=1)
    assert s.first["x1"] == pytest.approx(0.2, abs=0.03) and s.total["x1"] == pytest.approx(0.2, abs=0.03)
    assert s.first["x2"] == pytest.approx(0.8, abs=0.03) and s.total["x2"] == pytest.approx(0.8, abs=0.03)
    lo, hi = s.total_ci["x1"]
    assert lo < s.total["x1"] < hi


def _ishigami(v: dict[str, np.ndarray]) -> np.ndarray:
    return np.sin(v["x1"]) + 7 * np.sin(v["x2"]) ** 2 + 0.1 * v["x3"] ** 4 * np.sin(v["x1"])


ISHIGAMI = {f"x{i}": Dist("uniform", 0.0, -math.pi, math.pi) for i in (1, 2, 3)}


def test_sobol_on_the_ishigami_function_matches_its_analytic_indices() -> None:
    s = sobol(_ishigami, ISHIGAMI, n=2 ** 15, seed=4)
    # analytic values (a = 7, b = 0.1): S = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244
    for name, first, total in (("x1", 0.314, 0.558), ("x2", 0.442, 0.442), ("x3", 0.0, 0.244)):
        assert s.first[name] == pytest.approx(first, abs=0.04)
        assert s.total[name] == pytest.approx(total, abs=0.04)


def test_sobol_agrees_with_salib() -> None:
    salib_sample = pytest.importorskip("SALib.sample.sobol")
    salib_analyze = pytest.importorskip("SALib.analyze.sobol")
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
    x = salib_sample.sample(problem, 2 ** 13, calc_second_order=False, seed=5)
    y = _ishigami({"x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2]})
    theirs = salib_analyze.analyze(problem, y, calc_second_order=False, seed=5)
    ours = sobol(_ishigami, ISHIGAMI, n=2 ** 13, seed=5)
    for i, name in enumerate(("x1", "x2", "x3")):
        assert ours.total[name] == pytest.approx(theirs["ST"][i], abs=0.05)
        assert ours.first[name] == pytest.approx(theirs["S1"][i], abs=0.05)


def test_without_numpy_sampling_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(MissingExtraError) as info:
        U.numpy()
    assert "[analysis]" in str(info.value)
    # the central value and the ranges need no numpy
    res = get_template("chatgpt-month").scenario().run()
    assert res.total[1].central > 0 and res.samples == 0


def test_importing_the_scenario_layer_does_not_import_numpy() -> None:
    code = ("import sys, aiceberg.scenario, aiceberg.cli.scenario; "
            "print('numpy' in sys.modules, 'SALib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_a_lognormal_keeps_95_percent_of_its_draws_within_its_ratio() -> None:
    x = Dist.lognormal(100.0, 2.0).draw(np.random.default_rng(0), 200_000)
    inside = np.mean((x > 50) & (x < 200))
    assert inside == pytest.approx(0.95, abs=0.005)
    assert np.median(x) == pytest.approx(100, rel=0.01)
