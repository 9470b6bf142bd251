"""What every answer of the app goes through: the ``Host`` check (a page of another site that rebinds its
name to 127.0.0.1 must not read the runs) and the security headers, on HTML and JSON alike.

A plain ASGI middleware: no web framework is imported here.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from html import escape
from typing import Any
from urllib.parse import parse_qs

from aiceberg.i18n import LANGS, Msg

__all__ = ["HEADERS", "LOOPBACK", "Guard", "host_name"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The names of this machine that a browser on it uses, always accepted.
LOOPBACK = ("localhost", "127.0.0.1", "::1")

#: On every answer: no sniffing, no referrer, no script, no external resource, no framing.
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
}
_RAW_HEADERS = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in HEADERS.items()]


def host_name(host: str) -> str:
    """The name part of a ``Host`` header, lower case, without the port or an IPv6 literal's brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


class Guard:
    """Refuse (400) a request whose ``Host`` is not one of ``allowed`` (names, any port; the loopback
    names are always in), and add :data:`HEADERS` to every response."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = frozenset({*LOOPBACK, *(host_name(h) for h in allowed if h)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), "")
        if host_name(host) not in self.allowed:
            await self._refuse(scope, send, host)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", ())}
                message["headers"] = [*message.get("headers", ()),
                                      *((k, v) for k, v in _RAW_HEADERS if k not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _refuse(self, scope: Scope, send: Send, host: str) -> None:
        lang = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", ["en"])[-1]
        lang = lang if lang in LANGS else LANGS[0]
        msg = Msg("web.error.bad_host", host=host[:100], allowed=", ".join(sorted(self.allowed)))
        path = scope.get("path", "")
        if path.startswith("/api/") or path == "/openapi.json":
            body = json.dumps({"detail": [{"field": "host", "message": msg.render(lang), "accepted":
                                           ", ".join(sorted(self.allowed)), "code": msg.key}]}).encode()
            kind = b"application/json"
        else:
            body = (f'<!doctype html><html lang="{lang}"><meta charset="utf-8"><title>400</title>'
                    f"<p>{escape(msg.render(lang))}</p></html>").encode()
            kind = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 400,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                *_RAW_HEADERS]})
        await send({"type": "http.response.body", "body": body})
