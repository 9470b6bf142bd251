"""Runs and samples: one SQL store, SQLite by default (stdlib, WAL), PostgreSQL for clusters.

Use :func:`open_store` rather than a backend class: it picks the dialect from the target (a path or
``":memory:"`` → SQLite, a ``postgresql://`` URL → PostgreSQL, extra ``[postgres]``). Both dialects run
the same statements and the same ordered migrations (:mod:`aiceberg.store.sql`,
:mod:`aiceberg.store.migrations`); a tracker writing to PostgreSQL keeps its samples in a local spool
while the server cannot be reached (:mod:`aiceberg.store.spool`, ``aiceberg runs sync``).
"""

from __future__ import annotations

import os
from typing import Any

from aiceberg.config import load_settings
from aiceberg.errors import StoreError
from aiceberg.store.base import (
    STATUSES,
    ChannelRow,
    NewRun,
    PhaseRow,
    PowerSeries,
    RunEnd,
    RunRecord,
    RunRow,
    RunStatus,
    RunStore,
    SampleRow,
)
from aiceberg.store.postgres import PostgresStore
from aiceberg.store.spool import SpoolingStore
from aiceberg.store.sqlite import SQLiteStore

__all__ = [
    "STATUSES",
    "ChannelRow",
    "NewRun",
    "PhaseRow",
    "PowerSeries",
    "RunEnd",
    "RunRecord",
    "RunRow",
    "RunStatus",
    "RunStore",
    "SampleRow",
    "is_postgres",
    "open_for_reading",
    "open_store",
]


def is_postgres(target: str | os.PathLike[str]) -> bool:
    """Whether ``target`` names a PostgreSQL store (a ``postgresql://`` or ``postgres://`` URL)."""
    return os.fspath(target).startswith(("postgresql://", "postgres://"))


def open_store(
    target: str | os.PathLike[str] | None = None,
    *,
    readonly: bool = False,
    create: bool = True,
    spool: bool | str | os.PathLike[str] = False,
    **options: Any,
) -> RunStore:
    """Open the run store at ``target``.

    Args:
        target: a SQLite file path, ``":memory:"``, or a ``postgresql://`` URL. ``None`` uses the
            settings (``--db`` < ``AICEBERG_DB`` < config file < the user's data folder).
        readonly: only read: nothing is created, migrated or marked (a store older than this code is
            refused with what to do).
        create: create a missing SQLite file and its folder (otherwise a missing file is refused).
        spool: for a PostgreSQL target, keep what cannot be written (server unreachable at start or
            gone during the run) in a local SQLite spool, sent later by ``aiceberg runs sync``. ``True``
            uses the data folder's ``spool/``; a path chooses the folder. What a tracker uses.
        options: passed to the store (``busy_timeout_s``, ``stale_after_s``; PostgreSQL:
            ``connect_timeout_s``).

    Returns:
        A :class:`~aiceberg.store.base.RunStore`.

    Raises:
        StoreError: the store cannot be opened or migrated (the message says how to fix it).
        MissingExtraError: a PostgreSQL URL without the ``[postgres]`` extra.
    """
    if target is None:
        target = load_settings().db
    text = os.fspath(target)
    if is_postgres(text):
        if spool is not False and not readonly:
            return SpoolingStore(text, spool_dir=None if spool is True else spool, **options)
        return PostgresStore(text, readonly=readonly, **options)
    return SQLiteStore(text, readonly=readonly, create=create, **options)


def open_for_reading(target: str | os.PathLike[str] | None = None, **options: Any) -> RunStore:
    """Open an existing store to read it (reports, lists, the web): never creates a file or a folder.

    A store of an older schema is upgraded when it can be written; one that cannot be written (a
    read-only file or folder) is opened read-only. Marking stale runs stays an explicit act.

    Raises:
        StoreError: no store there (``store.missing``), or it cannot be opened or read.
    """
    if target is None:
        target = load_settings().db
    try:
        return open_store(target, create=False, **options)
    except StoreError as exc:
        if exc.code != "store.readonly":
            raise
    return open_store(target, readonly=True, **options)
