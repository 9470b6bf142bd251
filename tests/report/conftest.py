"""Fixtures for the report tests: a case result, an estimate, and a run in a temporary SQLite store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aiceberg.cases import get_case
from aiceberg.model.footprint import Footprint
from aiceberg.model.training import estimate_training

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Every test here runs isolated from the user's settings (``tests/conftest.py``)."""


@pytest.fixture(scope="session")
def bloom():
    return get_case("bloom-training").run()


@pytest.fixture(scope="session")
def estimate() -> Footprint:
    return estimate_training("a100", count=8, hours=24, location="FR")


def make_run(db: str, fp: Footprint | None, name: str = "<script>alert(1)</script>") -> str:
    """A finished run with two channels, a gap, two phases and ``fp`` as its footprint."""
    from aiceberg.model.run_summary import RunSummary
    from aiceberg.store import ChannelRow, NewRun, PhaseRow, RunEnd, SampleRow, open_store

    store = open_store(db)
    run_id = "0123456789abcdef"
    store.create_run(
        NewRun(run_id=run_id, started_at="2025-01-01T00:00:00Z", started_unix=1.7e9, pid=os.getpid(),
               hostname="testhost", name=name, command="python train.py"),
        [ChannelRow("nvml:0", "nvml", "gpu", "GPU 0 <A100>", "measured"),
         ChannelRow("rapl:0", "rapl", "cpu", "CPU package 0", "measured")],
    )
    samples = []
    e_gpu = e_cpu = 0.0
    for i in range(61):
        t = float(i)
        w_gpu = 120.0 if t < 20 else 380.0
        e_gpu += w_gpu if i else 0.0
        e_cpu += 60.0 if i else 0.0
        samples.append(SampleRow(t, "nvml:0", None if i == 30 else e_gpu, error="timeout" if i == 30 else None))
        samples.append(SampleRow(t, "rapl:0", e_cpu))
    store.append(run_id, samples, [PhaseRow(0, "load <data>", 0.0, 20.0, 2400.0), PhaseRow(1, "train", 20.0, 60.0)],
                 heartbeat_unix=1.7e9 + 60)
    summary = RunSummary(run_id=run_id, status="finished", started_at="2025-01-01T00:00:00Z",
                         ended_at="2025-01-01T00:01:00Z", duration_s=60.0, exit_code=0, energy_kwh=0.0072,
                         co2e_kg=None if fp is None else fp.co2e_kg, footprint=fp)
    store.finish_run(run_id, RunEnd.from_summary(summary))
    store.close()
    return run_id


@pytest.fixture(name="make_run")
def _make_run_fixture():
    return make_run


def _load_run(db: str, run: str):
    """A run's report input, fetched as ``aiceberg report RUN`` does: the record, series and phases."""
    from aiceberg.explain.report import run_input
    from aiceberg.store import open_store

    store = open_store(db)
    try:
        rec = store.get_run(run)
        return run_input(rec, store.series(rec.run_id, max_points=400), store.phases(rec.run_id))
    finally:
        store.close()


def _case_report(name: str, lang: str):
    """A case's report input, the case run by the caller."""
    from aiceberg.explain.report import case_input

    return case_input(get_case(name).run(), lang)


@pytest.fixture(name="load_run")
def _load_run_fixture():
    return _load_run


@pytest.fixture(name="case_report")
def _case_report_fixture():
    return _case_report

