"""The node election and the GPU claims: one reader at a time, released by the kernel when a holder dies,
never kept alive by a forked child; several trackers in one process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from clusterkit import J_PER_KWH, UJ, wait_for
from tests.fakes.powercap import server

from aiceberg.config import Settings
from aiceberg.measure.gpu import GpuDevice
from aiceberg.measure.launcher import JobContext
from aiceberg.measure.node import FileLock, JobMember, job_dir
from aiceberg.store import open_store
from aiceberg.tracking import Run

SRC = Path(__file__).resolve().parents[2] / "src"


def _ctx(rank: int, node: str = "n1", job: str = "j1", local: int = 3) -> JobContext:
    return JobContext(job, rank, node, launcher="torchrun", local_rank=rank % local, local_world_size=local,
                      world_size=local)


def test_one_holder_at_a_time_and_the_next_one_reads_the_former_note(tmp_path: Path) -> None:
    a, b = FileLock(tmp_path / "node.lock"), FileLock(tmp_path / "node.lock")
    assert a.try_acquire({"pid": 1, "rank": 0})
    assert not b.try_acquire({"pid": 2, "rank": 1})  # two opens in one process conflict like two processes
    a.update(flushed_unix=123.0)
    assert b.holder() == {"pid": 1, "rank": 0, "flushed_unix": 123.0}
    a.release()
    assert b.try_acquire({"pid": 2, "rank": 1})
    assert b.previous is not None and b.previous["rank"] == 0 and b.previous["released"] is True
    b.release()


def _holder(tmp_path: Path, fork_child: bool) -> subprocess.Popen[str]:
    code = textwrap.dedent(f"""
        import os, sys, time
        from aiceberg.measure.node import FileLock
        lock = FileLock({str(tmp_path / 'node.lock')!r})
        assert lock.try_acquire({{"pid": os.getpid(), "rank": 7}})
        if {fork_child!r} and os.fork() == 0:   # a data loader's worker, say
            os.write(1, f"child {{os.getpid()}}\\n".encode())  # one write: the two processes share the pipe
            time.sleep(600)
            os._exit(0)
        os.write(1, f"held {{os.getpid()}}\\n".encode())
        time.sleep(600)
    """)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)


def test_the_kernel_releases_a_killed_holders_lock_even_with_a_forked_child_alive(tmp_path: Path) -> None:
    proc = _holder(tmp_path, fork_child=True)
    assert proc.stdout is not None
    lines = dict(proc.stdout.readline().split(maxsplit=1) for _ in range(2))
    child = int(lines["child"])
    mine = FileLock(tmp_path / "node.lock")
    try:
        assert not mine.try_acquire({"rank": 1})
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        os.kill(child, 0)  # the forked child lives on, with its copy of the descriptor closed at fork
        assert wait_for("the lock to be free after its holder died", lambda: mine.try_acquire({"rank": 1}))
        assert mine.previous is not None and mine.previous["rank"] == 7 and "released" not in mine.previous
    finally:
        mine.release()
        os.kill(child, signal.SIGKILL)


def test_a_gpu_is_claimed_by_one_member_and_freed_when_it_closes(tmp_path: Path) -> None:
    a = JobMember(_ctx(0), root=tmp_path, run_id="ra")
    b = JobMember(_ctx(1), root=tmp_path, run_id="rb")
    gpu = GpuDevice(0, "GPU-0000", "A100", None, "nvml:gpu-0", "energy")
    assert a.claim(gpu) and a.claim(gpu)  # idempotent for its holder
    assert not b.claim(gpu)
    other_node = JobMember(_ctx(1, node="n2"), root=tmp_path)
    assert other_node.claim(gpu)  # another node's GPU 0 is another GPU
    a.close()
    assert b.claim(gpu)
    b.close()
    other_node.close()
    assert job_dir(_ctx(0), tmp_path) != job_dir(_ctx(0, job="j2"), tmp_path)


def test_three_trackers_in_one_process_read_the_node_once_and_hand_it_over(tmp_path: Path) -> None:
    pc = server(tmp_path / "pc", sockets=2)
    store = open_store(tmp_path / "runs.db")
    settings = Settings(powercap_root=str(pc.root), interval_s=0.05, flush_every_s=0.1, gpus="none")
    runs = [Run(store=store, settings=settings, location="FR", job=_ctx(r), attach_pid=False, handle_signals=False)
            for r in range(3)]
    for run in runs:
        run.start()
    try:
        assert sorted(r.role or "" for r in runs) == ["node", "rank", "rank"]
        pc.advance("intel-rapl:0", 10 * UJ)
        pc.advance("intel-rapl:0:0", 4 * UJ)  # the core, inside its package: never added
        pc.advance("intel-rapl:1:1", 2 * UJ)  # DRAM, beside its package
        holder = next(r for r in runs if r.role == "node")
        holder.stop()  # the reader of the node ends first: another rank takes the node over
        others = [r for r in runs if r is not holder]
        taken = wait_for("a rank to take the node over", lambda: next(
            (r._job.member.node_run for r in others if r._job.member and r._job.member.node_run), None))
        pc.advance("intel-rapl:1", 5 * UJ)
        taken.sample()
    finally:
        for run in runs:
            run.stop()
    rows = {r.run_id: r for r in store.list_runs()}
    assert len(rows) == 4  # three ranks and the node's run that took over
    node_runs = [r for r in rows.values() if r.role == "node"]
    assert len(node_runs) == 2 and all(r.job_id == "j1" and r.node == "n1" for r in rows.values())
    total_j = sum(r.energy_kwh or 0.0 for r in rows.values()) * J_PER_KWH
    assert abs(total_j - 17.0) < 1e-6  # 10 + 2 before the handover, 5 after; the core not twice
    assert abs(holder.result.summary.energy_kwh * J_PER_KWH - 12.0) < 1e-6  # type: ignore[union-attr]
    store.close()


def test_a_note_cut_short_by_a_kill_still_reads(tmp_path: Path) -> None:
    """A holder killed between writing its new note and cutting the old one's tail leaves a whole note."""
    from aiceberg.measure.node import _parse

    longer = b'{"pid": 1, "rank": 0, "flushed_unix": 1796139313.5301802, "since_unix": 1796139300.0}\n'
    shorter = b'{"pid": 1, "rank": 0}\n'
    assert _parse(shorter + longer[len(shorter):]) == {"pid": 1, "rank": 0}
    assert _parse(b"") is None and _parse(b"{trunc") is None
