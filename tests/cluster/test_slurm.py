"""A real Slurm (Debian's slurm-wlm, started by ``scripts/start-slurm``; CI starts it): jobs of two tasks
whose ranks are each tracked, on one node, count the node's energy once, not twice.

``sbatch -n 2`` runs a batch script whose ``srun`` starts two ``aiceberg run`` (the CLI in each rank);
``srun -n 2`` starts two ranks that call ``aiceberg.track``. The node's RAPL counters are a fake powercap
tree (``AICEBERG_POWERCAP_ROOT``), moved by the test once both ranks have stored their first readings.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clusterkit import HERE, J_PER_KWH, SLURM_CONF, FakeNode, wait_for

from aiceberg.jobs import job_summary
from aiceberg.store import open_for_reading

pytestmark = pytest.mark.skipif(
    not SLURM_CONF or shutil.which("sbatch") is None or shutil.which("srun") is None,
    reason="no Slurm cluster here: eval \"$(bash scripts/start-slurm)\" starts one (CI does)",
)


def _env(tmp_path: Path, base_env: dict[str, str], node: FakeNode) -> dict[str, str]:
    env = node.env(base_env)
    env.pop("AICEBERG_NODE")  # Slurm names the node
    env.update(SLURM_CONF=SLURM_CONF, AICEBERG_DB=str(tmp_path / "runs.db"),
               AICEBERG_RUNTIME_DIR=str(tmp_path / "runtime"), RANK_STOP_FILE=str(tmp_path / "stop"))
    return env


def _ready(db: Path, job: str) -> None:
    def check() -> bool:
        with open_for_reading(db) as store:
            runs = store.job_runs(job)
        return len(runs) == 2 and all(r.energy_kwh is not None for r in runs)
    wait_for(f"the two ranks of Slurm job {job} in the store", check, timeout_s=180)


def _flushed(db: Path, job: str, joules: float) -> None:
    def check() -> bool:
        with open_for_reading(db) as store:
            return abs(sum(r.energy_kwh or 0.0 for r in store.job_runs(job)) * J_PER_KWH - joules) < 1e-6
    wait_for(f"Slurm job {job} to have flushed {joules} J", check, timeout_s=180)


def _done(job: str, env: dict[str, str]) -> None:
    def check() -> bool:
        out = subprocess.run(["squeue", "-h", "-j", job], env=env, capture_output=True, text=True)
        return (out.returncode == 0 and not out.stdout.strip()) or "Invalid job id" in out.stderr
    wait_for(f"Slurm job {job} to end", check, timeout_s=180, every_s=0.2)


def _check(db: Path, job: str, joules: float) -> None:
    with open_for_reading(db) as store:
        summary = job_summary(job, store)
    assert summary.energy_kwh is not None and summary.energy_kwh * J_PER_KWH == pytest.approx(joules)
    assert (summary.launcher, summary.ranks, len(summary.nodes), summary.world_size) == ("slurm", 2, 1, 2)
    assert summary.steps == ("0",) and summary.complete and summary.status == "finished"
    first = {}
    for run in sorted(summary.nodes[0].runs, key=lambda r: r.started_unix):
        first.setdefault(run.rank, run)
    assert sorted(r.role for r in first.values()) == ["node", "rank"]  # one of the two reads the node


def test_sbatch_two_tasks_under_aiceberg_run_count_the_node_once(tmp_path: Path, base_env: dict[str, str]) -> None:
    node = FakeNode(tmp_path / "n", "unused")
    env = _env(tmp_path, base_env, node)
    stop = tmp_path / "stop"
    wrap = (f"srun {sys.executable} -m aiceberg run --location FR --quiet -- "
            f"{sys.executable} {HERE / 'waiter.py'} {stop}")
    submitted = subprocess.run(["sbatch", "--parsable", "-n", "2", "-o", str(tmp_path / "job.out"), "--wrap", wrap],
                               env=env, capture_output=True, text=True, check=True, cwd=tmp_path)
    job = submitted.stdout.strip().split(";")[0]
    try:
        _ready(tmp_path / "runs.db", job)
        node.add_package_j(0, 10.0, core_j=4.0, dram_j=1.5)
        _flushed(tmp_path / "runs.db", job, 11.5)
    finally:
        stop.touch()
        _done(job, env)
    _check(tmp_path / "runs.db", job, 11.5)


def test_srun_two_ranks_tracking_themselves_count_the_node_once(tmp_path: Path, base_env: dict[str, str]) -> None:
    node = FakeNode(tmp_path / "n", "unused")
    env = _env(tmp_path, base_env, node)
    proc = subprocess.Popen(["srun", "-n", "2", sys.executable, str(HERE / "rank.py")], env=env,
                            stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert proc.stdout is not None
        lines = [json.loads(proc.stdout.readline()) for _ in range(2)]
        job = lines[0]["job"]
        assert job == lines[1]["job"] and job.isdigit()
        _ready(tmp_path / "runs.db", job)
        node.add_package_j(1, 7.0, dram_j=0.5)
        _flushed(tmp_path / "runs.db", job, 7.5)
    finally:
        (tmp_path / "stop").touch()
        assert proc.wait(timeout=180) == 0
    _check(tmp_path / "runs.db", job, 7.5)
