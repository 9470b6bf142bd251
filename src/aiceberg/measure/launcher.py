"""Which job, step, rank and node this process belongs to, read from its launcher's environment.

Every rank of a distributed job runs its own tracker; this module tells each one where it stands, so
that node-level sensors are read once per node and each GPU once (:mod:`aiceberg.measure.node`), and so
that the store can tie the ranks' runs into one job.

Launchers and what they set (``docs/cluster.md``):

- torchrun / torch.distributed.elastic (and ``accelerate launch``, which starts the same workers):
  ``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``LOCAL_WORLD_SIZE``, ``GROUP_RANK`` (the node's rank),
  ``TORCHELASTIC_RUN_ID`` (``--rdzv-id``; ``"none"`` when not given).
- Slurm (``srun``, and the batch script of ``sbatch``): ``SLURM_JOB_ID``, ``SLURM_STEP_ID`` (absent in
  the batch script), ``SLURM_PROCID``, ``SLURM_LOCALID``, ``SLURM_NODEID``, ``SLURM_NTASKS``,
  ``SLURM_STEP_TASKS_PER_NODE`` (``2(x3),1``), ``SLURM_JOB_NODELIST``, ``SLURM_JOB_NUM_NODES``,
  ``SLURM_JOB_GPUS`` / ``SLURM_STEP_GPUS``, ``SLURMD_NODENAME``.
- MPI: Open MPI's ``OMPI_COMM_WORLD_RANK``, ``OMPI_COMM_WORLD_LOCAL_RANK``, ``OMPI_COMM_WORLD_SIZE``,
  ``OMPI_COMM_WORLD_LOCAL_SIZE``, ``OMPI_COMM_WORLD_NODE_RANK``; PMI's ``PMI_RANK``, ``PMI_SIZE``;
  PMIx's ``PMIX_RANK`` and ``PMIX_NAMESPACE`` (the job's name); Intel MPI's ``MPI_LOCALRANKID`` and
  ``MPI_LOCALNRANKS``.

Precedence: an explicit job id (``job_id=``, ``--job-id``, ``AICEBERG_JOB_ID``) names the job whatever
the launcher; else Slurm's job id, then torchrun's run id, then the PMIx namespace. The rank variables
of the innermost launcher win, and the launcher reported is the one whose ranks were read: torchrun's
``RANK`` beats ``SLURM_PROCID`` (torchrun started by ``srun``), and MPI's ranks beat the ``SLURM_PROCID``
that ``mpirun``'s daemons inherit from their ``srun`` (when ``srun`` starts the MPI ranks itself, both
agree, and Slurm's local ranks are read). Where the launcher names no job (torchrun
without ``--rdzv-id``, MPICH), the ranks of one node are still tied together by their launcher process
(the parent they share): the job id is ``<launcher>-<node>-<parent pid>-<its start time>``, unique, but
the same job's ranks on other nodes get other ids; give ``--rdzv-id`` or ``AICEBERG_JOB_ID`` for a
job over several nodes.

``AICEBERG_NODE`` names the node where the host name does not (a Kubernetes pod: the downward API's
``spec.nodeName``); Slurm's ``SLURMD_NODENAME`` comes next, then the host name.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aiceberg.errors import InputError
from aiceberg.measure.gpu import GpuSelection, parse_visible_devices

__all__ = [
    "ENV_JOB_ID",
    "ENV_NODE",
    "LAUNCHERS",
    "JobContext",
    "detect",
    "job_context",
    "node_gpus",
    "owned_gpus",
    "tasks_on_node",
]

ENV_JOB_ID = "AICEBERG_JOB_ID"
ENV_NODE = "AICEBERG_NODE"
#: The launchers told apart; ``none``: a process started by hand (or a job id given without a launcher).
LAUNCHERS = ("torchrun", "accelerate", "slurm", "mpi", "none")
#: A job id as the store keeps it: printable, one line, at most this long.
MAX_JOB_ID = 200

_TORCH_RANK = ("RANK", "LOCAL_RANK", "WORLD_SIZE")
_MPI_RANK = ("OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK")


@dataclass(frozen=True)
class JobContext:
    """Where this process stands in a distributed job (``job_id`` ``None``: not in a job).

    Attributes:
        job_id: the job's id (Slurm's job id, torchrun's run id, the PMIx namespace, or the one given).
        rank: this process's rank among all the job's ranks (``None`` when no launcher says).
        node: the node's name.
        launcher: ``torchrun``, ``accelerate``, ``slurm``, ``mpi`` or ``none``.
        step: Slurm's step (``0``, ``1``…, ``batch`` in the batch script), else ``None``.
        local_rank, local_world_size: this process's rank among the job's ranks on this node, and
            how many they are.
        world_size: how many ranks the job (the step) has.
        node_rank: the node's index in the job; nodes: how many nodes the job has.
        visible_gpus: ``CUDA_VISIBLE_DEVICES`` (indices or UUIDs; ``None`` when unset: every GPU).
        job_gpus: the GPUs the scheduler gave the job on this node (``SLURM_STEP_GPUS``,
            ``SLURM_JOB_GPUS``: physical indices), ``None`` when it does not say.
        nodelist: Slurm's compressed list of the job's nodes (``gpu[01-04]``), as given.
        memory_gb: the memory the scheduler gave the job on this node (``SLURM_MEM_PER_NODE``), GB.
        explicit: whether the job id was given (``job_id=``, ``--job-id``, ``AICEBERG_JOB_ID``).
    """

    job_id: str | None
    rank: int | None
    node: str
    launcher: str = "none"
    step: str | None = None
    local_rank: int | None = None
    local_world_size: int | None = None
    world_size: int | None = None
    node_rank: int | None = None
    nodes: int | None = None
    visible_gpus: tuple[int | str, ...] | None = None
    job_gpus: tuple[int, ...] | None = None
    nodelist: str | None = None
    memory_gb: float | None = None
    explicit: bool = False
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def in_job(self) -> bool:
        """Whether this process is a rank of a job (its node sensors are then shared with the others)."""
        return self.job_id is not None

    @property
    def gpu_ownership_known(self) -> bool:
        """Whether this rank can tell which of the node's GPUs are its own (its local rank among a
        known number of local ranks); otherwise the node's sampler measures the GPUs."""
        return self.local_world_size == 1 or (self.local_rank is not None and self.local_world_size is not None)

    def with_job_id(self, job_id: str) -> JobContext:
        return replace(self, job_id=check_job_id(job_id), explicit=True)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (a run summary's ``job``)."""
        return {
            "job_id": self.job_id, "launcher": self.launcher, "step": self.step, "rank": self.rank,
            "local_rank": self.local_rank, "world_size": self.world_size, "local_world_size": self.local_world_size,
            "node": self.node, "node_rank": self.node_rank, "nodes": self.nodes,
            "visible_gpus": None if self.visible_gpus is None else list(self.visible_gpus),
            "job_gpus": None if self.job_gpus is None else list(self.job_gpus), "nodelist": self.nodelist,
        }


def check_job_id(value: Any, field_name: str = "job_id") -> str:
    """A job id as given by a person: printable text on one line, at most :data:`MAX_JOB_ID` characters."""
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not text or len(text) > MAX_JOB_ID or not text.isprintable():
        raise InputError(field_name, f"{value!r} is not accepted",
                         f"a job id: printable text on one line, 1 to {MAX_JOB_ID} characters")
    return text


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _int(env: Mapping[str, str], *names: str) -> int | None:
    """The first of ``names`` that holds a whole number ≥ 0."""
    for name in names:
        raw = _text(env, name)
        if raw is not None and raw.isdigit():
            return int(raw)
    return None


_TASKS = re.compile(r"^(\d+)(?:\(x(\d+)\))?$")


def tasks_on_node(spec: str | None, node_index: int | None) -> int | None:
    """The number of tasks on node ``node_index`` from Slurm's ``SLURM_STEP_TASKS_PER_NODE`` form:
    ``"2(x3),1"`` is 2 tasks on each of the first three nodes, then 1 (``None`` when it cannot tell)."""
    if not spec or node_index is None:
        return None
    seen = 0
    for part in spec.split(","):
        m = _TASKS.match(part.strip())
        if m is None:
            return None
        count, times = int(m.group(1)), int(m.group(2) or 1)
        if node_index < seen + times:
            return count
        seen += times
    return None


def _indices(value: str | None) -> tuple[int, ...] | None:
    """``SLURM_JOB_GPUS``: physical indices separated by commas (``"0,2"``); ``None`` when unset or not that."""
    if not value:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return tuple(int(v) for v in items) if items and all(v.isdigit() for v in items) else None


def _parent_key(launcher: str, node: str) -> str:
    """A job id for ranks whose launcher names no job: the launcher process they share (pid and start)."""
    ppid = os.getppid()
    start = ""
    try:
        with open(f"/proc/{ppid}/stat", "rb") as fh:
            stat = fh.read()
        start = "-" + stat[stat.rindex(b")") + 2:].split()[19].decode()
    except (OSError, ValueError, IndexError):
        start = ""
    return f"{launcher}-{node}-{ppid}{start}"


def detect(
    env: Mapping[str, str] | None = None,
    *,
    hostname: str | None = None,
    job_id: str | None = None,
    fallback: bool = True,
) -> JobContext:
    """The job context of this process from ``env`` (default ``os.environ``).

    Args:
        env: the environment to read.
        hostname: the host's name (default ``socket.gethostname()``), when nothing names the node.
        job_id: an explicit job id (``--job-id``, ``track(job_id=...)``): it wins over the launcher's.
        fallback: where the launcher names no job, tie the node's ranks by their launcher process
            (see the module's docstring); ``False`` leaves ``job_id`` ``None`` then.

    Raises:
        InputError: ``job_id`` (or ``AICEBERG_JOB_ID``) is not a usable id.
    """
    env = os.environ if env is None else env
    node = _text(env, ENV_NODE) or _text(env, "SLURMD_NODENAME") or hostname or socket.gethostname()
    notes: list[str] = []
    explicit = None
    if job_id is not None:
        explicit = check_job_id(job_id, "job_id")
    elif _text(env, ENV_JOB_ID) is not None:
        explicit = check_job_id(env[ENV_JOB_ID], ENV_JOB_ID)

    slurm_job = _text(env, "SLURM_JOB_ID") or _text(env, "SLURM_JOBID")
    slurm_step = _text(env, "SLURM_STEP_ID") or _text(env, "SLURM_STEPID")
    run_id = _text(env, "TORCHELASTIC_RUN_ID")
    if run_id is not None and run_id.lower() == "none":  # torchrun's default when --rdzv-id is not given
        run_id = None
    torch = any(_text(env, v) is not None and str(env[v]).strip().isdigit() for v in _TORCH_RANK) or run_id is not None
    mpi_rank = _int(env, *_MPI_RANK)
    # srun starting MPI ranks itself (PMI, PMIx) gives both, equal: Slurm's local ranks are then right; mpirun
    # or Hydra inside an allocation start their daemons with srun, whose SLURM_PROCID the ranks inherit
    mpi = mpi_rank is not None and not (slurm_step is not None and _int(env, "SLURM_PROCID") == mpi_rank)

    step = None if slurm_job is None else (slurm_step or "batch")
    # in the batch script of sbatch, one process runs whatever the allocation's task count
    slurm_tasks = slurm_job is not None and slurm_step is not None
    nodes = _int(env, "SLURM_JOB_NUM_NODES", "SLURM_NNODES")
    if torch:
        launcher = "accelerate" if any(k.startswith("ACCELERATE_") for k in env) else "torchrun"
        rank = _int(env, "RANK")
        local_rank = _int(env, "LOCAL_RANK")
        world = _int(env, "WORLD_SIZE")
        local_world = _int(env, "LOCAL_WORLD_SIZE")
        node_rank = _int(env, "GROUP_RANK")
        if world is not None and local_world and world % local_world == 0:
            nodes = world // local_world
    elif mpi:
        launcher = "mpi"
        rank = mpi_rank
        local_rank = _int(env, "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "PALS_LOCAL_RANKID")
        world = _int(env, "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE")
        local_world = _int(env, "OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS")
        node_rank = _int(env, "OMPI_COMM_WORLD_NODE_RANK")
    elif slurm_job is not None:
        launcher = "slurm"
        rank = _int(env, "SLURM_PROCID")
        local_rank = _int(env, "SLURM_LOCALID")
        node_rank = _int(env, "SLURM_NODEID")
        if slurm_tasks:
            world = _int(env, "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS", "SLURM_NPROCS")
            local_world = tasks_on_node(_text(env, "SLURM_STEP_TASKS_PER_NODE") or _text(env, "SLURM_TASKS_PER_NODE"),
                                        node_rank)
        else:
            world, local_world = 1, 1
    else:
        launcher, rank, local_rank, world, local_world, node_rank = "none", None, None, None, None, None
    if world == 1 and local_world is None:
        local_world = 1

    job = explicit or slurm_job or run_id or _text(env, "PMIX_NAMESPACE")
    if job is None and fallback and launcher in ("torchrun", "accelerate", "mpi"):
        job = _parent_key(launcher, node)
        notes.append("the launcher names no job: its ranks on this node are tied by their launcher process; "
                     "give --rdzv-id or AICEBERG_JOB_ID for a job over several nodes")
    gpus = _indices(_text(env, "SLURM_STEP_GPUS")) if slurm_tasks else None
    if gpus is None:
        gpus = _indices(_text(env, "SLURM_JOB_GPUS"))
    mem_mb = _int(env, "SLURM_MEM_PER_NODE")
    return JobContext(
        job_id=job, rank=rank, node=node, launcher=launcher, step=step, local_rank=local_rank,
        local_world_size=local_world, world_size=world, node_rank=node_rank, nodes=nodes,
        visible_gpus=(None if (v := parse_visible_devices(env.get("CUDA_VISIBLE_DEVICES"))) is None else tuple(v)),
        job_gpus=gpus, nodelist=_text(env, "SLURM_JOB_NODELIST"), memory_gb=None if not mem_mb else mem_mb / 1024,
        explicit=explicit is not None, notes=tuple(notes),
    )


def job_context(env: Mapping[str, str] | None = None, hostname: str | None = None) -> JobContext:
    """The job, rank and node of this process as its launcher names them, for labels (the Prometheus
    exporter's): :func:`detect` without the fallback job id, and an unusable ``AICEBERG_JOB_ID`` ignored
    (a label is wanted, and there is no one to tell). A tracked run's own context is ``Run.job``."""
    try:
        return detect(env, hostname=hostname, fallback=False)
    except InputError:
        env = dict(os.environ if env is None else env)
        env.pop(ENV_JOB_ID, None)
        return detect(env, hostname=hostname, fallback=False)


def owned_gpus(ctx: JobContext, selection: GpuSelection = "auto", scope: str = "rank") -> GpuSelection:
    """The GPUs this rank measures, as a selection for the GPU sensors.

    A selection given by the user (not ``"auto"``) is kept. With ``scope="node"`` (one process per node
    tracks for all its ranks, as a framework's callback may), every GPU of the job on the node: the
    scheduler's list, else all the process sees. Outside a job, or alone on its node, a rank
    measures every GPU it sees. Several ranks on a node: each takes its share of the GPUs it sees
    (``share:R/N``, :func:`aiceberg.measure.gpu.select_devices`): torchrun's convention (rank ``r`` uses
    device ``r``) where all ranks see all GPUs, and its own ones where the launcher gave each rank its
    GPUs. When the rank cannot tell its share, it measures none (``"none"``) and the node's sampler
    measures the GPUs (:func:`node_gpus`). Either way claims (:mod:`aiceberg.measure.node`) make sure a
    GPU is read by one process only.
    """
    if selection != "auto" or not ctx.in_job:
        return selection
    if scope == "node":
        return list(ctx.job_gpus) if ctx.job_gpus is not None else "auto"
    if ctx.local_world_size == 1:
        return "auto"
    if ctx.local_rank is None or ctx.local_world_size is None:
        return "none"
    return f"share:{ctx.local_rank}/{ctx.local_world_size}"


def node_gpus(ctx: JobContext, selection: GpuSelection = "auto") -> GpuSelection:
    """The GPUs the node's sampler measures: none when every rank knows its own, else the job's GPUs on
    this node (the scheduler's list, else what this process sees)."""
    if selection != "auto":
        return "none"  # the user chose the GPUs: each rank measures its choice
    if ctx.gpu_ownership_known:
        return "none"
    if ctx.job_gpus is not None:
        return list(ctx.job_gpus)
    return "auto"
