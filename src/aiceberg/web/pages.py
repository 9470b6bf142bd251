"""Server-rendered HTML: one layout, the calculators' forms and results, runs and cases.

Every piece of dynamic text goes through :func:`e` (``html.escape``). No script, no external
resource: the CSS is inline and the iceberg is an SVG drawn by the project. No web framework here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from html import escape
from typing import Any
from urllib.parse import urlencode

from aiceberg import refdata
from aiceberg.explain.i18n import fmt_energy_kwh, fmt_mass_kg, fmt_number, label
from aiceberg.explain.iceberg import iceberg_svg
from aiceberg.explain.report.html import CSS as REPORT_CSS
from aiceberg.model.footprint import Footprint
from aiceberg.web.schema import Field, FieldError, fields_of
from aiceberg.web.text import t

NAV = (("/", "home"), ("/training", "training"), ("/inference", "inference"), ("/usage", "usage"),
       ("/my-ai-day", "my-ai-day"), ("/runs", "runs"), ("/cases", "cases"), ("/api", "api"))

CSS = """
:root{--ink:#10283f;--muted:#52677d;--sea:#1d6fa5;--deep:#0b3558;--ice:#eef7fd;--line:#d5e3ee;--bad:#b3261e;
--ok:#1e7b4f;--card:#fff}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#f5f9fc}
a{color:var(--sea)}
header{background:linear-gradient(180deg,#0b3558,#1d6fa5);color:#fff;padding:.6rem 1.2rem}
header .top{display:flex;align-items:center;justify-content:space-between;gap:1rem;flex-wrap:wrap}
header .brand{font-weight:700;font-size:1.3rem;color:#fff;text-decoration:none}
header .brand small{font-weight:400;font-size:.85rem;opacity:.85;margin-left:.6rem}
header .lang{color:#fff;border:1px solid rgba(255,255,255,.6);border-radius:99px;padding:.15rem .8rem;
text-decoration:none;font-size:.9rem}
nav{display:flex;flex-wrap:wrap;gap:.2rem;margin-top:.5rem}
nav a{color:#dcefff;text-decoration:none;padding:.25rem .7rem;border-radius:6px;font-size:.95rem}
nav a.on,nav a:hover{background:rgba(255,255,255,.18);color:#fff}
main{max-width:1080px;margin:0 auto;padding:1.2rem}
h1{font-size:1.6rem;margin:.4rem 0 .8rem}
h2{font-size:1.2rem;margin:1.6rem 0 .6rem;color:var(--deep)}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1rem 1.2rem;margin:.8rem 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:.8rem 1.2rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:1rem}
.cards a.card{display:block;text-decoration:none;color:var(--ink)}
.cards a.card:hover{border-color:var(--sea)}
.cards h3{margin:.1rem 0 .3rem;color:var(--sea)}
label{display:block;font-weight:600;font-size:.92rem;margin-bottom:.2rem}
.fld small{display:block;color:var(--muted);font-size:.8rem;margin-top:.15rem}
input,select{width:100%;padding:.45rem .55rem;border:1px solid #b8cad8;border-radius:7px;font:inherit;background:#fff}
.checks{display:flex;flex-wrap:wrap;gap:.3rem .9rem}
.checks label{font-weight:400;display:flex;gap:.3rem;align-items:center}
.checks input{width:auto}
.fld.bad input,.fld.bad select{border-color:var(--bad);background:#fff6f5}
.err{color:var(--bad);font-size:.85rem;margin-top:.2rem;font-weight:600}
button{background:var(--sea);color:#fff;border:0;border-radius:8px;padding:.6rem 1.4rem;font:inherit;
font-weight:600;cursor:pointer;margin-top:.8rem}
button:hover{background:var(--deep)}
.banner{background:#fff6f5;border:1px solid #f1c1bc;color:var(--bad);padding:.6rem .9rem;border-radius:8px}
.headline{display:flex;flex-wrap:wrap;align-items:baseline;gap:.4rem 1.2rem}
.big{font-size:2.2rem;font-weight:800;color:var(--deep)}
.muted{color:var(--muted)}
.split{display:flex;gap:1rem;flex-wrap:wrap;margin:.4rem 0}
.pill{border-radius:99px;padding:.15rem .75rem;font-size:.9rem;background:var(--ice);border:1px solid var(--line)}
.pill.sub{background:#0b3558;color:#fff;border-color:#0b3558}
.svg svg{max-width:100%;height:auto;display:block}
table{border-collapse:collapse;width:100%;font-size:.93rem}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:.85rem}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.eqs{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:.7rem}
.eq{background:var(--ice);border-radius:10px;padding:.6rem .8rem}
.eq b{display:block;font-size:1.35rem;color:var(--deep)}
.share{word-break:break-all;font-size:.9rem}
.save{display:flex;justify-content:space-between;gap:1rem;padding:.55rem 0;border-bottom:1px solid var(--line)}
.save b{color:var(--ok);white-space:nowrap}
.bar{height:10px;background:var(--ice);border-radius:5px;overflow:hidden;margin-top:.25rem}
.bar i{display:block;height:100%;background:var(--ok)}
.nofig{color:var(--muted);font-style:italic}
.small{font-size:.85rem}
a.run-link{white-space:nowrap}
footer{max-width:1080px;margin:2rem auto;padding:0 1.2rem;color:var(--muted);font-size:.85rem}
"""


def e(x: Any) -> str:
    return escape("" if x is None else str(x), quote=True)


def href(path: str, params: Iterable[tuple[str, Any]]) -> str:
    q = urlencode([(k, str(v)) for k, v in params])
    return path + ("?" + q if q else "")


def layout(lang: str, path: str, query: Sequence[tuple[str, str]], title: str, body: str,
           active: str | None = None, css: str = "") -> str:
    other = "en" if lang == "fr" else "fr"
    switch = href(path, [(k, v) for k, v in query if k != "lang"] + [("lang", other)])
    nav = "".join(
        f'<a href="{e(href(p, [("lang", lang)]))}"{" class=on" if (active or path) == p else ""}>{e(t(k, lang))}</a>'
        for p, k in NAV)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<title>{e(title)} · aiceberg</title><style>{CSS}{css}</style></head><body>'
        f'<header><div class="top"><a class="brand" href="{e(href("/", [("lang", lang)]))}">aiceberg'
        f'<small>{e(t("tagline", lang))}</small></a>'
        f'<a class="lang" id="lang-switch" hreflang="{other}" href="{e(switch)}">{e(t("switch", lang))}</a></div>'
        f'<nav>{nav}</nav></header><main>{body}</main>'
        f'<footer>aiceberg · {e(t("footer", lang))} · '
        f'<a href="/openapi.json">openapi.json</a></footer></body></html>'
    )


# -- numbers ---------------------------------------------------------------------------------------
def mass(kg: float, lang: str) -> str:
    return fmt_mass_kg(kg, lang).replace("CO2e", "CO₂e")


def mass_range(c: float, lo: float, hi: float, lang: str) -> str:
    if lo == c == hi:
        return ""
    return f"{mass(lo, lang)} – {mass(hi, lang)}"


def pct(x: float, lang: str) -> str:
    if x and abs(x) < 1e-4:
        return "< 0,01 %" if lang == "fr" else "< 0.01 %"
    return f"{fmt_number(x * 100, lang, 2)} %"


# -- forms -----------------------------------------------------------------------------------------
@cache
def _datalist(table: str) -> str:
    rows = refdata.load_table(table)
    opts = "".join(f'<option value="{e(r.id)}">{e(getattr(r, "name_en", "") or "")}</option>' for r in rows)
    return f'<datalist id="dl-{table}">{opts}</datalist>'


def _choice_label(f: Field, value: str, lang: str) -> str:
    table = {"task": "inference", "network": "network", "device": "devices", "other_devices": "devices",
             "chatbot": "inference"}.get(f.name)
    if f.name == "lang":
        return {"en": "English", "fr": "Français"}[value]
    if f.name == "chatbot" and value == "spread":
        return "Médiane des chiffres publiés (fourchette)" if lang == "fr" else "Median of published figures (range)"
    if table:
        row = refdata.find(table, value)
        if row is not None:
            name = (getattr(row, "name_fr", "") if lang == "fr" else "") or getattr(row, "name_en", "") or value
            if table == "inference":
                return f"{name} — {fmt_number(row.wh_per_request, lang)} Wh"
            return name
    return value


def field_html(f: Field, raw: Any, err: FieldError | None, lang: str) -> str:
    fid = f"f-{f.name}"
    cls = "fld bad" if err else "fld"
    out = [f'<div class="{cls}" id="w-{f.name}">']
    if f.kind == "array":
        chosen = set(raw or ())
        out.append(f'<label>{e(f.label(lang))}</label><div class="checks">')
        for c in f.choices or ():
            chk = " checked" if c in chosen else ""
            out.append(f'<label><input type="checkbox" name="{f.name}" value="{e(c)}"{chk}>'
                       f'{e(_choice_label(f, c, lang))}</label>')
        out.append("</div>")
    else:
        out.append(f'<label for="{fid}">{e(f.label(lang))}</label>')
        if f.kind == "boolean":
            cur = "0" if str(raw).lower() in ("0", "false", "no", "non", "off") else "1"
            out.append(f'<select id="{fid}" name="{f.name}">'
                       f'<option value="1"{" selected" if cur == "1" else ""}>{e(t("yes", lang))}</option>'
                       f'<option value="0"{" selected" if cur == "0" else ""}>{e(t("no", lang))}</option></select>')
        elif f.choices is not None:
            opts = [] if f.default is not None or f.form_default is not None else ['<option value="">—</option>']
            if f.name == "task" or (f.name == "device" and f.default is None):
                opts = ['<option value="">—</option>']
            for c in f.choices:
                sel = " selected" if str(raw) == c else ""
                opts.append(f'<option value="{e(c)}"{sel}>{e(_choice_label(f, c, lang))}</option>')
            out.append(f'<select id="{fid}" name="{f.name}">{"".join(opts)}</select>')
        else:
            value = "" if raw is None else raw
            if isinstance(value, float) and f.kind in ("number", "integer"):
                value = f"{value:g}" if abs(value) < 1e6 else f"{value:.6g}"
            dl = f' list="dl-{f.suggest}"' if f.suggest else ""
            # a range needs the ":" that a decimal keypad lacks
            mode = ' inputmode="decimal"' if f.kind in ("number", "integer") and not f.ranged else ""
            if f.ranged and f.kind == "number":
                mode = f' placeholder="{e(t("range_placeholder", lang))}" data-range="1"'
            out.append(f'<input id="{fid}" name="{f.name}" value="{e(value)}"{dl}{mode} autocomplete="off">')
    if err:
        acc = f" ({e(err.accepted)})" if err.accepted else ""
        out.append(f'<div class="err" role="alert" id="err-{f.name}">{e(err.message)}{acc}</div>')
    elif f.help(lang):
        out.append(f"<small>{e(f.help(lang))}</small>")
    out.append("</div>")
    return "".join(out)


def form_html(endpoint: str, path: str, raw: Mapping[str, Any], errors: Sequence[FieldError], lang: str) -> str:
    errs = {er.field: er for er in errors}
    fields = [f for f in fields_of(endpoint) if f.name != "lang"]
    body = "".join(field_html(f, raw.get(f.name), errs.get(f.name), lang) for f in fields)
    lists = "".join(_datalist(s) for s in sorted({f.suggest for f in fields if f.suggest}))
    banner = ""
    if errors:
        other = [er for er in errors if er.field not in {f.name for f in fields}]
        extra = "".join(f"<div>{e(er.message)}</div>" for er in other)
        banner = f'<div class="banner" role="alert" id="form-errors">{e(t("form_errors", lang))}{extra}</div>'
    hint = (f'<p class="small muted" id="range-hint">{e(t("range_hint", lang))}</p>'
            if any(f.ranged and f.kind == "number" for f in fields) else "")
    return (f'{banner}<form method="get" action="{e(path)}" class="card" id="calc">'
            f'<input type="hidden" name="lang" value="{lang}">{hint}<div class="grid">{body}</div>{lists}'
            f'<button type="submit" id="go">{e(t("compute", lang))}</button></form>')


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


EQ_SHOWN = ("car_km", "paris_new_york_round_trips", "smartphone_charges", "person_years_electricity", "forest_m2",
            "tree_months")


def footprint_html(fp: Footprint, d: Mapping[str, Any], lang: str, *, labels: Mapping[str, str] | None = None,
                   headline_suffix: str = "") -> str:
    """Headline, iceberg, parts table, equivalents, warnings and sources of one footprint."""
    labels = labels or {}
    total = d["co2e_kg"]
    vis, sub = d["visible_co2e_kg"], d["submerged_co2e_kg"]
    rng = mass_range(total, d["co2e_kg_low"], d["co2e_kg_high"], lang)
    colon = " :" if lang == "fr" else ":"
    rng_html = f"<span>{e(t('range', lang))}{colon} {e(rng)}</span>" if rng else ""
    head = (f'<div class="card" id="result"><div class="headline"><span class="big" id="total">'
            f'{e(mass(total, lang))}</span><span class="muted">{e(headline_suffix)}</span>'
            f'{rng_html}'
            f'<span class="muted">{e(t("electricity", lang))} {e(fmt_energy_kwh(d["energy_kwh"], lang))}</span></div>'
            f'<div class="split"><span class="pill">▲ {e(t("visible_tip", lang))} {e(mass(vis, lang))}'
            f' ({e(pct(vis / total, lang) if total else "–")})</span>'
            f'<span class="pill sub">▼ {e(t("submerged", lang))} {e(mass(sub, lang))}'
            f' ({e(pct(sub / total, lang) if total else "–")})</span></div>'
            f'<div class="svg" id="iceberg">{iceberg(fp, lang, labels)}</div></div>')
    rows = []
    for p in d["parts"]:
        name = labels.get(p["name"]) or p.get("label") or label(p["name"], lang)
        share = pct(p["co2e_kg"] / total, lang) if total else ""
        rows.append(
            f'<tr><td>{"▲" if p["visible"] else "▼"} {e(name)}<div class="small muted">{e(p["detail"])}</div></td>'
            f'<td class="n">{e(fmt_energy_kwh(p["energy_kwh"], lang)) if p["energy_kwh"] else "–"}</td>'
            f'<td class="n">{e(mass(p["co2e_kg"], lang))}</td>'
            f'<td class="n">{e(mass_range(p["co2e_kg"], p["co2e_kg_low"], p["co2e_kg_high"], lang))}</td>'
            f'<td class="n">{e(share)}</td><td>{e(label("status:" + p["status"], lang))}</td></tr>')
    table = (f'<h2>{e(t("parts", lang))}</h2><div class="card"><table id="parts"><thead><tr>'
             f'<th>{e(label("part", lang))}</th><th>{e(label("energy", lang))}</th><th>{e(label("co2e", lang))}</th>'
             f'<th>{e(label("range", lang))}</th><th>%</th><th>{e(t("how", lang))}</th></tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table></div>')
    eqs = d.get("equivalents") or {}
    cells = []
    for k in EQ_SHOWN:
        q = eqs.get(k)
        if not q:
            continue
        r = "" if q["low"] == q["high"] else f'{fmt_number(q["low"], lang)} – {fmt_number(q["high"], lang)}'
        cells.append(f'<div class="eq"><b>{e(fmt_number(q["value"], lang))}</b>{e(q["label"])}'
                     f'{f"<div class=small>{e(r)}</div>" if r else ""}</div>')
    eq_html = (f'<h2>{e(t("equivalents", lang))}</h2><div class="eqs" id="equivalents">{"".join(cells)}</div>'
               if cells and total > 0 else "")
    extra = ""
    if d.get("warnings"):
        extra += f'<h2>{e(t("warnings", lang))}</h2><ul>{"".join(f"<li>{e(w)}</li>" for w in d["warnings"])}</ul>'
    if d.get("left_out"):
        extra += f'<h2>{e(t("left_out", lang))}</h2><ul>{"".join(f"<li>{e(w)}</li>" for w in d["left_out"])}</ul>'
    if d.get("sources"):
        extra += f'<h2>{e(t("sources", lang))}</h2>{sources_html(d["sources"])}'
    return head + eq_html + table + extra


def share_html(url: str, lang: str) -> str:
    return (f'<p class="share">{e(t("share", lang))}: <a id="share" href="{e(url)}">{e(url)}</a></p>')


def _rng(lo: float, hi: float, lang: str) -> str:
    return "" if lo == hi else f" ({e(fmt_number(lo, lang))} – {e(fmt_number(hi, lang))})"


# -- my AI day -------------------------------------------------------------------------------------
def my_day_html(result: Any, d: Mapping[str, Any], lang: str) -> str:
    labels = {p["name"]: p["label"] for p in d["parts"] if p.get("label")}
    out = [footprint_html(result.footprint, d, lang, labels=labels,
                          headline_suffix=f'{t("per_year", lang)} · {mass(d["per_day_co2e_kg"], lang)} '
                                          f'{t("per_day", lang)}')]
    rows = []
    top = max((a["saved_co2e_kg"] for a in d["actions"] if a["applicable"]), default=0) or 1.0
    for a in d["actions"]:
        if a["applicable"]:
            saved = t("you_save", lang).format(x=mass(a["saved_co2e_kg"], lang), y=pct(a["saved_pct"] / 100, lang))
            w = max(0.0, min(100.0, a["saved_co2e_kg"] / top * 100))
            rows.append(f'<div class="save" id="action-{e(a["id"])}"><div>{e(a["label"])}'
                        f'<div class="bar"><i style="width:{w:.0f}%"></i></div></div><b>{e(saved)}</b></div>')
        else:
            rows.append(f'<div class="save" id="action-{e(a["id"])}"><div>{e(a["label"])}</div>'
                        f'<span class="muted">{e(a["note"] or t("not_applicable", lang))}</span></div>')
    out.insert(0, "")
    actions = (f'<h2>{e(t("actions", lang))}</h2><div class="card" id="actions">{"".join(rows)}'
               f'<p class="small muted">{e(t("talk_advice", lang))}</p></div>')
    uses = []
    for u in d["uses"]:
        if u["wh"] is None:
            fig = f'<span class="nofig">{e(t("no_figure", lang))}</span>'
        else:
            fig = f'{e(fmt_number(u["wh"], lang))} Wh'
            if u["wh_low"] != u["wh_high"]:
                fig += f' <span class="small muted">({e(fmt_number(u["wh_low"], lang))} – ' \
                       f'{e(fmt_number(u["wh_high"], lang))})</span>'
        uses.append(f'<tr><td>{e(u["label"])}</td><td class="n">{fig}</td><td class="small">{e(u["note"])}'
                    f'{" · " + ", ".join(e(s) for s in u["sources"]) if u["sources"] else ""}</td></tr>')
    uses_html = (f'<h2>{e(t("everyday", lang))}</h2><div class="card"><table id="uses"><thead><tr>'
                 f'<th>{e(t("use", lang))}</th><th>{e(t("figure", lang))} ({e(t("per_use", lang))})</th>'
                 f'<th>{e(t("note", lang))}</th></tr></thead><tbody>{"".join(uses)}</tbody></table></div>')
    pops = []
    for p in d["population"]:
        if p["co2e_kg"] is None:
            val = f'<span class="nofig">{e(t("not_applicable", lang))}</span>'
        else:
            val = (f'<b>{e(mass(p["co2e_kg"], lang))}</b> {e(t("per_year", lang))} '
                   f'<span class="small muted">({e(mass(p["co2e_kg_low"], lang))} – {e(mass(p["co2e_kg_high"], lang))})'
                   f' · {e(mass(p["co2e_kg"] / 12, lang))} {e(t("per_month", lang))}</span>')
        pops.append(f'<tr><td>{e(p["label"])}</td><td>{val}</td></tr>')
    pop_html = (f'<h2>{e(t("population", lang))}</h2><div class="card"><table id="population"><tbody>'
                f'{"".join(pops)}</tbody></table><p class="small muted">'
                + e("Serveurs seulement (chiffre par usage × usages), réseau mondial moyen ; pas de PUE ajouté."
                    if lang == "fr" else
                    "Servers only (per-use figure × uses), world-average grid; no PUE added.")
                + "</p></div>")
    assum = "".join(
        f'<li>{e(a["label"])}: <b>{e(fmt_number(a["value"], lang))} {e(a["unit"])}</b>'
        f'{_rng(a["low"], a["high"], lang)}</li>'
        if a["unit"] else f'<li>{e(a["label"])}</li>' for a in d["assumptions"])
    assum_html = f'<h2>{e(t("assumptions", lang))}</h2><ul class="small" id="assumptions">{assum}</ul>'
    headline, rest = out[1].split('<h2>', 1)
    return headline + actions + "<h2>" + rest + uses_html + pop_html + assum_html


# -- runs and cases --------------------------------------------------------------------------------
def runs_table(runs: Sequence[Any], lang: str) -> str:
    if not runs:
        return f'<p class="card" id="no-runs">{e(t("no_runs", lang))}</p>'
    rows = []
    for r in runs:
        link = href(f"/runs/{r.run_id}", [("lang", lang)])
        rows.append(
            f'<tr><td><a class="run-link" href="{e(link)}">{e(r.run_id[:12])}</a></td><td>{e(r.name or "")}</td>'
            f'<td>{e(r.status)}</td><td>{e(r.started_at[:19].replace("T", " "))}</td><td>{e(r.hostname)}</td>'
            f'<td class="n">{e("" if r.duration_s is None else fmt_number(r.duration_s, lang) + " s")}</td>'
            f'<td class="n">{e("" if r.energy_kwh is None else fmt_energy_kwh(r.energy_kwh, lang))}</td>'
            f'<td class="n">{e("" if r.co2e_kg is None else mass(r.co2e_kg, lang))}</td>'
            f'<td class="small"><code>{e((r.command or "")[:80])}</code></td></tr>')
    heads = "".join(f"<th>{e(t(k, lang))}</th>" for k in ("run", "name", "status", "started", "host", "duration",
                                                           "energy", "emissions", "command"))
    return (f'<div class="card"><table id="runs"><thead><tr>{heads}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def runs_filter(hosts: Sequence[str], values: Mapping[str, str], lang: str) -> str:
    opts = [f'<option value="">{e(t("any", lang))}</option>'] + [
        f'<option value="{e(h)}"{" selected" if values.get("host") == h else ""}>{e(h)}</option>' for h in hosts]
    return (f'<form method="get" action="/runs" class="card" id="runs-filter"><input type="hidden" name="lang" '
            f'value="{lang}"><div class="grid">'
            f'<div class="fld"><label for="f-from">{e(t("date_from", lang))}</label><input type="date" id="f-from" '
            f'name="from" value="{e(values.get("from", ""))}"></div>'
            f'<div class="fld"><label for="f-to">{e(t("date_to", lang))}</label><input type="date" id="f-to" '
            f'name="to" value="{e(values.get("to", ""))}"></div>'
            f'<div class="fld"><label for="f-host">{e(t("host", lang))}</label><select id="f-host" name="host">'
            f'{"".join(opts)}</select></div></div><button type="submit">{e(t("filter", lang))}</button></form>')


# -- a run's report --------------------------------------------------------------------------------
#: The ids the app gives the report's sections (the other pages use the same ones).
SECTION_IDS = {"iceberg": "iceberg", "breakdown": "parts", "run": "run-info"}
#: What the app's own styles would otherwise change inside the report.
_REPORT_RESETS = (".report{border:1px solid var(--line);border-radius:12px;margin:.8rem 0}"
                  ".report h2{color:inherit}.report .split{display:block}.report .headline{align-items:stretch}"
                  ".report th{color:inherit;font-size:inherit}.report nav{display:block;margin:0}"
                  ".report nav a{padding:0;border-radius:0;font-size:inherit;color:var(--accent)}"
                  ".report nav a:hover{background:none;color:var(--accent)}"
                  ".report>div:first-of-type>section h2{margin-top:0;border-top:0}")


def _scope_selector(sel: str) -> str:
    if sel in (":root", "body", "main"):
        return ".report"
    if sel.startswith("main>"):
        return ".report>" + sel[len("main>"):]
    return ".report " + sel


@cache
def report_css() -> str:
    """The report's stylesheet, every rule scoped to ``.report`` so that it leaves the app's pages alone."""
    def scope(m: re.Match[str]) -> str:
        sels = ",".join(_scope_selector(x.strip()) for x in m.group(1).split(","))
        return f"{sels}{{{m.group(2)}}}"

    return re.sub(r"([^{}@]+)\{([^{}]*)\}", scope, REPORT_CSS.strip()) + _REPORT_RESETS


def report_html(toc: str, sections: list[tuple[str, str]], title: str, kind: str) -> str:
    """The body of a report page inside the app: a title, the report's contents and its sections
    (from :func:`aiceberg.explain.report.html.render_sections`)."""
    body = "".join(f'<div id="{SECTION_IDS.get(k, "report-" + k)}">{html}</div>' for k, html in sections)
    return (f'<div class="report"><span class="kind">{e(kind)}</span><h1 id="run-title">{e(title)}</h1>'
            f"{toc}{body}</div>")
