"""A real two-process job: ``torchrun --nproc_per_node=2`` (gloo on the CPU) runs a transformers Trainer and
a Lightning fit in each process (``dist_train.py``). The launcher sets ``RANK``/``LOCAL_RANK``/``WORLD_SIZE``;
the frameworks see two ranks on one node. Only rank 0 logs; only the node's first process tracks, once, and
the totals logged are each training's over the job (the fake node has no GPU: ``test_job_ranks.py`` counts
several GPUs with simulated processes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from node import FakeNode, subprocess_env

from aiceberg.integrations.session import METRICS
from aiceberg.units import J_PER_KWH

HERE = Path(__file__).parent
SAMPLES, RANKS = 8, 2
HF_STEPS = SAMPLES // (2 * RANKS)  # 2 samples per device per step
PL_STEPS = SAMPLES // (4 * RANKS)  # batches of 4, the data split between the ranks


def test_in_a_two_process_job_rank_zero_logs_and_the_node_is_tracked_once(node: FakeNode, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={RANKS}",
         str(HERE / "dist_train.py"), str(out)],
        env=subprocess_env(node), capture_output=True, text=True, timeout=540,
    )
    assert r.returncode == 0, r.stderr[-4000:]
    ranks = [json.loads((out / f"rank-{n}.json").read_text()) for n in range(RANKS)]
    assert [(k["hf"]["steps_per_epoch"], k["pl"]["steps_per_epoch"]) for k in ranks] == [(HF_STEPS, PL_STEPS)] * 2

    hf0, hf1 = ({k: v for k, v in r["hf"].items() if k in ("logged", "tracked")} for r in ranks)
    assert (hf0, hf1) == ({"logged": sorted(METRICS), "tracked": True}, {"logged": [], "tracked": False})
    assert ranks[1]["hf"]["card"] is None and ranks[1]["hf"]["total"] is None
    # torchrun --standalone names the job (TORCHELASTIC_RUN_ID): the card's source is the job's total
    job = ranks[0]["hf"]["job"]
    assert job and ranks[0]["hf"]["card"].splitlines()[2].endswith(f'; job {job})"')
    assert set(ranks[0]["pl"]["logged"]) >= {"aiceberg/epoch_energy_kwh", "aiceberg/epoch_co2e_kg"}
    assert (ranks[0]["pl"]["tracked"], ranks[1]["pl"]["logged"], ranks[1]["pl"]["tracked"]) == (True, [], False)

    # one run per training, not one per rank: the Trainer's, then the fit's, both of the job
    runs = sorted(node.runs(), key=lambda run: run.started_at)
    assert [run.status for run in runs] == ["finished", "finished"]
    for run, steps, total in zip(runs, (HF_STEPS, PL_STEPS), (ranks[0]["hf"]["total"], ranks[0]["pl"]["total"]),
                                 strict=True):
        expected = [node.expected_kwh(e, steps) for e in range(2)]
        assert [p.energy_j / J_PER_KWH for p in node.phases(run.run_id)] == pytest.approx(expected, rel=1e-9)
        assert run.energy_kwh == pytest.approx(sum(expected), rel=1e-9)
        # the total logged is the training's over the job (gathered through torch.distributed): the fit's is
        # not the Trainer's with it, though both are one torchrun job
        assert total == pytest.approx(sum(expected), rel=1e-9) and run.job_id == job
