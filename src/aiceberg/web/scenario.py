"""The scenario pages: the templates, one template's report, a scenario pasted as TOML, and the JSON API.

* ``GET /scenarios`` — the templates, and a form to paste a scenario file;
* ``GET /scenarios/{name}`` — a template's report (the sections of ``aiceberg scenario run --html``:
  the per-phase iceberg, the distribution, the tornado, the open questions, what can be done);
* ``POST /scenarios/run`` — the same report for a pasted file (form field ``toml``);
* ``POST /api/scenario`` — the JSON of ``aiceberg scenario run --json``: the body is the TOML text, or a JSON
  object ``{"toml": …, "samples": …, "seed": …, "compare_allocations": …, "lang": …}``; a scenario with
  problems answers 422 with one entry per problem, each naming its field path.

Every handler is a plain function (Starlette runs it in its thread pool): a scenario with samples takes
tens of milliseconds. Bodies are read up to ``MAX_BODY``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aiceberg.errors import AicebergError, InputError, MissingExtraError, UnknownNameError
from aiceberg.explain.scenario_report import scenario_sections
from aiceberg.i18n import LANGS, Msg, t
from aiceberg.scenario import Scenario, ScenarioError, get_template, loads, result_dict, templates
from aiceberg.web.pages import e, href
from aiceberg.web.responses import body_too_large, html, invalid_json, json_errors, lang_of, read_body
from aiceberg.web.schema import FieldError

__all__ = ["WEB_SAMPLES", "routes"]

#: Monte Carlo samples of a page (the command line goes as far as asked).
WEB_SAMPLES = 20_000
#: The most samples the API accepts.
API_MAX_SAMPLES = 200_000

CSS = """
.headline{display:grid;grid-template-columns:minmax(240px,1fr) 2fr;gap:1rem}
.total{background:#fff;border:1px solid var(--line);border-radius:12px;padding:1rem}
.total .big{font-size:2rem;font-weight:800;color:var(--deep)}.total .rng,.total .en{color:var(--muted)}
figure{margin:.6rem 0}figure svg{width:100%;height:auto;display:block}figcaption,.note,.detail{color:var(--muted);
font-size:.9rem}.tablewrap{overflow-x:auto}table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap}.ratio{font-weight:650}ul.warn li{color:#8a4b00}
textarea{width:100%;min-height:16rem;font:13px ui-monospace,Menlo,Consolas,monospace;padding:.5rem}
@media (max-width:720px){.headline{grid-template-columns:1fr}}
"""


def _run(sc: Scenario, samples: int, seed: int, compare: bool, lang: str) -> dict[str, Any]:
    try:
        res = sc.run(samples=samples, seed=seed, compare_allocations=compare)
    except MissingExtraError:  # without numpy: the central value and the ranges, and the report says so
        res = sc.run(compare_allocations=compare)
    return result_dict(res, lang)


def _report(d: dict[str, Any], lang: str) -> str:
    return "".join(s for _, s in scenario_sections(d, lang) if s)


def list_page(request: Request) -> Response:
    lang = lang_of(request)
    cards = []
    for tpl in templates():
        sc = tpl.scenario()
        cards.append(f'<a class="card" href="{e(href("/scenarios/" + tpl.name, [("lang", lang)]))}">'
                     f'<h3>{e(sc.title(lang))}</h3><p class="small">{e(sc.spec.description(lang))}</p></a>')
    body = (f'<h1>{e(t("scenario.web.title", lang))}</h1><p>{e(t("scenario.web.intro", lang))}</p>'
            f'<div class="cards" id="templates">{"".join(cards)}</div>'
            f'<h2>{e(t("scenario.web.paste", lang))}</h2>'
            f'<form method="post" action="{e(href("/scenarios/run", [("lang", lang)]))}" class="card">'
            f'<label for="toml">{e(t("scenario.web.file", lang))}</label>'
            f'<textarea id="toml" name="toml" spellcheck="false"></textarea>'
            f'<button type="submit">{e(t("scenario.web.run", lang))}</button></form>')
    return html(request, t("scenario.web.title", lang), body, active="/scenarios", css=CSS)


def template_page(request: Request) -> Response:
    lang = lang_of(request)
    try:
        tpl = get_template(request.path_params["name"])
    except UnknownNameError:
        raise HTTPException(404) from None
    d = _run(tpl.scenario(), WEB_SAMPLES, 0, True, lang)
    toml = (f'<details class="card"><summary>{e(t("scenario.web.file", lang))}</summary>'
            f"<pre>{e(tpl.text())}</pre></details>")
    body = f'<h1>{e(d["title"])}</h1>{_report(d, lang)}{toml}'
    return html(request, d["title"], body, active="/scenarios", css=CSS)


def _errors(exc: AicebergError) -> list[FieldError]:
    if isinstance(exc, ScenarioError):
        return [FieldError(p.field, p.message, p.accepted_msg) for p in exc.problems]
    if isinstance(exc, InputError):
        return [FieldError(exc.field, exc.message, exc.accepted_msg)]
    return [FieldError("toml", str(exc))]


def _pasted(text: str, lang: str) -> tuple[dict[str, Any] | None, list[FieldError]]:
    try:
        return _run(loads(text, "scenario.toml"), WEB_SAMPLES, 0, True, lang), []
    except AicebergError as exc:
        return None, _errors(exc)


async def run_page(request: Request) -> Response:
    lang = lang_of(request)
    raw = await read_body(request)
    if raw is None:
        return html(request, t("scenario.web.title", lang), f'<p class="banner">{e(t("scenario.web.too_large", lang))}'
                    "</p>", status=413, css=CSS)
    text = parse_qs(raw.decode("utf-8", "replace")).get("toml", [""])[0]
    d, errors = await run_in_threadpool(_pasted, text, lang)
    if d is None:
        items = "".join(f"<li><code>{e(er.field)}</code> {e(er.text(lang))}"
                        + (f' <span class="small">({e(er.accepted_text(lang))})</span>' if er.accepted else "")
                        + "</li>" for er in errors)
        body = (f'<h1>{e(t("scenario.web.problems", lang))}</h1><ul class="card" id="problems">{items}</ul>'
                f'<form method="post" action="{e(href("/scenarios/run", [("lang", lang)]))}" class="card">'
                f'<textarea name="toml" spellcheck="false">{e(text)}</textarea>'
                f'<button type="submit">{e(t("scenario.web.run", lang))}</button></form>')
        return html(request, t("scenario.web.problems", lang), body, status=422, css=CSS)
    return html(request, d["title"], f'<h1>{e(d["title"])}</h1>{_report(d, lang)}', active="/scenarios", css=CSS)


def _api_answer(data: Any, lang: str) -> Response:
    if isinstance(data, str):
        data = {"toml": data}
    if not isinstance(data, dict) or not isinstance(data.get("toml"), str):
        return json_errors([FieldError("toml", Msg("scenario.web.api_toml"), Msg("scenario.web.api_accepted"))], lang)
    samples, seed = data.get("samples", 0), data.get("seed", 0)
    for name, value, high in (("samples", samples, API_MAX_SAMPLES), ("seed", seed, 2 ** 32 - 1)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
            return json_errors([FieldError(name, Msg("input.out_of_bounds", value=repr(value)[:40]),
                                           Msg("accepted.whole_between", op="≥", low=0, high=high))], lang)
    try:
        sc = loads(data["toml"], "scenario.toml")
        res = sc.run(samples=samples, seed=seed, compare_allocations=bool(data.get("compare_allocations")))
    except AicebergError as exc:
        return json_errors(_errors(exc), lang)
    return JSONResponse(result_dict(res, lang))


async def api_scenario(request: Request) -> Response:
    raw = await read_body(request)
    if raw is None:
        return body_too_large(LANGS[0])
    text = raw.decode("utf-8", "replace")
    data: Any = text
    if "json" in request.headers.get("content-type", ""):
        try:
            data = json.loads(text or "null")
        except (ValueError, RecursionError):
            return invalid_json(LANGS[0])
    lang = data.get("lang") if isinstance(data, dict) and data.get("lang") in LANGS else \
        request.query_params.get("lang", LANGS[0])
    lang = lang if lang in LANGS else LANGS[0]
    return await run_in_threadpool(_api_answer, data, lang)


def routes() -> list[Route]:
    """The scenario pages' routes, for ``create_app``."""
    return [Route("/scenarios", list_page), Route("/scenarios/run", run_page, methods=["POST"]),
            Route("/scenarios/{name}", template_page), Route("/api/scenario", api_scenario, methods=["POST"])]
