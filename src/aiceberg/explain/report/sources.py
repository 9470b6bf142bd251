"""What a report is about — a case study, an estimate, or a run of the store — as the report's input.

Reports receive their data, they do not fetch it: the caller (``aiceberg report``, the web's run page)
runs the case, reads the estimate's file or opens the store, and hands the result here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiceberg.cases import CaseResult
from aiceberg.errors import InputError
from aiceberg.explain.report.data import RunTrace
from aiceberg.i18n import Amount, Msg
from aiceberg.model.footprint import Footprint

__all__ = ["ReportInput", "case_input", "estimate_input", "job_input", "run_input", "safe_name"]


@dataclass(frozen=True)
class ReportInput:
    """A footprint and what the report needs beside it."""

    fp: Footprint
    kind: str
    name: str
    title: str = ""
    case_result: Any = None
    run: RunTrace | None = None

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``html_report`` / ``markdown_report`` / ``json_report`` (besides lang)."""
        return {"title": self.title or None, "kind": self.kind, "case_result": self.case_result, "run": self.run}


def safe_name(name: str) -> str:
    """A file-name-safe slug of ``name`` (``<script>`` → ``script``)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return slug[:60] or "report"


def case_input(result: CaseResult, lang: str = "en") -> ReportInput:
    """A case study's report input: its complete iceberg view, with the case result (published beside
    reproduced). The caller runs the case (``get_case(name).run()``)."""
    case = result.case
    return ReportInput(result.complete, "case", case.name, case.title(lang), case_result=result)


def estimate_input(fp: Footprint, name: str = "estimate") -> ReportInput:
    """An estimate's report input: the footprint the caller read (``load_footprint_json(path)``), named
    ``name`` (the file's stem)."""
    return ReportInput(fp, "estimate", name, str(fp.title))


def run_input(rec: Any, series: Sequence[Any] = (), phases: Sequence[Any] = ()) -> ReportInput:
    """A run's report input from what the store gave: its record (with its typed summary), its power
    series (``store.series(run_id)``: a few hundred points per channel, whatever the run's length) and
    its phases.

    Raises:
        InputError: the run has no footprint (the engine could not compute one when it ran).
    """
    summary = rec.summary
    fp = None if summary is None else summary.footprint
    if fp is None:
        energy = rec.energy_kwh if rec.energy_kwh is not None else (None if summary is None else summary.energy_kwh)
        raise InputError("RUN", Msg("report.run_no_footprint_energy" if energy is not None else
                                    "report.run_no_footprint", run=rec.run_id[:12], status=rec.status,
                                    energy=Amount(energy or 0.0, "kWh")),
                         Msg("report.run_no_footprint_accepted"))
    name = rec.name or rec.run_id[:12]
    named: dict[str, list[tuple[float, float]]] = {}
    for s in series:
        if s.points:
            label = s.label if s.label not in named else f"{s.label} ({s.channel_id})"
            named[label] = list(s.points)
    trace = RunTrace(
        run_id=rec.run_id, name=name, series=named,
        phases=tuple((p.name, p.start_s, p.end_s) for p in phases), status=rec.status,
        started_at=rec.started_at or "", duration_s=rec.duration_s, energy_kwh=rec.energy_kwh,
        command=rec.command or "", host=rec.hostname or "", location=rec.location or "",
    )
    return ReportInput(fp, "run", name, rec.name or str(fp.title) or name, run=trace)


def job_input(job_id: str, fp: Footprint | None, *, title: str, status: str, started_at: str, duration_s: float,
              energy_kwh: float | None, location: str | None, info: dict[str, str]) -> ReportInput:
    """A distributed job's report input from what the caller computed (``aiceberg.jobs.job_summary``): its
    footprint counted once (one per node, added), its facts, and ``info`` (label → text, in the report's
    language: launcher, ranks, nodes, each node's energy).

    Raises:
        InputError: the job has no footprint (no sensor read anything on any node).
    """
    if fp is None:
        raise InputError("job", Msg("jobs.report.no_footprint", job=job_id), Msg("jobs.report.no_footprint_accepted"))
    name = f"job-{job_id}"
    trace = RunTrace(run_id=job_id, name=title, status=status, started_at=started_at, duration_s=duration_s,
                     energy_kwh=energy_kwh, location=location or "", info=dict(info))
    return ReportInput(fp, "run", name, title, run=trace)
