"""What a report says, gathered once and rendered as HTML, Markdown or JSON.

:func:`report_data` collects the headline, the equivalents, the comparison with the case studies, the
provenance (every factor, every source resolved to its title, publisher and year), the statuses, the
warnings and what is left out; for a case, published beside reproduced; for a run, its power trace.
The renderers only lay it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiceberg.errors import InputError
from aiceberg.explain.charts import CompareEntry, comparison_entries
from aiceberg.explain.equivalents import EquivalentValue, Shown, country_of, for_footprint, headline, readable
from aiceberg.i18n import Msg, check_lang, has, localise, t
from aiceberg.i18n import numbers as N
from aiceberg.model.footprint import Footprint, Status
from aiceberg.refdata import get_source

__all__ = ["KINDS", "ReportData", "RunTrace", "SourceRow", "report_data", "run_info", "status_word"]

KINDS = ("estimate", "case", "run")


@dataclass(frozen=True)
class RunTrace:
    """A measured run, as the report needs it.

    Attributes:
        run_id: the store's id.
        name: the run's name (shown escaped).
        series: device label → ``[(t_s, power_w), …]``.
        phases: ``(name, start_s, end_s)``; ``end_s`` is None for a phase still open.
        status, started_at, duration_s, energy_kwh, command, host, location: the facts the report lists
            (``None`` or empty: not known, not shown).
        info: other facts to list, label → text (shown as they are).
    """

    run_id: str
    name: str = ""
    series: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    phases: tuple[tuple[str, float, float | None], ...] = ()
    status: str = ""
    started_at: str = ""
    duration_s: float | None = None
    energy_kwh: float | None = None
    command: str = ""
    host: str = ""
    location: str = ""
    info: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "name": self.name, "status": self.status, "started_at": self.started_at,
                "duration_s": self.duration_s, "energy_kwh": self.energy_kwh, "command": self.command,
                "host": self.host, "location": self.location, "info": self.info,
                "phases": [{"name": n, "start_s": a, "end_s": b} for n, a, b in self.phases],
                "series": {k: [[t_s, w] for t_s, w in v] for k, v in self.series.items()}}


def run_info(run: RunTrace, lang: str = "en") -> list[tuple[str, str]]:
    """The facts of a run as ``(label, text)`` rows in ``lang``; unknown facts are left out."""
    rows = [(t("report.run_id", lang), run.run_id)]
    if run.status:
        rows.append((t("report.run_status", lang), status_word(run.status, lang)))
    if run.started_at:
        rows.append((t("report.run_started", lang), run.started_at[:19].replace("T", " ")))
    if run.duration_s is not None:
        rows.append((t("report.duration", lang), N.duration(run.duration_s, lang)))
    if run.energy_kwh is not None:
        rows.append((t("report.run_energy", lang), N.energy(run.energy_kwh, lang)))
    if run.command:
        rows.append((t("report.command", lang), run.command))
    if run.host:
        rows.append((t("report.host", lang), run.host))
    if run.location:
        rows.append((t("report.run_location", lang), run.location))
    return rows + list(run.info.items())


def status_word(status: str, lang: str = "en") -> str:
    """A run's status in words (``interrupted`` → "interrompue")."""
    key = f"report.run_status.{status}"
    return t(key, lang) if has(key) else status


@dataclass(frozen=True)
class SourceRow:
    id: str
    title: str
    publisher: str
    year: int | None
    url: str
    known: bool

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "publisher": self.publisher, "year": self.year,
                "url": self.url, "known": self.known}


@dataclass(frozen=True)
class ReportData:
    fp: Footprint
    lang: str
    title: str
    kind: str
    country: str
    equivalents: dict[str, EquivalentValue]
    shown: tuple[Shown, ...]
    headline: tuple[Shown, ...]
    comparison: list[CompareEntry]
    sources: dict[str, SourceRow]
    by_status: dict[str, list[str]]
    left_out: tuple[str, ...]
    warnings: tuple[str, ...]
    case_result: Any = None
    run: RunTrace | None = None

    def source(self, sid: str) -> SourceRow:
        return self.sources[sid]


def _resolve(ids: Sequence[str]) -> dict[str, SourceRow]:
    out: dict[str, SourceRow] = {}
    for sid in ids:
        if sid in out:
            continue
        src = get_source(sid)
        if src is None:
            out[sid] = SourceRow(sid, "", "", None, "", False)
        else:
            out[sid] = SourceRow(sid, src.title, src.publisher, src.year, src.url, True)
    return out


def report_data(fp: Footprint, *, lang: str = "en", title: str | None = None, kind: str = "estimate",
                case_result: Any = None, run: RunTrace | None = None, country: str | None = None
                ) -> ReportData:
    """Gather everything a report shows about ``fp``.

    Args:
        fp: the footprint (for a case, its complete iceberg view).
        lang: ``en`` or ``fr``.
        title: the report's title (default: the footprint's title).
        kind: ``estimate``, ``case`` or ``run``.
        case_result: a ``CaseResult`` for ``kind="case"``.
        run: a :class:`RunTrace` for ``kind="run"``.
        country: whose per-person electricity the equivalents use (default: the footprint's grid zone).
    """
    country = country or country_of(fp)
    check_lang(lang, "lang")
    if kind not in KINDS:
        raise InputError("kind", Msg("report.unknown_kind", kind=kind), ", ".join(KINDS))
    eq = for_footprint(fp.co2e_kg, fp.energy_kwh, country)
    case_name = case_result.case.name if case_result is not None else None
    title = title or localise(fp.title, lang) or (case_result.case.title(lang) if case_result is not None else "")
    comparison = comparison_entries(fp, lang, name=title if kind != "case" else "", case_name=case_name)
    ids: list[str] = list(fp.sources)
    for f in fp.factors:
        ids += f.sources
    for s in readable(eq):
        ids += s.sources
    if case_result is not None:
        ids += case_result.case.sources
    by_status: dict[str, list[str]] = {}
    for p in fp.parts:
        by_status.setdefault(str(p.status), []).append(p.name)
    order = [s.value for s in Status]
    by_status = dict(sorted(by_status.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))
    left_out = [localise(x, lang) for x in fp.meta.get("left_out", ()) or ()]
    if case_result is not None:
        left_out += [x for x in case_result.case.left_out(lang) if x not in left_out]
    return ReportData(fp=fp, lang=lang, title=title, kind=kind, country=country, equivalents=eq,
                      shown=tuple(readable(eq)), headline=tuple(headline(eq)), comparison=comparison,
                      sources=_resolve(ids), by_status=by_status, left_out=tuple(left_out),
                      warnings=tuple(localise(w, lang) for w in fp.warnings), case_result=case_result, run=run)
