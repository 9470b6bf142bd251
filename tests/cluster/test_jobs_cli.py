"""``aiceberg jobs list|show``, ``aiceberg report --job`` and ``aiceberg.get_job``: the job's total counted
once, its per-node breakdown, and bad input refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clusterkit import J_PER_KWH, UJ
from tests.fakes.powercap import server

import aiceberg
from aiceberg.cli import main
from aiceberg.config import Settings
from aiceberg.measure.launcher import JobContext
from aiceberg.store import open_store
from aiceberg.tracking import Run


def _job(tmp_path: Path, job: str = "4242", nodes: int = 2, per_node: int = 2) -> str:
    """A finished Slurm-like job of ``nodes`` × ``per_node`` ranks (trackers in this process), each node
    drawing 10 J × its index + 1; returns the store's path."""
    db = tmp_path / "runs.db"
    store = open_store(db)
    runs = []
    for n in range(nodes):
        pc = server(tmp_path / f"pc{n}", sockets=1)
        settings = Settings(powercap_root=str(pc.root), interval_s=0.05, flush_every_s=0.1, gpus="none")
        for local in range(per_node):
            ctx = JobContext(job, n * per_node + local, f"node-{n}", launcher="slurm", step="0", local_rank=local,
                             local_world_size=per_node, world_size=nodes * per_node, nodes=nodes)
            run = Run(store=store, settings=settings, location="FR", job=ctx, attach_pid=False, handle_signals=False)
            runs.append((run.start(), pc))
    for n in range(nodes):
        runs[n * per_node][1].advance("intel-rapl:0", (n + 1) * 10 * UJ)
    for run, _ in sorted(runs, key=lambda r: r[0].role == "node"):  # the node's readers last: no handover
        run.stop()
    store.close()
    return str(db)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_jobs_show_json_is_the_total_counted_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _job(tmp_path)
    code, out, _ = _cli(capsys, "jobs", "show", "4242", "--db", db, "--json")
    data = json.loads(out)
    assert code == 0
    for key in ("job_id", "energy_kwh", "co2e_kg", "co2e_kg_low", "co2e_kg_high", "nodes", "ranks", "per_node"):
        assert key in data
    assert data["energy_kwh"] * J_PER_KWH == pytest.approx(30.0)  # 10 + 20 J, not four ranks × the node
    assert data["co2e_kg_low"] < data["co2e_kg"] < data["co2e_kg_high"]
    assert (data["nodes"], data["ranks"], data["runs"], data["steps"], data["launcher"]) == (2, 4, 4, ["0"], "slurm")
    assert [(n["node"], round(n["energy_kwh"] * J_PER_KWH, 6), n["ranks"]) for n in data["per_node"]] == [
        ("node-0", 10.0, [0, 1]), ("node-1", 20.0, [2, 3])]
    assert data["complete"] and data["notes"] == []
    assert data["footprint"]["co2e_kg"] == pytest.approx(data["co2e_kg"])
    job = aiceberg.get_job("4242", store=db)  # the same through the Python API
    assert job.to_dict()["energy_kwh"] == data["energy_kwh"] and len(job.nodes) == 2


def test_jobs_list_and_show_for_people_in_both_languages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _job(tmp_path, nodes=1)
    code, out, _ = _cli(capsys, "jobs", "list", "--db", db)
    assert code == 0 and out.splitlines()[1].split()[:2] == ["4242", "slurm"]
    code, out, _ = _cli(capsys, "jobs", "list", "--db", db, "--json")
    (row,) = json.loads(out)
    assert (row["job_id"], row["nodes"], row["ranks"], row["running"]) == ("4242", 1, 2, 0)
    assert row["energy_kwh"] * J_PER_KWH == pytest.approx(10.0)
    code, out, _ = _cli(capsys, "jobs", "show", "4242", "--db", db)
    assert code == 0 and "2 rank(s) on 1 node(s)" in out and "10 J" not in out and "2.78 mWh" in out
    code, out, _ = _cli(capsys, "jobs", "show", "4242", "--db", db, "--lang", "fr")
    assert code == 0 and "2 rang(s) sur 1 nœud(s)" in out and "2,78 mWh" in out


def test_bad_input_is_one_line_and_exit_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _job(tmp_path, nodes=1)
    code, _, err = _cli(capsys, "jobs", "show", "4243", "--db", db)
    assert code == 2 and "no run of job 4243" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    code, _, err = _cli(capsys, "jobs", "list", "--db", db, "--limit", "0")
    assert code == 2 and "--limit" in err
    code, _, err = _cli(capsys, "jobs", "show", "4242", "--db", db, "--lang", "de")
    assert code == 2 and "--lang" in err
    code, _, err = _cli(capsys, "report", "--job", "4242", "--case", "bloom-training", "--db", db)
    assert code == 2 and "--job JOB" in err
    code, _, err = _cli(capsys, "run", "--job-id", "two\nlines", "--no-store", "--", "true")
    assert code == 2 and "--job-id" in err


def test_report_of_a_job_is_its_total(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _job(tmp_path)
    out = tmp_path / "job.json"
    code, _, _ = _cli(capsys, "report", "--job", "4242", "--db", db, "--json", str(out), "--markdown",
                      str(tmp_path / "job.md"))
    report = json.loads(out.read_text())
    assert code == 0
    shown = json.loads(_cli(capsys, "jobs", "show", "4242", "--db", db, "--json")[1])
    assert report["co2e_kg"] == pytest.approx(shown["co2e_kg"]) and report["run"]["run_id"] == "4242"
    text = (tmp_path / "job.md").read_text()
    assert "Job 4242: 4 rank(s) on 2 node(s)" in text and "Node node-1" in text


def test_a_rank_that_reads_nothing_says_where_its_energy_is(tmp_path: Path) -> None:
    db = _job(tmp_path, nodes=1)
    with open_store(db) as store:
        runs = store.job_runs("4242")
    rank = next(r for r in runs if r.role == "rank")
    keys = [getattr(w, "key", "") for w in rank.summary.warnings]  # type: ignore[union-attr]
    assert "jobs.warning.rank_reads_nothing" in keys and "measure.warning.no_energy" not in keys
    assert rank.summary is not None and rank.summary.job is not None and rank.summary.job.role == "rank"


def test_jobs_export_gives_the_documents_of_the_total_counted_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _job(tmp_path)
    shown = json.loads(_cli(capsys, "jobs", "show", "4242", "--db", db, "--json")[1])
    code, out, _ = _cli(capsys, "jobs", "export", "4242", "--db", db)
    assert code == 0 and json.loads(out)["energy_kwh"] == shown["energy_kwh"]
    code, out, _ = _cli(capsys, "jobs", "export", "4242", "--db", db, "--format", "cyclonedx")
    bom = json.loads(out)
    (cost,) = [e["activityEnergyCost"] for c in bom["components"]
               for e in c["modelCard"]["considerations"]["environmentalConsiderations"]["energyConsumptions"]]
    assert code == 0 and cost["unit"] == "kWh" and cost["value"] == pytest.approx(shown["energy_kwh"], rel=1e-3)
    code, out, _ = _cli(capsys, "report", "--job", "4242", "--db", db, "--format", "eu-ai-act", "--json", "-")
    assert code == 0 and "4242" in out
