"""Cost of serving Prometheus metrics: the scrape latency of ``/metrics`` and the exporter's CPU.

The exporter runs in its own process, as ``aiceberg exporter`` does (``NodeExporter``: its sampler
thread at ``--interval`` and prometheus_client's HTTP server), over a node's worth of fake hardware
shaped like the real interfaces: a two-socket RAPL powercap tree (package, core, DRAM per socket) and
``--gpus`` NVIDIA GPUs behind the tests' NVML stand-in (``tests/fakes``), their counters moving at each
read. Then, over real HTTP on 127.0.0.1:

* **scrape latency**: ``-n`` scrapes one after another (a new connection each, as ``urllib`` does), after
  one warm-up; median, p99 and max wall time, and the exporter's CPU time per scrape;
* **CPU per second**: the exporter's CPU time (``time.process_time``, user + system) over ``--seconds`` of
  sampling alone, then over ``--seconds`` with one scrape a second (a Prometheus scraping every second);
* **a tick**: the time to read every sensor once (what a scrape would cost if it read the sensors itself).

Usage::

    python benchmarks/metrics_scrape.py                       # 8 GPUs, 1,000 scrapes, 2 × 20 s
    python benchmarks/metrics_scrape.py --gpus 8 -n 2000 --seconds 30 --interval 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _fake_node(folder: Path, gpus: int) -> tuple[list, object]:
    """The node's sensors over fake hardware, and the fake NVML (its counters move at each read)."""
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    from tests.fakes.powercap import server
    from tests.fakes.pynvml import FakeGpu, FakeNvml, uuid

    from aiceberg.measure.nvidia import NvmlSensor
    from aiceberg.measure.rapl import RaplSensor

    server(folder / "powercap", sockets=2)
    nvml = FakeNvml([FakeGpu(name="NVIDIA H100 80GB HBM3", uuid=uuid(i), energy_mj=1_000_000 * i, power_mw=350_000)
                     for i in range(gpus)])
    original = nvml.nvmlDeviceGetTotalEnergyConsumption

    def moving(handle):  # type: ignore[no-untyped-def]
        handle.energy_mj += 350_000  # 350 J per read: a busy GPU read once a second
        return original(handle)

    nvml.nvmlDeviceGetTotalEnergyConsumption = moving  # type: ignore[method-assign]
    sensors = [RaplSensor(folder / "powercap"), NvmlSensor(nvml, gpus="all", env={})]
    return sensors, nvml


def serve(port_file: str, gpus: int, interval: float) -> None:
    """The exporter process: serve until stdin closes."""
    folder = Path(tempfile.mkdtemp(prefix="aiceberg-bench-node-"))
    sensors, _ = _fake_node(folder, gpus)
    from aiceberg.config import load_settings
    from aiceberg.measure.exporter import NodeExporter

    exporter = NodeExporter(load_settings({"interval_s": interval, "location": "FR"}), sensors=sensors, port=0)
    assert exporter.server is not None
    Path(port_file).write_text(str(exporter.server.port))
    for _ in sys.stdin:  # each line asks for this process's CPU time (ns resolution); EOF stops
        print(time.process_time(), flush=True)
    exporter.close()


def cpu_s(child: subprocess.Popen[str]) -> float:
    """The exporter's CPU time so far (user + system), asked of the process itself."""
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("cpu\n")
    child.stdin.flush()
    return float(child.stdout.readline())


def scrape(url: str) -> tuple[float, bytes]:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as r:
        body = r.read()
    return time.perf_counter() - t, body


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def tick_cost(gpus: int, repeats: int = 200) -> float:
    """Median time to read every sensor once, in s (in this process)."""
    folder = Path(tempfile.mkdtemp(prefix="aiceberg-bench-tick-"))
    sensors, _ = _fake_node(folder, gpus)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for s in sensors:
            s.read()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000, help="scrapes for the latency (default 1000)")
    ap.add_argument("--gpus", type=int, default=8, help="fake GPUs (default 8)")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each CPU measurement (default 20)")
    ap.add_argument("--interval", type=float, default=1.0, help="the exporter's sampling interval (default 1 s)")
    ap.add_argument("--serve", metavar="PORT_FILE", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.gpus, args.interval)
        return 0

    port_file = Path(tempfile.mkdtemp(prefix="aiceberg-bench-")) / "port"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file), "--gpus", str(args.gpus),
                              "--interval", str(args.interval)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        while not port_file.exists() or not port_file.read_text():
            if child.poll() is not None:
                raise SystemExit("the exporter did not start")
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port_file.read_text()}/metrics"
        time.sleep(2 * args.interval)  # two ticks: every series has a value (power needs two readings)
        _, body = scrape(url)
        series = sum(1 for line in body.decode().splitlines() if line.startswith("aiceberg_"))

        c0 = cpu_s(child)
        latencies = [scrape(url)[0] for _ in range(args.n)]
        per_scrape = (cpu_s(child) - c0) / args.n

        c0, t0 = cpu_s(child), time.monotonic()
        time.sleep(args.seconds)
        idle = (cpu_s(child) - c0) / (time.monotonic() - t0)

        stop = threading.Event()
        c0, t0 = cpu_s(child), time.monotonic()
        while time.monotonic() - t0 < args.seconds:
            scrape(url)
            stop.wait(1.0)
        scraped = (cpu_s(child) - c0) / (time.monotonic() - t0)
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(timeout=30)

    tick = tick_cost(args.gpus)
    print(f"exporter: 2 RAPL sockets + {args.gpus} GPUs (fake), sampling every {args.interval:g} s; "
          f"/metrics: {len(body):,} bytes, {series} aiceberg series")
    print(f"scrape latency over {args.n} scrapes: median {statistics.median(latencies) * 1e3:.2f} ms, "
          f"p99 {pct(latencies, 99) * 1e3:.2f} ms, max {max(latencies) * 1e3:.2f} ms")
    print(f"exporter CPU per scrape: {per_scrape * 1e3:.2f} ms")
    print(f"exporter CPU, sampling alone: {idle * 1e3:.2f} ms per second ({idle * 100:.3f} % of one core)")
    print(f"exporter CPU, sampling + 1 scrape/s: {scraped * 1e3:.2f} ms per second ({scraped * 100:.3f} % of one core)")
    print(f"one tick (every sensor read once, in-process): {tick * 1e6:.0f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
