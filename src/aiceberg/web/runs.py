"""The run pages (``/runs``, ``/runs/{id}``) and ``GET /api/runs``: the store's history, read only.

The handlers are plain functions, which Starlette runs in its thread pool: a store that is slow or
locked holds one thread, never the event loop, so the other pages keep answering. A store that cannot
be opened or read answers 503 with what is wrong and how to fix it (a page, or a JSON error for the
API); a missing store is reported, never created.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from aiceberg.config import load_settings
from aiceberg.errors import AicebergError, StoreError
from aiceberg.explain.report import report_data, run_input
from aiceberg.explain.report.html import render_sections
from aiceberg.i18n import Msg, t
from aiceberg.store import open_for_reading
from aiceberg.web import runs_html
from aiceberg.web.pages import e
from aiceberg.web.responses import html, json_errors, lang_of
from aiceberg.web.schema import FieldError

__all__ = ["PAGE_SIZE", "StoreOpener", "api_runs", "default_opener", "run_page", "runs_page"]

#: Runs per page of ``/runs``, and the default ``limit`` of ``/api/runs``.
PAGE_SIZE = 50
MAX_LIMIT = 500
#: How long a page waits for another process's lock on a SQLite store before it says so (503).
BUSY_TIMEOUT_S = 5.0

StoreOpener = Callable[[str], Any]

#: The store's answers that mean "no such run" (404), not "the store is broken" (503).
NO_SUCH_RUN = frozenset({"store.no_run", "store.no_run_id", "store.ambiguous"})


def default_opener(target: str) -> Any:
    """The run store at ``target``, opened for reading (never created nor marked; a short wait for a lock)."""
    return open_for_reading(target, busy_timeout_s=BUSY_TIMEOUT_S)


def _target(db: str | None) -> tuple[str, bool]:
    """The store's path or URL, and whether it is there (a file that does not exist is not created)."""
    text = os.fspath(db or load_settings().db)
    return text, "://" in text or text == ":memory:" or os.path.exists(text)


def _unavailable(request: Request, exc: StoreError) -> Response:
    lang = lang_of(request)
    body = (f'<h1>{e(t("web.runs", lang))}</h1><div class="card banner" id="store-error" role="alert">'
            f'<h2>{e(t("web.store.title", lang))}</h2><p>{e(exc.render(lang))}</p>'
            f'<p>{e(t("web.store.fix", lang))}</p></div>')
    return html(request, t("web.store.title", lang), body, status=503, active="/runs")


def _api_unavailable(lang: str, exc: StoreError) -> Response:
    return json_errors([FieldError("store", exc.message, Msg("web.store.fix"))], lang, status=503)


def _page_number(text: str | None) -> int:
    try:
        return max(1, min(int(text or "1"), 10**6))
    except ValueError:
        return 1


def _day(text: str | None) -> str | None:
    """A ``YYYY-MM-DD`` filter, or ``None`` for an empty or unreadable one."""
    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


def _read_page(store: Any, filters: dict[str, str], offset: int, limit: int) -> tuple[list[Any], bool, list[str]]:
    """Runs ``offset`` to ``offset + limit`` that pass the filters, whether more follow, and the hosts.

    The store pages and filters (one page of columns is read, never every run nor any summary)."""
    rows = store.list_runs(limit=limit + 1, offset=offset, hostname=filters.get("host") or None,
                           started_from=_day(filters.get("from")), started_to=_day(filters.get("to")))
    return rows[:limit], len(rows) > limit, store.hostnames()


def runs_page(db: str | None, opener: StoreOpener) -> Callable[[Request], Response]:
    def runs(request: Request) -> Response:
        lang = lang_of(request)
        q = request.query_params
        filters = {k: q.get(k, "").strip()[:40] for k in ("from", "to", "host")}
        page = _page_number(q.get("page"))
        path, present = _target(db)
        if not present:
            body = (f'<h1>{e(t("web.runs", lang))}</h1><p class="card" id="no-store">'
                    f'{e(t("web.no_store", lang, path=path))} {e(t("web.no_runs", lang))}</p>')
            return html(request, t("web.runs", lang), body)
        try:
            store = opener(path)
            try:
                shown, more, hosts = _read_page(store, filters, (page - 1) * PAGE_SIZE, PAGE_SIZE)
            finally:
                store.close()
        except StoreError as exc:
            return _unavailable(request, exc)
        kept = [(k, v) for k, v in q.multi_items() if k != "page"]
        body = (f'<h1>{e(t("web.runs", lang))}</h1>' + runs_html.runs_filter(hosts, filters, lang)
                + runs_html.runs_table(shown, lang) + runs_html.pager(kept, page, more, lang))
        return html(request, t("web.runs", lang), body)
    return runs


def run_page(db: str | None, opener: StoreOpener) -> Callable[[Request], Response]:
    """A run's page: the same content as ``aiceberg report RUN``, inside the app's navigation."""
    def run(request: Request) -> Response:
        lang = lang_of(request)
        run_id = request.path_params["run_id"]
        path, present = _target(db)
        if not present:
            raise HTTPException(404)
        try:
            store = opener(path)
        except StoreError as exc:
            return _unavailable(request, exc)
        try:
            try:
                rec = store.get_run(run_id)
                src = run_input(rec, store.series(rec.run_id, max_points=400), store.phases(rec.run_id))
            except StoreError as exc:  # no such run (404), or a store or a summary that cannot be read (503)
                if exc.code in NO_SUCH_RUN:
                    raise HTTPException(404) from None
                return _unavailable(request, exc)
            except AicebergError:  # no footprint yet (running, stopped early)
                src = None
        finally:
            store.close()
        title = f'{t("web.run", lang)} {rec.name or rec.run_id[:12]}'
        if src is not None:
            toc, sections = render_sections(report_data(src.fp, lang=lang, **src.kwargs()))
            body = runs_html.report_html(toc, sections, title, t("report.kind.run", lang))
            return html(request, title, body, active="/runs", css=runs_html.report_css())
        body = runs_html.run_info_html(rec, title, lang)
        return html(request, title, body, active="/runs")
    return run


def api_runs(db: str | None, opener: StoreOpener) -> Callable[[Request], Response]:
    """``GET /api/runs?limit=&offset=``: the runs as ``aiceberg runs list --json`` prints them, newest
    first, and the ``offset`` of the next page (``null`` at the end)."""
    def runs(request: Request) -> Response:
        q = request.query_params
        lang = q.get("lang", "en")
        if lang not in ("en", "fr"):
            return json_errors([FieldError("lang", Msg("input.unknown_language", value=lang[:40]), "en, fr")], "en")
        errors: list[FieldError] = []
        values: dict[str, int] = {}
        for name, default, low, high in (("limit", PAGE_SIZE, 1, MAX_LIMIT), ("offset", 0, 0, 10**9)):
            text = q.get(name)
            accepted = Msg("web.accepted.between", what=Msg("web.accepted.integer"), op="≥", min=low, max=high)
            try:
                value = default if text is None else int(text)
            except ValueError:
                errors.append(FieldError(name, Msg("web.error.not_a_number", value=(text or "")[:40]), accepted))
                continue
            if not low <= value <= high:
                errors.append(FieldError(name, Msg("web.error.too_small" if value < low else "web.error.too_large",
                                                   value=value), accepted))
            values[name] = value
        if errors:
            return json_errors(errors, lang)
        path, present = _target(db)
        if not present:
            return JSONResponse({"runs": [], "next_offset": None})
        try:
            store = opener(path)
            try:
                shown, more, _ = _read_page(store, {}, values["offset"], values["limit"])
            finally:
                store.close()
        except StoreError as exc:
            return _api_unavailable(lang, exc)
        return JSONResponse({"runs": [r.to_dict() for r in shown],
                             "next_offset": values["offset"] + values["limit"] if more else None})
    return runs
