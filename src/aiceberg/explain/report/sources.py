"""Where a report's footprint comes from: a case study, an estimate's JSON file, or a run in the store."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiceberg.errors import InputError
from aiceberg.explain.report.data import RunTrace
from aiceberg.model.footprint import Footprint
from aiceberg.model.footprint_json import load_footprint_json

__all__ = ["ReportInput", "from_case", "from_estimate", "from_run", "run_input", "safe_name"]


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


def from_case(name: str, lang: str = "en") -> ReportInput:
    """A case study: its complete iceberg view, with the case result (published beside reproduced)."""
    from aiceberg.cases import get_case

    case = get_case(name)
    result = case.run()
    return ReportInput(result.complete, "case", case.name, case.title(lang), case_result=result)


def from_estimate(path: str | os.PathLike[str]) -> ReportInput:
    """The JSON that ``aiceberg estimate … --json`` printed, saved in a file."""
    fp = load_footprint_json(path)
    stem = os.path.splitext(os.path.basename(os.fspath(path)))[0]
    return ReportInput(fp, "estimate", stem, str(fp.title))


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
        raise InputError("RUN", f"run {rec.run_id[:12]} ({rec.status}) has no footprint to report"
                         + (f" (energy only: {energy:.4g} kWh)" if energy is not None else ""),
                         "a finished run whose footprint the engine computed (see 'aiceberg runs show')")
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


def from_run(run: str, db: str | None = None, store: Any = None) -> ReportInput:
    """A run of the store: its footprint (as the tracker computed it), its power over time and phases.

    Args:
        run: a run id or a unique prefix.
        db: the store (path or URL); ``None`` uses the settings (``AICEBERG_DB``…).
        store: an open store to use instead of ``db`` (left open).

    Raises:
        StoreError: unknown run, or the store cannot be opened.
        InputError: the run has no footprint (the engine could not compute one when it ran).
    """
    own = store is None
    if own:
        from aiceberg.config import load_settings
        from aiceberg.store import open_for_reading

        settings = load_settings({"db": db} if db else {}, labels={"db": "--db"})
        store = open_for_reading(settings.db)
    try:
        rec = store.get_run(run)
        series = store.series(rec.run_id, max_points=400)
        phases = store.phases(rec.run_id)
    finally:
        if own:
            store.close()
    return run_input(rec, series, phases)
