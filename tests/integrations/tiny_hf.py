"""A tiny Hugging Face model and data set, made here (nothing downloaded), and a callback that makes each
training step draw the fake node's known energy."""

from __future__ import annotations

import math
from typing import Any

import torch
from node import FakeNode
from torch import nn
from transformers import PretrainedConfig, PreTrainedModel, TrainerCallback

SAMPLES = 8
BATCH = 4
STEPS_PER_EPOCH = SAMPLES // BATCH


class TinyConfig(PretrainedConfig):
    model_type = "aiceberg-tiny"

    def __init__(self, features: int = 4, **kwargs: Any) -> None:
        self.features = features
        super().__init__(**kwargs)


class TinyModel(PreTrainedModel):
    """A linear regression with a Hugging Face face: a config, a loss in its output, a model card."""

    config_class = TinyConfig

    def __init__(self, config: TinyConfig) -> None:
        super().__init__(config)
        self.linear = nn.Linear(config.features, 1)
        self.post_init()

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        out = self.linear(x).squeeze(-1)
        loss = ((out - labels) ** 2).mean() if labels is not None else out.sum() * 0
        return {"loss": loss, "logits": out}


class Points(torch.utils.data.Dataset):  # type: ignore[type-arg]
    def __len__(self) -> int:
        return SAMPLES

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        x = torch.randn(4, generator=torch.Generator().manual_seed(i))
        return {"x": x, "labels": x.sum()}


class Burn(TrainerCallback):
    """Each step of epoch N draws what ``FakeNode.step(N - 1)`` says, on the fake counters."""

    def __init__(self, node: FakeNode) -> None:
        self.node = node

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.node.step(math.ceil(state.epoch - 1e-9) - 1)
