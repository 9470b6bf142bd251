"""The SQL run store behaves the same on SQLite and PostgreSQL: every check here runs on both backends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from storekit import execute, new_run, rows

from aiceberg.errors import InputError, StoreError
from aiceberg.i18n import Msg
from aiceberg.model.quantity import Q
from aiceberg.model.run_summary import RunSummary, SensorReport
from aiceberg.store import ChannelRow, PhaseRow, RunEnd, RunRecord, RunRow, SampleRow, open_store
from aiceberg.store.migrations import LATEST, MIGRATIONS

TRACKER_TESTS = Path(__file__).parent.parent / "tracker"  # fake_sensor.py


def summary(run_id: str, **more: object) -> RunSummary:
    base: dict[str, object] = dict(
        run_id=run_id, status="finished", started_at="2025-01-01T00:00:00.000Z", ended_at="2025-01-01T00:00:02.000Z",
        duration_s=2.0, exit_code=0, energy_kwh=1e-5, co2e_kg=Q(1e-6, 5e-7, 2e-6), location="FR",
        domains_kwh={"cpu": 1e-5}, sensors=(SensorReport("rapl", "measured", 1e-5, Msg("store.no_run_id")),),
        warnings=("a warning", Msg("store.no_run_id")),
    )
    base.update(more)
    return RunSummary(**base)  # type: ignore[arg-type]


def test_migrations_are_recorded_once_and_in_order(target: str) -> None:
    store = open_store(target)
    assert store.schema_version() == LATEST  # type: ignore[attr-defined]
    store.close()
    open_store(target).close()
    assert rows(target, "SELECT version FROM schema_migrations ORDER BY version") == [(m.version,) for m in MIGRATIONS]


def test_round_trip_with_a_typed_summary(target: str) -> None:
    store = open_store(target)
    store.create_run(new_run("abc123"), [ChannelRow("rapl:0", "rapl", "cpu", "package-0", "measured")])
    store.append(
        "abc123",
        [SampleRow(0.0, "rapl:0", 0.0, 10.0), SampleRow(1.0, "rapl:0", None, None, "EIO"),
         SampleRow(2.0, "rapl:0", 20.0)],
        [PhaseRow(0, "epoch 1", 0.0)],
        heartbeat_unix=time.time(), partial={"duration_s": 2.0, "energy_kwh": 20 / 3.6e6},
    )
    store.append("abc123", [], [PhaseRow(0, "epoch 1", 0.0, 2.0, 20.0)], heartbeat_unix=time.time())
    running = store.get_run("abc")
    assert (running.status, running.duration_s, running.summary) == ("running", 2.0, None)
    assert running.energy_kwh == pytest.approx(20 / 3.6e6)
    done = summary("abc123")
    store.finish_run("abc123", RunEnd.from_summary(done))
    rec = store.get_run("abc123")
    assert isinstance(rec, RunRecord) and isinstance(rec.summary, RunSummary)
    assert rec.summary.to_dict() == done.to_dict()
    assert rec.summary.sensors[0].reason == Msg("store.no_run_id")  # catalog messages come back as messages
    assert (rec.status, rec.exit_code, rec.ended_at) == ("finished", 0, "2025-01-01T00:00:02.000Z")
    assert (rec.energy_kwh, rec.co2e_kg, rec.co2e_kg_low, rec.co2e_kg_high) == (1e-5, 1e-6, 5e-7, 2e-6)
    assert rec.co2e == Q(1e-6, 5e-7, 2e-6)
    assert store.phases("abc123") == [PhaseRow(0, "epoch 1", 0.0, 2.0, 20.0)]
    assert store.channels("abc123") == [ChannelRow("rapl:0", "rapl", "cpu", "package-0", "measured")]
    with pytest.raises(StoreError, match="no run") as info:
        store.get_run("zzz")
    assert info.value.code == "store.no_run"
    with pytest.raises(StoreError, match="no run"):
        store.get_run("a%")  # LIKE wildcards in a prefix are literal
    store.create_run(new_run("abd999"), [])
    with pytest.raises(StoreError, match="ambiguous"):
        store.get_run("ab")
    with pytest.raises(StoreError, match="no run"):
        store.finish_run("nope", RunEnd("failed", "x", 1.0))
    store.close()


def test_a_summary_of_version_1_reads_and_a_newer_one_is_a_clear_error(target: str) -> None:
    store = open_store(target)
    store.create_run(new_run("old"), [])
    store.create_run(new_run("new"), [])
    v1 = {"run_id": "old", "status": "finished", "duration_s": 5.0, "energy_kwh": 0.001, "co2e_kg": 0.0002,
          "co2e_kg_low": 0.0001, "co2e_kg_high": 0.0004, "sensors": [{"name": "rapl", "status": "measured"}],
          "warnings": ["w"], "phases": [{"name": "p", "start_s": 0.0, "end_s": 1.0, "energy_kwh": 0.0005}]}
    store.close()
    for run_id, data in (("old", v1), ("new", {"version": 99, "run_id": "new"})):
        text = json.dumps(data)
        sql = f"UPDATE runs SET status = 'finished', summary_json = '{text}' WHERE run_id = '{run_id}'"
        execute(target, sql)
    store = open_store(target)
    old = store.get_run("old").summary
    assert old is not None and old.co2e_kg == Q(0.0002, 0.0001, 0.0004) and old.phases[0].energy_kwh == 0.0005
    with pytest.raises(StoreError) as info:
        store.get_run("new")
    assert info.value.code == "store.summary_unreadable" and "99" in str(info.value)
    assert [r.run_id for r in store.list_runs()] == ["new", "old"]  # a list never reads summaries
    store.close()


def test_a_store_newer_than_the_code_is_refused_naming_both_versions(target: str) -> None:
    open_store(target).close()
    execute(target, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')")
    with pytest.raises(StoreError) as info:
        open_store(target)
    assert info.value.code == "store.too_new"
    assert "99" in str(info.value) and str(LATEST) in str(info.value) and "upgrade aiceberg" in str(info.value)
    assert "99" in info.value.render("fr") and "mettez aiceberg à jour" in info.value.render("fr")


def test_reading_never_marks_runs_marking_is_explicit(target: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    store = open_store(target)
    store.create_run(new_run("dead", pid=proc.pid), [])
    store.append("dead", [SampleRow(0.5, "c", 1.0)], heartbeat_unix=time.time(), partial={"duration_s": 0.5})
    store.create_run(new_run("alive"), [])  # this process: alive
    store.create_run(new_run("faraway", pid=1, hostname="elsewhere", flush=0.001), [])
    store.close()
    store = open_store(target, stale_after_s=0.0)
    time.sleep(0.01)
    assert {r.run_id: r.status for r in store.list_runs()} == {"dead": "running", "alive": "running",
                                                               "faraway": "running"}
    assert store.get_run("dead").status == "running"  # opening, listing and reading wrote nothing
    assert sorted(store.mark_stale_runs()) == ["dead", "faraway"]
    dead = store.get_run("dead")
    assert (dead.status, dead.duration_s) == ("interrupted", 0.5)
    assert "gone" in (dead.end_reason or "") and dead.ended_at
    assert "heartbeat" in (store.get_run("faraway").end_reason or "")
    assert store.get_run("alive").status == "running"
    store.close()


def test_lists_are_pages_of_columns_with_filters(target: str) -> None:
    store = open_store(target)
    hosts = ["b-node", "a-node", "b-node", "a-node", "b-node"]
    for k in range(5):
        rec = new_run(f"run{k}", hostname=hosts[k], started_unix=1000.0 + k)
        rec = type(rec)(**{**rec.__dict__, "started_at": f"2025-01-0{k + 1}T12:00:00.000Z"})
        store.create_run(rec, [])
    store.finish_run("run1", RunEnd.from_summary(summary("run1")))
    page = store.list_runs(limit=2)
    assert [r.run_id for r in page] == ["run4", "run3"]
    assert all(type(r) is RunRow for r in page)  # no summary decoded for a list
    assert [r.run_id for r in store.list_runs(limit=2, offset=2)] == ["run2", "run1"]
    assert [r.run_id for r in store.list_runs(offset=4)] == ["run0"]
    assert [r.run_id for r in store.list_runs(status="finished")] == ["run1"]
    assert [r.run_id for r in store.list_runs(hostname="a-node")] == ["run3", "run1"]
    assert [r.run_id for r in store.list_runs(started_from="2025-01-02", started_to="2025-01-04")] == [
        "run3", "run2", "run1"]
    assert store.count_runs() == 5 and store.count_runs(hostname="b-node") == 3
    assert store.count_runs(started_to="2025-01-01") == 1
    assert store.hostnames() == ["a-node", "b-node"]
    assert store.list_runs(limit=0) == []
    for bad in ({"limit": -1}, {"offset": -1}, {"started_from": "yesterday"}):
        with pytest.raises(InputError):
            store.list_runs(**bad)  # type: ignore[arg-type]
    store.close()


def test_gaps_stay_null_never_zero_and_samples_keep_time_then_channel_order(target: str) -> None:
    store = open_store(target)
    store.create_run(new_run("gaps"), [ChannelRow("a", "fake", "cpu", "a", "measured"),
                                       ChannelRow("b", "fake", "gpu", "b", "modelled")])
    data = [SampleRow(0.0, "a", 0.0, 5.0), SampleRow(0.0, "b", None, None, "no driver"),
            SampleRow(1.0, "a", None, None, "EIO"), SampleRow(1.0, "b", 3.5),
            SampleRow(2.0, "a", 0.0), SampleRow(2.0, "b", None, 7.0, "busy")]
    store.append("gaps", data[3:], heartbeat_unix=time.time())  # written out of order
    store.append("gaps", data[:3], heartbeat_unix=time.time())
    assert store.samples("gaps") == data
    assert list(store.iter_samples("gaps", batch=4)) == data
    assert list(store.iter_samples("gaps", batch=1)) == data
    store.close()
    assert rows(target, "SELECT COUNT(*) FROM samples WHERE energy_j IS NULL") == [(3,)]
    assert rows(target, "SELECT COUNT(*) FROM samples WHERE energy_j = 0") == [(2,)]


def test_writes_are_idempotent_so_a_run_can_be_sent_twice(target: str) -> None:
    store = open_store(target)
    store.create_run(new_run("twice"), [ChannelRow("a", "fake", "cpu", "a", "measured")])
    batch = [SampleRow(float(t), "a", 10.0 * t) for t in range(5)]
    store.append("twice", batch, [PhaseRow(0, "p", 0.0)], heartbeat_unix=time.time())
    store.close()
    store = open_store(target)  # another process, as the spool's sync would be
    store.create_run(new_run("twice"), [ChannelRow("a", "fake", "cpu", "a", "measured"),
                                        ChannelRow("b", "fake", "gpu", "b", "measured")])
    store.append("twice", [*batch, SampleRow(5.0, "b", 1.0), SampleRow(6.0, "unseen", 2.0)],
                 [PhaseRow(0, "p", 0.0, 4.0, 40.0)], heartbeat_unix=time.time())
    assert store.samples("twice") == [*batch, SampleRow(5.0, "b", 1.0), SampleRow(6.0, "unseen", 2.0)]
    assert [c.channel_id for c in store.channels("twice")] == ["a", "b", "unseen"]
    assert store.channels("twice")[2] == ChannelRow("unseen", "", "", "unseen", "unknown")
    assert store.phases("twice") == [PhaseRow(0, "p", 0.0, 4.0, 40.0)]
    assert store.count_runs() == 1
    # one reading per channel and instant: a gap gives way to a reading there, never the reverse
    store.append("twice", [SampleRow(7.0, "a", None, None, "EIO"), SampleRow(8.0, "a", 80.0)], heartbeat_unix=0.0)
    store.append("twice", [SampleRow(7.0, "a", 70.0), SampleRow(8.0, "a", None, None, "EIO")], heartbeat_unix=0.0)
    assert [(s.energy_j, s.error) for s in store.samples("twice") if s.t_s >= 7] == [(70.0, None), (80.0, None)]
    with pytest.raises(StoreError, match="no run"):
        store.append("nope", batch, heartbeat_unix=time.time())
    store.close()


def test_series_gives_the_mean_power_of_each_slice_from_the_counter(target: str) -> None:
    store = open_store(target)
    store.create_run(new_run("s"), [ChannelRow("gpu", "nvml", "gpu", "GPU 0", "measured"),
                                    ChannelRow("cpu", "rapl", "cpu", "CPU", "measured")])
    samples = []
    for t in range(1001):  # GPU 100 W for 500 s then 300 W; CPU 50 W with a gap around t = 250
        e_gpu = 100.0 * t if t <= 500 else 50_000.0 + 300.0 * (t - 500)
        samples.append(SampleRow(float(t), "gpu", e_gpu, 999.0))  # power_w is ignored where a counter exists
        samples.append(SampleRow(float(t), "cpu", None, None, "EIO") if 201 <= t <= 300
                       else SampleRow(float(t), "cpu", 50.0 * t))
    store.append("s", samples, heartbeat_unix=time.time())
    series = {s.channel_id: s for s in store.series("s", max_points=10)}
    gpu, cpu = series["gpu"], series["cpu"]
    assert (gpu.label, gpu.domain, cpu.label) == ("GPU 0", "gpu", "CPU")
    assert [t for t, _ in gpu.points] == [50.0 + 100.0 * i for i in range(10)]
    assert [w for _, w in gpu.points] == pytest.approx([100.0] * 5 + [300.0] * 5)
    # the slice (200, 300] has no good CPU reading: no point there, and the next one covers both slices
    assert [t for t, _ in cpu.points] == [50.0, 150.0, 300.0, 450.0, 550.0, 650.0, 750.0, 850.0, 950.0]
    assert [w for _, w in cpu.points] == pytest.approx([50.0] * 9)
    assert all(len(s.points) <= 20 for s in store.series("s", max_points=20))
    with pytest.raises(InputError):
        store.series("s", max_points=0)
    store.create_run(new_run("empty"), [ChannelRow("gpu", "nvml", "gpu", "GPU 0", "measured")])
    assert store.series("empty") == [type(gpu)("gpu", "GPU 0", "gpu", ())]
    store.close()


def test_odd_strings_never_crash_the_store(target: str) -> None:
    odd = "caf\udce9.txt"  # a byte of a non-UTF-8 argument, as os.fsdecode keeps it
    store = open_store(target)
    store.create_run(new_run("odd", name=odd, command=f"cat {odd}"), [ChannelRow(odd, odd, "cpu", odd, "measured")])
    store.append("odd", [SampleRow(0.0, odd, 0.0), SampleRow(1.0, odd, None, None, odd)],
                 [PhaseRow(0, odd, 0.0)], heartbeat_unix=time.time())
    store.finish_run("odd", RunEnd.from_summary(summary("odd", command=f"cat {odd}", end_reason=odd,
                                                        warnings=(odd,))))
    rec = store.get_run("odd")
    assert rec.command == "cat caf\\xe9.txt" and rec.name == "caf\\xe9.txt" and rec.end_reason == "caf\\xe9.txt"
    assert rec.summary is not None and rec.summary.command == "cat caf\\xe9.txt"
    assert rec.summary.warnings == ("caf\\xe9.txt",)
    assert [s.error for s in store.samples("odd")] == [None, "caf\\xe9.txt"]
    assert store.phases("odd")[0].name == "caf\\xe9.txt"
    store.close()


WRITER = textwrap.dedent(
    """
    import os, socket, sys, time
    from aiceberg.store import open_store, NewRun, ChannelRow, SampleRow, RunEnd
    target, run_id, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = open_store(target)
    store.create_run(NewRun(run_id, "2025-01-01T00:00:00Z", time.time(), os.getpid(), socket.gethostname()),
                     [ChannelRow("c", "fake", "cpu", "c", "measured")])
    for i in range(0, n, 10):
        store.append(run_id, [SampleRow(float(j), "c", float(j)) for j in range(i, i + 10)],
                     heartbeat_unix=time.time())
    store.finish_run(run_id, RunEnd("finished", "x", 1.0, exit_code=0))
    """
)


def test_two_concurrent_writers_lose_nothing(target: str, tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    n = 2000
    procs = [subprocess.Popen([sys.executable, str(script), target, f"w{k}", str(n)]) for k in range(2)]
    assert [p.wait(120) for p in procs] == [0, 0]
    store = open_store(target)
    for k in range(2):
        samples = store.samples(f"w{k}")
        assert [s.t_s for s in samples] == [float(j) for j in range(n)]
        assert store.get_run(f"w{k}").status == "finished"
    store.close()


TRACKED = textwrap.dedent(
    """
    import sys, time, warnings
    warnings.simplefilter("ignore")
    from fake_sensor import CounterSensor
    from aiceberg import track
    with track(sensors=[CounterSensor(power_w=100.0)], store=sys.argv[1], interval_s=0.02,
               flush_every_s=0.1) as run:
        print(run.run_id, flush=True)
        time.sleep(60)
    """
)


def test_a_sigkilled_tracker_run_keeps_its_samples_and_is_marked_when_asked(target: str, tmp_path: Path) -> None:
    script = tmp_path / "tracked.py"
    script.write_text(TRACKED)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICEBERG_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["PYTHONPATH"] = os.pathsep.join([str(TRACKER_TESTS), *filter(None, [os.environ.get("PYTHONPATH")])])
    proc = subprocess.Popen([sys.executable, str(script), target], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        run_id = proc.stdout.readline().strip()
        assert run_id, "the tracked child did not start"
        watcher = open_store(target)
        deadline = time.monotonic() + 20
        while len(watcher.samples(run_id)) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        flushed = len(watcher.samples(run_id))
        watcher.close()
        assert flushed >= 20
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    store = open_store(target)
    assert store.get_run(run_id).status == "running"  # opening does not mark
    assert store.mark_stale_runs() == [run_id]
    rec = store.get_run(run_id)
    assert rec.status == "interrupted" and "gone" in (rec.end_reason or "")
    samples = store.samples(run_id)
    assert len(samples) >= flushed
    t_first = samples[0].t_s
    for s in samples:  # what was flushed is intact: a 100 W counter
        assert s.energy_j == pytest.approx(100.0 * (s.t_s - t_first), rel=0.01, abs=0.05)
    assert rec.energy_kwh is not None and rec.energy_kwh > 0 and rec.duration_s
    store.close()
