"""A channel's points on the query's grid → the run's samples: cumulative joules, gaps, resets, missing time.

The grid is ``start + i × step`` (what ``query_range`` answers). A grid point without a value is a
*gap*: a sample with no energy and a reason, never 0 J.

- **Counters** (DCGM's energy, Kepler's joules): the energy is the sum of the increases between
  successive values; the next value after a gap covers it. A value lower than the one before is a
  counter reset (a driver reload, an exporter restart): the counter is taken to have restarted from 0,
  so the new value is the energy since the restart (Prometheus's own rule for ``increase()``).
- **Power gauges** (DCGM's power without a counter, Scaphandre): integrated by the trapezoid rule
  between two *adjacent* grid points only; a stretch with missing points is left out of the energy and
  counted as missing time (the run's channel is then ``partial``), never bridged with a guess.

Time before a channel's first value or after its last one, within its node's run, is missing time too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiceberg.model.run_records import SampleRow
from aiceberg.prometheus.families import ImportedChannel

__all__ = ["GAP", "Converted", "convert", "grid_index"]

#: The reason of a gap sample.
GAP = "no value in Prometheus at this time (series absent or stale)"


def grid_index(t: float, start: float, step: float) -> int:
    """The grid point of a query_range timestamp."""
    return round((t - start) / step)


@dataclass
class Converted:
    """One channel's samples and figures over its node's run."""

    rows: list[SampleRow] = field(default_factory=list)
    energy_j: float | None = None
    reads: int = 0
    gaps: int = 0
    resets: int = 0
    missing_s: float = 0.0


def convert(ch: ImportedChannel, *, first: int, last: int, start: float, step: float) -> Converted:
    """``ch``'s samples for the grid points ``first`` to ``last`` (its node's run), times relative to ``first``."""
    points = {grid_index(t, start, step): v for t, v in ch.points.items()}
    out = Converted()
    cum = 0.0
    prev_i: int | None = None
    prev_v = 0.0
    for i in range(first, last + 1):
        t = (i - first) * step
        v = points.get(i)
        if v is None:
            out.rows.append(SampleRow(t, ch.id, None, None, GAP))
            out.gaps += 1
            continue
        if prev_i is None:
            out.missing_s += (i - first) * step  # before the channel's first value: not counted
        elif ch.kind == "counter":
            delta = v - prev_v
            if delta < 0:
                out.resets += 1
                delta = v
            cum += delta
        elif i - prev_i == 1:
            cum += 0.5 * (prev_v + v) * step
        else:
            out.missing_s += (i - prev_i) * step
        prev_i, prev_v = i, v
        out.reads += 1
        out.rows.append(SampleRow(t, ch.id, cum, v if ch.kind == "power" else None))
    if prev_i is None:
        out.missing_s = (last - first) * step
    else:
        out.missing_s += (last - prev_i) * step
        out.energy_j = cum
    return out
