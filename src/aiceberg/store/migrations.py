"""The one ordered list of schema migrations, shared by SQLite and PostgreSQL.

A migration is SQL text with a few words that the dialect fills in (``{real}`` is ``REAL`` in SQLite and
``DOUBLE PRECISION`` in PostgreSQL, both 8-byte floats…, see :data:`TOKENS`). Each dialect runs a
migration's text whole (SQLite's ``executescript``, psycopg's multi-statement ``execute``), inside the
transaction that records it in ``schema_migrations``; nothing splits SQL on ``;`` by hand.

Append only: a released migration is never edited (version 1 is aiceberg 0.1.0's schema, byte for byte
in each dialect), so that every store reaches the same schema by the same steps. A store whose version
is newer than :data:`LATEST` was written by a newer aiceberg and is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["LATEST", "MIGRATIONS", "TOKENS", "Migration"]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str  # with {tokens}; no other braces

    def render(self, tokens: Mapping[str, str]) -> str:
        return self.sql.format_map(tokens)


#: The words a dialect fills in: what each means.
TOKENS: dict[str, str] = {
    "real": "an 8-byte float column type",
    "json": "the type of a JSON document column",
    "key": "an auto-numbered 64-bit integer primary key",
    "bigint": "a 64-bit integer column type (for references to {key})",
    "seq": "0.1.0's insertion-order column of PostgreSQL tables (empty in SQLite, where rowid stands for it)",
    "order": "the column that kept insertion order before version 2 (rowid, seq)",
    "without_rowid": "the clause that makes a table its primary key's B-tree (SQLite only)",
}

_V1 = """
CREATE TABLE runs (
    run_id          TEXT PRIMARY KEY,{seq}
    status          TEXT NOT NULL CHECK (status IN ('running','finished','interrupted','failed')),
    name            TEXT,
    project         TEXT NOT NULL DEFAULT 'default',
    command         TEXT,
    location        TEXT,
    pid             INTEGER NOT NULL,
    hostname        TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    started_unix    {real} NOT NULL,
    ended_at        TEXT,
    heartbeat_unix  {real},
    interval_s      {real} NOT NULL,
    flush_every_s   {real} NOT NULL,
    duration_s      {real},
    energy_kwh      {real},
    co2e_kg         {real},
    exit_code       INTEGER,
    end_reason      TEXT,
    summary_json    {json}
);
CREATE INDEX runs_started ON runs (started_unix);
CREATE INDEX runs_status ON runs (status);
CREATE TABLE channels (
    run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,{seq}
    channel_id  TEXT NOT NULL,
    sensor      TEXT NOT NULL,
    domain      TEXT NOT NULL,
    label       TEXT NOT NULL,
    method      TEXT NOT NULL,
    PRIMARY KEY (run_id, channel_id)
);
CREATE TABLE samples (
    run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,{seq}
    t_s         {real} NOT NULL,
    channel_id  TEXT NOT NULL,
    energy_j    {real},
    power_w     {real},
    error       TEXT
);
CREATE INDEX samples_run ON samples (run_id, t_s);
CREATE TABLE phases (
    run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    start_s     {real} NOT NULL,
    end_s       {real},
    energy_j    {real},
    PRIMARY KEY (run_id, idx)
);
"""

# Version 2: integer keys instead of text ids in the big tables; samples keyed (run, time, channel) in
# one B-tree (SQLite: WITHOUT ROWID), which makes a sample idempotent, keeps time order for exports
# and lets a chart seek each slice of a run instead of reading it whole; the footprint's range as
# columns. Every run, channel, sample and phase of version 1 is copied (a sample of a channel its run did
# not declare gets a channel of method 'unknown'; exact duplicate readings are kept once).
_V2 = """
CREATE TABLE runs_v2 (
    run_key         {key},
    run_id          TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL CHECK (status IN ('running','finished','interrupted','failed')),
    name            TEXT,
    project         TEXT NOT NULL DEFAULT 'default',
    command         TEXT,
    location        TEXT,
    pid             INTEGER NOT NULL,
    hostname        TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    started_unix    {real} NOT NULL,
    ended_at        TEXT,
    heartbeat_unix  {real},
    interval_s      {real} NOT NULL,
    flush_every_s   {real} NOT NULL,
    duration_s      {real},
    energy_kwh      {real},
    co2e_kg         {real},
    co2e_kg_low     {real},
    co2e_kg_high    {real},
    exit_code       INTEGER,
    end_reason      TEXT,
    summary_json    {json}
);
INSERT INTO runs_v2 (run_id, status, name, project, command, location, pid, hostname, started_at, started_unix,
                     ended_at, heartbeat_unix, interval_s, flush_every_s, duration_s, energy_kwh, co2e_kg,
                     exit_code, end_reason, summary_json)
    SELECT run_id, status, name, project, command, location, pid, hostname, started_at, started_unix,
           ended_at, heartbeat_unix, interval_s, flush_every_s, duration_s, energy_kwh, co2e_kg,
           exit_code, end_reason, summary_json
    FROM runs ORDER BY {order};
CREATE TABLE channels_v2 (
    run_key     {bigint} NOT NULL REFERENCES runs_v2 (run_key) ON DELETE CASCADE,
    channel_key INTEGER NOT NULL,
    channel_id  TEXT NOT NULL,
    sensor      TEXT NOT NULL,
    domain      TEXT NOT NULL,
    label       TEXT NOT NULL,
    method      TEXT NOT NULL,
    PRIMARY KEY (run_key, channel_key),
    UNIQUE (run_key, channel_id)
);
INSERT INTO channels_v2 (run_key, channel_key, channel_id, sensor, domain, label, method)
    SELECT r.run_key, ROW_NUMBER() OVER (PARTITION BY c.run_id ORDER BY c.{order}) - 1,
           c.channel_id, c.sensor, c.domain, c.label, c.method
    FROM channels c JOIN runs_v2 r ON r.run_id = c.run_id;
INSERT INTO channels_v2 (run_key, channel_key, channel_id, sensor, domain, label, method)
    SELECT r.run_key,
           (SELECT COUNT(*) FROM channels k WHERE k.run_id = u.run_id)
               + ROW_NUMBER() OVER (PARTITION BY u.run_id ORDER BY u.channel_id) - 1,
           u.channel_id, '', '', u.channel_id, 'unknown'
    FROM (SELECT DISTINCT s.run_id, s.channel_id FROM samples s
          WHERE NOT EXISTS (SELECT 1 FROM channels c WHERE c.run_id = s.run_id AND c.channel_id = s.channel_id)) u
    JOIN runs_v2 r ON r.run_id = u.run_id;
CREATE TABLE samples_v2 (
    run_key     {bigint} NOT NULL REFERENCES runs_v2 (run_key) ON DELETE CASCADE,
    t_s         {real} NOT NULL,
    channel_key INTEGER NOT NULL,
    energy_j    {real},
    power_w     {real},
    error       TEXT,
    PRIMARY KEY (run_key, t_s, channel_key)
){without_rowid};
INSERT INTO samples_v2 (run_key, t_s, channel_key, energy_j, power_w, error)
    SELECT c.run_key, s.t_s, c.channel_key, s.energy_j, s.power_w, s.error
    FROM samples s
    JOIN runs_v2 r ON r.run_id = s.run_id
    JOIN channels_v2 c ON c.run_key = r.run_key AND c.channel_id = s.channel_id
    WHERE TRUE
    ON CONFLICT DO NOTHING;
CREATE TABLE phases_v2 (
    run_key     {bigint} NOT NULL REFERENCES runs_v2 (run_key) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    start_s     {real} NOT NULL,
    end_s       {real},
    energy_j    {real},
    PRIMARY KEY (run_key, idx)
);
INSERT INTO phases_v2 (run_key, idx, name, start_s, end_s, energy_j)
    SELECT r.run_key, p.idx, p.name, p.start_s, p.end_s, p.energy_j
    FROM phases p JOIN runs_v2 r ON r.run_id = p.run_id;
DROP TABLE samples;
DROP TABLE phases;
DROP TABLE channels;
DROP TABLE runs;
ALTER TABLE runs_v2 RENAME TO runs;
ALTER TABLE channels_v2 RENAME TO channels;
ALTER TABLE samples_v2 RENAME TO samples;
ALTER TABLE phases_v2 RENAME TO phases;
CREATE INDEX runs_started ON runs (started_unix, run_key);
CREATE INDEX runs_status ON runs (status);
"""

# Version 3: the distributed job a run belongs to (``docs/cluster.md``): its id, Slurm's step, the rank,
# the local rank, the job's ranks and nodes, the node, the run's role (``node``: the node's sensors;
# ``rank``: the rank's own GPUs) and the launcher; and whether each channel counts in its run's total
# (a RAPL core inside its package does not), so that a job's total adds the channels of runs that were
# killed before their summary. Runs stored before keep NULL there.
_V3 = """
ALTER TABLE runs ADD COLUMN job_id TEXT;
ALTER TABLE runs ADD COLUMN step TEXT;
ALTER TABLE runs ADD COLUMN rank INTEGER;
ALTER TABLE runs ADD COLUMN local_rank INTEGER;
ALTER TABLE runs ADD COLUMN world_size INTEGER;
ALTER TABLE runs ADD COLUMN nodes INTEGER;
ALTER TABLE runs ADD COLUMN node TEXT;
ALTER TABLE runs ADD COLUMN role TEXT;
ALTER TABLE runs ADD COLUMN launcher TEXT;
ALTER TABLE channels ADD COLUMN counted INTEGER;
CREATE INDEX runs_job ON runs (job_id, started_unix);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "runs, channels, samples, phases", _V1),
    Migration(2, "integer keys, samples keyed by run, time and channel, footprint range", _V2),
    Migration(3, "jobs: job, step, rank, node, role and launcher of a run; channels counted", _V3),
)

#: The schema version this aiceberg writes.
LATEST = MIGRATIONS[-1].version
