"""A tiny LightningModule and data, made here, and a callback that makes each training step draw the fake
node's known energy."""

from __future__ import annotations

from typing import Any

import torch
from lightning.pytorch import Callback, LightningModule
from node import FakeNode
from torch import nn

SAMPLES = 8
BATCH = 4
STEPS_PER_EPOCH = SAMPLES // BATCH


class TinyModule(LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 1)

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        x, y = batch
        loss = ((self.linear(x).squeeze(-1) - y) ** 2).mean()
        self.log("loss", loss)
        return loss

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.01)


def loader() -> torch.utils.data.DataLoader:  # type: ignore[type-arg]
    x = torch.randn(SAMPLES, 4, generator=torch.Generator().manual_seed(0))
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, x.sum(1)), batch_size=BATCH)


class Burn(Callback):
    def __init__(self, node: FakeNode) -> None:
        self.node = node

    def on_train_batch_end(self, trainer: Any, *args: Any) -> None:
        self.node.step(trainer.current_epoch)


class Explode(Callback):
    """Raises in the given epoch's first step: a training that fails."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, trainer: Any, *args: Any) -> None:
        if trainer.current_epoch == self.epoch:
            raise RuntimeError(f"diverged in epoch {self.epoch + 1}")
