"""Routes, forms, the JSON API, languages, escaping, and that nothing is written."""

from __future__ import annotations

import re
import subprocess
import sys
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

PAGES = ["/", "/training", "/inference", "/usage", "/my-ai-day", "/runs", "/cases", "/cases/bloom-training", "/api"]
RESULTS = {
    "training": "/training?hardware=a100&count=8&hours=24&location=FR&pue=&embodied=1",
    "inference": "/inference?task=chatgpt-gpt4o-query-epoch&requests=1000&location=US",
    "usage": "/usage?users=100e6&requests_per_day=10&days=30&task=bloom-api-request&location=US",
    "my-ai-day": "/my-ai-day?prompts_per_day=10&images_per_day=1&video_hours_per_day=1&device=smartphone"
                 "&network=4g&other_devices=laptop&country=FR",
}


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_page_answers_in_both_languages(client, path, lang):
    r = client.get(path, params={"lang": lang})
    assert r.status_code == 200
    assert f'<html lang="{lang}">' in r.text
    assert 'id="lang-switch"' in r.text
    assert "<script" not in r.text.lower()
    # no external resource: nothing is loaded from another host
    assert not re.search(r'(src|href)="(https?:)?//', r.text)


@pytest.mark.parametrize("name", list(RESULTS))
def test_calculators_answer_with_iceberg_range_equivalents_and_a_share_link(client, name):
    r = client.get(RESULTS[name])
    assert r.status_code == 200, r.text[:2000]
    html = r.text
    assert 'id="result"' in html and 'id="total"' in html
    assert "<svg" in html and "aiceberg-iceberg" in html
    assert 'id="equivalents"' in html and 'id="parts"' in html
    assert "range:" in html
    share = re.search(r'id="share" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert dict(parse_qsl(urlsplit(share).query)) == dict(parse_qsl(urlsplit(RESULTS[name]).query,
                                                                     keep_blank_values=False))
    # the shared link reproduces the same total
    again = client.get(share)
    total = re.search(r'id="total">([^<]+)<', html).group(1)
    assert re.search(r'id="total">([^<]+)<', again.text).group(1) == total


def test_empty_form_shows_worked_example_and_no_result(client):
    r = client.get("/training")
    assert 'id="result"' not in r.text
    assert 'name="hardware" value="a100"' in r.text


def test_language_switch_keeps_the_parameters(client):
    r = client.get(RESULTS["training"] + "&lang=en")
    link = re.search(r'id="lang-switch" hreflang="fr" href="([^"]+)"', r.text).group(1).replace("&amp;", "&")
    q = dict(parse_qsl(urlsplit(link).query))
    assert q["lang"] == "fr" and q["hardware"] == "a100" and q["hours"] == "24"
    fr = client.get(link)
    assert "Empreinte" in fr.text or "fourchette" in fr.text
    assert "\u202f" in fr.text or "," in re.search(r'id="total">([^<]+)<', fr.text).group(1)


def test_my_ai_day_shows_actions_uses_and_population(client):
    html = unescape(client.get(RESULTS["my-ai-day"] + "&lang=fr").text)
    assert 'id="action-keep-device-longer"' in html and "vous économisez" in html
    assert 'id="action-wifi-not-mobile"' in html and 'id="action-one-device-fewer"' in html
    assert "aucun chiffre publié" in html
    assert "100 millions" in html and "1,6 milliard" in html
    assert 'id="assumptions"' in html


def test_form_errors_are_shown_next_to_the_field_in_the_page_language(client):
    r = client.get("/training?hardware=a100&count=huit&hours=24&location=FR&lang=fr")
    assert r.status_code == 422
    assert 'id="err-count"' in r.text and "n'est pas un nombre" in unescape(r.text)
    r = client.get("/training?hardware=zzz-gpu&count=8&hours=24&location=FR&lang=fr")
    assert 'id="err-hardware"' in r.text and "est inconnu" in r.text
    r = client.get("/training?hardware=a100&count=8&hours=24&location=Narnia&lang=en")
    assert 'id="err-location"' in r.text and "“Narnia” is not known" in r.text
    r = client.get("/training?hardware=a100&count=8&hours=24&gpu_hours=5&location=FR")
    assert 'id="err-hours"' in r.text
    r = client.get("/my-ai-day?prompts_per_day=-3&lang=en")
    assert 'id="err-prompts_per_day"' in r.text


def test_user_text_is_escaped_in_forms(client):
    r = client.get("/training?hardware=<script>alert(1)</script>&count=8&hours=24&lang=en")
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;" in r.text


# -- the API ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path,body", [
    ("/api/estimate/training", {"hardware": "a100", "count": 8, "hours": 24, "location": "FR"}),
    ("/api/estimate/inference", {"task": "chatgpt-gpt4o-query-epoch", "requests": 1000, "location": "US"}),
    ("/api/estimate/usage", {"users": 1e8, "requests_per_day": 10, "days": 30, "wh_per_request": 3.75,
                             "location": "US"}),
    ("/api/my-ai-day", {"network": "4g", "other_devices": ["laptop"], "lang": "fr"}),
])
def test_api_answers_footprint_dict(client, path, body):
    r = client.post(path, json=body)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["co2e_kg_low"] <= d["co2e_kg"] <= d["co2e_kg_high"]
    assert d["parts"] and "equivalents" in d and "sources" in d


def test_api_shares_the_engine(client):
    from aiceberg.explain.render import footprint_dict
    from aiceberg.model.training import estimate_training

    d = client.post("/api/estimate/training", json={"hardware": "a100", "count": 8, "hours": 24,
                                                    "location": "FR"}).json()
    ref = footprint_dict(estimate_training("a100", count=8, hours=24, location="FR", title="Training"))
    assert d["co2e_kg"] == pytest.approx(ref["co2e_kg"])


@pytest.mark.parametrize("body,field", [
    ({"hardware": "a100", "count": "8", "hours": 24}, "count"),
    ({"hardware": "a100", "count": 8.5, "hours": 24}, "count"),
    ({"hardware": "a100", "count": True, "hours": 24}, "count"),
    ({"hardware": "a100", "count": 8, "hours": -1}, "hours"),
    ({"hardware": "a100", "count": 8}, "hours"),
    ({"hardware": "nope-9000", "hours": 1}, "hardware"),
    ({"hardware": "a100", "hours": 1, "location": "Narnia"}, "location"),
    ({"hardware": "a100", "hours": 1, "pue": "0.5"}, "pue"),
    ({"hardware": "a100", "hours": 1, "colour": "red"}, "colour"),
    ({"count": 8, "hours": 1}, "hardware"),
])
def test_api_bad_input_is_422_with_the_field(client, body, field):
    r = client.post("/api/estimate/training", json=body)
    assert r.status_code == 422, r.text
    fields = [d["field"] for d in r.json()["detail"]]
    assert field in fields
    assert all("message" in d and "accepted" in d for d in r.json()["detail"])


@pytest.mark.parametrize("raw", [b"", b"{", b"[1,2]", b"null", b'"text"', b"1e999", b'{"hours": NaN}'])
def test_api_bad_json_is_422(client, raw):
    r = client.post("/api/estimate/training", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"]


def test_api_cases(client):
    cases = client.get("/api/cases").json()
    assert any(c["name"] == "bloom-training" for c in cases)
    d = client.get("/api/cases/bloom-training?lang=fr").json()
    assert "complete" in d and "published" in d and "reproduced" in d
    assert client.get("/api/cases/nope").status_code == 404
    assert client.get("/api/cases?lang=xx").status_code == 422


def test_openapi_document_is_valid(client):
    from openapi_spec_validator import validate

    doc = client.get("/openapi.json").json()
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    for path in ("/api/estimate/training", "/api/estimate/inference", "/api/estimate/usage", "/api/my-ai-day"):
        assert "post" in doc["paths"][path]
        assert "422" in doc["paths"][path]["post"]["responses"]


# -- runs ------------------------------------------------------------------------------------------
def test_runs_list_escapes_names_and_links_to_reports(client):
    html = client.get("/runs").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html
    assert html.count('class="run-link"') == 4


def test_a_runs_status_is_in_the_readers_language(client):
    # the French runs table read "finished"
    html = client.get("/runs?lang=fr").text
    assert "<td>terminée</td>" in html and "<td>finished</td>" not in html
    assert "<td>finished</td>" in client.get("/runs").text


def test_runs_filters_by_date_and_host(client):
    assert client.get("/runs?host=gpu-node-1").text.count('class="run-link"') == 2
    assert client.get("/runs?from=2024-05-01&to=2024-05-31").text.count('class="run-link"') == 2
    assert client.get("/runs?from=2024-05-11&host=gpu-node-1").text.count('class="run-link"') == 1


def test_run_report_page(client):
    r = client.get("/runs/run-aaaa-0001?lang=fr")
    assert r.status_code == 200
    assert "&lt;script&gt;" in r.text and "<script>" not in r.text
    assert "aiceberg-iceberg" in r.text and 'id="parts"' in r.text
    assert "pas encore d'empreinte" in unescape(client.get("/runs/run-dddd-0004?lang=fr").text)
    assert client.get("/runs/unknown-run").status_code == 404


def test_missing_store_is_reported_not_created(tmp_path):
    from starlette.testclient import TestClient

    from aiceberg.web import create_app

    db = tmp_path / "nowhere" / "runs.db"
    with TestClient(create_app(str(db)), base_url="http://localhost") as c:
        r = c.get("/runs")
        assert r.status_code == 200 and 'id="no-store"' in r.text
        for path in PAGES + list(RESULTS.values()):
            c.get(path)
        c.post("/api/my-ai-day", json={})
    assert not db.exists() and not db.parent.exists()
    assert list(tmp_path.iterdir()) == []


def test_app_does_not_write_to_the_store(store_path, client):
    before = store_path.stat().st_mtime_ns
    client.get("/runs")
    client.get("/runs/run-bbbb-0002")
    assert store_path.stat().st_mtime_ns == before


def test_unknown_page_is_404(client):
    assert client.get("/nope?lang=fr").status_code == 404
    assert client.post("/api/nope").status_code == 404


# -- packaging -------------------------------------------------------------------------------------
def test_import_aiceberg_and_help_do_not_import_starlette():
    code = ("import sys, aiceberg, aiceberg.web, aiceberg.cli; aiceberg.cli.build_parser();"
            "import aiceberg.model.daily, aiceberg.web.schema, aiceberg.web.pages, aiceberg.web.checks;"
            "import aiceberg.web.engine, aiceberg.web.guard, aiceberg.web.openapi, aiceberg.cli.serve;"
            "assert 'starlette' not in sys.modules and 'uvicorn' not in sys.modules, 'web stack imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
    for argv in (["--help"], ["serve", "--help"], ["estimate", "training", "--hardware", "a100", "--hours", "1"]):
        code = ("import sys; from aiceberg.cli import main\ntry: main(" + repr(argv) + ")\nexcept SystemExit: pass\n"
                "assert 'starlette' not in sys.modules, 'starlette imported'")
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_serve_without_the_extra_fails_in_one_line():
    code = ("import sys; sys.modules['starlette'] = None; sys.modules['uvicorn'] = None;"
            "from aiceberg.cli import main; sys.exit(main(['serve', '--port', '0']))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0
    assert "pip install 'aiceberg[web]'" in p.stderr


def test_run_page_shows_the_same_report_as_the_cli(client, store_path):
    from aiceberg.explain.report import render_html, report_data, run_input
    from aiceberg.store import open_store

    store = open_store(str(store_path))
    try:
        rec = store.get_run("run-bbbb-0002")
        src = run_input(rec, store.series(rec.run_id, max_points=400), store.phases(rec.run_id))
    finally:
        store.close()
    doc = render_html(report_data(src.fp, lang="fr", **src.kwargs()))
    html = client.get("/runs/run-bbbb-0002?lang=fr").text  # its speed: benchmarks/web_speed.py
    sections = re.findall(r'<h2 id="(h-[a-z]+)">', doc)
    assert sections and re.findall(r'<h2 id="(h-[a-z]+)">', html) == sections
    assert 'id="lang-switch"' in html and html.count("<main>") == 1 and html.count("<html") == 1
    for part in src.fp.parts:
        assert f'data-part="{part.name}"' in html


def test_a_forms_suggested_places_are_named_in_the_readers_language(client):
    # the French inference form suggested "Germany", "United States"…
    fr = client.get("/inference?lang=fr").text
    assert '<option value="DE">Allemagne</option>' in fr and ">Germany<" not in fr
    assert '<option value="DE">Germany</option>' in client.get("/inference").text
