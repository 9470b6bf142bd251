"""A million LLM requests: aiceberg's batch, the bare numpy formula, and per-call loops, side by side.

    python benchmarks/batch.py [--rows 1000000] [--sample 2000] [--runs 7]

* aiceberg: ``estimate_inference_batch`` on arrays (every row's energy and GWP with their ranges, the total
  with its parts and the other criteria, inputs checked against their bounds);
* bare formula: the same model written inline with numpy, central values only, no checks, no ranges (the
  floor a vectorised evaluation cannot go under); the target is aiceberg within 5 × of it;
* per-call loops on a sample of rows, extrapolated to ``--rows`` (said so): aiceberg's ``estimate_inference``
  and EcoLogits 0.11.3's ``compute_llm_impacts`` (where EcoLogits is installed:
  ``pip install -r benchmarks/requirements.txt``).

Times are medians over ``--runs``, wall and CPU (the usual machine is shared: CPU time is the steadier).
The script also checks that the three agree (the bare formula and EcoLogits on the sample, to 10⁻⁹).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np

from aiceberg import refdata
from aiceberg.model.batch import estimate_inference_batch
from aiceberg.model.inference import estimate_inference
from aiceberg.model.llm import llm_constants
from aiceberg.units import HOURS_PER_YEAR

LOCATION, PUE = "US", 1.2


def rows(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    latency = np.where(rng.random(n) < 0.3, rng.uniform(0.5, 30, n), np.nan)  # 30 % measured latencies
    return {"parameters_b": rng.uniform(1, 400, n), "output_tokens": rng.integers(10, 2000, n).astype(float),
            "latency_s": latency}


def bare(p: np.ndarray, t: np.ndarray, latency: np.ndarray, intensity: float, emb_per_gpu_hour: float) -> tuple:
    """The model inline, central values: per-row kWh and kgCO2e."""
    k = llm_constants()
    gpus = 2.0 ** np.ceil(np.log2(np.maximum(1, np.ceil(k.memory_overhead * p * (k.bits / 8) / k.gpu_memory_gb))))
    gpu_kwh = gpus * t * (k.wh_per_token_slope * p + k.gpu_gamma) / 1000.0
    lat = t * (k.latency_alpha * p + (k.latency_beta * k.batch + k.latency_gamma))
    lat = np.fmin(latency, lat)  # fmin: NaN (no measured latency) keeps the modelled one
    held = lat * gpus
    energy = (gpu_kwh + held * (k.server_kw / 3600.0 / k.server_gpus / k.batch)) * PUE
    co2e = energy * (intensity / 1000.0) + held * (emb_per_gpu_hour / k.batch / 3600.0)
    return energy, co2e


def timed(fn, runs: int) -> tuple[float, float, object]:
    walls, cpus, out = [], [], None
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=2000, help="rows run through the per-call loops")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    n = args.rows
    cols = rows(n)
    estimate_inference_batch(**{k: v[:10] for k, v in cols.items()}, location=LOCATION, pue=PUE)  # warm caches

    intensity = refdata.get_zone(LOCATION).intensity_g_per_kwh
    life = refdata.find("factors", "embodied_lifetime_years").value
    gpu = refdata.get_hardware("h100").embodied_kgco2e
    server = refdata.get_hardware("default-server").embodied_kgco2e
    emb = (gpu + server / llm_constants().server_gpus) / (life * HOURS_PER_YEAR)

    a_wall, a_cpu, result = timed(lambda: estimate_inference_batch(**cols, location=LOCATION, pue=PUE), args.runs)
    ranged = {**cols, "parameters_b": (cols["parameters_b"] * 0.8, cols["parameters_b"], cols["parameters_b"] * 1.2)}
    r_wall, r_cpu, _ = timed(lambda: estimate_inference_batch(**ranged, location=LOCATION, pue=PUE), args.runs)
    b_wall, b_cpu, (b_energy, b_co2e) = timed(
        lambda: bare(cols["parameters_b"], cols["output_tokens"], cols["latency_s"], intensity, emb), args.runs)
    dev_e = float(np.max(np.abs(result.energy_kwh[1] / b_energy - 1)))
    dev_g = float(np.max(np.abs(result.co2e_kg[1] / b_co2e - 1)))

    s = args.sample
    sample = [(float(cols["parameters_b"][i]), float(cols["output_tokens"][i]),
               None if math.isnan(cols["latency_s"][i]) else float(cols["latency_s"][i])) for i in range(s)]
    c_wall, c_cpu, _ = timed(lambda: [estimate_inference(parameters_b=p, output_tokens=t, latency_s=lat,
                                                         location=LOCATION, pue=PUE) for p, t, lat in sample], 1)
    lines = [
        ("aiceberg estimate_inference_batch (ranges, parts, criteria, checks)", a_wall, a_cpu, ""),
        ("aiceberg, the same rows with parameters ±20 % (the model at 3 corners)", r_wall, r_cpu, ""),
        ("bare numpy formula (central values only)", b_wall, b_cpu, ""),
        ("aiceberg estimate_inference, one call per row", c_wall * n / s, c_cpu * n / s, f"extrapolated from {s:,}"),
    ]
    eco_dev = None
    try:
        from ecologits.impacts.llm import compute_llm_impacts
    except ImportError:
        lines.append(("EcoLogits compute_llm_impacts, one call per row", math.nan, math.nan, "not installed"))
    else:
        mix = refdata.find("electricity_mixes", LOCATION)

        def eco() -> list[float]:
            factors = {"if_electricity_mix_adpe": mix.adpe_kgsbeq_per_kwh, "if_electricity_mix_pe": mix.pe_mj_per_kwh,
                       "if_electricity_mix_gwp": intensity / 1000, "if_electricity_mix_wue": mix.water_l_per_kwh,
                       "datacenter_pue": PUE, "datacenter_wue": 0.38}
            return [compute_llm_impacts(model_active_parameter_count=p, model_total_parameter_count=p,
                                        output_token_count=t, request_latency=lat, **factors).energy.value
                    for p, t, lat in sample]

        e_wall, e_cpu, eco_energy = timed(eco, 1)
        eco_dev = float(np.max(np.abs(np.array(eco_energy) / b_energy[:s] - 1)))
        lines.append(("EcoLogits 0.11.3 compute_llm_impacts, one call per row", e_wall * n / s, e_cpu * n / s,
                      f"extrapolated from {s:,}"))

    print(f"{n:,} LLM requests (70 % modelled latency, 30 % measured), {LOCATION}, PUE {PUE}; median of {args.runs}\n")
    print(f"{'':72} {'wall':>10} {'CPU':>10}  note")
    for name, wall, cpu, note in lines:
        print(f"{name:72} {_t(wall):>10} {_t(cpu):>10}  {note}")
    print(f"\naiceberg / bare formula: {a_wall / b_wall:.2f} × wall, {a_cpu / b_cpu:.2f} × CPU (target < 5 ×); "
          f"aiceberg: {a_cpu:.3f} s CPU (target < 0.1 s)")
    print(f"largest relative difference, aiceberg vs bare: energy {dev_e:.1e}, CO2e {dev_g:.1e}"
          + ("" if eco_dev is None else f"; EcoLogits vs bare on the sample: energy {eco_dev:.1e}"))


def _t(seconds: float) -> str:
    if math.isnan(seconds):
        return "–"
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.1f} s"


if __name__ == "__main__":
    main()
