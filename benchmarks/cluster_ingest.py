"""Many nodes writing one PostgreSQL store: sustained samples per second, flush latency, CPU per node.

``--nodes`` simulated nodes (64 by default), each a process with a Slurm rank's environment (one task per
node: ``SLURM_JOB_ID``, ``SLURM_PROCID``, ``SLURMD_NODENAME``…), its own fake powercap tree (two sockets:
package, core and DRAM each: 6 channels, 4 of them counted) and its own runtime folder and spool (as
separate machines have), tracks itself with ``aiceberg.track`` at ``--interval`` (1 s) into one PostgreSQL
store, flushing every ``--flush-every`` s (5 s, the default), for ``--duration`` s. This process moves every
node's counters once a second (150 W per package, 20 W per DRAM), so the nodes' own CPU is aiceberg's.

It reports:

- ``samples_per_s``: rows stored per second over the steady part of the run (the store's count of the job's
  samples between two moments, once every node has flushed twice), and ``expected_samples_per_s``
  (nodes × channels / interval);
- ``flush_ms``: each node's writes of a flush (``store.append``, timed in the node) over all nodes:
  p50, p99, max;
- ``cpu_per_node_pct``: each node's CPU time (user + system, ``getrusage``) while it tracked, over that
  time, in % of one core: mean and max;
- ``power_per_node_w`` against ``drawn_per_node_w``: the job's total from ``aiceberg.jobs`` over the time
  the nodes' sensors were read, against the power this process makes each node draw (2 × (150 + 20) W: the
  cores inside their packages are not added): each node counted once.

Run: ``python benchmarks/cluster_ingest.py --db postgresql://… [--nodes 64] [--duration 180]``
(``--db`` defaults to ``AICEBERG_TEST_POSTGRES_URL``; the tables go in a fresh schema, dropped at the end
unless ``--keep``). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_W, DRAM_W, CORE_W = 150.0, 20.0, 90.0
CHANNELS = 6  # package, core, dram × 2 sockets
MAX_RANGE_UJ = 262143328850


def _tree(root: Path) -> None:
    """A server's powercap folder: two packages, each with its core and its DRAM (as sysfs lays it out)."""
    (root / "intel-rapl").mkdir(parents=True)
    (root / "intel-rapl" / "enabled").write_text("1\n")
    for s in range(2):
        for zone, name in ((f"intel-rapl:{s}", f"package-{s}"), (f"intel-rapl:{s}:0", "core"),
                           (f"intel-rapl:{s}:1", "dram")):
            folder = root / zone
            folder.mkdir()
            (folder / "name").write_text(name + "\n")
            (folder / "energy_uj").write_text("0\n")
            (folder / "max_energy_range_uj").write_text(f"{MAX_RANGE_UJ}\n")


def _advance(root: Path, seconds: float, uj: dict[str, int]) -> None:
    for s in range(2):
        for zone, watts in ((f"intel-rapl:{s}", PACKAGE_W), (f"intel-rapl:{s}:0", CORE_W),
                            (f"intel-rapl:{s}:1", DRAM_W)):
            uj[zone] = uj.get(zone, 0) + int(watts * seconds * 1e6)
            tmp = root / zone / "energy_uj.tmp"
            tmp.write_text(f"{uj[zone]}\n")
            os.replace(tmp, root / zone / "energy_uj")


# -- one node (a child process) ------------------------------------------------------------------------


class _TimedStore:
    """The store, with each ``append`` (a flush's write) timed."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.append_ms: list[float] = []

    def append(self, *args: Any, **kwargs: Any) -> None:
        t = time.perf_counter()
        try:
            self._store.append(*args, **kwargs)
        finally:
            self.append_ms.append((time.perf_counter() - t) * 1000)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def node_main(args: argparse.Namespace) -> None:
    import aiceberg
    from aiceberg.store import open_store

    store = _TimedStore(open_store(args.db, spool=True))
    before = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    with aiceberg.track(store=store, location="FR", interval_s=args.interval, flush_every_s=args.flush_every,
                        name="cluster-ingest", attach_pid=False, handle_signals=False) as run:
        stop = Path(args.stop)
        while not stop.exists():
            time.sleep(0.1)
        role = run.role
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    store.close()
    Path(args.result).write_text(json.dumps({"append_ms": store.append_ms, "cpu_s": cpu, "wall_s": wall,
                                             "role": role}))


# -- the cluster (this process) ------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def _count(url: str, job: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM samples s JOIN runs r ON r.run_key = s.run_key "
                                "WHERE r.job_id = %s", (job,)).fetchone()[0])


def _flushed_twice(url: str, job: str, nodes: int) -> bool:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT COUNT(*), MIN(duration_s) FROM runs WHERE job_id = %s", (job,)).fetchone()
    return int(row[0]) == nodes and row[1] is not None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", default=os.environ.get("AICEBERG_TEST_POSTGRES_URL"), help="a postgresql:// URL")
    p.add_argument("--nodes", type=int, default=64)
    p.add_argument("--duration", type=float, default=180.0, help="seconds of steady tracking (>= 120 for figures)")
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--flush-every", type=float, default=5.0)
    p.add_argument("--keep", action="store_true", help="keep the schema (its name is printed)")
    p.add_argument("--node-worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--stop", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.node_worker:
        node_main(args)
        return
    if not args.db or not args.db.startswith(("postgresql://", "postgres://")):
        p.error("--db: a postgresql:// URL (or set AICEBERG_TEST_POSTGRES_URL)")
    import psycopg

    schema = f"aiceberg_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.db, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{args.db}{'&' if '?' in args.db else '?'}options=-csearch_path%3D{schema}"
    from aiceberg.store import open_store

    open_store(url).close()  # the tables, before 64 nodes race to create them
    job = str(4_000_000 + os.getpid())
    tmp = Path(tempfile.mkdtemp(prefix="aiceberg-cluster-"))
    stop = tmp / "stop"
    procs = []
    trees = []
    moved: list[dict[str, int]] = [{} for _ in range(args.nodes)]
    for i in range(args.nodes):
        node = tmp / f"node-{i:02d}"
        _tree(node / "powercap")
        trees.append(node / "powercap")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AICEBERG_", "SLURM", "OMPI_", "PMI"))}
        env.update(
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
            SLURM_JOB_ID=job, SLURM_STEP_ID="0", SLURM_PROCID=str(i), SLURM_LOCALID="0", SLURM_NODEID=str(i),
            SLURM_NTASKS=str(args.nodes), SLURM_STEP_TASKS_PER_NODE=f"1(x{args.nodes})",
            SLURM_JOB_NUM_NODES=str(args.nodes), SLURMD_NODENAME=f"node-{i:02d}",
            AICEBERG_POWERCAP_ROOT=str(node / "powercap"), AICEBERG_RUNTIME_DIR=str(node / "run"),
            XDG_DATA_HOME=str(node / "data"), XDG_CONFIG_HOME=str(node / "config"), AICEBERG_DB=url,
        )
        procs.append(subprocess.Popen(
            [sys.executable, __file__, "--node-worker", "--db", url, "--interval", str(args.interval),
             "--flush-every", str(args.flush_every), "--stop", str(stop), "--result", str(node / "result.json")],
            env=env))
    lock = threading.Lock()
    done = threading.Event()

    def drive() -> None:  # every node draws power: its counters move once a second
        last = time.monotonic()
        while not done.wait(1.0):
            now = time.monotonic()
            with lock:
                for tree, uj in zip(trees, moved, strict=True):
                    _advance(tree, now - last, uj)
            last = now

    driver = threading.Thread(target=drive, daemon=True)
    driver.start()
    started = time.monotonic()
    while not _flushed_twice(url, job, args.nodes):
        if time.monotonic() - started > 300:
            raise SystemExit("the nodes did not all start in 5 minutes")
        time.sleep(args.flush_every)
    time.sleep(2 * args.flush_every)  # every node has flushed at least twice: steady from here
    t1, n1 = time.monotonic(), _count(url, job)
    time.sleep(args.duration)
    t2, n2 = time.monotonic(), _count(url, job)
    stop.touch()
    codes = [proc.wait(timeout=300) for proc in procs]
    done.set()
    driver.join()
    results = [json.loads((tmp / f"node-{i:02d}" / "result.json").read_text()) for i in range(args.nodes)]
    flushes = [ms for r in results for ms in r["append_ms"]]
    cpu = [100 * r["cpu_s"] / r["wall_s"] for r in results]
    from aiceberg.jobs import get_job

    summary = get_job(job, store=url)
    read_s = sum(n.read_s for n in summary.nodes)
    out = {
        "nodes": args.nodes, "channels_per_node": CHANNELS, "interval_s": args.interval,
        "flush_every_s": args.flush_every, "steady_s": round(t2 - t1, 1), "exit_codes": sorted(set(codes)),
        "samples_per_s": round((n2 - n1) / (t2 - t1), 1),
        "expected_samples_per_s": round(args.nodes * CHANNELS / args.interval, 1),
        "samples_stored": _count(url, job), "flushes": len(flushes),
        "flush_ms": {"p50": round(statistics.median(flushes), 2), "p99": round(_pct(flushes, 99), 2),
                     "max": round(max(flushes), 2)},
        "cpu_per_node_pct": {"mean": round(statistics.mean(cpu), 2), "max": round(max(cpu), 2)},
        "node_roles": sorted({r["role"] for r in results}),
        "job_energy_j": round((summary.energy_kwh or 0.0) * 3.6e6, 1), "job_nodes": len(summary.nodes),
        "job_complete": summary.complete,
        "power_per_node_w": round((summary.energy_kwh or 0.0) * 3.6e6 / read_s, 1) if read_s else None,
        "drawn_per_node_w": 2 * (PACKAGE_W + DRAM_W),
        "load_1min": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
        "schema": schema if args.keep else None,
    }
    if not args.keep:
        with psycopg.connect(args.db, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
