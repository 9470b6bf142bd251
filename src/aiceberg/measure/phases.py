"""A run's named phases (``run.phase("epoch 3")``) and the prediction of the whole run they enable.

The book keeps the phases, which of them changed since the last flush (the store upserts those), and
the predictions made while the run goes on: after each phase completes, the energy and duration of the
whole run (:func:`~aiceberg.measure.prediction.predict`), and its footprint through the engine with the
same factors as the run's. Phases closed by the end of the run feed no prediction: the finished run's
figure replaces it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from aiceberg.errors import InputError
from aiceberg.measure.prediction import predict
from aiceberg.model.quantity import Q
from aiceberg.model.run_records import PhaseRow
from aiceberg.model.run_summary import PhaseSummary, Prediction
from aiceberg.units import J_PER_KWH

if TYPE_CHECKING:
    from aiceberg.model.footprint import Footprint

__all__ = ["Phase", "PhaseBook", "PhaseHandle", "check_total", "with_footprint"]


def check_total(total_phases: object, *, required: bool = False) -> int | None:
    """The number of phases a run will have: an integer > 0 (or ``None``, unless ``required``).

    Raises:
        InputError: anything else, naming ``total_phases``.
    """
    if total_phases is None and not required:
        return None
    if not isinstance(total_phases, int) or total_phases <= 0:
        raise InputError("total_phases", f"{total_phases!r} is not accepted", "an integer > 0")
    return total_phases


@dataclass
class Phase:
    """One phase: times in seconds since the run started, energy in J (``None`` while open)."""

    index: int
    name: str
    start_s: float
    start_j: float
    end_s: float | None = None
    energy_j: float | None = None

    def summary(self) -> PhaseSummary:
        return PhaseSummary(
            name=self.name, start_s=self.start_s, end_s=self.end_s,
            energy_kwh=None if self.energy_j is None else self.energy_j / J_PER_KWH,
        )


class PhaseHandle:
    """A named phase; ends when the next phase starts, when ``end()`` is called, or at ``with`` exit."""

    def __init__(self, end: Callable[[int], None], index: int) -> None:
        self._end = end
        self.index = index

    def end(self) -> None:
        self._end(self.index)

    def __enter__(self) -> PhaseHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()


class PhaseBook:
    """The phases of one run and the predictions they gave (``total``: the phases expected)."""

    def __init__(self, total: int | None = None) -> None:
        self.total = total
        self.phases: list[Phase] = []
        self.predictions: list[Prediction] = []
        self._dirty: set[int] = set()
        self._lock = threading.Lock()

    def start(self, name: str, t: float, energy_j: float) -> tuple[Phase, list[Phase]]:
        """Open a phase at ``t``; the open ones end there. Returns the new phase and those closed."""
        with self._lock:
            closed = [p for p in self.phases if p.end_s is None]
            for p in closed:
                self._close(p, t, energy_j)
            ph = Phase(len(self.phases), str(name), t, energy_j)
            self.phases.append(ph)
            self._dirty.add(ph.index)
        return ph, closed

    def end(self, index: int, t: float, energy_j: float) -> bool:
        """Close phase ``index`` at ``t`` if it is open; whether it was."""
        with self._lock:
            ph = self.phases[index]
            if ph.end_s is not None:
                return False
            self._close(ph, t, energy_j)
            return True

    def end_all(self, t: float, energy_j: float) -> None:
        """Close every open phase (the run ends)."""
        with self._lock:
            for p in self.phases:
                if p.end_s is None:
                    self._close(p, t, energy_j)

    def _close(self, ph: Phase, t: float, energy_j: float) -> None:
        ph.end_s = t
        ph.energy_j = max(energy_j - ph.start_j, 0.0)
        self._dirty.add(ph.index)

    def is_open(self, index: int) -> bool:
        return self.phases[index].end_s is None

    def changed(self) -> list[PhaseRow]:
        """The phases that changed since the last call, as store rows."""
        with self._lock:
            rows = [self.phases[i] for i in sorted(self._dirty)]
            self._dirty.clear()
            return [PhaseRow(p.index, p.name, p.start_s, p.end_s, p.energy_j) for p in rows]

    def unwritten(self, rows: list[PhaseRow]) -> None:
        """Rows the store did not take: they go again at the next flush."""
        with self._lock:
            self._dirty.update(r.index for r in rows)

    def summaries(self) -> tuple[PhaseSummary, ...]:
        with self._lock:
            return tuple(p.summary() for p in self.phases)

    def predict(self) -> Prediction | None:
        """The whole run's energy and duration from the completed phases (``None`` before one ends or
        when no total is known)."""
        if not self.total:
            return None
        with self._lock:
            done = [(p.start_s, p.end_s, p.energy_j) for p in self.phases
                    if p.end_s is not None and p.energy_j is not None]
        if not done:
            return None
        return predict(
            [energy_j / J_PER_KWH for _, _, energy_j in done],
            [end_s - start_s for start_s, end_s, _ in done],
            self.total,
            elapsed_s=max(end_s for _, end_s, _ in done),
            energy_so_far_kwh=sum(energy_j for _, _, energy_j in done) / J_PER_KWH,
        )

    def last_prediction(self, *, status: str) -> Prediction | None:
        """The prediction a summary keeps: the last one made during the run, only if the run stopped
        before its phases were done (``finished`` runs have their own figure, which replaces it)."""
        if status == "finished" or not self.predictions:
            return None
        last = self.predictions[-1]
        return last if len(self.phases) < last.total else None


def with_footprint(
    pred: Prediction,
    domains_kwh: Mapping[str, float],
    footprint: Callable[[dict[str, float], float], Footprint | None],
) -> Prediction:
    """``pred`` with its footprint: the run's energy mix so far scaled to each end of the prediction
    (``footprint(domains_kwh, duration_s)`` is the engine call the run itself makes)."""
    now_kwh = sum(domains_kwh.values())
    if now_kwh <= 0:
        return pred
    ends = []
    for e, t in ((pred.energy_kwh.central, pred.duration_s.central), (pred.energy_kwh.low, pred.duration_s.low),
                 (pred.energy_kwh.high, pred.duration_s.high)):
        fp = footprint({d: v * e / now_kwh for d, v in domains_kwh.items()}, t)
        if fp is None:
            return pred
        ends.append(fp.co2e_kg)
    c = ends[0].central
    return replace(pred, co2e_kg=Q(c, min(ends[1].low, c), max(ends[2].high, c)))
