"""Result pages show every criterion beside the carbon (primary energy, abiotic depletion, water), each with
its total read back from the engine, and say in words — never 0 — where a part has no factor for one."""

from __future__ import annotations

import re
from html import unescape

import pytest

from aiceberg.model.footprint import CRITERIA
from aiceberg.model.training import estimate_training

TRAINING = "/training?hardware=a100&count=8&hours=24&pue=&embodied=1"


def _criteria(html: str) -> dict[str, dict[str, str | None]]:
    """criterion → its row's value attribute and cells, as the page has them."""
    table = re.search(r'<table id="criteria">(.*?)</table>', html, re.S)
    assert table, "no criteria table"
    rows = {}
    for m in re.finditer(r'<tr data-criterion="([a-z]+)"( data-value="([^"]+)")?>(.*?)</tr>', table.group(1), re.S):
        cells = [unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", m.group(4), re.S)]
        rows[m.group(1)] = {"value": m.group(3), "label": cells[0], "total": cells[1], "assessed": cells[2]}
    return rows


def test_the_training_page_shows_each_criterion_with_the_engines_total(client) -> None:
    r = client.get(TRAINING + "&location=FR")
    assert r.status_code == 200
    rows = _criteria(r.text)
    assert list(rows) == list(CRITERIA)
    fp = estimate_training("a100", count=8, hours=24, location="FR")
    for c in ("gwp", "pe", "adpe", "water"):
        assert rows[c]["value"] is not None, c
        assert float(rows[c]["value"]) == pytest.approx(fp.impact(c).central, rel=1e-9), c
    assert rows["pe"]["label"] == "Primary energy" and "GJ" in rows["pe"]["total"]
    assert rows["gwp"]["assessed"] == "every part assessed"
    # the sourced water factors cover the electricity, not the GPUs' manufacturing: said so, part by part
    assert fp.not_assessed_by("water")
    assert rows["water"]["assessed"].startswith("incomplete: not assessed for") and "GPU" in rows["water"]["assessed"]
    assert 'class="nofig"' in re.search(r'data-criterion="water".*?</tr>', r.text, re.S).group(0)


def test_a_criterion_no_part_has_a_factor_for_is_said_not_assessed_never_0(client) -> None:
    # an intensity given as a number names no electricity mix: the mix's criteria are not assessed
    rows = _criteria(client.get(TRAINING + "&intensity=50").text)
    water = rows["water"]
    assert water["value"] is None and water["total"] == "–"
    assert water["assessed"] == "not assessed: no sourced factor for these parts"
    assert not re.match(r"0\b", water["total"])
    assert rows["pe"]["assessed"].startswith("incomplete: not assessed for")


def test_the_french_page_says_it_in_french(client) -> None:
    html = client.get(TRAINING + "&location=FR&lang=fr").text
    rows = _criteria(html)
    assert rows["pe"]["label"] == "Énergie primaire" and rows["water"]["label"] == "Eau consommée"
    assert rows["gwp"]["assessed"] == "tous les postes évalués"
    assert rows["water"]["assessed"].startswith("incomplet\u202f: non évalué pour")
    assert "," in rows["pe"]["total"] and "Au-delà du carbone" in unescape(html)
    none = _criteria(client.get(TRAINING + "&intensity=50&lang=fr").text)["water"]
    assert none["assessed"] == "non évalué\u202f: aucun facteur sourcé pour ces postes"


@pytest.mark.parametrize("path", [
    "/inference?task=chatgpt-gpt4o-query-epoch&requests=1000&location=US",
    "/usage?users=100e6&requests_per_day=10&days=30&task=bloom-api-request&location=US",
    "/my-ai-day?prompts_per_day=10&images_per_day=1&video_hours_per_day=1&device=smartphone&network=4g"
    "&other_devices=laptop&country=FR",
    "/cases/bloom-training",
])
def test_every_result_page_has_the_criteria(client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    rows = _criteria(r.text)
    assert list(rows) == list(CRITERIA)
    for row in rows.values():  # a number with its unit, or a dash said not assessed: never a bare 0
        assert row["value"] is not None or row["assessed"].startswith("not assessed")
