"""The FLOPs path, the explicit grid intensity and ranges (LOW:CENTRAL:HIGH in forms, [low, central, high]
in JSON) in the calculators: each answers the engine's result for the same inputs, ranges reach the
result's low/high, and bad values name their field in the page's language."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from aiceberg.explain.render import footprint_dict
from aiceberg.model.inference import estimate_inference, estimate_usage
from aiceberg.model.training import estimate_training
from aiceberg.web.pages import mass, mass_range

TRAIN = "/api/estimate/training"


def _same(d: dict, ref: dict) -> None:
    for k in ("co2e_kg", "co2e_kg_low", "co2e_kg_high", "energy_kwh"):
        assert d[k] == pytest.approx(ref[k], rel=1e-12), k


def _span(fp, lang: str) -> str:
    """The range as the page writes it (the policy of aiceberg.i18n.numbers: one unit for both ends)."""
    return mass_range(fp.co2e_kg.central, fp.co2e_kg.low, fp.co2e_kg.high, lang)


def _total(html: str) -> str:
    return unescape(re.search(r'id="total">([^<]+)<', html).group(1))


def _err(html: str, field: str) -> str:
    m = re.search(rf'id="err-{field}">([^<]+)<', html)
    assert m, f"no error next to {field}"
    return unescape(m.group(1))


# -- the FLOPs path --------------------------------------------------------------------------------
@pytest.mark.parametrize("body,kwargs", [
    ({"flops": 3.14e23}, {"flops": 3.14e23}),
    ({"flops": 3.14e23, "mfu": 0.4}, {"flops": 3.14e23, "mfu": 0.4}),
    ({"flops": [2e23, 3.14e23, 4e23], "mfu": [0.2, 0.3, 0.45]},
     {"flops": (2e23, 3.14e23, 4e23), "mfu": (0.2, 0.3, 0.45)}),
])
def test_api_training_from_flops_is_the_engine(client, body, kwargs):
    r = client.post(TRAIN, json={"hardware": "a100", "count": 64, "location": "FR", **body})
    assert r.status_code == 200, r.text
    ref = footprint_dict(estimate_training("a100", count=64, location="FR", title="Training", **kwargs))
    _same(r.json(), ref)


def test_form_training_from_flops_is_the_engine(client):
    r = client.get("/training?hardware=a100&count=64&hours=&flops=3.14e23&mfu=0,4&location=FR&lang=fr")
    assert r.status_code == 200, r.text[:2000]
    ref = estimate_training("a100", count=64, flops=3.14e23, mfu=0.4, location="FR")
    assert _total(r.text) == mass(ref.co2e_kg.central, "fr")
    assert 'id="iceberg"' in r.text and "MFU" in unescape(r.text)


@pytest.mark.parametrize("lang,words", [("en", "exactly one"), ("fr", "une seule")])
def test_hours_and_flops_together_is_an_error_on_hours(client, lang, words):
    r = client.get(f"/training?hardware=a100&count=8&hours=24&flops=1e21&location=FR&lang={lang}")
    assert r.status_code == 422
    assert words in _err(r.text, "hours")


@pytest.mark.parametrize("lang,words", [("en", "with FLOPs only"), ("fr", "qu'avec des FLOPs")])
def test_mfu_without_flops_is_an_error_on_mfu(client, lang, words):
    r = client.get(f"/training?hardware=a100&count=8&hours=24&mfu=0.3&location=FR&lang={lang}")
    assert r.status_code == 422
    assert words in _err(r.text, "mfu")
    r = client.post(TRAIN, json={"hardware": "a100", "hours": 24, "mfu": 0.3, "lang": lang})
    assert r.status_code == 422 and [d["field"] for d in r.json()["detail"]] == ["mfu"]


def test_flops_on_hardware_without_peak_names_flops(client):
    from aiceberg import refdata

    no_peak = next((h.id for h in refdata.load_table("hardware") if not h.peak_tflops and h.tdp_w), None)
    if no_peak is None:
        pytest.skip("every device has a peak throughput")
    r = client.post(TRAIN, json={"hardware": no_peak, "flops": 1e21})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "flops"


# -- the explicit grid intensity -------------------------------------------------------------------
@pytest.mark.parametrize("intensity", [50, [20, 50, 90]])
def test_api_intensity_is_the_engine_in_every_calculator(client, intensity):
    q = tuple(intensity) if isinstance(intensity, list) else intensity
    cases = [
        (TRAIN, {"hardware": "a100", "count": 8, "hours": 24},
         estimate_training("a100", count=8, hours=24, intensity_g_per_kwh=q, title="Training")),
        ("/api/estimate/inference", {"task": "chatgpt-gpt4o-query-epoch", "requests": 1000},
         estimate_inference(task="chatgpt-gpt4o-query-epoch", requests=1000, intensity_g_per_kwh=q)),
        ("/api/estimate/usage", {"users": 1e6, "requests_per_day": 10, "days": 30, "wh_per_request": 3.75},
         estimate_usage(users=1e6, requests_per_user_per_day=10, days=30, wh_per_request=3.75,
                        intensity_g_per_kwh=q)),
    ]
    for path, body, ref in cases:
        r = client.post(path, json={**body, "intensity": intensity})
        assert r.status_code == 200, (path, r.text)
        _same(r.json(), footprint_dict(ref))
        given = [f for f in r.json()["factors"] if f["id"] == "intensity"]
        assert given and given[0]["status"] == "input" and given[0]["value"] == pytest.approx(50)
        assert (given[0]["low"], given[0]["high"]) == ((20, 90) if isinstance(intensity, list) else (50, 50))


def test_form_intensity_instead_of_location(client):
    r = client.get("/inference?task=chatgpt-gpt4o-query-epoch&requests=1000&location=&intensity=35&lang=en")
    assert r.status_code == 200, r.text[:2000]
    ref = estimate_inference(task="chatgpt-gpt4o-query-epoch", requests=1000, intensity_g_per_kwh=35)
    assert _total(r.text) == mass(ref.co2e_kg.central, "en")
    # the same request with the location instead differs
    us = client.get("/inference?task=chatgpt-gpt4o-query-epoch&requests=1000&location=US&lang=en")
    assert _total(us.text) != _total(r.text)


@pytest.mark.parametrize("lang,words", [("en", "not both"), ("fr", "pas les deux")])
@pytest.mark.parametrize("path", ["/training?hardware=a100&count=8&hours=24",
                                  "/inference?task=chatgpt-gpt4o-query-epoch&requests=10",
                                  "/usage?users=100&requests_per_day=1&days=1&task=bloom-api-request"])
def test_location_and_intensity_together_is_an_error_on_intensity(client, path, lang, words):
    r = client.get(f"{path}&location=FR&intensity=50&lang={lang}")
    assert r.status_code == 422
    assert words in _err(r.text, "intensity")


@pytest.mark.parametrize("lang,words", [("en", "too large"), ("fr", "trop grand")])
def test_intensity_out_of_bounds(client, lang, words):
    r = client.get(f"/training?hardware=a100&count=8&hours=24&location=&intensity=1e9&lang={lang}")
    assert r.status_code == 422 and words in _err(r.text, "intensity")
    r = client.post(TRAIN, json={"hardware": "a100", "hours": 1, "intensity": -5})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "intensity"


# -- ranges ----------------------------------------------------------------------------------------
def test_a_range_propagates_to_the_result(client):
    exact = client.post(TRAIN, json={"hardware": "a100", "count": 8, "hours": 24, "power_w": 300,
                                     "location": "FR"}).json()
    ranged = client.post(TRAIN, json={"hardware": "a100", "count": 8, "hours": [12, 24, 48],
                                      "power_w": [250, 300, 400], "location": "FR"}).json()
    ref = footprint_dict(estimate_training("a100", count=8, hours=(12, 24, 48), power_w=(250, 300, 400),
                                           location="FR", title="Training"))
    _same(ranged, ref)
    assert ranged["co2e_kg"] == pytest.approx(exact["co2e_kg"])
    assert ranged["co2e_kg_low"] < exact["co2e_kg_low"] and ranged["co2e_kg_high"] > exact["co2e_kg_high"]


@pytest.mark.parametrize("path,body,kwargs", [
    ("/api/estimate/inference",
     {"wh_per_request": [1.5, 2, 2.5], "requests": 1000, "data_gb": [0, 0.001, 0.01], "network": "4g",
      "device": "smartphone", "device_seconds": [5, 10, 30], "location": "US"},
     {"wh_per_request": (1.5, 2, 2.5), "requests": 1000, "data_gb": (0, 0.001, 0.01), "network": "4g",
      "device": "smartphone", "device_seconds": (5, 10, 30), "location": "US"}),
    ("/api/estimate/inference",
     {"parameters_b": [7, 70, 400], "output_tokens": [100, 400, 1000], "location": "FR"},
     {"parameters_b": (7, 70, 400), "output_tokens": (100, 400, 1000), "location": "FR"}),
])
def test_api_inference_ranges_are_the_engine(client, path, body, kwargs):
    r = client.post(path, json=body)
    assert r.status_code == 200, r.text
    _same(r.json(), footprint_dict(estimate_inference(title="Inference", **kwargs)))


def test_api_usage_ranges_are_the_engine(client):
    body = {"users": 1e6, "requests_per_day": [5, 10, 20], "days": [20, 30, 31], "task": "bloom-api-request",
            "location": "US", "pue": "1.1:1.2:1.5"}
    r = client.post("/api/estimate/usage", json=body)
    assert r.status_code == 200, r.text
    ref = estimate_usage(users=1e6, requests_per_user_per_day=(5, 10, 20), days=(20, 30, 31),
                         task="bloom-api-request", location="US", pue=(1.1, 1.2, 1.5), title="Usage at scale")
    _same(r.json(), footprint_dict(ref))


def test_form_range_with_french_commas_shows_the_engine_range(client):
    url = "/inference?task=&wh_per_request={}&requests=1000&location=US&lang=fr"
    r = client.get(url.format("1,5:2:2,5"))
    assert r.status_code == 200, r.text[:2000]
    ref = estimate_inference(wh_per_request=(1.5, 2, 2.5), requests=1000, location="US")
    exact = estimate_inference(wh_per_request=2, requests=1000, location="US")
    html = unescape(r.text)
    assert _total(r.text) == mass(ref.co2e_kg.central, "fr") == mass(exact.co2e_kg.central, "fr")
    shown = _span(ref, "fr")
    assert shown in html
    assert _span(exact, "fr") not in html
    # the form keeps what was typed, and the share link holds the range
    assert 'value="1,5:2:2,5"' in r.text
    share = unescape(re.search(r'id="share" href="([^"]+)"', r.text).group(1))
    assert dict(parse_qsl(urlsplit(share).query))["wh_per_request"] == "1,5:2:2,5"


def test_form_training_range_in_english(client):
    r = client.get("/training?hardware=a100&count=8&hours=20:24:30&location=FR&lang=en")
    assert r.status_code == 200
    ref = estimate_training("a100", count=8, hours=(20, 24, 30), location="FR")
    assert _span(ref, "en") in unescape(r.text)
    exact = client.get("/training?hardware=a100&count=8&hours=24&location=FR&lang=en")
    assert _total(exact.text) == _total(r.text)
    lo_hi = re.compile(r"range: ([^<]+)<")
    assert lo_hi.search(unescape(exact.text)).group(1) != lo_hi.search(unescape(r.text)).group(1)


@pytest.mark.parametrize("field,value,en,fr", [
    ("hours", "30:24:20", "not ordered as LOW:CENTRAL:HIGH", "n'est pas dans l'ordre BAS:CENTRAL:HAUT"),
    ("hours", "20:24", "nor a range LOW:CENTRAL:HIGH", "ni une fourchette BAS:CENTRAL:HAUT"),
    ("hours", "1:2:3:4", "nor a range", "ni une fourchette"),
    ("hours", "-1:24:30", "too small", "trop petit"),
    ("hours", "nan:24:30", "is not a number", "n'est pas un nombre"),
    ("hours", "a:b:c", "is not a number", "n'est pas un nombre"),
    ("power_w", "200:300:1e9", "too large", "trop grand"),
    ("mfu", "0,2:0,3:1,5", "too large", "trop grand"),
    ("flops", "0:1e21:2e21", "too small", "trop petit"),
    ("count", "4:8:16", "is not a number", "n'est pas un nombre"),
])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_bad_form_ranges_name_the_field_in_the_page_language(client, field, value, en, fr, lang):
    base = {"hardware": "a100", "count": "8", "hours": "24", "location": "FR", "lang": lang}
    if lang == "en":  # the same number, written in English
        value = value.replace(",", ".")
    if field in ("mfu", "flops"):
        base.update(hours="", flops="1e21")
    r = client.get("/training", params={**base, field: value})
    assert r.status_code == 422
    msg = _err(r.text, field)
    assert (fr if lang == "fr" else en) in msg
    if field != "count":
        assert ("BAS:CENTRAL:HAUT" if lang == "fr" else "LOW:CENTRAL:HIGH") in msg
    assert 'id="form-errors"' in r.text


@pytest.mark.parametrize("path,body,field", [
    (TRAIN, {"hardware": "a100", "hours": [30, 24, 20]}, "hours"),
    (TRAIN, {"hardware": "a100", "hours": [20, 24]}, "hours"),
    (TRAIN, {"hardware": "a100", "hours": [20, 24, 30, 40]}, "hours"),
    (TRAIN, {"hardware": "a100", "hours": []}, "hours"),
    (TRAIN, {"hardware": "a100", "hours": [-1, 24, 30]}, "hours"),
    (TRAIN, {"hardware": "a100", "hours": ["20", 24, 30]}, "hours"),
    (TRAIN, {"hardware": "a100", "hours": [True, 24, 30]}, "hours"),
    (TRAIN, {"hardware": "a100", "hours": "20:24:30"}, "hours"),
    (TRAIN, {"hardware": "a100", "flops": [1e21, 2e21, 1e40]}, "flops"),
    (TRAIN, {"hardware": "a100", "flops": 1e21, "mfu": [0.2, 0.3, 2]}, "mfu"),
    (TRAIN, {"hardware": "a100", "hours": 1, "intensity": [100, 50, 200]}, "intensity"),
    (TRAIN, {"hardware": "a100", "count": [1, 2, 3], "hours": 1}, "count"),
    (TRAIN, {"hardware": "a100", "hours": 1, "pue": "1.5:1.2:1.1"}, "pue"),
    ("/api/estimate/usage", {"users": [1, 2, 3], "requests_per_day": 1, "task": "bloom-api-request"}, "users"),
    ("/api/estimate/inference", {"task": "bloom-api-request", "requests": [1, 2, 3]}, "requests"),
    ("/api/estimate/inference", {"wh_per_request": [0, 1, 2]}, "wh_per_request"),
    ("/api/estimate/usage", {"users": 10, "requests_per_day": [1, 2, 3], "days": [3, 2, 1],
                             "task": "bloom-api-request"}, "days"),
])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_api_bad_ranges_are_422_naming_the_field(client, path, body, field, lang):
    r = client.post(path, json={**body, "lang": lang})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert [d["field"] for d in detail] == [field]
    if lang == "fr" and field not in ("count", "users", "requests", "pue"):
        assert "[bas, central, haut]" in detail[0]["accepted"]


def test_api_nan_in_a_range_is_422(client):
    r = client.post(TRAIN, content=b'{"hardware": "a100", "hours": [NaN, 24, 30]}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "hours"
    assert "finite" in r.json()["detail"][0]["message"]


def test_openapi_ranges_are_one_of_number_or_three_numbers(client):
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    train = schemas["training_input"]["properties"]
    for name in ("hours", "gpu_hours", "flops", "mfu", "power_w", "intensity"):
        one_of = train[name]["oneOf"]
        assert one_of[0]["type"] == "number"
        assert one_of[1]["type"] == "array" and one_of[1]["minItems"] == one_of[1]["maxItems"] == 3
        assert one_of[1]["items"]["type"] == "number"
    assert train["mfu"]["oneOf"][0]["maximum"] == 1 and train["mfu"]["oneOf"][1]["items"]["maximum"] == 1
    assert train["count"]["type"] == "integer" and "oneOf" not in train["count"]
    usage = schemas["usage_input"]["properties"]
    assert usage["users"]["type"] == "integer" and "oneOf" not in usage["users"]  # a count: whole
    assert "oneOf" in usage["days"] and usage["days"]["default"] == 1
    assert "intensity" in schemas["inference_input"]["properties"]
    assert "intensity" not in schemas["my_ai_day_input"]["properties"]


def test_empty_training_form_shows_the_new_fields(client):
    html = client.get("/training?lang=fr").text
    for name in ("flops", "mfu", "intensity"):
        assert f'id="f-{name}"' in html
    assert 'id="range-hint"' in html and "BAS:CENTRAL:HAUT" in html
    # a range needs ':' which a decimal keypad lacks; whole numbers keep it
    assert re.search(r'id="f-hours"[^>]*inputmode', html) is None
    assert re.search(r'id="f-count"[^>]*inputmode="decimal"', html)


@pytest.mark.parametrize("lang,text,ok", [("fr", "1,5", True), ("fr", "1.5", True), ("en", "1.5", True),
                                          ("en", "1,5", False), ("fr", "1 500", True), ("en", "1,500", True)])
def test_form_numbers_follow_the_language_rule(client, lang, text, ok):
    """One parser for CLI and web (aiceberg.i18n.parse): "1,5" is 1.5 in French, refused in English with a hint."""
    from aiceberg.i18n.parse import parse_number

    r = client.get("/inference", params={"task": "", "wh_per_request": text, "requests": "1000", "location": "US",
                                         "lang": lang})
    if ok:
        assert r.status_code == 200, _err(r.text, "wh_per_request")
        ref = estimate_inference(wh_per_request=parse_number(text, "wh_per_request", lang), requests=1000,
                                 location="US")
        assert _total(r.text) == mass(ref.co2e_kg.central, lang)
    else:
        assert r.status_code == 422
        assert "decimal mark is a point (1.5)" in _err(r.text, "wh_per_request")


def test_the_language_switch_keeps_numbers_both_languages_read(client):
    r = client.get("/training?hardware=a100&count=8&hours=20:24:30&mfu=&flops=&power_w=250,5&pue=1,2:1,3:1,5"
                   "&location=FR&lang=fr")
    assert r.status_code == 200, r.text[:300]
    link = unescape(re.search(r'id="lang-switch" hreflang="en" href="([^"]+)"', r.text).group(1))
    assert "power_w=250.5" in link and "pue=1.2%3A1.3%3A1.5" in link and "hours=20%3A24%3A30" in link
    en = client.get(link)
    assert en.status_code == 200
    assert _total(en.text).replace(",", "") == _total(r.text).replace("\u202f", "").replace(",", ".")
