"""The model card's co2_eq_emissions from every source; `aiceberg report --format …` and `aiceberg runs export
--format …` print each document, refuse bad input in one line with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from compliancekit import cyclonedx_validator, run_summary, spdx_validator
from test_sbom import SOURCES

from aiceberg.cli import main
from aiceberg.errors import InputError
from aiceberg.explain.compliance.model_card import co2_eq_emissions, model_card_yaml
from aiceberg.store import RunEnd, open_store

CARD_KEYS = {"emissions", "source", "training_type", "geographical_location", "hardware_used"}


@pytest.mark.parametrize("source", ["run", "job", "estimate", "case", "scenario"])
def test_model_card_has_every_field_from_every_source(source: str) -> None:
    inp = SOURCES[source]()
    data = yaml.safe_load(model_card_yaml(inp))["co2_eq_emissions"]
    assert set(data) == CARD_KEYS
    assert isinstance(data["emissions"], (int, float)) and data["emissions"] > 0
    assert data["emissions"] == pytest.approx(inp.operational_co2e_kg.central * 1000, rel=1e-5)  # grams
    assert data["training_type"] == "pre-training" and data["source"].startswith("aiceberg")
    assert data["hardware_used"] != "unknown"


def test_model_card_of_bloom_names_its_site_and_of_a_run_its_sensors() -> None:
    case = co2_eq_emissions(SOURCES["case"]())
    assert "Jean Zay" in case["geographical_location"] and "384 x NVIDIA A100" in case["hardware_used"]
    run = co2_eq_emissions(SOURCES["run"](), scope="total")
    assert "nvml measured" in run["source"] and run["geographical_location"] == "France"
    with pytest.raises(InputError):
        co2_eq_emissions(SOURCES["inference-estimate"]())  # the card's block is a training's


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_report_formats_from_a_case(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    code, out, _ = cli(capsys, "report", "--case", "bloom-training", "--format", "eu-ai-act")
    assert code == 0 and "| Amount of energy used for training | 430 MWh" in out
    code, out, _ = cli(capsys, "report", "--case", "bloom-training", "--format", "eu-ai-act", "--lang", "fr",
                       "--json", str(tmp_path / "f.json"), "--html", str(tmp_path / "f.html"))
    assert code == 0 and json.loads((tmp_path / "f.json").read_text("utf-8"))["language"] == "fr"
    assert 'lang="fr"' in (tmp_path / "f.html").read_text("utf-8")
    code, out, _ = cli(capsys, "report", "--case", "bloom-training", "--format", "cyclonedx")
    bom = json.loads(out)
    assert code == 0 and bom["metadata"]["timestamp"] == "2025-01-01T00:00:00Z"
    assert not list(cyclonedx_validator().iter_errors(bom))
    code, out, _ = cli(capsys, "report", "--scenario", "chatgpt-month", "--format", "spdx")
    assert code == 0 and not list(spdx_validator().iter_errors(json.loads(out)))
    code, out, _ = cli(capsys, "report", "--case", "gpt3-training", "--format", "model-card")
    assert code == 0 and out.startswith("co2_eq_emissions:\n")


def test_report_takes_the_computation_the_user_gives(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    est = tmp_path / "est.json"
    code, out, _ = cli(capsys, "estimate", "training", "--hardware", "a100", "--count", "8", "--hours", "24",
                       "--location", "FR", "--json")
    est.write_text(out, "utf-8")
    code, out, _ = cli(capsys, "report", "--estimate", str(est), "--format", "eu-ai-act", "--json", "-",
                       "--parameters", "7e9", "--training-tokens", "2e12")
    form = json.loads(out)
    assert code == 0 and form["fields"]["training_computation"]["flop"] == pytest.approx(6 * 7e9 * 2e12)
    assert form["fields"]["inference_computation"]["flop"] == pytest.approx(2 * 7e9 * 100_000)


@pytest.mark.parametrize("argv", [
    ["report", "--case", "bloom-training", "--format", "model-card", "--json", "x.json"],
    ["report", "--case", "bloom-training", "--format", "eu-ai-act", "--flops", "-3"],
    ["report", "--case", "bloom-training", "--format", "eu-ai-act", "--training-tokens", "1e12"],
    ["report", "--case", "bloom-training", "--scenario", "chatgpt-month", "--format", "spdx"],
    ["report", "--scenario", "chatgpt-month"],
    ["report", "--case", "bloom-inference", "--format", "model-card"],
])
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def _store_with_run(db: Path) -> str:
    from storekit_compliance import new_run

    summary = run_summary("feedface" * 4)
    store = open_store(db)
    store.create_run(new_run(summary.run_id), [])
    store.finish_run(summary.run_id, RunEnd.from_summary(summary))
    store.close()
    return summary.run_id


@pytest.mark.parametrize("fmt", ["eu-ai-act", "cyclonedx", "spdx", "model-card"])
def test_runs_export_prints_each_document(capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str) -> None:
    run_id = _store_with_run(tmp_path / "runs.db")
    code, out, err = cli(capsys, "runs", "export", run_id[:8], "--db", str(tmp_path / "runs.db"), "--format", fmt)
    assert code == 0, err
    doc: Any = yaml.safe_load(out) if fmt == "model-card" else json.loads(out)
    if fmt == "eu-ai-act":
        assert doc["fields"]["training_energy"]["obtained"] == "measured" and doc["subject"]["kind"] == "run"
    elif fmt == "cyclonedx":
        assert not list(cyclonedx_validator().iter_errors(doc))
    elif fmt == "spdx":
        assert not list(spdx_validator().iter_errors(doc))
    else:
        assert set(doc["co2_eq_emissions"]) == CARD_KEYS
