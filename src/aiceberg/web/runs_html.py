"""Server-rendered run pages: the runs table, its filter and pager, a run without a footprint, and a
run's report (the CLI's report, its styles scoped to the app's page). No web framework here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from aiceberg.explain.report.html import CSS as REPORT_CSS
from aiceberg.i18n import has, t
from aiceberg.i18n import numbers as N
from aiceberg.web.pages import e, href, mass


def run_status(status: str, lang: str) -> str:
    """A run's status in words (``finished`` → "terminée")."""
    key = f"report.run_status.{status}"
    return t(key, lang) if has(key) else status


# -- runs and cases --------------------------------------------------------------------------------
def runs_table(runs: Sequence[Any], lang: str) -> str:
    if not runs:
        return f'<p class="card" id="no-runs">{e(t("web.no_runs", lang))}</p>'
    rows = []
    for r in runs:
        link = href(f"/runs/{r.run_id}", [("lang", lang)])
        rows.append(
            f'<tr><td><a class="run-link" href="{e(link)}">{e(r.run_id[:12])}</a></td><td>{e(r.name or "")}</td>'
            f'<td>{e(run_status(r.status, lang))}</td><td>{e(r.started_at[:19].replace("T", " "))}</td>'
            f'<td>{e(r.hostname)}</td>'
            f'<td class="n">{e("" if r.duration_s is None else N.duration(r.duration_s, lang))}</td>'
            f'<td class="n">{e("" if r.energy_kwh is None else N.energy(r.energy_kwh, lang))}</td>'
            f'<td class="n">{e("" if r.co2e_kg is None else mass(r.co2e_kg, lang))}</td>'
            f'<td class="small">{command_html(r.command, lang, 80)}</td></tr>')
    heads = "".join(f"<th>{e(t('web.' + k, lang))}</th>" for k in ("run", "name", "status", "started", "host",
                                                                    "duration", "energy", "emissions", "command"))
    return (f'<div class="card"><table id="runs"><thead><tr>{heads}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def command_html(command: str | None, lang: str, limit: int | None = None) -> str:
    """A run's command as code, or a dash saying that none was recorded."""
    if not command:
        return f'<span class="muted" title="{e(t("web.no_command", lang))}">—</span>'
    if limit is None or len(command) <= limit:
        return f"<code>{e(command)}</code>"
    return f'<code title="{e(command)}">{e(command[:limit - 1])}…</code>'


def pager(query: Sequence[tuple[str, str]], page: int, more: bool, lang: str) -> str:
    """Links to the newer and older pages of the runs, keeping the filters."""
    links = []
    if page > 1:
        links.append(f'<a id="newer" rel="prev" href="{e(href("/runs", [*query, ("page", page - 1)]))}">'
                     f'{e(t("web.newer", lang))}</a>')
    if page > 1 or more:
        links.append(f'<span class="muted">{e(t("web.page", lang, page=page))}</span>')
    if more:
        links.append(f'<a id="older" rel="next" href="{e(href("/runs", [*query, ("page", page + 1)]))}">'
                     f'{e(t("web.older", lang))}</a>')
    return f'<div class="pager" id="pager">{"".join(links)}</div>' if links else ""


def run_info_html(rec: Any, title: str, lang: str) -> str:
    """A run without a footprint (running, or stopped before its end): what the store knows of it."""
    duration = "" if rec.duration_s is None else N.duration(rec.duration_s, lang)
    info = [("web.name", e(rec.name or "")), ("web.status", e(run_status(rec.status, lang))),
            ("web.started", e(rec.started_at[:19].replace("T", " "))), ("web.host", e(rec.hostname)),
            ("web.duration", e(duration)), ("web.command", command_html(rec.command, lang))]
    rows = "".join(f"<tr><th>{e(t(k, lang))}</th><td>{v}</td></tr>" for k, v in info)
    return (f'<h1 id="run-title">{e(title)}</h1><div class="card"><table id="run-info">{rows}</table></div>'
            f'<p class="card">{e(t("web.no_footprint", lang))}</p>')


def runs_filter(hosts: Sequence[str], values: Mapping[str, str], lang: str) -> str:
    opts = [f'<option value="">{e(t("web.any", lang))}</option>'] + [
        f'<option value="{e(h)}"{" selected" if values.get("host") == h else ""}>{e(h)}</option>' for h in hosts]
    return (f'<form method="get" action="/runs" class="card" id="runs-filter"><input type="hidden" name="lang" '
            f'value="{lang}"><div class="grid">'
            f'<div class="fld"><label for="f-from">{e(t("web.date_from", lang))}</label><input type="date" id="f-from" '
            f'name="from" value="{e(values.get("from", ""))}"></div>'
            f'<div class="fld"><label for="f-to">{e(t("web.date_to", lang))}</label><input type="date" id="f-to" '
            f'name="to" value="{e(values.get("to", ""))}"></div>'
            f'<div class="fld"><label for="f-host">{e(t("web.host", lang))}</label><select id="f-host" name="host">'
            f'{"".join(opts)}</select></div></div><button type="submit">{e(t("web.filter", lang))}</button></form>')


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
