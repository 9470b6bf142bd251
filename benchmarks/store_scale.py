"""How the run store, lists and run reports scale: runs of 1 h, 24 h and 7 days, stores of 1,000 and 20,000 runs.

Everything is built through the public store API (``open_store``, ``create_run``, ``append``,
``finish_run``), the way the tracker writes: 2 channels (CPU package, GPU) sampled at 1 Hz, flushed in
batches, one phase per hour, a summary with its footprint. Then, each in a fresh interpreter, as a user
would type them:

- ``aiceberg report RUN --html FILE`` on each run (``report_s``, ``report_peak_mib``);
- ``aiceberg runs list`` on each store: its first page of 100 runs (``list_s``, ``list_peak_mib``) and
  every run with ``--all`` (``list_all_s``, ``list_all_peak_mib``), to /dev/null;
- ``aiceberg runs export RUN --format csv`` on the longest run (``export_csv_s``, ``export_csv_peak_mib``);

and the disk the samples take (``bytes_per_channel_hour``: the store file of the longest run, WAL
checkpointed, minus the same store with the run but no samples, over channels × hours).

Times are the median wall time of ``--repeat`` runs of the whole command (interpreter start included),
and the median CPU time (user + system, ``os.wait4``), which a machine shared with other jobs disturbs less.
Peak memory is the command's whole-process peak resident set (``ru_maxrss`` from ``os.wait4``, the command
started from a bare interpreter so that this process's own memory is not counted in it), the largest of the
repeats, in MiB — not a delta: it includes the interpreter and imports.
The package's bytecode is compiled first (``compileall``), as an installed package's is: a checkout run
with ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module in every command (~0.3 s here).

Run: ``python benchmarks/store_scale.py [--hours 1,24,168] [--stores 1000,20000] [--repeat 3] [--keep DIR]``.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

CHANNELS = (("rapl:package-0", "rapl", "cpu", "CPU package 0"), ("nvml:0", "nvml", "gpu", "GPU 0"))
CPU_W, GPU_W = 65.0, 280.0


def _summary(run_id: str, hours: float, started_unix: float) -> Any:
    """The run's summary as the tracker would give it (a footprint from the engine)."""
    from aiceberg.model.measured import measured_footprint
    from aiceberg.model.run_summary import RunSummary

    duration = hours * 3600.0
    domains = {"cpu": CPU_W * duration / 3.6e6, "gpu": GPU_W * duration / 3.6e6}
    host = {"cpu_model": "AMD EPYC 7763 64-Core Processor", "gpu_models": ["NVIDIA A100-SXM4-40GB"],
            "gpu_count": 1, "cpu_count": 2}
    fp = measured_footprint(domains, duration_s=duration, location="FR", pue=None, host=host)
    return RunSummary(
        run_id=run_id, status="finished", started_at=_iso(started_unix), ended_at=_iso(started_unix + duration),
        duration_s=duration, name=f"bench {hours:g} h", command="python train.py --epochs 10", exit_code=0,
        energy_kwh=sum(domains.values()), co2e_kg=fp.co2e_kg, location="FR", interval_s=1.0,
        samples=int(duration), domains_kwh=domains, host=host, footprint=fp,
    )


def _iso(unix: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(unix, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _finish(store: Any, run_id: str, summary: Any) -> None:
    """``finish_run`` with a ``RunEnd`` (this release), or with keywords and a dict (0.1.0, for before/after)."""
    try:
        from aiceberg.store import RunEnd
    except ImportError:
        store.finish_run(run_id, status=summary.status, ended_at=summary.ended_at, duration_s=summary.duration_s,
                         energy_kwh=summary.energy_kwh, co2e_kg=summary.co2e_kg.central, exit_code=0,
                         end_reason=None, summary=summary.to_dict())
        return
    store.finish_run(run_id, RunEnd.from_summary(summary))


def _new_run(run_id: str, started_unix: float) -> Any:
    from aiceberg.store import NewRun

    return NewRun(run_id=run_id, started_at=_iso(started_unix), started_unix=started_unix, pid=1,
                  hostname=socket.gethostname(), name="bench", command="python train.py --epochs 10",
                  location="FR")


def build_run(db: Path, hours: float, *, with_samples: bool = True) -> str:
    """One run of ``hours`` at 1 Hz on 2 channels, flushed an hour at a time; returns its id."""
    from aiceberg.store import ChannelRow, PhaseRow, SampleRow, open_store

    run_id = f"bench-{hours:g}h-0123456789abcdef"
    started = 1.7e9
    store = open_store(str(db))
    store.create_run(_new_run(run_id, started), [ChannelRow(c, s, d, lab, "measured") for c, s, d, lab in CHANNELS])
    n = int(hours * 3600)
    batch = 3600
    e_cpu = e_gpu = 0.0
    for start in range(0, n + 1 if with_samples else 0, batch):
        rows = []
        for i in range(start, min(start + batch, n + 1)):
            t = i + 0.000137 * (i % 7)  # a monotonic clock is never exactly on the second
            if i:
                e_cpu += CPU_W * (1.0 + 0.05 * ((i // 60) % 3))
                e_gpu += GPU_W * (0.5 if (i // 600) % 2 else 1.0)
            rows.append(SampleRow(t, CHANNELS[0][0], e_cpu, None))
            rows.append(SampleRow(t, CHANNELS[1][0], e_gpu, GPU_W))
        hour = start // 3600
        phases = [PhaseRow(hour, f"epoch {hour + 1}", float(start), float(min(start + batch, n)), None)]
        store.append(run_id, rows, phases, heartbeat_unix=started + start)
    _finish(store, run_id, _summary(run_id, hours, started))
    store.close()
    return run_id


def build_store(db: Path, runs: int) -> None:
    """``runs`` finished runs (no samples), each with a full summary, as many trackers would leave them."""
    from aiceberg.store import ChannelRow, open_store

    store = open_store(str(db))
    summary = _summary("x", 0.5, 1.7e9)
    channels = [ChannelRow(c, s, d, label, "measured") for c, s, d, label in CHANNELS]
    for k in range(runs):
        run_id = f"{k:08d}-bench-run-0123456789abcdef"
        started = 1.7e9 + 60.0 * k
        store.create_run(_new_run(run_id, started), channels)
        _finish(store, run_id, _with_id(summary, run_id))
    store.close()


def _with_id(summary: Any, run_id: str) -> Any:
    from dataclasses import replace

    return replace(summary, run_id=run_id)


def _store_bytes(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


# Runs the command from a small process, and writes its exit code, wall and CPU seconds and peak KiB to fd
# argv[1]. A child started straight from this process would count this process's own resident pages in its
# ru_maxrss (the high-water mark survives fork and exec: 300 MiB here made ``python -c pass`` read 310 MiB);
# started from a bare interpreter, it counts that interpreter's few MiB at most, less than its own.
_LAUNCHER = """
import os, sys, time
out = int(sys.argv[1])
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.close(out)
    os.execv(sys.executable, [sys.executable, "-m", "aiceberg", *sys.argv[2:]])
_, status, u = os.wait4(pid, 0)
os.write(out, f"{os.waitstatus_to_exitcode(status)} {time.perf_counter() - t0} {u.ru_utime + u.ru_stime} "
              f"{u.ru_maxrss}".encode())
"""


def _command(args: list[str], repeat: int) -> tuple[float, float, float]:
    """(median wall s, median CPU s, peak MiB) of ``python -m aiceberg ARGS``, each in a fresh process."""
    times, cpus, peaks = [], [], []
    for _ in range(repeat):
        r, w = os.pipe()
        with open(os.devnull, "wb") as null:
            proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(w), *args], stdout=null,
                                    stderr=subprocess.PIPE, pass_fds=(w,))
            os.close(w)
            assert proc.stderr is not None
            err = proc.stderr.read()
            proc.wait()
        with os.fdopen(r, "rb") as fh:
            code, wall, cpu, peak_kib = fh.read().decode().split()
        if int(code) != 0:
            raise SystemExit(f"aiceberg {' '.join(args)} failed ({code}): {err.decode(errors='replace')}")
        times.append(float(wall))
        cpus.append(float(cpu))
        peaks.append(int(peak_kib) / 1024)  # Linux: KiB
    return statistics.median(times), statistics.median(cpus), max(peaks)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", default="1,24,168", help="run lengths in hours (default 1,24,168)")
    ap.add_argument("--stores", default="1000,20000", help="store sizes in runs (default 1000,20000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each command (median time, max memory)")
    ap.add_argument("--keep", metavar="DIR", help="build the stores in DIR and keep them (reused when present)")
    args = ap.parse_args(argv)
    work = Path(args.keep or tempfile.mkdtemp(prefix="aiceberg-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    import compileall

    import aiceberg

    compileall.compile_dir(os.path.dirname(aiceberg.__file__), quiet=1)
    out: dict[str, Any] = {"report_s": {}, "report_cpu_s": {}, "report_peak_mib": {}, "list_s": {}, "list_cpu_s": {},
                           "list_peak_mib": {}, "list_all_s": {}, "list_all_cpu_s": {}, "list_all_peak_mib": {}}
    hours_list = [float(h) for h in args.hours.split(",")]
    runs: dict[float, tuple[Path, str]] = {}
    for hours in hours_list:
        db = work / f"run-{hours:g}h.db"
        if not db.exists():
            build_run(db, hours)
        runs[hours] = (db, f"bench-{hours:g}h-0123456789abcdef")
    for hours, (db, run_id) in runs.items():
        html = work / f"report-{hours:g}h.html"
        s, cpu, mib = _command(["report", run_id, "--db", str(db), "--html", str(html)], args.repeat)
        out["report_s"][f"{hours:g}h"] = round(s, 3)
        out["report_cpu_s"][f"{hours:g}h"] = round(cpu, 3)
        out["report_peak_mib"][f"{hours:g}h"] = round(mib, 1)
    for size in (int(x) for x in args.stores.split(",")):
        db = work / f"store-{size}.db"
        if not db.exists():
            build_store(db, size)
        for key, more in (("list", []), ("list_all", ["--all"])):
            try:
                s, cpu, mib = _command(["runs", "list", "--db", str(db), *more], args.repeat)
            except SystemExit:
                if more:  # 0.1.0 has no --all: its plain list is every run
                    continue
                raise
            out[f"{key}_s"][str(size)] = round(s, 3)
            out[f"{key}_cpu_s"][str(size)] = round(cpu, 3)
            out[f"{key}_peak_mib"][str(size)] = round(mib, 1)
    longest = max(hours_list)
    db, run_id = runs[longest]
    s, cpu, mib = _command(["runs", "export", run_id, "--db", str(db), "--format", "csv"], 1)
    out["export_csv_s"] = {f"{longest:g}h": round(s, 3)}
    out["export_csv_cpu_s"] = {f"{longest:g}h": round(cpu, 3)}
    out["export_csv_peak_mib"] = {f"{longest:g}h": round(mib, 1)}
    empty = work / f"empty-{longest:g}h.db"
    if not empty.exists():
        build_run(empty, longest, with_samples=False)
    per = (_store_bytes(db) - _store_bytes(empty)) / (len(CHANNELS) * longest)
    out["bytes_per_channel_hour"] = round(per)
    out["sample_rows"] = {f"{h:g}h": (int(h * 3600) + 1) * len(CHANNELS) for h in hours_list}
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
