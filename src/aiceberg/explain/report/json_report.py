"""The report as JSON: ``aiceberg.explain.render.footprint_dict`` plus the report's own sections."""

from __future__ import annotations

import json
from typing import Any

from aiceberg.explain.case_text import case_dict
from aiceberg.explain.equivalents import shown_dict
from aiceberg.explain.render import footprint_dict
from aiceberg.explain.report.common import version
from aiceberg.explain.report.data import ReportData, RunTrace, report_data
from aiceberg.model.footprint import Footprint

__all__ = ["json_report", "render_json", "report_dict"]


def report_dict(d: ReportData) -> dict[str, Any]:
    """``footprint_dict`` of the footprint, with a ``report`` object: kind, title, language, headline
    equivalents, comparison with the cases, sources resolved, statuses, left out; ``case`` and ``run``
    where they apply."""
    out = footprint_dict(d.fp, d.lang, d.country)
    out["left_out"] = list(d.left_out)
    report: dict[str, Any] = {
        "kind": d.kind,
        "title": d.title,
        "lang": d.lang,
        "generator": f"aiceberg {version()}",
        "headline_equivalents": [s.id for s in d.headline],
        "equivalents_shown": [shown_dict(s, d.lang) for s in d.shown],
        "comparison": [
            {"key": e.key, "label": e.label, "co2e_kg": e.complete.central, "co2e_kg_low": e.complete.low,
             "co2e_kg_high": e.complete.high, "published_co2e_kg": e.published, "highlight": e.highlight}
            for e in d.comparison
        ],
        "sources": {k: s.to_dict() for k, s in d.sources.items()},
        "by_status": d.by_status,
    }
    out["report"] = report
    if d.case_result is not None:
        out["case"] = case_dict(d.case_result, d.lang)
    if d.run is not None:
        out["run"] = d.run.to_dict()
    return out


def render_json(d: ReportData) -> str:
    return json.dumps(report_dict(d), indent=2, ensure_ascii=False, default=str) + "\n"


def json_report(fp: Footprint, *, lang: str = "en", title: str | None = None, kind: str = "estimate",
                case_result: Any = None, run: RunTrace | None = None, country: str | None = None) -> str:
    """The report of ``fp`` as a JSON string (same arguments as :func:`aiceberg.explain.report.html_report`)."""
    return render_json(report_data(fp, lang=lang, title=title, kind=kind, case_result=case_result, run=run,
                                   country=country))
