"""A measured run from the store as a phase's input; a job where the store keeps none says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiceberg.model.run_records import ChannelRow, NewRun, RunEnd
from aiceberg.scenario import ScenarioError, loads
from aiceberg.store import open_store

SCENARIO = """
[scenario]
period_days = 30
unit = "whole-life"
intensity_g_per_kwh = 100
[training]
hardware = "a100"
{ref}
pue = 1.0
"""


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "runs.db"
    store = open_store(path)
    store.create_run(NewRun("feedbeef0001", "2025-01-01T00:00:00Z", 0.0, 1, "host"),
                     [ChannelRow("nvml:0", "nvml", "gpu", "GPU 0", "measured")])
    store.finish_run("feedbeef0001", RunEnd(status="finished", ended_at="2025-01-01T02:00:00Z", duration_s=7200.0,
                                            exit_code=0, energy_kwh=12.5))
    store.close()
    return path


def test_a_run_is_a_trainings_measured_electricity(store_path: Path) -> None:
    sc = loads(SCENARIO.format(ref='run = "feedbeef"'), opener=lambda: open_store(store_path))
    res = sc.run()
    e, c = res.ranges.parts["training.gpu.dynamic"]
    assert (e.central, c.central) == pytest.approx((12.5, 1.25))  # 12.5 kWh measured × 100 g/kWh
    inp = next(i for i in sc.compiled.inputs.values() if i.status == "measured" and i.unit == "kWh")
    assert inp.path == "training.run"
    # the GPU's manufacturing share follows the run's two hours
    assert res.ranges.parts["training.embodied.gpu"][1].central > 0


def test_an_unknown_run_names_the_field(store_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        loads(SCENARIO.format(ref='run = "nope"'), opener=lambda: open_store(store_path))
    assert [p.field for p in info.value.problems] == ["training.run"]


def test_a_job_in_a_store_without_jobs_says_so(store_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        loads(SCENARIO.format(ref='job = "1234"'), opener=lambda: open_store(store_path))
    (problem,) = info.value.problems
    assert problem.field == "training.job" and "keeps no jobs" in str(problem)
