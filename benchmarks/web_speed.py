"""Speed of the web app: start time of ``aiceberg serve`` and median latency of each page.

Usage::

    python benchmarks/web_speed.py            # 50 requests per page over real HTTP on 127.0.0.1
    python benchmarks/web_speed.py -n 200 --db runs.db

Start time = from launching ``python -m aiceberg serve --port P`` until the port answers ``/``.
Latency = wall time of one ``GET`` over a kept-alive HTTP connection (stdlib ``http.client``),
after one warm-up request per page; the median and the 90th percentile are printed.
Without ``--db``, a temporary store gets one run (``aiceberg run -- python -c pass``), so that a run's
report page (the same report as ``aiceberg report RUN``) is timed too.
The targets of the issue: start < 2 s, each page < 50 ms (median).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

PAGES = [
    ("home", "/"),
    ("training (form)", "/training"),
    ("training (result)", "/training?hardware=a100&count=8&hours=24&location=FR"),
    ("training (result, fr)", "/training?hardware=a100&count=8&hours=24&location=FR&lang=fr"),
    ("inference (result)", "/inference?task=chatgpt-gpt4o-query-epoch&requests=1000&location=US"),
    ("usage (result)", "/usage?users=100e6&requests_per_day=10&days=30&task=bloom-api-request&location=US"),
    ("my AI day (form)", "/my-ai-day"),
    ("my AI day (result)", "/my-ai-day?prompts_per_day=10&network=4g&other_devices=laptop&lang=fr"),
    ("runs", "/runs"),
    ("cases", "/cases"),
    ("case (bloom-training)", "/cases/bloom-training"),
    ("openapi.json", "/openapi.json"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int, timeout: float = 30.0) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/")
            if c.getresponse().status == 200:
                return time.perf_counter() - t0
        except OSError:
            time.sleep(0.01)
    raise RuntimeError("the server did not answer")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=50, help="requests per page (default 50)")
    ap.add_argument("--db", default=None, help="run store to show (default: an empty temporary one)")
    args = ap.parse_args()
    port = free_port()
    env = dict(os.environ)
    tmp = tempfile.mkdtemp(prefix="aiceberg-bench-")
    env.setdefault("AICEBERG_DB", args.db or os.path.join(tmp, "runs.db"))
    if not args.db:
        subprocess.run([sys.executable, "-m", "aiceberg", "run", "-q", "--name", "bench", "--location", "FR",
                        "--", sys.executable, "-c", "pass"], env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "aiceberg", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(port)
        start_s = time.perf_counter() - t0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/runs")
        first = re.search(r'href="(/runs/[^"?]+)', conn.getresponse().read().decode())
        pages = PAGES + ([("run (report)", first.group(1))] if first else [])
        rows = []
        for name, path in pages:
            conn.request("GET", path)
            r = conn.getresponse()
            size = len(r.read())
            times = []
            for _ in range(args.n):
                t = time.perf_counter()
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                times.append((time.perf_counter() - t) * 1000)
                assert resp.status == 200, (path, resp.status)
            times.sort()
            rows.append((name, statistics.median(times), times[int(0.9 * (len(times) - 1))], size))
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"aiceberg serve: start until the port answers  {start_s:.2f} s   (target < 2 s)")
    print(f"{'page':<24} {'median ms':>10} {'p90 ms':>8} {'KiB':>6}   (n = {args.n}, target median < 50 ms)")
    for name, med, p90, size in rows:
        flag = "" if med < 50 else "  SLOW"
        print(f"{name:<24} {med:>10.1f} {p90:>8.1f} {size / 1024:>6.1f}{flag}")
    return 0 if start_s < 2 and all(r[1] < 50 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
