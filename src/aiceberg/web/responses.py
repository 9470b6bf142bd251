"""The app's answers: a page in the reader's language, or a JSON error list (``{"detail": [...]}``); and
the request bodies, read as they stream in up to ``MAX_BODY``."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from aiceberg.i18n import LANGS, Msg
from aiceberg.web.openapi import MAX_BODY
from aiceberg.web.pages import layout
from aiceberg.web.schema import FieldError

__all__ = ["body_too_large", "html", "invalid_json", "json_errors", "lang_of", "read_body"]


def lang_of(request: Request) -> str:
    """The page's language (``?lang=``), English when absent or unknown."""
    lang = request.query_params.get("lang", LANGS[0])
    return lang if lang in LANGS else LANGS[0]


def html(request: Request, title: str, body: str, status: int = 200, active: str | None = None,
         css: str = "", query: Sequence[tuple[str, str]] | None = None) -> HTMLResponse:
    """The page in the app's layout; ``query``: the parameters the language switch keeps (default: the
    request's)."""
    lang = lang_of(request)
    kept = list(request.query_params.multi_items()) if query is None else list(query)
    doc = layout(lang, request.url.path, kept, title, body, active, css)
    return HTMLResponse(doc, status_code=status)


def json_errors(errors: list[FieldError], lang: str, status: int = 422,
                headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": [er.to_dict(lang) for er in errors]}, status_code=status, headers=headers)


def body_too_large(lang: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """413: the body passed ``MAX_BODY``."""
    return json_errors([FieldError("body", Msg("web.error.body_too_large", limit=MAX_BODY),
                                   Msg("web.accepted.body_limit", limit=MAX_BODY))], lang, status=413, headers=headers)


def invalid_json(lang: str) -> JSONResponse:
    """422: the body is not JSON."""
    return json_errors([FieldError("body", Msg("web.error.invalid_json"), Msg("web.accepted.json_object"))], lang)


async def read_body(request: Request) -> bytes | None:
    """The body, read as it streams in; None as soon as it passes ``MAX_BODY`` (never buffered whole)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
