"""The embedded run store: one SQLite file (stdlib ``sqlite3``), WAL — the SQLite dialect of the SQL store.

Every write is one short ``BEGIN IMMEDIATE`` transaction, and the connection waits up to
``busy_timeout_s`` for a lock, so several trackers can write one file at once without losing a row.
A store opened for reading only (``readonly``) or without ``create`` never creates a file or a folder.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from aiceberg.errors import StoreError
from aiceberg.i18n import Msg
from aiceberg.store.migrations import LATEST, MIGRATIONS
from aiceberg.store.sql import SqlStore
from aiceberg.store.util import now_iso, one_line, pid_alive

__all__ = ["MIGRATIONS", "SQLiteDialect", "SQLiteStore", "pid_alive"]

_TABLES = ("runs", "channels", "samples", "phases")


class _Tx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(sql, params).rowcount

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class SQLiteDialect:
    """A connection to one SQLite file, and what SQLite means by each failure.

    Args:
        path: the database file, or ``":memory:"``.
        busy_timeout_s: how long a writer waits for another writer's lock.
        create: create the file (and its folder) when missing; otherwise a missing file is refused.
        readonly: open the file read-only (never creates anything).
    """

    name = "sqlite"
    errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
    tokens: ClassVar[dict[str, str]] = {
        "real": "REAL", "json": "TEXT", "key": "INTEGER PRIMARY KEY AUTOINCREMENT", "bigint": "INTEGER",
        "seq": "", "order": "rowid", "without_rowid": " WITHOUT ROWID",
    }

    def __init__(
        self, path: str | os.PathLike[str], *, busy_timeout_s: float = 30.0, create: bool = True, readonly: bool = False
    ) -> None:
        self.path = os.fspath(path)
        self.where = self.path
        self.busy_timeout_s = busy_timeout_s
        self.readonly = readonly
        memory = self.path == ":memory:"
        if not memory and (readonly or not create) and not os.path.exists(self.path):
            raise StoreError(Msg("store.missing", where=self.where))
        try:
            if memory:
                self.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            else:
                if create and not readonly:
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                mode = "ro" if readonly else ("rwc" if create else "rw")
                uri = f"{Path(self.path).absolute().as_uri()}?mode={mode}"
                self.conn = sqlite3.connect(
                    uri, uri=True, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
                )
            self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        except (sqlite3.Error, OSError) as exc:
            raise self.error(exc, writing=not readonly) from exc

    # -- what a failure means ------------------------------------------------------------------

    def error(self, exc: BaseException, *, writing: bool) -> StoreError:
        reason = one_line(exc) if not isinstance(exc, OSError) else (exc.strerror or one_line(exc))
        text = reason.lower()
        if "locked" in text or "busy" in text:
            key = "store.locked"
        elif "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
            key = "store.readonly"
        elif "not a database" in text or "malformed" in text or "corrupt" in text:
            key = "store.corrupt"
        elif "full" in text:
            key = "store.full"
        elif "unable to open" in text or isinstance(exc, OSError):
            key = "store.cannot_open"
        else:
            key = "store.write_failed" if writing else "store.read_failed"
        return StoreError(Msg(key, where=self.where, reason=reason))

    def after_error(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    # -- statements ----------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[_Tx]:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield _Tx(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    def query(self, sql: str, params: Sequence[Any] = (), make: Callable[[Any], Any] | None = None) -> list[Any]:
        cursor = self.conn.execute(sql, params)
        return cursor.fetchall() if make is None else list(map(make, cursor))  # rows made as they come

    @staticmethod
    def limit_offset(limit: int | None, offset: int) -> tuple[str, list[Any]]:
        if limit is None and not offset:
            return "", []
        return " LIMIT ? OFFSET ?", [-1 if limit is None else limit, offset]

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error, AttributeError):
            self.conn.close()

    # -- schema --------------------------------------------------------------------------------

    def _versions(self) -> set[int] | None:
        """The versions applied, or ``None`` when the file has no ``schema_migrations`` table."""
        names = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "schema_migrations" not in names:
            if names & set(_TABLES):
                raise StoreError(Msg("store.not_a_store", where=self.where))
            return None
        return {int(r[0]) for r in self.conn.execute("SELECT version FROM schema_migrations")}

    def _check(self, done: set[int]) -> None:
        found = max(done, default=0)
        if found > LATEST:
            raise StoreError(Msg("store.too_new", where=self.where, found=found, known=LATEST))

    def migrate(self, *, readonly: bool) -> None:
        """Bring the file to the latest schema (each migration in its own transaction, recorded once)."""
        if readonly:
            done = self._versions()
            if done is None:
                raise StoreError(Msg("store.not_a_store", where=self.where))
            self._check(done)
            if max(done, default=0) < LATEST:
                raise StoreError(Msg("store.outdated", where=self.where, found=max(done, default=0), known=LATEST))
            return
        _retry_while_locked(self._settings, self.busy_timeout_s)
        done = self._versions()
        if done is None:
            _retry_while_locked(lambda: self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            ), self.busy_timeout_s)
            done = set()
        self._check(done)
        for m in MIGRATIONS:
            if m.version in done:
                continue
            script = (
                "BEGIN IMMEDIATE;\n"
                "INSERT INTO schema_migrations (version, name, applied_at) "
                f"VALUES ({m.version}, {_quote(m.name)}, {_quote(now_iso())});\n"
                f"{m.render(self.tokens)}\nCOMMIT;\n"
            )
            try:
                _retry_while_locked(functools.partial(self._script, script), self.busy_timeout_s)
            except sqlite3.Error:
                if m.version in (self._versions() or set()):  # another process applied it meanwhile
                    continue
                raise

    def _script(self, script: str) -> None:
        """Run a whole migration script (its own BEGIN … COMMIT); roll back what a failure left open."""
        try:
            self.conn.executescript(script)
        except BaseException:
            self.after_error()
            raise

    def _settings(self) -> None:
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("PRAGMA foreign_keys = ON")


def _retry_while_locked(fn: Callable[[], Any], timeout_s: float) -> None:
    """Run ``fn``, retrying while another process holds the lock.

    Switching to WAL and the first schema statements of a new file can answer "database is locked" at
    once, without SQLite's busy handler, when two processes open the same new store together.
    """
    deadline = time.monotonic() + timeout_s
    delay = 0.01
    while True:
        try:
            fn()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


class SQLiteStore(SqlStore):
    """A run store in one SQLite file (see :class:`SQLiteDialect` and :class:`~aiceberg.store.sql.SqlStore`)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout_s: float = 30.0,
        stale_after_s: float = 120.0,
        create: bool = True,
        readonly: bool = False,
    ) -> None:
        dialect = SQLiteDialect(path, busy_timeout_s=busy_timeout_s, create=create, readonly=readonly)
        super().__init__(dialect, readonly=readonly, stale_after_s=stale_after_s)
