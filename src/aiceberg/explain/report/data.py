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
from aiceberg.explain.equivalents import EquivalentValue, country_of, equivalents
from aiceberg.explain.i18n import check_lang
from aiceberg.model.footprint import Footprint, Status
from aiceberg.refdata import get_source

__all__ = ["KINDS", "ReportData", "RunTrace", "SourceRow", "report_data"]

KINDS = ("estimate", "case", "run")

#: The equivalents shown in big type in the headline, in order of preference.
HEADLINE_EQUIVALENTS = ("paris_new_york_round_trips", "person_years_electricity", "car_km", "forest_m2",
                        "smartphone_charges")


@dataclass(frozen=True)
class RunTrace:
    """A measured run, as the report needs it.

    Attributes:
        run_id: the store's id.
        name: the run's name (shown escaped).
        series: device label → ``[(t_s, power_w), …]``.
        phases: ``(name, start_s, end_s)``; ``end_s`` is None for a phase still open.
        info: other facts to list (status, duration, command, host…), label → text.
    """

    run_id: str
    name: str = ""
    series: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    phases: tuple[tuple[str, float, float | None], ...] = ()
    info: dict[str, str] = field(default_factory=dict)


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
    headline: tuple[str, ...]
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
        raise InputError("kind", f"unknown report kind {kind!r}", ", ".join(KINDS))
    eq = equivalents(fp.co2e_kg, fp.energy_kwh, country) if fp.co2e_kg.central > 0 else {}
    headline = tuple(k for k in HEADLINE_EQUIVALENTS if k in eq)[:4]
    case_name = case_result.case.name if case_result is not None else None
    title = title or fp.title or (case_result.case.title(lang) if case_result is not None else "")
    comparison = comparison_entries(fp, lang, name=title if kind != "case" else "", case_name=case_name)
    ids: list[str] = list(fp.sources)
    for f in fp.factors:
        ids += f.sources
    for e in eq.values():
        ids += e.sources
    if case_result is not None:
        ids += case_result.case.sources
    by_status: dict[str, list[str]] = {}
    for p in fp.parts:
        by_status.setdefault(str(p.status), []).append(p.name)
    order = [s.value for s in Status]
    by_status = dict(sorted(by_status.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))
    left_out = list(fp.meta.get("left_out", ()) or ())
    if case_result is not None:
        left_out += [x for x in case_result.case.left_out(lang) if x not in left_out]
    return ReportData(fp=fp, lang=lang, title=title, kind=kind, country=country, equivalents=eq,
                      headline=headline, comparison=comparison, sources=_resolve(ids), by_status=by_status,
                      left_out=tuple(left_out), warnings=tuple(fp.warnings), case_result=case_result, run=run)
