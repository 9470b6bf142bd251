"""Launcher detection on each launcher's real variable sets, and which GPUs a rank owns.

The Slurm sets are those Slurm 22.05 gave here (``srun -n 2 env``, an ``sbatch -n 2`` batch script); the
torchrun ones are what torch.distributed.elastic's agent sets for its workers; the MPI ones Open MPI's
``mpirun`` (with PMIx) and MPICH's Hydra (PMI).
"""

from __future__ import annotations

import os

import pytest

from aiceberg.errors import InputError
from aiceberg.measure.gpu import select_devices
from aiceberg.measure.launcher import detect, job_context, node_gpus, owned_gpus, tasks_on_node

SRUN_RANK_1 = {  # srun -n 2 on one node, the second task
    "SLURM_JOB_ID": "3", "SLURM_STEP_ID": "0", "SLURM_STEPID": "0", "SLURM_PROCID": "1", "SLURM_LOCALID": "1",
    "SLURM_NODEID": "0", "SLURM_NTASKS": "2", "SLURM_STEP_NUM_TASKS": "2", "SLURM_STEP_TASKS_PER_NODE": "2",
    "SLURM_TASKS_PER_NODE": "2", "SLURM_JOB_NODELIST": "localhost", "SLURM_JOB_NUM_NODES": "1", "SLURM_NNODES": "1",
    "SLURM_CPUS_ON_NODE": "2", "SLURMD_NODENAME": "localhost",
}
SBATCH_SCRIPT = {  # the batch script of sbatch -n 2: no step id, one process whatever the task count
    "SLURM_JOB_ID": "4", "SLURM_LOCALID": "0", "SLURM_NODEID": "0", "SLURM_NTASKS": "2", "SLURM_PROCID": "0",
    "SLURM_TASKS_PER_NODE": "2", "SLURMD_NODENAME": "localhost", "SLURM_JOB_NUM_NODES": "1",
}
SRUN_TWO_NODES = {  # srun -N 2 --ntasks-per-node=4 --gpus-per-node=4, the sixth task
    "SLURM_JOB_ID": "777", "SLURM_STEP_ID": "1", "SLURM_PROCID": "5", "SLURM_LOCALID": "1", "SLURM_NODEID": "1",
    "SLURM_NTASKS": "8", "SLURM_STEP_TASKS_PER_NODE": "4(x2)", "SLURM_JOB_NODELIST": "gpu[01-02]",
    "SLURM_JOB_NUM_NODES": "2", "SLURMD_NODENAME": "gpu02", "SLURM_JOB_GPUS": "0,1,2,3", "SLURM_STEP_GPUS": "0,1,2,3",
    "CUDA_VISIBLE_DEVICES": "0,1,2,3", "SLURM_MEM_PER_NODE": "65536",
}
TORCHRUN_WORKER_2 = {  # torchrun --nnodes=2 --nproc-per-node=4 --rdzv-id=train-42, node 1's third worker
    "RANK": "6", "LOCAL_RANK": "2", "WORLD_SIZE": "8", "LOCAL_WORLD_SIZE": "4", "GROUP_RANK": "1", "ROLE_RANK": "6",
    "ROLE_NAME": "default", "GROUP_WORLD_SIZE": "2", "TORCHELASTIC_RUN_ID": "train-42",
    "TORCHELASTIC_RESTART_COUNT": "0", "TORCHELASTIC_MAX_RESTARTS": "0", "MASTER_ADDR": "10.0.0.1",
    "MASTER_PORT": "29500",
}
TORCHRUN_STANDALONE = {  # torchrun --nproc-per-node=2 train.py: rdzv id "none"
    "RANK": "1", "LOCAL_RANK": "1", "WORLD_SIZE": "2", "LOCAL_WORLD_SIZE": "2", "GROUP_RANK": "0",
    "TORCHELASTIC_RUN_ID": "none", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500",
}
OPEN_MPI = {  # mpirun -np 4 (Open MPI 4 with PMIx), the fourth rank
    "OMPI_COMM_WORLD_RANK": "3", "OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_LOCAL_RANK": "3",
    "OMPI_COMM_WORLD_LOCAL_SIZE": "4", "OMPI_COMM_WORLD_NODE_RANK": "0", "PMIX_RANK": "3",
    "PMIX_NAMESPACE": "prterun-host-12345@1",
}
HYDRA = {"PMI_RANK": "2", "PMI_SIZE": "4", "PMI_FD": "6"}  # MPICH: no local rank, no job name


def test_srun_gives_slurms_job_step_rank_and_node() -> None:
    ctx = detect(SRUN_RANK_1, hostname="host-a")
    assert (ctx.launcher, ctx.job_id, ctx.step, ctx.rank, ctx.local_rank) == ("slurm", "3", "0", 1, 1)
    assert (ctx.world_size, ctx.local_world_size, ctx.node, ctx.nodes) == (2, 2, "localhost", 1)
    assert ctx.in_job and ctx.gpu_ownership_known


def test_the_batch_script_is_one_process_whatever_the_allocation() -> None:
    ctx = detect(SBATCH_SCRIPT, hostname="h")
    assert (ctx.job_id, ctx.step, ctx.rank, ctx.world_size, ctx.local_world_size) == ("4", "batch", 0, 1, 1)
    assert owned_gpus(ctx) == "auto"  # alone: it measures every GPU it sees


def test_slurm_over_two_nodes_reads_the_tasks_of_its_own_node() -> None:
    ctx = detect(SRUN_TWO_NODES, hostname="ignored")
    assert (ctx.rank, ctx.local_rank, ctx.node_rank, ctx.local_world_size, ctx.world_size) == (5, 1, 1, 4, 8)
    assert (ctx.node, ctx.nodes, ctx.nodelist, ctx.job_gpus, ctx.visible_gpus) == (
        "gpu02", 2, "gpu[01-02]", (0, 1, 2, 3), (0, 1, 2, 3))
    assert ctx.memory_gb == 64
    assert owned_gpus(ctx) == "share:1/4" and node_gpus(ctx) == "none"


@pytest.mark.parametrize(("spec", "node", "tasks"), [
    ("2", 0, 2), ("4(x2)", 1, 4), ("2(x3),1", 2, 2), ("2(x3),1", 3, 1), ("2(x3),1", 4, None), ("bad", 0, None),
    (None, 0, None), ("2", None, None),
])
def test_slurms_tasks_per_node_form(spec: str | None, node: int | None, tasks: int | None) -> None:
    assert tasks_on_node(spec, node) == tasks


def test_torchrun_gives_the_rdzv_id_and_its_own_ranks() -> None:
    ctx = detect(TORCHRUN_WORKER_2, hostname="node-b")
    assert (ctx.launcher, ctx.job_id, ctx.rank, ctx.local_rank, ctx.node_rank) == ("torchrun", "train-42", 6, 2, 1)
    assert (ctx.world_size, ctx.local_world_size, ctx.nodes, ctx.step) == (8, 4, 2, None)
    assert owned_gpus(ctx) == "share:2/4"


def test_torchrun_inside_slurm_takes_slurms_job_and_torchruns_ranks() -> None:
    ctx = detect({**SRUN_TWO_NODES, **TORCHRUN_WORKER_2}, hostname="h")
    assert (ctx.launcher, ctx.job_id, ctx.step, ctx.rank, ctx.local_rank) == ("torchrun", "777", "1", 6, 2)


def test_torchrun_without_an_id_ties_a_nodes_ranks_by_their_agent() -> None:
    ctx = detect(TORCHRUN_STANDALONE, hostname="box")
    ppid = os.getppid()
    assert ctx.job_id is not None and ctx.job_id.startswith(f"torchrun-box-{ppid}")
    assert detect(TORCHRUN_STANDALONE, hostname="box").job_id == ctx.job_id  # the same for every worker
    assert ctx.notes and job_context(TORCHRUN_STANDALONE, hostname="box").job_id is None  # labels: no made-up id


def test_accelerate_is_told_apart() -> None:
    ctx = detect({**TORCHRUN_STANDALONE, "ACCELERATE_MIXED_PRECISION": "bf16"}, hostname="h")
    assert ctx.launcher == "accelerate" and ctx.local_rank == 1


def test_open_mpi_gives_its_ranks_and_the_pmix_namespace() -> None:
    ctx = detect(OPEN_MPI, hostname="h")
    assert (ctx.launcher, ctx.job_id, ctx.rank, ctx.local_rank, ctx.local_world_size) == (
        "mpi", "prterun-host-12345@1", 3, 3, 4)


def test_mpirun_inside_an_allocation_beats_the_procid_its_daemon_inherited() -> None:
    ctx = detect({**SBATCH_SCRIPT, "SLURM_STEP_ID": "0", **OPEN_MPI}, hostname="h")
    assert (ctx.launcher, ctx.job_id, ctx.rank, ctx.local_rank) == ("mpi", "4", 3, 3)


def test_srun_launching_mpi_ranks_itself_is_slurm() -> None:
    ctx = detect({**SRUN_RANK_1, "PMIX_RANK": "1"}, hostname="h")
    assert (ctx.launcher, ctx.rank, ctx.local_rank) == ("slurm", 1, 1)


def test_hydra_without_a_local_rank_leaves_the_gpus_to_the_node() -> None:
    ctx = detect(HYDRA, hostname="h")
    assert (ctx.launcher, ctx.rank, ctx.world_size, ctx.local_rank) == ("mpi", 2, 4, None)
    assert not ctx.gpu_ownership_known
    assert owned_gpus(ctx) == "none" and node_gpus(ctx) == "auto"


def test_outside_a_job_nothing_changes() -> None:
    ctx = detect({}, hostname="laptop")
    assert not ctx.in_job and ctx.launcher == "none" and ctx.node == "laptop"
    assert owned_gpus(ctx) == "auto"


def test_an_explicit_job_id_wins_and_a_bad_one_is_refused() -> None:
    assert detect(SRUN_RANK_1, job_id="nightly-7").job_id == "nightly-7"
    assert detect({"AICEBERG_JOB_ID": "mine", **TORCHRUN_WORKER_2}).job_id == "mine"
    alone = detect({"AICEBERG_JOB_ID": "mine"}, hostname="h")
    assert alone.in_job and alone.launcher == "none" and alone.rank is None and alone.explicit
    for bad in ("", "two\nlines", "x" * 201):
        with pytest.raises(InputError) as exc:
            detect({}, job_id=bad)
        assert exc.value.field == "job_id"
    with pytest.raises(InputError) as exc:
        detect({"AICEBERG_JOB_ID": "a\tb"})
    assert exc.value.field == "AICEBERG_JOB_ID"
    assert job_context({"AICEBERG_JOB_ID": "a\tb"}, hostname="h").job_id is None  # labels never fail


def test_the_node_is_named_by_aiceberg_node_then_slurm_then_the_host() -> None:
    assert detect({"AICEBERG_NODE": "k8s-node-3", **SRUN_RANK_1}).node == "k8s-node-3"
    assert detect(SRUN_RANK_1, hostname="h").node == "localhost"
    assert detect({}, hostname="h").node == "h"


UUIDS = [f"GPU-{i:08x}-1111-2222-3333-{i:012x}" for i in range(8)]


@pytest.mark.parametrize(("selection", "visible", "positions"), [
    ("share:2/4", None, [4, 5]),              # every GPU visible: 8 GPUs for 4 ranks, two each
    ("share:1/4", "0,1,2,3", [1]),            # 4 visible, 4 ranks: one each
    ("share:1/2", "4,5,6,7", [6, 7]),         # the block of rank 1 among the visible ones
    ("share:0/4", "3", [3]),                  # the launcher gave each rank its GPU
    ("share:1/3", "0,1,2,3,4,5,6,7", [1, 4, 7]),  # uneven: every third
    ("share:5/4", None, []),                  # nonsense: nothing
])
def test_a_ranks_share_of_the_gpus(selection: str, visible: str | None, positions: list[int]) -> None:
    assert select_devices(UUIDS, selection, visible) == positions


def test_a_user_selection_is_kept_and_the_node_then_takes_none() -> None:
    ctx = detect(SRUN_TWO_NODES)
    assert owned_gpus(ctx, [3]) == [3] and node_gpus(ctx, [3]) == "none"
