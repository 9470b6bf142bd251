"""The report as Markdown (GitHub-flavoured tables): for a paper's appendix or a model card.

Same content as the HTML page, without the pictures: the iceberg becomes its table of parts with
the visible/submerged split, the comparison a table on the same figures.
"""

from __future__ import annotations

import re
from collections.abc import Set
from typing import Any

from aiceberg.explain.i18n import fmt_energy_kwh, fmt_exact, fmt_mass_kg, fmt_number, label
from aiceberg.explain.report.common import energy, mass, mass_range, num_range, pct, version
from aiceberg.explain.report.data import ReportData, RunTrace, report_data
from aiceberg.explain.report.labels import t
from aiceberg.model.footprint import Footprint

__all__ = ["markdown_report", "render_markdown"]


def _cell(x: Any) -> str:
    """Text safe in a Markdown table cell: one line, pipes and HTML-ish characters neutralised."""
    s = re.sub(r"[ \t\r\n\f\v]+", " ", str(x)).strip()  # not U+202F: French typography keeps it
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
    out = [f"# {_text(d.title or t('report', lang))}", "",
           f"*{_text(t('kind:' + d.kind, lang))} — {_text(t('report', lang))}*", "",
           f"## {t('headline', lang)}", ""]
    rng = mass_range(g, lang)
    out.append(f"- **{_text(t('total_emissions', lang))}: {_text(fmt_mass_kg(g.central, lang))}**"
               + (f" ({_text(t('likely_range', lang))} {_text(rng)})" if rng else ""))
    out.append(f"- {_text(t('total_energy', lang))}: {_text(fmt_energy_kwh(e.central, lang))}"
               + (f" ({_text(num_range(e, lang))} kWh)" if not e.is_exact else ""))
    out.append(f"- ▲ {_text(label('visible', lang))}: {_text(fmt_mass_kg(vis, lang))} "
               f"({_text(pct(vis, g.central, lang))})")
    out.append(f"- ▼ {_text(label('submerged', lang))}: {_text(fmt_mass_kg(sub, lang))} "
               f"({_text(pct(sub, g.central, lang))})")
    for key in d.headline:
        ev = d.equivalents[key]
        out.append(f"- {_text(t('as_much_as', lang))} **{_text(fmt_number(ev.value.central, lang))}** "
                   f"{_text(ev.label(lang))}")
    out += ["", f"## {t('breakdown', lang)}", "", _text(t("iceberg_note", lang)), ""]
    rows = []
    for p in fp.parts:
        rows.append([("▲ " if p.visible else "▼ ") + _cell(label(p.name, lang)), _cell(energy(p.energy_kwh, lang)),
                     _cell(mass(p.co2e_kg, lang)), _cell(mass_range(p.co2e_kg, lang)),
                     _cell(pct(p.co2e_kg.central, g.central, lang)), _cell(label("status:" + str(p.status), lang)),
                     _cell(", ".join(dict.fromkeys(p.sources)))])
    rows.append([f"**{_cell(label('total', lang))}**", _cell(energy(e, lang)), f"**{_cell(mass(g, lang))}**",
                 _cell(mass_range(g, lang)), "100 %", _cell(label("status:" + str(fp.status), lang)), ""])
    out.append(_table([label("part", lang), label("energy", lang), label("co2e", lang), label("range", lang),
                       t("share", lang), label("status", lang), label("sources", lang)], rows, {1, 2, 4}))
    details = [(p.name, p.detail) for p in fp.parts if p.detail]
    if details:
        out += ["", f"**{_text(t('detail', lang))}**", ""]
        out += [f"- {_text(label(n, lang))}: {_text(det)}" for n, det in details]
    if d.case_result is not None:
        r = d.case_result
        dev = r.deviation_pct
        convention = f"**{_text(label('convention', lang))}:** {_text(r.case.convention(lang))}"
        out += ["", f"## {t('case', lang)}", "", convention, ""]
        crow = []
        for p in r.case.published:
            got = r.reproduced.get(p.metric)
            crow.append([_cell(f"{p.metric} ({p.unit})"), _cell(fmt_exact(p.value, lang)),
                         _cell(fmt_exact(got, lang)) if got is not None else "–",
                         _cell(f"{dev[p.metric]:+.2f} %".replace(".", "," if lang == "fr" else "."))
                         if p.metric in dev else "", _cell(label("status:" + p.status, lang)), _cell(p.where)])
        out.append(_table([label("metric", lang), label("published", lang), label("reproduced", lang),
                           label("deviation", lang), label("status", lang), label("sources", lang)], crow, {1, 2, 3}))
        if r.notes:
            out += [""] + [f"- {_text(n)}" for n in r.notes]
        repro = r.reproduction.co2e_kg.central
        if repro:
            out += ["", _text(t("case_ratio", lang, ratio=fmt_number(r.complete.co2e_kg.central / repro, lang)))]
    if d.run is not None:
        run = d.run
        out += ["", f"## {t('run', lang)}", ""]
        info = {t("run_id", lang): run.run_id, **run.info}
        out.append(_table([t("metric", lang), t("value", lang)], [[_cell(k), _cell(v)] for k, v in info.items()]))
        if run.series:
            out += ["", _table([label("part", lang), "W (min)", "W (max)", "n"],
                               [[_cell(k), _cell(fmt_number(min(w for _, w in s), lang)),
                                 _cell(fmt_number(max(w for _, w in s), lang)), str(len(s))]
                                for k, s in run.series.items()], {1, 2, 3})]
        if run.phases:
            out += ["", _table([t("phase", lang), t("start", lang), t("end", lang)],
                               [[_cell(n), _cell(fmt_number(a, lang)),
                                 _cell(fmt_number(b, lang)) if b is not None else "…"]
                                for n, a, b in run.phases], {1, 2})]
    out += ["", f"## {label('equivalents', lang)}", "", _text(t("equivalents_note", lang)), ""]
    out.append(_table([t("equivalent", lang), t("value", lang), label("range", lang), label("sources", lang)],
                      [[_cell(ev.label(lang)), _cell(fmt_number(ev.value.central, lang)),
                        _cell(num_range(ev.value, lang)), _cell(", ".join(dict.fromkeys(ev.sources)))]
                       for ev in d.equivalents.values()], {1, 2}))
    out += ["", f"## {t('comparison', lang)}", "", _text(t("comparison_note", lang)), ""]
    out.append(_table([t("case_col", lang), t("complete_col", lang), label("range", lang), t("published_col", lang)],
                      [[("**" + _cell(c.label) + "**") if c.highlight else _cell(c.label),
                        _cell(fmt_mass_kg(c.complete.central, lang)), _cell(mass_range(c.complete, lang)),
                        _cell(fmt_mass_kg(c.published, lang)) if c.published else "–"] for c in d.comparison],
                      {1, 2, 3}))
    out += ["", f"## {t('provenance', lang)}", "", f"### {label('factors', lang)}", ""]
    out.append(_table([t("factor", lang), t("value", lang), label("range", lang), t("unit", lang), t("year", lang),
                       label("status", lang), label("sources", lang)],
                      [[_cell(f.name), _cell(fmt_number(f.value.central, lang, 4)), _cell(num_range(f.value, lang)),
                        _cell(f.unit), _cell(f.year if f.year is not None else "–"),
                        _cell(label("status:" + str(f.status), lang)), _cell(", ".join(f.sources))]
                       for f in fp.factors], {1, 2, 4}))
    out += ["", f"### {t('how_obtained', lang)}", ""]
    out.append(_table([label("status", lang), t("parts_col", lang)],
                      [[_cell(label("status:" + s, lang)), _cell(", ".join(label(n, lang) for n in names))]
                       for s, names in d.by_status.items()]))
    out += ["", f"### {t('source_list', lang)}", ""]
    for s in d.sources.values():
        if s.known:
            url = f" <{s.url}>" if s.url else ""
            out.append(f"- `{s.id}` — {_text(s.title)}. {_text(s.publisher)}, {s.year}.{url}")
        else:
            out.append(f"- `{s.id}` — {_text(t('unknown_source', lang))}")
    out += ["", f"## {t('notes', lang)}", ""]
    if d.warnings:
        out += [f"**{_text(label('warnings', lang))}**", ""] + [f"- {_text(w)}" for w in d.warnings] + [""]
    out += [f"**{_text(label('left_out', lang))}**", ""]
    out += [f"- {_text(x)}" for x in d.left_out] if d.left_out else [_text(t("nothing_left_out", lang))]
    out += ["", "---", "", _text(t("generated", lang, version=version())), ""]
    return "\n".join(out)


def markdown_report(fp: Footprint, *, lang: str = "en", title: str | None = None, kind: str = "estimate",
                    case_result: Any = None, run: RunTrace | None = None, country: str | None = None) -> str:
    """The report of ``fp`` as Markdown (same arguments as :func:`aiceberg.explain.report.html_report`)."""
    return render_markdown(report_data(fp, lang=lang, title=title, kind=kind, case_result=case_result, run=run,
                                       country=country))
