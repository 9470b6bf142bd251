"""Run by ``torchrun --nproc_per_node=2`` (test_ranks.py): each process trains the tiny models as a rank of
a real two-process job (gloo on the CPU), and writes what it logged and tracked to ``OUT/rank-N.json``.
Only the first process draws the fake node's energy (both share one node)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
from node import FakeNode
from tiny_hf import Burn as HfBurn
from tiny_hf import Points, TinyConfig, TinyModel
from tiny_pl import Burn as PlBurn
from tiny_pl import TinyModule, loader
from transformers import Trainer, TrainerCallback, TrainingArguments

from aiceberg.integrations.lightning import AicebergCallback as PlCallback
from aiceberg.integrations.session import METRICS, TOTAL_ENERGY
from aiceberg.integrations.transformers import AicebergCallback as HfCallback

out = Path(sys.argv[1])
rank = int(os.environ["RANK"])
node = FakeNode.from_env()


class Seen(TrainerCallback):
    """Every key this rank's Trainer logged (what each reporting backend would receive), and its last values."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.values: dict[str, float] = {}

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kw: Any) -> None:
        self.keys.update(logs or {})
        self.values.update({k: v for k, v in (logs or {}).items() if k in METRICS})


class LocalZeroBurn(HfBurn):
    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.is_local_process_zero:
            super().on_step_end(args, state, control, **kwargs)


seen, hf = Seen(), HfCallback(location="FR")
args = TrainingArguments(output_dir=str(out / "hf"), num_train_epochs=2, per_device_train_batch_size=2,
                         report_to=[], logging_steps=1, save_strategy="no", use_cpu=True, disable_tqdm=True,
                         ddp_backend="gloo")
trainer = Trainer(model=TinyModel(TinyConfig()), args=args, train_dataset=Points(),
                  callbacks=[LocalZeroBurn(node), hf, seen])
trainer.train()


class LocalZeroPlBurn(PlBurn):
    def on_train_batch_end(self, trainer: Any, *args: Any) -> None:
        if trainer.local_rank == 0:
            super().on_train_batch_end(trainer, *args)


plc = PlCallback(location="FR")
fit = pl.Trainer(max_epochs=2, accelerator="cpu", devices=2, strategy="ddp", callbacks=[LocalZeroPlBurn(node), plc],
                 enable_progress_bar=False, enable_checkpointing=False, enable_model_summary=False, logger=False,
                 default_root_dir=str(out / "pl"))
fit.fit(TinyModule(), loader())

(out / f"rank-{rank}.json").write_text(json.dumps({
    "hf": {"logged": sorted(k for k in seen.keys if k in METRICS), "tracked": hf.result is not None,
           "steps_per_epoch": trainer.state.max_steps // 2, "card": hf.model_card_yaml,
           "total": seen.values.get(TOTAL_ENERGY), "job": None if hf.session is None or hf.session.job is None
           else hf.session.job.job_id},
    "pl": {"logged": sorted(k for k in fit.callback_metrics if k in METRICS), "tracked": plc.result is not None,
           "steps_per_epoch": fit.num_training_batches,
           "total": None if plc.session is None or not plc.session.logs or plc.session.job is None
           else plc.session.job.energy_kwh},
}))
