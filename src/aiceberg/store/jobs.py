"""The store's side of distributed jobs: the runs a job is made of, and what each channel of a run read.

A job is the runs that carry its id (``runs.job_id``, migration 3): one per rank, and the node's runs
(``role = 'node'``) that read each node's sensors. The store only finds them and reads them; adding them
up without counting a joule twice, the footprint and the gaps are :mod:`aiceberg.jobs`'s.

Every query here is one statement over the ``runs_job`` index (a job's runs) or the samples' key (a
channel's last reading: a backward seek, whatever the run's length).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from aiceberg.errors import InputError, StoreError
from aiceberg.i18n import Msg
from aiceberg.store.base import ChannelRow, RunRecord

__all__ = ["ChannelEnergy", "JobQueries", "JobRow"]


class JobRow(NamedTuple):
    """A job as ``aiceberg jobs list`` shows it.

    ``energy_kwh`` adds its runs' energies (each joule is read by one run of a job: the node's sensors
    by the node's runs, each GPU by one rank); ``running``: runs still open (or whose end the store has
    not been told: killed, or waiting in a node's spool).
    """

    job_id: str
    launcher: str | None
    started_at: str
    started_unix: float
    last_unix: float | None
    runs: int
    ranks: int
    nodes: int
    running: int
    energy_kwh: float | None

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


class ChannelEnergy(NamedTuple):
    """A channel of a run and its energy at its last good reading (J since the run started; ``None``: none)."""

    channel: ChannelRow
    energy_j: float | None


_LIST = (
    "SELECT job_id, MIN(launcher), MIN(started_at), MIN(started_unix), MAX(started_unix + COALESCE(duration_s, 0)), "
    "COUNT(*), COUNT(DISTINCT COALESCE(step, '') || ':' || COALESCE(CAST(rank AS TEXT), run_id)), "
    "COUNT(DISTINCT COALESCE(node, hostname)), SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END), SUM(energy_kwh) "
    "FROM runs WHERE job_id IS NOT NULL GROUP BY job_id ORDER BY MIN(started_unix) DESC, job_id"
)
_LAST_ENERGY = (
    "SELECT c.channel_id, c.sensor, c.domain, c.label, c.method, c.counted, "
    "(SELECT s.energy_j FROM samples s WHERE s.run_key = c.run_key AND s.channel_key = c.channel_key "
    " AND s.energy_j IS NOT NULL ORDER BY s.t_s DESC LIMIT 1) "
    "FROM runs r JOIN channels c ON c.run_key = r.run_key WHERE r.run_id = ? ORDER BY c.channel_key"
)


class JobQueries:
    """The job queries of :class:`~aiceberg.store.sql.SqlStore` (a mixin: it reads through the store)."""

    where: str
    _read: Callable[..., list[Any]]
    _records: Callable[..., list[RunRecord]]
    dialect: Any

    def list_jobs(self, *, limit: int | None = None, offset: int = 0) -> list[JobRow]:
        """The jobs in the store, newest first (the runs that carry no job are not listed)."""
        if limit is not None and (isinstance(limit, bool) or int(limit) < 0):
            raise InputError("limit", f"{limit!r} is not accepted", "an integer >= 0")
        if isinstance(offset, bool) or int(offset) < 0:
            raise InputError("offset", f"{offset!r} is not accepted", "an integer >= 0")
        page, params = self.dialect.limit_offset(None if limit is None else int(limit), int(offset))
        return self._read(_LIST + page, params, JobRow._make)

    def count_jobs(self) -> int:
        """How many jobs :meth:`list_jobs` would give without a limit."""
        return int(self._read("SELECT COUNT(DISTINCT job_id) FROM runs WHERE job_id IS NOT NULL")[0][0])

    def job_runs(self, job_id: str) -> list[RunRecord]:
        """Every run of a job (its ranks' and its nodes'), oldest first, with their summaries.

        Raises:
            StoreError: no run of the store has this job id (``jobs.no_job``).
        """
        key = (job_id or "").strip()
        records = self._records("job_id = ? ORDER BY started_unix, run_key", (key,))
        if not records:
            raise StoreError(Msg("jobs.no_job", job=key, where=self.where))
        return records

    def channel_energies(self, run_id: str) -> list[ChannelEnergy]:
        """Each channel of a run with its last good reading: what a run killed before its summary read."""
        rows: Sequence[Any] = self._read(_LAST_ENERGY, (run_id,))
        return [ChannelEnergy(ChannelRow(r[0], r[1], r[2], r[3], r[4], None if r[5] is None else bool(r[5])),
                              None if r[6] is None else float(r[6])) for r in rows]
