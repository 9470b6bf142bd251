"""A Keras 3 callback: the training's footprint in the epoch logs Keras hands to every callback.

::

    from aiceberg.integrations.keras import AicebergCallback
    model.fit(x, y, epochs=10, callbacks=[AicebergCallback(location="FR"), keras.callbacks.TensorBoard()])

It tracks ``model.fit`` from ``on_train_begin`` to ``on_train_end``, one phase per epoch with the prediction
of the whole fit after each (``epochs``). Keras has no logging path of its own beyond the ``logs`` dict it
passes from callback to callback: the epoch's figures are added to it in ``on_epoch_end``, so the
``History`` that ``fit`` returns keeps them, and so do the callbacks placed *after* this one (TensorBoard,
CSVLogger, W&B's ``WandbMetricsLogger``…): put it first. The totals are added to the logs of
``on_train_end`` and kept in ``callback.totals``. Names and units: :mod:`aiceberg.integrations.session`.

Keras does not know ranks: under a launcher, the launcher's environment as the tracker reads it says which
process logs (rank 0) and which tracks its node and every GPU of the job on it (local rank 0), see
:func:`aiceberg.integrations.session.launcher_roles`; the totals are the job's where a ``torch.distributed``
process group lets the processes say which runs they tracked, else this node's (and the log says so). A fit
that raises is closed at interpreter exit as ``interrupted``.
"""

from __future__ import annotations

import os
from typing import Any

from aiceberg.errors import MissingExtraError
from aiceberg.integrations.model_card import training_card
from aiceberg.integrations.session import CallbackOptions, TrainingSession, launcher_roles, torch_gather

try:
    import keras
except ImportError as exc:  # keras absent, or its backend (KERAS_BACKEND) not installed
    raise MissingExtraError("the Keras callback", "keras", ["keras", "a backend: torch, jax or tensorflow"]) from exc

__all__ = ["AicebergCallback"]


class AicebergCallback(CallbackOptions, keras.callbacks.Callback):
    """Track a Keras ``fit`` and add its footprint to the epoch logs.

    Args:
        model_card_path: a README (or a folder for its ``README.md``) to write ``co2_eq_emissions`` into at
            the end (created if absent); ``None`` writes none (``callback.model_card_yaml`` has it).
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
        self.totals: dict[str, float] = {}

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        roles = launcher_roles()
        self.session = TrainingSession(tracks=roles.tracks, logs=roles.logs, options=self.options, lang=self.lang)
        epochs = (self.params or {}).get("epochs")
        self.session.begin(total_epochs=epochs if isinstance(epochs, int) else None)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.session is not None:
            self.session.epoch_begin(epoch + 1)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.session is not None and logs is not None:
            logs.update(self.session.epoch_end())
        elif self.session is not None:
            self.session.epoch_end()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        session = self.session
        if session is None:
            return
        self.totals = session.end(gather=torch_gather())
        if logs is not None:
            logs.update(self.totals)
        if session.result is not None and session.logs:
            self.model_card_yaml = training_card(
                session.result, training_type=self.training_type or "pre-training", path=self.model_card_path,
                lang=self.lang, job=session.job,
            )
