"""One self-contained HTML page: inline CSS, inline SVG charts drawn by the project, no script, no URL.

Every text that comes from data (titles, labels, run names, sources) goes through ``html.escape``.
The page is accessible (``lang``, headings, ``role="img"`` charts with titles, table headers) and
printable (a print stylesheet keeps figures and tables whole).
"""

from __future__ import annotations

from collections.abc import Set
from html import escape
from typing import Any

from aiceberg.explain.case_text import case_notes, case_rows, ratio_text, unreproduced_lines
from aiceberg.explain.charts import breakdown_svg, log_compare_svg, power_svg
from aiceberg.explain.criteria import criteria_rows, sci_rows
from aiceberg.explain.iceberg import iceberg_svg
from aiceberg.explain.render import colon, part_label, status_label
from aiceberg.explain.report.common import (
    anchor,
    energy,
    energy_range,
    mass,
    mass_range,
    num_range,
    pct,
    text,
    unit_label,
    version,
)
from aiceberg.explain.report.data import ReportData, RunTrace, report_data, run_info
from aiceberg.explain.svg import family_of, part_colour
from aiceberg.i18n import numbers as N
from aiceberg.i18n import t
from aiceberg.model.footprint import Footprint

__all__ = ["CSS", "html_report", "render_html"]

CSS = """
:root{--ink:#1b2a4a;--muted:#52627a;--line:#d6dee8;--bg:#f6f9fc;--accent:#1d6fa5;--warn:#8a4b00}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
main{max-width:980px;margin:0 auto;padding:24px 20px 48px}
header.top{background:linear-gradient(180deg,#dff0fb,#f6fbfe);border-bottom:1px solid var(--line)}
header.top .in{max-width:980px;margin:0 auto;padding:22px 20px 16px}
.kind{display:inline-block;font-size:13px;font-weight:600;letter-spacing:.04em;text-transform:uppercase;
 color:#fff;background:var(--accent);border-radius:4px;padding:2px 8px}
h1{font-size:30px;line-height:1.2;margin:10px 0 4px}
h2{font-size:22px;margin:40px 0 10px;padding-top:8px;border-top:2px solid var(--line)}
main>section:first-child h2{margin-top:0;border-top:0}
h3{font-size:17px;margin:20px 0 6px}
.sub{color:var(--muted);margin:0}
nav ol{display:flex;flex-wrap:wrap;gap:4px 18px;list-style:none;padding:0;margin:12px 0 0;font-size:14px}
nav a{color:var(--accent)}
.headline{display:grid;grid-template-columns:minmax(260px,1.1fr) 2fr;gap:18px;margin-top:18px}
.total{background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:16px 18px}
.total .big{font-size:36px;white-space:nowrap;font-weight:800;line-height:1.1;color:#0b3c66}
.total .rng,.total .en{color:var(--muted);font-size:15px}
.split{font-size:15px;margin-top:8px}
.eqs{display:grid;grid-template-columns:repeat(2,1fr);gap:12px}
.eq{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.eq .big{font-size:28px;font-weight:800;color:#0b3c66;line-height:1.15}
.eq .what{font-size:14px;color:var(--ink)}
.eq .rng{font-size:12.5px;color:var(--muted)}
figure{margin:12px 0;break-inside:avoid}
figure svg{width:100%;max-width:100%;height:auto;display:block}
figcaption{font-size:14px;color:var(--muted);margin-top:6px}
.tablewrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:14px;margin:8px 0 4px;break-inside:auto}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:650}
td.n,th.n{text-align:right;white-space:nowrap}
tr.total td{font-weight:700;border-top:2px solid var(--ink)}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;border:1px solid #7a8da3;margin-right:6px;
 vertical-align:-1px}
.st{display:inline-block;font-size:12px;border-radius:10px;padding:1px 8px;background:#e9eef4;white-space:nowrap}
.st-measured{background:#d3f2dc}.st-published{background:#dce9fb}.st-default{background:#fde9c8}
.st-modelled{background:#ece2fb}.st-derived{background:#dcf1f4}.st-input{background:#eef0f3}
.srcs a{color:var(--accent);font-size:12.5px}
.detail{color:var(--muted);font-size:12.5px}
.url{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:var(--muted);word-break:break-all}
ul.warn li{color:var(--warn)}
.note{color:var(--muted);font-size:14.5px}
.ratio{font-size:17px;font-weight:650}
footer{margin-top:40px;font-size:13px;color:var(--muted);border-top:1px solid var(--line);padding-top:10px}
@media (max-width:720px){.headline{grid-template-columns:1fr}h1{font-size:24px}}
@media print{nav{display:none}main{padding:0}h2{break-after:avoid}header.top{background:none}
 a{color:inherit;text-decoration:none}}
"""


def _e(x: Any) -> str:
    return escape(str(x), quote=True)


def _status(status: str, lang: str) -> str:
    return f'<span class="st st-{_e(status)}">{_e(status_label(status, lang))}</span>'


def _srcs(ids: Any) -> str:
    seen = list(dict.fromkeys(ids))
    return '<span class="srcs">' + ", ".join(f'<a href="#{_e(anchor(s))}">{_e(s)}</a>' for s in seen) + "</span>"


def _n(i: int, numeric: Set[int]) -> str:
    return ' class="n"' if i in numeric else ""


def _table(head: list[str], rows: list[list[str]], numeric: Set[int] = frozenset(), caption: str = "",
           total: list[str] | None = None) -> str:
    """``head`` is plain text (escaped here); ``rows`` are HTML already escaped by the caller."""
    out = ['<div class="tablewrap"><table>']
    if caption:
        out.append(f"<caption class=\"note\">{_e(caption)}</caption>")
    out.append("<thead><tr>" + "".join(
        f'<th scope="col"{_n(i, numeric)}>{_e(h)}</th>' for i, h in enumerate(head)
    ) + "</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>" + "".join(f'<td{_n(i, numeric)}>{c}</td>' for i, c in enumerate(r))
                   + "</tr>")
    if total:
        out.append('<tr class="total">' + "".join(
            f'<td{_n(i, numeric)}>{c}</td>' for i, c in enumerate(total)) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _headline(d: ReportData) -> str:
    fp, lang = d.fp, d.lang
    g, e = fp.co2e_kg, fp.energy_kwh
    vis, sub = fp.visible.co2e_kg.central, fp.submerged.co2e_kg.central
    rng = mass_range(g, lang)
    erng = energy_range(e, lang)
    out = ['<section aria-labelledby="h-headline"><h2 id="h-headline">' + _e(t("report.headline", lang)) + "</h2>",
           '<div class="headline"><div class="total">',
           f'<div class="what">{_e(t("report.total_emissions", lang))}</div>',
           f'<div class="big" data-co2e-kg="{g.central!r}">{_e(mass(g, lang))}</div>']
    if rng:
        out.append(f'<div class="rng">{_e(t("report.range_of", lang, range=rng))}</div>')
    out.append(f'<div class="en">{_e(colon(t("report.total_energy", lang), lang))} {_e(energy(e, lang))}'
               + (f" ({_e(erng)})" if erng else "") + "</div>")
    out.append(f'<div class="split">▲ {_e(colon(t("heading.visible", lang), lang))} '
               f'<strong>{_e(N.co2e(vis, lang))}</strong> '
               f'({_e(pct(vis, g.central, lang))})<br>▼ {_e(colon(t("heading.submerged", lang), lang))} '
               f'<strong>{_e(N.co2e(sub, lang))}</strong> ({_e(pct(sub, g.central, lang))})</div></div>')
    out.append(f'<div><div class="what">{_e(t("report.as_much_as", lang))}…</div><div class="eqs">')
    for s in d.headline:
        v = s.value
        rng_v = num_range(v, lang)
        out.append(f'<div class="eq" data-equivalent="{_e(s.id)}"><div class="big">{_e(N.number(v.central, lang))}'
                   f'</div><div class="what">{_e(s.label(lang))}</div>'
                   + (f'<div class="rng">{_e(rng_v)}</div>' if rng_v else "") + "</div>")
    if not d.headline:
        out.append(f'<p class="note">{_e(t("report.no_equivalent", lang))}</p>')
    out.append("</div></div></div></section>")
    return "".join(out)


def _iceberg(d: ReportData) -> str:
    svg = iceberg_svg(d.fp, d.lang, id_prefix="iceberg", width=900, height=540)
    return ('<section aria-labelledby="h-iceberg"><h2 id="h-iceberg">' + _e(t("report.iceberg", d.lang)) + "</h2>"
            f"<figure>{svg}<figcaption>{_e(t('report.iceberg_note', d.lang))}</figcaption></figure></section>")


def _breakdown(d: ReportData) -> str:
    fp, lang = d.fp, d.lang
    total = fp.co2e_kg
    fam_n: dict[str, int] = {}
    rows = []
    for p in fp.parts:
        fam = family_of(p.name) + ("^" if p.visible else "")
        n = fam_n.get(fam, 0)
        fam_n[fam] = n + 1
        colour = part_colour(p.name, n, visible=p.visible)
        detail = text(p.detail, lang)
        rows.append([
            f'<span class="sw" style="background:{colour}"></span>{"▲" if p.visible else "▼"} '
            f'<span data-part="{_e(p.name)}">{_e(part_label(p.name, lang))}</span>'
            + (f'<div class="detail">{_e(detail)}</div>' if detail else ""),
            _e(energy(p.energy_kwh, lang)), _e(mass(p.co2e_kg, lang)), _e(mass_range(p.co2e_kg, lang)),
            _e(pct(p.co2e_kg.central, total.central, lang)), _status(str(p.status), lang), _srcs(p.sources),
        ])
    head = [t("heading.part", lang), t("heading.energy", lang), t("heading.co2e", lang), t("heading.range", lang),
            t("report.share", lang), t("heading.status", lang), t("heading.sources", lang)]
    tot = [_e(t("heading.total", lang)), _e(energy(fp.energy_kwh, lang)), _e(mass(total, lang)),
           _e(mass_range(total, lang)), _e(N.percent(100, lang)), _status(str(fp.status), lang), ""]
    return ('<section aria-labelledby="h-breakdown"><h2 id="h-breakdown">' + _e(t("report.breakdown", lang)) + "</h2>"
            f"<figure>{breakdown_svg(fp, lang, width=900)}</figure>" + _table(head, rows, {1, 2, 3, 4}, total=tot)
            + "</section>")


def _impacts(d: ReportData) -> str:
    """Every criterion's total and whether it is complete (explain/criteria.py)."""
    lang = d.lang
    rows = [[_e(a), _e(b), _e(c)] for a, b, c in criteria_rows(d.fp, lang)]
    return ('<section aria-labelledby="h-impacts"><h2 id="h-impacts">' + _e(t("engine.report.impacts", lang))
            + f'</h2><p class="note">{_e(t("engine.report.impacts_note", lang))}</p>'
            + _table([t("engine.report.criterion", lang), t("engine.report.total", lang),
                      t("engine.report.assessed", lang)], rows, {1}) + "</section>")


def _sci(d: ReportData) -> str:
    """The Software Carbon Intensity with its parts and boundary (explain/criteria.py)."""
    lang = d.lang
    items = "".join(f"<dt>{_e(a)}</dt><dd>{_e(b)}</dd>" for a, b in sci_rows(d.fp, lang))
    return ('<section aria-labelledby="h-sci"><h2 id="h-sci">' + _e(t("engine.report.sci", lang))
            + f'</h2><p class="note">{_e(t("engine.report.sci_note", lang))}</p><dl>{items}</dl></section>')


def _case(d: ReportData) -> str:
    r, lang = d.case_result, d.lang
    case = r.case
    rows = [[_e(row.name) + f'<div class="detail">{_e(row.unit)}</div>', _e(row.published), _e(row.reproduced),
             _e(row.deviation), _status(p.status, lang), _e(row.where)]
            for row, p in zip(case_rows(r, lang), case.published, strict=True)]
    head = [t("heading.metric", lang), t("heading.published", lang), t("heading.reproduced", lang),
            t("heading.deviation", lang), t("heading.status", lang), t("heading.sources", lang)]
    out = ['<section aria-labelledby="h-case"><h2 id="h-case">' + _e(t("report.case", lang)) + "</h2>",
           f"<p><strong>{_e(colon(t('heading.convention', lang), lang))}</strong> {_e(case.convention(lang))}</p>",
           _table(head, rows, {1, 2, 3})]
    out += [f'<p class="note">{_e(line)}</p>' for line in unreproduced_lines(r, lang)]
    notes = case_notes(r, lang)
    if notes:
        out.append(f"<h3>{_e(t('report.notes_case', lang))}</h3><ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes)
                   + "</ul>")
    ratio = ratio_text(r, lang)
    if ratio:
        out.append(f'<p class="ratio">{_e(ratio)}</p>')
    out.append(f'<p class="note">{_e(colon(t("heading.complete", lang), lang))} {_e(mass(r.complete.co2e_kg, lang))}'
               f' · {_e(colon(t("heading.reproduced", lang), lang))} {_e(mass(r.reproduction.co2e_kg, lang))} · '
               f'{_srcs(case.sources)}</p>')
    out.append("</section>")
    return "".join(out)


def _run(d: ReportData) -> str:
    run = d.run
    assert run is not None  # the caller renders this section only for a run
    lang = d.lang
    out = ['<section aria-labelledby="h-run"><h2 id="h-run">' + _e(t("report.run", lang)) + "</h2>"]
    out.append(_table([t("heading.metric", lang), t("report.value", lang)],
                      [[_e(k), _e(v)] for k, v in run_info(run, lang)]))
    out.append(f"<h3>{_e(t('report.power', lang))}</h3>")
    if run.series:
        out.append(f"<figure>{power_svg(run.series, run.phases, lang, width=900)}</figure>")
    else:
        out.append(f'<p class="note">{_e(t("report.no_samples", lang))}</p>')
    if run.phases:
        rows = [[_e(n), _e(N.number(a, lang)), _e(N.number(b, lang)) if b is not None else "…"]
                for n, a, b in run.phases]
        out.append(f"<h3>{_e(t('report.phases', lang))}</h3>"
                   + _table([t("report.phase", lang), t("report.start", lang), t("report.end", lang)], rows, {1, 2}))
    out.append("</section>")
    return "".join(out)


def _equivalents(d: ReportData) -> str:
    lang = d.lang
    rows = [[_e(s.label(lang)), _e(N.number(s.value.central, lang)), _e(num_range(s.value, lang)), _srcs(s.sources)]
            for s in d.shown]
    body = (_table([t("report.equivalent", lang), t("report.value", lang), t("heading.range", lang),
                    t("heading.sources", lang)], rows, {1, 2}) if rows
            else f'<p class="note">{_e(t("report.no_equivalent", lang))}</p>')
    return ('<section aria-labelledby="h-equivalents"><h2 id="h-equivalents">' + _e(t("heading.equivalents", lang))
            + "</h2>" + f'<p class="note">{_e(t("report.equivalents_note", lang))} '
            f'{_e(t("report.equivalents_hidden", lang))}</p>' + body + "</section>")


def _comparison(d: ReportData) -> str:
    lang = d.lang
    rows = [[("<strong>" + _e(e.label) + "</strong>") if e.highlight else _e(e.label),
             _e(mass(e.complete, lang)), _e(mass_range(e.complete, lang)),
             _e(N.co2e(e.published, lang)) if e.published else "–"] for e in d.comparison]
    return ('<section aria-labelledby="h-comparison"><h2 id="h-comparison">' + _e(t("report.comparison", lang))
            + "</h2>" f"<figure>{log_compare_svg(d.comparison, lang, width=900)}"
            f"<figcaption>{_e(t('report.comparison_note', lang))}</figcaption></figure>"
            + _table([t("report.case_col", lang), t("report.complete_col", lang), t("heading.range", lang),
                      t("report.published_col", lang)], rows, {1, 2, 3}) + "</section>")


def _provenance(d: ReportData) -> str:
    fp, lang = d.fp, d.lang
    rows = [[_e(text(f.name, lang)) + f'<div class="detail">{_e(f.id)}</div>', _e(N.number(f.value.central, lang, 4)),
             _e(num_range(f.value, lang)), _e(unit_label(f.unit, lang)), _e(f.year if f.year is not None else "–"),
             _status(str(f.status), lang), _srcs(f.sources)] for f in fp.factors]
    out = ['<section aria-labelledby="h-provenance"><h2 id="h-provenance">' + _e(t("report.provenance", lang))
           + "</h2>", f"<h3>{_e(t('heading.factors', lang))}</h3>",
           f'<p class="note">{_e(t("report.provenance_note", lang))}</p>',
           _table([t("report.factor", lang), t("report.value", lang), t("heading.range", lang), t("report.unit", lang),
                   t("report.year", lang), t("heading.status", lang), t("heading.sources", lang)], rows, {1, 2, 4})]
    srows = [[_status(s, lang), ", ".join(_e(part_label(n, lang)) for n in names)] for s, names in d.by_status.items()]
    out.append(f"<h3>{_e(t('report.how_obtained', lang))}</h3>"
               + _table([t("heading.status", lang), t("report.parts_col", lang)], srows))
    out.append(f"<h3>{_e(t('report.source_list', lang))}</h3><ol class=\"sources\">")
    for s in d.sources.values():
        if s.known:
            body = (f"<strong>{_e(s.title)}</strong>. {_e(s.publisher)}, {_e(s.year)}."
                    + (f' <span class="url">{_e(s.url)}</span>' if s.url else ""))
        else:
            body = _e(t("report.unknown_source", lang))
        out.append(f'<li id="{_e(anchor(s.id))}"><code>{_e(s.id)}</code> — {body}</li>')
    out.append("</ol></section>")
    return "".join(out)


def _notes(d: ReportData) -> str:
    lang = d.lang
    out = ['<section aria-labelledby="h-notes"><h2 id="h-notes">' + _e(t("report.notes", lang)) + "</h2>"]
    if d.warnings:
        out.append(f"<h3>{_e(t('heading.warnings', lang))}</h3><ul class=\"warn\">"
                   + "".join(f"<li>{_e(w)}</li>" for w in d.warnings) + "</ul>")
    out.append(f"<h3>{_e(t('heading.left_out', lang))}</h3>")
    if d.left_out:
        out.append("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in d.left_out) + "</ul>")
    else:
        out.append(f'<p class="note">{_e(t("report.nothing_left_out", lang))}</p>')
    out.append("</section>")
    return "".join(out)


def render_sections(d: ReportData) -> tuple[str, list[tuple[str, str]]]:
    """The contents list (``<nav>``) and the ``(key, <section>…)`` pairs of a report, for pages that wrap
    the report in their own layout (the web app) as well as for :func:`render_html`."""
    lang = d.lang
    sections = [("headline", _headline(d)), ("iceberg", _iceberg(d)), ("breakdown", _breakdown(d)),
                ("impacts", _impacts(d)), ("sci", _sci(d))]
    if d.case_result is not None:
        sections.append(("case", _case(d)))
    if d.run is not None:
        sections.append(("run", _run(d)))
    sections += [("equivalents", _equivalents(d)), ("comparison", _comparison(d)),
                 ("provenance", _provenance(d)), ("notes", _notes(d))]
    nav_names = {k: t(f"report.{k}", lang) for k in ("headline", "iceberg", "breakdown", "case", "run",
                                                     "comparison", "provenance", "notes")}
    nav_names["equivalents"] = t("heading.equivalents", lang)
    nav_names.update(impacts=t("engine.report.impacts", lang), sci=t("engine.report.sci", lang))
    items = "".join(f'<li><a href="#h-{k}">{_e(nav_names[k])}</a></li>' for k, _ in sections)
    nav = f'<nav aria-label="{_e(t("report.contents", lang))}"><ol>{items}</ol></nav>'
    return nav, sections


def render_html(d: ReportData) -> str:
    """The page for gathered report data (see :func:`aiceberg.explain.report.data.report_data`)."""
    lang = d.lang
    nav, sections = render_sections(d)
    title = d.title or t("report.report", lang)
    return "".join([
        f'<!DOCTYPE html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="aiceberg {_e(version())}">'
        f"<title>{_e(title)} — aiceberg</title><style>{CSS}</style></head><body>",
        f'<header class="top"><div class="in"><span class="kind">{_e(t(f"report.kind.{d.kind}", lang))}</span>'
        f'<h1>{_e(title)}</h1><p class="sub">{_e(t("report.report", lang))}</p>{nav}</div></header><main>',
        *(s for _, s in sections),
        f'<footer>{_e(t("report.generated", lang, version=version()))}</footer></main></body></html>\n',
    ])


def html_report(fp: Footprint, *, lang: str = "en", title: str | None = None, kind: str = "estimate",
                case_result: Any = None, run: RunTrace | None = None, country: str | None = None) -> str:
    """One self-contained HTML5 page for ``fp`` (see :func:`aiceberg.explain.report.data.report_data`)."""
    return render_html(report_data(fp, lang=lang, title=title, kind=kind, case_result=case_result, run=run,
                                   country=country))
