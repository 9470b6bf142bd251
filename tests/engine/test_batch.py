"""A batch is the same model as one call: each row of ``estimate_inference_batch`` equals ``estimate_inference``
on that row (energy and GWP with their ranges), and the batch's parts are the sums of the calls' parts, on
every criterion. Random rows: ranged and exact inputs, mixtures of experts, measured latencies, several zones
and GPUs."""

import subprocess
import sys

import pytest

from aiceberg.errors import InputError, MissingExtraError
from aiceberg.model.batch import estimate_inference_batch, numpy
from aiceberg.model.footprint import CRITERIA
from aiceberg.model.inference import estimate_inference

np = pytest.importorskip("numpy", reason="numpy is in the [test] and [analysis] extras")

REL = 1e-12
ZONES = ["FR", "US", "aws:us-east-1", "DE"]
GPUS = ["h100", "a100", "nvidia-h100-pcie-80gb"]


def _rows(seed, n, *, ranged, throughput=False):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.5, 800, n)
    t = rng.uniform(1, 3000, n).round()
    share = np.where(rng.random(n) < 0.4, rng.uniform(0.05, 1, n), np.nan)
    rows = {"parameters_b": p, "output_tokens": t, "active_parameters_b": p * share}
    if throughput:
        rows["tokens_per_s"] = np.where(rng.random(n) < 0.7, rng.uniform(5, 200, n), np.nan)
        rows["ttft_s"] = np.where(rng.random(n) < 0.5, rng.uniform(0, 3, n), np.nan)
    else:
        rows["latency_s"] = np.where(rng.random(n) < 0.5, rng.uniform(0.5, 60, n), np.nan)
    if ranged:
        spread = rng.uniform(1, 1.6, n)
        rows["parameters_b"] = (p / spread, p, p * spread)
        rows["output_tokens"] = (np.floor(t / spread), t, np.ceil(t * spread))
    return rows


def _row(cols, i):
    out = {}
    for k, v in cols.items():
        if isinstance(v, tuple):
            out[k] = tuple(float(x[i]) for x in v)
        elif isinstance(v, np.ndarray) and v.dtype.kind == "f":
            out[k] = None if np.isnan(v[i]) else float(v[i])
        else:
            out[k] = v[i] if isinstance(v, (list, np.ndarray)) else v
    if out.get("active_parameters_b") is not None and isinstance(out["parameters_b"], tuple):
        out["active_parameters_b"] = None  # a ranged total with a point active count: left to the dense rows
    return out


def _approx(a, b):
    return pytest.approx(b, rel=REL, abs=1e-300)


@pytest.mark.parametrize(("seed", "ranged", "throughput"), [(1, False, False), (2, True, False), (3, False, True)])
def test_each_row_is_the_per_call_estimate(seed, ranged, throughput):
    n = 40
    cols = _rows(seed, n, ranged=ranged, throughput=throughput)
    if ranged:
        cols["active_parameters_b"] = np.full(n, np.nan)
    rng = np.random.default_rng(seed + 10)
    location = [ZONES[i] for i in rng.integers(0, len(ZONES), n)]
    hardware = [GPUS[i] for i in rng.integers(0, len(GPUS), n)]
    kw = {"pue": (1.1, 1.2, 1.4), "lifetime_years": (3, 4, 6)}
    batch = estimate_inference_batch(**cols, location=location, hardware=hardware, **kw)
    parts: dict[str, list] = {}
    for i in range(n):
        one = estimate_inference(**_row(cols, i), location=location[i], hardware=hardware[i], **kw)
        assert tuple(float(x[i]) for x in batch.energy_kwh) == _approx(None, one.energy_kwh.as_tuple())
        assert tuple(float(x[i]) for x in batch.co2e_kg) == _approx(None, one.co2e_kg.as_tuple())
        for p in one.parts:
            parts.setdefault(p.name, []).append(p)
    assert sorted(parts) == sorted(batch.total.names())
    for name, ps in parts.items():
        total = batch.total.part(name)
        assert total.energy_kwh.as_tuple() == pytest.approx(
            tuple(sum(x) for x in zip(*(p.energy_kwh.as_tuple() for p in ps), strict=True)), rel=1e-9)
        for c in CRITERIA:
            assert (c in total.impacts) == all(c in p.impacts for p in ps), (name, c)
            if c in total.impacts:
                expected = tuple(sum(x) for x in zip(*(p.impacts[c].as_tuple() for p in ps), strict=True))
                assert total.impacts[c].as_tuple() == pytest.approx(expected, rel=1e-9), (name, c)


def test_a_per_request_figure_in_each_row_and_the_requests_it_stands_for():
    wh = np.array([0.3, 2.9, 3.75])
    req = np.array([10, 1, 1000])
    batch = estimate_inference_batch(wh_per_request=wh, requests=req, pue=1.2, boundary="it", location="FR")
    for i in range(3):
        one = estimate_inference(wh_per_request=float(wh[i]), requests=int(req[i]), pue=1.2, boundary="it",
                                 location="FR")
        assert tuple(float(x[i]) for x in batch.energy_kwh) == pytest.approx(one.energy_kwh.as_tuple(), rel=REL)
        assert tuple(float(x[i]) for x in batch.co2e_kg) == pytest.approx(one.co2e_kg.as_tuple(), rel=REL)
    assert batch.total.meta["requests"] == 1011
    d = batch.to_dict()
    assert (d["rows"], d["requests"]) == (3, 1011)
    assert d["energy_kwh"] == pytest.approx(float(np.sum(batch.energy_kwh[1])), rel=1e-12)
    facility = estimate_inference_batch(wh_per_request=wh, location="FR")
    assert facility.total.names() == ["inference.compute"]
    assert any(getattr(w, "key", "") == "engine.boundary_assumed" for w in facility.total.warnings)


def test_an_intensity_per_row_and_a_pue_per_row():
    intensity = np.array([50.0, 400.0])
    batch = estimate_inference_batch(parameters_b=[70, 70], output_tokens=[400, 400], intensity_g_per_kwh=intensity,
                                     pue=np.array([1.1, 1.5]))
    one = estimate_inference(parameters_b=70, output_tokens=400, intensity_g_per_kwh=400, pue=1.5)
    assert float(batch.co2e_kg[1][1]) == pytest.approx(one.co2e_kg.central, rel=REL)
    assert "pe" in batch.total.part("gpu.dynamic").not_assessed  # no zone: no mix


@pytest.mark.parametrize(("kw", "field", "text"), [
    ({"parameters_b": [70, -1, 8], "output_tokens": 400}, "parameters_b", "row 2"),
    ({"parameters_b": [70, np.nan], "output_tokens": 400}, "parameters_b", "row 2"),
    ({"parameters_b": [70, 8], "output_tokens": [400, 300, 2]}, "parameters_b", "3"),
    ({"parameters_b": [70, 8], "active_parameters_b": [20, 10], "output_tokens": 4}, "active_parameters_b", "row 2"),
    ({"parameters_b": 70, "output_tokens": 4, "wh_per_request": 1.0}, "wh_per_request", "parameters_b"),
    ({"parameters_b": 70, "output_tokens": 4, "intensity_g_per_kwh": 300, "wue": 0.5}, "wue", "not used"),
    ({"wh_per_request": [1.0, 2.0], "requests": [1, 2.5]}, "requests", "row 2"),
    ({"parameters_b": ([70, 80], [60, 80], [90, 90]), "output_tokens": 4}, "parameters_b", "row 1"),
])
def test_bad_rows_are_named(kw, field, text):
    where = {} if "intensity_g_per_kwh" in kw else {"location": "FR"}
    with pytest.raises(InputError) as err:
        estimate_inference_batch(**where, **kw)
    assert err.value.field == field
    assert text in err.value.render("en", field)


def test_without_numpy_the_error_says_which_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(MissingExtraError, match=r"aiceberg\[analysis\]"):
        numpy()


def test_importing_the_batch_module_does_not_import_numpy():
    code = "import sys, aiceberg.model.batch; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
