"""The tracker's link to the run store: register the run, write each flush, close the run.

The measuring layer does not know the store (measure ⟂ store): the tracker is given a *sink*, any object
with the :class:`RunSink` methods (every ``aiceberg.store`` store is one), or a target and a function
that opens it (``aiceberg.track`` and ``aiceberg run`` pass ``aiceberg.store``'s). The records it writes
are the engine layer's (:mod:`aiceberg.model.run_records`).

The store is the record, not a condition of the work: a store that cannot be opened, or that fails to
take a write, never stops the run nor the command it measures. Each problem is kept as a warning for
the summary (and logged); unwritten samples stay in memory and go again at the next flush.

Text that goes into the store is made safe first (:func:`storable`): a command line or label with
bytes that are not UTF-8 (``caf\\xe9.txt`` from the shell) is kept losslessly, in bash's ``$'…'``
quoting, instead of breaking the write.
"""

from __future__ import annotations

import logging
import os
import shlex
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from aiceberg.errors import InputError
from aiceberg.i18n import Msg
from aiceberg.model.run_records import ChannelRow, NewRun, PhaseRow, RunEnd, SampleRow
from aiceberg.model.run_summary import RunSummary

__all__ = ["Recorder", "RunSink", "StoreOpener", "safe_target", "shell_join", "shell_quote", "storable"]

log = logging.getLogger("aiceberg.tracker")


def _needs_escape(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text)


def shell_quote(arg: str) -> str:
    """One argument for a shell line: ``shlex.quote`` when it is plain text, else bash's ``$'…'`` form
    where each byte that is not UTF-8 (a surrogate escape, as Python decodes ``sys.argv``) or a control
    character is ``\\xHH``. ``bash -c 'printf %s '"$(shell_quote(a))"`` gives the original bytes back."""
    if not _needs_escape(arg):
        return shlex.quote(arg)
    out = []
    for ch in arg:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif ch in "\\'":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "$'" + "".join(out) + "'"


def shell_join(args: Sequence[str]) -> str:
    """A command line from its arguments, each with :func:`shell_quote`."""
    return " ".join(shell_quote(a) for a in args)


def storable(text: str | None) -> str | None:
    """``text`` as it can be stored: itself when it is valid text, else its :func:`shell_quote` form."""
    if text is None:
        return None
    return shell_quote(text) if any("\udc80" <= ch <= "\udcff" for ch in text) else text


def safe_target(target: str) -> str:
    """The store's location to show people: a URL without its password."""
    if "://" not in target:
        return target
    try:
        parts = urlsplit(target)
    except ValueError:
        return target.split("://", 1)[0] + "://…"
    if parts.password is None:
        return target
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class RunSink(Protocol):
    """What the tracker writes a run to (``aiceberg.store.base.RunStore`` is one)."""

    def create_run(self, run: NewRun, channels: Sequence[ChannelRow]) -> None: ...

    def append(self, run_id: str, samples: Sequence[SampleRow], phases: Sequence[PhaseRow] = (), *,
               heartbeat_unix: float, partial: dict[str, Any] | None = None) -> None: ...

    def finish_run(self, run_id: str, *args: Any, **kwargs: Any) -> None: ...

    def close(self) -> None: ...


#: Opens the sink at a path or URL (``aiceberg.store.open_store``); raises when it cannot.
StoreOpener = Callable[[str], RunSink]


class Recorder:
    """Writes one run to a sink, and remembers what went wrong instead of raising.

    Args:
        target: a sink, a path or URL, ``None``/``True`` for ``default`` (the configured store), ``False``
            for none. A path, a URL or the default needs ``opener``.
        default: the configured store's path or URL.
        opener: opens a path or URL (``aiceberg.store.open_store``).

    Raises:
        ValueError: a target to open, and no ``opener`` (the measuring layer cannot open a store itself).
    """

    def __init__(self, target: RunSink | str | os.PathLike[str] | bool | None, default: str,
                 opener: StoreOpener | None = None) -> None:
        if opener is None and (target is None or target is True or isinstance(target, str | os.PathLike)):
            raise ValueError("the tracker cannot open a store itself: pass the store object, store=False, or "
                             "use aiceberg.track (which opens the configured store)")
        self._target = target
        self._default = default
        self._opener = opener
        self.store: RunSink | None = None
        self.where: str | None = None
        self.problems: list[Msg] = []
        self._own = False
        self._write_error: str | None = None

    @property
    def stored(self) -> bool:
        """Whether the run is in a store (opened and registered)."""
        return self.store is not None

    def open(self) -> None:
        """Open the store; a failure becomes a problem (the run goes on without a store)."""
        arg = self._target
        if arg is False:
            return
        if arg is None or arg is True or isinstance(arg, str | os.PathLike):
            target = self._default if arg is None or arg is True else os.fspath(arg)
            self.where = safe_target(target)
            assert self._opener is not None
            try:
                self.store, self._own = self._opener(target), True
            except InputError:
                raise
            except Exception as exc:  # unreachable, read-only, corrupt, missing extra: run anyway
                self._problem("measure.store.open_failed", exc)
        else:
            self.store = arg
            self.where = safe_target(str(getattr(arg, "target", "") or getattr(arg, "path", "") or type(arg).__name__))

    def create(self, run: NewRun, channels: Sequence[ChannelRow]) -> None:
        if self.store is None:
            return
        try:
            self.store.create_run(run, channels)
        except Exception as exc:
            self._problem("measure.store.create_failed", exc)
            self.close()
            self.store = None

    def append(self, run_id: str, rows: Sequence[SampleRow], phases: Sequence[PhaseRow], *,
               heartbeat_unix: float, partial: dict[str, Any]) -> bool:
        """Write one flush; ``False`` when the store did not take it (keep the rows for the next)."""
        if self.store is None:
            return True
        try:
            self.store.append(run_id, rows, phases, heartbeat_unix=heartbeat_unix, partial=partial)
        except Exception as exc:
            self._write_error = str(exc)
            log.warning("aiceberg: cannot write samples (%s); will retry", exc)
            return False
        self._write_error = None
        return True

    def finish(self, summary: RunSummary) -> RunSummary:
        """Close the run in the store; returns the summary with the store's problems among its warnings."""
        if self._write_error:
            self.problems.append(Msg("measure.store.write_failed", error=self._write_error))
        if self.store is not None:
            try:
                closing = replace(summary, warnings=(*summary.warnings, *self.problems))
                self.store.finish_run(summary.run_id, RunEnd.from_summary(closing))
                receipt = getattr(self.store, "stored_at", None)  # where the store says it kept the run
                note = receipt(summary.run_id) if callable(receipt) else None
                if isinstance(note, Msg) and note.key == "store.spooled":  # the server was away: a local spool
                    self.problems.append(note)
                    self.where = str(note.params.get("spool") or self.where)
            except Exception as exc:
                self._problem("measure.store.close_failed", exc)
        if not self.problems:
            return summary
        return replace(summary, warnings=tuple(dict.fromkeys((*summary.warnings, *self.problems))))

    def close(self) -> None:
        if self._own and self.store is not None:
            try:
                self.store.close()
            except Exception:  # pragma: no cover - closing never costs the run
                log.debug("closing the store failed", exc_info=True)

    def _problem(self, key: str, exc: BaseException) -> None:
        log.warning("aiceberg: %s", exc)
        self.problems.append(Msg(key, where=self.where or "", error=f"{type(exc).__name__}: {exc}"))
