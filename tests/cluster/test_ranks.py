"""Simulated ranks in subprocesses on fake nodes: the job's energy counted once in every combination.

Each rank is a process that tracks itself with ``aiceberg.track`` (``rank.py``), with a launcher's
environment, a fake powercap tree and fake NVML GPUs shared with the other ranks of its node. The test
moves the counters only once every rank has stored its first readings, so the expected totals are
exact: a node's energy counted once (not once per rank), each GPU once, whoever reads it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from clusterkit import J_PER_KWH, FakeNode, energies_j, ranks, wait_for

from aiceberg.jobs import job_summary
from aiceberg.store import open_for_reading


def torchrun(rank: int, local: int, world: int, local_world: int, group: int = 0,
             job: str = "train-1") -> dict[str, str]:
    return {"RANK": str(rank), "LOCAL_RANK": str(local), "WORLD_SIZE": str(world),
            "LOCAL_WORLD_SIZE": str(local_world), "GROUP_RANK": str(group), "TORCHELASTIC_RUN_ID": job}


def _started(store_target: str, job: str, count: int) -> None:
    """Every rank's run is stored with its first flush (its baseline): counters may move from now on."""
    def check() -> bool:
        with open_for_reading(store_target) as store:
            got = energies_j(store, job)
        return len(got) == count and all(v is not None for v in got.values())
    wait_for(f"{count} runs of job {job} with their first flush", check)


def _flushed(store_target: str, job: str, total_j: float) -> None:
    def check() -> bool:
        with open_for_reading(store_target) as store:
            return abs(sum(v or 0.0 for v in energies_j(store, job).values()) - total_j) < 1e-6
    wait_for(f"job {job}'s runs to have flushed {total_j} J", check)


def _summary(store_target: str, job: str):
    with open_for_reading(store_target) as store:
        return job_summary(job, store)


def _gpu_of(run) -> list[str]:
    return [c for c in run.to_dict()["channels"] if c.startswith("nvml:")]


def _first_runs(part) -> dict[int, object]:
    """Each rank's own run (the first it started: a rank that takes the node over when the ranks end one
    after the other starts a node run of its own too)."""
    out: dict[int, object] = {}
    for run in sorted(part.runs, key=lambda r: r.started_unix):
        out.setdefault(run.rank, run)
    return out


def test_four_ranks_on_one_node_count_the_node_once_and_each_gpu_once(
        tmp_path: Path, base_env: dict[str, str], store_target: str) -> None:
    node = FakeNode(tmp_path / "a", "node-a", gpus=4)
    with ranks(tmp_path, store_target) as job:
        for r in range(4):
            job.start(node, base_env, **torchrun(r, r, 4, 4))
        started = job.ready()
        assert sorted(s["role"] for s in started) == ["node", "rank", "rank", "rank"]
        _started(store_target, "train-1", 4)
        node.add_package_j(0, 10.0, core_j=6.0, dram_j=2.0)
        node.add_package_j(1, 20.0, dram_j=3.0)
        for g in range(4):
            node.add_gpu_j(g, 100.0 * (g + 1))
        _flushed(store_target, "train-1", 35.0 + 1000.0)
        assert job.stop_in_order() == [0, 0, 0, 0]
    summary = _summary(store_target, "train-1")
    assert summary.energy_kwh is not None and abs(summary.energy_kwh * J_PER_KWH - 1035.0) < 1e-6
    assert summary.domains_kwh["gpu"] * J_PER_KWH == pytest.approx(1000.0)
    assert (summary.domains_kwh["cpu"] + summary.domains_kwh["dram"]) * J_PER_KWH == pytest.approx(35.0)
    (part,) = summary.nodes
    assert part.node == "node-a" and sorted(part.gpus) == [f"nvml:gpu-{g}" for g in range(4)]
    by_rank = _first_runs(part)
    for r in range(4):  # torchrun's convention: rank r uses GPU r, and measures it
        assert _gpu_of(by_rank[r]) == [f"nvml:gpu-{r}"]
    assert [r.role for r in by_rank.values()].count("node") == 1  # type: ignore[attr-defined]
    assert summary.complete and summary.ranks == 4 and summary.world_size == 4 and not summary.notes
    assert summary.co2e_kg is not None and summary.co2e_kg.low < summary.co2e_kg.central < summary.co2e_kg.high


@pytest.mark.parametrize(("case", "gpus", "launchers", "owners"), [
    # the launcher bound each rank to its GPU, two ranks per GPU: each GPU read by one of its two ranks
    ("bound", 2, [{**torchrun(r, r, 4, 4), "CUDA_VISIBLE_DEVICES": str(r // 2)} for r in range(4)], None),
    # two ranks, four GPUs all visible: a block of two each
    ("blocks", 4, [torchrun(r, r, 2, 2) for r in range(2)], {0: ["nvml:gpu-0", "nvml:gpu-1"],
                                                             1: ["nvml:gpu-2", "nvml:gpu-3"]}),
    # MPICH's Hydra gives no local rank: the ranks cannot tell their GPUs, the node's sampler reads them all
    ("no-local-rank", 2, [{"PMI_RANK": str(r), "PMI_SIZE": "2", "AICEBERG_JOB_ID": "train-1"} for r in range(2)],
     "node"),
])
def test_every_gpu_is_read_once_whatever_the_binding(
        tmp_path: Path, base_env: dict[str, str], case: str, gpus: int, launchers: list[dict[str, str]],
        owners: object) -> None:
    store_target = str(tmp_path / "runs.db")
    node = FakeNode(tmp_path / "a", "node-a", gpus=gpus)
    with ranks(tmp_path, store_target) as job:
        for env in launchers:
            job.start(node, base_env, **env)
        job.ready()
        _started(store_target, "train-1", len(launchers))
        node.add_package_j(0, 7.0)
        for g in range(gpus):
            node.add_gpu_j(g, 50.0 * (g + 1))
        gpu_j = 50.0 * gpus * (gpus + 1) / 2
        _flushed(store_target, "train-1", 7.0 + gpu_j)
        assert set(job.stop()) == {0}
    summary = _summary(store_target, "train-1")
    assert summary.energy_kwh is not None and abs(summary.energy_kwh * J_PER_KWH - (7.0 + gpu_j)) < 1e-6
    (part,) = summary.nodes
    read = [g for r in part.runs for g in _gpu_of(r)]
    assert sorted(read) == [f"nvml:gpu-{g}" for g in range(gpus)]  # each GPU once, none twice
    if owners == "node":
        assert all(_gpu_of(r) == [] for r in part.runs if r.role == "rank")
    elif isinstance(owners, dict):
        assert {rank: _gpu_of(r) for rank, r in _first_runs(part).items()} == owners


def test_two_nodes_each_counted_once(tmp_path: Path, base_env: dict[str, str]) -> None:
    store_target = str(tmp_path / "runs.db")
    nodes = [FakeNode(tmp_path / "a", "node-a", gpus=2), FakeNode(tmp_path / "b", "node-b", gpus=2)]
    with ranks(tmp_path, store_target) as job:
        for n, node in enumerate(nodes):
            for local in range(2):
                job.start(node, base_env, **torchrun(2 * n + local, local, 4, 2, group=n))
        job.ready()
        _started(store_target, "train-1", 4)
        nodes[0].add_package_j(0, 10.0)
        nodes[1].add_package_j(1, 40.0, dram_j=5.0)
        nodes[0].add_gpu_j(1, 300.0)
        nodes[1].add_gpu_j(0, 200.0)
        _flushed(store_target, "train-1", 555.0)
        job.stop_in_order()
    summary = _summary(store_target, "train-1")
    per_node = {n.node: n for n in summary.nodes}
    assert set(per_node) == {"node-a", "node-b"} and summary.nodes_expected == 2 and summary.complete
    assert not summary.notes and all(len(n.runs) == 2 for n in summary.nodes)
    assert per_node["node-a"].energy_kwh * J_PER_KWH == pytest.approx(310.0)  # type: ignore[operator]
    assert per_node["node-b"].energy_kwh * J_PER_KWH == pytest.approx(245.0)  # type: ignore[operator]
    for name in ("node-a", "node-b"):
        assert [r.role for r in _first_runs(per_node[name]).values()].count("node") == 1  # type: ignore[attr-defined]
    assert {r.rank for r in per_node["node-b"].runs} == {2, 3}
    # one footprint per node, added: the job's manufacturing share is two machines', not four ranks'
    assert summary.footprint is not None
    assert summary.footprint.co2e_kg.central == pytest.approx(
        sum(n.footprint.co2e_kg.central for n in summary.nodes if n.footprint is not None))


# -- a rank killed mid-job -------------------------------------------------------------------------------


def _jobs_show(store_target: str, job: str, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    """``aiceberg jobs show JOB --json``: it marks the runs whose owner died as interrupted first."""
    import json

    from aiceberg.cli import main

    capsys.readouterr()
    assert main(["jobs", "show", job, "--db", store_target, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _took_over(store_target: str, job: str, dead_run: str, node: str = "node-a") -> str:
    """The run of the rank that took ``node`` over (role node, started after the dead one), once flushed."""
    def check() -> str | None:
        with open_for_reading(store_target) as store:
            runs = store.job_runs(job)
        dead = next(r for r in runs if r.run_id == dead_run)
        return next((r.run_id for r in runs if r.role == "node" and r.node == node and r.energy_kwh is not None
                     and r.started_unix > dead.started_unix), None)
    return wait_for("another rank to take the node over", check)  # type: ignore[no-any-return]


def test_a_killed_node_reader_is_replaced_and_nothing_it_flushed_is_lost(
        tmp_path: Path, base_env: dict[str, str], store_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    node = FakeNode(tmp_path / "a", "node-a", gpus=3)
    with ranks(tmp_path, store_target) as job:
        for r in range(3):
            job.start(node, base_env, **torchrun(r, r, 3, 3))
        started = job.ready()
        holder = next(s for s in started if s["role"] == "node")
        dead_rank = started.index(holder)  # its local rank, and so its GPU
        _started(store_target, "train-1", 3)
        node.add_package_j(0, 10.0, dram_j=1.0)
        for g in range(3):
            node.add_gpu_j(g, 100.0)
        _flushed(store_target, "train-1", 311.0)
        job.kill(holder["pid"])  # SIGKILL: no summary, no release; the kernel frees its locks
        successor = _took_over(store_target, "train-1", holder["run_id"])
        node.add_package_j(1, 20.0, core_j=5.0)
        for g in range(3):
            if g != dead_rank:  # the dead rank's GPU: its reader is gone with it
                node.add_gpu_j(g, 30.0)
        _flushed(store_target, "train-1", 311.0 + 20.0 + 60.0)
        codes = job.stop()
    assert [c for i, c in enumerate(codes) if i != dead_rank] == [0, 0]
    data = _jobs_show(store_target, "train-1", capsys)
    assert data["energy_kwh"] * J_PER_KWH == pytest.approx(391.0)  # counted once: not 3 × the node
    (node_data,) = data["per_node"]
    runs = {r["run_id"]: r for r in node_data["runs"]}
    dead = runs[holder["run_id"]]
    assert dead["status"] == "interrupted" and dead["from_samples"]  # its summary never came: its samples
    assert dead["energy_kwh"] * J_PER_KWH == pytest.approx(111.0)
    assert runs[successor]["role"] == "node" and runs[successor]["energy_kwh"] * J_PER_KWH == pytest.approx(20.0)
    assert node_data["unread_s"] > 1e-3  # the dead reader's last moments and the handover: a gap, never 0 J
    assert any("node-a" in note and "no rank read" in note for note in data["notes"])
    with open_for_reading(store_target) as store:
        took = store.get_run(successor).summary
    assert took is not None and any(getattr(w, "key", "") == "jobs.warning.took_over" for w in took.warnings)


def test_killed_ranks_on_several_nodes(tmp_path: Path, base_env: dict[str, str],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    store_target = str(tmp_path / "runs.db")
    nodes = [FakeNode(tmp_path / "a", "node-a"), FakeNode(tmp_path / "b", "node-b")]
    with ranks(tmp_path, store_target) as job:
        for n, node in enumerate(nodes):
            for local in range(2):
                job.start(node, base_env, **torchrun(2 * n + local, local, 4, 2, group=n))
        started = job.ready()
        _started(store_target, "train-1", 4)
        nodes[0].add_package_j(0, 8.0)
        nodes[1].add_package_j(0, 16.0)
        _flushed(store_target, "train-1", 24.0)
        b_holder = next(s for s in started[2:] if s["role"] == "node")
        a_other = next(s for s in started[:2] if s["role"] == "rank")
        job.kill(b_holder["pid"])  # node-b loses its reader
        job.kill(a_other["pid"])  # node-a loses a rank that read nothing of the node
        _took_over(store_target, "train-1", b_holder["run_id"], "node-b")
        nodes[0].add_package_j(1, 2.0)
        nodes[1].add_package_j(1, 4.0)
        _flushed(store_target, "train-1", 30.0)
        job.stop()
    data = _jobs_show(store_target, "train-1", capsys)
    per_node = {n["node"]: n for n in data["per_node"]}
    assert per_node["node-a"]["energy_kwh"] * J_PER_KWH == pytest.approx(10.0)
    assert per_node["node-b"]["energy_kwh"] * J_PER_KWH == pytest.approx(20.0)
    assert data["energy_kwh"] * J_PER_KWH == pytest.approx(30.0) and data["nodes"] == 2 and data["ranks"] == 4
    assert [r["role"] for r in per_node["node-b"]["runs"]].count("node") >= 2  # replaced
    assert {r["status"] for r in per_node["node-a"]["runs"] if r["run_id"] == a_other["run_id"]} == {"interrupted"}


# -- a node that cannot reach the store ---------------------------------------------------------------------


def test_a_node_that_cannot_reach_postgresql_completes_the_job_once_it_syncs(
        tmp_path: Path, base_env: dict[str, str], pg_url: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from urllib.parse import urlsplit

    from clusterkit import Proxy

    from aiceberg.cli import main
    from aiceberg.store import open_store
    from aiceberg.store.spool import spool_file

    server = urlsplit(pg_url)
    proxies = [Proxy((server.hostname or "127.0.0.1", server.port or 5432)) for _ in range(2)]
    urls = [pg_url.replace(f"{server.hostname}:{server.port}", f"127.0.0.1:{p.port}") for p in proxies]
    proxies[0].up()  # node-a reaches the server; node-b's way is down
    nodes = [FakeNode(tmp_path / "a", "node-a"), FakeNode(tmp_path / "b", "node-b")]
    data_dirs = [tmp_path / "a-data", tmp_path / "b-data"]  # each node its own disk, its own spool
    try:
        with ranks(tmp_path, "") as group:
            for n, node in enumerate(nodes):
                for local in range(2):
                    group.store = urls[n]
                    group.start(node, {**base_env, "XDG_DATA_HOME": str(data_dirs[n])},
                                **torchrun(2 * n + local, local, 4, 2, group=n))
            group.ready()
            _started(pg_url, "train-1", 2)
            spool = str(spool_file(urls[1], data_dirs[1] / "aiceberg" / "spool"))
            wait_for("node-b's runs in its spool", lambda: len(open_store(spool).list_runs()) == 2)
            nodes[0].add_package_j(0, 3.0)
            nodes[1].add_package_j(0, 7.0)
            _flushed(pg_url, "train-1", 3.0)
            wait_for("node-b's 7 J in its spool", lambda: abs(
                sum(r.energy_kwh or 0.0 for r in open_store(spool).list_runs()) * J_PER_KWH - 7.0) < 1e-6)
            group.stop_in_order()
        before = _jobs_show(pg_url, "train-1", capsys)
        assert before["nodes"] == 1 and before["ranks"] == 2 and not before["complete"]
        assert before["energy_kwh"] * J_PER_KWH == pytest.approx(3.0)
        assert any("2 of the 4 ranks" in n for n in before["notes"]) and any("1 of the 2 nodes" in n
                                                                              for n in before["notes"])
        proxies[1].up()  # the server is back for node-b: it sends its spool
        monkeypatch.setenv("XDG_DATA_HOME", str(data_dirs[1]))
        assert main(["runs", "sync", "--db", urls[1]]) == 0
        after = _jobs_show(pg_url, "train-1", capsys)
        assert after["complete"] and after["nodes"] == 2 and after["ranks"] == 4 and not after["notes"]
        assert after["energy_kwh"] * J_PER_KWH == pytest.approx(10.0)
    finally:
        for p in proxies:
            p.down()


def test_one_process_per_node_can_measure_the_node_for_all_its_ranks(
        tmp_path: Path, base_env: dict[str, str]) -> None:
    """A framework's callback that tracks in local rank 0 only (``job_scope="node"``): every GPU once."""
    store_target = str(tmp_path / "runs.db")
    node = FakeNode(tmp_path / "a", "node-a", gpus=3)
    with ranks(tmp_path, store_target) as job:
        job.start(node, base_env, **torchrun(0, 0, 3, 3), RANK_SCOPE="node")  # ranks 1 and 2 do not track
        job.ready()
        _started(store_target, "train-1", 1)
        node.add_package_j(0, 4.0)
        for g in range(3):
            node.add_gpu_j(g, 10.0)
        _flushed(store_target, "train-1", 34.0)
        job.stop()
    summary = _summary(store_target, "train-1")
    (part,) = summary.nodes
    assert sorted(part.gpus) == ["nvml:gpu-0", "nvml:gpu-1", "nvml:gpu-2"] and part.runs[0].role == "node"
    assert [n.key for n in summary.notes] == ["jobs.note.ranks_by_node"] and summary.complete  # said, not hidden
