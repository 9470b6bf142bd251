"""Forms and the API report every bad field at once, in words about the form, from the message catalog;
the runs list is paged; the case pages speak the page's language."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from aiceberg.errors import InputError, UnknownNameError
from aiceberg.i18n import Msg, t
from aiceberg.web import engine

BAD_TRAINING = ("/training?hardware=zzz-gpu&count=huit&hours=24&gpu_hours=5&mfu=0.3&location=Narnia&pue=0,5"
                "&lang={lang}")
BAD_FIELDS = {"hardware", "count", "hours", "gpu_hours", "mfu", "location", "pue"}


def _errors(html: str) -> dict[str, str]:
    return {k: unescape(v) for k, v in re.findall(r'id="err-([a-z_]+)">([^<]+)<', html)}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_form_reports_every_bad_field_at_once_in_words_about_the_form(client, lang):
    r = client.get(BAD_TRAINING.format(lang=lang))
    assert r.status_code == 422
    errors = _errors(r.text)
    assert set(errors) == BAD_FIELDS
    assert errors["hours"].startswith(t("web.error.one_time", lang))
    assert errors["gpu_hours"].startswith(t("web.error.one_time", lang))
    assert errors["mfu"].startswith(t("web.error.mfu_needs_flops", lang))
    assert errors["hardware"].startswith(t("web.error.unknown_name", lang, name="zzz-gpu")[:12])
    for text in errors.values():
        assert "--" not in text, text  # no command-line flag in a form's words


def test_a_location_typo_suggests_real_names(client):
    errors = _errors(client.get("/training?hardware=a100&count=8&hours=24&location=Frnace&lang=fr").text)
    assert errors["location"].startswith("«\u202fFrnace\u202f» est inconnu\u202f; vouliez-vous dire ")
    assert "FR" in errors["location"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_api_reports_every_bad_field_at_once_with_catalog_codes(client, lang):
    body = {"hardware": "zzz-gpu", "count": 0, "hours": 24, "flops": 1e21, "location": "Narnia", "intensity": 50,
            "pue": "0.5", "lang": lang}
    r = client.post("/api/estimate/training", json=body)
    assert r.status_code == 422
    detail = {d["field"]: d for d in r.json()["detail"]}
    assert set(detail) == {"hardware", "count", "hours", "flops", "location", "intensity", "pue"}
    assert detail["hours"]["code"] == "web.error.one_time"
    assert detail["hours"]["message"] == t("web.error.one_time", lang)
    assert detail["intensity"]["message"] == t("web.error.location_and_intensity", lang)
    assert detail["count"]["code"] == "web.error.too_small"
    assert detail["count"]["message"] == t("web.error.too_small", lang, value=0)


def test_inference_rules_between_fields(client):
    r = client.post("/api/estimate/inference", json={"task": "bloom-api-request", "wh_per_request": 2,
                                                     "device": "smartphone", "output_tokens": 300})
    detail = {d["field"]: d["code"] for d in r.json()["detail"]}
    assert detail == {"task": "web.error.one_per_request", "wh_per_request": "web.error.one_per_request",
                      "device_seconds": "web.error.device_needs_seconds",
                      "output_tokens": "web.error.tokens_need_parameters"}
    r = client.post("/api/estimate/inference", json={"parameters_b": 70})
    assert {d["field"]: d["code"] for d in r.json()["detail"]} == {"output_tokens": "web.error.parameters_need_tokens"}


def test_an_engine_error_keeps_its_catalog_message_on_the_calculators_field():
    msg = Msg("input.unknown_language", value="xx")
    for engine_name, field in (("intensity_g_per_kwh", "intensity"), ("--power-w", "power_w"), ("hours", "hours"),
                               ("requests_per_user_per_day", "body")):
        er = engine.error_of("training", InputError(engine_name, msg, Msg("web.accepted.positive")))
        assert er.field == field
        assert er.to_dict("fr") == {"field": field, "message": msg.render("fr"),
                                    "accepted": t("web.accepted.positive", "fr"), "code": "input.unknown_language"}
    usage = engine.error_of("usage", InputError("requests_per_user_per_day", msg))
    assert usage.field == "requests_per_day"
    unknown = engine.error_of("usage", UnknownNameError("location", "Atlantis", ["AL", "US"], "zone"))
    expected = "«\u202fAtlantis\u202f» est inconnu\u202f; vouliez-vous dire AL, US\u202f?"
    assert unknown.to_dict("fr")["message"] == expected


def test_the_web_has_no_language_branches():
    src = Path(__file__).resolve().parents[2] / "src" / "aiceberg" / "web"
    hits = [f"{p.name}:{i}" for p in src.glob("*.py") for i, line in enumerate(p.read_text("utf-8").splitlines(), 1)
            if re.search(r"""lang\s*[!=]=\s*["']fr["']""", line)]
    assert not hits, hits
    assert not (src / "text.py").exists()


# -- runs ------------------------------------------------------------------------------------------
def test_a_run_without_a_command_says_so(client):
    html = client.get("/runs?lang=fr").text
    row = re.search(r'<tr><td><a class="run-link" href="/runs/run-dddd-0004[^"]*">.*?</tr>', html).group(0)
    assert ">—<" in row and t("web.no_command", "fr").replace("'", "&#x27;") in row
    assert "python train.py" in html
    page = unescape(client.get("/runs/run-dddd-0004?lang=en").text)
    assert re.search(r"<th>Command</th><td><span[^>]*>—</span>", page)


def test_the_runs_list_is_paged_keeping_the_filters(client, monkeypatch):
    from aiceberg.web import runs

    monkeypatch.setattr(runs, "PAGE_SIZE", 3)
    first = client.get("/runs?lang=fr").text
    ids = re.findall(r'class="run-link" href="/runs/([^?"]+)', first)
    assert ids == ["run-dddd-0004", "run-cccc-0003", "run-bbbb-0002"]  # newest first
    older = unescape(re.search(r'id="older" rel="next" href="([^"]+)"', first).group(1))
    assert 'id="newer"' not in first
    second = client.get(older).text
    assert re.findall(r'class="run-link" href="/runs/([^?"]+)', second) == ["run-aaaa-0001"]
    assert 'id="older"' not in second and 'id="newer"' in second and "lang=fr" in older
    filtered = client.get("/runs?host=gpu-node-2&page=1").text
    assert 'id="pager"' not in filtered  # two runs on that host: one page, no links


def test_the_api_lists_runs_by_pages(client):
    page = client.get("/api/runs?limit=3").json()
    assert [r["run_id"] for r in page["runs"]] == ["run-dddd-0004", "run-cccc-0003", "run-bbbb-0002"]
    assert page["next_offset"] == 3
    rest = client.get("/api/runs?limit=3&offset=3").json()
    assert [r["run_id"] for r in rest["runs"]] == ["run-aaaa-0001"] and rest["next_offset"] is None
    assert rest["runs"][0]["command"] == "python train.py --name '<b>x</b>'"
    for query, field in (("limit=0", "limit"), ("limit=abc", "limit"), ("offset=-1", "offset"), ("lang=xx", "lang")):
        r = client.get(f"/api/runs?{query}")
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == field


# -- cases -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["chatgpt-usage", "bloom-training"])
def test_case_pages_have_their_title_in_the_page_language(client, name):
    from aiceberg.cases import get_case

    for lang in ("en", "fr"):
        html = client.get(f"/cases/{name}?lang={lang}").text
        title = get_case(name).title(lang)
        assert unescape(re.search(r'<h1 id="case-title">([^<]+)</h1>', html).group(1)) == title
        assert unescape(re.search(r"<title>([^<]+)</title>", html).group(1)) == f"{title} · aiceberg"


def test_case_pages_show_published_figures_as_published(client):
    def rows(lang: str) -> dict[str, tuple[str, str, str]]:
        html = client.get(f"/cases/bloom-training?lang={lang}").text
        return {m[0]: (unescape(m[1]), unescape(m[2]), unescape(m[3])) for m in re.findall(
            r'<tr data-metric="([a-z0-9_]+)"><td>([^<]*)<div[^>]*>.*?</div></td><td class="n">([^<]*)</td>'
            r'<td class="n">([^<]*)</td>', html)}

    en, fr = rows("en"), rows("fr")
    assert en["dynamic_co2e_kg"][1].startswith("24,690 ")  # not 24,700
    assert fr["dynamic_co2e_kg"][1].startswith("24\u202f690 ")
    assert en["energy_kwh"][1] == "433,196 kWh"
    # human names for the metrics, not their keys
    assert en["dynamic_co2e_kg"][0] == t("case.metric.dynamic_co2e_kg", "en")
    assert fr["dynamic_co2e_kg"][0] == t("case.metric.dynamic_co2e_kg", "fr") != en["dynamic_co2e_kg"][0]
    assert not any("_" in name for name, _, _ in en.values())


def test_a_run_tracked_from_python_shows_its_command(tmp_path):
    import subprocess
    import sys

    from starlette.testclient import TestClient

    from aiceberg.web import create_app

    db = tmp_path / "runs.db"
    script = tmp_path / "train_model.py"
    script.write_text(f"import aiceberg\nwith aiceberg.track(store={str(db)!r}, location='FR', name='py'):\n"
                      "    sum(range(1000))\n")
    subprocess.run([sys.executable, str(script), "--epochs", "3"], check=True, capture_output=True, timeout=120)
    with TestClient(create_app(str(db)), base_url="http://localhost") as c:
        html = unescape(c.get("/runs").text)
    command = re.search(r'<td class="small"><code title="([^"]*)">([^<]*)</code></td></tr>', html)
    assert command and command.group(1).endswith("train_model.py --epochs 3")  # the whole of it
    assert command.group(1).startswith(command.group(2)[:-1])  # shown cut to the column


def test_the_pages_follow_the_data_folder(client, tmp_path):
    """After refdata.set_data_dir(), the forms, the cases and the API show the new data, not a cache."""
    import shutil

    from aiceberg import refdata

    data = tmp_path / "data"
    shutil.copytree(refdata.data_dir(), data)
    pue = data / "pue.csv"
    pue.write_text(pue.read_text("utf-8").replace("unknown,Unknown data centre (global survey average),"
                                                  "Centre de données inconnu (moyenne mondiale),1.58,",
                                                  "unknown,Unknown data centre (global survey average),"
                                                  "Centre de données inconnu (moyenne mondiale),1.67,", 1), "utf-8")
    case = data / "cases" / "bloom-training.toml"
    case.write_text(case.read_text("utf-8").replace("value = 24690", "value = 24691", 1), "utf-8")

    def seen() -> tuple[bool, bool, bool]:
        form = client.get("/training?lang=en").text
        page = client.get("/cases/bloom-training?lang=en").text
        api = client.get("/api/cases/bloom-training").json()
        return "the average, 1.67" in form, "24,691" in page, api["published"]["dynamic_co2e_kg"] == 24691

    assert seen() == (False, False, False)  # the embedded data, cached by the earlier requests
    refdata.set_data_dir(data)
    try:
        assert seen() == (True, True, True)
    finally:
        refdata.set_data_dir(None)
    assert seen() == (False, False, False)


def test_the_api_result_is_titled_in_the_request_language(client):
    for lang in ("en", "fr"):
        d = client.post("/api/estimate/training", json={"hardware": "a100", "hours": 1, "lang": lang}).json()
        assert d["title"] == t("web.training", lang)
