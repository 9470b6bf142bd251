"""``aiceberg estimate federated``: the federated footprint, and beside it the centralised one with the ratio."""

import json

from aiceberg.cli import main
from aiceberg.model.federated import estimate_centralised, estimate_federated

ARGS = ["estimate", "federated", "--device", "smartphone", "--clients", "100", "--rounds", "100", "--epoch-seconds",
        "60", "--model-mb", "20", "--network", "4g", "--location", "FR"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_both_footprints_and_the_ratio(capsys):
    code, out, _ = run(capsys, *ARGS, "--compare-hardware", "v100", "--compare-gpu-hours", "2", "--json")
    assert code == 0
    d = json.loads(out)
    fl = estimate_federated(clients_per_round=100, rounds=100, epoch_seconds=60, model_mb=20, device="smartphone",
                            network="4g", location="FR")
    central = estimate_centralised("v100", gpu_hours=2, location="FR")
    assert d["co2e_kg"] == fl.co2e_kg.central and d["centralised"]["co2e_kg"] == central.co2e_kg.central
    assert d["ratio"]["co2e"]["value"] == fl.co2e_kg.central / central.co2e_kg.central
    assert d["sci"]["boundary"] == "provider" and set(d["impacts"]) == {"gwp", "pe", "adpe", "water"}


def test_text_in_french_names_the_parts(capsys):
    code, out, _ = run(capsys, *ARGS, "--server-seconds-per-round", "5", "--compare-hardware", "v100",
                       "--compare-gpu-hours", "2", "--lang", "fr")
    assert code == 0
    assert "Entraînement sur les appareils des clients" in out and "Fédéré / centralisé" in out


def test_options_of_the_comparison_need_its_gpu(capsys):
    code, _, err = run(capsys, *ARGS, "--compare-gpu-hours", "2")
    assert code == 2 and "--compare-gpu-hours" in err and "--compare-hardware" in err
    code, _, err = run(capsys, *ARGS, "--upload-mbps", "10")
    assert code == 2 and "--download-mbps" in err
