"""The exception tree of aiceberg.

::

    AicebergError
    ├── InputError            bad input: names the field and the accepted values
    │   └── UnknownNameError  an unknown hardware, zone, case… with the closest names
    ├── SensorError           a sensor that cannot be read (says why and how to fix)
    │   ├── SensorUnavailable the sensor is absent or not readable at all
    │   └── SensorReadError   one reading failed: a gap in the series, never 0 J
    ├── ReferenceDataError    a reference-data file that breaks its schema
    ├── StoreError            the run store cannot be opened or written
    └── MissingExtraError     an optional feature whose extra is not installed

The CLI maps every ``AicebergError`` to a one-line message and exit code 2.

A message may be a catalog message (:class:`aiceberg.i18n.Msg`, a key and its parameters) instead of
English text: ``str(exc)`` is then the English text, and ``exc.render("fr")`` the French one. The field
is named in the caller's vocabulary by the layer that prints (``hours`` becomes ``--hours`` on the
command line and the form's label on the web).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

# a module import, used at call time: the catalog's check_lang raises InputError (foundation modules
# may import each other; neither touches the other's names while it loads)
from aiceberg.i18n import catalog

TYPE_CHECKING = False  # no `typing` import at run time: it costs ~10 ms
if TYPE_CHECKING:
    from aiceberg.i18n import Msg

__all__ = [
    "AicebergError",
    "InputError",
    "MissingExtraError",
    "ReferenceDataError",
    "SensorError",
    "SensorReadError",
    "SensorUnavailable",
    "StoreError",
    "UnknownNameError",
]


class AicebergError(Exception):
    """Root of every error that aiceberg raises on purpose."""

    def render(self, lang: str = "en") -> str:
        """The message in ``lang`` (subclasses built from catalog messages translate; others are English)."""
        return str(self)


def _text(message: object, lang: str) -> str:
    render = getattr(message, "render", None)
    return render(lang) if callable(render) else str(message)


class InputError(AicebergError, ValueError):
    """A value given by the user (argument, form field, config entry) is not acceptable.

    Args:
        field: the name of the field, as the user typed it (``--hours``, ``count``…).
        message: what is wrong with the value.
        accepted: a description of the accepted values (``"a number > 0"``, ``"fr, en"``).
    """

    def __init__(self, field: str, message: str | Msg, accepted: str | Msg | None = None) -> None:
        self.field = field
        self.message = message
        self.accepted_msg = accepted
        super().__init__(self.render("en", field))

    @property
    def reason(self) -> str:
        """What is wrong, in English."""
        return str(self.message)

    @property
    def accepted(self) -> str | None:
        """The accepted values, in English."""
        return None if self.accepted_msg is None else str(self.accepted_msg)

    def _reason(self, lang: str) -> str:
        return _text(self.message, lang)

    def render(self, lang: str = "en", field: str | None = None) -> str:
        """``field: reason (accepted: …)`` in ``lang``; ``field`` names it as the caller knows it."""
        text = catalog.t("error.field", lang, field=self.field if field is None else field,
                         reason=self._reason(lang))
        if self.accepted_msg:
            text += catalog.t("error.accepted", lang, accepted=_text(self.accepted_msg, lang))
        return text


class UnknownNameError(InputError):
    """A name (hardware, zone, case…) that the reference data does not know, with the closest known ones.

    Args:
        suggestions: the ids of the closest rows, best first (``["FR"]``).
        what: the kind of name (text or a catalog message: ``Msg("input.what.zone")``).
        labels: id → its name for people, one text or one per language (``{"DE": {"en": "Germany",
            "fr": "Allemagne"}}``), shown beside the id in the message.
    """

    def __init__(
        self, field: str, name: str, suggestions: Sequence[str], what: str | Msg, hint: str | Msg | None = None,
        labels: Mapping[str, str | Mapping[str, str]] | None = None,
    ) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        self.what = what
        self.labels = dict(labels or {})
        super().__init__(field, self._message("en"), hint)

    def _message(self, lang: str) -> Msg:
        if not self.suggestions:
            return catalog.Msg("input.unknown_name", what=self.what, name=self.name)
        shown = []
        for s in self.suggestions:
            label = self.labels.get(s)
            if isinstance(label, Mapping):
                label = label.get(lang) or label.get("en")
            shown.append(f"{s!r} ({label})" if label else repr(s))
        return catalog.Msg("input.unknown_name_suggest", what=self.what, name=self.name, suggestions=", ".join(shown))

    def _reason(self, lang: str) -> str:
        return self._message(lang).render(lang)


class SensorError(AicebergError):
    """A sensor problem. ``fix`` says what the user can do about it.

    ``message`` and ``fix`` are catalog messages (``measure.*`` keys) where the code knows the words, so
    that ``aiceberg doctor``, the tour and a run's summary say them in the reader's language; ``reason``
    and ``fix`` keep them as given (``str()`` of either is English).
    """

    def __init__(self, sensor: str, message: str | Msg, fix: str | Msg | None = None) -> None:
        self.sensor = sensor
        self.reason = message
        self.fix = fix
        super().__init__(self.render("en"))

    def render(self, lang: str = "en") -> str:
        text = f"{self.sensor}: {_text(self.reason, lang)}"
        if self.fix:
            text += f" — {_text(self.fix, lang)}"
        return text


class SensorUnavailable(SensorError):
    """The sensor is absent, or cannot be read at all on this machine."""


class SensorReadError(SensorError):
    """One reading failed. The tracker records a gap, never a zero."""


class ReferenceDataError(AicebergError):
    """A reference-data file breaks its schema (missing unit, source, bad number…)."""

    def __init__(self, file: str, message: str, row: int | None = None) -> None:
        self.file = file
        self.row = row
        where = f"{file}, row {row}" if row is not None else file
        super().__init__(f"{where}: {message}")


class StoreError(AicebergError):
    """The run store cannot be opened, migrated, read or written.

    ``message`` is a catalog message (``store.*`` keys) that says what is wrong and how to fix it, so that
    the CLI and the web render it in the reader's language; ``code`` is its key (``store.locked``…),
    for callers that act on the kind of failure. Never holds a password.
    """

    def __init__(self, message: str | Msg) -> None:
        self.message = message
        super().__init__(str(message))

    @property
    def code(self) -> str:
        """The catalog key of the message (``store.unreachable``, ``store.corrupt``…), else ``store.error``."""
        return str(getattr(self.message, "key", "store.error"))

    def render(self, lang: str = "en") -> str:
        return _text(self.message, lang)


class MissingExtraError(AicebergError, ImportError):
    """An optional feature is used without its extra installed."""

    def __init__(self, feature: str, extra: str, modules: Iterable[str] = ()) -> None:
        self.feature = feature
        self.extra = extra
        mods = ", ".join(modules)
        text = f"{feature} needs the optional extra [{extra}]"
        if mods:
            text += f" ({mods})"
        text += f": pip install 'aiceberg[{extra}]'"
        super().__init__(text)
