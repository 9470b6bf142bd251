"""Validation: every problem of a scenario at once, each naming its field path, through the catalog."""

from __future__ import annotations

import pytest

from aiceberg.scenario import ScenarioError, loads

BAD = """
[scenario]
period_days = 30
unit = "per-user-yaer"
sources = ["no-such-source"]

[training]
hardware = "h1OO"
hours = "20:10:30"
count = -3

[deployment]
requests_per_day = "lots"
growth_per_year = {dist = "normal", low = 0, central = 0.1, high = 0.2}
utilisation = {dist = "lognormal", central = 0.5}

[inference]
task = "chat"
wh_per_request = 3

[networks]
gb_per_request = 0.001

[devices]
device = "smartphone"
seconds_per_reqest = 30
"""


def _problems(text: str) -> dict[str, str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, "bad.toml")
    return {p.field: p.render("en") for p in info.value.problems}


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    got = _problems(BAD)
    expected = {"scenario.unit", "training.hours", "training.count", "deployment.requests_per_day",
                "deployment.growth_per_year.dist", "deployment.utilisation", "inference.task", "networks",
                "devices.seconds_per_reqest", "devices.seconds_per_request"}
    assert expected <= set(got), sorted(got)
    assert "per-request" in got["scenario.unit"] and "per-user-year" in got["scenario.unit"]
    assert "networks" in got and "'network'" in got["networks"]  # the closest section
    assert "'seconds_per_request'" in got["devices.seconds_per_reqest"]
    assert "not ordered" in got["training.hours"]


def test_lookups_are_checked_too_once_the_file_reads_well() -> None:
    got = _problems("""
[scenario]
period_days = 30
sources = ["no-such-source"]
[training]
hardware = "h1OO"
hours = 10
location = "Grmany"
""")
    assert "'nvidia-h100" in got["training.hardware"]  # look-alike digits: h1OO → h100
    assert "'DE' (Germany)" in got["training.location"]
    assert "no-such-source" in got["scenario.sources"]


def test_a_range_a_table_and_a_lognormal_are_read_as_distributions() -> None:
    sc = loads("""
[scenario]
period_days = "28:30:31"
model_life_years = {dist = "uniform", low = 1, high = 3}
intensity_g_per_kwh = {dist = "lognormal", central = 400, ratio = 2}
""")
    ins = sc.compiled.inputs
    assert ins["scenario.period_days"].dist.kind == "triangular"
    assert (ins["scenario.model_life_years"].dist.kind, ins["scenario.model_life_years"].dist.central) == ("uniform", 2)
    assert "scenario.intensity_g_per_kwh" not in ins  # no phase reads the scenario's grid
    sc = loads("""
[scenario]
period_days = 30
unit = "whole-life"
intensity_g_per_kwh = {dist = "lognormal", central = 400, ratio = 2}
[training]
hardware = "a100"
gpu_hours = 100
""")
    d = sc.compiled.inputs["scenario.intensity_g_per_kwh"].dist
    assert (d.kind, d.low, d.high) == ("lognormal", 200, 800)


def test_french_messages_and_exit_code_two_from_the_command_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from aiceberg.cli import main

    f = tmp_path / "bad.toml"
    f.write_text(BAD, "utf-8")
    assert main(["scenario", "run", str(f), "--lang", "fr"]) == 2
    err = capsys.readouterr().err
    assert "erreur" in err and "problème(s)" in err
    lines = [ln for ln in err.splitlines() if ln.startswith("  ")]
    assert len(lines) >= 10
    assert any(ln.strip().startswith("deployment.requests_per_day\u202f:") for ln in lines)
    assert "Traceback" not in err


def test_a_file_that_is_not_toml_is_one_problem() -> None:
    got = _problems("[scenario\nperiod_days = 3")
    assert list(got) == ["bad.toml"] and "TOML" in got["bad.toml"]


def test_a_phase_without_its_needs_is_named() -> None:
    got = _problems("""
[scenario]
period_days = 30
unit = "whole-life"
[inference]
wh_per_request = 1
[development]
trainings = 3
""")
    assert {"inference", "development", "development.fraction"} <= set(got)


def test_a_refused_number_the_llm_model_needs_is_one_problem_not_a_crash() -> None:
    got = _problems("""
[scenario]
period_days = 30
[deployment]
requests_per_day = 100
[inference]
parameters_b = 70
output_tokens = -5
""")
    assert list(got) == ["inference.output_tokens"]
