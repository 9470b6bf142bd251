"""A measured run or job from the store as a phase's input; an unknown one names the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.fakes.powercap import server

import aiceberg
from aiceberg.config import Settings
from aiceberg.measure.launcher import JobContext
from aiceberg.model.run_records import ChannelRow, NewRun, RunEnd
from aiceberg.scenario import ScenarioError, loads
from aiceberg.store import open_store
from aiceberg.tracking import Run

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


J_PER_KWH = 3.6e6


@pytest.fixture
def job_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A finished job of two ranks on one node (two trackers with torchrun's context, the node elected once),
    whose node drew 10 J in its package (6 J of it in the core zone inside) and 2 J in its DRAM."""
    monkeypatch.setenv("AICEBERG_RUNTIME_DIR", str(tmp_path / "runtime"))
    path = tmp_path / "runs.db"
    pc = server(tmp_path / "powercap", sockets=1, dram=True)
    settings = Settings(powercap_root=str(pc.root), interval_s=60, flush_every_s=60, gpus="none")
    store = open_store(path)
    runs = []
    for rank in range(2):
        ctx = JobContext("train-7", rank, "node-a", launcher="torchrun", local_rank=rank, local_world_size=2,
                         world_size=2, nodes=1)
        runs.append(Run(store=store, settings=settings, location="FR", job=ctx, attach_pid=False,
                        handle_signals=False).start())
    assert sorted(r.role for r in runs) == ["node", "rank"]
    pc.advance("intel-rapl:0", 10_000_000)
    pc.advance("intel-rapl:0:0", 6_000_000)
    pc.advance("intel-rapl:0:1", 2_000_000)
    for run in sorted(runs, key=lambda r: r.role == "node"):  # the node's reader last: no handover
        run.stop()
    store.close()
    return path


def test_a_job_is_a_trainings_measured_electricity_counted_once(job_store: Path) -> None:
    sc = loads(SCENARIO.format(ref='job = "train-7"'), opener=lambda: open_store(job_store))
    e, c = sc.run().ranges.parts["training.gpu.dynamic"]
    kwh = 12.0 / J_PER_KWH  # the package (its core zone inside it) and the DRAM, once: not once per rank
    assert (e.central, c.central) == pytest.approx((kwh, kwh * 0.1))
    energy, hours = (next(i for i in sc.compiled.inputs.values() if i.path == "training.job" and i.unit == u)
                     for u in ("kWh", "h"))
    assert energy.status == "measured" and energy.dist.central == pytest.approx(kwh)
    job = aiceberg.get_job("train-7", store=str(job_store))
    assert job.ranks == 2 and hours.dist.central == pytest.approx(job.duration_s / 3600.0)


def test_an_unknown_job_names_the_field(job_store: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        loads(SCENARIO.format(ref='job = "train-8"'), opener=lambda: open_store(job_store))
    (problem,) = info.value.problems
    assert problem.field == "training.job"
    assert "train-8" in str(problem) and "aiceberg jobs list" in str(problem)
