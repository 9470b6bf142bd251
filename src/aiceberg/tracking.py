"""``aiceberg.track`` and ``aiceberg.Run``: the tracker with the run store, for Python programs.

The measuring layer and the store are independent of each other (``measure ⟂ store``, checked by
import-linter): the tracker writes to a sink it is given. This module, above both like the command
line, gives it the store: ``store=None`` (the configured store: ``--db`` < ``AICEBERG_DB`` < the config
file < the data folder), a path or a ``postgresql://`` URL are opened with
:func:`aiceberg.store.open_store`; a store object is used as it is; ``False`` stores nothing. A store
that cannot be opened costs the record, never the run (the summary's warnings say what happened).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiceberg.measure import tracker as _tracker
from aiceberg.measure.recorder import RunSink
from aiceberg.measure.result import RunResult
from aiceberg.store import open_store

__all__ = ["Run", "RunResult", "open_run_store", "track"]


def open_run_store(target: str) -> RunSink:
    """Open the store at ``target`` for a tracked run (``aiceberg run``, the tour and ``track`` use it).

    A PostgreSQL store gets a local spool: a server that is down or goes away keeps the samples on this
    machine until ``aiceberg runs sync`` (or the tracker itself, when the server is back) sends them."""
    return open_store(target, spool=True)


class Run(_tracker.Run):
    __doc__ = _tracker.Run.__doc__

    def __init__(self, **options: Any) -> None:
        options.setdefault("open_store", open_run_store)
        super().__init__(**options)


def track(func: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """Track a block, a function or a whole program, and store the run (see :func:`aiceberg.measure.tracker.track`).

    ``with aiceberg.track(location="FR") as run:`` · ``@aiceberg.track(location="FR")`` · ``@aiceberg.track``.
    """
    options.setdefault("open_store", open_run_store)
    return _tracker.track(func, **options)
