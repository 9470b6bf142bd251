"""SIGTERM during a tracked run: a clean stop instead of a lost run.

When the program has no SIGTERM handler of its own, the tracker installs one (main thread only) that
raises :class:`Terminated` in the main thread: the ``with`` block or decorator sees it, the last samples
are written and the run closes as ``interrupted`` before the exit goes on (code 128 + 15).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Any

__all__ = ["SigtermGuard", "Terminated"]


class Terminated(SystemExit):
    """Raised in the main thread when SIGTERM arrives during a tracked run (exit code 128 + 15)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(128 + signum)


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(signum)


class SigtermGuard:
    """Turns SIGTERM into :class:`Terminated` between :meth:`install` and :meth:`restore`."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._old: Any = None

    def install(self) -> None:
        """In the main thread, when the program has no handler of its own (else nothing)."""
        if not self.enabled or threading.current_thread() is not threading.main_thread():
            return
        try:
            if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
                self._old = signal.signal(signal.SIGTERM, _raise_terminated)
        except (ValueError, OSError):  # pragma: no cover
            self._old = None

    def restore(self) -> None:
        """The program's handler back, as it was."""
        if self._old is not None:
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signal.SIGTERM, self._old)
            self._old = None
