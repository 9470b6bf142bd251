"""A short built-in training workload, stdlib only: the README's first command measures it.

:func:`train_tiny_model` trains a small two-layer perceptron with SGD, in pure Python, on a synthetic
two-spirals data set (generated, never downloaded), for about ``seconds`` seconds.
:func:`measure_tiny_training` runs it under the tracker with the phases ``epoch 1…n`` and returns the
tracker's result, for ``aiceberg tour``.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Any

from aiceberg.i18n import t
from aiceberg.measure.tracker import Run

__all__ = ["TrainingReport", "measure_tiny_training", "train_tiny_model"]


@dataclass(frozen=True)
class TrainingReport:
    """What the tiny training did: epochs, samples seen, final loss and accuracy, seconds spent."""

    epochs: int
    samples_seen: int
    loss: float
    accuracy: float
    seconds: float
    parameters: int


def _spirals(n: int, rng: random.Random) -> list[tuple[float, float, int]]:
    data = []
    for i in range(n):
        label = i % 2
        r = (i // 2) / (n / 2) * 3.0 + 0.2
        angle = r * 2.2 + label * math.pi
        data.append((r * math.cos(angle) / 3.2 + rng.gauss(0, 0.03),
                     r * math.sin(angle) / 3.2 + rng.gauss(0, 0.03), label))
    return data


def train_tiny_model(
    seconds: float = 5.0,
    *,
    hidden: int = 16,
    samples: int = 400,
    learning_rate: float = 0.05,
    seed: int = 0,
    on_epoch: Any = None,
    epochs: int | None = None,
) -> TrainingReport:
    """Train a 2-``hidden``-1 MLP (tanh, sigmoid output, log loss) with SGD for ``seconds`` seconds.

    Args:
        seconds: wall-clock budget; training stops at the end of the epoch that exceeds it.
        epochs: stop after this many epochs instead (``seconds`` then only caps the time).
        on_epoch: called as ``on_epoch(epoch_index)`` before each epoch (the tracker starts a phase).
    """
    rng = random.Random(seed)
    data = _spirals(samples, rng)
    w1 = [[rng.gauss(0, 1.0) for _ in range(2)] for _ in range(hidden)]
    b1 = [0.0] * hidden
    w2 = [rng.gauss(0, 1.0 / math.sqrt(hidden)) for _ in range(hidden)]
    b2 = 0.0
    tanh, exp = math.tanh, math.exp
    start = time.perf_counter()
    epoch = seen = 0
    loss = correct = 0.0
    while True:
        if epochs is not None and epoch >= epochs:
            break
        if epochs is None and epoch > 0 and time.perf_counter() - start >= seconds:
            break
        if on_epoch is not None:
            on_epoch(epoch)
        rng.shuffle(data)
        loss = correct = 0.0
        for x0, x1, y in data:
            h = [tanh(w[0] * x0 + w[1] * x1 + b) for w, b in zip(w1, b1, strict=True)]
            z = sum(a * b for a, b in zip(w2, h, strict=True)) + b2
            p = 1.0 / (1.0 + exp(-z)) if z > -60 else 0.0
            loss -= math.log(max(p if y else 1.0 - p, 1e-12))
            correct += (p >= 0.5) == bool(y)
            g = p - y
            for j in range(hidden):
                gh = g * w2[j] * (1.0 - h[j] * h[j])
                w2[j] -= learning_rate * g * h[j]
                w1[j][0] -= learning_rate * gh * x0
                w1[j][1] -= learning_rate * gh * x1
                b1[j] -= learning_rate * gh
            b2 -= learning_rate * g
        seen += len(data)
        epoch += 1
        if epochs is not None and time.perf_counter() - start >= seconds:
            break
    return TrainingReport(
        epochs=epoch, samples_seen=seen, loss=loss / len(data), accuracy=correct / len(data),
        seconds=time.perf_counter() - start, parameters=hidden * 4 + 1,
    )


def _epoch_seconds(hidden: int, samples: int) -> float:
    t = time.perf_counter()
    train_tiny_model(0.0, hidden=hidden, samples=samples, epochs=1)
    return time.perf_counter() - t


def measure_tiny_training(
    seconds: float = 5.0,
    *,
    store: Any = None,
    settings: Any = None,
    location: str | None = None,
    sensors: Any = None,
    statuses: Any = None,
    labels: Any = None,
    open_store: Any = None,
    lang: str = "en",
) -> tuple[Any, TrainingReport]:
    """Train the tiny model for about ``seconds`` seconds under the tracker, one phase per epoch.

    The run and its phases are named in ``lang`` (they are stored as they are named).

    Ten epochs, their size set beforehand from a timed trial epoch, so that the prediction (made after
    each epoch) has a known total. ``store`` and ``open_store`` are the tracker's (a store object, or a
    target and the function that opens it: ``aiceberg.tracking.open_run_store``; ``store=False`` for none).

    Returns:
        ``(RunResult, TrainingReport)``: the run's summary is ``result.to_dict()``, its Footprint
        ``result.footprint`` (``None`` if the engine could not compute one).
    """
    hidden, samples, total = 16, 400, 10
    per_epoch = max(_epoch_seconds(hidden, samples), 1e-4)
    # about ten epochs in the budget: enough phases for a prediction, few enough to stay cheap
    samples = max(20, int(samples * (seconds / total) / per_epoch) // 2 * 2)
    run = Run(
        name=t("measure.workload.name", lang), store=store, settings=settings, location=location,
        sensors=sensors, statuses=statuses, total_phases=total, labels=labels,
        open_store=open_store,
    )
    with run:
        report = train_tiny_model(
            seconds * 3, hidden=hidden, samples=samples, epochs=total,
            on_epoch=lambda i: run.phase(t("measure.workload.epoch", lang, n=i + 1)),
        )
    assert run.result is not None
    return run.result, report
