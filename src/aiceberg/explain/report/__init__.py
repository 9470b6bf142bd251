"""Reports of a footprint: one self-contained HTML page, Markdown, or JSON — the same content in each.

Public API (the web app reuses it)::

    from aiceberg.explain.report import html_report, markdown_report, json_report
    html = html_report(fp, lang="fr", kind="estimate")            # a str: the whole page
    src = from_case("bloom-training", "en")                      # or from_estimate(path), from_run(id)
    html = html_report(src.fp, lang="en", **src.kwargs())

``report_data`` gathers the content once; ``render_html``/``render_markdown``/``render_json`` lay it out.
"""

from __future__ import annotations

from aiceberg.explain.report.data import KINDS, ReportData, RunTrace, report_data
from aiceberg.explain.report.html import html_report, render_html
from aiceberg.explain.report.json_report import json_report, render_json, report_dict
from aiceberg.explain.report.markdown import markdown_report, render_markdown
from aiceberg.explain.report.sources import ReportInput, from_case, from_estimate, from_run, safe_name
from aiceberg.model.footprint_json import footprint_from_dict, load_footprint_json

__all__ = [
    "KINDS",
    "ReportData",
    "ReportInput",
    "RunTrace",
    "footprint_from_dict",
    "from_case",
    "from_estimate",
    "from_run",
    "html_report",
    "json_report",
    "load_footprint_json",
    "markdown_report",
    "render_html",
    "render_json",
    "render_markdown",
    "report_data",
    "report_dict",
    "safe_name",
]
