"""Runs in other processes: SIGKILL keeps the flushed samples and the run becomes interrupted;
SIGTERM closes the run cleanly."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aiceberg.store import open_store

CHILD = textwrap.dedent(
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


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
    except sqlite3.Error:
        return 0


def _start(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str, Path]:
    db = tmp_path / "runs.db"
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.Popen([sys.executable, str(script), str(db)], env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    run_id = proc.stdout.readline().strip()
    deadline = time.monotonic() + 20
    while _count(db) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    return proc, run_id, db


def test_sigkill_keeps_samples_up_to_last_flush_and_marks_interrupted(tmp_path: Path, env: dict[str, str]) -> None:
    proc, run_id, db = _start(tmp_path, env)
    flushed = _count(db)
    assert flushed >= 20
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    store = open_store(db)
    assert store.mark_stale_runs() == [run_id]  # marking is explicit (aiceberg runs list/show do it)
    rec = store.get_run(run_id)
    assert rec.status == "interrupted"
    assert "gone" in (rec.end_reason or "")
    samples = store.samples(run_id)
    assert len(samples) >= flushed
    for s in samples:  # what was flushed is intact: a 100 W counter
        assert s.energy_j == pytest.approx(100.0 * s.t_s, rel=0.01, abs=0.05)
    # the last flush's running totals are kept for the listing
    assert rec.energy_kwh is not None and rec.energy_kwh > 0 and rec.duration_s > 0
    assert [r.status for r in store.list_runs()] == ["interrupted"]
    store.close()


def test_sigterm_finishes_the_run_cleanly(tmp_path: Path, env: dict[str, str]) -> None:
    proc, run_id, db = _start(tmp_path, env)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 128 + signal.SIGTERM
    store = open_store(db)
    rec = store.get_run(run_id)
    assert rec.status == "interrupted" and rec.end_reason == "SIGTERM"
    assert rec.ended_at is not None
    assert rec.summary is not None and rec.summary.sensors[0].status == "measured"  # the summary was written
    samples = store.samples(run_id)
    assert rec.energy_kwh == pytest.approx(max(s.energy_j or 0 for s in samples) / 3.6e6, rel=1e-9)
    store.close()
