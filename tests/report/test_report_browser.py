"""The report renders in headless Chromium (Debian's ``chromium`` driven by Playwright), offline.

Skipped when playwright or chromium is absent. Saves screenshots to ``artifacts/`` (gitignored).
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest

from aiceberg.explain.report import html_report

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _screenshot(page, path: Path, height: float | None = None) -> None:
    """A full-page PNG through CDP (Playwright's own screenshot waits on fonts in some sandboxes)."""
    full = page.evaluate("document.documentElement.scrollHeight")
    cdp = page.context.new_cdp_session(page)
    shot = cdp.send("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height or full, "scale": 1}})
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


def _render(browser, html: str, tmp_path: Path, name: str):
    file = tmp_path / f"{name}.html"
    file.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(file.as_uri(), wait_until="load")
    assert requests == [file.as_uri()], requests  # nothing but the page itself: it opens offline
    assert errors == []
    return page


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_case_report_renders(browser, tmp_path, lang, case_report):
    src = case_report("bloom-training", lang)
    page = _render(browser, html_report(src.fp, lang=lang, **src.kwargs()), tmp_path, f"bloom-{lang}")
    box = page.locator("svg.aiceberg-iceberg").bounding_box()
    assert box and box["width"] > 600 and box["height"] > 300
    assert page.locator("svg.aiceberg-iceberg polygon.band").count() == len(src.fp.parts)
    assert page.locator("h2").count() >= 8
    assert page.locator("html").get_attribute("lang") == lang
    # the labels inside the picture do not spill out of it
    svg_right = box["x"] + box["width"]
    for i in range(page.locator("svg.aiceberg-iceberg g.label").count()):
        lb = page.locator("svg.aiceberg-iceberg g.label").nth(i).bounding_box()
        assert lb["x"] + lb["width"] <= svg_right + 1
    _screenshot(page, ARTIFACTS / f"report-bloom-training-{lang}.png")
    _screenshot(page, ARTIFACTS / f"report-bloom-training-{lang}-top.png", height=1250)
    page.close()


def test_run_report_renders_and_a_script_name_stays_text(browser, tmp_path, estimate, make_run, load_run):
    db = str(tmp_path / "runs.db")
    src = load_run(db, make_run(db, estimate))
    page = _render(browser, html_report(src.fp, lang="en", **src.kwargs()), tmp_path, "run")
    assert page.evaluate("window.__pwned === undefined")
    assert "<script>alert(1)</script>" in page.locator("h1").inner_text()
    assert page.locator("svg.aiceberg-power polyline").count() == 2
    _screenshot(page, ARTIFACTS / "report-run-en.png")
    page.close()


def test_print_layout_renders(browser, tmp_path, estimate):
    page = _render(browser, html_report(estimate, lang="fr"), tmp_path, "estimate-fr")
    page.emulate_media(media="print")
    assert page.locator("nav").is_hidden()
    page.emulate_media(media="screen")
    _screenshot(page, ARTIFACTS / "report-estimate-fr.png")
    page.close()
