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


class FakeClock:
    """A monotonic clock in seconds that only moves when told."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> float:
        self.t += seconds
        return self.t
