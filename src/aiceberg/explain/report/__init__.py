"""Reports of a footprint: one self-contained HTML page, Markdown, or JSON — the same content in each.

Public API (the web app reuses it)::

    from aiceberg.explain.report import case_input, html_report, run_input
    html = html_report(fp, lang="fr", kind="estimate")                # a str: the whole page
    src = case_input(get_case("bloom-training").run(), "en")          # or estimate_input(fp), run_input(…)
    html = html_report(src.fp, lang="en", **src.kwargs())

Reports receive their data: the caller runs the case, reads the estimate's file, or opens the store
(``run_input(record, store.series(run_id), store.phases(run_id))``). ``report_data`` gathers the content
once; ``render_html``/``render_markdown``/``render_json`` lay it out.
"""

from __future__ import annotations

from aiceberg.explain.report.data import KINDS, ReportData, RunTrace, report_data
from aiceberg.explain.report.html import html_report, render_html
from aiceberg.explain.report.json_report import json_report, render_json, report_dict
from aiceberg.explain.report.markdown import markdown_report, render_markdown
from aiceberg.explain.report.sources import ReportInput, case_input, estimate_input, job_input, run_input, safe_name

__all__ = [
    "KINDS",
    "ReportData",
    "ReportInput",
    "RunTrace",
    "case_input",
    "estimate_input",
    "html_report",
    "job_input",
    "json_report",
    "markdown_report",
    "render_html",
    "render_json",
    "render_markdown",
    "report_data",
    "report_dict",
    "run_input",
    "safe_name",
]
