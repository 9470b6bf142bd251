"""The cluster run store: PostgreSQL through psycopg 3 (extra ``[postgres]``), numbered migrations.

Same protocol and behaviour as the SQLite store: every write is one short transaction; migrations are
numbered, recorded in ``schema_migrations`` and applied once each, under a transaction-scoped advisory
lock so that processes opening a new database together do not collide. The tables live in the first
schema of the connection's ``search_path``; to use another schema, put it in the URL
(``postgresql://u@host/db?options=-csearch_path%3Dmyschema``).

psycopg is imported when a store is created, never at module import.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from aiceberg.errors import MissingExtraError, StoreError
from aiceberg.store import sqlcommon as q
from aiceberg.store.base import ChannelRow, NewRun, PhaseRow, SampleRow

__all__ = ["MIGRATIONS", "MIGRATION_LOCK_KEY", "PostgresStore", "describe_url"]

# Key of the advisory lock taken while migrating (any 64-bit integer unique to aiceberg).
MIGRATION_LOCK_KEY = 0x41494365_62657267  # "AICeberg"

# (version, name, statements). Append only: a released migration is never edited. Same numbers as the
# SQLite migrations; ``seq`` stands in for SQLite's rowid (insertion order, for ties).
MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "runs, channels, samples, phases",
        """
        CREATE TABLE runs (
            run_id          TEXT PRIMARY KEY,
            seq             BIGINT GENERATED ALWAYS AS IDENTITY,
            status          TEXT NOT NULL CHECK (status IN ('running','finished','interrupted','failed')),
            name            TEXT,
            project         TEXT NOT NULL DEFAULT 'default',
            command         TEXT,
            location        TEXT,
            pid             INTEGER NOT NULL,
            hostname        TEXT NOT NULL,
            started_at      TEXT NOT NULL,
            started_unix    DOUBLE PRECISION NOT NULL,
            ended_at        TEXT,
            heartbeat_unix  DOUBLE PRECISION,
            interval_s      DOUBLE PRECISION NOT NULL,
            flush_every_s   DOUBLE PRECISION NOT NULL,
            duration_s      DOUBLE PRECISION,
            energy_kwh      DOUBLE PRECISION,
            co2e_kg         DOUBLE PRECISION,
            exit_code       INTEGER,
            end_reason      TEXT,
            summary_json    JSON
        );
        CREATE INDEX runs_started ON runs (started_unix);
        CREATE INDEX runs_status ON runs (status);
        CREATE TABLE channels (
            run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            seq         BIGINT GENERATED ALWAYS AS IDENTITY,
            channel_id  TEXT NOT NULL,
            sensor      TEXT NOT NULL,
            domain      TEXT NOT NULL,
            label       TEXT NOT NULL,
            method      TEXT NOT NULL,
            PRIMARY KEY (run_id, channel_id)
        );
        CREATE TABLE samples (
            run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            seq         BIGINT GENERATED ALWAYS AS IDENTITY,
            t_s         DOUBLE PRECISION NOT NULL,
            channel_id  TEXT NOT NULL,
            energy_j    DOUBLE PRECISION,
            power_w     DOUBLE PRECISION,
            error       TEXT
        );
        CREATE INDEX samples_run ON samples (run_id, t_s);
        CREATE TABLE phases (
            run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            idx         INTEGER NOT NULL,
            name        TEXT NOT NULL,
            start_s     DOUBLE PRECISION NOT NULL,
            end_s       DOUBLE PRECISION,
            energy_j    DOUBLE PRECISION,
            PRIMARY KEY (run_id, idx)
        );
        """,
    ),
]

_FIX = "check that the server is running and that the URL's host, port, user, password and database are right"


def _psycopg() -> Any:
    try:
        import psycopg
    except ModuleNotFoundError as exc:
        raise MissingExtraError("the PostgreSQL run store", "postgres", ["psycopg"]) from exc
    return psycopg


def describe_url(url: str) -> str:
    """``user@host:port/dbname`` for messages: never the password."""
    psycopg = _psycopg()
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return "postgresql://(unparsable URL)"
    user = f"{info['user']}@" if info.get("user") else ""
    host = info.get("host") or info.get("hostaddr") or "localhost"
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{user}{host}{port}/{info.get('dbname') or '(default database)'}"


def _one_line(exc: BaseException, secret: str | None) -> str:
    text = " ".join(str(exc).split())
    if secret:
        text = text.replace(secret, "***")
    return text or type(exc).__name__


class PostgresStore(q.SqlReads):
    """A run store in a PostgreSQL database.

    Args:
        url: a ``postgresql://`` or ``postgres://`` URL (libpq's syntax; ``?options=-csearch_path%3DS``
            selects a schema).
        busy_timeout_s: how long a statement waits for another writer's lock (``lock_timeout``).
        stale_after_s: a ``running`` run whose heartbeat is older than this (and at least ten of its
            flush intervals) is considered dead, even on another host or if its pid was reused.
        check_stale: mark dead ``running`` runs as ``interrupted`` when the store is opened.
        connect_timeout_s: how long to wait for the server (unless the URL says ``connect_timeout``).
    """

    ORDER_COLUMN = "seq"  # an identity column stands in for SQLite's rowid

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_s: float = 30.0,
        stale_after_s: float = 120.0,
        check_stale: bool = True,
        connect_timeout_s: float = 10.0,
    ) -> None:
        psycopg = _psycopg()
        self._errors = psycopg.Error
        self.url = url
        self.path = describe_url(url)  # what messages show, as SQLiteStore.path does
        self.stale_after_s = stale_after_s
        self._lock = threading.RLock()
        self._hostname = socket.gethostname()
        try:
            secret = psycopg.conninfo.conninfo_to_dict(url).get("password")
        except psycopg.Error as exc:
            raise StoreError(f"bad PostgreSQL URL for the run store: {_one_line(exc, None)}") from exc
        self._connect_kwargs: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in url:
            self._connect_kwargs["connect_timeout"] = max(1, round(connect_timeout_s))
        self._lock_timeout_ms = int(busy_timeout_s * 1000)
        try:
            self._conn = psycopg.connect(url, **self._connect_kwargs)
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot connect to the PostgreSQL run store {self.path}: {_one_line(exc, secret)} — {_FIX}"
            ) from exc
        try:
            self._conn.execute(f"SET lock_timeout = {self._lock_timeout_ms}")
            self._migrate()
        except psycopg.Error as exc:
            self.close()
            raise StoreError(
                f"cannot open the PostgreSQL run store {self.path}: {_one_line(exc, secret)} — "
                "check that the user may create tables in the database (or its search_path schema)"
            ) from exc
        if check_stale:
            self.mark_stale_runs()

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Any]:
        with self._lock:
            try:
                with self._conn.transaction(), self._conn.cursor() as cur:
                    yield cur
            except self._errors as exc:
                self._reconnect_if_broken()
                raise StoreError(f"cannot write the run store {self.path}: {_one_line(exc, None)}") from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                with self._conn.cursor() as cur:
                    cur.execute(q.to_format_style(sql), params)
                    return cur.fetchall()
            except self._errors as exc:
                self._reconnect_if_broken()
                raise StoreError(f"cannot read the run store {self.path}: {_one_line(exc, None)}") from exc

    def _reconnect_if_broken(self) -> None:
        """After a lost connection (server restart…), connect again so that the caller's next try can work.

        The failed operation is not retried here: the tracker keeps its buffer and writes it at its next flush.
        """
        if not (self._conn.broken or self._conn.closed):
            return
        psycopg = _psycopg()
        with contextlib.suppress(psycopg.Error):
            conn = psycopg.connect(self.url, **self._connect_kwargs)
            conn.execute(f"SET lock_timeout = {self._lock_timeout_ms}")
            self._conn = conn

    def _migrate(self) -> None:
        with self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            done = {row[0] for row in self._conn.execute("SELECT version FROM schema_migrations")}
        for version, name, sql in MIGRATIONS:
            if version in done:
                continue
            with self._conn.transaction():
                self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
                # another process may have applied it while we waited for the lock
                if self._conn.execute("SELECT 1 FROM schema_migrations WHERE version = %s", (version,)).fetchone():
                    continue
                for statement in sql.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
                self._conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
                    (version, name, q.now_iso()),
                )

    def schema_version(self) -> int:
        """The highest migration applied."""
        return int(self._read("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0])

    # -- writes -----------------------------------------------------------------------------

    def create_run(self, run: NewRun, channels: Sequence[ChannelRow]) -> None:
        with self._write() as cur:
            cur.execute(q.to_format_style(q.INSERT_RUN), q.run_params(run))
            cur.executemany(q.to_format_style(q.INSERT_CHANNEL), q.channel_params(run.run_id, channels))

    def append(
        self,
        run_id: str,
        samples: Sequence[SampleRow],
        phases: Sequence[PhaseRow] = (),
        *,
        heartbeat_unix: float,
        partial: dict[str, Any] | None = None,
    ) -> None:
        with self._write() as cur:
            cur.executemany(q.to_format_style(q.INSERT_SAMPLE), q.sample_params(run_id, samples))
            cur.executemany(q.to_format_style(q.UPSERT_PHASE), q.phase_params(run_id, phases))
            cur.execute(q.to_format_style(q.UPDATE_HEARTBEAT), q.heartbeat_params(run_id, heartbeat_unix, partial))

    def finish_run(
        self,
        run_id: str,
        *,
        status: str,
        ended_at: str,
        duration_s: float,
        energy_kwh: float | None,
        co2e_kg: float | None,
        exit_code: int | None,
        end_reason: str | None,
        summary: dict[str, Any],
    ) -> None:
        params = q.finish_params(
            run_id, status=status, ended_at=ended_at, duration_s=duration_s, energy_kwh=energy_kwh,
            co2e_kg=co2e_kg, exit_code=exit_code, end_reason=end_reason, summary=summary,
        )
        with self._write() as cur:
            cur.execute(q.to_format_style(q.FINISH_RUN), params)

    def mark_stale_runs(self) -> list[str]:
        dead = q.stale_runs(self._read(q.SELECT_RUNNING), hostname=self._hostname, stale_after_s=self.stale_after_s)
        if not dead:
            return []
        with self._write() as cur:
            for run_id, reason, ended_at in dead:
                cur.execute(q.to_format_style(q.MARK_INTERRUPTED), (reason, ended_at, run_id))
        return [d[0] for d in dead]

    # -- reads ------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock, contextlib.suppress(Exception):
            self._conn.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

