"""The report as Markdown (GitHub-flavoured tables): for a paper's appendix or a model card.

Same content as the HTML page, without the pictures: the iceberg becomes its table of parts with
the visible/submerged split, the comparison a table on the same figures.
"""

from __future__ import annotations

import re
from collections.abc import Set
from typing import Any

from aiceberg.explain.case_text import case_notes, case_rows, ratio_text, unreproduced_lines
from aiceberg.explain.criteria import criteria_rows, sci_rows
from aiceberg.explain.render import colon, part_label, status_label, unit_label
from aiceberg.explain.report.common import (
    energy,
    energy_range,
    mass,
    mass_range,
    num_range,
    pct,
    text,
    version,
)
from aiceberg.explain.report.data import ReportData, RunTrace, report_data, run_info
from aiceberg.i18n import numbers as N
from aiceberg.i18n import t
from aiceberg.model.footprint import Footprint

__all__ = ["markdown_report", "render_markdown"]


_BREAKS = re.compile(r"[\t\r\n\f\v]|  ")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


def _cell(x: Any) -> str:
    """Text safe in a Markdown table cell: one line, pipes and HTML-ish characters neutralised."""
    s = str(x)
    if _BREAKS.search(s):  # one line; not U+202F: French typography keeps it
        s = _SPACES.sub(" ", s).strip()
    return (s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("`", "\\`").replace("*", "\\*").replace("_", "\\_").replace("[", "\\[").replace("]", "\\]"))


def _text(x: Any) -> str:
    """Text safe in a Markdown paragraph or list item."""
    return _cell(x)


def _table(head: list[str], rows: list[list[str]], numeric: Set[int] = frozenset()) -> str:
    lines = ["| " + " | ".join(_cell(h) for h in head) + " |",
             "|" + "|".join("---:" if i in numeric else "---" for i in range(len(head))) + "|"]
    lines += ["| " + " | ".join(c for c in r) + " |" for r in rows]
    return "\n".join(lines)


def render_markdown(d: ReportData) -> str:
    """Markdown for gathered report data (see :func:`aiceberg.explain.report.data.report_data`)."""
    fp, lang = d.fp, d.lang
    g, e = fp.co2e_kg, fp.energy_kwh
    vis, sub = fp.visible.co2e_kg.central, fp.submerged.co2e_kg.central

    def c(label: str) -> str:
        return _text(colon(label, lang))

    out = [f"# {_text(d.title or t('report.report', lang))}", "",
           f"*{_text(t(f'report.kind.{d.kind}', lang))} — {_text(t('report.report', lang))}*", "",
           f"## {t('report.headline', lang)}", ""]
    rng = mass_range(g, lang)
    out.append(f"- **{c(t('report.total_emissions', lang))} {_text(mass(g, lang))}**"
               + (f" ({_text(t('report.range_of', lang, range=rng))})" if rng else ""))
    erng = energy_range(e, lang)
    out.append(f"- {c(t('report.total_energy', lang))} {_text(energy(e, lang))}"
               + (f" ({_text(erng)})" if erng else ""))
    out.append(f"- ▲ {c(t('heading.visible', lang))} {_text(N.co2e(vis, lang))} ({_text(pct(vis, g.central, lang))})")
    out.append(f"- ▼ {c(t('heading.submerged', lang))} {_text(N.co2e(sub, lang))} ({_text(pct(sub, g.central, lang))})")
    for s in d.headline:
        out.append(f"- {_text(t('report.as_much_as', lang))} **{_text(N.number(s.value.central, lang))}** "
                   f"{_text(s.label(lang))}")
    out += ["", f"## {t('report.breakdown', lang)}", "", _text(t("report.iceberg_note", lang)), ""]
    rows = []
    for p in fp.parts:
        rows.append([("▲ " if p.visible else "▼ ") + _cell(part_label(p.name, lang)), _cell(energy(p.energy_kwh, lang)),
                     _cell(mass(p.co2e_kg, lang)), _cell(mass_range(p.co2e_kg, lang)),
                     _cell(pct(p.co2e_kg.central, g.central, lang)), _cell(status_label(p.status, lang)),
                     _cell(", ".join(dict.fromkeys(p.sources)))])
    rows.append([f"**{_cell(t('heading.total', lang))}**", _cell(energy(e, lang)), f"**{_cell(mass(g, lang))}**",
                 _cell(mass_range(g, lang)), _cell(N.percent(100, lang)), _cell(status_label(fp.status, lang)), ""])
    out.append(_table([t("heading.part", lang), t("heading.energy", lang), t("heading.co2e", lang),
                       t("heading.range", lang), t("report.share", lang), t("heading.status", lang),
                       t("heading.sources", lang)], rows, {1, 2, 4}))
    details = [(p.name, text(p.detail, lang)) for p in fp.parts if p.detail]
    if details:
        out += ["", f"**{_text(t('report.detail', lang))}**", ""]
        out += [f"- {c(part_label(n, lang))} {_text(det)}" for n, det in details]
    if fp.parts:  # the other criteria and the SCI (explain/criteria.py)
        out += ["", f"## {t('engine.report.impacts', lang)}", "", _text(t("engine.report.impacts_note", lang)), "",
                _table([t("engine.report.criterion", lang), t("engine.report.total", lang),
                        t("engine.report.assessed", lang)], [[_cell(x) for x in r] for r in criteria_rows(fp, lang)],
                       {1}),
                "", f"## {t('engine.report.sci', lang)}", "", _text(t("engine.report.sci_note", lang)), ""]
        out += [f"- {c(a)} {_text(b)}" for a, b in sci_rows(fp, lang)]
    if d.case_result is not None:
        r = d.case_result
        convention = f"**{c(t('heading.convention', lang))}** {_text(r.case.convention(lang))}"
        out += ["", f"## {t('report.case', lang)}", "", convention, ""]
        crow = [[_cell(f"{row.name} ({row.unit})"), _cell(row.published), _cell(row.reproduced), _cell(row.deviation),
                 _cell(row.status), _cell(row.where)] for row in case_rows(r, lang)]
        out.append(_table([t("heading.metric", lang), t("heading.published", lang), t("heading.reproduced", lang),
                           t("heading.deviation", lang), t("heading.status", lang), t("heading.sources", lang)],
                          crow, {1, 2, 3}))
        extra = unreproduced_lines(r, lang) + case_notes(r, lang)
        if extra:
            out += [""] + [f"- {_text(n)}" for n in extra]
        ratio = ratio_text(r, lang)
        if ratio:
            out += ["", _text(ratio)]
    if d.run is not None:
        run = d.run
        out += ["", f"## {t('report.run', lang)}", ""]
        out.append(_table([t("heading.metric", lang), t("report.value", lang)],
                          [[_cell(k), _cell(v)] for k, v in run_info(run, lang)]))
        if run.series:
            out += ["", _table([t("heading.part", lang), "W (min)", "W (max)", "n"],
                               [[_cell(k), _cell(N.number(min(w for _, w in s), lang)),
                                 _cell(N.number(max(w for _, w in s), lang)), _cell(N.plain(len(s), lang))]
                                for k, s in run.series.items()], {1, 2, 3})]
        if run.phases:
            out += ["", _table([t("report.phase", lang), t("report.start", lang), t("report.end", lang)],
                               [[_cell(n), _cell(N.number(a, lang)),
                                 _cell(N.number(b, lang)) if b is not None else "…"]
                                for n, a, b in run.phases], {1, 2})]
    out += ["", f"## {t('heading.equivalents', lang)}", "",
            _text(t("report.equivalents_note", lang) + " " + t("report.equivalents_hidden", lang)), ""]
    if d.shown:
        out.append(_table([t("report.equivalent", lang), t("report.value", lang), t("heading.range", lang),
                           t("heading.sources", lang)],
                          [[_cell(s.label(lang)), _cell(N.number(s.value.central, lang)),
                            _cell(num_range(s.value, lang)), _cell(", ".join(dict.fromkeys(s.sources)))]
                           for s in d.shown], {1, 2}))
    else:
        out.append(_text(t("report.no_equivalent", lang)))
    out += ["", f"## {t('report.comparison', lang)}", "", _text(t("report.comparison_note", lang)), ""]
    out.append(_table([t("report.case_col", lang), t("report.complete_col", lang), t("heading.range", lang),
                       t("report.published_col", lang)],
                      [[("**" + _cell(e.label) + "**") if e.highlight else _cell(e.label),
                        _cell(mass(e.complete, lang)), _cell(mass_range(e.complete, lang)),
                        _cell(N.co2e(e.published, lang)) if e.published else "–"] for e in d.comparison],
                      {1, 2, 3}))
    out += ["", f"## {t('report.provenance', lang)}", "", f"### {t('heading.factors', lang)}", ""]
    out.append(_table([t("report.factor", lang), t("report.value", lang), t("heading.range", lang),
                       t("report.unit", lang), t("report.year", lang), t("heading.status", lang),
                       t("heading.sources", lang)],
                      [[_cell(text(f.name, lang)), _cell(N.number(f.value.central, lang, 4)),
                        _cell(num_range(f.value, lang)), _cell(unit_label(f.unit, lang)),
                        _cell(f.year if f.year is not None else "–"), _cell(status_label(f.status, lang)),
                        _cell(", ".join(f.sources))] for f in fp.factors], {1, 2, 4}))
    out += ["", f"### {t('report.how_obtained', lang)}", ""]
    out.append(_table([t("heading.status", lang), t("report.parts_col", lang)],
                      [[_cell(status_label(s, lang)), _cell(", ".join(part_label(n, lang) for n in names))]
                       for s, names in d.by_status.items()]))
    out += ["", f"### {t('report.source_list', lang)}", ""]
    for src in d.sources.values():
        if src.known:
            url = f" <{src.url}>" if src.url else ""
            out.append(f"- `{src.id}` — {_text(src.title)}. {_text(src.publisher)}, {src.year}.{url}")
        else:
            out.append(f"- `{src.id}` — {_text(t('report.unknown_source', lang))}")
    out += ["", f"## {t('report.notes', lang)}", ""]
    if d.warnings:
        out += [f"**{_text(t('heading.warnings', lang))}**", ""] + [f"- {_text(w)}" for w in d.warnings] + [""]
    out += [f"**{_text(t('heading.left_out', lang))}**", ""]
    out += [f"- {_text(x)}" for x in d.left_out] if d.left_out else [_text(t("report.nothing_left_out", lang))]
    out += ["", "---", "", _text(t("report.generated", lang, version=version())), ""]
    return "\n".join(out)


def markdown_report(fp: Footprint, *, lang: str = "en", title: str | None = None, kind: str = "estimate",
                    case_result: Any = None, run: RunTrace | None = None, country: str | None = None) -> str:
    """The report of ``fp`` as Markdown (same arguments as :func:`aiceberg.explain.report.html_report`)."""
    return render_markdown(report_data(fp, lang=lang, title=title, kind=kind, case_result=case_result, run=run,
                                       country=country))
