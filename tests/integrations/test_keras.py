"""The Keras 3 callback against the real ``keras`` (torch backend, on the CPU)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported: the backend this group installs

import keras
import numpy as np
import pytest
from node import FakeNode

from aiceberg.integrations.keras import AicebergCallback
from aiceberg.integrations.session import EPOCH_ENERGY, METRICS, PREDICTED_ENERGY, TOTAL_CO2E, TOTAL_ENERGY
from aiceberg.units import J_PER_KWH

EPOCHS, SAMPLES, BATCH = 2, 8, 4
STEPS_PER_EPOCH = SAMPLES // BATCH


class Burn(keras.callbacks.Callback):
    def __init__(self, node: FakeNode) -> None:
        super().__init__()
        self.node = node
        self.epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self.node.step(self.epoch)


def _fit(callbacks: list[keras.callbacks.Callback]) -> keras.callbacks.History:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(SAMPLES, 4)).astype("float32")
    return model.fit(x, x.sum(1), epochs=EPOCHS, batch_size=BATCH, verbose=0, callbacks=callbacks)


def test_the_epoch_logs_the_history_and_the_callbacks_after_it_get_the_figures(node: FakeNode, tmp_path: Path) -> None:
    callback = AicebergCallback(location="FR", model_card_path=tmp_path / "README.md")
    history = _fit([Burn(node), callback, keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))])
    expected = [node.expected_kwh(e, STEPS_PER_EPOCH) for e in range(EPOCHS)]
    assert history.history[EPOCH_ENERGY] == pytest.approx(expected, rel=1e-9)
    assert history.history[PREDICTED_ENERGY] == pytest.approx([2 * expected[0], sum(expected)], rel=1e-9)
    with (tmp_path / "log.csv").open(newline="") as f:
        assert [float(r[EPOCH_ENERGY]) for r in csv.DictReader(f)] == pytest.approx(expected, rel=1e-9)
    result = callback.result
    assert result is not None and result.co2e_kg is not None
    assert callback.totals[TOTAL_ENERGY] == pytest.approx(sum(expected), rel=1e-9) == result.energy_kwh
    assert callback.totals[TOTAL_CO2E] == result.co2e_kg.central
    [run] = node.runs()
    assert [p.energy_j / J_PER_KWH for p in node.phases(run.run_id)] == pytest.approx(expected, rel=1e-9)
    assert (tmp_path / "README.md").read_text("utf-8") == f"---\n{callback.model_card_yaml}---\n"


@pytest.mark.parametrize(
    ("env", "tracked"),
    [({"RANK": "1", "LOCAL_RANK": "1", "WORLD_SIZE": "2"}, False),   # second process of the node: nothing
     ({"RANK": "2", "LOCAL_RANK": "0", "WORLD_SIZE": "4"}, True)],   # first of the second node: measures it
)
def test_under_a_launcher_only_rank_zero_logs_and_only_local_rank_zero_tracks(
    node: FakeNode, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], tracked: bool,
) -> None:
    for key, value in env.items():  # Keras reads no launcher variable itself: the callback's view is the test
        monkeypatch.setenv(key, value)
    callback = AicebergCallback(location="FR")
    history = _fit([Burn(node), callback])
    assert not set(history.history) & set(METRICS) and callback.totals == {}
    assert (callback.result is not None) == tracked
    assert [r.status for r in node.runs()] == (["finished"] if tracked else [])
