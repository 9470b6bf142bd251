"""The tracker's clock: monotonic time for the samples, wall time for the store, and waiting.

The tracker never calls :mod:`time` itself; it is given a :class:`Clock` (the system's by default), so
that its tests drive time by hand instead of sleeping. The sensors a run reads must share the run's
monotonic clock (a reading's ``t_s`` is compared with the run's start).
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

__all__ = ["SYSTEM_CLOCK", "Clock", "SystemClock"]


class Clock(Protocol):
    """What the tracker needs from time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (sample times, intervals)."""
        ...

    def wall(self) -> float:
        """Seconds since the Unix epoch (start and end dates, heartbeats)."""
        ...

    def wait_until(self, event: threading.Event, deadline: float) -> bool:
        """Wait until ``event`` is set or the monotonic clock reaches ``deadline``; whether it is set."""
        ...

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass (the idle baseline)."""
        ...


class SystemClock:
    """The real clocks: ``time.monotonic``, ``time.time``, ``Event.wait``, ``time.sleep``."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    def wait_until(self, event: threading.Event, deadline: float) -> bool:
        return event.wait(max(0.0, deadline - time.monotonic()))

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()
