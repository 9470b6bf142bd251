"""Runs and samples: SQLite by default (stdlib, WAL, migrations); PostgreSQL behind the same protocol.

Use :func:`open_store` rather than a backend class: it picks the backend from the target
(a path or ``":memory:"`` → SQLite, a ``postgresql://`` URL → PostgreSQL, extra ``[postgres]``).
"""

from __future__ import annotations

import os

from aiceberg.config import load_settings
from aiceberg.store.base import (
    STATUSES,
    ChannelRow,
    NewRun,
    PhaseRow,
    RunRecord,
    RunStatus,
    RunStore,
    SampleRow,
)
from aiceberg.store.postgres import PostgresStore
from aiceberg.store.sqlite import SQLiteStore

__all__ = [
    "STATUSES",
    "ChannelRow",
    "NewRun",
    "PhaseRow",
    "RunRecord",
    "RunStatus",
    "RunStore",
    "SampleRow",
    "open_store",
]


def open_store(target: str | os.PathLike[str] | None = None, **options: object) -> RunStore:
    """Open the run store at ``target``.

    Args:
        target: a SQLite file path, ``":memory:"``, or a ``postgresql://`` URL. ``None`` uses the
            settings (``--db`` < ``AICEBERG_DB`` < config file < the user's data folder).
        options: passed to the backend (``busy_timeout_s``, ``stale_after_s``, ``check_stale``).

    Raises:
        StoreError: the store cannot be opened or migrated.
        MissingExtraError: a PostgreSQL URL without the ``[postgres]`` extra.
    """
    if target is None:
        target = load_settings().db
    text = os.fspath(target)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresStore(text, **options)  # type: ignore[arg-type]
    return SQLiteStore(text, **options)  # type: ignore[arg-type]
