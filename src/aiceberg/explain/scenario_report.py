"""A scenario's report: one self-contained HTML page (inline CSS and SVG, no script, no URL).

The page shows the headline (the total and the per-unit figure with their ranges, the publication's figure
beside its reproduction), the per-phase iceberg, the phases, the distribution of the Monte Carlo total, the
tornado and the Sobol indices ("which assumption decides this number"), the open questions side by side,
what can be done, the inputs with their sources, and what is not counted. It receives the result's JSON
(``aiceberg.scenario.result_dict``): explaining fetches nothing. The web app's scenario page reuses
:func:`scenario_sections`.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from aiceberg.explain.iceberg import iceberg_svg
from aiceberg.explain.render import colon, status_label
from aiceberg.explain.report.common import anchor, version
from aiceberg.explain.report.html import CSS
from aiceberg.explain.scenario_charts import histogram_svg, phase_footprint, ranked_inputs, tornado_svg
from aiceberg.explain.scenario_text import compare_rows, federated_lines, flat_q, unit_label
from aiceberg.i18n import numbers as N
from aiceberg.i18n import t
from aiceberg.model.quantity import Q

__all__ = ["scenario_html", "scenario_sections"]


def _e(x: Any) -> str:
    return escape(str(x), quote=True)


def _table(head: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()) -> str:
    """``head`` as text (escaped here), ``rows`` as HTML already escaped."""
    cls = {i: ' class="n"' for i in numeric}
    return ('<div class="tablewrap"><table><thead><tr>'
            + "".join(f'<th scope="col"{cls.get(i, "")}>{_e(h)}</th>' for i, h in enumerate(head))
            + "</tr></thead><tbody>"
            + "".join("<tr>" + "".join(f"<td{cls.get(i, '')}>{c}</td>" for i, c in enumerate(r)) + "</tr>"
                      for r in rows)
            + "</tbody></table></div>")


def _co2e(q: Any, lang: str) -> str:
    return "–" if q is None else _e(N.co2e(q, lang, with_range=True))


def _headline(d: Mapping[str, Any], lang: str) -> str:
    total = flat_q(d["total"], "co2e_kg")
    energy = flat_q(d["total"], "energy_kwh")
    per = d.get("per_unit")
    rows = [f'<div class="big">{_e(N.co2e(total.central if total else 0, lang))}</div>',
            f'<div class="rng">{_e(N.span(total, "kg CO2e", lang)) if total else ""}</div>',
            f'<div class="en">{_e(N.energy(energy, lang, with_range=True)) if energy else ""}</div>']
    if per:
        head = colon(t("scenario.text.per_unit", lang, unit=unit_label(d["unit"], lang)), lang)
        rows.append(f'<div class="split">{_e(head)} {_co2e(flat_q(per, "co2e_kg"), lang)}</div>')
    period = flat_q(d["period_days"], "value")
    facts = [t("scenario.text.period", lang, days=N.number(period.central, lang) if period else "–")]
    if d.get("requests"):
        facts.append(t("scenario.text.requests", lang, requests=N.plain(round(d["requests"]["value"]), lang)))
    side = f'<p>{_e(" · ".join(facts))}</p>'
    pub = d.get("published")
    if pub:
        dev = pub.get("deviation_pct")
        side += "<p class=\"ratio\">" + _e(t(
            "scenario.text.published", lang, published=N.co2e(pub["co2e_kg"], lang, 5),
            reproduced=N.co2e(pub["reproduced_co2e_kg"], lang, 5),
            deviation=N.percent(dev, lang, signed=True) if dev is not None else "–",
            where=pub.get(f"where_{lang}") or pub.get("where_en") or pub.get("source") or "")) + "</p>"
    if d.get("description"):
        side += f'<p class="note">{_e(d["description"])}</p>'
    return (f'<section id="headline"><div class="headline"><div class="total">{"".join(rows)}</div>'
            f"<div>{side}</div></div></section>")


def _phases(d: Mapping[str, Any], lang: str) -> str:
    rows = []
    for ph in d["phases"]:
        c = flat_q(ph, "co2e_kg")
        alloc = ph.get("allocation")
        alloc_text = ", ".join(alloc) if isinstance(alloc, list) else (alloc or "")
        if c is None:
            rows.append([_e(ph["label"]), "–", _e(t("scenario.text.not_counted", lang)), "",
                         f'<span class="detail">{_e(ph["not_counted"])}</span>'])
            continue
        e = flat_q(ph, "energy_kwh")
        rows.append([_e(ph["label"]), _e(N.energy(e, lang, with_range=True)) if e and e.high else "–",
                     _co2e(c, lang), _e(N.percent(ph["share"] * 100, lang)) if ph.get("share") is not None else "",
                     _e(alloc_text)])
    head = [t("scenario.text.phase", lang), t("heading.energy", lang), t("heading.co2e", lang), "%",
            t("scenario.text.allocation", lang)]
    fed = "".join(f'<p class="ratio federated">{_e(line)}</p>' for line in federated_lines(d, lang))
    return (f'<section id="phases"><h2>{_e(t("scenario.report.phases", lang))}</h2>'
            f"{_table(head, rows, frozenset({1, 2, 3}))}{fed}</section>")


def _uncertainty(d: Mapping[str, Any], lang: str) -> str:
    out = [f'<section id="uncertainty"><h2>{_e(t("scenario.report.uncertainty", lang))}</h2>']
    samples = d.get("samples")
    if samples:
        p = samples["total"]["co2e_kg"]
        text = t("scenario.text.samples", lang, n=N.plain(samples["n"], lang), seed=samples["seed"],
                 p5=N.co2e(p["p5"], lang), p50=N.co2e(p["p50"], lang), p95=N.co2e(p["p95"], lang))
        h = samples["histogram"]
        marks = {"p5": p["p5"], "p50": p["p50"], "p95": p["p95"]}
        out.append(f"<p>{_e(text)}</p><figure>{histogram_svg(h['counts'], h['edges'], marks, lang)}</figure>")
    else:
        out.append(f'<p class="note">{_e(t("scenario.report.no_samples", lang))}</p>')
    rows = ranked_inputs(d, lang)
    if rows:
        out.append(f"<h3>{_e(t('scenario.report.which', lang))}</h3><figure>"
                   + tornado_svg(rows, d["total"]["co2e_kg"], lang)
                   + f"<figcaption>{_e(t('scenario.report.tornado_caption', lang))}</figcaption></figure>")
    sens = d.get("sensitivity")
    if sens:
        body = [[_e(s["label"]), _e(N.number(max(s["total_order"], 0.0), lang, 2)),
                 _e(N.number(max(s["first_order"], 0.0), lang, 2))] for s in sens["indices"][:12]]
        out.append(_table([t("scenario.report.input", lang), t("scenario.report.total_order", lang),
                           t("scenario.report.first_order", lang)], body, frozenset({1, 2})))
        note = t("scenario.report.sobol_note", lang, n=N.plain(sens["samples"], lang),
                 evaluations=N.plain(sens["evaluations"], lang))
        out.append(f'<p class="note">{_e(note)}</p>')
    out.append("</section>")
    return "".join(out)


def _compare(d: Mapping[str, Any], lang: str) -> str:
    if not d.get("comparison"):
        return ""
    rows = [[_e(c) for c in r] for r in compare_rows(d, lang)]
    head = [t("scenario.text.kind", lang), t("scenario.text.variant", lang), t("heading.co2e", lang),
            t("scenario.text.per_unit_head", lang)]
    return (f'<section id="compare"><h2>{_e(t("scenario.report.compare", lang))}</h2>'
            f'<p class="note">{_e(t("scenario.report.compare_note", lang))}</p>'
            f"{_table(head, rows, frozenset({2, 3}))}</section>")


def _actions(d: Mapping[str, Any], lang: str) -> str:
    if not d.get("actions"):
        return ""
    items = "".join(f"<li>{_e(a['action'])}</li>" for a in d["actions"])
    return f'<section id="actions"><h2>{_e(t("scenario.text.actions", lang))}</h2><ul>{items}</ul></section>'


def _inputs(d: Mapping[str, Any], lang: str) -> str:
    rows = []
    for i in d["inputs"]:
        value = N.quantity(i["central"], i["unit"], lang)
        rng = "" if i["low"] == i["high"] else N.span(Q(i["central"], i["low"], i["high"]), i["unit"], lang)
        srcs = ", ".join(f'<a href="#{_e(anchor(s))}">{_e(s)}</a>' for s in i["sources"])
        rows.append([_e(i["label"]), _e(value), _e(rng), _e(t(f"scenario.dist.{i['dist']}", lang)),
                     _e(status_label(i["status"], lang)),
                     f'<span class="srcs">{srcs}</span>', f'<code>{_e(i["path"] or "")}</code>'])
    head = [t("scenario.report.input", lang), t("scenario.report.value", lang), t("heading.range", lang),
            t("scenario.report.law", lang), t("heading.status", lang), t("heading.sources", lang),
            t("scenario.report.field", lang)]
    src_list = "".join(f'<li id="{_e(anchor(s))}"><code>{_e(s)}</code></li>' for s in d.get("sources", ()))
    return (f'<section id="inputs"><h2>{_e(t("scenario.report.inputs", lang))}</h2>{_table(head, rows, frozenset({1}))}'
            f'<h3>{_e(t("heading.sources", lang))}</h3><ul class="srcs">{src_list}</ul>'
            f'<p class="note">{_e(t("heading.sources_hint", lang))}</p></section>')


def _notes(d: Mapping[str, Any], lang: str) -> str:
    items = [f"<li>{_e(colon(t(f'scenario.section.{k}', lang), lang))} {_e(v)}</li>"
             for k, v in d.get("not_counted", {}).items()]
    items += [f'<li class="warn">{_e(w)}</li>' for w in d.get("warnings", ())]
    if not items:
        return ""
    return (f'<section id="notes"><h2>{_e(t("scenario.text.not_counted_head", lang))}</h2>'
            f'<ul class="warn">{"".join(items)}</ul></section>')


def scenario_sections(d: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """The page's sections as ``(id, html)``, in order, from the result's JSON in ``lang`` (the web page
    reuses them)."""
    labels = {p["name"]: p["label"] for p in d["phases"]}
    parts = [(f"{p['name']}.{x['name']}", flat_q(x, "energy_kwh") or Q.zero(), flat_q(x, "co2e_kg") or Q.zero(),
              bool(x["visible"])) for p in d["phases"] for x in p.get("parts", ())]
    fp, part_labels = phase_footprint(parts, labels, lang)
    iceberg = (f'<section id="iceberg"><h2>{_e(t("scenario.report.iceberg", lang))}</h2><figure>'
               + iceberg_svg(fp, lang, labels=part_labels, id_prefix="sc")
               + f"<figcaption>{_e(t('scenario.report.iceberg_caption', lang))}</figcaption></figure></section>")
    return [("headline", _headline(d, lang)), ("iceberg", iceberg), ("phases", _phases(d, lang)),
            ("uncertainty", _uncertainty(d, lang)), ("compare", _compare(d, lang)), ("actions", _actions(d, lang)),
            ("inputs", _inputs(d, lang)), ("notes", _notes(d, lang))]


def scenario_html(d: Mapping[str, Any], lang: str = "en") -> str:
    """The whole page for a scenario's result, given as its JSON in ``lang`` (``result_dict(res, lang)``)."""
    title = d["title"] or d["scenario"]
    sections = [(k, s) for k, s in scenario_sections(d, lang) if s]
    nav = "<nav><ol>" + "".join(f'<li><a href="#{k}">{_e(t(f"scenario.nav.{k}", lang))}</a></li>'
                                for k, _ in sections) + "</ol></nav>"
    return "".join([
        f'<!DOCTYPE html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="aiceberg {_e(version())}">'
        f"<title>{_e(title)} — aiceberg</title><style>{CSS}</style></head><body>",
        f'<header class="top"><div class="in"><span class="kind">{_e(t("scenario.report.kind", lang))}</span>'
        f'<h1>{_e(title)}</h1><p class="sub">{_e(t("scenario.text.unit", lang, unit=unit_label(d["unit"], lang)))}'
        f"</p>{nav}</div></header><main>",
        *(s for _, s in sections),
        f'<footer>{_e(t("report.generated", lang, version=version()))}</footer></main></body></html>\n',
    ])
