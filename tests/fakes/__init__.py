"""Fakes shaped like the real hardware interfaces, for tests of any layer.

- ``tests.fakes.powercap``: a powercap sysfs tree under a folder (``FakePowercap``).
- ``tests.fakes.pynvml``: an NVML stand-in shaped like nvidia-ml-py (``FakeNvml``, ``NVMLError``).
- ``tests.fakes.amdsmi``: an AMD SMI stand-in (``FakeAmdSmi``, ``AmdSmiLibraryException``).
- ``tests.fakes.procfs``: ``/proc/stat``, ``meminfo``, ``cpuinfo`` and process files (``FakeProc``).
- ``FakeClock``: a monotonic clock that tests advance by hand.

Import them as ``from tests.fakes.powercap import FakePowercap`` (the repository root on ``sys.path``,
as ``python -m pytest`` does; ``tests/measure/conftest.py`` adds it otherwise).
"""

from __future__ import annotations

import threading
import time as _time


class FakeClock:
    """A clock that only moves when told, shaped like ``aiceberg.measure.clock.Clock``.

    Callable (a monotonic clock for sensors), with ``monotonic()``, ``wall()``, ``sleep()`` and
    ``wait_until()`` for the tracker. ``advance(s)`` moves time on; a thread waiting on the clock whose
    deadline is reached wakes, and ``advance`` returns only once that thread has done its work and is
    waiting again (or has ended), so tests of the tracker's thread are deterministic without sleeping.
    """

    def __init__(self, start: float = 1000.0, wall_start: float = 1_700_000_000.0) -> None:
        self.t = start
        self._wall_offset = wall_start - start
        self._cond = threading.Condition()
        self._deadlines: dict[threading.Thread, float] = {}
        self._entries: dict[threading.Thread, int] = {}

    def __call__(self) -> float:
        return self.t

    def monotonic(self) -> float:
        return self.t

    def wall(self) -> float:
        return self._wall_offset + self.t

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def wait_until(self, event: threading.Event, deadline: float) -> bool:
        me = threading.current_thread()
        with self._cond:
            self._entries[me] = self._entries.get(me, 0) + 1
            self._deadlines[me] = deadline
            self._cond.notify_all()
            while not event.is_set() and self.t < deadline:
                self._cond.wait(0.005)  # real time only to notice the event; time itself never passes
            del self._deadlines[me]
            self._cond.notify_all()
            return event.is_set()

    def advance(self, seconds: float) -> float:
        with self._cond:
            self.t += seconds
            due = {th: self._entries[th] for th, d in self._deadlines.items() if d <= self.t}
            self._cond.notify_all()
            give_up = _time.monotonic() + 30.0
            while any(th.is_alive() and self._entries.get(th) == n for th, n in due.items()):
                if _time.monotonic() > give_up:
                    raise RuntimeError("a thread waiting on the FakeClock did not come back")
                self._cond.wait(0.005)
        return self.t
