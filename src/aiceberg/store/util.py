"""Small helpers of the SQL store: timestamps, owner processes, stale runs, text that SQL can take."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

__all__ = ["clean_json", "clean_text", "now_iso", "one_line", "pid_alive", "prefix_pattern", "stale_runs"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def now_iso(unix: float | None = None) -> str:
    """An ISO 8601 UTC timestamp with milliseconds and a ``Z``: now, or at ``unix``."""
    moment = datetime.fromtimestamp(unix, UTC) if unix is not None else datetime.now(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _escape(ch: str) -> str:
    code = ord(ch)
    # a byte that was not UTF-8, kept by os.fsdecode/surrogateescape: written as a shell would show it
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def clean_text(text: str | None) -> str | None:
    """``text`` as UTF-8 can hold it: a lone surrogate (a byte of a non-UTF-8 argument) becomes ``\\xe9``.

    Text that UTF-8 can encode (nearly all) is returned unchanged.
    """
    if text is None or text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda m: _escape(m.group()), text)
    return text


def clean_json(text: str) -> str:
    """JSON text (``ensure_ascii=False``) as UTF-8 can hold it: lone surrogates as escaped backslashes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda m: "\\" + _escape(m.group()), text)
    return text


def one_line(exc: BaseException, secret: str | None = None) -> str:
    """An exception as one line, without ``secret`` (a password)."""
    text = " ".join(str(exc).split())
    if secret:
        text = text.replace(secret, "***")
    return text or type(exc).__name__


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host and is not a zombie."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
        state = stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3]
        return state not in (b"Z", b"X")
    except (OSError, ValueError):
        return True


def stale_runs(
    rows: Sequence[Sequence[Any]], *, hostname: str, stale_after_s: float, now: float | None = None
) -> list[tuple[str, str, str]]:
    """Which ``running`` runs ``(run_id, pid, hostname, heartbeat_unix, flush_every_s)`` are dead.

    Dead means: the owner process is gone (same host only), or the heartbeat is older than
    ``max(stale_after_s, 10 × flush_every_s)``. Returns ``(run_id, reason, ended_at)``, ``ended_at``
    being the last heartbeat (now if none).
    """
    now = time.time() if now is None else now
    dead: list[tuple[str, str, str]] = []
    for run_id, pid, host, heartbeat, flush_every in rows:
        stale_after = max(stale_after_s, 10 * float(flush_every or 0))
        if host == hostname and not pid_alive(int(pid)):
            why = f"owner process {pid} is gone; data kept up to its last flush"
        elif heartbeat is not None and now - heartbeat > stale_after:
            why = f"no heartbeat for {now - heartbeat:.0f} s; data kept up to its last flush"
        else:
            continue
        dead.append((run_id, why, now_iso(heartbeat)))
    return dead


def prefix_pattern(key: str) -> str:
    """A ``LIKE`` pattern (escape ``\\``) matching the run ids that start with ``key``."""
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
