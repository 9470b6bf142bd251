"""Numbers people read: one policy (aiceberg.i18n.numbers) in English and French, and every printer using it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiceberg.cases import get_case, list_cases
from aiceberg.explain.case_text import case_rows, case_text, metric_name
from aiceberg.explain.equivalents import READABLE_MAX, READABLE_MIN, for_footprint, readable
from aiceberg.explain.render import footprint_dict, footprint_text
from aiceberg.explain.report import html_report, markdown_report
from aiceberg.i18n import numbers as N
from aiceberg.model.inference import estimate_inference
from aiceberg.model.quantity import Q

NNBSP = "\u202f"
SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE][+-]?\d")


def _prose(html: str) -> str:
    """The text of a page a person reads (no tags, no attributes, no SVG coordinates)."""
    return re.sub(r"<[^>]*>", " ", re.sub(r"<svg.*?</svg>", " ", html, flags=re.S))


# -- the policy ------------------------------------------------------------------------------------
def test_a_total_and_its_range_are_written_in_the_same_unit():
    # printed before: "0.293 Wh (0.000204 – 0.000463 kWh)" and "179 000 MWh (124 000 000 – 284 000 000 kWh)"
    assert N.quantity(Q(0.000293, 0.000204, 0.000463), "kWh") == "0.293 Wh (0.204 – 0.463 Wh)"
    assert N.quantity(Q(179e6, 124e6, 284e6), "kWh", "fr") == "179 GWh (124 – 284 GWh)"
    assert N.span(Q(13_800, 10_000, 20_000), "kg CO2e") == "10 – 20 t CO2e"


@pytest.mark.parametrize("kwh,text", [(5.677e-05, "56.8 mWh"), (0.219, "219 Wh"), (1.0, "1 kWh"),
                                      (433_196, "433 MWh"), (1.08e9, "1.08 TWh")])
def test_energies_take_the_si_prefix_that_suits_them(kwh, text):
    assert N.energy(kwh) == text


@pytest.mark.parametrize("kg,text", [(4.05e-14, "40.5 pg CO2e"), (2.5e-9, "2.5 µg CO2e"),
                                     (7.34e-7, "0.734 mg CO2e"), (0.0001, "0.1 g CO2e"),
                                     (0.0441, "44.1 g CO2e"), (13.8, "13.8 kg CO2e"), (50_500, "50.5 t CO2e"),
                                     (44_347_000, "44.3 kt CO2e")])
def test_masses_take_the_prefix_that_suits_them(kg, text):
    assert N.co2e(kg) == text


@given(st.floats(min_value=1e-12, max_value=1e15, allow_nan=False, allow_infinity=False), st.sampled_from(["en", "fr"]))
def test_no_scientific_notation_at_any_magnitude(x, lang):
    for text in (N.number(x, lang), N.energy(x, lang), N.co2e(x, lang), N.exact(x, lang), N.plain(x, lang)):
        assert not SCIENTIFIC.search(text), text


def test_french_typography():
    assert N.number(1234.5, "fr", 5) == f"1{NNBSP}234,5"
    assert N.percent(12.6, "fr") == f"13{NNBSP}%"
    assert N.percent(0.05, "fr") == f"< 0,1{NNBSP}%"
    assert N.percent(-0.114, "fr", signed=True) == f"-0,11{NNBSP}%"


def test_published_figures_are_written_as_published():
    assert N.exact(24_690) == "24,690"  # not 24,700
    assert N.exact(44_347_000) == "44,347,000"  # not 4.4347e+07
    assert N.exact(126.648, "fr") == "126,648"
    assert N.exact(2.1331e8) == "213,310,000"


def test_a_range_that_reads_as_one_value_is_not_shown():
    # the SCI's intensity read "394 gCO2e/kWh (394 – 394 gCO2e/kWh)": a ratio's rounding noise, not a range
    noise = Q(394.0, 394.0 - 1e-9, 394.0 + 1e-9)
    assert N.quantity(noise, "gCO2e/kWh") == "394 gCO2e/kWh"
    assert N.span(noise, "gCO2e/kWh") == ""
    assert N.quantity(Q(394.0, 393.0, 395.0), "gCO2e/kWh") == "394 gCO2e/kWh (393 – 395 gCO2e/kWh)"


def test_a_number_in_a_sentence_has_no_trailing_zeros():
    # the web's MFU hint read "0,310 (0,213–0,462)": a rounded value's trailing zeros are noise in a sentence
    assert N.plain(0.31) == "0.31"
    assert N.plain(0.5, "fr") == "0,5"
    assert N.plain(2.50001) == "2.5"
    assert N.plain(230_768) == "230,768"  # a whole number in full
    assert N.plain(0.000025) == "0.000025"
    from aiceberg.i18n import Msg

    hint = Msg("web.hint.mfu", central=0.31, low=0.213, high=0.462).render("fr")
    assert "0,31 (0,213–0,462)" in hint and "0,310" not in hint


def test_significant_digits_grow_until_a_narrow_range_reads_apart():
    assert N.quantity(Q(1.0012, 1.0011, 1.0015), "kWh") == "1.0012 kWh (1.0011 – 1.0015 kWh)"


# -- the printers ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", [c.name for c in list_cases()])
def test_no_scientific_notation_in_any_case_in_any_format(case, lang):
    result = get_case(case).run()
    texts = [case_text(result, lang), markdown_report(result.complete, lang=lang, kind="case", case_result=result),
             _prose(html_report(result.complete, lang=lang, kind="case", case_result=result))]
    for text in texts:
        assert not SCIENTIFIC.search(text), SCIENTIFIC.search(text)


def test_a_per_request_calculation_says_so_beside_a_column_for_every_request():
    # before: "0.219176 Wh per request" in the row of a 1,000,000-request total
    fp = estimate_inference(wh_per_request=0.219176, requests=1_000_000, location="FR", pue=1.2)
    rows = {p["name"]: p["detail"] for p in footprint_dict(fp, "en")["parts"]}
    # and it says "per request" once: "per request: 3.75 Wh per request (electricity per request…)" before
    assert rows["inference.compute"].startswith("per request: 0.219 Wh (given, boundary: IT equipment only);")
    assert rows["inference.compute"].count("per request") == 1
    assert rows["inference.compute"].endswith("× 1,000,000 requests")
    assert "per request" in rows["cooling_overhead"] and "0.219 Wh" in rows["cooling_overhead"]
    fr = {p["name"]: p["detail"] for p in footprint_dict(fp, "fr")["parts"]}
    assert fr["inference.compute"].startswith(f"par requête{NNBSP}: 0,219 Wh (saisie, périmètre{NNBSP}: ")
    assert fr["inference.compute"].count("par requête") == 1
    one = {p["name"]: p["detail"] for p in footprint_dict(estimate_inference(task="text-generation"), "en")["parts"]}
    assert one["inference.compute"] == "47 mWh per request (Text generation (mean))"  # one request: said once too
    assert fr["inference.compute"].endswith(f"× 1{NNBSP}000{NNBSP}000 requêtes")


def test_a_footprint_scaled_per_request_keeps_its_requests_for_the_sci():
    # the ChatGPT case's complete view gave an SCI "per request" equal to the whole month (R = 1)
    from aiceberg.model.inference import scaled_per_request

    one = estimate_inference(wh_per_request=3.75, location="FR", pue=1.2)
    month = scaled_per_request(one, 3_000)
    assert month.co2e_kg.central == pytest.approx(3_000 * one.co2e_kg.central)
    assert month.sci().value.central == pytest.approx(one.co2e_kg.central * 1000)  # g per request
    case = get_case("chatgpt-usage").run().complete
    assert case.sci().value.central == pytest.approx(case.co2e_kg.central * 1000 / 30e9)


def test_a_case_table_names_its_metrics_and_keeps_published_figures_exact():
    rows = {r.metric: r for r in case_rows(get_case("bloom-training").run(), "fr")}
    dyn = rows["dynamic_co2e_kg"]
    assert dyn.published == f"24{NNBSP}690"  # as published (24,690), not 24,700
    assert dyn.name == metric_name("dynamic_co2e_kg", "fr") != "dynamic_co2e_kg"
    assert dyn.reproduced == f"24{NNBSP}692"  # to one digit more than published, without float noise
    assert dyn.where.startswith("Luccioni et al. 2023, résumé")


# -- equivalents fit the magnitude -----------------------------------------------------------------
@pytest.mark.parametrize("co2e_kg,kwh", [(0.0001, 0.0019), (0.01, 0.2), (25.0, 433.0), (50_500, 433_196),
                                         (44_347_000, 112_556_000)])
def test_only_readable_equivalents_are_shown(co2e_kg, kwh):
    shown = readable(for_footprint(Q.exact(co2e_kg), Q.exact(kwh), "FR"))
    assert all(READABLE_MIN <= s.value.central <= READABLE_MAX for s in shown)


def test_a_tenth_of_a_gram_is_not_a_fraction_of_a_flight():
    fp = estimate_inference(wh_per_request=2.0, requests=1, intensity_g_per_kwh=50, pue=1.0)
    text = footprint_text(fp, "en")
    assert "Paris–New York" not in text and "× Paris" not in text and not SCIENTIFIC.search(text)
    # 2 Wh is 1.56 minutes of video streaming at the IEA's 77 Wh an hour (inference.csv)
    assert re.search(r"\b1\.56  minutes of video streaming", text), text


def test_each_equivalent_is_shown_at_the_scale_that_reads_best():
    shown = {s.id: s for s in readable(for_footprint(Q.exact(0.0003), None, "FR"))}
    assert shown["car_km"].key == "equivalents.car_m"  # 1.2 metres, not 0.0012 km
    assert shown["car_km"].value.central == pytest.approx(0.0003 / 0.2510 * 1000, rel=1e-3)


def test_a_run_summary_reads_in_french_with_its_range_in_its_unit():
    from aiceberg.explain.exports import summary_text

    summary = {"run_id": "0123456789abcdef", "status": "finished", "duration_s": 12.34, "energy_kwh": 5.677e-05,
               "domains_kwh": {"cpu": 5.0e-05}, "co2e_kg": 2.0e-05, "co2e_kg_low": 1.0e-05, "co2e_kg_high": 4.0e-05,
               "location": "FR", "sensors": [{"name": "rapl", "status": "measured", "energy_kwh": 5.0e-05,
                                               "reason": "package-0"}], "warnings": []}
    fr = summary_text(summary, "fr")
    assert fr.startswith("exécution 0123456789ab terminée en 12,3 s")
    assert "56,8 mWh aux appareils (cpu 50 mWh)" in fr  # runs list printed 5.677e-05 before
    assert "20 mg CO2e (10 – 40 mg CO2e)" in fr and "mesuré" in fr
    assert not SCIENTIFIC.search(fr) and not SCIENTIFIC.search(summary_text(summary, "en"))


@pytest.mark.parametrize("lang,said", [("en", "predicted before it stopped: 1.2 kWh"),
                                       ("fr", f"prévu avant l’arrêt{NNBSP}: 1,2 kWh")])
def test_a_stopped_runs_prediction_says_it_is_not_the_finished_figure(lang, said):
    from aiceberg.explain.exports import summary_text

    summary = {"run_id": "0123456789abcdef", "status": "interrupted", "duration_s": 600, "energy_kwh": 0.1,
               "prediction": {"completed": 1, "total": 12, "energy_kwh": 1.2, "duration_s": 7200}, "sensors": []}
    text = summary_text(summary, lang)
    assert said in text and "12" in text.split(said)[1]
    assert "\n  predicted 1.2" not in text


def test_a_model_card_number_has_no_exponent_even_for_a_tiny_run():
    """PyYAML (the Hub's reader) takes ``2e-05`` for a string: the emissions are a plain decimal."""
    from aiceberg.explain.exports import model_card_yaml

    fp = estimate_inference(wh_per_request=0.0004, requests=1, intensity_g_per_kwh=50, pue=1.0, embodied=False)
    summary = {"run_id": "r1", "status": "finished", "duration_s": 1.0, "energy_kwh": 4e-07,
               "co2e_kg": fp.co2e_kg.central, "footprint": fp.to_dict(), "sensors": [], "warnings": [],
               "host": {}}
    card = model_card_yaml(summary)
    line = next(x for x in card.splitlines() if x.startswith("  emissions:"))
    assert re.fullmatch(r"  emissions: 0\.0000\d+", line), line
    assert float(line.split(":")[1]) == pytest.approx(fp.co2e_kg.central * 1000, rel=1e-5)
    assert not SCIENTIFIC.search(card)


def test_a_usage_cases_complete_view_says_per_request_beside_its_monthly_columns():
    """The talk's ChatGPT month: 30 billion requests in each column, so every calculation line says
    it is per request and how many requests it is multiplied by."""
    result = get_case("chatgpt-usage").run()
    details = {p["name"]: p["detail"] for p in footprint_dict(result.complete, "en")["parts"]}
    assert details and all(d.startswith("per request: ") and d.endswith("× 30,000,000,000 requests")
                            for d in details.values()), details
