"""Import time and estimate time of aiceberg, beside CodeCarbon and EcoLogits.

Run (in an environment with aiceberg and the peers installed, see requirements.txt):

    python benchmarks/engine_speed.py [--runs 15]

Each import is timed in a fresh interpreter (median of N runs, interpreter start-up subtracted);
each estimate is the median over many calls in one process, after a warm-up call that loads the
reference data, in wall time and in CPU time (``time.process_time``: on a machine shared with other work
the wall time swings, the CPU time much less). Targets (issue 2): ``import aiceberg`` under a fifth of
``import codecarbon``; one estimate under 1 ms.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import time

SNIPPET = "import time; t = time.perf_counter(); import {mod}; print(time.perf_counter() - t)"


def import_time(mod: str, runs: int) -> float | None:
    if importlib.util.find_spec(mod) is None:
        return None
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", SNIPPET.format(mod=mod)], capture_output=True, text=True,
                             check=True).stdout
        times.append(float(out.strip().splitlines()[-1]))
    return statistics.median(times)


def per_call(fn, n: int) -> tuple[float, float]:
    """(wall, CPU) seconds per call: medians of 5 rounds of ``n`` calls."""
    fn()  # warm-up: loads and validates the reference data once
    wall, cpu = [], []
    for _ in range(5):
        t, c = time.perf_counter(), time.process_time()
        for _ in range(n):
            fn()
        wall.append((time.perf_counter() - t) / n)
        cpu.append((time.process_time() - c) / n)
    return statistics.median(wall), statistics.median(cpu)


def _row(name: str, fn, n: int) -> None:
    wall, cpu = per_call(fn, n)
    print(f"{name:<48}{wall * 1e6:>12.1f}{cpu * 1e6:>12.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()

    print(f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}; median of {args.runs} fresh interpreters\n")
    print(f"{'import':<24}{'time (ms)':>12}")
    results = {}
    for mod in ("aiceberg", "codecarbon", "ecologits"):
        t = import_time(mod, args.runs)
        results[mod] = t
        print(f"{'import ' + mod:<24}{'not installed' if t is None else f'{t * 1000:.1f}':>12}")
    if results.get("codecarbon"):
        print(f"\naiceberg / codecarbon import time: {results['aiceberg'] / results['codecarbon']:.3f} "
              "(target < 0.2)")

    from aiceberg.model.inference import estimate_inference
    from aiceberg.model.training import estimate_training

    def training():
        return estimate_training("a100", count=8, hours=24, location="FR")

    def llm():
        return estimate_inference(parameters_b=70, output_tokens=400, location="US")

    print(f"\n{'estimate, per call':<48}{'wall µs':>12}{'CPU µs':>12}")
    _row("aiceberg estimate_training (8 × A100, 24 h, FR)", training, 2000)
    _row("aiceberg estimate_inference (70B, 400 tokens)", llm, 2000)
    if importlib.util.find_spec("ecologits"):
        from ecologits.impacts.llm import compute_llm_impacts

        def eco():
            return compute_llm_impacts(
                model_active_parameter_count=70, model_total_parameter_count=70, output_token_count=400,
                request_latency=1e9, if_electricity_mix_adpe=7.4e-8, if_electricity_mix_pe=11.4,
                if_electricity_mix_gwp=0.38, if_electricity_mix_wue=0.0, datacenter_pue=1.2, datacenter_wue=0.0)

        _row("ecologits compute_llm_impacts (70B, 400 tokens)", eco, 2000)


if __name__ == "__main__":
    main()
