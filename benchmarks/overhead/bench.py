"""Tracker overhead: the same CPU-bound workload untracked, tracked by aiceberg, tracked by CodeCarbon.

Each measurement runs in a fresh interpreter, modes alternate (untracked, aiceberg, codecarbon,
untracked, …), every tracker samples once per second. For each tracker it reports:

* background CPU: process CPU time minus the workload thread's own CPU time, while the workload runs,
  in ms and as a share of the workload's CPU time;
* start + stop: wall time of starting and of stopping the tracker (and their CPU time);
* slowdown: the workload's wall time against the untracked median;
* peak memory: peak RSS (VmHWM) over the interpreter's RSS before the tracker was imported.

Usage::

    python benchmarks/overhead/bench.py [--repeats 3] [--seconds 10] [--json out.json]

CodeCarbon is skipped with a message when it is not installed (``pip install codecarbon``). Both
trackers run offline: aiceberg with ``--location FR``, CodeCarbon's ``OfflineEmissionsTracker`` with
``country_iso_code="FRA"``; neither writes a file that the other does not (aiceberg writes its store in
a temporary folder, as it would by default; CodeCarbon's ``save_to_file`` is off).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap

CHILD = textwrap.dedent(
    r"""
    import json, os, sys, time

    def rss_kb(key):
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
        return 0

    def work(n):
        acc = 0
        for i in range(n):
            acc = (acc * 31 + i) % 1000003
        return acc

    mode, n = sys.argv[1], int(sys.argv[2])
    base_kb = rss_kb("VmRSS:")
    t_import = time.perf_counter()
    if mode == "aiceberg":
        import warnings
        warnings.simplefilter("ignore")
        from aiceberg.tracking import Run
        tracker = Run(location="FR", interval_s=1.0)
        start, stop = tracker.start, tracker.stop
    elif mode == "codecarbon":
        import logging
        from codecarbon import OfflineEmissionsTracker
        tracker = OfflineEmissionsTracker(country_iso_code="FRA", measure_power_secs=1,
                                          save_to_file=False, log_level="error")
        start, stop = tracker.start, tracker.stop
    else:
        start = stop = lambda: None
    import_s = time.perf_counter() - t_import

    c0, w0 = time.process_time(), time.perf_counter()
    start()
    c1, w1 = time.process_time(), time.perf_counter()
    th0 = time.thread_time()
    work(n)
    th1 = time.thread_time()
    c2, w2 = time.process_time(), time.perf_counter()
    stop()
    c3, w3 = time.process_time(), time.perf_counter()
    print(json.dumps({
        "mode": mode,
        "import_s": import_s,
        "start_s": w1 - w0, "stop_s": w3 - w2,
        "start_cpu_s": c1 - c0, "stop_cpu_s": c3 - c2,
        "workload_s": w2 - w1,
        "workload_cpu_s": th1 - th0,
        "background_cpu_s": (c2 - c1) - (th1 - th0),
        "peak_rss_mb": (rss_kb("VmHWM:") - base_kb) / 1024,
    }))
    """
)


def calibrate(seconds: float) -> int:
    n = 2_000_000
    code = (
        "import time\ndef work(n):\n    acc = 0\n    for i in range(n):\n        acc = (acc * 31 + i) % 1000003\n"
        f"t = time.perf_counter()\nwork({n})\nprint(time.perf_counter() - t)"
    )
    dt = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    return int(n * seconds / dt)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=10.0, help="length of the workload")
    ap.add_argument("--json", default=None, help="write every measurement here")
    args = ap.parse_args()

    modes = ["untracked", "aiceberg"]
    try:
        import importlib.util

        if importlib.util.find_spec("codecarbon") is not None:
            modes.append("codecarbon")
        else:
            print("codecarbon is not installed: skipped (pip install codecarbon)", file=sys.stderr)
    except ValueError:
        pass

    n = calibrate(args.seconds)
    results: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AICEBERG_")}
        env["AICEBERG_DB"] = os.path.join(tmp, "runs.db")
        env["CODECARBON_LOG_LEVEL"] = "error"
        for r in range(args.repeats):
            for mode in modes:
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, mode, str(n)], env=env, capture_output=True, text=True, cwd=tmp
                )
                if out.returncode != 0:
                    print(f"{mode} failed:\n{out.stderr[-2000:]}", file=sys.stderr)
                    continue
                row = json.loads(out.stdout.strip().splitlines()[-1])
                row["repeat"] = r
                results.append(row)
                print(f"  repeat {r + 1}/{args.repeats} {mode:<10} workload {row['workload_s']:.2f} s", file=sys.stderr)

    def med(mode: str, key: str) -> float:
        vals = [x[key] for x in results if x["mode"] == mode]
        return statistics.median(vals) if vals else float("nan")

    base = med("untracked", "workload_s")
    print(
        f"\nworkload: {n} iterations (~{args.seconds:g} s), {args.repeats} alternating repeats, "
        "interval 1 s, medians\n"
    )
    head = (f"{'tracker':<11} {'workload s':>10} {'slowdown':>9} {'bg CPU ms':>10} {'bg % of work':>12} "
            f"{'start+stop ms':>13} {'start+stop CPU ms':>17} {'import ms':>9} {'peak RSS MB':>11}")
    print(head)
    print("-" * len(head))
    for mode in modes:
        w = med(mode, "workload_s")
        bg = med(mode, "background_cpu_s")
        wc = med(mode, "workload_cpu_s")
        ss = med(mode, "start_s") + med(mode, "stop_s")
        ssc = med(mode, "start_cpu_s") + med(mode, "stop_cpu_s")
        print(
            f"{mode:<11} {w:>10.3f} {100 * (w / base - 1):>8.2f}% {1000 * bg:>10.1f} {100 * bg / wc:>11.3f}% "
            f"{1000 * ss:>13.1f} {1000 * ssc:>17.1f} {1000 * med(mode, 'import_s'):>9.1f} "
            f"{med(mode, 'peak_rss_mb'):>11.1f}"
        )
    if "codecarbon" in modes:
        a_bg, c_bg = med("aiceberg", "background_cpu_s"), med("codecarbon", "background_cpu_s")
        a_ss = med("aiceberg", "start_s") + med("aiceberg", "stop_s")
        c_ss = med("codecarbon", "start_s") + med("codecarbon", "stop_s")
        print(f"\naiceberg / codecarbon: background CPU {a_bg / c_bg:.3f}, start+stop {a_ss / c_ss:.3f}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
