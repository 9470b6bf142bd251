"""Name lookups over the reference data: case-insensitive, with aliases and "did you mean"."""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any

from aiceberg.errors import UnknownNameError
from aiceberg.refdata.loader import load_table

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_LOOKALIKES = str.maketrans({"o": "0", "l": "1", "i": "1"})


def normalise(name: str) -> str:
    """``"NVIDIA A100-SXM4-80GB"`` and ``"nvidia a100 sxm4 80gb"`` both give ``"nvidiaa100sxm480gb"``."""
    return _NON_ALNUM.sub("", name.casefold())


def _names(table: str, row: Any) -> list[str]:
    names = [row.id]
    for attr in ("name", "name_en", "name_fr", "iso3"):
        value = getattr(row, attr, "")
        if value:
            names.append(value)
    names.extend(getattr(row, "aliases", ()))
    if table == "zones" and row.kind == "cloud" and ":" in row.id:
        names.append(row.id.split(":", 1)[1])  # "us-east-1" alone, when no other zone claims it
    return names


@cache
def _index(table: str) -> dict[str, Any]:
    index: dict[str, Any] = {}
    ambiguous: set[str] = set()
    rows = load_table(table)
    # ids and explicit names win over derived ones: index them first
    for row in rows:
        index[normalise(row.id)] = row
    for row in rows:
        for n in _names(table, row)[1:]:
            key = normalise(n)
            if not key or (key in index and index[key] is row):
                continue
            if key in index:
                ambiguous.add(key)
                continue
            index[key] = row
    for key in ambiguous:
        if normalise(index[key].id) != key:
            del index[key]
    # weak names (a per-request figure's task) go to the first row that has them, unless taken
    for row in rows:
        key = normalise(getattr(row, "task", "") or "")
        if key and key not in index:
            index[key] = row
    return index


def clear_cache() -> None:
    _index.cache_clear()


def find(table: str, name: str) -> Any | None:
    """The row named ``name`` (id, name or alias, any case or punctuation), or None."""
    return _index(table).get(normalise(name))


def suggest(table: str, name: str, n: int = 3) -> list[str]:
    """The closest known names, for a "did you mean" message."""
    key = normalise(name)
    index = _index(table)
    keys = list(index)
    # letters typed for look-alike digits (h1OO, a1OO) are a common typo: try both spellings
    variants = dict.fromkeys((key, key.translate(_LOOKALIKES)))
    close = [k for v in variants for k in difflib.get_close_matches(v, keys, n=n * 3, cutoff=0.6)]
    if not close and key:
        close = [k for k in keys if key in k or k in key][: n * 3]
    out: list[str] = []
    for k in close:
        row_id = index[k].id
        if row_id not in out:
            out.append(row_id)
        if len(out) == n:
            break
    return out


def get(table: str, name: str, *, field: str, what: str, hint: str | None = None) -> Any:
    """Like ``find`` but raises ``UnknownNameError`` naming ``field``, with suggestions."""
    if not isinstance(name, str) or not name.strip():
        raise UnknownNameError(field, str(name), [], what, hint)
    row = find(table, name)
    if row is None:
        raise UnknownNameError(field, name, suggest(table, name), what, hint)
    return row
