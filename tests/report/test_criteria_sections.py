"""Reports and the text output show every criterion — complete, or which parts are not assessed — and the SCI."""

from aiceberg.explain.criteria import criteria_rows, sci_rows
from aiceberg.explain.render import footprint_text
from aiceberg.explain.report.html import html_report
from aiceberg.explain.report.markdown import markdown_report
from aiceberg.model.inference import estimate_inference
from aiceberg.model.training import estimate_training


def test_a_criterion_without_a_factor_says_so_instead_of_zero():
    given = estimate_training("a100", count=8, hours=24, intensity_g_per_kwh=57, pue=1.2)
    rows = {r[0]: r for r in criteria_rows(given, "en")}
    # the manufacturing has a PE figure, the electricity (no zone: no mix) has none: the total is partial and
    # says which parts it lacks
    assert rows["Primary energy"][2].startswith("incomplete: not assessed for GPU electricity (compute)")
    assert rows["Water consumed"] == ("Water consumed", "–", "not assessed: no sourced factor for these parts")
    assert rows["Global warming (carbon)"][2] == "every part assessed"
    located = estimate_training("a100", count=8, hours=24, location="FR", pue=1.2)
    water = {r[0]: r for r in criteria_rows(located, "fr")}["Eau consommée"]
    assert water[1].endswith("L)") and "Fabrication des GPU" in water[2]


def test_html_and_markdown_have_the_two_sections(tmp_path):
    fp = estimate_inference(parameters_b=70, output_tokens=400, location="US", requests=1000)
    html = html_report(fp, lang="fr")
    assert 'id="h-impacts"' in html and 'id="h-sci"' in html and 'href="#h-sci"' in html
    assert "par requête" in html and "périmètre consommateur" in html
    md = markdown_report(fp, lang="en")
    assert "## More than carbon" in md and "## Software Carbon Intensity (SCI)" in md
    _, per = sci_rows(fp, "en")[0]
    assert per.endswith("per request") and per in md.replace("\\", "")


def test_the_text_output_ends_its_iceberg_with_the_criteria_and_the_sci():
    fp = estimate_training("h100", count=8, hours=24, location="FR")
    out = footprint_text(fp, "en")
    assert "More than carbon:" in out and "per training run (provider boundary)" in out
