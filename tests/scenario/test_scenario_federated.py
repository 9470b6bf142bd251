"""The ``[federated]`` phase and its ``[centralised]`` counterpart, and the federated keyboard template.

The template's figures are Hard et al.'s (2018, arXiv:1811.03604): 3,000 rounds, up to 500 clients a round
(600 million sentences / 400 a client epoch / 3,000 rounds), one local epoch, a CIFG of 1.4 million
parameters; the rest is stated in its comments. The ratio to centralised training is computed here by hand
from those figures and the data's rows (devices.csv, network.csv, zones.csv, pue.csv, hardware.csv,
factors.csv), not read back from the code.
"""

from __future__ import annotations

import json

import pytest

from aiceberg import refdata
from aiceberg.i18n import has
from aiceberg.model.federated import estimate_federated
from aiceberg.scenario import ScenarioError, get_template, loads, result_dict
from aiceberg.scenario.spec import SECTIONS

HOURS_PER_YEAR = 8760

# Hard et al. 2018 (hard-2018-gboard)
ROUNDS = 3000
SENTENCES, SENTENCES_PER_CLIENT_EPOCH = 600e6, 400
CLIENTS_PER_ROUND = SENTENCES / SENTENCES_PER_CLIENT_EPOCH / ROUNDS  # 500
PARAMETERS = 1.4e6
MODEL_MB = PARAMETERS * 4 / 1e6  # 32-bit floats: 5.6 MB
# the template's stated central values
EPOCH_SECONDS, PHONE_W, SERVER_SECONDS = 60.0, 1.0, 60.0
GPU_HOURS, DATA_GB, STORAGE_DAYS = 9.0, 60.0, 30.0


def _template():
    return get_template("federated-keyboard").scenario()


def _by_hand() -> dict[str, float]:
    """The template's central federated and centralised footprints (kWh and kgCO2e), from its published and
    stated figures and the reference data's rows."""
    grid = refdata.get_zone("US").intensity_g_per_kwh / 1000.0  # kg per kWh
    pue = refdata.get_pue("google").pue
    wifi = refdata.get_network("wifi").kwh_per_gb
    phone = refdata.get_device("smartphone")
    cpu, gpu, server = (refdata.get_hardware(h) for h in ("default-cpu", "v100", "default-server"))
    life = refdata.find("factors", "embodied_lifetime_years").value
    util = refdata.find("factors", "embodied_utilisation").value
    hdd = refdata.find("factors", "storage_hdd_wh_per_tb_hour").value

    device_hours = CLIENTS_PER_ROUND * ROUNDS * 1 * EPOCH_SECONDS / 3600
    fl_kwh = {"fl.training": device_hours * PHONE_W / 1000,
              "network": CLIENTS_PER_ROUND * ROUNDS * 2 * MODEL_MB / 1000 * wifi,  # the model down, the update up
              "fl.aggregation": ROUNDS * SERVER_SECONDS / 3600 * cpu.tdp_w / 1000}
    fl_kwh["cooling_overhead"] = fl_kwh["fl.aggregation"] * (pue - 1)
    fl_made = phone.embodied_kgco2e * device_hours / (phone.lifetime_years * HOURS_PER_YEAR)
    c_kwh = GPU_HOURS * gpu.tdp_w / 1000 * pue + DATA_GB * wifi + DATA_GB / 1000 * STORAGE_DAYS * 24 * hdd / 1000 * pue
    c_made = (gpu.embodied_kgco2e + server.embodied_kgco2e / 8) * GPU_HOURS / (life * HOURS_PER_YEAR * util)
    fl_e = sum(fl_kwh.values())
    return {"fl_kwh": fl_e, "fl_kg": fl_e * grid + fl_made, "c_kwh": c_kwh, "c_kg": c_kwh * grid + c_made,
            "fl_made": fl_made, **{f"kwh:{k}": v for k, v in fl_kwh.items()}}


def test_the_template_validates_runs_and_has_every_part_of_the_federated_phase() -> None:
    res = _template().run()
    d = result_dict(res)
    assert [p["name"] for p in d["phases"]] == ["federated", "end_of_life"]
    parts = {p["name"]: p for p in d["phases"][0]["parts"]}
    hand = _by_hand()
    for name in ("fl.training", "network", "fl.aggregation", "cooling_overhead"):
        assert parts[name]["energy_kwh"] == pytest.approx(hand[f"kwh:{name}"], rel=1e-9), name
    assert parts["embodied.devices"]["co2e_kg"] == pytest.approx(hand["fl_made"], rel=1e-9)
    assert parts["fl.training"]["visible"] and not parts["network"]["visible"]
    # the network decides it: over 90 % of the phase's electricity
    assert parts["network"]["energy_kwh"] > 0.9 * d["phases"][0]["energy_kwh"]
    assert {"hard-2018-gboard", "bonawitz-2019-fl-at-scale"} <= set(d["sources"])
    assert d["allocation"]["federated"] == "calendar-time"
    assert "federated" in d["sci"]["provider"]["includes"][0]


def test_the_comparison_holds_the_ratio_its_inputs_imply() -> None:
    d = result_dict(_template().run())
    hand = _by_hand()
    fl = d["federated"]
    assert fl["federated"]["co2e_kg"] == pytest.approx(hand["fl_kg"], rel=1e-9)
    assert fl["centralised"]["energy_kwh"] == pytest.approx(hand["c_kwh"], rel=1e-9)
    assert fl["centralised"]["co2e_kg"] == pytest.approx(hand["c_kg"], rel=1e-9)
    assert fl["ratio"]["energy"]["value"] == pytest.approx(hand["fl_kwh"] / hand["c_kwh"], rel=1e-9)
    assert fl["ratio"]["co2e"]["value"] == pytest.approx(hand["fl_kg"] / hand["c_kg"], rel=1e-9)
    # Qiu et al.'s first regime: phones on the wide-area network, two orders of magnitude above the GPU
    assert 50 < fl["ratio"]["co2e"]["value"] < 500
    r = fl["ratio"]["co2e"]
    assert r["low"] < r["value"] < r["high"]
    # the counterpart is beside the service, not in its total
    assert d["total"]["co2e_kg"] == pytest.approx(fl["federated"]["co2e_kg"])


def test_samples_and_sensitivity_run_on_the_federated_formula() -> None:
    pytest.importorskip("numpy", reason="numpy is in the [test] and [analysis] extras")
    res = _template().run(samples=4000, seed=3)
    d = result_dict(res)
    p = d["samples"]["total"]["co2e_kg"]
    assert d["total"]["co2e_kg_low"] <= p["p5"] < p["p50"] < p["p95"] <= d["total"]["co2e_kg_high"]
    ranked = [s["id"] for s in d["sensitivity"]["indices"]]
    # the Wi-Fi factor (0.006 to 0.429 kWh/GB) spans the most: it explains most of the variance
    assert ranked[0] == "network:wifi"
    assert set(ranked) >= {"federated.clients_per_round", "federated.model_mb", "federated.epoch_seconds"}
    ratio = d["federated"]["samples"]["co2e_ratio"]
    assert ratio["p5"] < ratio["p50"] < ratio["p95"]
    assert d["federated"]["ratio"]["co2e"]["low"] <= ratio["p5"]
    # what can be done names the levers of federated training
    assert {a["input"] for a in d["actions"]} >= {"network:wifi"}
    again = result_dict(_template().run(samples=4000, seed=3))
    assert again["federated"]["samples"] == d["federated"]["samples"]


FL = """
[scenario]
period_days = 30
location = "FR"

[federated]
clients_per_round = 100
rounds = 100
epoch_seconds = 60
model_mb = 20
device = "smartphone"
server_seconds_per_round = 5
pue = 1.2
"""


@pytest.mark.parametrize("network", ['network = "4g"', "upload_mbps = 10\ndownload_mbps = 50\nrouter_w = 8"])
def test_the_phase_is_the_federated_models_footprint(network: str) -> None:
    """One implementation: the scenario's phase equals ``estimate_federated`` for the same inputs."""
    res = loads(FL.replace('device = "smartphone"', f'device = "smartphone"\n{network}')).run()
    kw = dict(line.split(" = ") for line in network.split("\n"))
    kw = {k: (v.strip('"') if v.startswith('"') else float(v)) for k, v in kw.items()}
    fp = estimate_federated(clients_per_round=100, rounds=100, epoch_seconds=60, model_mb=20, device="smartphone",
                            location="FR", server_seconds_per_round=5, pue=1.2, **kw)
    parts = {k.split(".", 1)[1]: (e, c) for k, e, c, _ in res.parts() if k.startswith("federated.")}
    assert sorted(parts) == sorted(fp.names())
    for name in fp.names():
        assert parts[name][0].central == pytest.approx(fp.part(name).energy_kwh.central, rel=1e-9), name
        assert parts[name][1].central == pytest.approx(fp.part(name).co2e_kg.central, rel=1e-9), name
        assert parts[name][1].high == pytest.approx(fp.part(name).co2e_kg.high, rel=1e-9), name
    assert any(getattr(w, "key", "") == "scenario.note.fl_device_power" for w in res.compiled.warnings)


def test_a_board_without_a_manufacturing_figure_says_it_is_not_counted() -> None:
    text = FL.replace('device = "smartphone"', "device_power_w = 7.5")
    res = loads(text).run()
    d = result_dict(res, "fr")
    assert "embodied.devices" not in {p["name"] for p in d["phases"][0]["parts"]}
    assert "federated" in d["not_counted"] and "device_embodied_kgco2e" in d["not_counted"]["federated"]
    given = loads(text + "device_embodied_kgco2e = 20\ndevice_lifetime_years = 4\n").run()
    made = dict((k, c) for k, _, c, _ in given.parts())["federated.embodied.devices"]
    assert made.central == pytest.approx(20 * (100 * 100 * 60 / 3600) / (4 * HOURS_PER_YEAR))


def test_share_of_device_time_charges_the_hours_used_a_day() -> None:
    calendar = dict((k, c) for k, _, c, _ in loads(FL).run().parts())["federated.embodied.devices"]
    used = loads(FL + 'allocation = "share-of-device-time"\ndaily_use_hours = 4\n').run()
    share = dict((k, c) for k, _, c, _ in used.parts())["federated.embodied.devices"]
    assert share.central == pytest.approx(calendar.central * 24 / 4)


def test_the_federated_clients_phone_and_the_users_phone_are_one_draw() -> None:
    res = loads(FL).run()
    assert "device:smartphone:embodied" in res.inputs and "federated.model_mb" in res.inputs


BAD = """
[scenario]
period_days = 30

[federated]
clients_per_round = 100
epoch_seconds = 60
model_mb = "lots"
device = "smartfone"
upload_mbps = 10
router_w = 5
network = "wifi"
server_power_w = 50
allocation = "share-of-device-time"
lokal_epochs = 2

[centralised]
gpu_hours = 5
storage_days = 30
"""


def test_every_problem_of_the_sections_is_named_with_its_path() -> None:
    with pytest.raises(ScenarioError) as info:
        loads(BAD, "bad.toml")
    got = {p.field: p.render("en") for p in info.value.problems}
    expected = {"federated.rounds", "federated.model_mb", "federated.download_mbps", "federated.network",
                "federated.server_power_w", "federated.daily_use_hours", "federated.lokal_epochs",
                "centralised.hardware", "centralised.storage_days"}
    assert expected <= set(got), sorted(got)
    assert "'local_epochs'" in got["federated.lokal_epochs"]
    assert "federated.server_seconds_per_round" in got["federated.server_power_w"]
    assert "centralised.data_gb" in got["centralised.storage_days"]
    fixed = BAD.replace('model_mb = "lots"', "model_mb = 5").replace("lokal_epochs", "rounds")
    fixed = "\n".join(line for line in fixed.splitlines() if not line.startswith(
        ("upload_mbps", "router_w", "server_power_w", "allocation", "storage_days")))
    fixed = fixed.replace("[centralised]", '[centralised]\nhardware = "v100"')
    with pytest.raises(ScenarioError) as info:
        loads(fixed, "bad.toml")
    got = {p.field: p.render("fr") for p in info.value.problems}
    assert set(got) == {"federated.device"} and "smartphone" in got["federated.device"]


def test_a_centralised_section_needs_the_federated_one_and_a_device_needs_a_power() -> None:
    with pytest.raises(ScenarioError) as info:
        loads('[scenario]\nperiod_days = 1\n[centralised]\nhardware = "v100"\ngpu_hours = 1\n')
    assert {p.field for p in info.value.problems} == {"centralised"}
    with pytest.raises(ScenarioError) as info:
        loads(FL.replace('device = "smartphone"\n', ""))
    (problem,) = info.value.problems
    assert problem.field == "federated.device_power_w" and "device_power_w" in problem.render("en")


def test_every_number_of_every_section_has_words_in_both_languages() -> None:
    for section, fields in SECTIONS.items():
        assert has(f"scenario.in_section.{section}"), section
        for name, f in fields.items():
            if f.kind == "num":
                assert has(f"scenario.field.{name}"), f"{section}.{name}"


def test_the_cli_lists_the_template_and_reports_the_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    from aiceberg.cli import main

    assert main(["scenario", "templates", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    row = next(r for r in rows if r["name"] == "federated-keyboard")
    assert "Gboard" in row["title"]
    assert main(["scenario", "run", "federated-keyboard", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "entraînement fédéré" in out and "fois plus de carbone" in out


def test_the_web_page_of_the_template_says_the_comparison_in_french() -> None:
    pytest.importorskip("starlette", reason="the web app is in the [web] extra (in [test])")
    from html import unescape

    from starlette.testclient import TestClient

    from aiceberg.web import create_app

    r = TestClient(create_app(), base_url="http://localhost").get("/scenarios/federated-keyboard?lang=fr")
    assert r.status_code == 200
    text = unescape(r.text)
    assert "entraînement fédéré (appareils des clients)" in text and "fois plus de carbone" in text
    assert 'class="ratio federated"' in r.text
