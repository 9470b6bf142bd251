"""A PyTorch Lightning ``Callback``: the training's footprint where the LightningModule logs.

::

    from aiceberg.integrations.lightning import AicebergCallback
    trainer = lightning.Trainer(max_epochs=10, callbacks=[AicebergCallback(location="FR")])

It tracks from ``on_train_start`` to ``on_train_end``, one phase per epoch with the prediction of the whole
training after each (``max_epochs``, or what ``max_steps`` allows). Per epoch it logs through
``pl_module.log`` (epoch-level, ``rank_zero_only``), so every logger of the Trainer (TensorBoard, MLflow,
Weights & Biases, CSV…) receives the figures and ``trainer.callback_metrics`` holds them; the totals go to
every logger's ``log_metrics`` at the end of training, before Lightning finalises them. Names and units:
:mod:`aiceberg.integrations.session`. A training that raises is closed as ``failed`` (``interrupted`` for
Ctrl-C) in ``on_exception``.

Processes: the global-zero process logs (``trainer.is_global_zero``), the first process of each node
(``trainer.local_rank == 0``) tracks the node and every GPU of the job on it (``job_scope="node"``), the
others measure nothing; at the end every process says which run it tracked (``torch.distributed``), so that
the totals logged are the job's, counted once (:mod:`aiceberg.integrations.session`).

It subclasses ``lightning.pytorch.Callback`` (the ``lightning`` package), or ``pytorch_lightning.Callback``
where only the older package is installed.
"""

from __future__ import annotations

import math
import os
import warnings
from typing import Any

from aiceberg.errors import MissingExtraError
from aiceberg.integrations.model_card import training_card
from aiceberg.integrations.session import CallbackOptions, TrainingSession, torch_gather

try:
    from lightning.pytorch import Callback
except ImportError as exc:
    try:
        from pytorch_lightning import Callback
    except ImportError:
        raise MissingExtraError("the PyTorch Lightning callback", "lightning", ["lightning", "torch"]) from exc

__all__ = ["AicebergCallback"]

# The epochs' figures are one process's on purpose (the node's tracker, logged by rank 0, ``rank_zero_only``):
# an all-reduce (``sync_dist``) would add them up wrongly. Lightning suggests one for every epoch-level metric.
warnings.filterwarnings("ignore", message=r"It is recommended to use `self\.log\('aiceberg/")


def _planned_epochs(trainer: Any) -> int | None:
    """The epochs this fit will run: ``max_epochs``, fewer where ``max_steps`` ends it first; ``None`` when
    neither bounds it (an endless fit has no prediction)."""
    max_epochs = getattr(trainer, "max_epochs", None)
    epochs = max_epochs if isinstance(max_epochs, int) and max_epochs > 0 else None
    max_steps = getattr(trainer, "max_steps", -1)
    batches = getattr(trainer, "num_training_batches", None)
    if isinstance(max_steps, int) and max_steps > 0 and isinstance(batches, int) and batches > 0:
        per_epoch = math.ceil(batches / max(int(getattr(trainer, "accumulate_grad_batches", 1) or 1), 1))
        by_steps = math.ceil(max_steps / per_epoch)
        epochs = by_steps if epochs is None else min(epochs, by_steps)
    done = int(getattr(trainer, "current_epoch", 0) or 0)
    return None if epochs is None or epochs - done <= 0 else epochs - done


class AicebergCallback(CallbackOptions, Callback):
    """Track a Lightning training and log its footprint where the LightningModule logs.

    Args:
        model_card_path: a README (or a folder for its ``README.md``) to write ``co2_eq_emissions`` into at
            the end of training (created if absent); ``None`` writes none (``callback.model_card_yaml`` has it).
        training_type: the model card's ``training_type`` (``pre-training``, the default, or ``fine-tuning``).
        lang: the language of the lines it logs (``en``, ``fr``).
        **options: :func:`aiceberg.track`'s keywords (``location``, ``store``, ``project``…).
    """

    def __init__(
        self,
        *,
        model_card_path: str | os.PathLike[str] | None = None,
        training_type: str = "pre-training",
        lang: str = "en",
        **options: Any,
    ) -> None:
        super().__init__()
        self._take_options(training_type, lang, options)
        self.model_card_path = model_card_path

    def on_train_start(self, trainer: Any, pl_module: Any) -> None:
        self.session = TrainingSession(
            tracks=int(getattr(trainer, "local_rank", 0)) == 0, logs=bool(trainer.is_global_zero),
            options=self.options, lang=self.lang,
        )
        self.session.begin(total_epochs=_planned_epochs(trainer), name=None)

    def on_train_epoch_start(self, trainer: Any, pl_module: Any) -> None:
        if self.session is not None:
            self.session.epoch_begin(int(trainer.current_epoch) + 1)

    def on_train_epoch_end(self, trainer: Any, pl_module: Any) -> None:
        if self.session is None:
            return
        for name, value in self.session.epoch_end().items():
            pl_module.log(name, float(value), on_step=False, on_epoch=True, rank_zero_only=True,
                          logger=bool(trainer.loggers))

    def on_train_end(self, trainer: Any, pl_module: Any) -> None:
        session = self.session
        if session is None:
            return
        totals = session.end(gather=torch_gather())  # every process: it gathers their runs
        if totals:
            for logger in trainer.loggers:
                logger.log_metrics(totals, step=trainer.global_step)
                logger.save()
        if session.result is not None and session.logs:
            self.model_card_yaml = training_card(
                session.result, training_type=self.training_type or "pre-training", path=self.model_card_path,
                lang=self.lang, job=session.job,
            )

    def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
        if self.session is not None:
            status = "interrupted" if isinstance(exception, KeyboardInterrupt) else "failed"
            self.session.end(status=status, end_reason=f"{type(exception).__name__}: {exception}")
