"""The EU AI Act form (Annex XI, 2(d) and (e); the Code of Practice's Model Documentation Form): every item and
unit, from a case, a run, a job, an estimate and a scenario; golden figures are the publications'."""

from __future__ import annotations

import re

import pytest
from compliancekit import run_summary

from aiceberg.cases import get_case
from aiceberg.explain.compliance import (
    case_compliance,
    estimate_compliance,
    eu_form,
    run_compliance,
    scenario_compliance,
    with_inputs,
)
from aiceberg.explain.compliance.eu_form import FIELDS, bucket_of
from aiceberg.explain.compliance.eu_render import eu_html, eu_markdown
from aiceberg.model.training import estimate_training
from aiceberg.scenario import get_template, result_dict

# BLOOM: Luccioni et al. 2023 (Table 2: 1,082,990 GPU-hours, 433,196 kWh dynamic; Table 3: idle 256,646 kWh;
# PUE 1.2 of Jean Zay), Le Scao et al. 2022 (176,247M parameters, 366B tokens; trained 11 March – 6 July 2022,
# 117 days, on 384 A100 80GB)
BLOOM_KWH, BLOOM_GPU_HOURS, BLOOM_IDLE_KWH, BLOOM_PUE, BLOOM_DAYS = 433_196, 1_082_990, 256_646, 1.2, 117
# Epoch AI's independent estimate of BLOOM-176B's training compute, from the hardware: 3.65664e23 FLOP
EPOCH_BLOOM_FLOP = 3.65664e23
SIG2 = re.compile(r"^\d[\d,.]*\d")  # at least two digits (≥ 2 significant figures in the form's unit)


@pytest.fixture(scope="module")
def bloom() -> dict:
    return eu_form(case_compliance(get_case("bloom-training").run()), "en")


def test_bloom_training_energy_is_the_published_430_mwh_at_its_stated_boundary(bloom: dict) -> None:
    e = bloom["fields"]["training_energy"]
    assert e["filled"] and e["text"] == "430 MWh"  # 433,196 kWh at 2 significant figures, in MWh
    assert e["mwh"] == pytest.approx(BLOOM_KWH / 1000, rel=1e-9) and e["significant_figures"] == 2
    assert e["boundary"] == "gpu" and "no PUE" in e["boundary_label"]
    assert e["obtained"] == "published" and "Table 2" in e["how"]
    # aiceberg's complete view beside it: the same training with idle and Jean Zay's PUE (published inputs)
    c = e["complete"]
    assert c["boundary"] == "facility" and c["obtained"] == "modelled"
    assert c["mwh"] == pytest.approx((BLOOM_KWH + BLOOM_IDLE_KWH) * BLOOM_PUE / 1000, rel=0.005)


def test_bloom_training_time_bucket_days_and_hardware_days(bloom: dict) -> None:
    tt = bloom["fields"]["training_time"]
    assert tt["bucket"] == "3-to-6-months" and tt["bucket_label"] == "3 to 6 months"
    assert tt["wall_clock_days"] == pytest.approx(BLOOM_DAYS, rel=0.01)
    assert tt["hardware_days"] == pytest.approx(BLOOM_GPU_HOURS / 24, rel=1e-9) and tt["hardware_unit"] == "GPU-days"
    assert tt["wall_clock_days_text"] == "118 wall-clock days" and tt["hardware_days_text"] == "45,100 GPU-days"
    assert "384" in tt["hardware"] and "A100" in tt["hardware"]


def test_bloom_computation_in_flop_with_two_significant_figures(bloom: dict) -> None:
    c = bloom["fields"]["training_computation"]
    assert c["obtained"] == "estimated_from_parameters" and "6 ×" in c["how"]
    assert c["flop"] == pytest.approx(EPOCH_BLOOM_FLOP, rel=0.10)  # 6ND agrees with the hardware-based estimate
    assert c["text"] == "390 ZFLOP (3.9 × 10²³ FLOP)" and c["significant_figures"] == 2
    assert c["order_of_magnitude"] == 23 and c["order_text"] == "of the order of 10²³ FLOP"


def test_bloom_inference_is_compute_with_its_task_and_hardware(bloom: dict) -> None:
    inf = bloom["fields"]["inference_computation"]
    assert inf["filled"] and inf["text"].endswith("FLOP)") and inf["task"] == "generating 100,000 tokens"
    assert "not benchmarked" in inf["hardware"]
    assert inf["flop"] == pytest.approx(2 * 176_247e6 * 100_000, rel=1e-9)


def test_the_methodology_says_boundary_sources_and_is_about_a_hundred_words(bloom: dict) -> None:
    m = bloom["fields"]["energy_methodology"]
    assert 60 <= m["words"] <= 130 and m["words"] == len(m["text"].split())
    for needed in ("accelerators alone", "PUE 1.2", "Luccioni et al. 2023", "Article 53(5)"):
        assert needed in m["text"]


def test_views_by_recipient(bloom: dict) -> None:
    aio = {r["field"]: r["value"] for r in bloom["views"]["ai_office"]}
    nca = {r["field"]: r["value"] for r in bloom["views"]["national_authorities"]}
    assert set(aio) == set(nca) == set(FIELDS)
    assert nca["training_time"] == "3 to 6 months" and "GPU-days" in aio["training_time"]
    assert nca["training_computation"] == "of the order of 10²³ FLOP" and "3.9 × 10²³" in aio["training_computation"]
    assert aio["training_energy"].startswith("430 MWh") and nca["training_energy"] == aio["training_energy"]


@pytest.mark.parametrize(("days", "bucket"), [(29.9, "under-1-month"), (30.5, "1-to-3-months"), (91.0, "1-to-3-months"),
                                              (92.0, "3-to-6-months"), (183.0, "over-6-months")])
def test_training_time_buckets(days: float, bucket: str) -> None:
    assert bucket_of(days) == bucket


def test_a_measured_run_fills_every_item_but_the_benchmark_and_says_what_to_give() -> None:
    form = eu_form(run_compliance(run_summary(gpu_kwh=40.0, cpu_kwh=6.0, hours=10.0)), "en")
    e = form["fields"]["training_energy"]
    assert e["obtained"] == "measured" and e["boundary"] == "node" and e["mwh"] == pytest.approx(0.046)
    assert e["text"] == "0.046 MWh (46 kWh)"
    assert e["complete"]["boundary"] == "facility" and e["complete"]["pue"] > 1  # the default PUE, modelled
    assert "nvml (measured)" in e["how"] and "rapl (measured)" in e["how"]
    tt = form["fields"]["training_time"]
    assert tt["bucket"] == "under-1-month" and tt["wall_clock_days"] == pytest.approx(10 / 24)
    assert tt["hardware_days"] == pytest.approx(8 * 10 / 24) and tt["obtained"] == "measured"
    comp = form["fields"]["training_computation"]  # device-hours × A100 peak × the sourced MFU range
    assert comp["obtained"] == "estimated_from_hardware_time" and comp["flop_low"] < comp["flop"] < comp["flop_high"]
    missing = {m["field"]: m["provide"] for m in form["missing"]}
    assert set(missing) == {"inference_computation"} and "--inference-flops" in missing["inference_computation"]
    assert "nvml" in form["fields"]["energy_methodology"]["text"]


def test_what_the_user_gives_fills_the_rest() -> None:
    inp = with_inputs(run_compliance(run_summary()), flops=2.1e21, inference_flops=5.1e17,
                      inference_task="generating 100000 tokens", inference_hardware="64 × A100")
    form = eu_form(inp, "en")
    assert form["fields"]["training_computation"]["obtained"] == "input"
    assert form["fields"]["training_computation"]["text"] == "2.1 ZFLOP (2.1 × 10²¹ FLOP)"
    inf = form["fields"]["inference_computation"]
    assert inf["text"] == "510 PFLOP (5.1 × 10¹⁷ FLOP)" and inf["hardware"] == "64 × A100" and form["missing"] == []


def test_a_run_without_energy_says_na_and_why() -> None:
    form = eu_form(run_compliance(run_summary(energy=False)), "en")
    e = form["fields"]["training_energy"]
    assert not e["filled"] and e["text"] == "N/A" and "no sensor" in e["na_reason"]
    assert "training_energy" in {m["field"] for m in form["missing"]}
    assert any(r["value"].startswith("N/A (no sensor") for r in form["views"]["ai_office"])


def test_an_estimate_from_flop_is_estimated_from_the_computation() -> None:
    fp = estimate_training("h100", count=512, flops=6e23, location="FR")
    form = eu_form(estimate_compliance(fp, "est"), "en")
    assert form["fields"]["training_energy"]["obtained"] == "estimated_from_compute"
    assert "Annex XI allows" in form["fields"]["training_energy"]["how"]
    assert form["fields"]["training_computation"]["flop"] == 6e23
    assert form["fields"]["training_computation"]["obtained"] == "input"
    assert form["fields"]["training_energy"]["boundary"] == "facility"


def test_gpt3_case_and_the_chatgpt_scenario_give_patterson_s_figures() -> None:
    # Patterson et al. 2021, Table 4: 1,287 MWh (PUE 1.1 included), 3.14e23 FLOP, 14.8 days on 10,000 V100
    form = eu_form(case_compliance(get_case("gpt3-training").run()), "en")
    assert form["fields"]["training_energy"]["text"] == "1,300 MWh"
    assert form["fields"]["training_energy"]["boundary"] == "facility"
    assert form["fields"]["training_computation"]["flop"] == 3.14e23
    assert form["fields"]["training_computation"]["obtained"] == "published"
    sc = get_template("chatgpt-month").scenario()
    data = result_dict(sc.run(), "en")
    form = eu_form(scenario_compliance(data, sc.spec.get("training", "hardware")), "en")
    assert form["fields"]["training_energy"]["mwh"] == pytest.approx(1287, rel=0.005)
    assert form["fields"]["training_time"]["wall_clock_days"] == pytest.approx(14.8, rel=1e-3)
    assert form["fields"]["training_time"]["hardware_days"] == pytest.approx(148_000, rel=1e-3)


def test_french_form_labels_and_typography() -> None:
    form = eu_form(case_compliance(get_case("bloom-training").run()), "fr")
    assert form["fields"]["training_energy"]["label"] == "Quantité d'énergie utilisée pour l'entraînement"
    assert form["fields"]["training_time"]["bucket_label"] == "de 3 à 6 mois"
    assert form["fields"]["training_time"]["hardware_days_text"] == "45\u202f100 jours-GPU"
    assert form["fields"]["training_computation"]["text"] == "390 ZFLOP (3,9 × 10²³ FLOP)"
    assert "accélérateurs" in form["fields"]["energy_methodology"]["text"]


def test_markdown_and_html_show_both_views_and_escape_data() -> None:
    inp = with_inputs(run_compliance(run_summary()), inference_flops=1e15, inference_task="<script>x</script>",
                      inference_hardware="a | b")
    form = eu_form(inp, "en")
    md, page = eu_markdown(form), eu_html(form)
    assert "## For the AI Office" in md and "## For the national competent authorities" in md
    assert "a \\| b" in md  # a pipe in data does not break the table
    assert "<script>" not in page and "&lt;script&gt;" in page
    for text in (md, re.sub(r"<style>.*?</style>", "", page)):
        assert not re.search(r"\d[eE][+-]?\d", text)  # no scientific notation for people
