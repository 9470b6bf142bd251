"""Exports: CodeCarbon emissions.csv columns and units, the Hugging Face model card block."""

from __future__ import annotations

import ast
import csv
import dataclasses
import io
import os
import zipfile
from pathlib import Path

import pytest

from aiceberg.errors import InputError
from aiceberg.explain.exports import (
    CODECARBON_COLUMNS,
    codecarbon_csv,
    codecarbon_row,
    model_card_yaml,
    operational_co2e_kg,
)
from aiceberg.model.run_summary import RunSummary

SUMMARY = {
    "run_id": "0123456789abcdef0123456789abcdef",
    "name": "exp",
    "project": "proj",
    "started_at": "2025-01-01T00:00:00.000Z",
    "ended_at": "2025-01-01T01:00:00.000Z",
    "duration_s": 3600.0,
    "energy_kwh": 0.5,
    "domains_kwh": {"cpu": 0.1, "gpu": 0.35, "dram": 0.05},
    "co2e_kg": 0.1,
    "location": None,
    "pue": None,
    "host": {"os": "Linux", "python_version": "3.11.7", "cpu_model": "AMD EPYC 7763", "cpu_count": 64,
             "ram_total_gb": 256.0, "gpu_count": 2, "gpu_models": ["NVIDIA A100", "NVIDIA A100"]},
    "sensors": [{"name": "rapl", "status": "measured"}, {"name": "nvml", "status": "measured"}],
    "footprint": {
        "parts": [
            {"name": "gpu.dynamic", "co2e_kg": 0.05, "phase": "use"},
            {"name": "cooling_overhead", "co2e_kg": 0.01, "phase": "use"},
            {"name": "embodied.gpu", "co2e_kg": 0.04, "phase": "manufacturing"},
        ],
        "factors": [{"id": "pue:default", "value": 1.2}],
    },
}


# read at collection: the store tests' fixtures clear every AICEBERG_* variable before each test
PEER_WHEELS = os.environ.get("AICEBERG_WHEELS")


def _codecarbon_columns() -> tuple[str, ...] | None:
    """CodeCarbon's ``EmissionsData`` fields: from the package when installed, else read from its 3.3.2 wheel
    (scripts/test downloads it into ``AICEBERG_WHEELS``; CodeCarbon itself pulls pandas, too heavy for [test])."""
    try:
        from codecarbon.output_methods.emissions_data import EmissionsData
    except ImportError:
        pass
    else:
        return tuple(f.name for f in dataclasses.fields(EmissionsData))
    wheels = sorted(Path(PEER_WHEELS or "/nonexistent").glob("codecarbon-3.3.2-*.whl"))
    if not wheels:
        return None
    with zipfile.ZipFile(wheels[0]) as whl:
        tree = ast.parse(whl.read("codecarbon/output_methods/emissions_data.py"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "EmissionsData")
    return tuple(n.target.id for n in cls.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name))


def test_columns_match_codecarbon() -> None:
    columns = _codecarbon_columns()
    if columns is None:
        pytest.skip("neither codecarbon nor its 3.3.2 wheel in AICEBERG_WHEELS (scripts/test downloads it)")
    assert columns == CODECARBON_COLUMNS


@pytest.mark.parametrize("summary", [RunSummary.from_dict(SUMMARY), SUMMARY], ids=["typed", "json"])
def test_codecarbon_row_units(summary: object) -> None:
    row = codecarbon_row(summary)  # type: ignore[arg-type]
    assert tuple(row) == CODECARBON_COLUMNS
    assert row["run_id"] == "01234567-89ab-cdef-0123-456789abcdef"
    assert row["duration"] == 3600.0
    # as CodeCarbon: energies in kWh with the PUE, powers in W, emissions (kg) of the use phase
    assert row["gpu_energy"] == pytest.approx(0.35 * 1.2)
    assert row["energy_consumed"] == pytest.approx(0.5 * 1.2)
    assert row["gpu_power"] == pytest.approx(0.35 * 1.2 * 1000)
    assert row["emissions"] == pytest.approx(0.06)
    assert row["emissions_rate"] == pytest.approx(0.06 / 3600)
    assert row["gpu_model"] == "2 x NVIDIA A100" and row["pue"] == 1.2
    assert row["tracking_mode"] == "machine" and row["on_cloud"] == "N"
    assert row["cpu_utilization_percent"] == ""  # unknown: empty, never 0
    rows = list(csv.DictReader(io.StringIO(codecarbon_csv([summary, summary]))))  # type: ignore[list-item]
    assert len(rows) == 2 and float(rows[0]["emissions"]) == pytest.approx(0.06)


def test_model_card_block() -> None:
    text = model_card_yaml(RunSummary.from_dict(SUMMARY), training_type="fine-tuning")
    lines = text.splitlines()
    assert lines[0] == "co2_eq_emissions:"
    assert "  emissions: 60" in lines
    assert '  training_type: "fine-tuning"' in lines
    assert any(line.startswith("  hardware_used: \"2 x NVIDIA A100, AMD EPYC 7763\"") for line in lines)
    assert any(line.startswith("  geographical_location:") for line in lines)
    assert "rapl measured, nvml measured" in text  # each sensor with how it obtained its energy
    total = model_card_yaml(SUMMARY, scope="total")
    assert "  emissions: 100" in total.splitlines()
    assert operational_co2e_kg(SUMMARY) == pytest.approx(0.06)
    with pytest.raises(InputError):
        model_card_yaml({**SUMMARY, "footprint": None, "co2e_kg": None})
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        return
    data = yaml.safe_load(text)["co2_eq_emissions"]
    assert data["emissions"] == 60 and data["training_type"] == "fine-tuning"
