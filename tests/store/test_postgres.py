"""The PostgreSQL run store behaves as the SQLite one: the behavioural checks run on both backends.

The server comes from ``AICEBERG_TEST_POSTGRES_URL`` (``eval "$(bash scripts/start-postgres)"`` starts a
throwaway one and sets it); without it, or when it is unreachable, or without psycopg, the PostgreSQL
cases are skipped with the reason. Each test gets its own schema (dropped afterwards), through the URL's
``options=-csearch_path%3D…``, so that runs do not interfere and subprocesses reach the same tables.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aiceberg.errors import MissingExtraError, StoreError
from aiceberg.store import ChannelRow, NewRun, PhaseRow, RunStore, SampleRow, open_store

# Read at import: the autouse fixture of this folder's conftest removes every AICEBERG_* variable.
PG_URL = os.environ.get("AICEBERG_TEST_POSTGRES_URL", "").strip()
TRACKER_TESTS = Path(__file__).parent.parent / "tracker"  # fake_sensor.py


def _with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The test server's URL, or a skip that says why there is none."""
    if not PG_URL:
        pytest.skip("AICEBERG_TEST_POSTGRES_URL is not set (eval \"$(bash scripts/start-postgres)\" sets it)")
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'aiceberg[postgres]')")
    try:
        psycopg.connect(PG_URL, connect_timeout=5).close()
    except psycopg.Error as exc:
        pytest.skip(f"the PostgreSQL server of AICEBERG_TEST_POSTGRES_URL is unreachable: {' '.join(str(exc).split())}")
    return PG_URL


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A URL whose tables live in a fresh schema of the test database, dropped after the test."""
    import psycopg

    schema = f"aiceberg_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield _with_schema(pg_server, schema)
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives: a SQLite file, or a PostgreSQL URL (skipped when there is no server)."""
    if request.param == "sqlite":
        return str(tmp_path / "runs.db")
    return str(request.getfixturevalue("pg_url"))


def _pg_rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def new_run(run_id: str, *, pid: int | None = None, hostname: str | None = None, flush: float = 5.0) -> NewRun:
    return NewRun(
        run_id=run_id, started_at="2025-01-01T00:00:00.000Z", started_unix=time.time(),
        pid=os.getpid() if pid is None else pid, hostname=hostname or socket.gethostname(),
        name="t", command="python x.py", flush_every_s=flush,
    )


# -- on both backends ------------------------------------------------------------------------------


def test_migrations_are_recorded_once(target: str) -> None:
    store = open_store(target)
    version = store.schema_version()  # type: ignore[attr-defined]
    store.close()
    open_store(target).close()
    if target.startswith("postgresql://"):
        from aiceberg.store.postgres import MIGRATIONS

        rows = _pg_rows(target, "SELECT version FROM schema_migrations ORDER BY version")
    else:
        import sqlite3

        from aiceberg.store.sqlite import MIGRATIONS  # type: ignore[assignment]

        with sqlite3.connect(target) as conn:
            rows = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert version == MIGRATIONS[-1][0]
    assert [r[0] for r in rows] == [m[0] for m in MIGRATIONS]


def test_round_trip(target: str) -> None:
    store = open_store(target)
    store.create_run(new_run("abc123"), [ChannelRow("rapl:0", "rapl", "cpu", "package-0", "measured")])
    store.append(
        "abc123",
        [SampleRow(0.0, "rapl:0", 0.0, 10.0), SampleRow(1.0, "rapl:0", None, None, "EIO"),
         SampleRow(2.0, "rapl:0", 20.0)],
        [PhaseRow(0, "epoch 1", 0.0)],
        heartbeat_unix=time.time(), partial={"duration_s": 2.0, "energy_kwh": 20 / 3.6e6},
    )
    store.append("abc123", [], [PhaseRow(0, "epoch 1", 0.0, 2.0, 20.0)], heartbeat_unix=time.time())
    assert store.get_run("abc").status == "running"
    assert store.get_run("abc").energy_kwh == pytest.approx(20 / 3.6e6)
    assert store.get_run("abc").duration_s == 2.0
    summary = {"z": 1, "a": [1.5, None], "nested": {"k": "v"}}
    store.finish_run("abc123", status="finished", ended_at="2025-01-01T00:00:02.000Z", duration_s=2.0,
                     energy_kwh=1e-5, co2e_kg=1e-6, exit_code=0, end_reason=None, summary=summary)
    rec = store.get_run("abc123")
    assert (rec.status, rec.exit_code, rec.summary) == ("finished", 0, summary)
    assert list(rec.summary) == ["z", "a", "nested"]  # key order kept
    assert (rec.ended_at, rec.energy_kwh, rec.co2e_kg) == ("2025-01-01T00:00:02.000Z", 1e-5, 1e-6)
    assert store.phases("abc123") == [PhaseRow(0, "epoch 1", 0.0, 2.0, 20.0)]
    assert store.channels("abc123") == [ChannelRow("rapl:0", "rapl", "cpu", "package-0", "measured")]
    with pytest.raises(StoreError, match="no run"):
        store.get_run("zzz")
    with pytest.raises(StoreError, match="no run"):
        store.get_run("a%")  # LIKE wildcards in a prefix are literal
    store.create_run(new_run("abd999"), [])
    with pytest.raises(StoreError, match="ambiguous"):
        store.get_run("ab")
    store.finish_run("abd999", status="failed", ended_at="x", duration_s=1.0, energy_kwh=None, co2e_kg=None,
                     exit_code=3, end_reason="exit 3", summary={})
    assert [r.run_id for r in store.list_runs()] == ["abd999", "abc123"]  # newest first
    assert [r.run_id for r in store.list_runs(status="finished")] == ["abc123"]
    assert [r.run_id for r in store.list_runs(limit=1)] == ["abd999"]
    assert store.get_run("abd999").to_dict()["energy_kwh"] is None
    store.close()


def test_gaps_stay_null_never_zero(target: str) -> None:
    store = open_store(target)
    store.create_run(new_run("gaps"), [ChannelRow("a", "fake", "cpu", "a", "measured"),
                                       ChannelRow("b", "fake", "gpu", "b", "modelled")])
    rows = [SampleRow(0.0, "a", 0.0, 5.0), SampleRow(0.0, "b", None, None, "no driver"),
            SampleRow(1.0, "a", None, None, "EIO"), SampleRow(1.0, "b", 3.5),
            SampleRow(2.0, "a", 0.0), SampleRow(2.0, "b", None, 7.0, "busy")]
    store.append("gaps", rows[:3], heartbeat_unix=time.time())
    store.append("gaps", rows[3:], heartbeat_unix=time.time())
    assert store.samples("gaps") == rows  # time order, then insertion order
    store.close()
    if target.startswith("postgresql://"):
        nulls = _pg_rows(target, "SELECT COUNT(*) FROM samples WHERE energy_j IS NULL")[0][0]
        zeros = _pg_rows(target, "SELECT COUNT(*) FROM samples WHERE energy_j = 0")[0][0]
        assert (nulls, zeros) == (3, 2)


def test_a_running_run_whose_owner_is_dead_becomes_interrupted(target: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    store = open_store(target)
    store.create_run(new_run("dead", pid=proc.pid), [])
    store.append("dead", [SampleRow(0.5, "c", 1.0)], heartbeat_unix=time.time(), partial={"duration_s": 0.5})
    store.create_run(new_run("alive"), [])  # this process: alive
    store.create_run(new_run("faraway", pid=1, hostname="elsewhere", flush=0.001), [])
    store.close()
    store = open_store(target)
    dead = store.get_run("dead")
    assert (dead.status, dead.duration_s) == ("interrupted", 0.5)
    assert "gone" in (dead.end_reason or "") and dead.ended_at
    assert store.get_run("alive").status == "running"
    assert store.get_run("faraway").status == "running"  # another host with a fresh heartbeat
    store.close()
    store = open_store(target, stale_after_s=0.0)
    time.sleep(0.01)
    statuses = {r.run_id: r.status for r in store.list_runs()}
    assert statuses == {"dead": "interrupted", "alive": "running", "faraway": "interrupted"}  # stale heartbeat
    assert "heartbeat" in (store.get_run("faraway").end_reason or "")
    store.close()


WRITER = textwrap.dedent(
    """
    import os, socket, sys, time
    from aiceberg.store import open_store, NewRun, ChannelRow, SampleRow
    target, run_id, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = open_store(target)
    store.create_run(NewRun(run_id, "2025-01-01T00:00:00Z", time.time(), os.getpid(), socket.gethostname()),
                     [ChannelRow("c", "fake", "cpu", "c", "measured")])
    for i in range(0, n, 10):
        store.append(run_id, [SampleRow(float(j), "c", float(j)) for j in range(i, i + 10)],
                     heartbeat_unix=time.time())
    store.finish_run(run_id, status="finished", ended_at="x", duration_s=1.0, energy_kwh=0.0,
                     co2e_kg=None, exit_code=0, end_reason=None, summary={})
    """
)


def test_two_concurrent_writers_lose_nothing(target: str, tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    n = 2000
    procs = [subprocess.Popen([sys.executable, str(script), target, f"w{k}", str(n)]) for k in range(2)]
    assert [p.wait(120) for p in procs] == [0, 0]
    store = open_store(target)
    for k in range(2):
        samples = store.samples(f"w{k}")
        assert len(samples) == n
        assert [s.t_s for s in samples] == [float(j) for j in range(n)]
        assert store.get_run(f"w{k}").status == "finished"
    store.close()


TRACKED = textwrap.dedent(
    """
    import sys, time, warnings
    warnings.simplefilter("ignore")
    from fake_sensor import CounterSensor
    from aiceberg import track
    with track(sensors=[CounterSensor(power_w=100.0)], store=sys.argv[1], interval_s=0.02,
               flush_every_s=0.1) as run:
        print(run.run_id, flush=True)
        time.sleep(60)
    """
)


def test_a_sigkilled_tracker_run_is_interrupted_on_next_open(target: str, tmp_path: Path) -> None:
    script = tmp_path / "tracked.py"
    script.write_text(TRACKED)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICEBERG_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["PYTHONPATH"] = os.pathsep.join([str(TRACKER_TESTS), *filter(None, [os.environ.get("PYTHONPATH")])])
    proc = subprocess.Popen([sys.executable, str(script), target], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        run_id = proc.stdout.readline().strip()
        assert run_id, "the tracked child did not start"
        watcher = open_store(target, check_stale=False)
        deadline = time.monotonic() + 20
        while len(watcher.samples(run_id)) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        flushed = len(watcher.samples(run_id))
        watcher.close()
        assert flushed >= 20
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    store = open_store(target)  # opening the store notices the dead owner
    rec = store.get_run(run_id)
    assert rec.status == "interrupted" and "gone" in (rec.end_reason or "")
    samples = store.samples(run_id)
    assert len(samples) >= flushed
    # what was flushed is intact: a 100 W counter. (Measured from the first sample: the tracker starts its
    # clock before create_run and reads the baseline after it, so a network store shifts t_s by a round trip.)
    t_first = samples[0].t_s
    for s in samples:
        assert s.energy_j == pytest.approx(100.0 * (s.t_s - t_first), rel=0.01, abs=0.05)
    assert rec.energy_kwh is not None and rec.energy_kwh > 0 and rec.duration_s
    assert [r.status for r in store.list_runs()] == ["interrupted"]
    store.close()


# -- PostgreSQL only ---------------------------------------------------------------------------------

OPENER = textwrap.dedent(
    """
    import sys, time
    from aiceberg.store import open_store
    while time.time() < float(sys.argv[2]):
        time.sleep(0.001)
    open_store(sys.argv[1]).close()
    """
)


def test_processes_migrating_a_new_schema_at_once_apply_each_migration_once(pg_url: str, tmp_path: Path) -> None:
    from aiceberg.store.postgres import MIGRATIONS

    script = tmp_path / "opener.py"
    script.write_text(OPENER)
    start_at = str(time.time() + 2.0)
    procs = [subprocess.Popen([sys.executable, str(script), pg_url, start_at], stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    errors = [p.communicate(60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, errors
    rows = _pg_rows(pg_url, "SELECT version, name FROM schema_migrations ORDER BY version")
    assert rows == [(m[0], m[1]) for m in MIGRATIONS]


def test_url_selects_the_schema_and_postgres_scheme_works(pg_url: str) -> None:
    from aiceberg.store.postgres import PostgresStore

    store = open_store(pg_url.replace("postgresql://", "postgres://", 1))
    assert isinstance(store, PostgresStore)
    store.create_run(new_run("here"), [])
    store.close()
    schema = pg_url.rsplit("%3D", 1)[1]
    assert _pg_rows(pg_url, f"SELECT run_id FROM {schema}.runs") == [("here",)]


def test_a_lost_connection_fails_one_write_then_the_store_reconnects(pg_url: str, pg_server: str) -> None:
    import psycopg

    from aiceberg.store.postgres import PostgresStore

    store = open_store(pg_url)
    assert isinstance(store, PostgresStore)
    store.create_run(new_run("r"), [])
    with psycopg.connect(pg_server, autocommit=True) as conn:  # as a server restart would
        conn.execute("SELECT pg_terminate_backend(%s)", (store._conn.info.backend_pid,))
    with pytest.raises(StoreError, match="cannot write"):
        store.append("r", [SampleRow(0.0, "c", 1.0)], heartbeat_unix=time.time())
    store.append("r", [SampleRow(0.0, "c", 1.0)], heartbeat_unix=time.time())  # the tracker's next flush
    assert store.samples("r") == [SampleRow(0.0, "c", 1.0)]
    store.close()


def test_connection_errors_are_one_line_store_errors_without_the_password() -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'aiceberg[postgres]')")
    with pytest.raises(StoreError) as info:
        open_store("postgresql://someone:hunter2secret@127.0.0.1:1/somedb", connect_timeout_s=2)
    text = str(info.value)
    assert "hunter2secret" not in text and "\n" not in text
    assert "127.0.0.1:1/somedb" in text and "check that the server is running" in text
    with pytest.raises(StoreError, match="bad PostgreSQL URL"):
        open_store("postgresql://[nope")


def test_without_psycopg_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg → ModuleNotFoundError
    with pytest.raises(MissingExtraError, match=r"\[postgres\]"):
        open_store("postgresql://u@127.0.0.1:1/db")


def test_the_postgres_store_has_every_method_of_the_protocol() -> None:
    from aiceberg.store.postgres import PostgresStore  # importable without psycopg: it is imported lazily

    wanted = {name for name in vars(RunStore) if not name.startswith("_")}
    assert "append" in wanted
    assert all(callable(getattr(PostgresStore, name, None)) for name in wanted)
