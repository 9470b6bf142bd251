"""Server-rendered HTML: one layout, the calculators' forms and results, runs and cases.

Every piece of dynamic text goes through :func:`e` (``html.escape``). No script, no external
resource: the CSS is inline and the iceberg is an SVG drawn by the project. No web framework here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from aiceberg import refdata
from aiceberg.i18n import LANGS, t
from aiceberg.i18n import numbers as N
from aiceberg.refdata import follows_data
from aiceberg.web.schema import Field, FieldError, fields_of, label_of

#: Each language's name in itself (the language switch and the form's choice).
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}

NAV = (("/", "web.home"), ("/training", "web.training"), ("/inference", "web.inference"), ("/usage", "web.usage"),
       ("/my-ai-day", "web.my_ai_day"), ("/runs", "web.runs"), ("/cases", "web.cases"),
       ("/scenarios", "scenario.web.title"), ("/api", "API"))

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
.pager{display:flex;gap:1.2rem;align-items:baseline;margin:.8rem 0}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.8rem 0}
#endpoints code{overflow-wrap:anywhere}
footer{max-width:1080px;margin:2rem auto;padding:0 1.2rem;color:var(--muted);font-size:.85rem}
"""


#: The tab's icon: the tip of an iceberg above the waterline and its larger submerged part.
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    '<rect width="64" height="64" rx="12" fill="#dcefff"/>'
    '<path d="M0 27h64v25a12 12 0 0 1-12 12H12A12 12 0 0 1 0 52z" fill="#1d6fa5"/>'
    '<path d="M32 6 21 27h22z" fill="#fff" stroke="#0b3558" stroke-width="2" stroke-linejoin="round"/>'
    '<path d="M21 27h22l11 17-15 14-22-3-7-14z" fill="#b9dcf5" stroke="#0b3558" stroke-width="2" '
    'stroke-linejoin="round"/></svg>'
)


def e(x: Any) -> str:
    return escape("" if x is None else str(x), quote=True)


def href(path: str, params: Iterable[tuple[str, Any]]) -> str:
    q = urlencode([(k, str(v)) for k, v in params])
    return path + ("?" + q if q else "")


def layout(lang: str, path: str, query: Sequence[tuple[str, str]], title: str, body: str,
           active: str | None = None, css: str = "") -> str:
    other = next(x for x in LANGS if x != lang)  # the switch goes to the other language
    switch = href(path, [(k, v) for k, v in query if k != "lang"] + [("lang", other)])
    nav = "".join(
        f'<a href="{e(href(p, [("lang", lang)]))}"{" class=on" if (active or path) == p else ""}>'
        f'{e(t(k, lang) if "." in k else k)}</a>' for p, k in NAV)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<title>{e(title)} · aiceberg</title><link rel="icon" href="/favicon.svg" type="image/svg+xml">'
        f'<style>{CSS}{css}</style></head><body>'
        f'<header><div class="top"><a class="brand" href="{e(href("/", [("lang", lang)]))}">aiceberg'
        f'<small>{e(t("web.tagline", lang))}</small></a>'
        f'<a class="lang" id="lang-switch" hreflang="{other}" href="{e(switch)}">{e(t("web.switch", lang))}</a></div>'
        f'<nav>{nav}</nav></header><main>{body}</main>'
        f'<footer>aiceberg · {e(t("web.footer", lang))} · '
        f'<a href="/openapi.json">openapi.json</a></footer></body></html>'
    )


# -- numbers (the policy of aiceberg.i18n.numbers; CO₂ written with its subscript on pages) ---------------
def mass(kg: float, lang: str) -> str:
    """Emissions given in kgCO2e, at their SI prefix: ``22.9 g CO₂e``, ``50.5 t CO₂e``."""
    return N.co2e(kg, lang).replace("CO2e", "CO₂e")


def mass_range(c: float, lo: float, hi: float, lang: str) -> str:
    """The range alone, in the unit that suits the central value (``30.6 – 34.1 kg CO₂e``); empty when exact."""
    return N.span(SimpleNamespace(central=c, low=lo, high=hi), "kg CO2e", lang).replace("CO2e", "CO₂e")


def pct(x: float, lang: str) -> str:
    """A share (``0.125`` → ``13 %``), with the language's spacing."""
    return N.percent(x * 100, lang)


# -- forms -----------------------------------------------------------------------------------------
@follows_data  # a cache emptied when the reference data changes (refdata.set_data_dir)
def _datalist(table: str, lang: str = "en") -> str:
    """The names a field suggests, each labelled in the reader's language (its English name where the data has
    no other)."""
    rows = refdata.load_table(table)
    opts = "".join(f'<option value="{e(r.id)}">{e(getattr(r, f"name_{lang}", "") or getattr(r, "name_en", "") or "")}'
                   '</option>' for r in rows)
    return f'<datalist id="dl-{table}">{opts}</datalist>'


def _choice_label(f: Field, value: str, lang: str) -> str:
    table = {"task": "inference", "network": "network", "device": "devices", "other_devices": "devices",
             "chatbot": "inference"}.get(f.name)
    if f.name == "lang":
        return LANGUAGE_NAMES[value]
    if f.name == "chatbot" and value == "spread":
        return t("web.chatbot_spread", lang)
    if table:
        row = refdata.find(table, value)
        if row is not None:
            name = getattr(row, f"name_{lang}", "") or getattr(row, "name_en", "") or value
            if table == "inference":
                return f"{name} — {N.quantity(row.wh_per_request, 'Wh', lang)}"
            return name
    return value


def field_html(f: Field, raw: Any, err: FieldError | None, lang: str) -> str:
    fid = f"f-{f.name}"
    cls = "fld bad" if err else "fld"
    out = [f'<div class="{cls}" id="w-{f.name}">']
    if f.kind == "array":
        chosen = set(raw or ())
        out.append(f'<label>{e(f.label.render(lang))}</label><div class="checks">')
        for c in f.choices or ():
            chk = " checked" if c in chosen else ""
            out.append(f'<label><input type="checkbox" name="{f.name}" value="{e(c)}"{chk}>'
                       f'{e(_choice_label(f, c, lang))}</label>')
        out.append("</div>")
    else:
        out.append(f'<label for="{fid}">{e(f.label.render(lang))}</label>')
        if f.kind == "boolean":
            cur = "0" if str(raw).lower() in ("0", "false", "no", "non", "off") else "1"
            out.append(f'<select id="{fid}" name="{f.name}">'
                       f'<option value="1"{" selected" if cur == "1" else ""}>{e(t("web.yes", lang))}</option>'
                       f'<option value="0"{" selected" if cur == "0" else ""}>{e(t("web.no", lang))}</option></select>')
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
                mode = f' placeholder="{e(t("web.range_placeholder", lang))}" data-range="1"'
            out.append(f'<input id="{fid}" name="{f.name}" value="{e(value)}"{dl}{mode} autocomplete="off">')
    if err:
        accepted = err.accepted_text(lang)
        acc = f" ({e(accepted)})" if accepted else ""
        out.append(f'<div class="err" role="alert" id="err-{f.name}">{e(err.text(lang))}{acc}</div>')
    elif f.hint:
        out.append(f"<small>{e(f.hint.render(lang))}</small>")
    out.append("</div>")
    return "".join(out)


def form_html(endpoint: str, path: str, raw: Mapping[str, Any], errors: Sequence[FieldError], lang: str) -> str:
    errs = {er.field: er for er in errors}
    fields = [f for f in fields_of(endpoint) if f.name != "lang"]
    body = "".join(field_html(f, raw.get(f.name), errs.get(f.name), lang) for f in fields)
    lists = "".join(_datalist(s, lang) for s in sorted({f.suggest for f in fields if f.suggest}))
    banner = ""
    if errors:
        other = [er for er in errors if er.field not in {f.name for f in fields}]
        extra = "".join(f"<div>{e(t('error.field', lang, field=label_of(endpoint, er.field), reason=er.text(lang)))}"
                        f"</div>" for er in other)
        banner = f'<div class="banner" role="alert" id="form-errors">{e(t("web.form_errors", lang))}{extra}</div>'
    hint = (f'<p class="small muted" id="range-hint">{e(t("web.range_hint", lang))}</p>'
            if any(f.ranged and f.kind == "number" for f in fields) else "")
    return (f'{banner}<form method="get" action="{e(path)}" class="card" id="calc">'
            f'<input type="hidden" name="lang" value="{lang}">{hint}<div class="grid">{body}</div>{lists}'
            f'<button type="submit" id="go">{e(t("web.compute", lang))}</button></form>')
