"""One reader per node and per GPU among a job's ranks: the node election and the GPU claims.

Every rank of a job runs a tracker, and they share a machine: read naively, each would count the whole
node's RAPL packages, its memory and every GPU, and the job's total would be N times the truth. Here:

- **The node's sensors** (RAPL packages and DRAM, the CPU and memory models) are read by one rank of
  the job per node: the one holding an exclusive ``flock`` on ``node.lock`` in the job's folder for this
  node (:func:`job_dir`). The others keep trying without waiting (each sampling interval): the kernel
  releases the lock when its holder exits or dies (even by SIGKILL), and the next rank to try takes
  over, with a run of its own. What no one measured between the two (at most the dead holder's last
  unflushed samples and one interval) is time without a reading, reported as such by ``aiceberg jobs
  show``: never 0 J, never counted twice.
- **Each GPU** is read by one process: a rank claims the GPUs it owns (``launcher.owned_gpus``) with a
  ``flock`` per GPU UUID; a GPU already claimed by another live process of the job is left to it.

The holder writes who it is into the lock file (pid, rank, run, last flush), so that a successor can say
whom it replaced and since when. Lock files are opened close-on-exec and closed in forked children
(``os.register_at_fork``): a data loader's worker never keeps a dead rank's lock alive.

The folder: ``$AICEBERG_RUNTIME_DIR``, else ``$XDG_RUNTIME_DIR/aiceberg``, else ``/tmp/aiceberg-<uid>``;
it must be shared by the job's ranks on a node and private to the node (in Kubernetes, a ``hostPath``
mounted in every pod of the node; ``docs/cluster.md``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiceberg.i18n import Msg
from aiceberg.measure.base import SensorStatus, joined
from aiceberg.measure.discovery import Discovery, discover
from aiceberg.measure.gpu import GpuDevice, GpuSensor
from aiceberg.measure.launcher import JobContext, node_gpus, owned_gpus
from aiceberg.model.run_summary import JobInfo, RunSummary

__all__ = ["ENV_RUNTIME_DIR", "FileLock", "JobMember", "job_dir", "job_info", "job_warnings", "open_job_sensors",
           "runtime_dir", "with_job"]

log = logging.getLogger("aiceberg.tracker")

ENV_RUNTIME_DIR = "AICEBERG_RUNTIME_DIR"

_HELD: set[int] = set()  # lock descriptors this process holds: closed in forked children
_HELD_LOCK = threading.Lock()


def _close_in_child() -> None:
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)  # the child's copy only: the parent's lock stays (flock is per open file)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


def runtime_dir(env: Mapping[str, str] | None = None) -> Path:
    """The folder where a node's ranks meet: ``$AICEBERG_RUNTIME_DIR``, ``$XDG_RUNTIME_DIR/aiceberg``, or
    ``<tmp>/aiceberg-<uid>``."""
    env = os.environ if env is None else env
    given = env.get(ENV_RUNTIME_DIR, "").strip()
    if given:
        return Path(given)
    xdg = env.get("XDG_RUNTIME_DIR", "").strip()
    if xdg and os.path.isdir(xdg):
        return Path(xdg) / "aiceberg"
    return Path(tempfile.gettempdir()) / f"aiceberg-{os.getuid()}"


def _safe(name: str) -> str:
    """A file name for any text: its readable part and a short hash (two names never share a file)."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:60]
    return f"{readable or 'x'}-{hashlib.sha256(name.encode('utf-8', 'surrogateescape')).hexdigest()[:10]}"


def job_dir(ctx: JobContext, root: Path | str | None = None) -> Path:
    """The folder of ``ctx``'s job on ``ctx``'s node (created, private to the user)."""
    assert ctx.job_id is not None
    base = Path(root) if root is not None else runtime_dir()
    folder = base / "jobs" / _safe(ctx.job_id) / _safe(ctx.node)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


class FileLock:
    """An exclusive ``flock`` on ``path``, taken without waiting; the kernel releases it when the holder
    exits or dies. The file holds the holder's note (JSON); :attr:`previous` is the note found on taking
    the lock (the former holder's, with ``"released": true`` when it let go in order)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self.previous: dict[str, Any] | None = None
        self._note: dict[str, Any] = {}

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self, note: Mapping[str, Any]) -> bool:
        """Take the lock if no one holds it, and write ``note`` into the file; ``False`` when held."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        with _HELD_LOCK:
            _HELD.add(fd)
        self._fd = fd
        self.previous = _parse(os.pread(fd, 65536, 0))
        self._note = dict(note)
        self._write()
        return True

    def update(self, **fields: Any) -> None:
        """Add to the holder's note (a heartbeat: the time of the last flush)."""
        if self._fd is None:
            return
        self._note.update(fields)
        self._write()

    def _write(self) -> None:
        assert self._fd is not None
        try:
            _put(self._fd, self._note)
        except OSError:  # a full disk costs the note, never the lock nor the run
            log.debug("aiceberg: cannot write %s", self.path, exc_info=True)

    def release(self) -> None:
        """Say the lock was let go in order, and let it go."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        self._note["released"] = True
        self._note["released_unix"] = time.time()
        with contextlib.suppress(OSError):
            _put(fd, self._note)
        with _HELD_LOCK:
            _HELD.discard(fd)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def holder(self) -> dict[str, Any] | None:
        """The note in the file (the holder's while it is held), read without taking the lock."""
        try:
            return _parse(self.path.read_bytes())
        except OSError:
            return None


def _put(fd: int, note: Mapping[str, Any]) -> None:
    """The note as one line, written over the old one, then the rest cut: a holder killed at any moment
    leaves a whole note (the new one, or the old one), never an empty file."""
    data = json.dumps(note, default=str).encode() + b"\n"
    os.pwrite(fd, data, 0)
    os.ftruncate(fd, len(data))


def _parse(data: bytes) -> dict[str, Any] | None:
    """The note: the file's first line (what follows it is the end of a longer, older note)."""
    try:
        value = json.loads(data.split(b"\n", 1)[0].decode() or "null")
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


class JobMember:
    """One rank's part in its job on this node: its GPU claims, the node lock, and the node run it starts
    when it takes the node over from a rank that ended or died.

    Args:
        ctx: the job context (``ctx.in_job``).
        root: the runtime folder (default :func:`runtime_dir`).
        run_id: the rank's run, for the notes in the lock files.
    """

    def __init__(self, ctx: JobContext, *, root: Path | str | None = None, run_id: str = "") -> None:
        self.ctx = ctx
        self.run_id = run_id
        self.problem: str | None = None
        try:
            self.folder: Path | None = job_dir(ctx, root)
        except OSError as exc:  # no shared folder: the ranks cannot meet (see node_fallback)
            self.folder = None
            self.problem = f"{exc.__class__.__name__}: {exc}"
        self.node_lock = None if self.folder is None else FileLock(self.folder / "node.lock")
        self._claims: dict[str, FileLock] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._node_run: Any = None
        self._lock = threading.Lock()
        self.acquired_unix: float | None = None  # when this rank took the node's lock

    def _note(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "rank": self.ctx.rank, "local_rank": self.ctx.local_rank,
                "step": self.ctx.step, "run_id": self.run_id, "since_unix": time.time()}

    # -- the node ---------------------------------------------------------------------------------

    def try_node(self) -> bool:
        """Take the node's sensors if no other rank of the job has them. Without a shared folder, the
        rank with local rank 0 (or, when none is known, every rank, with a warning) takes them."""
        if self.node_lock is None:
            return self.ctx.local_rank in (0, None)
        try:
            won = self.node_lock.try_acquire(self._note())
        except OSError as exc:
            self.problem = f"{exc.__class__.__name__}: {exc}"
            return self.ctx.local_rank in (0, None)
        if won and self.acquired_unix is None:
            self.acquired_unix = time.time()
        return won

    @property
    def node_holder(self) -> dict[str, Any] | None:
        """Who holds the node's sensors (their note), as far as the lock file says."""
        return None if self.node_lock is None else self.node_lock.holder()

    @property
    def predecessor(self) -> dict[str, Any] | None:
        """The former holder's note when this rank took the node over (``released``: it ended in order)."""
        return None if self.node_lock is None else self.node_lock.previous

    def heartbeat(self, flushed_unix: float) -> None:
        """Note the time of the last flush in the node lock, for a successor's account."""
        if self.node_lock is not None and self.node_lock.held:
            self.node_lock.update(flushed_unix=flushed_unix)

    def watch(self, start_node_run: Callable[[JobMember], Any], every_s: float) -> None:
        """Try for the node every ``every_s`` s in a thread; on success, ``start_node_run(self)`` starts
        the node's run (stopped by :meth:`close`)."""
        lock = self.node_lock
        if lock is None or lock.held:
            return

        def loop() -> None:
            while not self._stop.wait(every_s):
                try:
                    if not self.try_node():
                        continue
                except Exception:  # the rank's run goes on whatever happens here
                    log.warning("aiceberg: taking the node over failed", exc_info=True)
                    continue
                with self._lock:
                    if self._stop.is_set():
                        break
                    try:
                        self._node_run = start_node_run(self)
                    except Exception:
                        log.warning("aiceberg: the node's run could not start", exc_info=True)
                        lock.release()  # another rank may do better
                        continue
                return

        self._thread = threading.Thread(target=loop, name="aiceberg-node-watch", daemon=True)
        self._thread.start()

    @property
    def node_run(self) -> Any:
        """The node's run this rank started on taking the node over, if it did."""
        return self._node_run

    # -- GPUs -------------------------------------------------------------------------------------

    def claim(self, device: GpuDevice) -> bool:
        """Claim one GPU for this process (by UUID, else by its channel): ``False`` when another process
        of the job on this node measures it."""
        key = device.uuid or device.channel_id
        if key in self._claims:
            return True
        if self.folder is None:
            return True
        lock = FileLock(self.folder / f"gpu-{_safe(key)}.lock")
        try:
            if not lock.try_acquire({**self._note(), "gpu": key, "channel": device.channel_id}):
                return False
        except OSError:
            return True  # cannot tell: measured here (the problem is reported with the node's)
        self._claims[key] = lock
        return True

    def claim_sensor(self, sensor: GpuSensor) -> list[GpuDevice]:
        """Keep the devices of ``sensor`` this process could claim; returns the ones left to others."""
        return sensor.retain(self.claim)

    # -- the end ----------------------------------------------------------------------------------

    def close(self, stop_node_run: Callable[[Any], None] | None = None) -> None:
        """Stop trying, stop the node's run this rank started (with ``stop_node_run``), let the locks go."""
        self._stop.set()
        with self._lock:
            node_run, self._node_run = self._node_run, None
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)
        if node_run is not None and stop_node_run is not None:
            try:
                stop_node_run(node_run)
            except Exception:
                log.warning("aiceberg: stopping the node's run failed", exc_info=True)
        if self.node_lock is not None:
            self.node_lock.release()
        for lock in self._claims.values():
            lock.release()
        self._claims.clear()


# -- a run of a job: which sensors it opens ----------------------------------------------------------


def _replace_status(found: Discovery, name: str, status: SensorStatus) -> None:
    found.statuses[:] = [status if s.name == name else s for s in found.statuses]


def _who(note: Mapping[str, Any] | None) -> Msg:
    """Who holds (or held) a lock, from its note: ``rank 3 (pid 1234)``."""
    if not note:
        return Msg("jobs.who.unknown")
    rank = note.get("rank")
    pid = str(note.get("pid"))
    return Msg("jobs.who.rank", rank=str(rank), pid=pid) if rank is not None else Msg("jobs.who.pid", pid=pid)


def open_job_sensors(
    ctx: JobContext,
    run_id: str,
    options: Mapping[str, Any],
    *,
    takeover: JobMember | None = None,
    scope: str = "rank",
    discover_fn: Callable[..., Discovery] = discover,
) -> tuple[JobMember | None, str, Discovery]:
    """Open the sensors a run of a job reads: its own GPUs, and the node's sensors when it holds the node.

    Args:
        ctx: the job context.
        run_id: the run (for the notes in the lock files).
        options: the keyword arguments of :func:`~aiceberg.measure.discovery.discover` (``gpus`` among them).
        takeover: for the node's run that a rank starts on taking the node over: that rank's member, which
            already holds the node's lock.
        scope: ``rank`` (its own GPUs) or ``node`` (every GPU of the job on the node: one process per node
            tracks for all its ranks).

    Returns:
        ``(member, role, discovery)``: the rank's :class:`JobMember` (``None`` for a takeover run, whose
        locks are its rank's), ``node`` or ``rank``, and the opened sensors with one status per sensor.
    """
    options = dict(options)
    selection = options.pop("gpus", "auto")
    if takeover is not None:
        found = discover_fn(**options, gpus=node_gpus(ctx, selection), memory_gb=ctx.memory_gb)
        _claim(takeover, found)
        return None, "node", found
    member = JobMember(ctx, run_id=run_id)
    node = member.try_node()
    owned = owned_gpus(ctx, selection, scope)
    gpus = node_gpus(ctx, selection) if node and owned == "none" else owned
    elsewhere = None if node else Msg("jobs.sensor.elsewhere", node=ctx.node, who=_who(member.node_holder))
    found = discover_fn(**options, gpus=gpus, node_sensors=True if node else elsewhere,
                        memory_gb=ctx.memory_gb if node else None)
    if gpus == "none":
        why = Msg("jobs.sensor.gpus_to_node")
        for name in ("nvml", "amdsmi"):
            _replace_status(found, name, SensorStatus(name, "unavailable", why))
    _claim(member, found)
    return member, "node" if node else "rank", found


def _claim(member: JobMember, found: Discovery) -> None:
    """Keep the GPUs ``member`` could claim; a sensor left without any is closed and says who reads them."""
    for sensor in list(found.sensors):
        if not isinstance(sensor, GpuSensor):
            continue
        dropped = member.claim_sensor(sensor)
        if not dropped:
            continue
        which = ", ".join(d.channel_id for d in dropped)
        taken = Msg("jobs.sensor.gpus_taken", channels=which)
        if sensor.devices:
            row = next((s for s in found.statuses if s.name == sensor.name), None)
            if row is not None:
                _replace_status(found, sensor.name, SensorStatus(sensor.name, row.status, joined([row.reason, taken])))
            continue
        found.sensors.remove(sensor)
        with contextlib.suppress(Exception):
            sensor.close()
        _replace_status(found, sensor.name, SensorStatus(sensor.name, "unavailable", taken))


def job_info(ctx: JobContext, role: str, scope: str = "rank") -> JobInfo:
    """What the store and the summary keep of a run's job."""
    assert ctx.job_id is not None
    return JobInfo(job_id=ctx.job_id, node=ctx.node, role=role, launcher=ctx.launcher, step=ctx.step, rank=ctx.rank,
                   local_rank=ctx.local_rank, world_size=ctx.world_size, nodes=ctx.nodes, scope=scope)


def with_job(summary: RunSummary, ctx: JobContext, role: str, scope: str = "rank") -> RunSummary:
    """A run's summary with its job; a rank that reads nothing of its own says where its energy is counted
    (instead of "no energy measured")."""
    warnings = summary.warnings
    if role == "rank" and summary.energy_kwh is None:
        warnings = tuple(w for w in warnings if not (isinstance(w, Msg) and w.key == "measure.warning.no_energy"))
        warnings += (Msg("jobs.warning.rank_reads_nothing", job=ctx.job_id or "", node=ctx.node),)
    return replace(summary, job=job_info(ctx, role, scope), warnings=warnings)


def job_warnings(ctx: JobContext, member: JobMember | None, role: str) -> list[Msg]:
    """What a run of a job must say: a node taken over from a rank that died (and since when nothing was
    read), ranks that could not meet, a job id made up for the launcher's lack of one."""
    out: list[Msg] = []
    if member is not None and member.problem:
        out.append(Msg("jobs.warning.no_runtime_dir", reason=member.problem))
    previous = None if member is None else member.predecessor
    if role == "node" and previous and not previous.get("released"):
        last = previous.get("flushed_unix") or previous.get("since_unix")
        now = (member.acquired_unix if member is not None else None) or time.time()
        out.append(Msg("jobs.warning.took_over", who=_who(previous),
                       seconds=round(max(now - float(last), 0.0), 1) if last else "?"))
    if ctx.notes and not ctx.explicit:
        out.append(Msg("jobs.warning.no_job_id", job=ctx.job_id or ""))
    return out
