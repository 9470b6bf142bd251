"""The Starlette application: thin routes that validate, call the engine and render.

Pages are GET forms, so a result's address holds its parameters (a shareable link). The JSON API
answers ``footprint_dict(...)`` and, for bad input, 422 with ``{"detail": [{"field", "message",
"accepted"}]}``. Nothing here writes a file; the run store is opened read-only in spirit (no stale-run
sweep), and a missing store is reported, never created.
"""

from __future__ import annotations

import json
import os
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from aiceberg.cases import get_case, list_cases
from aiceberg.config import load_settings
from aiceberg.errors import AicebergError, InputError
from aiceberg.explain.case_text import case_dict
from aiceberg.explain.report import from_run, report_data
from aiceberg.explain.report.html import render_sections
from aiceberg.explain.report.labels import t as report_t
from aiceberg.store import open_store
from aiceberg.web import engine, pages
from aiceberg.web.openapi import PATHS, openapi_document
from aiceberg.web.pages import e, href, layout
from aiceberg.web.schema import NAMES, FieldError, ValidationFailed, fields_of, validate
from aiceberg.web.text import t

MAX_BODY = 64 * 1024
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                                      "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"}


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "en")
    return lang if lang in ("en", "fr") else "en"


def _html(request: Request, title: str, body: str, status: int = 200, active: str | None = None,
          css: str = "") -> HTMLResponse:
    lang = _lang(request)
    doc = layout(lang, request.url.path, list(request.query_params.multi_items()), title, body, active, css)
    return HTMLResponse(doc, status_code=status, headers=HEADERS)


def _share_url(request: Request) -> str:
    return str(request.url)


# -- pages -----------------------------------------------------------------------------------------
async def home(request: Request) -> Response:
    lang = _lang(request)
    cards = "".join(
        f'<a class="card" href="{e(href(p, [("lang", lang)]))}"><h3>{e(t(k, lang))}</h3>'
        f'<p>{e(t("home_" + d, lang))}</p></a>'
        for p, k, d in (("/training", "training", "training"), ("/inference", "inference", "inference"),
                        ("/usage", "usage", "usage"), ("/my-ai-day", "my-ai-day", "day"),
                        ("/runs", "runs", "runs"), ("/cases", "cases", "cases")))
    body = (f'<h1>{e(t("tagline", lang))}</h1><p class="card">{e(t("home_intro", lang))}</p>'
            f'<div class="cards">{cards}</div>')
    return _html(request, t("home", lang), body, active="/")


def _calculator(endpoint: str, path: str):
    async def page(request: Request) -> Response:
        lang = _lang(request)
        fields = fields_of(endpoint)
        params = request.query_params
        submitted = any(k != "lang" for k in params)
        raw: dict[str, Any] = {}
        for f in fields:
            if f.name == "lang":
                continue
            if f.kind == "array":
                raw[f.name] = params.getlist(f.name) if submitted else list(f.default or ())
            elif submitted:
                raw[f.name] = params.get(f.name)
            else:
                raw[f.name] = f.form_default if f.form_default is not None else f.default
        errors: list[FieldError] = []
        result_html = ""
        status = 200
        if submitted:
            data = {k: v for k, v in raw.items()}
            data["lang"] = lang
            try:
                values = validate(endpoint, data, form=True, lang=lang)
                result = engine.compute(endpoint, values)
                d = engine.result_dict(endpoint, result, lang)
                if endpoint == "my-ai-day":
                    result_html = pages.my_day_html(result, d, lang)
                else:
                    result_html = pages.footprint_html(result, d, lang)
                result_html = (f'<h2>{e(t("result", lang))}</h2>' + pages.share_html(_share_url(request), lang)
                               + result_html)
            except ValidationFailed as exc:
                errors = exc.errors
            except (AicebergError, ValueError, ArithmeticError) as exc:
                errors = [engine.error_of(endpoint, exc, lang)]
            if errors:
                status = 422
        intro = f'<p class="muted">{e(t("day_intro", lang))}</p>' if endpoint == "my-ai-day" else ""
        body = (f'<h1>{e(t(endpoint, lang))}</h1>{intro}'
                + pages.form_html(endpoint, path, raw, errors, lang) + result_html)
        return _html(request, t(endpoint, lang), body, status=status)
    return page


def _open_store(db: str | None) -> tuple[Any, str]:
    target = db or load_settings().db
    text = os.fspath(target)
    if "://" not in text and text != ":memory:" and not os.path.exists(text):
        return None, text
    return open_store(text, check_stale=False), text


def _runs_page(db: str | None):
    async def runs(request: Request) -> Response:
        lang = _lang(request)
        q = request.query_params
        filters = {k: q.get(k, "").strip()[:40] for k in ("from", "to", "host")}
        store, path = _open_store(db)
        if store is None:
            body = (f'<h1>{e(t("runs", lang))}</h1><p class="card" id="no-store">'
                    f'{e(t("no_store", lang).format(path=path))} {e(t("no_runs", lang))}</p>')
            return _html(request, t("runs", lang), body)
        try:
            all_runs = store.list_runs()
        finally:
            store.close()
        hosts = sorted({r.hostname for r in all_runs})
        shown = [r for r in all_runs
                 if (not filters["from"] or r.started_at[:10] >= filters["from"])
                 and (not filters["to"] or r.started_at[:10] <= filters["to"])
                 and (not filters["host"] or r.hostname == filters["host"])]
        body = (f'<h1>{e(t("runs", lang))}</h1>' + pages.runs_filter(hosts, filters, lang)
                + pages.runs_table(shown, lang))
        return _html(request, t("runs", lang), body)
    return runs


def _run_page(db: str | None):
    """A run's page: the same content as ``aiceberg report RUN``, inside the app's navigation."""
    async def run(request: Request) -> Response:
        lang = _lang(request)
        run_id = request.path_params["run_id"]
        store, _ = _open_store(db)
        if store is None:
            raise HTTPException(404)
        try:
            try:
                rec = store.get_run(run_id)
            except AicebergError:
                raise HTTPException(404) from None
            try:
                src = from_run(rec.run_id, store=store)
            except AicebergError:  # no footprint yet (running, stopped early) or one that cannot be read
                src = None
        finally:
            store.close()
        title = f'{t("run", lang)} {rec.name or rec.run_id[:12]}'
        if src is not None:
            toc, sections = render_sections(report_data(src.fp, lang=lang, **src.kwargs()))
            body = pages.report_html(toc, sections, title, report_t("kind:run", lang))
            return _html(request, title, body, active="/runs", css=pages.report_css())
        info = [(t("name", lang), rec.name or ""), (t("status", lang), rec.status),
                (t("started", lang), rec.started_at[:19].replace("T", " ")), (t("host", lang), rec.hostname),
                (t("duration", lang), "" if rec.duration_s is None else f"{pages.fmt_number(rec.duration_s, lang)} s"),
                (t("command", lang), rec.command or "")]
        rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in info)
        body = (f'<h1 id="run-title">{e(title)}</h1><div class="card"><table id="run-info">{rows}</table></div>'
                f'<p class="card">{e(t("no_footprint", lang))}</p>')
        return _html(request, title, body, active="/runs")
    return run


async def cases(request: Request) -> Response:
    lang = _lang(request)
    items = "".join(
        f'<a class="card" href="{e(href("/cases/" + c.name, [("lang", lang)]))}"><h3>{e(c.title(lang))}</h3>'
        f'<p class="small">{e(c.convention(lang))}</p></a>' for c in list_cases())
    body = f'<h1>{e(t("cases", lang))}</h1><div class="cards" id="cases">{items}</div>'
    return _html(request, t("cases", lang), body)


async def case(request: Request) -> Response:
    lang = _lang(request)
    name = request.path_params["name"]
    try:
        get_case(name)
    except AicebergError:
        raise HTTPException(404) from None
    res = engine.case_result(name)
    d = case_dict(res, lang)
    rows = []
    for metric, pub in d["published_detail"].items():
        rep = d["reproduced"].get(metric)
        dev = d["deviation_pct"].get(metric)
        rows.append(f'<tr><td>{e(metric)}<div class="small muted">{e(pub["where"])}</div></td>'
                    f'<td class="n">{e(pages.fmt_number(pub["value"], lang))} {e(pub["unit"])}</td>'
                    f'<td class="n">{e("" if rep is None else pages.fmt_number(rep, lang))} '
                    f'{e(pub["unit"] if rep is not None else "")}</td>'
                    f'<td class="n">{e("" if dev is None else pages.pct(dev / 100, lang))}</td></tr>')
    table = (f'<div class="card"><table id="case-compare"><thead><tr><th>{e(t("metric", lang))}</th>'
             f'<th>{e(t("published", lang))}</th><th>{e(t("reproduced", lang))}</th><th>{e(t("deviation", lang))}</th>'
             f'</tr></thead><tbody>{"".join(rows)}</tbody></table>'
             f'<p class="small"><b>{e(t("convention", lang))}:</b> {e(d["convention"])}</p></div>')
    notes = "".join(f"<li>{e(n)}</li>" for n in d["notes"])
    body = (f'<h1>{e(d["title"])}</h1>{table}' + (f'<ul class="small">{notes}</ul>' if notes else "")
            + f'<h2>{e(t("reproduced", lang))}</h2>'
            + pages.footprint_html(res.reproduction, d, lang)
            + f'<h2 id="complete">{e(t("complete", lang))}</h2>'
            + pages.footprint_html(res.complete, d["complete"], lang))
    return _html(request, d["title"], body, active="/cases")


async def api_page(request: Request) -> Response:
    lang = _lang(request)
    rows = "".join(f"<tr><td><code>POST {e(PATHS[n])}</code></td><td>{e(t(n, lang))}</td></tr>" for n in NAMES)
    rows += "<tr><td><code>GET /api/cases</code></td><td>" + e(t("cases", lang)) + "</td></tr>"
    rows += "<tr><td><code>GET /api/cases/{name}</code></td><td>" + e(t("cases", lang)) + "</td></tr>"
    example = json.dumps({"hardware": "a100", "count": 8, "hours": 24, "location": "FR"})
    body = (f'<h1>API</h1><p>{e(t("api_text", lang))} <a href="/openapi.json">/openapi.json</a></p>'
            f'<div class="card"><table>{rows}</table></div><pre class="card small">curl -X POST '
            f'-H "content-type: application/json" -d {e(repr(example))} http://127.0.0.1:8000/api/estimate/training</pre>')
    return _html(request, "API", body)


# -- JSON API --------------------------------------------------------------------------------------
def _422(errors: list[FieldError]) -> JSONResponse:
    return JSONResponse({"detail": [er.to_dict() for er in errors]}, status_code=422)


def _api(endpoint: str):
    async def handler(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return _422([FieldError("body", "the body is too large", f"at most {MAX_BODY} bytes")])
        try:
            data = json.loads(body or b"null")
        except (ValueError, RecursionError):
            return _422([FieldError("body", "the body is not valid JSON", "a JSON object")])
        lang = data.get("lang", "en") if isinstance(data, dict) else "en"
        lang = lang if lang in ("en", "fr") else "en"
        try:
            values = validate(endpoint, data, lang=lang)
            result = engine.compute(endpoint, values)
            return JSONResponse(engine.result_dict(endpoint, result, values["lang"]))
        except ValidationFailed as exc:
            return _422(exc.errors)
        except (InputError, AicebergError, ValueError, ArithmeticError) as exc:
            return _422([engine.error_of(endpoint, exc, lang)])
    return handler


def _api_lang(request: Request) -> str | None:
    lang = request.query_params.get("lang", "en")
    return lang if lang in ("en", "fr") else None


async def api_cases(request: Request) -> Response:
    lang = _api_lang(request)
    if lang is None:
        return _422([FieldError("lang", "unknown language", "en, fr")])
    return JSONResponse([{"name": c.name, "title": c.title(lang), "convention": c.convention(lang),
                          "sources": list(c.sources)} for c in list_cases()])


async def api_case(request: Request) -> Response:
    lang = _api_lang(request)
    if lang is None:
        return _422([FieldError("lang", "unknown language", "en, fr")])
    name = request.path_params["name"]
    try:
        get_case(name)
    except InputError as exc:
        return JSONResponse({"detail": [{"field": "name", "message": exc.reason, "accepted": exc.accepted}]},
                            status_code=404)
    return JSONResponse(case_dict(engine.case_result(name), lang))


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


# -- errors ----------------------------------------------------------------------------------------
async def not_found(request: Request, exc: Exception) -> Response:
    code = getattr(exc, "status_code", 404)
    headers = dict(getattr(exc, "headers", None) or {})  # keeps "Allow" on a 405
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return JSONResponse({"detail": [{"field": "path", "message": "not found" if code == 404 else
                                         getattr(exc, "detail", str(exc)), "accepted": None}]},
                            status_code=code, headers=headers)
    lang = _lang(request)
    resp = _html(request, t("not_found", lang),
                 f'<h1>{e(t("not_found", lang))}</h1><p>{e(t("not_found_text", lang))}</p>', status=code)
    resp.headers.update(headers)
    return resp


def create_app(db: str | None = None) -> Starlette:
    """The web app. ``db``: the run store (default: ``AICEBERG_DB`` or the settings' default)."""
    routes = [
        Route("/", home),
        Route("/training", _calculator("training", "/training")),
        Route("/inference", _calculator("inference", "/inference")),
        Route("/usage", _calculator("usage", "/usage")),
        Route("/my-ai-day", _calculator("my-ai-day", "/my-ai-day")),
        Route("/runs", _runs_page(db)),
        Route("/runs/{run_id}", _run_page(db)),
        Route("/cases", cases),
        Route("/cases/{name}", case),
        Route("/api", api_page),
        Route("/openapi.json", openapi),
        Route("/api/cases", api_cases),
        Route("/api/cases/{name}", api_case),
    ]
    routes += [Route(PATHS[n], _api(n), methods=["POST"]) for n in NAMES]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found})
