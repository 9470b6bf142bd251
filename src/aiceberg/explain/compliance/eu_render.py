"""The EU form as people read it: Markdown (to paste into the technical documentation) and a self-contained
HTML page (styles inline, no script), both laid out from :func:`~.eu_form.eu_form`'s JSON, in its language."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from aiceberg.i18n import t

__all__ = ["eu_html", "eu_markdown"]

_VIEWS = ("ai_office", "national_authorities")
_HOW = ("training_time", "training_computation", "training_energy", "inference_computation")


def _colon(lang: str) -> str:
    """The colon between a label and its text: French puts a narrow no-break space before it."""
    return "\u202f: " if lang == "fr" else ": "


def _cell(text: Any) -> str:
    """A Markdown table cell: pipes escaped, runs of whitespace (newlines too) as one space."""
    return re.sub(r"\s+", " ", str(text)).replace("|", "\\|").strip()


def _obtained(form: Mapping[str, Any], field: str) -> str:
    f = form["fields"][field]
    return f.get("obtained_label") or (t("compliance.value.not_filled", form["language"]) if not f["filled"] else "")


def _how_lines(form: Mapping[str, Any]) -> list[tuple[str, str]]:
    lang = form["language"]
    out = []
    for name in _HOW:
        f = form["fields"][name]
        if not f["filled"] and not f.get("how"):
            continue
        text = f.get("how") or ""
        if f.get("range_text"):
            text += f" ({f['range_text']})"
        if name == "training_energy" and f.get("complete"):
            c = f["complete"]
            text += ". " + t("compliance.form.complete", lang, value=c["text"], boundary=c["boundary_label"],
                            obtained=c["obtained_label"])
        out.append((f["label"], text))
    return out


def eu_markdown(form: Mapping[str, Any]) -> str:
    """The form as Markdown: both views as tables, how each figure was obtained, what is missing, sources."""
    lang = form["language"]
    s = form["subject"]
    lines = [f"# {form['title']}", "",
             f"**{t('compliance.form.subject', lang)}**{_colon(lang)}{s['title']} ({s['kind']} `{s['name']}`)", "",
             form["basis"], ""]
    head = (f"| {t('compliance.form.item', lang)} | {t('compliance.form.value', lang)} | "
            f"{t('compliance.form.obtained', lang)} |")
    for view in _VIEWS:
        lines += [f"## {t(f'compliance.form.view.{view}', lang)}", "", head, "|---|---|---|"]
        lines += [f"| {_cell(r['label'])} | {_cell(r['value'])} | {_cell(_obtained(form, r['field']))} |"
                  for r in form["views"][view]]
        lines.append("")
    lines += [f"## {t('compliance.form.how', lang)}", ""]
    lines += [f"- **{label}**{_colon(lang)}{text}" for label, text in _how_lines(form)]
    lines += ["", f"## {t('compliance.form.missing', lang)}", ""]
    lines += [f"- **{m['label']}**{_colon(lang)}{m['provide']}" for m in form["missing"]] or [
        t("compliance.form.nothing_missing", lang)]
    if form["left_out"]:
        lines += ["", f"## {t('compliance.form.left_out', lang)}", ""]
        lines += [f"- {x}" for x in form["left_out"]]
    lines += ["", f"## {t('compliance.form.sources', lang)}", ""]
    for src in form["sources"]:
        bits = ", ".join(str(x) for x in (src["title"], src["publisher"], src["year"]) if x)
        lines.append(f"- `{src['id']}`{_colon(lang)}{bits}" + (f" <{src['url']}>" if src["url"] else ""))
    lines += ["", f"_{t('compliance.form.generated_by', lang, generator=form['generator'])}_", ""]
    return "\n".join(lines)


_STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b2733}"
    "h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #cfd8e0}"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;"
    "border-bottom:1px solid #e3e8ee}th{background:#f2f5f8}td.o{color:#4a5a6a;white-space:nowrap}"
    "code{background:#f2f5f8;padding:0 .2rem}.g{color:#4a5a6a;font-size:.9rem}"
)


def eu_html(form: Mapping[str, Any]) -> str:
    """The form as one self-contained HTML page (every text escaped)."""
    lang = form["language"]
    e = html.escape
    s = form["subject"]
    out = [f'<!DOCTYPE html>\n<html lang="{e(lang)}"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(form['title'])}</title><style>{_STYLE}</style></head><body>",
           f"<h1>{e(form['title'])}</h1>",
           f"<p><strong>{e(t('compliance.form.subject', lang))}</strong>{_colon(lang)}{e(s['title'])} "
           f"({e(s['kind'])} <code>{e(s['name'])}</code>)</p>", f"<p>{e(form['basis'])}</p>"]
    for view in _VIEWS:
        out.append(f"<h2>{e(t(f'compliance.form.view.{view}', lang))}</h2><table><thead><tr>"
                   f"<th>{e(t('compliance.form.item', lang))}</th><th>{e(t('compliance.form.value', lang))}</th>"
                   f"<th>{e(t('compliance.form.obtained', lang))}</th></tr></thead><tbody>")
        out += [f"<tr><th scope=\"row\">{e(r['label'])}</th><td>{e(r['value'])}</td>"
                f"<td class=\"o\">{e(_obtained(form, r['field']))}</td></tr>" for r in form["views"][view]]
        out.append("</tbody></table>")
    out.append(f"<h2>{e(t('compliance.form.how', lang))}</h2><ul>")
    out += [f"<li><strong>{e(label)}</strong>{_colon(lang)}{e(text)}</li>" for label, text in _how_lines(form)]
    out.append(f"</ul><h2>{e(t('compliance.form.missing', lang))}</h2>")
    if form["missing"]:
        out.append("<ul>" + "".join(f"<li><strong>{e(m['label'])}</strong>{_colon(lang)}{e(m['provide'])}</li>"
                                    for m in form["missing"]) + "</ul>")
    else:
        out.append(f"<p>{e(t('compliance.form.nothing_missing', lang))}</p>")
    if form["left_out"]:
        out.append(f"<h2>{e(t('compliance.form.left_out', lang))}</h2><ul>"
                   + "".join(f"<li>{e(x)}</li>" for x in form["left_out"]) + "</ul>")
    out.append(f"<h2>{e(t('compliance.form.sources', lang))}</h2><ul>")
    for src in form["sources"]:
        bits = ", ".join(str(x) for x in (src["title"], src["publisher"], src["year"]) if x)
        url = f" ({e(src['url'])})" if src["url"] else ""
        out.append(f"<li><code>{e(src['id'])}</code>{_colon(lang)}{e(bits)}{url}</li>")
    out.append(f"</ul><p class=\"g\">{e(t('compliance.form.generated_by', lang, generator=form['generator']))}</p>")
    out.append("</body></html>\n")
    return "\n".join(out)
