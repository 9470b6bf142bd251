"""The web app's scenario pages and API."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette", reason="the web app is in the [web] extra (in [test])")

from starlette.testclient import TestClient

from aiceberg.web import create_app


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(), base_url="http://localhost")


def test_the_templates_page_lists_them_and_links_each(client: TestClient) -> None:
    r = client.get("/scenarios?lang=fr")
    assert r.status_code == 200 and "ChatGPT pendant un mois" in r.text and "/scenarios/chatgpt-month" in r.text
    assert 'href="/scenarios?lang=fr"' in r.text  # in the navigation


def test_a_template_page_has_the_iceberg_distribution_tornado_and_comparison(client: TestClient) -> None:
    r = client.get("/scenarios/chatgpt-month")
    assert r.status_code == 200
    for cls in ("aiceberg-iceberg", "aiceberg-histogram", "aiceberg-tornado", 'id="compare"', 'id="actions"'):
        assert cls in r.text
    assert client.get("/scenarios/no-such").status_code == 404


def test_a_pasted_scenario_with_problems_lists_every_one(client: TestClient) -> None:
    bad = "[scenario]\nperiod_days = -1\nunit = 'nope'\n"
    r = client.post("/scenarios/run", data={"toml": bad})
    assert r.status_code == 422
    assert "scenario.period_days" in r.text and "scenario.unit" in r.text


def test_the_api_answers_the_json_of_the_command_line(client: TestClient) -> None:
    from aiceberg.scenario import get_template

    text = get_template("chatgpt-month").text()
    r = client.post("/api/scenario", json={"toml": text, "samples": 2000, "seed": 1, "lang": "fr"})
    d = r.json()
    assert r.status_code == 200 and d["samples"]["n"] == 2000 and d["unit"] == "per-request"
    assert d["phases"][0]["label"] == "entraînement final"
    r = client.post("/api/scenario", content="[scenario]\nperiod_days = 30\nunit = 'x'\n",
                    headers={"content-type": "application/toml"})
    assert r.status_code == 422 and [x["field"] for x in r.json()["detail"]] == ["scenario.unit"]
    r = client.post("/api/scenario", json={"toml": text, "samples": -1})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "samples"
