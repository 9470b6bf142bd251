"""What can be done: each kind of input that drives a scenario's footprint, tied to the lever that moves it.

An input is recognised by its id (``intensity:US``, ``embodied:<hardware>``, ``deployment.requests_per_day``…);
:func:`actions_for` walks the inputs from the one that matters most and returns the first ``n`` distinct
levers, each with the input it answers (catalog keys ``scenario.action.*``).
"""

from __future__ import annotations

from collections.abc import Iterable

from aiceberg.i18n import Msg

TYPE_CHECKING = False
if TYPE_CHECKING:
    from aiceberg.scenario.build import Input

__all__ = ["LEVERS", "actions_for", "lever_of"]

#: (a test on the input id, the lever): the first that matches names the lever.
LEVERS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("intensity",), "grid"),
    (("pue",), "pue"),
    (("lifetime",), "lifetime"),
    (("utilisation",), "utilisation"),
    (("device:", "devices"), "devices"),
    (("embodied:",), "hardware"),
    (("network", "gb_per_request"), "network"),
    (("model_mb",), "fl_update"),
    (("clients_per_round", "federated.rounds", "local_epochs", "epoch_seconds"), "fl_rounds"),
    (("llm_", "parameters_b", "output_tokens", "inference:", "wh_per_request", "inference.measured"), "model"),
    (("requests_per", "users", "growth"), "sobriety"),
    (("power:", "power_w"), "efficiency"),
    (("trainings", "development", "retraining", "training."), "trainings"),
    (("storage", "stored_tb", "replication", "collected_gb"), "data"),
)


def lever_of(input_id: str) -> str | None:
    """The lever that moves the input ``input_id``, or None."""
    for needles, lever in LEVERS:
        if any(n in input_id for n in needles):
            return lever
    return None


def actions_for(ranked: Iterable[Input], n: int = 3) -> list[tuple[Input, Msg]]:
    """The first ``n`` distinct levers of the ``ranked`` inputs (most important first), with their input."""
    out: list[tuple[Input, Msg]] = []
    seen: set[str] = set()
    for inp in ranked:
        lever = lever_of(inp.id)
        if lever is None or lever in seen:
            continue
        seen.add(lever)
        out.append((inp, Msg(f"scenario.action.{lever}", what=inp.label)))
        if len(out) == n:
            break
    return out
