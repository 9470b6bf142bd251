"""The app's answers: a page in the reader's language, or a JSON error list (``{"detail": [...]}``)."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from aiceberg.i18n import LANGS
from aiceberg.web.pages import layout
from aiceberg.web.schema import FieldError

__all__ = ["html", "json_errors", "lang_of"]


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
