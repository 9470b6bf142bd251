"""The typed run summary reads what 0.1.0 stored (version 1) and writes version 2 losslessly."""

from __future__ import annotations

import pytest

from aiceberg.i18n import Msg
from aiceberg.model.quantity import Q
from aiceberg.model.run_summary import SUMMARY_VERSION, PhaseSummary, Prediction, RunSummary

V1 = {  # the shape aiceberg 0.1.0 stored (abridged from a real `aiceberg run --output-json`)
    "run_id": "4b1f0c", "name": None, "project": "default", "status": "finished", "end_reason": "exit code 0",
    "command": "sleep 1", "started_at": "2026-11-30T10:00:00.000Z", "ended_at": "2026-11-30T10:00:01.200Z",
    "duration_s": 1.2, "exit_code": 0, "energy_kwh": 1.4e-07, "co2e_kg": 7.4e-06, "co2e_kg_low": 3.6e-06,
    "co2e_kg_high": 3.2e-05, "location": "FR", "pue": None, "interval_s": 1.0, "samples": 3,
    "domains_kwh": {"cpu": 1.4e-07},
    "sensors": [{"name": "cpu-model", "status": "modelled", "energy_kwh": 1.4e-07, "reason": "no RAPL",
                 "channels": [{"id": "model:cpu", "domain": "cpu", "label": "CPU", "energy_kwh": 1.4e-07,
                               "counted": True, "reads": 3, "gaps": 0, "last_error": None}]}],
    "attribution": None, "idle": None,
    "phases": [{"name": "epoch 0", "start_s": 0.0, "end_s": 0.5, "duration_s": 0.5, "energy_kwh": 6e-08}],
    "prediction": {"completed": 1, "total": 2, "energy_kwh": 1.2e-07, "energy_kwh_low": 1e-07,
                   "energy_kwh_high": 1.5e-07, "duration_s": 1.0, "duration_s_low": 0.9, "duration_s_high": 1.1,
                   "co2e_kg": None, "co2e_kg_low": None, "co2e_kg_high": None},
    "host": {"hostname": "h", "cpu_model": "AMD EPYC"}, "warnings": ["a warning"], "footprint": None,
}


def test_a_version_1_summary_reads_into_typed_fields() -> None:
    s = RunSummary.from_dict(V1)
    assert s.co2e_kg == Q(7.4e-06, 3.6e-06, 3.2e-05)
    assert s.phases == (PhaseSummary("epoch 0", 0.0, 0.5, 6e-08),)
    assert s.phases[0].duration_s == 0.5
    assert s.prediction == Prediction(1, 2, Q(1.2e-07, 1e-07, 1.5e-07), Q(1.0, 0.9, 1.1), None)
    assert s.sensors[0].channels[0].counted is True


def test_writing_then_reading_gives_the_same_record_and_keeps_the_v1_keys() -> None:
    s = RunSummary.from_dict(V1)
    d = s.to_dict()
    assert d["version"] == SUMMARY_VERSION
    assert set(V1) <= set(d)
    assert RunSummary.from_dict(d) == s


def test_catalog_warnings_survive_the_round_trip() -> None:
    msg = Msg("input.unknown_language", value="de")
    s = RunSummary.from_dict({**V1, "warnings": ["plain", msg.to_dict()]})
    assert s.warnings == ("plain", msg)
    assert RunSummary.from_dict(s.to_dict()).warnings == ("plain", msg)


def test_a_summary_newer_than_the_code_is_refused() -> None:
    with pytest.raises(ValueError, match="newer"):
        RunSummary.from_dict({**V1, "version": SUMMARY_VERSION + 1})
