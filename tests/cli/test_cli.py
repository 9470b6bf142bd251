"""The command line is a contract: JSON keys, exit codes, one-line errors, help with examples."""

import json
import os
import subprocess
import sys

import pytest

from aiceberg.cli import main
from aiceberg.errors import InputError

JSON_PART_KEYS = {"name", "energy_kwh", "co2e_kg", "co2e_kg_low", "co2e_kg_high", "status", "sources"}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_estimate_training_json_contract(capsys):
    code, out, _ = run(capsys, "estimate", "training", "--hardware", "a100", "--count", "8", "--hours", "24",
                       "--location", "FR", "--json")
    assert code == 0
    d = json.loads(out)
    for k in ("energy_kwh", "co2e_kg", "co2e_kg_low", "co2e_kg_high", "parts", "equivalents"):
        assert k in d
    assert d["co2e_kg_low"] <= d["co2e_kg"] <= d["co2e_kg_high"]
    for p in d["parts"]:
        assert set(p) >= JSON_PART_KEYS
    for k in ("paris_new_york_round_trips", "person_years_electricity", "forest_m2"):
        assert {"value", "unit", "label"} <= set(d["equivalents"][k])
    assert d["equivalents"]["paris_new_york_round_trips"]["value"] == pytest.approx(d["co2e_kg"] / 399)


def test_power_w_gives_exact_electricity(capsys):
    code, out, _ = run(capsys, "estimate", "training", "--hardware", "h100", "--count", "2", "--hours", "10",
                       "--power-w", "500", "--pue", "1.5", "--intensity", "100", "--no-embodied", "--json")
    d = json.loads(out)
    assert code == 0
    assert d["energy_kwh"] == pytest.approx(2 * 10 * 0.5 * 1.5)
    assert not [p for p in d["parts"] if p["name"].startswith("embodied")]


def test_gpu_hours_is_the_total(capsys):
    _, a, _ = run(capsys, "estimate", "training", "--hardware", "a100", "--count", "4", "--hours", "10",
                  "--intensity", "50", "--json")
    _, b, _ = run(capsys, "estimate", "training", "--hardware", "a100", "--count", "4", "--gpu-hours", "40",
                  "--intensity", "50", "--json")
    assert json.loads(a)["co2e_kg"] == pytest.approx(json.loads(b)["co2e_kg"])


def test_french_labels_and_number_format(capsys):
    code, out, _ = run(capsys, "estimate", "training", "--hardware", "a100", "--count", "8", "--hours", "24",
                       "--location", "FR", "--lang", "fr")
    assert code == 0
    assert "Électricité des GPU" in out and "Équivalences" in out
    assert "\u202f" in out or "," in out  # French separators
    assert "76,8 kWh" in out


def test_inference_and_usage(capsys):
    code, out, _ = run(capsys, "estimate", "usage", "--users", "100e6", "--requests-per-day", "10", "--days", "30",
                       "--wh-per-request", "3.7522", "--intensity", "394", "--pue", "1", "--no-embodied", "--json")
    assert code == 0
    assert json.loads(out)["co2e_kg"] == pytest.approx(44.35e6, rel=0.01)
    code, out, _ = run(capsys, "estimate", "inference", "--parameters-b", "70", "--output-tokens", "400",
                       "--location", "US", "--json")
    assert code == 0 and json.loads(out)["parts"][0]["name"] == "gpu.dynamic"


def test_case_list_and_show_json(capsys):
    code, out, _ = run(capsys, "case", "list", "--json")
    cases = json.loads(out)
    assert code == 0 and {"name", "title"} <= set(cases[0])
    assert {"bloom-training", "bloom-inference", "chatgpt-usage", "gpt3-training", "stable-diffusion-v1"} <= {
        c["name"] for c in cases}
    code, out, _ = run(capsys, "case", "show", "bloom-training", "--json")
    d = json.loads(out)
    assert d["published"]["co2e_kg"] == 50500
    assert abs(d["deviation_pct"]["co2e_kg"]) < 2
    assert "complete" in d and d["complete"]["co2e_kg"] > d["co2e_kg"]


def test_equivalents_command(capsys):
    code, out, _ = run(capsys, "equivalents", "--co2e-kg", "399", "--energy-kwh", "6940", "--json")
    d = json.loads(out)["equivalents"]
    assert code == 0
    assert d["paris_new_york_round_trips"]["value"] == pytest.approx(1.0)
    assert d["person_years_electricity"]["value"] == pytest.approx(1.0)


def test_data_search(capsys):
    code, out, _ = run(capsys, "data", "hardware", "h100", "--json")
    rows = json.loads(out)
    ids = {r["id"] for r in rows}
    assert code == 0
    assert {"nvidia-h100-sxm5-80gb", "nvidia-h100-pcie-80gb", "nvidia-h100-nvl-94gb"} <= ids
    assert "nvidia-a100-sxm4-80gb" not in ids


@pytest.mark.parametrize(("argv", "field"), [
    (["estimate", "training", "--hardware", "a100", "--hours", "-3", "--location", "FR"], "--hours"),
    (["estimate", "training", "--hardware", "a100", "--hours", "nan", "--location", "FR"], "--hours"),
    (["estimate", "training", "--hardware", "a100", "--hours", "0", "--location", "FR"], "--hours"),
    (["estimate", "training", "--hardware", "a100", "--count", "2.5", "--hours", "1"], "--count"),
    (["estimate", "training", "--hardware", "a1000", "--hours", "1"], "hardware"),
    (["estimate", "training", "--hardware", "a100", "--hours", "1", "--location", "Frnace"], "location"),
    (["estimate", "training", "--hardware", "a100", "--hours", "1", "--gpu-hours", "3"], "hours"),
    (["estimate", "training", "--hardware", "a100", "--hours", "1", "--location", "FR", "--intensity", "5"],
     "location"),
    (["estimate", "training", "--hardware", "a100", "--hours", "1", "--pue", "0.5"], "pue"),
    (["estimate", "training", "--hardware", "a100", "--hours", "1", "--lang", "de"], "--lang"),
    (["case", "show", "bloom"], "case"),
    (["equivalents", "--co2e-kg", "-5"], "--co2e-kg"),
])
def test_bad_input_is_one_line_exit_2_naming_the_field(capsys, argv, field):
    code, _, err = run(capsys, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert field in lines[0]
    assert "Traceback" not in err


def test_typo_suggests_the_closest_name(capsys):
    _, _, err = run(capsys, "estimate", "training", "--hardware", "h1OO", "--hours", "1")
    assert "did you mean" in err and "h100" in err


@pytest.mark.parametrize("argv,words", [
    (["case", "show", "blom-training", "--lang", "fr"],
     "cas\u202f: nom inconnu 'blom-training'\u202f; vouliez-vous dire"),
    (["estimate", "training", "--hardware", "h1OO", "--hours", "1", "--lang", "fr"],
     "matériel\u202f: nom inconnu 'h1OO'\u202f; vouliez-vous dire"),
])
def test_an_unknown_name_is_said_in_french_with_its_kind(capsys, argv, words):
    # "case : case : nom inconnu" before: the kind of name stayed English
    code, _, err = run(capsys, *argv)
    assert code == 2 and words in err and "did you mean" not in err


def test_usage_errors_exit_2():
    proc = subprocess.run([sys.executable, "-m", "aiceberg", "estimate", "training"], capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert "--hardware" in proc.stderr


@pytest.mark.parametrize("argv", [[], ["estimate", "training"], ["estimate", "inference"], ["estimate", "usage"],
                                  ["case"], ["equivalents"], ["data"], ["tour"]])
def test_every_help_has_an_example(argv):
    proc = subprocess.run([sys.executable, "-m", "aiceberg", *argv, "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "example" in proc.stdout


def test_tour_measures_estimates_and_explains(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AICEBERG_DB", str(tmp_path / "runs.db"))
    code, out, _ = run(capsys, "tour", "--seconds", "1", "--location", "FR")
    assert code == 0
    assert "sensors" in out and "rapl" in out  # the sensors used, and why others were not
    assert "Measured on this machine" in out and "\n2. " in out  # the estimate beside it, or why there is none
    assert "BLOOM" in out and "Paris–New York" in out
    assert (tmp_path / "runs.db").exists()  # the run is stored
    code, out, _ = run(capsys, "runs", "list", "--json")
    runs = json.loads(out)
    assert len(runs) == 1 and runs[0]["status"] == "finished" and runs[0]["energy_kwh"] > 0


def test_import_is_light():
    code = ("import sys, aiceberg; heavy = [m for m in ('numpy', 'pandas', 'starlette', 'pynvml', 'uvicorn', "
            "'aiceberg.model', 'aiceberg.refdata', 'sqlite3') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"}).stdout.strip()
    assert out == "[]"


def test_person_years_use_the_grid_zones_country_unless_told(capsys):
    _, out, _ = run(capsys, "estimate", "training", "--hardware", "a100", "--hours", "100", "--location",
                    "aws:eu-central-1", "--json")
    assert "Germany" in json.loads(out)["equivalents"]["person_years_electricity"]["label"]
    _, out, _ = run(capsys, "estimate", "training", "--hardware", "a100", "--hours", "100", "--location", "DE",
                    "--country", "FR", "--json")
    assert "France" in json.loads(out)["equivalents"]["person_years_electricity"]["label"]


# -- issue 7: bounds, unused options, counts, files -------------------------------------------------------
@pytest.mark.parametrize(("argv", "flag"), [
    (["estimate", "training", "--hardware", "a100", "--hours", "1e308"], "--hours"),
    (["estimate", "training", "--hardware", "a100", "--hours", "1", "--intensity", "1e308"], "--intensity"),
    (["estimate", "training", "--hardware", "a100", "--flops", "1e23", "--mfu", "1e-300"], "--mfu"),
    (["estimate", "training", "--hardware", "a100", "--hours", "1", "--lifetime-years", "1e-300"], "--lifetime-years"),
    (["estimate", "inference", "--wh-per-request", "1", "--requests", "1e308"], "--requests"),
    (["estimate", "usage", "--wh-per-request", "1", "--users", "1e308", "--requests-per-day", "1"], "--users"),
    (["estimate", "usage", "--wh-per-request", "1", "--users", "10", "--requests-per-day", "1e308"],
     "--requests-per-day"),
    (["estimate", "inference", "--parameters-b", "1e308", "--output-tokens", "3"], "--parameters-b"),
    (["equivalents", "--co2e-kg", "1e308"], "--co2e-kg"),
    (["equivalents", "--co2e-kg", "1", "--energy-kwh", "1e308"], "--energy-kwh"),
])
def test_huge_numbers_are_refused_in_one_line_with_the_bounds(capsys, argv, flag):
    code, out, err = run(capsys, *argv)
    assert code == 2 and not out
    assert err.count("\n") == 1 and err.startswith(f"aiceberg: error: {flag}: ") and "accepted" in err
    assert "Traceback" not in err and len(err) < 300


@pytest.mark.parametrize(("argv", "flag"), [
    (["estimate", "training", "--hardware", "a100", "--hours", "1", "--mfu", "2"], "--mfu"),
    (["estimate", "training", "--hardware", "a100", "--hours", "1", "--no-embodied", "--lifetime-years", "3"],
     "--lifetime-years"),
    (["estimate", "training", "--hardware", "a100", "--hours", "1", "--no-embodied", "--server", "x"], "--server"),
    (["estimate", "inference", "--wh-per-request", "1", "--network", "6g"], "--network"),
    (["estimate", "inference", "--wh-per-request", "1", "--device", "toaster"], "--device"),
    (["estimate", "inference", "--wh-per-request", "1", "--device-seconds", "3"], "--device-seconds"),
    (["estimate", "inference", "--wh-per-request", "1", "--output-tokens", "300"], "--output-tokens"),
    (["estimate", "inference", "--task", "phd-text-generation", "--latency-s", "3"], "--latency-s"),
    (["estimate", "inference", "--parameters-b", "7", "--output-tokens", "3", "--boundary", "it"], "--boundary"),
    (["estimate", "usage", "--wh-per-request", "1", "--requests", "5", "--days", "3"], "--days"),
    (["equivalents", "--co2e-kg", "5", "--country", "Frnace"], "--country"),
])
def test_an_option_given_but_unused_is_an_error(capsys, argv, flag):
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.startswith(f"aiceberg: error: {flag}: given but not used"), err


@pytest.mark.parametrize(("argv", "flag", "words"), [
    (["estimate", "inference", "--wh-per-request", "1", "--requests", "1.5"], "--requests", "whole number"),
    (["estimate", "inference", "--wh-per-request", "1", "--requests", "10:20.5:30"], "--requests", "whole number"),
    (["estimate", "inference", "--parameters-b", "7", "--active-parameters-b", "8", "--output-tokens", "3"],
     "--active-parameters-b", "exceed"),
    (["equivalents", "--co2e-kg", "5", "--energy-kwh", "3", "--country", "Frnace"], "--country", "'FR' (France)"),
])
def test_refused_combinations_name_the_flag(capsys, argv, flag, words):
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.count("\n") == 1 and flag in err and words in err, err


def test_errors_follow_the_language_of_the_command(capsys):
    code, _, err = run(capsys, "estimate", "training", "--hardware", "a100", "--hours", "-1", "--lang", "fr")
    assert code == 2 and err.count("\n") == 1 and "erreur" in err and "--hours\u202f: " in err
    assert "hors des bornes" in err


def test_report_reads_an_estimate_file_with_a_size_limit(capsys, tmp_path):
    code, _, err = run(capsys, "report", "--estimate", "/dev/zero")
    assert code == 2 and "--estimate" in err and "16 MiB" in err
    from aiceberg.model.footprint_json import load_footprint_json

    big = tmp_path / "big.json"
    big.write_text("[" + "0," * 600 + "0]", encoding="utf-8")
    with pytest.raises(InputError, match="larger than"):
        load_footprint_json(big, max_bytes=1000)


def test_the_readmes_usage_example_gives_the_talks_figure(capsys):
    # 100 M users × 10 prompts × 30 days × 3.75 Wh × 394 g/kWh = 44,325 t: a per-request figure taken as it
    # is gets no default PUE on top (it gave 70,034 t with PUE 1.58)
    code, out, _ = run(capsys, "estimate", "usage", "--users", "100e6", "--requests-per-day", "10", "--days", "30",
                       "--wh-per-request", "3.75", "--intensity", "394", "--json")
    d = json.loads(out)
    assert code == 0 and d["co2e_kg"] == pytest.approx(44_325_000, rel=1e-9)
    assert not [p for p in d["parts"] if p["name"] == "cooling_overhead"]
    assert any("boundary" in w for w in d["warnings"])
    code, out, _ = run(capsys, "estimate", "usage", "--users", "100e6", "--requests-per-day", "10", "--days", "30",
                       "--wh-per-request", "3.75", "--intensity", "394", "--boundary", "it", "--json")
    assert json.loads(out)["co2e_kg"] == pytest.approx(44_325_000 * 1.58, rel=1e-9)  # the documented default PUE
