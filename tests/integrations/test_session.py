"""The part every callback shares, without any ML library: the run, the epochs, what is logged, who does what."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from node import FakeNode, subprocess_env

from aiceberg.errors import InputError
from aiceberg.integrations.session import (
    CO2E,
    ENERGY,
    EPOCH_CO2E,
    EPOCH_ENERGY,
    METRICS,
    PREDICTED_ENERGY,
    TOTAL_CO2E,
    TOTAL_CO2E_HIGH,
    TOTAL_CO2E_LOW,
    TOTAL_ENERGY,
    UNFINISHED,
    TrainingSession,
    check_run_options,
)
from aiceberg.units import J_PER_KWH

STEPS = 3
#: a long interval: the sampler's own ticks do not matter, the phase boundaries read the counters
OPTIONS = {"location": "FR", "interval_s": 60}


Logged = list[dict[str, float]]


def _train(node: FakeNode, session: TrainingSession, epochs: int = 2) -> tuple[Logged, dict[str, float]]:
    session.begin(total_epochs=epochs, name="unit")
    logged = []
    for e in range(epochs):
        session.epoch_begin(e + 1)
        for _ in range(STEPS):
            node.step(e)
        logged.append(session.epoch_end())
    return logged, session.end()


def test_each_epoch_logs_what_the_counters_drew_and_the_epochs_sum_to_the_total(node: FakeNode) -> None:
    session = TrainingSession(tracks=True, logs=True, options=OPTIONS)
    logged, totals = _train(node, session)
    expected = [node.expected_kwh(e, STEPS) for e in range(2)]

    assert [m[EPOCH_ENERGY] for m in logged] == pytest.approx(expected, rel=1e-9)
    assert logged[1][ENERGY] == pytest.approx(sum(expected), rel=1e-9)
    assert totals[TOTAL_ENERGY] == pytest.approx(sum(m[EPOCH_ENERGY] for m in logged), rel=1e-9)
    assert session.result is not None and session.result.energy_kwh == pytest.approx(sum(expected), rel=1e-9)
    # after one epoch of two, the prediction is twice the first epoch (done + remaining × mean)
    assert logged[0][PREDICTED_ENERGY] == pytest.approx(2 * expected[0], rel=1e-9)
    # CO2e follows the energy (the embodied share of a sub-second epoch is under a percent of it)
    ratio = logged[1][EPOCH_CO2E] / logged[0][EPOCH_CO2E]
    assert ratio == pytest.approx(expected[1] / expected[0], rel=2e-2)
    # the epochs' CO2e add up to the footprint so far, less what came before the first epoch
    assert logged[0][EPOCH_CO2E] + logged[1][EPOCH_CO2E] <= logged[1][CO2E] <= totals[TOTAL_CO2E]
    assert totals[TOTAL_CO2E_LOW] <= totals[TOTAL_CO2E] <= totals[TOTAL_CO2E_HIGH]
    assert set().union(*logged, totals) <= set(METRICS)

    [run] = node.runs()
    assert (run.status, run.name, run.run_id) == ("finished", "unit", session.result.run_id)
    phases = node.phases(run.run_id)
    assert [p.name for p in phases] == ["epoch 1", "epoch 2"]
    assert [p.energy_j / J_PER_KWH for p in phases] == pytest.approx(expected, rel=1e-9)


def test_a_process_that_does_not_log_tracks_its_node_and_logs_nothing(node: FakeNode) -> None:
    session = TrainingSession(tracks=True, logs=False, options=OPTIONS)
    logged, totals = _train(node, session)
    assert logged == [{}, {}] and totals == {}
    assert session.result is not None
    assert session.result.energy_kwh == pytest.approx(sum(node.expected_kwh(e, STEPS) for e in range(2)), rel=1e-9)
    assert [r.status for r in node.runs()] == ["finished"]


def test_a_process_that_does_not_track_measures_and_stores_nothing(node: FakeNode) -> None:
    session = TrainingSession(tracks=False, logs=True, options=OPTIONS)
    logged, totals = _train(node, session)
    assert logged == [{}, {}] and totals == {}
    assert session.run is None and session.result is None and node.runs() == []


def test_a_training_that_never_reaches_its_end_is_closed_interrupted_at_exit(node: FakeNode) -> None:
    script = textwrap.dedent(
        """
        from node import FakeNode
        from aiceberg.integrations.session import TrainingSession
        node = FakeNode.from_env()
        session = TrainingSession(tracks=True, logs=True, options={"location": "FR", "interval_s": 60})
        session.begin(total_epochs=2)
        session.epoch_begin(1)
        for _ in range(3):
            node.step(0)
        session.epoch_end()
        session.epoch_begin(2)
        node.step(1)
        raise RuntimeError("out of memory in epoch 2")
        """
    )
    r = subprocess.run([sys.executable, "-c", script], env=subprocess_env(node), capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 1 and "out of memory in epoch 2" in r.stderr
    [run] = node.runs()
    assert (run.status, run.end_reason) == ("interrupted", UNFINISHED)
    phases = node.phases(run.run_id)
    assert [p.name for p in phases] == ["epoch 1", "epoch 2"]
    assert [p.energy_j / J_PER_KWH for p in phases] == pytest.approx(
        [node.expected_kwh(0, 3), node.expected_kwh(1, 1)], rel=1e-9)
    assert run.energy_kwh == pytest.approx(node.expected_kwh(0, 3) + node.expected_kwh(1, 1), rel=1e-9)


@pytest.mark.parametrize(
    ("options", "field"),
    [({"location": "Atlantis"}, "location"), ({"interval_s": 0}, "interval_s"), ({"pue": 0.5}, "pue")],
)
def test_bad_options_are_refused_before_any_training(node: FakeNode, options: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as exc:
        check_run_options(options)
    assert exc.value.field == field


def test_an_unknown_zone_from_the_environment_names_the_variable(
    node: FakeNode, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AICEBERG_LOCATION", "Atlantis")
    with pytest.raises(InputError) as exc:
        check_run_options({})
    assert exc.value.field == "AICEBERG_LOCATION"


def test_the_footprint_so_far_exists_only_while_the_run_runs(node: FakeNode) -> None:
    from aiceberg.tracking import Run

    run = Run(location="FR", interval_s=60)
    assert run.footprint() is None  # not started
    run.start()
    node.step(0)
    run.sample()
    so_far = run.footprint()
    result = run.stop()
    assert run.footprint() is None  # ended: the result has the figure
    assert so_far is not None and result.co2e_kg is not None
    # the same energy through the same engine: only the embodied share of the last instants differs
    assert so_far.co2e_kg.central == pytest.approx(result.co2e_kg.central, rel=1e-2)
    assert so_far.co2e_kg.central <= result.co2e_kg.central


def test_in_a_job_the_totals_are_this_trainings_not_the_jobs_earlier_ones(
        node: FakeNode, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Two trainings in one launcher job (a Trainer, then a fit: one torchrun run id): each logs its own
    total over the job's nodes, never the earlier training's energy with it."""
    for key, value in {"RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "1", "LOCAL_WORLD_SIZE": "1",
                       "TORCHELASTIC_RUN_ID": "two-trainings", "AICEBERG_RUNTIME_DIR": str(tmp_path / "rt")}.items():
        monkeypatch.setenv(key, value)
    first = TrainingSession(tracks=True, logs=True, options=OPTIONS)
    _, first_totals = _train(node, first, epochs=1)
    second = TrainingSession(tracks=True, logs=True, options=OPTIONS)
    second.begin(total_epochs=1)
    second.epoch_begin(1)
    node.step(1)
    second.epoch_end()
    totals = second.end()
    assert first.job is not None and second.job is not None and second.job.job_id == "two-trainings"
    assert first_totals[TOTAL_ENERGY] == pytest.approx(node.expected_kwh(0, STEPS), rel=1e-9)
    assert totals[TOTAL_ENERGY] == pytest.approx(node.expected_kwh(1, 1), rel=1e-9)  # not both trainings
    assert [len(n.runs) for n in second.job.nodes] == [1] and len(node.runs()) == 2
