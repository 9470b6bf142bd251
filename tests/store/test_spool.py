"""The local spool, against the real PostgreSQL server behind a proxy that a test stops and starts.

A PostgreSQL store that cannot be reached at start, or that goes away during a run, costs neither the
command nor the measurement: the samples wait in a local SQLite spool, the run says where, and
``aiceberg runs sync`` (or the tracker itself, when the server is back) sends them, once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from storekit import Proxy, new_run, pg_rows

from aiceberg.model.run_summary import RunSummary
from aiceberg.store import ChannelRow, PhaseRow, RunEnd, SampleRow, open_store
from aiceberg.store.spool import SpoolingStore, pending, replay_run, spool_file, sync

TRACKER_TESTS = Path(__file__).parent.parent / "tracker"  # fake_sensor.py
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def proxy(pg_url: str) -> Iterator[Proxy]:
    parts = urlsplit(pg_url)
    p = Proxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    yield p
    p.stop()


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _samples(start: int, stop: int) -> list[SampleRow]:
    return [SampleRow(float(t), "c", 10.0 * t) for t in range(start, stop)]


def _end(run_id: str) -> RunEnd:
    return RunEnd.from_summary(RunSummary(run_id, "finished", "2025-01-01T00:00:00.000Z", "2025-01-01T00:00:20.000Z",
                                          20.0, exit_code=0, energy_kwh=200 / 3.6e6))


def test_a_server_gone_mid_run_loses_nothing_and_sync_sends_it_once(proxy: Proxy, pg_url: str, tmp_path: Path) -> None:
    url = proxy.url(pg_url)
    proxy.start()
    store = SpoolingStore(url, spool_dir=tmp_path / "spool", retry_every_s=3600, clock=Clock())
    store.create_run(new_run("r1"), [ChannelRow("c", "fake", "cpu", "c", "measured")])
    store.append("r1", _samples(0, 10), [PhaseRow(0, "p", 0.0)], heartbeat_unix=time.time())
    proxy.stop()  # the server goes away mid-run
    store.append("r1", _samples(10, 20), [PhaseRow(0, "p", 0.0, 15.0, 150.0)], heartbeat_unix=time.time())
    store.finish_run("r1", _end("r1"))
    receipt = store.stored_at("r1")
    assert receipt.key == "store.spooled" and store.is_spooled("r1")
    text = str(receipt)
    assert str(spool_file(url, tmp_path / "spool")) in text and "aiceberg runs sync" in text
    assert "S3cret" not in text and "S3cret" not in receipt.render("fr")
    store.close()
    assert pending(url, tmp_path / "spool") == 1
    assert pg_rows(pg_url, "SELECT status, COUNT(*) FROM runs JOIN samples USING (run_key) GROUP BY status") == [
        ("running", 10)]  # what reached the server before it went away
    report = sync(url, spool_dir=tmp_path / "spool")  # still away: nothing lost, nothing sent, and why
    assert (report.runs, report.waiting) == (0, 1) and report.reason and "S3cret" not in report.reason
    proxy.start()
    report = sync(url, spool_dir=tmp_path / "spool")
    assert (report.runs, report.samples, report.waiting, report.reason) == (1, 10, 0, None)
    assert sync(url, spool_dir=tmp_path / "spool").runs == 0  # the spool is empty now
    check = open_store(pg_url)
    rec = check.get_run("r1")
    assert rec.status == "finished" and rec.summary is not None and rec.duration_s == 20.0
    assert check.samples("r1") == _samples(0, 20)
    assert check.phases("r1") == [PhaseRow(0, "p", 0.0, 15.0, 150.0)]
    check.close()


def test_the_tracker_sends_its_spooled_samples_itself_when_the_server_is_back(
    proxy: Proxy, pg_url: str, tmp_path: Path
) -> None:
    url = proxy.url(pg_url)
    clock = Clock()
    store = SpoolingStore(url, spool_dir=tmp_path / "spool", retry_every_s=30, clock=clock)  # unreachable at start
    store.create_run(new_run("r2"), [ChannelRow("c", "fake", "cpu", "c", "measured")])
    store.append("r2", _samples(0, 10), heartbeat_unix=time.time())
    assert store.is_spooled("r2")
    proxy.start()
    clock.t = 10.0
    store.append("r2", _samples(10, 20), heartbeat_unix=time.time())  # not yet time to try again
    assert store.is_spooled("r2")
    clock.t = 31.0
    store.append("r2", _samples(20, 30), heartbeat_unix=time.time())  # tries, sends, goes on there
    assert not store.is_spooled("r2")
    store.finish_run("r2", _end("r2"))
    assert store.stored_at("r2").key == "store.stored_in"
    store.close()
    assert pending(url, tmp_path / "spool") == 0
    check = open_store(pg_url)
    assert check.samples("r2") == _samples(0, 30) and check.get_run("r2").status == "finished"
    check.close()


def test_a_run_sent_twice_is_stored_once_and_a_late_copy_never_reopens_it(pg_url: str, tmp_path: Path) -> None:
    spool = open_store(tmp_path / "spool.db")
    spool.create_run(new_run("r3"), [ChannelRow("c", "fake", "cpu", "c", "measured")])
    spool.append("r3", _samples(0, 5), heartbeat_unix=time.time())
    primary = open_store(pg_url)
    assert replay_run(spool, primary, "r3") == 5  # type: ignore[arg-type]
    assert spool.samples("r3") == [] and spool.get_run("r3").status == "running"  # its owner may go on
    spool.append("r3", _samples(0, 8), heartbeat_unix=time.time())  # as if the forgetting had not happened
    assert replay_run(spool, primary, "r3") == 8  # type: ignore[arg-type]
    assert primary.samples("r3") == _samples(0, 8)
    primary.finish_run("r3", _end("r3"))
    spool.finish_run("r3", RunEnd("interrupted", "x", 1.0, end_reason="a late copy"))
    replay_run(spool, primary, "r3")  # type: ignore[arg-type]
    assert primary.get_run("r3").status == "finished"
    assert spool.count_runs() == 0
    spool.close()
    primary.close()


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICEBERG_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=os.pathsep.join([str(SRC), str(TRACKER_TESTS)]))
    return env


def test_aiceberg_run_runs_the_command_when_the_store_is_unreachable(proxy: Proxy, pg_url: str, tmp_path: Path) -> None:
    url = proxy.url(pg_url)  # the proxy is not started: connection refused
    env = _env(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "aiceberg", "run", "--interval", "0.05", "--db", url, "--",
         sys.executable, "-c", "print('the workload ran')"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "the workload ran" in out.stdout
    spool_dir = tmp_path / "data" / "aiceberg" / "spool"
    assert "local spool" in out.stderr and str(spool_file(url, spool_dir)) in out.stderr
    assert "S3cret" not in out.stdout + out.stderr
    assert f"stored in {spool_file(url, spool_dir)}" in out.stderr  # where it is, not where it was meant to go
    proxy.start()
    synced = subprocess.run([sys.executable, "-m", "aiceberg", "runs", "sync", "--db", url],
                            env=env, capture_output=True, text=True, timeout=120)
    assert synced.returncode == 0, synced.stderr
    assert "runs 1" in synced.stdout and "S3cret" not in synced.stdout + synced.stderr
    listed = subprocess.run([sys.executable, "-m", "aiceberg", "runs", "list", "--json", "--db", url],
                            env=env, capture_output=True, text=True, timeout=120)
    import json

    runs = json.loads(listed.stdout)
    assert [r["status"] for r in runs] == ["finished"] and runs[0]["energy_kwh"] > 0


def test_a_tracked_block_goes_on_when_the_store_is_unreachable(proxy: Proxy, pg_url: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(TRACKER_TESTS))
    from fake_sensor import CounterSensor

    from aiceberg import track

    url = proxy.url(pg_url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with track(sensors=[CounterSensor(power_w=100.0)], store=url, interval_s=0.02, flush_every_s=0.05) as run:
            time.sleep(0.3)
    assert run.result is not None and run.result.energy_kwh
    assert run.result.stored_in == str(spool_file(url))
    assert any(getattr(w, "key", "") == "store.spooled" for w in run.result.summary.warnings)
    assert not [w for w in run.result.summary.warnings if "S3cret" in str(w)]
    spooled = open_store(spool_file(url))
    assert len(spooled.samples(run.run_id)) >= 5 and spooled.get_run(run.run_id).status == "finished"
    spooled.close()
