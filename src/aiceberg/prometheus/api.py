"""Prometheus's HTTP API, read with the standard library (``urllib``), and the arguments of an import.

:class:`PrometheusAPI` asks ``/api/v1/query_range`` for a window cut into pieces of at most
:data:`MAX_POINTS` steps (Prometheus refuses more than 11,000 points per series), each piece on the same
grid, and gives back each series' points keyed by time. Times are read by :func:`parse_time` (RFC 3339
with a time zone, unix seconds, ``now``, or a relative ``-1h``), steps by :func:`parse_step`, label
matchers by :func:`parse_selector`. Every problem is an :class:`~aiceberg.errors.InputError` that names
its field (``url``, ``from``, ``to``, ``step``, ``selector``), never a traceback.
"""

from __future__ import annotations

import base64
import json
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiceberg.errors import InputError
from aiceberg.i18n import Msg

__all__ = ["MAX_POINTS", "PrometheusAPI", "Series", "Window", "parse_selector", "parse_step", "parse_time",
           "parse_window", "safe_url"]

#: Steps asked in one query_range call (Prometheus's limit is 11,000 points per series).
MAX_POINTS = 10_000
#: The shortest and longest step accepted, in seconds.
STEP_BOUNDS = (0.1, 86_400.0)

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86_400.0, "w": 604_800.0, "y": 31_536_000.0}
_DURATION = re.compile(r"(?:[0-9]+(?:ms|s|m|h|d|w|y))+")
_PART = re.compile(r"([0-9]+)(ms|s|m|h|d|w|y)")
_UNIX = re.compile(r"[0-9]{1,12}(?:\.[0-9]+)?")
_MATCHER = re.compile(r'\s*[A-Za-z_][A-Za-z0-9_]*\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*')


@dataclass(frozen=True)
class Window:
    """The time window of an import, unix seconds, and its step (seconds)."""

    start: float
    end: float
    step: float


def _duration(text: str) -> float | None:
    """``1h30m`` → 5400.0 (Prometheus's duration syntax); None when it is not one."""
    if not _DURATION.fullmatch(text):
        return None
    return sum(int(n) * _UNITS[u] for n, u in _PART.findall(text))


def parse_time(text: str | None, field: str, *, now: float) -> float:
    """An RFC 3339 time with its zone (``2025-01-31T12:00:00Z``), unix seconds, ``now``, or a relative
    time in the past (``-1h``, ``-30m``, ``-2d``, ``-1h30m``), as unix seconds."""
    value = "" if text is None else str(text).strip()
    if value == "now":
        return now
    if value.startswith("-") and (ago := _duration(value[1:])) is not None:
        return now - ago
    if _UNIX.fullmatch(value):
        return float(value)
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z")) if "T" in value.upper() else None
    except ValueError:
        parsed = None
    if parsed is not None and parsed.tzinfo is not None:
        return parsed.timestamp()
    raise InputError(field, Msg("prometheus.time.bad", value=value), Msg("prometheus.time.accepted"))


def parse_step(text: str | None, field: str = "step") -> float:
    """A step in seconds (``15``, ``0.5``, ``0,5``) or a Prometheus duration (``15s``, ``1m``), within bounds."""
    value = "" if text is None else str(text).strip()
    number = re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?", value)  # a decimal point or comma (0.5, 0,5)
    step = float(value.replace(",", ".")) if number else _duration(value)
    low, high = STEP_BOUNDS
    if step is None or not low <= step <= high:
        raise InputError(field, Msg("prometheus.step.bad", value=value), Msg("prometheus.step.accepted"))
    return step


def parse_window(start: str | None, end: str | None, step: str | None, *, now: float) -> Window:
    """``--from``, ``--to`` and ``--step`` checked together: ``from`` before ``to``."""
    w = Window(round(parse_time(start, "from", now=now), 3), round(parse_time(end, "to", now=now), 3),
               parse_step(step))
    if w.end <= w.start:
        raise InputError("to", Msg("prometheus.time.order", start=str(start), end=str(end)),
                         Msg("prometheus.time.order_accepted"))
    return w


def parse_selector(text: str | None, field: str = "selector") -> str:
    """Label matchers (``instance=~"gpu.*",job="dcgm"``, braces optional) as the inside of ``{…}``."""
    value = (text or "").strip()
    if value.startswith("{") and value.endswith("}"):
        value = value[1:-1].strip()
    if not value:
        return ""
    parts, pos = [], 0
    while pos < len(value):
        m = _MATCHER.match(value, pos)
        if m is None:
            raise InputError(field, Msg("prometheus.selector.bad", value=value), Msg("prometheus.selector.accepted"))
        parts.append(m.group().strip())
        pos = m.end()
        if pos < len(value):
            if value[pos] != ",":
                raise InputError(field, Msg("prometheus.selector.bad", value=value),
                                 Msg("prometheus.selector.accepted"))
            pos += 1
    return ",".join(parts)


def safe_url(url: str) -> str:
    """``url`` without its user and password, to show people."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True)
class Series:
    """One series of a query: its labels (``__name__`` included) and its values by time (unix seconds)."""

    labels: dict[str, str]
    points: dict[float, float]

    @property
    def name(self) -> str:
        return self.labels.get("__name__", "")


Opener = Callable[[urllib.request.Request, float], Any]


def _open(request: urllib.request.Request, timeout: float) -> Any:
    return urllib.request.urlopen(request, timeout=timeout)


class PrometheusAPI:
    """The query API of the Prometheus server at ``url`` (``http(s)://host:port``, with any path prefix).

    A user and password in the URL are sent as HTTP basic authentication and never shown.
    """

    def __init__(self, url: str, *, timeout_s: float = 60.0, opener: Opener = _open) -> None:
        text = (url or "").strip()
        try:
            parts = urllib.parse.urlsplit(text)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
            _ = parts.port  # a bad port raises here
        except ValueError:
            ok = False
        if not ok:
            raise InputError("url", Msg("prometheus.url.bad", value=text), Msg("prometheus.url.accepted"))
        self.url = safe_url(text).rstrip("/")
        self._auth = None
        if parts.username is not None:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            self._auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.timeout_s = timeout_s
        self._opener = opener

    def _post(self, endpoint: str, params: dict[str, str]) -> Any:
        data = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(f"{self.url}/api/v1/{endpoint}", data=data, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Accept", "application/json")
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with self._opener(request, self.timeout_s) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            self._refused(exc)
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise InputError("url", Msg("prometheus.api.unreachable", url=self.url, reason=str(reason))) from None
        return self._data(body)

    def _refused(self, exc: urllib.error.HTTPError) -> None:
        try:
            answer = json.loads(exc.read() or b"{}")
        except ValueError:
            answer = {}
        error = answer.get("error") if isinstance(answer, dict) else None
        if exc.code in (400, 422) and error:
            raise InputError("selector", Msg("prometheus.api.refused", url=self.url, error=str(error))) from None
        raise InputError("url", Msg("prometheus.api.http_error", url=self.url, status=str(exc.code),
                                    reason=str(error or exc.reason))) from None

    def _data(self, body: bytes) -> Any:
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or answer.get("status") != "success" or "data" not in answer:
            raise InputError("url", Msg("prometheus.api.not_prometheus", url=self.url))
        return answer["data"]

    def query_range(self, expr: str, window: Window) -> list[Series]:
        """Every series of ``expr`` over ``window``, the pieces of the window merged (same grid)."""
        merged: dict[tuple[tuple[str, str], ...], Series] = {}
        span = MAX_POINTS * window.step
        k = 0
        while True:
            start = window.start + k * span
            if start > window.end:
                break
            end = min(window.end, start + span - window.step)
            data = self._post("query_range", {"query": expr, "start": _fmt(start), "end": _fmt(end),
                                              "step": _fmt(window.step)})
            for item in data.get("result", []) if isinstance(data, dict) else []:
                labels = {str(k2): str(v) for k2, v in (item.get("metric") or {}).items()}
                key = tuple(sorted(labels.items()))
                series = merged.setdefault(key, Series(labels, {}))
                for t, v in item.get("values") or []:
                    try:
                        number = float(v)
                    except (TypeError, ValueError):
                        continue
                    if math.isfinite(number):  # NaN and infinities are no reading: a gap
                        series.points[float(t)] = number
            k += 1
        return list(merged.values())


def _fmt(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".")
