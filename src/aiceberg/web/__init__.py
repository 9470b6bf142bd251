"""The web app (extra ``[web]``): calculators, "My AI day", runs, cases and a JSON API.

``create_app()`` builds the Starlette application; the web stack is imported only when it is called,
so ``import aiceberg.web`` stays light. The field descriptions (``schema``), the engine calls
(``engine``) and the HTML (``pages``) need no web framework.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(db: str | None = None, **options: Any) -> Any:
    """The ASGI application (Starlette inside a ``Host`` and headers guard); ``options``: see
    :func:`aiceberg.web.app.create_app`. Raises ``MissingExtraError`` without the ``[web]`` extra."""
    try:
        import starlette  # noqa: F401
    except ImportError:
        from aiceberg.errors import MissingExtraError

        raise MissingExtraError("the web app", "web", ["starlette", "uvicorn"]) from None
    from aiceberg.web.app import create_app as _create

    return _create(db, **options)
