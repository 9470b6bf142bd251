"""A Hugging Face ``transformers`` ``TrainerCallback``: the training's footprint where the Trainer logs.

::

    from aiceberg.integrations.transformers import AicebergCallback
    trainer = Trainer(model=model, args=args, train_dataset=ds, callbacks=[AicebergCallback(location="FR")])
    # or, once this module is imported: TrainingArguments(report_to=["aiceberg", "tensorboard"])

It tracks from ``on_train_begin`` to ``on_train_end`` (one phase per epoch, the prediction of the whole
training after each), and logs per epoch and in total (names and units: :mod:`aiceberg.integrations.session`)
through the Trainer's own ``Trainer.log``, so every ``report_to`` backend (MLflow, Weights & Biases,
TensorBoard…) receives the figures with the loss, and ``trainer.state.log_history`` keeps them. At the end
it writes ``co2_eq_emissions`` into the model card (``output_dir/README.md``), and again each time the
Trainer draws its card (``trainer.create_model_card()``, ``trainer.push_to_hub()``), which would drop it.

Callbacks are not handed their Trainer; this one finds it when the Trainer is made (the Trainer that
runs its ``on_init_end``), moves itself before the reporting callbacks so that its last figures reach them
before they close, and wraps that Trainer's ``create_model_card``. Where it cannot find it (a Trainer
driven in an unusual way), ``callback.attach(trainer)`` says it explicitly; without either, the figures
are added to the Trainer's next log, which only the callbacks after this one see (a warning says so).

Processes: the main process logs and writes the card; the first process of each node tracks the node and
every GPU of the job on it (``state.is_local_process_zero``, ``job_scope="node"``); the others measure
nothing. At the end every process says which run it tracked (``torch.distributed``), so that the totals the
main process logs and writes are the job's, counted once (:mod:`aiceberg.integrations.session`).
"""

from __future__ import annotations

import functools
import logging
import math
import sys
from typing import Any

from aiceberg.errors import MissingExtraError
from aiceberg.i18n import t
from aiceberg.integrations.model_card import training_card, write_model_card
from aiceberg.integrations.session import CallbackOptions, TrainingSession, torch_gather

try:
    from transformers import Trainer, TrainerCallback
    from transformers.integrations import integration_utils
except ImportError as exc:  # transformers absent, or without the torch/accelerate its Trainer needs
    raise MissingExtraError("the Hugging Face Trainer callback", "transformers",
                            ["transformers", "accelerate", "torch"]) from exc

__all__ = ["AicebergCallback"]

log = logging.getLogger("aiceberg.integrations")

#: The name under which ``report_to`` finds this callback once this module is imported.
REPORT_TO_NAME = "aiceberg"


def _calling_trainer(depth: int = 12) -> Trainer | None:
    """The Trainer whose ``__init__`` is running this callback's ``on_init_end`` (``None`` if none is found)."""
    getframe = getattr(sys, "_getframe", None)
    frame = getframe(2) if getframe is not None else None
    for _ in range(depth):
        if frame is None:
            return None
        candidate = frame.f_locals.get("self")
        if isinstance(candidate, Trainer):
            return candidate
        frame = frame.f_back
    return None


def _training_type(model: Any) -> str:
    """``fine-tuning`` for a model loaded from pretrained weights (its config names where), else ``pre-training``."""
    config = getattr(model, "config", None)
    return "fine-tuning" if getattr(config, "_name_or_path", "") else "pre-training"


class AicebergCallback(CallbackOptions, TrainerCallback):
    """Track a ``transformers`` training and log its footprint where the Trainer logs.

    Args:
        training_type: the model card's ``training_type`` (``pre-training`` or ``fine-tuning``); by default
            ``fine-tuning`` when the model was loaded from pretrained weights, else ``pre-training``.
        model_card: write ``co2_eq_emissions`` into ``output_dir/README.md`` (default ``True``).
        lang: the language of the lines it logs (``en``, ``fr``).
        **options: :func:`aiceberg.track`'s keywords: ``location``, ``store``, ``project``, ``pue``,
            ``interval_s``… (checked here, before any training).

    After the training, ``callback.result`` is the run's :class:`~aiceberg.RunResult` (on the process that
    tracked it), ``callback.session.epochs`` the epochs' figures and ``callback.model_card_yaml`` the block.
    """

    def __init__(
        self, *, training_type: str | None = None, model_card: bool = True, lang: str = "en", **options: Any
    ) -> None:
        self._take_options(training_type, lang, options)
        self.model_card = model_card
        self.trainer: Trainer | None = None
        self._pending: dict[str, float] = {}

    # -- the Trainer ----------------------------------------------------------------------------

    def attach(self, trainer: Trainer) -> AicebergCallback:
        """Log through ``trainer`` (found by itself when the Trainer is made; call this where it is not).

        Adds this callback to the Trainer if it is not there, places it just before the first reporting
        callback (so the totals logged at ``on_train_end`` reach them before they close their runs), and
        wraps ``trainer.create_model_card`` so that a card drawn later keeps ``co2_eq_emissions``.
        """
        if self.trainer is trainer:
            return self
        self.trainer = trainer
        handler = trainer.callback_handler
        others = [cb for cb in handler.callbacks if cb is not self]
        reporters = tuple(c for c in integration_utils.INTEGRATION_TO_CALLBACK.values() if c is not type(self))
        first = next((i for i, cb in enumerate(others) if isinstance(cb, reporters)), len(others))
        # a new list: an event being dispatched over the old one goes on undisturbed
        handler.callbacks = [*others[:first], self, *others[first:]]
        draw = trainer.create_model_card

        @functools.wraps(draw)
        def create_model_card(*args: Any, **kwargs: Any) -> Any:
            out = draw(*args, **kwargs)
            if self.model_card and self.model_card_yaml and trainer.is_world_process_zero():
                write_model_card(trainer.args.output_dir, self.model_card_yaml)
            return out

        trainer.create_model_card = create_model_card
        return self

    def _log(self, metrics: dict[str, float]) -> None:
        if not metrics:
            return
        if self.trainer is not None:
            self.trainer.log(dict(metrics))  # the Trainer's own path: log_history and every on_log
        else:
            self._pending.update(metrics)

    # -- events ---------------------------------------------------------------------------------

    def on_init_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.trainer is None:
            trainer = _calling_trainer()
            if trainer is not None:
                self.attach(trainer)

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.trainer is None and state.is_world_process_zero:
            log.warning(t("integrations.trainer_not_found", self.lang))
        self.session = TrainingSession(
            tracks=state.is_local_process_zero, logs=state.is_world_process_zero, options=self.options,
            lang=self.lang,
        )
        done = math.floor((state.epoch or 0) + 1e-6)
        total = math.ceil(state.num_train_epochs) - done if state.num_train_epochs else None
        self.session.begin(total_epochs=total, name=getattr(args, "run_name", None))

    def on_epoch_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.session is not None:
            self.session.epoch_begin(math.floor((state.epoch or 0) + 1e-6) + 1)

    def on_epoch_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.session is not None:
            self._log(self.session.epoch_end())

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        session = self.session
        if session is None:
            return
        self._log(session.end(gather=torch_gather()))  # every process: it gathers their runs
        if session.result is not None and state.is_world_process_zero:
            output_dir = getattr(args, "output_dir", None) if self.model_card else None
            self.model_card_yaml = training_card(
                session.result, training_type=self.training_type or _training_type(kwargs.get("model")),
                path=output_dir or None, lang=self.lang, job=session.job,
            )

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if self._pending and logs is not None:
            logs.update(self._pending)
            self._pending.clear()


integration_utils.INTEGRATION_TO_CALLBACK.setdefault(REPORT_TO_NAME, AicebergCallback)
