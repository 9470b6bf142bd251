"""``aiceberg serve``: the web app (extra ``[web]``) on 127.0.0.1 by default.

The socket is bound here, before uvicorn starts, so that ``--port 0`` prints the port the system chose
and a port already taken is a one-line error. The app answers only requests addressed to the names it
is bound to (and this machine's loopback names): a page of another site cannot rebind its name to
127.0.0.1 and read the runs. Binding beyond the loopback prints a warning.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import socket
import sys
from typing import Any

HELP = "serve the web app: calculators, My AI day, runs, cases and a JSON API (extra [web])"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "serve", help=HELP, description=HELP + ". Binds 127.0.0.1 unless --host says otherwise, and answers "
        "only requests addressed to that host (or localhost).",
        epilog="examples:\n  aiceberg serve\n  aiceberg serve --port 0               (a free port, printed)\n"
        "  aiceberg serve --port 8080 --db runs.db\n"
        "  aiceberg serve --host 0.0.0.0 --allow-host ai.example.org\n"
        "                                        (reachable from other machines: mind who can reach it)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    p.add_argument("--port", default="8000", help="port (default 8000; 0 picks a free one, printed)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="another name the app may be reached at (a proxy's, a DNS name); repeatable. "
                   "localhost, 127.0.0.1, ::1, the --host and, for 0.0.0.0 or ::, this machine's name and "
                   "addresses are always accepted")
    p.add_argument("--db", default=None, metavar="PATH", help="the run store shown on the Runs page "
                   "(default: AICEBERG_DB or the user's data folder)")
    p.add_argument("--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug"),
                   help="uvicorn's log level (default warning)")
    p.set_defaults(func=run)


def _port(text: str) -> int:
    from aiceberg.errors import InputError
    from aiceberg.i18n import Msg

    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise InputError("--port", Msg("web.serve.not_a_port", value=text), Msg("web.serve.port_accepted"))
    return port


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (``port`` 0: a free one).

    Raises:
        InputError: the address cannot be bound (taken, not this machine's, not allowed).
    """
    from aiceberg.errors import InputError
    from aiceberg.i18n import Msg

    sock = None
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host.strip("[]") or None, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        if sock is not None:
            sock.close()
        reason = exc.strerror or str(exc)
        raise InputError("--host" if isinstance(exc, socket.gaierror) else "--port",
                         Msg("web.serve.cannot_bind", host=host, port=str(port), reason=reason)) from None
    sock.set_inheritable(True)
    return sock


def allowed_hosts(host: str, extra: list[str]) -> list[str]:
    """The names the app answers to besides the loopback ones: the bound host, the ``--allow-host``
    names, and for a wildcard bind this machine's name and addresses."""
    names = [host, *extra]
    if _is_wildcard(host):
        me = socket.gethostname()
        names.append(me)
        with contextlib.suppress(OSError):  # a name that does not resolve: the name alone
            names += [str(info[4][0]) for info in socket.getaddrinfo(me, None)]
    return names


def run(args: argparse.Namespace) -> int:
    from aiceberg.errors import MissingExtraError
    from aiceberg.i18n import t

    port = _port(args.port)
    try:
        import uvicorn
    except ImportError:
        raise MissingExtraError("the web app", "web", ["starlette", "uvicorn"]) from None
    from aiceberg.config import load_settings
    from aiceberg.web import create_app

    db = load_settings({"db": args.db}, labels={"db": "--db"}).db if args.db else None
    sock = bind(args.host, port)
    real_port = sock.getsockname()[1]
    app = create_app(db, allowed_hosts=allowed_hosts(args.host, args.allow_host))
    shown = socket.gethostname() if _is_wildcard(args.host) else args.host
    shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
    if not is_loopback(args.host):
        print(t("web.serve.exposed", "en", host=args.host), file=sys.stderr, flush=True)
    print(t("web.serve.serving", "en", url=f"http://{shown}:{real_port}"), file=sys.stderr, flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level, access_log=False))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
