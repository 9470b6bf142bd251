"""The PyTorch Lightning callback against the real ``lightning``, with its TensorBoard and CSV loggers."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pytest
from lightning.pytorch import Trainer
from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger
from node import FakeNode
from readback import tensorboard_scalars
from tiny_pl import STEPS_PER_EPOCH, Burn, Explode, TinyModule, loader

from aiceberg.integrations.lightning import AicebergCallback
from aiceberg.integrations.session import CO2E, EPOCH_ENERGY, PREDICTED_ENERGY, TOTAL_CO2E, TOTAL_ENERGY
from aiceberg.units import J_PER_KWH

EPOCHS = 2


def _trainer(root: Path, callbacks: list[Any], max_epochs: int = EPOCHS, **kwargs: Any) -> Trainer:
    return Trainer(
        max_epochs=max_epochs, accelerator="cpu", devices=1, callbacks=callbacks, enable_progress_bar=False,
        enable_checkpointing=False, enable_model_summary=False, default_root_dir=str(root), log_every_n_steps=1,
        logger=[TensorBoardLogger(str(root / "tb"), name="tiny"), CSVLogger(str(root / "csv"), name="tiny")],
        **kwargs,
    )


def _csv_rows(root: Path) -> list[dict[str, str]]:
    [path] = list((root / "csv").rglob("metrics.csv"))
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_each_epoch_and_the_total_reach_every_logger(node: FakeNode, tmp_path: Path) -> None:
    callback = AicebergCallback(location="FR", model_card_path=tmp_path / "card")
    trainer = _trainer(tmp_path, [Burn(node), callback])
    trainer.fit(TinyModule(), loader())
    expected = [node.expected_kwh(e, STEPS_PER_EPOCH) for e in range(EPOCHS)]
    result = callback.result
    assert result is not None and result.energy_kwh == pytest.approx(sum(expected), rel=1e-9)

    # pl_module.log keeps float32: seven significant digits
    rows = _csv_rows(tmp_path)
    assert [float(r[EPOCH_ENERGY]) for r in rows if r.get(EPOCH_ENERGY)] == pytest.approx(expected, rel=1e-6)
    assert [float(r[PREDICTED_ENERGY]) for r in rows if r.get(PREDICTED_ENERGY)] == pytest.approx(
        [2 * expected[0], sum(expected)], rel=1e-6)
    [total] = [float(r[TOTAL_ENERGY]) for r in rows if r.get(TOTAL_ENERGY)]
    assert total == pytest.approx(sum(expected), rel=1e-9)
    [co2e] = [float(r[TOTAL_CO2E]) for r in rows if r.get(TOTAL_CO2E)]
    assert result.co2e_kg is not None and co2e == pytest.approx(result.co2e_kg.central, rel=1e-9)
    assert [v for _, v in tensorboard_scalars(tmp_path / "tb", EPOCH_ENERGY)] == pytest.approx(expected, rel=1e-6)
    assert [v for _, v in tensorboard_scalars(tmp_path / "tb", TOTAL_ENERGY)] == pytest.approx([sum(expected)],
                                                                                              rel=1e-6)
    # the LightningModule's own metrics hold the last epoch's figures (what EarlyStopping or a progress bar see)
    assert float(trainer.callback_metrics[EPOCH_ENERGY]) == pytest.approx(expected[1], rel=1e-6)
    assert float(trainer.callback_metrics[CO2E]) <= co2e

    [run] = node.runs()
    assert run.status == "finished"
    phases = node.phases(run.run_id)
    assert [p.name for p in phases] == ["epoch 1", "epoch 2"]
    assert [p.energy_j / J_PER_KWH for p in phases] == pytest.approx(expected, rel=1e-9)
    readme = (tmp_path / "card" / "README.md").read_text("utf-8")
    assert callback.model_card_yaml and readme == f"---\n{callback.model_card_yaml}---\n"
    assert result.run_id in callback.model_card_yaml


def test_max_steps_sets_the_epochs_of_the_prediction(node: FakeNode, tmp_path: Path) -> None:
    callback = AicebergCallback(location="FR")
    # max_steps ends the fit in its second epoch, long before max_epochs
    trainer = _trainer(tmp_path, [Burn(node), callback], max_epochs=50, max_steps=STEPS_PER_EPOCH + 1)
    trainer.fit(TinyModule(), loader())
    run = callback.session.run if callback.session else None
    assert run is not None and run.total_phases == 2


def test_a_training_that_raises_is_stored_failed(node: FakeNode, tmp_path: Path) -> None:
    callback = AicebergCallback(location="FR")
    trainer = _trainer(tmp_path, [Burn(node), Explode(epoch=1), callback])
    with pytest.raises(RuntimeError, match="diverged in epoch 2"):
        trainer.fit(TinyModule(), loader())
    [run] = node.runs()
    assert run.status == "failed" and "diverged in epoch 2" in (run.end_reason or "")
    [first, second] = node.phases(run.run_id)
    assert first.energy_j / J_PER_KWH == pytest.approx(node.expected_kwh(0, STEPS_PER_EPOCH), rel=1e-9)
    assert second.energy_j / J_PER_KWH == pytest.approx(node.expected_kwh(1, 1), rel=1e-9)
    assert os.environ.get("RANK") is None  # the single-process case: this process tracked and logged
