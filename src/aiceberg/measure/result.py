"""What a finished run reports: :class:`RunResult`, the typed summary and where it is stored."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiceberg.measure.recorder import shell_join

if TYPE_CHECKING:
    from aiceberg.model.footprint import Footprint
    from aiceberg.model.quantity import Q
    from aiceberg.model.run_summary import RunSummary

__all__ = ["RunResult", "default_command"]


@dataclass(frozen=True)
class RunResult:
    """What a finished run reports: its typed summary, and where it is stored.

    ``to_dict()`` is the ``--output-json`` contract (docs/tracking.md); ``str(result)`` a few readable
    lines. ``stored_in`` is the store's location (without any password), ``None`` when the run is not in
    a store (``store=False``, or the store failed: the summary's warnings say why).
    """

    summary: RunSummary
    stored_in: str | None = None

    @property
    def run_id(self) -> str:
        return self.summary.run_id

    @property
    def status(self) -> str:
        return self.summary.status

    @property
    def duration_s(self) -> float:
        return self.summary.duration_s

    @property
    def energy_kwh(self) -> float | None:
        """Electricity at the devices (measured plus modelled, before PUE), in kWh."""
        return self.summary.energy_kwh

    @property
    def co2e_kg(self) -> Q | None:
        """The whole footprint with its range, ``None`` when the engine could not compute one."""
        return self.summary.co2e_kg

    @property
    def exit_code(self) -> int | None:
        return self.summary.exit_code

    @property
    def end_reason(self) -> str | None:
        return self.summary.end_reason

    @property
    def footprint(self) -> Footprint | None:
        return self.summary.footprint

    def to_dict(self) -> dict[str, Any]:
        return self.summary.to_dict()

    def render(self, lang: str = "en") -> str:
        return self.summary.render(lang)

    def __str__(self) -> str:
        return self.render()


def default_command() -> str:
    """The command line of this Python process (``sys.argv``, shell-quoted), for runs tracked from Python:
    ``train.py --epochs 3``; ``python3 -c …`` for code given with ``-c``; ``python3`` when interactive."""
    argv = [a for a in sys.argv if isinstance(a, str)]
    python = os.path.basename(sys.executable) or "python"
    if not argv or not argv[0]:
        return shell_join([python])
    if argv[0] == "-c":
        return shell_join([python, *argv])
    return shell_join(argv)
