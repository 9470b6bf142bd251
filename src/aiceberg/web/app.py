"""The Starlette application: thin routes that validate, call the engine and render.

Pages are GET forms, so a result's address holds its parameters (a shareable link). The JSON API
answers ``footprint_dict(...)`` and, for bad input, 422 with ``{"detail": [{"field", "message",
"accepted", "code"}]}`` — one entry per bad field. Nothing here writes a file; the run store is read
without the stale-run sweep, and a missing store is reported, never created.

Work that can take time (the engine, a case's first run, the store) runs in Starlette's thread pool
(plain ``def`` handlers, or ``run_in_threadpool``), never on the event loop: one slow page does not
hold the others. Request bodies are read as they stream in and refused (413) past ``MAX_BODY``.
Every response goes through :class:`aiceberg.web.guard.Guard` (``Host`` check, security headers).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aiceberg.cases import get_case, list_cases
from aiceberg.errors import AicebergError, UnknownNameError
from aiceberg.explain.case_text import case_dict
from aiceberg.i18n import LANGS, Msg, t
from aiceberg.web import engine, pages, results, scenario
from aiceberg.web.checks import unknown_name, validate
from aiceberg.web.guard import Guard
from aiceberg.web.openapi import MAX_BODY, PATHS, openapi_document
from aiceberg.web.pages import e, href
from aiceberg.web.responses import body_too_large, html, invalid_json, json_errors, lang_of, read_body
from aiceberg.web.runs import StoreOpener, api_runs, default_opener, run_page, runs_page
from aiceberg.web.schema import NAMES, FieldError, ValidationFailed, fields_of, neutral_query

__all__ = ["MAX_BODY", "create_app"]


# -- pages -----------------------------------------------------------------------------------------
async def home(request: Request) -> Response:
    lang = lang_of(request)
    cards = "".join(
        f'<a class="card" href="{e(href(p, [("lang", lang)]))}"><h3>{e(t(k, lang))}</h3>'
        f'<p>{e(t(d, lang))}</p></a>'
        for p, k, d in (("/training", "web.training", "web.home_training"),
                        ("/inference", "web.inference", "web.home_inference"),
                        ("/usage", "web.usage", "web.home_usage"), ("/my-ai-day", "web.my_ai_day", "web.home_day"),
                        ("/runs", "web.runs", "web.home_runs"), ("/cases", "web.cases", "web.home_cases")))
    body = (f'<h1>{e(t("web.tagline", lang))}</h1><p class="card">{e(t("web.home_intro", lang))}</p>'
            f'<div class="cards">{cards}</div>')
    return html(request, t("web.home", lang), body, active="/")


def _title(endpoint: str) -> str:
    return "web." + endpoint.replace("-", "_")


def _calculator(endpoint: str, path: str):
    def page(request: Request) -> Response:  # a plain function: Starlette runs it in its thread pool
        lang = lang_of(request)
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
        if submitted:
            try:
                values = validate(endpoint, {**raw, "lang": lang}, form=True, lang=lang)
                result = engine.compute(endpoint, values)
                d = engine.result_dict(endpoint, result, lang)
                result_html = (results.my_day_html(result, d, lang) if endpoint == "my-ai-day"
                               else results.footprint_html(result, d, lang))
                result_html = (f'<h2>{e(t("web.result", lang))}</h2>' + results.share_html(str(request.url), lang)
                               + result_html)
            except ValidationFailed as exc:
                errors = exc.errors
            except (AicebergError, ValueError, ArithmeticError) as exc:
                errors = [engine.error_of(endpoint, exc)]
        intro = f'<p class="muted">{e(t("web.day_intro", lang))}</p>' if endpoint == "my-ai-day" else ""
        body = (f'<h1>{e(t(_title(endpoint), lang))}</h1>{intro}'
                + pages.form_html(endpoint, path, raw, errors, lang) + result_html)
        return html(request, t(_title(endpoint), lang), body, status=422 if errors else 200,
                    query=neutral_query(endpoint, list(params.multi_items()), lang))
    return page


def cases(request: Request) -> Response:
    lang = lang_of(request)
    items = "".join(
        f'<a class="card" href="{e(href("/cases/" + c.name, [("lang", lang)]))}"><h3>{e(c.title(lang))}</h3>'
        f'<p class="small">{e(c.convention(lang))}</p></a>' for c in list_cases())
    body = f'<h1>{e(t("web.cases", lang))}</h1><div class="cards" id="cases">{items}</div>'
    return html(request, t("web.cases", lang), body)


def case(request: Request) -> Response:
    lang = lang_of(request)
    try:
        c = get_case(request.path_params["name"])
    except AicebergError:
        raise HTTPException(404) from None
    res = engine.case_result(c.name)
    return html(request, c.title(lang), results.case_html(res, lang), active="/cases")


async def api_page(request: Request) -> Response:
    lang = lang_of(request)
    rows = [(f"POST {PATHS[n]}", t(_title(n), lang)) for n in NAMES]
    rows += [("GET /api/cases", t("web.cases", lang)), ("GET /api/cases/{name}", t("web.api_case", lang)),
             ("GET /api/runs", t("web.api_runs", lang))]
    table = "".join(f"<tr><td><code>{e(a)}</code></td><td>{e(b)}</td></tr>" for a, b in rows)
    example = json.dumps({"hardware": "a100", "count": 8, "hours": 24, "location": "FR"})
    curl = (f"curl -X POST -H 'content-type: application/json' \\\n     -d '{example}' \\\n"
            f"     {str(request.base_url).rstrip('/')}{PATHS['training']}")
    body = (f'<h1>API</h1><p>{e(t("web.api_text", lang))} <a href="/openapi.json">/openapi.json</a></p>'
            f'<div class="card"><table id="endpoints">{table}</table></div>'
            f'<p>{e(t("web.api_example", lang))}</p><pre class="card small" id="example">{e(curl)}</pre>')
    return html(request, "API", body, active="/api")


# -- JSON API --------------------------------------------------------------------------------------
def _answer(endpoint: str, data: Any, lang: str) -> Response:
    try:
        values = validate(endpoint, data, lang=lang)
        result = engine.compute(endpoint, values)
        return JSONResponse(engine.result_dict(endpoint, result, values["lang"]))
    except ValidationFailed as exc:
        return json_errors(exc.errors, lang)
    except (AicebergError, ValueError, ArithmeticError) as exc:
        return json_errors([engine.error_of(endpoint, exc)], lang)


def _api(endpoint: str):
    async def handler(request: Request) -> Response:
        body = await read_body(request)
        lang = LANGS[0]
        if body is None:
            return body_too_large(lang, headers={"Connection": "close"})
        try:
            data = json.loads(body or b"null")
        except (ValueError, RecursionError):
            return invalid_json(lang)
        if isinstance(data, dict) and data.get("lang") in LANGS:
            lang = data["lang"]
        return await run_in_threadpool(_answer, endpoint, data, lang)
    return handler


def _api_lang(request: Request) -> str | None:
    lang = request.query_params.get("lang", LANGS[0])
    return lang if lang in LANGS else None


def _bad_lang(request: Request) -> Response:
    value = request.query_params.get("lang", "")[:40]
    return json_errors([FieldError("lang", Msg("input.unknown_language", value=value), ", ".join(LANGS))], "en")


def api_cases(request: Request) -> Response:
    lang = _api_lang(request)
    if lang is None:
        return _bad_lang(request)
    return JSONResponse([{"name": c.name, "title": c.title(lang), "convention": c.convention(lang),
                          "sources": list(c.sources)} for c in list_cases()])


def api_case(request: Request) -> Response:
    lang = _api_lang(request)
    if lang is None:
        return _bad_lang(request)
    try:
        c = get_case(request.path_params["name"])
    except UnknownNameError as exc:
        return json_errors([FieldError("name", unknown_name(exc))], lang, status=404)
    return JSONResponse(case_dict(engine.case_result(c.name), lang))


def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


def favicon(request: Request) -> Response:
    return Response(pages.FAVICON_SVG, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


# -- errors ----------------------------------------------------------------------------------------
def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


async def http_error(request: Request, exc: Exception) -> Response:
    code = getattr(exc, "status_code", 404)
    headers = dict(getattr(exc, "headers", None) or {})  # keeps "Allow" on a 405
    if _is_api(request):
        msg = Msg("web.error.method", method=request.method[:20]) if code == 405 else Msg("web.error.no_such_path")
        return json_errors([FieldError("path", msg)], _api_lang(request) or "en", status=code, headers=headers)
    lang = lang_of(request)
    resp = html(request, t("web.not_found", lang),
                f'<h1>{e(t("web.not_found", lang))}</h1><p>{e(t("web.not_found_text", lang))}</p>', status=code)
    resp.headers.update(headers)
    return resp


async def server_error(request: Request, exc: Exception) -> Response:
    """A bug: said in words (the page or a JSON error), never a bare 500."""
    msg = Msg("web.error.internal", error=type(exc).__name__)
    if _is_api(request):
        return json_errors([FieldError("body", msg)], _api_lang(request) or "en", status=500)
    lang = lang_of(request)
    return html(request, t("web.error_title", lang),
                f'<h1>{e(t("web.error_title", lang))}</h1><p class="banner">{e(msg.render(lang))}</p>', status=500)


def create_app(db: str | None = None, *, allowed_hosts: Iterable[str] = (),
               store_opener: StoreOpener | None = None) -> Guard:
    """The web app: the Starlette application inside the :class:`Guard` (so that even an error page
    gets the security headers).

    Args:
        db: the run store (default: ``AICEBERG_DB`` or the settings' default).
        allowed_hosts: the names the app answers to besides ``localhost``, ``127.0.0.1`` and ``::1``
            (any other ``Host`` is refused: DNS rebinding).
        store_opener: opens the store at a path or URL (default: ``open_store`` for reading); tests
            inject a slow one.
    """
    opener = store_opener or default_opener
    routes = [
        Route("/", home),
        Route("/training", _calculator("training", "/training")),
        Route("/inference", _calculator("inference", "/inference")),
        Route("/usage", _calculator("usage", "/usage")),
        Route("/my-ai-day", _calculator("my-ai-day", "/my-ai-day")),
        Route("/runs", runs_page(db, opener)),
        Route("/runs/{run_id}", run_page(db, opener)),
        Route("/cases", cases),
        Route("/cases/{name}", case),
        Route("/api", api_page),
        Route("/openapi.json", openapi),
        Route("/api/cases", api_cases),
        Route("/api/cases/{name}", api_case),
        Route("/api/runs", api_runs(db, opener)),
        Route("/favicon.svg", favicon),
        Route("/favicon.ico", favicon),
    ]
    routes += [Route(PATHS[n], _api(n), methods=["POST"]) for n in NAMES]
    routes += scenario.routes()  # aiceberg.web.scenario: the scenario pages and their API
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error})
    return Guard(app, allowed_hosts)
