"""Predict a whole run's energy from its first phases (Carbontracker's best-loved feature).

Pure functions, no clock and no sensor: the tracker gives the energies and durations of the completed
phases and the number of phases expected in total.

The central prediction is ``done + remaining × mean(completed)``. The range uses the smallest and largest
completed phase, widened by ``20 % / sqrt(n)`` so that a prediction made after one phase is wide and
narrows as phases complete: ``low = done + remaining × min × (1 − w)``,
``high = done + remaining × max × (1 + w)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiceberg.errors import InputError

__all__ = ["Prediction", "predict"]

WIDEN = 0.2


@dataclass(frozen=True)
class Prediction:
    """The predicted totals of a run, with a range.

    Attributes:
        completed: phases completed so far.
        total: phases expected in total.
        energy_kwh, energy_kwh_low, energy_kwh_high: electricity at the devices (before PUE).
        duration_s, duration_s_low, duration_s_high: the whole run's duration.
        co2e_kg, co2e_kg_low, co2e_kg_high: the whole footprint, where the engine could compute it.
    """

    completed: int
    total: int
    energy_kwh: float
    energy_kwh_low: float
    energy_kwh_high: float
    duration_s: float
    duration_s_low: float
    duration_s_high: float
    co2e_kg: float | None = None
    co2e_kg_low: float | None = None
    co2e_kg_high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def describe(self) -> str:
        """One line for a log: ``after 2/10 phases: 0.84 kWh (0.70–1.02), 1.2 h``."""
        text = (
            f"after {self.completed}/{self.total} phases: predicted {self.energy_kwh:.4g} kWh "
            f"({self.energy_kwh_low:.3g}–{self.energy_kwh_high:.3g}), {self.duration_s / 3600:.3g} h"
        )
        if self.co2e_kg is not None:
            text += f", {self.co2e_kg:.3g} kgCO2e ({self.co2e_kg_low:.3g}–{self.co2e_kg_high:.3g})"
        return text


def _bounds(done: float, per_phase: Sequence[float], remaining: int, n: int) -> tuple[float, float, float]:
    w = WIDEN / math.sqrt(n)
    mean = sum(per_phase) / n
    central = done + remaining * mean
    low = done + remaining * min(per_phase) * (1 - w)
    high = done + remaining * max(per_phase) * (1 + w)
    return central, min(low, central), max(high, central)


def predict(
    phase_energies_kwh: Sequence[float],
    phase_durations_s: Sequence[float],
    total: int,
    *,
    elapsed_s: float | None = None,
    energy_so_far_kwh: float | None = None,
) -> Prediction | None:
    """Predict the totals of a run of ``total`` phases from its completed phases.

    Args:
        phase_energies_kwh: the energy of each completed phase, in kWh.
        phase_durations_s: the duration of each completed phase, in seconds.
        total: the number of phases the run will have (> 0).
        elapsed_s: the run's duration so far (defaults to the sum of the phases): time outside phases
            (set-up) counts as done.
        energy_so_far_kwh: the run's energy so far (defaults to the sum of the phases).

    Returns:
        ``None`` when no phase is complete yet.
    """
    if total <= 0:
        raise InputError("total_phases", f"{total!r} is not a valid number of phases", "an integer > 0")
    if len(phase_energies_kwh) != len(phase_durations_s):
        raise ValueError("need one duration per phase energy")
    n = len(phase_energies_kwh)
    if n == 0:
        return None
    remaining = max(total - n, 0)
    done_e = sum(phase_energies_kwh) if energy_so_far_kwh is None else energy_so_far_kwh
    done_t = sum(phase_durations_s) if elapsed_s is None else elapsed_s
    e, e_lo, e_hi = _bounds(done_e, phase_energies_kwh, remaining, n)
    t, t_lo, t_hi = _bounds(done_t, phase_durations_s, remaining, n)
    return Prediction(n, total, e, e_lo, e_hi, t, t_lo, t_hi)
