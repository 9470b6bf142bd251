"""Monte Carlo speed of a scenario: 10⁵ samples of the ChatGPT template (issue 10's target: under 100 ms on
a 2-core machine), beside the Sobol analysis that ``--samples`` adds and the central and range evaluations.

Run (with the [analysis] extra):

    python benchmarks/scenario_mc.py [--samples 100000] [--runs 7]

Each figure is the median of ``--runs`` runs after a warm-up run (which loads the reference data); the CPU
time of the process beside the wall time shows what a machine shared with other work adds. The
Monte Carlo figure is what the samples cost: drawing every uncertain input and evaluating every phase's
formula on the arrays, then the percentiles of the total, the per-unit figure and each phase.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from aiceberg.model.uncertainty import FLOAT, RANGE, array_ops, percentiles_of, sample
from aiceberg.scenario import get_template
from aiceberg.scenario.analysis import monte_carlo, phase_totals, total_co2e
from aiceberg.scenario.formulas import evaluate


def median_s(fn: Callable[[], object], runs: int, clock: Callable[[], float] = time.perf_counter) -> float:
    fn()
    times = []
    for _ in range(runs):
        t = clock()
        fn()
        times.append(clock() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--template", default="chatgpt-month")
    args = ap.parse_args()
    compiled = get_template(args.template).scenario().compiled
    dists = {k: i.dist for k, i in compiled.inputs.items()}
    ops = array_ops()
    uncertain = sum(not d.is_exact for d in dists.values())

    def mc() -> None:
        out = evaluate(compiled.plan, sample(dists, args.samples, 1), ops)
        total = total_co2e(out)
        percentiles_of([total, total / out.units, *(c for _, c in phase_totals(out).values())])

    central = {k: d.central for k, d in dists.items()}
    ranges = {k: d.q() for k, d in dists.items()}
    t_mc = median_s(mc, args.runs)
    cpu_mc = median_s(mc, args.runs, time.process_time)
    t_sobol = median_s(lambda: monte_carlo(compiled, args.samples, 1), max(3, args.runs // 2))
    t_central = median_s(lambda: evaluate(compiled.plan, central, FLOAT), args.runs)
    t_range = median_s(lambda: evaluate(compiled.plan, ranges, RANGE), args.runs)
    print(f"template {args.template}: {len(dists)} inputs, {uncertain} uncertain")
    print(f"Monte Carlo, {args.samples:,} samples (draws, every phase, percentiles): {t_mc * 1000:.1f} ms "
          f"(target < 100 ms); CPU time {cpu_mc * 1000:.1f} ms")
    print(f"  … with the Sobol indices as 'scenario run --samples' adds them: {t_sobol * 1000:.1f} ms")
    print(f"central value (floats): {t_central * 1e6:.1f} µs; ranges (Q): {t_range * 1e6:.1f} µs")


if __name__ == "__main__":
    main()
