"""Typed, validated, lazy loading of the reference-data files.

Each file under ``data/`` is read once, on first use, into frozen dataclasses (see ``schema.py``);
every row is checked: known columns, numbers that parse and are finite, low ≤ central ≤ high, enumerated
values in their set, a year, and source ids that resolve in ``sources.csv``. A file that breaks the
schema raises ``ReferenceDataError`` naming the file and the row. ``AICEBERG_REFDATA_DIR`` (or
``set_data_dir``) points the loader to another folder, which tests use.

Caches built on the data follow the folder: :func:`follows_data` makes a ``functools.cache``'d function
whose cache ``set_data_dir`` (and :func:`clear_cache`) empties; :func:`on_data_change` registers any other
clearing callback; :func:`data_generation` is a counter that moves on each change, for a cache that
would rather compare than register (keep the generation beside the cached value, recompute when it moved).
"""

from __future__ import annotations

import csv
import dataclasses
import math
import os
import types
import typing
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from aiceberg.errors import ReferenceDataError
from aiceberg.refdata.schema import TABLES

T = TypeVar("T")
if typing.TYPE_CHECKING:
    from functools import _lru_cache_wrapper

_DEFAULT_DIR = Path(__file__).with_name("data")
_override: Path | None = None
_generation = 0
_listeners: list[Callable[[], object]] = []


def data_dir() -> Path:
    if _override is not None:
        return _override
    env = os.environ.get("AICEBERG_REFDATA_DIR")
    return Path(env) if env else _DEFAULT_DIR


def set_data_dir(path: Path | str | None) -> None:
    """Point the loader at another folder (``None``: back to the embedded data) and clear caches."""
    global _override
    _override = Path(path) if path is not None else None
    clear_cache()


def clear_cache() -> None:
    """Forget everything read from the data folder: the tables, and every cache that follows the data."""
    global _generation
    _generation += 1
    load_table.cache_clear()
    for callback in list(_listeners):
        callback()


def data_generation() -> int:
    """A counter that moves each time the data folder changes (``set_data_dir``, ``clear_cache``)."""
    return _generation


def on_data_change(callback: Callable[[], object]) -> Callable[[], object]:
    """Call ``callback`` (no arguments) whenever the data folder changes; returns it, so it can decorate."""
    _listeners.append(callback)
    return callback


def follows_data(fn: Callable[..., T]) -> _lru_cache_wrapper[T]:
    """``functools.cache`` for a function of the reference data: its cache empties when the data changes.

    Example::

        @follows_data
        def _case_list() -> tuple[Case, ...]: ...
    """
    cached = cache(fn)
    on_data_change(cached.cache_clear)
    return cached


@cache
def load_table(name: str) -> tuple[Any, ...]:
    """All rows of ``data/<name>.csv`` as dataclass instances, validated."""
    if name not in TABLES:
        raise ReferenceDataError(name, f"no such table; known: {', '.join(TABLES)}")
    rows: tuple[Any, ...] = _read(name, TABLES[name])
    if name != "sources":
        known = {s.id for s in load_table("sources")}
        for i, row in enumerate(rows, start=2):
            for col in ("source", "embodied_source", "idle_source"):
                for sid in getattr(row, col, ()):
                    if sid not in known:
                        raise ReferenceDataError(f"{name}.csv", f"unknown source id {sid!r} in {col}", i)
    return rows


def _read(name: str, cls: type[T]) -> tuple[T, ...]:
    path = data_dir() / f"{name}.csv"
    label = path.name
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
            hints = typing.get_type_hints(cls)
            unknown = [h for h in header if h not in fields]
            if unknown:
                raise ReferenceDataError(label, f"unknown column(s) {unknown}")
            missing = [f for f in ("id", "year", "source") if f in fields and f not in header]
            if missing:
                raise ReferenceDataError(label, f"missing column(s) {missing}")
            out: list[T] = []
            seen: set[str | None] = set()
            for lineno, raw in enumerate(reader, start=2):
                values = {k: _parse(label, lineno, k, v or "", hints[k], fields[k]) for k, v in raw.items()}
                row = cls(**values)
                _check_row(label, lineno, row, fields)
                rid = values.get("id")
                if rid in seen:
                    raise ReferenceDataError(label, f"duplicate id {rid!r}", lineno)
                seen.add(rid)
                out.append(row)
            return tuple(out)
    except FileNotFoundError:
        raise ReferenceDataError(label, f"file not found in {path.parent}") from None
    except UnicodeDecodeError as exc:
        raise ReferenceDataError(label, f"not UTF-8 ({exc})") from None


def _parse(label: str, lineno: int, col: str, text: str, hint: Any, f: dataclasses.Field) -> Any:
    text = text.strip()
    meta = f.metadata
    if not text:
        if meta.get("required") or col == "id":
            raise ReferenceDataError(label, f"empty {col!r}", lineno)
        return f.default if f.default is not dataclasses.MISSING else None
    base = _base_type(hint)
    if base is tuple:
        return tuple(p.strip() for p in text.split(";") if p.strip())
    if base in (float, int):
        try:
            value = float(text)
        except ValueError:
            raise ReferenceDataError(label, f"{col!r} is not a number: {text!r}", lineno) from None
        if not math.isfinite(value) or (base is float and value < 0):
            raise ReferenceDataError(label, f"{col!r} must be finite and >= 0: {text!r}", lineno)
        if base is int:
            if value != int(value):
                raise ReferenceDataError(label, f"{col!r} must be a whole number: {text!r}", lineno)
            return int(value)
        return value
    choices = meta.get("choices")
    if choices and text not in choices:
        raise ReferenceDataError(label, f"{col!r} is {text!r}; accepted: {', '.join(choices)}", lineno)
    return text


def _base_type(hint: Any) -> type:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _base_type(args[0])
    return origin or hint


def _check_row(label: str, lineno: int, row: Any, fields: dict[str, dataclasses.Field]) -> None:
    if "year" in fields and not 1900 <= row.year <= 2100:
        raise ReferenceDataError(label, f"'year' missing or implausible: {row.year}", lineno)
    if "source" in fields and not row.source:
        raise ReferenceDataError(label, "no source", lineno)
    for name in fields:
        if name.endswith("_low"):
            central = name[: -len("_low")]
            lo, c, hi = getattr(row, name), getattr(row, central, None), getattr(row, central + "_high", None)
            if c is None:
                if lo is not None or hi is not None:
                    raise ReferenceDataError(label, f"{name}/_high given without {central!r}", lineno)
                continue
            if (lo is not None and lo > c) or (hi is not None and hi < c):
                raise ReferenceDataError(label, f"need low <= {central} <= high ({lo}, {c}, {hi})", lineno)
