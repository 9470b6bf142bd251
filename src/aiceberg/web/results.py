"""Server-rendered results: a footprint (headline, iceberg, parts, equivalents, sources), My AI day and a
case. No web framework here; every piece of dynamic text goes through ``e`` (``html.escape``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from aiceberg import refdata
from aiceberg.explain.case_text import case_dict, case_rows, unreproduced_lines
from aiceberg.explain.criteria import criteria_rows
from aiceberg.explain.iceberg import iceberg_svg
from aiceberg.explain.render import part_label, status_label
from aiceberg.i18n import numbers as N
from aiceberg.i18n import t
from aiceberg.model.footprint import CRITERIA, Footprint
from aiceberg.web.pages import e, mass, mass_range, pct


# -- results ---------------------------------------------------------------------------------------
def iceberg(fp: Footprint, lang: str, labels: Mapping[str, str] | None = None) -> str:
    return iceberg_svg(fp, lang, labels=labels)


def sources_html(ids: Iterable[str]) -> str:
    items = []
    for sid in dict.fromkeys(ids):
        s = refdata.get_source(sid)
        if s is None:
            items.append(f"<li><code>{e(sid)}</code></li>")
        else:
            items.append(f"<li><code>{e(sid)}</code> — {e(s.title)}{', ' + e(s.publisher) if s.publisher else ''}"
                         f"{', ' + e(s.year) if s.year else ''}</li>")
    return f'<ul class="small">{"".join(items)}</ul>'


def _plain(x: float) -> str:
    """A float for an attribute a program reads back: every digit, no exponent."""
    return format(Decimal(repr(float(x))), "f")


def criteria_html(fp: Footprint, lang: str) -> str:
    """Every criterion beside the carbon (primary energy, abiotic depletion, water): its total with its range
    and whether every part has a sourced factor for it — a part without one is said, in words, to be not
    assessed, never counted as 0. The rows are the reports' (``explain.criteria.criteria_rows``)."""
    if not fp.parts:
        return ""
    rows = []
    for c, (label, total, assessed) in zip(CRITERIA, criteria_rows(fp, lang), strict=True):
        missing = fp.not_assessed_by(c)
        value = "" if len(missing) == len(fp.parts) else f' data-value="{_plain(fp.impact(c).central)}"'
        cls = ' class="nofig"' if missing else ""
        rows.append(f'<tr data-criterion="{e(c)}"{value}><td>{e(label)}</td><td class="n">{e(total)}</td>'
                    f'<td><span{cls}>{e(assessed)}</span></td></tr>')
    return (f'<h2>{e(t("engine.report.impacts", lang))}</h2><div class="card"><table id="criteria"><thead><tr>'
            f'<th>{e(t("engine.report.criterion", lang))}</th><th>{e(t("engine.report.total", lang))}</th>'
            f'<th>{e(t("engine.report.assessed", lang))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p class="small muted">{e(t("engine.report.impacts_note", lang))}</p></div>')


def footprint_html(fp: Footprint, d: Mapping[str, Any], lang: str, *, labels: Mapping[str, str] | None = None,
                   headline_suffix: str = "") -> str:
    """Headline, iceberg, equivalents, the other criteria, parts table, warnings and sources of one footprint."""
    labels = labels or {}
    total = d["co2e_kg"]
    vis, sub = d["visible_co2e_kg"], d["submerged_co2e_kg"]
    rng = mass_range(total, d["co2e_kg_low"], d["co2e_kg_high"], lang)
    rng_html = f"<span>{e(t('web.range', lang, range=rng))}</span>" if rng else ""
    head = (f'<div class="card" id="result"><div class="headline"><span class="big" id="total">'
            f'{e(mass(total, lang))}</span><span class="muted">{e(headline_suffix)}</span>'
            f'{rng_html}'
            f'<span class="muted">{e(t("web.electricity", lang))} {e(N.energy(d["energy_kwh"], lang))}'
            '</span></div>'
            f'<div class="split"><span class="pill">▲ {e(t("web.visible_tip", lang))} {e(mass(vis, lang))}'
            f' ({e(pct(vis / total, lang) if total else "–")})</span>'
            f'<span class="pill sub">▼ {e(t("web.submerged", lang))} {e(mass(sub, lang))}'
            f' ({e(pct(sub / total, lang) if total else "–")})</span></div>'
            f'<div class="svg" id="iceberg">{iceberg(fp, lang, labels)}</div></div>')
    rows = []
    for p in d["parts"]:
        name = labels.get(p["name"]) or p.get("label") or part_label(p["name"], lang)
        share = pct(p["co2e_kg"] / total, lang) if total else ""
        rows.append(
            f'<tr><td>{"▲" if p["visible"] else "▼"} {e(name)}<div class="small muted">{e(p["detail"])}</div></td>'
            f'<td class="n">{e(N.energy(p["energy_kwh"], lang)) if p["energy_kwh"] else "–"}</td>'
            f'<td class="n">{e(mass(p["co2e_kg"], lang))}</td>'
            f'<td class="n">{e(mass_range(p["co2e_kg"], p["co2e_kg_low"], p["co2e_kg_high"], lang))}</td>'
            f'<td class="n">{e(share)}</td><td>{e(status_label(p["status"], lang))}</td></tr>')
    table = (f'<h2>{e(t("web.parts", lang))}</h2><div class="card"><table id="parts"><thead><tr>'
             f'<th>{e(t("heading.part", lang))}</th><th>{e(t("heading.energy", lang))}</th>'
             f'<th>{e(t("heading.co2e", lang))}</th><th>{e(t("heading.range", lang))}</th>'
             f'<th>%</th><th>{e(t("web.how", lang))}</th></tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table></div>')
    cells = []
    for q in d.get("equivalents_shown") or ():  # the readable ones, each at its best scale (explain's choice)
        r = N.span(SimpleNamespace(central=q["value"], low=q["low"], high=q["high"]), "", lang)
        cells.append(f'<div class="eq"><b>{e(N.number(q["value"], lang))}</b>{e(q["label"])}'
                     f'{f"<div class=small>{e(r)}</div>" if r else ""}</div>')
    eq_html = (f'<h2>{e(t("web.equivalents", lang))}</h2><div class="eqs" id="equivalents">{"".join(cells)}</div>'
               if cells and total > 0 else "")
    extra = ""
    if d.get("warnings"):
        extra += f'<h2>{e(t("web.warnings", lang))}</h2><ul>{"".join(f"<li>{e(w)}</li>" for w in d["warnings"])}</ul>'
    if d.get("left_out"):
        extra += f'<h2>{e(t("web.left_out", lang))}</h2><ul>{"".join(f"<li>{e(w)}</li>" for w in d["left_out"])}</ul>'
    if d.get("sources"):
        extra += f'<h2>{e(t("web.sources", lang))}</h2>{sources_html(d["sources"])}'
    return head + eq_html + criteria_html(fp, lang) + table + extra


def share_html(url: str, lang: str) -> str:
    return f'<p class="share">{e(t("web.share", lang))} <a id="share" href="{e(url)}">{e(url)}</a></p>'


def _rng(lo: float, hi: float, lang: str) -> str:
    return "" if lo == hi else f" ({e(N.number(lo, lang))} – {e(N.number(hi, lang))})"


# -- my AI day -------------------------------------------------------------------------------------
def my_day_html(result: Any, d: Mapping[str, Any], lang: str) -> str:
    labels = {p["name"]: p["label"] for p in d["parts"] if p.get("label")}
    out = [footprint_html(result.footprint, d, lang, labels=labels,
                          headline_suffix=f'{t("web.per_year", lang)} · {mass(d["per_day_co2e_kg"], lang)} '
                                          f'{t("web.per_day", lang)}')]
    rows = []
    top = max((a["saved_co2e_kg"] for a in d["actions"] if a["applicable"]), default=0) or 1.0
    for a in d["actions"]:
        if a["applicable"]:
            saved = t("web.you_save", lang, x=mass(a["saved_co2e_kg"], lang), y=pct(a["saved_pct"] / 100, lang))
            w = max(0.0, min(100.0, a["saved_co2e_kg"] / top * 100))
            rows.append(f'<div class="save" id="action-{e(a["id"])}"><div>{e(a["label"])}'
                        f'<div class="bar"><i style="width:{w:.0f}%"></i></div></div><b>{e(saved)}</b></div>')
        else:
            rows.append(f'<div class="save" id="action-{e(a["id"])}"><div>{e(a["label"])}</div>'
                        f'<span class="muted">{e(a["note"] or t("web.not_applicable", lang))}</span></div>')
    out.insert(0, "")
    actions = (f'<h2>{e(t("web.actions", lang))}</h2><div class="card" id="actions">{"".join(rows)}'
               f'<p class="small muted">{e(t("web.talk_advice", lang))}</p></div>')
    uses = []
    for u in d["uses"]:
        if u["wh"] is None:
            fig = f'<span class="nofig">{e(t("web.no_figure", lang))}</span>'
        else:
            fig = e(N.quantity(u["wh"], "Wh", lang))
            if u["wh_low"] != u["wh_high"]:
                span = N.span(SimpleNamespace(central=u["wh"], low=u["wh_low"], high=u["wh_high"]), "Wh", lang)
                fig += f' <span class="small muted">({e(span)})</span>'
        uses.append(f'<tr><td>{e(u["label"])}</td><td class="n">{fig}</td><td class="small">{e(u["note"])}'
                    f'{" · " + ", ".join(e(s) for s in u["sources"]) if u["sources"] else ""}</td></tr>')
    uses_html = (f'<h2>{e(t("web.everyday", lang))}</h2><div class="card"><table id="uses"><thead><tr>'
                 f'<th>{e(t("web.use", lang))}</th><th>{e(t("web.figure", lang))} ({e(t("web.per_use", lang))})</th>'
                 f'<th>{e(t("web.note", lang))}</th></tr></thead><tbody>{"".join(uses)}</tbody></table></div>')
    pops = []
    for p in d["population"]:
        if p["co2e_kg"] is None:
            val = f'<span class="nofig">{e(t("web.not_applicable", lang))}</span>'
        else:
            rng = mass_range(p["co2e_kg"], p["co2e_kg_low"], p["co2e_kg_high"], lang)
            val = (f'<b>{e(mass(p["co2e_kg"], lang))}</b> {e(t("web.per_year", lang))} '
                   f'<span class="small muted">({e(rng)})'
                   f' · {e(mass(p["co2e_kg"] / 12, lang))} {e(t("web.per_month", lang))}</span>')
        pops.append(f'<tr><td>{e(p["label"])}</td><td>{val}</td></tr>')
    pop_html = (f'<h2>{e(t("web.population", lang))}</h2><div class="card"><table id="population"><tbody>'
                f'{"".join(pops)}</tbody></table><p class="small muted">'
                + e(t("web.population_note", lang))
                + "</p></div>")
    assum = "".join(
        f'<li>{e(t("web.labelled", lang, label=a["label"]))} <b>{e(N.number(a["value"], lang))} {e(a["unit"])}</b>'
        f'{_rng(a["low"], a["high"], lang)}</li>'
        if a["unit"] else f'<li>{e(a["label"])}</li>' for a in d["assumptions"])
    assum_html = f'<h2>{e(t("web.assumptions", lang))}</h2><ul class="small" id="assumptions">{assum}</ul>'
    headline, rest = out[1].split('<h2>', 1)
    return headline + actions + "<h2>" + rest + uses_html + pop_html + assum_html


def case_html(res: Any, lang: str) -> str:
    """A case: each published figure (in words, exactly as published) beside its reproduction and the
    deviation — the rows of ``aiceberg case show`` (``explain.case_text.case_rows``) — what could not be
    reproduced, the notes, then the two icebergs."""
    d = case_dict(res, lang)
    rows = [f'<tr data-metric="{e(r.metric)}"><td>{e(r.name)}<div class="small muted">{e(r.where)}</div></td>'
            f'<td class="n">{e(r.published)} {e(r.unit)}</td>'
            f'<td class="n">{e(r.reproduced)}{" " + e(r.unit) if r.reproduced != "–" else ""}</td>'
            f'<td class="n">{e(r.deviation)}</td></tr>' for r in case_rows(res, lang)]
    heads = "".join(f"<th>{e(t(k, lang))}</th>" for k in ("web.metric", "web.published", "web.reproduced",
                                                           "web.deviation"))
    table = (f'<div class="card"><table id="case-compare"><thead><tr>{heads}</tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table>'
             f'<p class="small"><b>{e(t("web.convention", lang))}</b> {e(d["convention"])}</p></div>')
    notes = "".join(f"<li>{e(n)}</li>" for n in [*unreproduced_lines(res, lang), *d["notes"]])
    return (f'<h1 id="case-title">{e(res.case.title(lang))}</h1>{table}'
            + (f'<ul class="small">{notes}</ul>' if notes else "")
            + f'<h2>{e(t("web.reproduced", lang))}</h2>' + footprint_html(res.reproduction, d, lang)
            + f'<h2 id="complete">{e(t("web.complete", lang))}</h2>'
            + footprint_html(res.complete, d["complete"], lang))
