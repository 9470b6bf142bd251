"""Rebuild a Footprint from its JSON form (``aiceberg estimate … --json``, a run summary's ``footprint``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from aiceberg.errors import InputError
from aiceberg.i18n import Msg, text_from_json, text_to_json
from aiceberg.model.footprint import CRITERIA, Factor, Footprint, Part, Phase, Status
from aiceberg.model.quantity import Q

__all__ = ["footprint_from_dict", "footprint_to_dict", "load_footprint_json"]

_STATUSES = ", ".join(s.value for s in Status)


def _q(d: Mapping[str, Any], key: str, where: str, low_key: str | None = None,
       high_key: str | None = None) -> Q:
    try:
        c = float(d[key])
        lo = float(d.get(low_key or f"{key}_low", c))
        hi = float(d.get(high_key or f"{key}_high", c))
    except KeyError:
        raise InputError(where, f"missing field {key!r}", "the JSON that 'aiceberg estimate … --json' prints") from None
    except (TypeError, ValueError):
        raise InputError(where, f"field {key!r} is not a number", "numbers >= 0") from None
    # JSON round trips can put a bound a hair past the central value
    lo, hi = min(lo, c), max(hi, c)
    try:
        return Q(c, lo, hi)
    except ValueError as exc:
        raise InputError(where, f"{key}: {exc}", "numbers >= 0 with low <= central <= high") from None


def _status(value: Any, where: str) -> Status:
    try:
        return Status(str(value))
    except ValueError:
        raise InputError(where, f"unknown status {value!r}", _STATUSES) from None


def _strs(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) for x in value):
        raise InputError(where, "expected a list of strings")
    return tuple(value)


def _impacts(p: Mapping[str, Any], where: str) -> dict[str, Q]:
    out = {"gwp": _q(p, "co2e_kg", where)}
    raw = p.get("impacts")
    if raw is None:
        return out
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}.impacts", "expected an object: criterion → {value, low, high}")
    for criterion, q in raw.items():
        if criterion not in CRITERIA or criterion == "gwp":
            continue
        if not isinstance(q, Mapping):
            raise InputError(f"{where}.impacts.{criterion}", "expected an object with value, low, high")
        out[criterion] = _q(q, "value", f"{where}.impacts.{criterion}", "low", "high")
    return out


def footprint_to_dict(fp: Footprint) -> dict[str, Any]:
    """``fp.to_dict()`` (texts in English) with ``texts``: the same texts as catalog messages or names in each
    language (:func:`aiceberg.i18n.text_to_json`), so that :func:`footprint_from_dict` gives back a footprint
    that renders in any language (the form a run summary keeps)."""
    out = fp.to_dict()
    out["texts"] = {
        "title": text_to_json(fp.title),
        "details": [text_to_json(p.detail) for p in fp.parts],
        "factors": [text_to_json(f.name) for f in fp.factors],
        "warnings": [text_to_json(w) for w in fp.warnings],
    }
    return out


def _texts(data: Mapping[str, Any], key: str, n: int) -> list[Any] | None:
    """The tagged texts of ``footprint_to_dict`` for ``key`` when there is one per item, else None."""
    texts = data.get("texts")
    items = texts.get(key) if isinstance(texts, Mapping) else None
    return [text_from_json(x) for x in items] if isinstance(items, list) and len(items) == n else None


def footprint_from_dict(data: Mapping[str, Any]) -> Footprint:
    """The Footprint that ``Footprint.to_dict()`` / ``footprint_dict()`` described.

    Energy and impacts of each part (GWP and the other criteria it assesses, with their ranges), status,
    sources, visibility, phase and detail; the factors; the warnings; ``left_out`` and ``meta``. A JSON
    written before the other criteria (GWP only) comes back with GWP only: the others not assessed.

    Raises:
        InputError: the dict is not a footprint (names the field at fault).
    """
    if not isinstance(data, Mapping):
        raise InputError("footprint", "expected a JSON object", "the JSON that 'aiceberg estimate … --json' prints")
    raw_parts = data.get("parts")
    if not isinstance(raw_parts, list):
        raise InputError("parts", "missing or not a list", "the JSON that 'aiceberg estimate … --json' prints")
    parts = []
    for i, p in enumerate(raw_parts):
        where = f"parts[{i}]"
        if not isinstance(p, Mapping) or not isinstance(p.get("name"), str):
            raise InputError(where, "expected an object with a 'name'")
        try:
            phase = Phase(p.get("phase", "use"))
        except ValueError:
            raise InputError(where, f"unknown phase {p.get('phase')!r}", "use, manufacturing") from None
        parts.append(Part(
            name=p["name"],
            energy_kwh=_q(p, "energy_kwh", where) if "energy_kwh" in p else Q.zero(),
            impacts=_impacts(p, where),
            status=_status(p.get("status", "default"), where),
            sources=_strs(p.get("sources"), f"{where}.sources"),
            visible=bool(p.get("visible", False)),
            phase=phase,
            detail=str(p.get("detail") or ""),
        ))
    factors = []
    for i, f in enumerate(data.get("factors") or ()):
        where = f"factors[{i}]"
        if not isinstance(f, Mapping) or not isinstance(f.get("id"), str):
            raise InputError(where, "expected an object with an 'id'")
        year = f.get("year")
        factors.append(Factor(
            id=f["id"], name=str(f.get("name") or f["id"]), value=_q(f, "value", where, "low", "high"),
            unit=str(f.get("unit") or ""), status=_status(f.get("status", "default"), where),
            sources=_strs(f.get("sources"), f"{where}.sources"),
            year=int(year) if isinstance(year, (int, float)) and not isinstance(year, bool) else None,
        ))
    details = _texts(data, "details", len(parts))
    if details is not None:
        parts = [replace(p, detail=d or "") for p, d in zip(parts, details, strict=True)]
    names = _texts(data, "factors", len(factors))
    if names is not None:
        factors = [replace(f, name=n or f.id) for f, n in zip(factors, names, strict=True)]
    meta: dict[str, Any] = dict(data.get("meta") or {})
    if data.get("left_out"):
        meta["left_out"] = list(_strs(data["left_out"], "left_out"))
    if "per_request" in data:
        meta["per_request"] = data["per_request"]
    warnings: tuple[Any, ...] = _strs(data.get("warnings"), "warnings")
    warnings = tuple(_texts(data, "warnings", len(warnings)) or warnings)
    texts = data.get("texts")
    title = text_from_json(texts.get("title")) if isinstance(texts, Mapping) and texts.get("title") else None
    return Footprint(parts=tuple(parts), title=title or str(data.get("title") or ""), factors=tuple(factors),
                     warnings=warnings, meta=meta)


#: The largest footprint JSON read (a footprint with every part and factor is a few kB; a whole report ~100 kB).
MAX_JSON_BYTES = 16 * 1024 * 1024


def load_footprint_json(path: str | os.PathLike[str], *, max_bytes: int = MAX_JSON_BYTES) -> Footprint:
    """Read a footprint JSON file; a missing, unreadable, oversized (more than ``max_bytes``: a device such as
    ``/dev/zero`` is never read to its end) or invalid file is an ``InputError`` naming the field ``estimate``."""
    name = os.fspath(path)
    accepted = Msg("accepted.footprint_json")
    try:
        with open(name, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError("estimate", Msg("input.no_such_file", path=name), accepted) from None
    except OSError as exc:
        raise InputError("estimate", Msg("input.cannot_read", path=name, reason=exc.strerror or str(exc)),
                         accepted) from None
    if len(raw) > max_bytes:
        raise InputError("estimate", Msg("input.file_too_large", path=name, limit=max_bytes // (1024 * 1024)),
                         accepted)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError("estimate", Msg("input.cannot_read", path=name, reason=str(exc)), accepted) from None
    except json.JSONDecodeError as exc:
        raise InputError("estimate", Msg("input.not_json", path=name, reason=exc.msg, line=exc.lineno),
                         accepted) from None
    except RecursionError:
        raise InputError("estimate", Msg("input.not_json", path=name, reason="nested too deeply", line=1),
                         accepted) from None
    return footprint_from_dict(data)
