"""The typed run summary reads what 0.1.0 stored (version 1) and version 2, and writes version 3 losslessly."""

from __future__ import annotations

import json

import pytest

from aiceberg.i18n import Amount, Localised, Msg, localise
from aiceberg.model.quantity import Q
from aiceberg.model.run_summary import SUMMARY_VERSION, PhaseSummary, Prediction, RunSummary
from aiceberg.model.training import estimate_training

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


def _through_json(s: RunSummary) -> RunSummary:
    return RunSummary.from_dict(json.loads(json.dumps(s.to_dict())))


def test_a_stored_summary_renders_in_french_with_names_amounts_and_messages_as_parameters() -> None:
    # version 2 stored these parameters as their English text: "the class default 'an unknown CPU (class default)'"
    reason = Msg("measure.list",
                 first=Msg("measure.discovery.cpu_modelled", cpu=Msg("measure.cpu.class_default"),
                           tdp=Amount(100.0, "W"), idle=Amount(Q(30.0, 20.0, 40.0), "W", with_range=True),
                           sockets=2),
                 rest=Msg("measure.discovery.vm_share", vcpus=4, threads=128, share=Amount(3.125, "%")))
    warning = Msg("warning.machine_unknown", machine=Localised(en="Generic server", fr="Serveur générique"))
    s = RunSummary.from_dict({**V1, "sensors": [{"name": "cpu-model", "status": "modelled", "energy_kwh": 1e-07,
                                                 "reason": reason.to_dict()}], "warnings": [warning.to_dict()]})
    back = _through_json(s)
    assert back.sensors[0].reason == reason and back.warnings == (warning,)
    fr = back.sensors[0].reason.render("fr")
    assert fr == reason.render("fr")
    assert "un processeur inconnu" in fr and "30 W (20 – 40 W)" in fr and "machine virtuelle" in fr
    assert "Serveur générique" in back.warnings[0].render("fr")


def test_a_stored_footprint_keeps_its_details_factor_names_and_warnings_as_messages() -> None:
    fp = estimate_training("a100", count=8, hours=24, location="FR")
    s = RunSummary.from_dict({**V1, "footprint": None})
    back = _through_json(RunSummary(**{**s.__dict__, "footprint": fp}))
    assert back.footprint is not None
    for lang in ("en", "fr"):
        assert [localise(p.detail, lang) for p in back.footprint.parts] == [localise(p.detail, lang) for p in fp.parts]
        assert [localise(f.name, lang) for f in back.footprint.factors] == [localise(f.name, lang) for f in fp.factors]
        assert localise(back.footprint.title, lang) == localise(fp.title, lang)
    assert "puissance moyenne" in localise(back.footprint.parts[0].detail, "fr")


def test_a_version_2_summary_with_parameters_as_text_still_reads() -> None:
    v2 = {**V1, "version": 2, "sensors": [{"name": "cpu-model", "status": "modelled", "energy_kwh": 1e-07,
                                           "reason": {"code": "measure.sensor.modelled.why",
                                                      "params": {"reason": "no readable RAPL counter"}}}],
          "footprint": {"title": "Measured run", "parts": [{"name": "cpu", "energy_kwh": 1e-07, "co2e_kg": 5e-08,
                                                            "status": "modelled", "detail": "0.1 mWh modelled"}]}}
    s = RunSummary.from_dict(v2)
    assert s.sensors[0].reason.render("fr") == "no readable RAPL counter (modélisé)"
    assert s.footprint is not None and s.footprint.parts[0].detail == "0.1 mWh modelled"
