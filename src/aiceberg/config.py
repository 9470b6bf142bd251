"""One typed settings object, and where each of its values came from.

Precedence, lowest first: built-in defaults < the config file
(``$XDG_CONFIG_HOME/aiceberg/config.toml``, or ``~/.config/aiceberg/config.toml``) < the environment
(``AICEBERG_LOCATION``, ``AICEBERG_DB``, ``AICEBERG_POWERCAP_ROOT``, ``AICEBERG_INTERVAL``,
``AICEBERG_PUE``, ``AICEBERG_FLUSH_EVERY``, ``AICEBERG_PROJECT``, ``AICEBERG_UNMETERED``,
``AICEBERG_CPU_TDP_W``, ``AICEBERG_CPU_MODEL``) < arguments (``overrides``, or
:meth:`Settings.with_overrides` on settings already loaded).

The config file is flat TOML, with the field names of :class:`Settings`::

    location = "FR"
    interval_s = 1.0
    pue = 1.2
    db = "~/runs.db"

A bad value raises :class:`~aiceberg.errors.InputError` naming the field as the user wrote it
(``AICEBERG_INTERVAL``, ``config.toml: interval_s``, ``--interval``).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiceberg.errors import InputError
from aiceberg.i18n.parse import parse_number

__all__ = [
    "ENV_VARS",
    "Settings",
    "config_path",
    "default_db_path",
    "default_spool_dir",
    "load_settings",
    "redact",
]

# environment variable → settings field
ENV_VARS: dict[str, str] = {
    "AICEBERG_LOCATION": "location",
    "AICEBERG_DB": "db",
    "AICEBERG_POWERCAP_ROOT": "powercap_root",
    "AICEBERG_INTERVAL": "interval_s",
    "AICEBERG_PUE": "pue",
    "AICEBERG_FLUSH_EVERY": "flush_every_s",
    "AICEBERG_PROJECT": "project",
    "AICEBERG_UNMETERED": "unmetered",
    "AICEBERG_CPU_TDP_W": "cpu_tdp_w",
    "AICEBERG_CPU_MODEL": "cpu_model",
}

#: The accepted range of each bounded number (inclusive): the sampler's interval and flush period
#: (a 1e-6 s interval writes thousands of rows a second; 1e308 s overflows the thread's wait), a CPU's TDP.
BOUNDS: dict[str, tuple[float, float]] = {
    "interval_s": (0.01, 3600.0),
    "flush_every_s": (0.01, 86400.0),
    "cpu_tdp_w": (1.0, 2000.0),
}


@dataclass(frozen=True)
class Settings:
    """Everything the tracker and the store can be configured with.

    Attributes:
        location: grid zone (ISO country code or zone name); ``None`` means unknown, and the
            world average is used with a warning and a wide range.
        db: the run store: a path to a SQLite file, or a ``postgresql://`` URL.
        powercap_root: where the RAPL powercap tree lives (``/sys/class/powercap`` when ``None``).
        interval_s: seconds between two sensor readings (> 0).
        flush_every_s: seconds between two writes of the buffered samples to the store (> 0).
        pue: power usage effectiveness of the facility (>= 1); ``None`` lets the engine use its default.
        project: a free label stored with each run (CodeCarbon's ``project_name``).
        gpus: ``"auto"`` or ``"none"`` (whether GPU sensors are looked for).
        unmetered: add the sourced correction for the node power no counter sees (fans, power supply…;
            Jay et al. 2023, fitted on a DGX-1) as its own part of the footprint.
        cpu_tdp_w: the TDP of one CPU package, in W, where the user knows it better than the reference
            data (a cloud VM that reports only "AMD EPYC"); used by the CPU model when RAPL is absent.
        cpu_model: the CPU's model name or reference-data id, where ``/proc/cpuinfo`` does not say it.
        sources: field → where its value came from (``default``, ``config``, ``env``, ``argument``).
    """

    location: str | None = None
    db: str = ""
    powercap_root: str | None = None
    interval_s: float = 1.0
    flush_every_s: float = 5.0
    pue: float | None = None
    project: str = "default"
    gpus: str = "auto"
    unmetered: bool = False
    cpu_tdp_w: float | None = None
    cpu_model: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def source_of(self, name: str) -> str:
        """Where the value of ``name`` came from."""
        return self.sources.get(name, "default")

    def given_as(self, name: str) -> str:
        """The name of setting ``name`` where the user gave it, for errors: its variable
        (``AICEBERG_LOCATION``), ``config.toml: location``, or the keyword itself (the command line
        names its own flags)."""
        source = self.source_of(name)
        if source == "env":
            return next((var for var, field_name in ENV_VARS.items() if field_name == name), name)
        return f"config.toml: {name}" if source == "config" else name

    def with_overrides(self, overrides: Mapping[str, Any], *, labels: Mapping[str, str] | None = None) -> Settings:
        """A copy with ``overrides`` (field → value given as arguments) applied, validated as
        :func:`load_settings` validates them; ``None`` values are ignored.

        Raises:
            InputError: an unknown field or a bad value, naming the field as in ``labels``.
        """
        values: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in _NAMES:
                raise InputError(name, "unknown setting", ", ".join(sorted(_NAMES)))
            if value is not None:
                values[name] = _check(name, value, (labels or {}).get(name, name))
        if not values:
            return self
        return replace(self, **values, sources={**self.sources, **dict.fromkeys(values, "argument")})


_NAMES = frozenset(f.name for f in fields(Settings)) - {"sources"}


def _xdg(var: str, fallback: str, environ: Mapping[str, str]) -> Path:
    value = environ.get(var)
    if value and os.path.isabs(value):
        return Path(value)
    return Path(environ.get("HOME") or os.path.expanduser("~")) / fallback


def default_db_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/aiceberg/runs.db``, else ``~/.local/share/aiceberg/runs.db``."""
    env = os.environ if environ is None else environ
    return _xdg("XDG_DATA_HOME", ".local/share", env) / "aiceberg" / "runs.db"


def default_spool_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where runs wait when their PostgreSQL store cannot be reached: ``spool/`` beside the default store."""
    return default_db_path(environ).parent / "spool"


def redact(target: str | os.PathLike[str]) -> str:
    """A store as messages may show it: a URL's password (and a ``password=`` parameter) becomes ``***``.

    ``postgresql://user:S3cret@host/db`` → ``postgresql://user:***@host/db``; a path is returned as is.
    Everything that prints a store (CLI, web, doctor, errors) goes through here.
    """
    text = os.fspath(target)
    if "://" not in text:
        return text
    try:
        parts = urlsplit(text)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            if ":" in userinfo:
                userinfo = userinfo.split(":", 1)[0] + ":***"
            netloc = f"{userinfo}@{host}"
        query = "&".join(
            "password=***" if p.split("=", 1)[0].lower() == "password" else p for p in parts.query.split("&") if p
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:  # unparsable: blank whatever sits between "user:" and "@", and any password=
        text = re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", text)
        return re.sub(r"(?i)(password=)[^&\s]*", r"\1***", text)


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/aiceberg/config.toml``, else ``~/.config/aiceberg/config.toml``."""
    env = os.environ if environ is None else environ
    return _xdg("XDG_CONFIG_HOME", ".config", env) / "aiceberg" / "config.toml"


def _positive(label: str, value: Any, *, minimum: float = 0.0, inclusive: bool = False,
              maximum: float | None = None) -> float:
    accepted = f"a number from {minimum:g} to {maximum:g}" if maximum is not None else \
        f"a number {'>=' if inclusive else '>'} {minimum:g}"
    if isinstance(value, str):  # the environment: the project's one number rule (aiceberg.i18n.parse), English
        try:
            value = parse_number(value, label)
        except InputError as exc:
            raise InputError(label, exc.message, accepted) from None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    ok = math.isfinite(number) and (number >= minimum if inclusive else number > minimum)
    if maximum is not None:
        ok = ok and number <= maximum
    if not ok or isinstance(value, bool):
        if maximum is not None:
            raise InputError(label, f"{value!r} is not accepted", accepted)
        raise InputError(label, f"{value!r} is not a valid number", accepted)
    return number


def _check(name: str, value: Any, label: str) -> Any:
    """Validate and normalise one value; ``label`` is the field as the user wrote it."""
    if value is None:
        if name in {"interval_s", "flush_every_s", "db", "project", "gpus"}:
            raise InputError(label, "a value is required")
        return None
    if name in BOUNDS:
        low, high = BOUNDS[name]
        return _positive(label, value, minimum=low, inclusive=True, maximum=high)
    if name == "pue":
        return _positive(label, value, minimum=1.0, inclusive=True)
    if name == "unmetered":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        raise InputError(label, f"{value!r} is not accepted", "true or false (1/0, yes/no)")
    if name == "gpus":
        text = str(value).strip().lower()
        if text not in {"auto", "none"}:
            raise InputError(label, f"{value!r} is not accepted", "auto, none")
        return text
    if not isinstance(value, str | os.PathLike):
        raise InputError(label, f"{value!r} is not a string")
    text = os.fspath(value).strip()
    if name == "location":
        if not text:
            return None
        return text
    if not text:
        raise InputError(label, "an empty value is not accepted")
    if name in {"db", "powercap_root"} and "://" not in text:
        return str(Path(text).expanduser())
    return text


def _read_config(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(path), f"cannot read the config file: {exc}") from exc
    return data


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: str | os.PathLike[str] | None = None,
) -> Settings:
    """Build the settings: defaults < config file < environment < ``overrides``.

    Args:
        overrides: field → value given as arguments; ``None`` values are ignored.
        labels: field → the name the user typed for it (``{"interval_s": "--interval"}``), for errors.
        environ: the environment to read (``os.environ`` when ``None``).
        config_file: the TOML file to read (see :func:`config_path` when ``None``).

    Raises:
        InputError: a value is not acceptable; the message names the field.
    """
    env = os.environ if environ is None else environ
    names = _NAMES
    values: dict[str, Any] = {"db": str(default_db_path(env))}
    sources: dict[str, str] = {}

    path = Path(config_file) if config_file is not None else config_path(env)
    for key, value in _read_config(path).items():
        if key not in names:
            raise InputError(f"{path.name}: {key}", "unknown setting", ", ".join(sorted(names)))
        values[key] = _check(key, value, f"{path.name}: {key}")
        sources[key] = "config"

    for var, name in ENV_VARS.items():
        raw = env.get(var)
        if raw is None or raw == "":
            continue
        values[name] = _check(name, raw, var)
        sources[name] = "env"

    return replace(Settings(), **values, sources=sources).with_overrides(overrides or {}, labels=labels)
