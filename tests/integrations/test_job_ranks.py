"""The callbacks' processes on fake nodes with several GPUs: each GPU measured once, each node's sensors once,
only the main process logs, and the totals it logs are the job's where this store holds every node's run.

Each process is ``sim_rank.py`` in a subprocess with torchrun's environment, on a fake node (a powercap tree
and fake NVML GPUs shared by the node's processes, ``tests/cluster/clusterkit.py``): it runs the session
every callback runs. The test moves the counters once every process has begun its epoch, so the expected
figures are exactly what the counters moved.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiceberg.integrations.session import EPOCH_ENERGY, TOTAL_ENERGY, Roles, launcher_roles
from aiceberg.jobs import job_summary
from aiceberg.measure.launcher import detect
from aiceberg.store import open_for_reading

sys.path.insert(0, str(Path(__file__).parents[1] / "cluster"))
from clusterkit import J_PER_KWH, FakeNode

HERE = Path(__file__).parent
JOB = "train-1"


def package_j(node: int) -> float:
    return 10.0 * (node + 1)


def gpu_j(node: int, gpu: int) -> float:
    return 100.0 * (gpu + 1) * (node + 1)


def node_j(node: int, gpus: int) -> float:
    return package_j(node) + sum(gpu_j(node, g) for g in range(gpus))


def _launch(tmp: Path, nodes: int, per_node: int, gpus: int, *, shared_store: bool, gather: bool
            ) -> tuple[list[FakeNode], list[dict[str, Any]], list[str]]:
    """Start ``nodes`` × ``per_node`` processes, move every counter, stop them; their outputs and stores."""
    out = tmp / "out"
    out.mkdir()
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("AICEBERG_", "SLURM", "OMPI_", "PMI", "TORCHELASTIC_"))
            and k not in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "GROUP_RANK", "CUDA_VISIBLE_DEVICES")}
    base.update(XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(tmp / "data"))
    fakes = [FakeNode(tmp / f"node-{n}", f"node-{n}", gpus=gpus) for n in range(nodes)]
    stores = [str(tmp / ("runs.db" if shared_store else f"runs-{n}.db")) for n in range(nodes)]
    procs = []
    for n, fake in enumerate(fakes):
        for local in range(per_node):
            env = fake.env(base, RANK=str(n * per_node + local), LOCAL_RANK=str(local),
                           WORLD_SIZE=str(nodes * per_node), LOCAL_WORLD_SIZE=str(per_node), GROUP_RANK=str(n),
                           TORCHELASTIC_RUN_ID=JOB)
            env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(HERE)])
            env.update(AICEBERG_DB=stores[n], AICEBERG_RUNTIME_DIR=str(tmp / "runtime"), SIM_OUT=str(out),
                       SIM_GATHER="1" if gather else "0")
            procs.append(subprocess.Popen([sys.executable, str(HERE / "sim_rank.py")], env=env,
                                          stdout=subprocess.PIPE, text=True))
    try:
        started = [json.loads(p.stdout.readline() or "null") for p in procs]  # type: ignore[union-attr]
        assert None not in started, "a process exited before its epoch began"
        for n, fake in enumerate(fakes):
            fake.add_package_j(0, package_j(n))
            for g in range(gpus):
                fake.add_gpu_j(g, gpu_j(n, g))
        (out / "stop").touch()
        assert [p.wait(timeout=180) for p in procs] == [0] * len(procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    assert [(s["tracks"], s["logs"]) for s in started] == [(r % per_node == 0, r == 0) for r in range(len(procs))]
    return fakes, [json.loads((out / f"rank-{r}.json").read_text()) for r in range(len(procs))], stores


def _gpus_read(part: Any) -> list[str]:
    return sorted(c for r in part.runs for c in r.to_dict()["channels"] if c.startswith("nvml:"))


def test_one_node_four_processes_every_gpu_once_and_rank_zero_logs_the_job(tmp_path: Path) -> None:
    _, outs, (store, *_) = _launch(tmp_path, 1, 4, 4, shared_store=True, gather=True)
    with open_for_reading(store) as s:
        job = job_summary(JOB, s)
    (part,) = job.nodes
    # one run, the node's first process's: the node's sensors and all four GPUs (not GPU 0 alone), once
    assert [(r.role, r.rank) for r in part.runs] == [("node", 0)]
    assert _gpus_read(part) == [f"nvml:gpu-{g}" for g in range(4)]
    expected = node_j(0, 4)
    assert job.energy_kwh is not None and job.energy_kwh * J_PER_KWH == pytest.approx(expected, rel=1e-9)
    assert outs[0]["totals"][TOTAL_ENERGY] * J_PER_KWH == pytest.approx(expected, rel=1e-9)
    assert outs[0]["epoch"][EPOCH_ENERGY] * J_PER_KWH == pytest.approx(expected, rel=1e-9)
    assert (outs[0]["job"], outs[0]["note"]) == (JOB, None)
    assert all(o["totals"] == {} and o["epoch"] == {} and o["card"] is None for o in outs[1:])
    card = yaml.safe_load(outs[0]["card"])["co2_eq_emissions"]
    assert card["source"].endswith(f"; job {JOB})") and card["hardware_used"].startswith("4 x NVIDIA A100")


@pytest.mark.parametrize(("case", "shared", "gather", "why"), [
    ("one store, gathered", True, True, None),                                # the job's total
    ("a store per node", False, True, "integrations.job.why.not_in_store"),    # node 0 cannot see node 1's run
    ("no process group", True, False, "integrations.job.why.no_gather"),      # cannot tell this training's runs
])
def test_two_nodes_each_counted_once_and_the_total_says_what_it_covers(
        tmp_path: Path, case: str, shared: bool, gather: bool, why: str | None) -> None:
    _, outs, stores = _launch(tmp_path, 2, 2, 2, shared_store=shared, gather=gather)
    parts = []
    for store in dict.fromkeys(stores):
        with open_for_reading(store) as s:
            parts += list(job_summary(JOB, s).nodes)
    # each node: one run (its first process's), its package once and its own two GPUs once
    assert [(p.node, [(r.role, r.rank) for r in p.runs]) for p in parts] == [("node-0", [("node", 0)]),
                                                                           ("node-1", [("node", 2)])]
    for n, part in enumerate(parts):
        assert _gpus_read(part) == ["nvml:gpu-0", "nvml:gpu-1"]
        assert part.energy_kwh is not None and part.energy_kwh * J_PER_KWH == pytest.approx(node_j(n, 2), rel=1e-9)
    logged = outs[0]["totals"][TOTAL_ENERGY] * J_PER_KWH
    assert all(o["totals"] == {} for o in outs[1:])
    card = yaml.safe_load(outs[0]["card"])["co2_eq_emissions"]
    if why is None:
        assert logged == pytest.approx(node_j(0, 2) + node_j(1, 2), rel=1e-9)  # the job's: both nodes, once
        assert (outs[0]["job"], outs[0]["note"]) == (JOB, None) and card["source"].endswith(f"; job {JOB})")
    else:
        assert logged == pytest.approx(node_j(0, 2), rel=1e-9)  # this node's, and said so
        assert outs[0]["job"] is None and outs[0]["note"] == ["integrations.job.node_only", why]
        assert card["source"].endswith(f"node node-0 of job {JOB} only)")


@pytest.mark.parametrize(("env", "roles"), [
    ({}, Roles(True, True)),
    ({"RANK": "1", "LOCAL_RANK": "1", "WORLD_SIZE": "2"}, Roles(False, False)),                 # torchrun, one node
    ({"RANK": "4", "LOCAL_RANK": "0", "WORLD_SIZE": "8", "LOCAL_WORLD_SIZE": "4"}, Roles(True, False)),  # 2nd node
    ({"SLURM_JOB_ID": "7", "SLURM_STEP_ID": "0", "SLURM_PROCID": "3", "SLURM_LOCALID": "1"}, Roles(False, False)),
    ({"SLURM_JOB_ID": "7", "SLURM_STEP_ID": "0", "SLURM_PROCID": "2", "SLURM_LOCALID": "0"}, Roles(True, False)),
    ({"OMPI_COMM_WORLD_RANK": "2", "OMPI_COMM_WORLD_LOCAL_RANK": "0"}, Roles(True, False)),       # mpirun
    # mpirun inside an sbatch allocation: MPI's ranks, not the SLURM_PROCID its daemons inherit
    ({"SLURM_JOB_ID": "7", "SLURM_STEP_ID": "0", "SLURM_PROCID": "0", "SLURM_LOCALID": "0",
      "OMPI_COMM_WORLD_RANK": "5", "OMPI_COMM_WORLD_LOCAL_RANK": "1"}, Roles(False, False)),
    ({"PMI_RANK": "5", "PMI_SIZE": "8"}, Roles(False, False)),    # no local rank: rank 0 alone, never twice
    ({"PMI_RANK": "0", "PMI_SIZE": "8"}, Roles(True, True)),
    ({"RANK": "", "SLURM_JOB_ID": "7", "SLURM_STEP_ID": "0", "SLURM_PROCID": "7", "SLURM_LOCALID": "x"},
     Roles(False, False)),                                          # empty or garbage ignored
])
def test_the_launchers_environment_says_who_tracks_and_who_logs(env: dict[str, str], roles: Roles) -> None:
    assert launcher_roles(env) == roles
    assert launcher_roles(ctx=detect(env, hostname="h", fallback=False)) == roles
