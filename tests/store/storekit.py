"""Helpers of the store tests (importable from each test module of this folder)."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from typing import Any


def with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def pg_rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def rows(target: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query straight from the database (not through the store)."""
    if target.startswith("postgresql://"):
        return pg_rows(target, sql)
    import sqlite3

    with sqlite3.connect(target) as conn:
        return conn.execute(sql).fetchall()


def new_run(run_id: str, *, pid: int | None = None, hostname: str | None = None, flush: float = 5.0,
            started_unix: float | None = None, **more: Any) -> Any:
    from aiceberg.store import NewRun

    return NewRun(
        run_id=run_id, started_at="2025-01-01T00:00:00.000Z",
        started_unix=time.time() if started_unix is None else started_unix,
        pid=os.getpid() if pid is None else pid, hostname=hostname or socket.gethostname(),
        name=more.pop("name", "t"), command=more.pop("command", "python x.py"), flush_every_s=flush, **more,
    )


def execute(target: str, sql: str) -> None:
    """Run one statement straight on the database (not through the store)."""
    if target.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(sql.replace("%", "%%"))
    else:
        import sqlite3

        with sqlite3.connect(target) as conn:
            conn.execute(sql)


class Proxy:
    """A TCP proxy to the test server that a test can stop (the server "goes away") and start again.

    Stopping closes the listening socket and every connection through it, as a server restart or a
    network cut would; while stopped, connecting is refused. The port stays the same across restarts.
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        import socket as _socket

        self.upstream = upstream
        probe = _socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener: Any = None
        self._conns: list[Any] = []

    def url(self, url: str) -> str:
        """``url`` (of the test server) through this proxy, with a password the server does not check."""
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(url)
        user = parts.username or "aiceberg_test"
        return urlunsplit((parts.scheme, f"{user}:S3cret@127.0.0.1:{self.port}", parts.path, parts.query, ""))

    def start(self) -> None:
        import socket as _socket
        import threading

        listener = _socket.socket()
        listener.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: Any) -> None:
        import socket as _socket
        import threading

        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = _socket.create_connection(self.upstream)
            self._conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: Any, dst: Any) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.close()

    def stop(self) -> None:
        import socket as _socket

        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(_socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self._listener.close()
            self._listener = None
        for s in self._conns:
            with contextlib.suppress(OSError):
                s.shutdown(_socket.SHUT_RDWR)
            s.close()
        self._conns = []
