"""``aiceberg serve``: the web app (extra ``[web]``) on 127.0.0.1 by default."""

from __future__ import annotations

import argparse
import sys
from typing import Any

HELP = "serve the web app: calculators, My AI day, runs, cases and a JSON API (extra [web])"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "serve", help=HELP, description=HELP + ". Binds 127.0.0.1 unless --host says otherwise.",
        epilog="examples:\n  aiceberg serve\n  aiceberg serve --port 8080 --db runs.db\n"
        "  aiceberg serve --host 0.0.0.0   (reachable from other machines: mind who can reach it)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    p.add_argument("--port", default="8000", help="port (default 8000; 0 picks a free one)")
    p.add_argument("--db", default=None, metavar="PATH", help="the run store shown on the Runs page "
                   "(default: AICEBERG_DB or the user's data folder)")
    p.add_argument("--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug"),
                   help="uvicorn's log level (default warning)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aiceberg.errors import InputError, MissingExtraError

    try:
        port = int(args.port)
    except ValueError:
        raise InputError("--port", f"{args.port!r} is not a port number", "0 to 65535") from None
    if not 0 <= port <= 65535:
        raise InputError("--port", f"{port} is out of range", "0 to 65535")
    try:
        import uvicorn
    except ImportError:
        raise MissingExtraError("the web app", "web", ["starlette", "uvicorn"]) from None
    from aiceberg.config import load_settings
    from aiceberg.web import create_app

    db = load_settings({"db": args.db}, labels={"db": "--db"}).db if args.db else None
    app = create_app(db)
    print(f"aiceberg: serving on http://{args.host}:{port} (Ctrl+C to stop)", file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=port, log_level=args.log_level, access_log=False)
    return 0
