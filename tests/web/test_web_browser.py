"""The pages in headless Chromium (Debian's package driven by Playwright): fill each calculator, see the
iceberg, switch the language, follow a run to its report. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("AICEBERG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def base_url(app, serve):
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def page(base_url):
    from playwright import sync_api

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        pg = browser.new_page(viewport={"width": 1200, "height": 900})
        # nothing may leave the machine: any request to another host fails the test
        outside: list[str] = []
        pg.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url)
              and not r.url.startswith("data:") else None)
        # and nothing the pages ask for is missing (the favicon included)
        missing: list[str] = []
        pg.on("response", lambda r: missing.append(f"{r.status} {r.url}") if r.status == 404 else None)
        yield pg
        browser.close()
        assert not outside, f"requests outside the app: {outside}"
        assert not missing, f"answered 404: {missing}"


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _iceberg_drawn(page) -> None:
    svg = page.locator("#iceberg svg")
    svg.wait_for()
    box = svg.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 150
    assert page.locator("#iceberg svg polygon, #iceberg svg path").count() > 1


def test_training_calculator(page, base_url):
    page.goto(f"{base_url}/training?lang=en")
    _shot(page, "training-form")
    page.fill("#f-hardware", "h100")
    page.fill("#f-count", "64")
    page.fill("#f-hours", "72")
    page.fill("#f-location", "DE")
    page.click("#go")
    page.wait_for_selector("#result")
    _iceberg_drawn(page)
    assert "hardware=h100" in page.url and "count=64" in page.url
    assert "CO₂e" in page.inner_text("#total")
    _shot(page, "training-result")
    page.click("#lang-switch")
    page.wait_for_selector("#result")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "count=64" in page.url
    assert "Tous les postes" in page.content()
    _shot(page, "training-result-fr")


def test_training_from_flops_with_a_range(page, base_url):
    from html import unescape

    from aiceberg.model.training import estimate_training
    from aiceberg.web.pages import mass, mass_range

    def _span(fp, lang):
        return mass_range(fp.co2e_kg.central, fp.co2e_kg.low, fp.co2e_kg.high, lang)

    page.goto(f"{base_url}/training?lang=fr")
    assert page.locator("#range-hint").is_visible()
    page.fill("#f-hardware", "a100")
    page.fill("#f-count", "1024")
    page.fill("#f-hours", "")
    page.fill("#f-flops", "3,14e23")
    page.fill("#f-mfu", "0,2:0,3:0,45")  # a range, typed with French decimal commas
    page.fill("#f-location", "")
    page.fill("#f-intensity", "429")
    page.click("#go")
    page.wait_for_selector("#result")
    _iceberg_drawn(page)
    assert "flops=3%2C14e23" in page.url and "mfu=0%2C2%3A0%2C3%3A0%2C45" in page.url
    ref = estimate_training("a100", count=1024, flops=3.14e23, mfu=(0.2, 0.3, 0.45), intensity_g_per_kwh=429)
    assert unescape(page.inner_text("#total")) == mass(ref.co2e_kg.central, "fr")
    headline = page.inner_text("#result .headline")
    assert _span(ref, "fr") in headline
    exact = estimate_training("a100", count=1024, flops=3.14e23, mfu=0.3, intensity_g_per_kwh=429)
    assert _span(exact, "fr") not in headline
    assert page.input_value("#f-mfu") == "0,2:0,3:0,45"
    _shot(page, "training-flops-range-fr")


def test_training_form_error_next_to_field(page, base_url):
    page.goto(f"{base_url}/training?lang=fr")
    page.fill("#f-count", "beaucoup")
    page.click("#go")
    err = page.locator("#err-count")
    err.wait_for()
    assert "n'est pas un nombre" in err.inner_text()
    _shot(page, "training-error-fr")


def test_inference_calculator(page, base_url):
    page.goto(f"{base_url}/inference?lang=en")
    page.select_option("#f-task", "gemini-text-prompt-median")
    page.fill("#f-requests", "1000000")
    page.fill("#f-data_gb", "0.0001")
    page.select_option("#f-network", "4g")
    page.click("#go")
    page.wait_for_selector("#result")
    _iceberg_drawn(page)
    _shot(page, "inference-result")


def test_usage_calculator(page, base_url):
    page.goto(f"{base_url}/usage?lang=fr")
    page.click("#go")  # the talk's example: 100 M users × 10 prompts × 30 days
    page.wait_for_selector("#result")
    _iceberg_drawn(page)
    assert "users=100000000" in page.url or "users=1e%2B08" in page.url or "users=" in page.url
    _shot(page, "usage-result-fr")


def test_my_ai_day(page, base_url):
    page.goto(f"{base_url}/my-ai-day?lang=fr")
    _shot(page, "my-ai-day-form-fr")
    page.fill("#f-prompts_per_day", "20")
    page.fill("#f-video_hours_per_day", "1,5")
    page.select_option("#f-network", "4g")
    page.check("input[name=other_devices][value=laptop]")
    page.check("input[name=other_devices][value=tv]")
    page.click("#go")
    page.wait_for_selector("#actions")
    _iceberg_drawn(page)
    text = page.inner_text("#actions")
    assert "vous économisez" in text
    assert "aucun chiffre publié" in page.inner_text("#uses")
    assert "100 millions" in page.inner_text("#population")
    _shot(page, "my-ai-day-result-fr")
    page.click("#lang-switch")
    page.wait_for_selector("#actions")
    assert "you save" in page.inner_text("#actions")
    _shot(page, "my-ai-day-result-en")


def test_runs_to_report(page, base_url):
    page.goto(f"{base_url}/runs?lang=en")
    assert page.locator("a.run-link").count() == 4
    assert "<script>alert(1)</script>" in page.inner_text("#runs")  # shown as text, never run
    _shot(page, "runs")
    page.select_option("#f-host", "gpu-node-2")
    page.click("#runs-filter button")
    page.wait_for_url("**host=gpu-node-2**")
    assert page.locator("a.run-link").count() == 2
    page.click("a.run-link:has-text('run-bbbb')")
    page.wait_for_selector("#run-info")
    _iceberg_drawn(page)
    _shot(page, "run-report")


def test_cases(page, base_url):
    page.goto(f"{base_url}/cases?lang=fr")
    _shot(page, "cases-fr")
    page.locator("#cases a.card").first.click()
    page.wait_for_selector("#case-compare")
    assert page.locator("#iceberg svg").count() == 2  # reproduced and complete
    _shot(page, "case")


def test_home(page, base_url):
    page.goto(f"{base_url}/?lang=en")
    _shot(page, "home")
    page.click("#lang-switch")
    assert page.locator("html").get_attribute("lang") == "fr"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_api_page_fits_a_1280_px_window(page, base_url, lang):
    page.set_viewport_size({"width": 1280, "height": 800})
    try:
        page.goto(f"{base_url}/api?lang={lang}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        box = page.locator("#example").bounding_box()
        assert box and box["x"] + box["width"] <= 1280
        assert "/api/estimate/training" in page.inner_text("#example")
        _shot(page, f"api-1280-{lang}")
    finally:
        page.set_viewport_size({"width": 1200, "height": 900})


def test_favicon_is_fetched(page, base_url):
    page.goto(f"{base_url}/favicon.ico")
    assert "<svg" in page.content() or page.locator("svg").count() == 1
