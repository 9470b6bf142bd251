"""The Hugging Face Trainer callback against the real ``transformers``, TensorBoard, MLflow and W&B (offline).

One tiny training (2 epochs of 2 steps on the CPU, a fake node whose counters each step advances by a
known amount) reports to the three backends; each test reads one place back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from node import FakeNode
from readback import mlflow_metric, tensorboard_scalars, wandb_history
from tiny_hf import STEPS_PER_EPOCH, Burn, Points, TinyConfig, TinyModel
from transformers import Trainer, TrainingArguments
from transformers.integrations import MLflowCallback, TensorBoardCallback, WandbCallback

from aiceberg.integrations.session import EPOCH_ENERGY, TOTAL_CO2E, TOTAL_ENERGY
from aiceberg.integrations.transformers import AicebergCallback
from aiceberg.units import J_PER_KWH

EPOCHS = 2


def _args(root: Path, report_to: list[str]) -> TrainingArguments:
    return TrainingArguments(
        output_dir=str(root / "out"), num_train_epochs=EPOCHS, per_device_train_batch_size=4, learning_rate=0.01,
        report_to=report_to, logging_steps=1, save_strategy="no", use_cpu=True, disable_tqdm=True, run_name="tiny",
    )


def _environment(mp: pytest.MonkeyPatch, node: FakeNode) -> None:
    import os

    for key in list(os.environ):
        if (key.startswith(("AICEBERG_", "MLFLOW_", "WANDB_")) and key != "AICEBERG_INTEGRATIONS") \
                or key in node.LAUNCHER_VARS:
            mp.delenv(key)
    for key, value in node.env().items():
        mp.setenv(key, value)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    root = tmp_path_factory.mktemp("hf")
    node = FakeNode(root)
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, node)
        mlflow_uri = (root / "mlruns").resolve().as_uri()
        mp.setenv("MLFLOW_TRACKING_URI", mlflow_uri)
        mp.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 keeps the file store behind this switch
        mp.setenv("WANDB_MODE", "offline")
        mp.setenv("WANDB_DIR", str(root))
        mp.setenv("WANDB_SILENT", "true")
        callback = AicebergCallback(location="FR")
        trainer = Trainer(model=TinyModel(TinyConfig()), args=_args(root, ["tensorboard", "mlflow", "wandb"]),
                          train_dataset=Points(), callbacks=[Burn(node), callback])
        trainer.train()
        import wandb

        wandb.finish()  # what a W&B user does at the end: the offline run's file is complete
        yield SimpleNamespace(root=root, node=node, trainer=trainer, callback=callback, mlflow_uri=mlflow_uri,
                              expected=[node.expected_kwh(e, STEPS_PER_EPOCH) for e in range(EPOCHS)])


def _logged(history: list[dict[str, Any]], key: str) -> list[float]:
    return [entry[key] for entry in history if key in entry]


def test_the_callback_finds_its_trainer_and_goes_before_the_reporting_callbacks(trained: SimpleNamespace) -> None:
    callbacks = trained.trainer.callback_handler.callbacks
    names = [type(c).__name__ for c in callbacks]
    assert trained.callback.trainer is trained.trainer
    first_reporter = min(i for i, c in enumerate(callbacks)
                         if isinstance(c, TensorBoardCallback | MLflowCallback | WandbCallback))
    assert names.index("AicebergCallback") == first_reporter - 1, names
    assert names.count("AicebergCallback") == 1


def test_each_epoch_and_the_total_are_in_the_trainers_log_history(trained: SimpleNamespace) -> None:
    history = trained.trainer.state.log_history
    assert _logged(history, EPOCH_ENERGY) == pytest.approx(trained.expected, rel=1e-9)
    [total] = _logged(history, TOTAL_ENERGY)
    assert total == pytest.approx(sum(_logged(history, EPOCH_ENERGY)), rel=1e-9)
    result = trained.callback.result
    assert result is not None and result.energy_kwh == pytest.approx(total, rel=1e-12)
    assert _logged(history, TOTAL_CO2E) == [pytest.approx(result.co2e_kg.central, rel=1e-12)]
    # the epoch figures are logged at each epoch's end: the Trainer stamps them with the epoch
    assert [e["epoch"] for e in history if EPOCH_ENERGY in e] == [1.0, 2.0]


def test_the_run_is_stored_with_one_phase_per_epoch(trained: SimpleNamespace) -> None:
    [run] = trained.node.runs()
    assert (run.status, run.name, run.location) == ("finished", "tiny", "FR")
    phases = trained.node.phases(run.run_id)
    assert [p.name for p in phases] == ["epoch 1", "epoch 2"]
    assert [p.energy_j / J_PER_KWH for p in phases] == pytest.approx(trained.expected, rel=1e-9)


def test_tensorboard_receives_them(trained: SimpleNamespace) -> None:
    out = trained.root / "out"
    epochs = tensorboard_scalars(out, "train/" + EPOCH_ENERGY)
    assert [step for step, _ in epochs] == [STEPS_PER_EPOCH * (e + 1) for e in range(EPOCHS)]
    assert [v for _, v in epochs] == pytest.approx(trained.expected, rel=1e-6)  # float32 in the event file
    [(_, total)] = tensorboard_scalars(out, "train/" + TOTAL_ENERGY)
    assert total == pytest.approx(sum(trained.expected), rel=1e-6)


def test_mlflow_receives_them(trained: SimpleNamespace) -> None:
    epochs = mlflow_metric(trained.mlflow_uri, EPOCH_ENERGY)
    assert [v for _, v in sorted(epochs)] == pytest.approx(trained.expected, rel=1e-9)
    [(_, total)] = mlflow_metric(trained.mlflow_uri, TOTAL_ENERGY)
    assert total == pytest.approx(sum(trained.expected), rel=1e-9)


def test_weights_and_biases_offline_receives_them(trained: SimpleNamespace) -> None:
    rows = wandb_history(trained.root / "wandb")
    assert [r["train/" + EPOCH_ENERGY] for r in rows if "train/" + EPOCH_ENERGY in r] == pytest.approx(
        trained.expected, rel=1e-9)
    assert [r["train/" + TOTAL_ENERGY] for r in rows if "train/" + TOTAL_ENERGY in r] == pytest.approx(
        [sum(trained.expected)], rel=1e-9)


def _front_matter(readme: Path) -> dict[str, Any]:
    match = re.match(r"---\n(.*?)\n---\n", readme.read_text("utf-8"), re.S)
    assert match, readme.read_text("utf-8")[:200]
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


def test_the_model_card_gets_co2_eq_emissions_and_keeps_it_when_the_trainer_draws_its_card(
    trained: SimpleNamespace,
) -> None:
    readme = trained.root / "out" / "README.md"
    block = yaml.safe_load(trained.callback.model_card_yaml)["co2_eq_emissions"]
    result = trained.callback.result
    assert _front_matter(readme)["co2_eq_emissions"] == block
    assert block["training_type"] == "pre-training"  # a model made from its config, not from weights
    assert block["geographical_location"] == "France" and result.run_id in block["source"]
    # the use-phase emissions, in grams: at most the whole footprint (which adds the embodied share)
    assert 0 < block["emissions"] <= result.co2e_kg.central * 1000
    trained.trainer.create_model_card(model_name="tiny")  # transformers rewrites README.md…
    card = _front_matter(readme)
    assert card["co2_eq_emissions"] == block  # …and the block is still there
    assert "generated_from_trainer" in card["tags"]


def test_report_to_aiceberg_makes_the_callback(tmp_path: Path) -> None:
    node = FakeNode(tmp_path)
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, node)
        mp.setenv("AICEBERG_LOCATION", "FR")
        trainer = Trainer(model=TinyModel(TinyConfig()), args=_args(tmp_path, ["aiceberg", "tensorboard"]),
                          train_dataset=Points(), callbacks=[Burn(node)])
        [callback] = [c for c in trainer.callback_handler.callbacks if isinstance(c, AicebergCallback)]
        trainer.train()
    expected = [node.expected_kwh(e, STEPS_PER_EPOCH) for e in range(EPOCHS)]
    assert callback.trainer is trainer
    assert _logged(trainer.state.log_history, EPOCH_ENERGY) == pytest.approx(expected, rel=1e-9)
    assert [v for _, v in tensorboard_scalars(tmp_path / "out", "train/" + EPOCH_ENERGY)] == pytest.approx(
        expected, rel=1e-6)
    [run] = node.runs()
    assert run.location == "FR"


def test_a_bad_option_is_refused_where_the_callback_is_made() -> None:
    from aiceberg.errors import InputError

    with pytest.raises(InputError) as exc:
        AicebergCallback(training_type="pretraining")
    assert exc.value.field == "training_type" and "fine-tuning" in str(exc.value)
