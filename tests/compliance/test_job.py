"""A job's documents come from its total, counted once (``aiceberg.get_job``), never from its runs added up:
``job_compliance`` takes the job's summary and refuses the ranks' ones; ``aiceberg jobs export JOB --format …``
and ``aiceberg report --job JOB --format eu-ai-act`` end to end, the SBOMs validated by their official schemas.

The job is a store's (``compliancekit.measured_job``): 2 nodes × 2 ranks, one GPU per rank, each node's
sensors read by one elected rank; the expected energy is what the fake counters moved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from compliancekit import (
    JOB_ID,
    JOB_NODES,
    JOB_PACKAGE_J,
    JOB_RANKS_PER_NODE,
    cyclonedx_validator,
    job_gpu_j,
    measured_job,
    run_summary,
    spdx_validator,
)

import aiceberg
from aiceberg.cli import main
from aiceberg.errors import InputError
from aiceberg.explain.compliance import eu_form, job_compliance
from aiceberg.store import open_store

J_PER_KWH = 3.6e6
#: the nodes' packages once each, and each GPU once: not once per rank
EXPECTED_J = JOB_NODES * JOB_PACKAGE_J + sum(job_gpu_j(n, g) for n in range(JOB_NODES)
                                             for g in range(JOB_RANKS_PER_NODE))


@pytest.fixture(scope="module")
def job_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return measured_job(tmp_path_factory.mktemp("job"))


def _manufacturing(fp: Any) -> float:
    return sum(p.co2e_kg.central for p in fp.parts if str(p.phase) == "manufacturing")


def test_the_documents_of_a_job_are_its_total_counted_once(job_db: str) -> None:
    job = aiceberg.get_job(JOB_ID, store=job_db)
    assert job.ranks == JOB_NODES * JOB_RANKS_PER_NODE and len(job.nodes) == JOB_NODES
    for given in (job, job.as_run_summary()):  # either form of the job's summary
        inp = job_compliance(given)
        assert (inp.kind, inp.name, inp.extra["nodes"]) == ("job", JOB_ID, str(JOB_NODES))
        assert inp.energy is not None and inp.energy.obtained == "measured" and inp.energy.boundary == "node"
        assert inp.energy.kwh.central * J_PER_KWH == pytest.approx(EXPECTED_J, rel=1e-9)
        assert inp.co2e_kg == job.co2e_kg  # the job's footprint: each node's machine once
        (training,) = inp.activities
        assert training.embodied_co2e_kg is not None and job.footprint is not None
        assert training.embodied_co2e_kg.central == pytest.approx(_manufacturing(job.footprint), rel=1e-12)
        assert inp.time is not None and inp.time.device_hours.central == pytest.approx(
            inp.time.wall_hours.central * JOB_NODES * JOB_RANKS_PER_NODE)  # every node's GPUs
        assert inp.left_out == ()  # a complete job: nothing it leaves out
    form = eu_form(job_compliance(job), "en")
    assert form["subject"]["kind"] == "job" and form["fields"]["training_energy"]["obtained"] == "measured"
    assert form["fields"]["training_energy"]["mwh"] == pytest.approx(EXPECTED_J / J_PER_KWH / 1000)


def test_the_runs_of_a_job_are_refused_naming_why(job_db: str) -> None:
    with open_store(job_db) as store:
        ranks = [r.summary for r in store.job_runs(JOB_ID)]
    assert len(ranks) == JOB_NODES * JOB_RANKS_PER_NODE
    for wrong in (ranks, ranks[1]):  # the runs added up, or one rank's run
        with pytest.raises(InputError) as info:
            job_compliance(wrong)
        assert info.value.field == "job" and "aiceberg.get_job" in str(info.value.accepted_msg)
    assert "once per rank" in str(info.value) and JOB_ID in str(info.value)
    with pytest.raises(InputError, match="belongs to no job"):
        job_compliance(run_summary())


def test_a_run_of_a_job_says_it_is_not_the_job(job_db: str) -> None:
    """``runs export`` of one rank's run: the card's source and the form say the job's other runs are not in it."""
    from aiceberg.explain.compliance import run_compliance
    from aiceberg.explain.compliance.model_card import co2_eq_emissions

    with open_store(job_db) as store:
        node_run = next(r.summary for r in store.job_runs(JOB_ID) if r.role == "node")
    inp = run_compliance(node_run)
    assert co2_eq_emissions(inp)["source"].endswith(f"node node-0 of job {JOB_ID} only)")
    assert [m.key for m in inp.left_out] == ["compliance.note.run_of_job"]  # type: ignore[union-attr]
    assert f"aiceberg jobs export {JOB_ID}" in eu_form(inp, "en")["left_out"][0]


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out


def test_jobs_export_and_report_give_every_document_of_the_job(
        job_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    kwh = EXPECTED_J / J_PER_KWH
    code, out = _cli(capsys, "jobs", "export", JOB_ID, "--db", job_db, "--format", "cyclonedx")
    bom = json.loads(out)
    assert code == 0 and [e.message for e in cyclonedx_validator().iter_errors(bom)] == []
    (cost,) = [e["activityEnergyCost"] for c in bom["components"]
               for e in c["modelCard"]["considerations"]["environmentalConsiderations"]["energyConsumptions"]]
    assert cost["unit"] == "kWh" and cost["value"] == pytest.approx(kwh, rel=1e-3)

    code, out = _cli(capsys, "jobs", "export", JOB_ID, "--db", job_db, "--format", "spdx")
    doc = json.loads(out)
    assert code == 0 and [e.message[:200] for e in spdx_validator().iter_errors(doc)] == []
    pkg = next(x for x in doc["@graph"] if x["type"] == "ai_AIPackage")
    (training,) = pkg["ai_energyConsumption"]["ai_trainingEnergyConsumption"]
    assert float(training["ai_energyQuantity"]) == pytest.approx(kwh, rel=1e-3)

    code, out = _cli(capsys, "jobs", "export", JOB_ID, "--db", job_db, "--format", "model-card")
    card = yaml.safe_load(out)["co2_eq_emissions"]
    job = aiceberg.get_job(JOB_ID, store=job_db)
    assert code == 0 and card["source"].endswith(f"; job {JOB_ID})") and "4 x NVIDIA A100" in card["hardware_used"]
    assert card["emissions"] == pytest.approx(job_compliance(job).operational_co2e_kg.central * 1000, rel=1e-5)

    code, out = _cli(capsys, "jobs", "export", JOB_ID, "--db", job_db, "--format", "eu-ai-act")
    exported = json.loads(out)
    assert code == 0 and exported["subject"] == {"kind": "job", "name": JOB_ID, "title": JOB_ID,
                                                 "activity": "training"}
    assert exported["fields"]["training_energy"]["mwh"] == pytest.approx(kwh / 1000)
    code, out = _cli(capsys, "report", "--job", JOB_ID, "--db", job_db, "--format", "eu-ai-act", "--json", "-")
    assert code == 0 and json.loads(out)["fields"] == exported["fields"]
    code, out = _cli(capsys, "report", "--job", JOB_ID, "--db", job_db, "--format", "eu-ai-act", "--lang", "fr",
                     "--markdown", str(tmp_path / "job.md"))
    assert code == 0 and JOB_ID in (tmp_path / "job.md").read_text("utf-8")
