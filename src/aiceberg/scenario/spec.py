"""The scenario file: its sections and fields, how numbers are written, and validation of every problem.

A scenario is a TOML file (``docs/scenarios.md``). Each section describes one part of a service's life;
each field has a kind: an uncertain number (a value, ``"LOW:CENTRAL:HIGH"``, or a table ``{low, central,
high, dist, ratio}``), a whole count, a name looked up in the reference data, a choice, a text or a list.
:func:`parse` reads the document and returns a :class:`Spec`, or raises :class:`ScenarioError` with one
problem per bad field — all of them at once, each naming its path (``deployment.requests_per_day``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiceberg.errors import InputError
from aiceberg.i18n import Msg
from aiceberg.i18n.parse import parse_number_or_range
from aiceberg.model.embodied import USE_RULES
from aiceberg.model.inputs import BOUNDS, Bound
from aiceberg.model.uncertainty import DISTRIBUTIONS, Dist

__all__ = ["ALLOCATIONS", "SECTIONS", "UNITS", "Field", "ScenarioError", "Spec", "parse"]

#: The reporting units (the SCI's functional unit R).
UNITS: tuple[str, ...] = ("per-request", "per-user-year", "per-year", "whole-life")
#: The allocation rules of embodied impacts (``aiceberg.model.embodied.USE_RULES``).
ALLOCATIONS: tuple[str, ...] = tuple(USE_RULES)
#: Rules that apply to a phase without requests (trainings): their devices are held, busy all the while.
HOLD_RULES: tuple[str, ...] = ("use-time", "calendar-time")
DEVICE_RULES: tuple[str, ...] = ("share-of-device-time", "calendar-time")


@dataclass(frozen=True)
class Field:
    """One field: ``kind`` is ``num`` (uncertain number), ``whole`` (exact count), ``name`` (looked up
    later), ``pue`` (a number or a data-centre name), ``choice``, ``text`` or ``texts`` (a list of texts)."""

    kind: str
    bound: Bound | None = None
    choices: tuple[str, ...] = ()


def _n(name_or_bound: str | Bound) -> Field:
    return Field("num", BOUNDS[name_or_bound] if isinstance(name_or_bound, str) else name_or_bound)


_B = Bound
_NAME, _TEXT, _TEXTS, _PUE = Field("name"), Field("text"), Field("texts"), Field("pue")
_SHARE = _n(_B(0, 1, inclusive=True, unit="1"))
_GRID = {"location": _NAME, "intensity_g_per_kwh": _n("intensity_g_per_kwh")}
_DC = {**_GRID, "pue": _PUE}
_HW = {"hardware": _NAME, "server": _NAME, "devices_per_server": Field("whole", BOUNDS["devices_per_server"]),
       "lifetime_years": _n("lifetime_years"), "utilisation": _n("utilisation")}

#: section → field → its kind. ``devices`` may be one table or an array of tables.
SECTIONS: Mapping[str, Mapping[str, Field]] = {
    "scenario": {"name": _TEXT, "title": _TEXT, "title_en": _TEXT, "title_fr": _TEXT, "description_en": _TEXT,
                 "description_fr": _TEXT, "period_days": _n(_B(0, 36500, unit="day")),
                 "period_years": _n(_B(0, 100, unit="year")), "unit": Field("choice", choices=UNITS),
                 "model_life_years": _n(_B(0, 100, unit="year")), "sources": _TEXTS, **_DC},
    "published": {"co2e_kg": _n("co2e_kg"), "include": _TEXTS, "source": _TEXT, "where_en": _TEXT,
                  "where_fr": _TEXT},
    "data": {"stored_tb": _n(_B(0, 1e9, inclusive=True, unit="TB")),
             "storage": Field("choice", choices=("hdd", "ssd")), "replication": _n(_B(1, 100, inclusive=True)),
             "collected_gb": _n(_B(0, 1e12, inclusive=True, unit="GB")), "network": _NAME, **_DC},
    "development": {"trainings": _n(_B(0, 1e7, inclusive=True, unit="training")),
                    "fraction": _n(_B(0, 100, unit="1"))},
    "training": {"count": _n("count"), "hours": _n("hours"), "gpu_hours": _n("gpu_hours"), "power_w": _n("power_w"),
                 "run": _TEXT, "job": _TEXT, "allocation": Field("choice", choices=HOLD_RULES), **_HW, **_DC},
    "retraining": {"per_year": _n(_B(0, 1e4, inclusive=True, unit="training/year")),
                   "fraction": _n(_B(0, 100, unit="1"))},
    "deployment": {"users": _n("users"), "requests_per_user_per_day": _n("requests_per_user_per_day"),
                   "requests_per_day": _n(_B(0, 1e14, unit="request/day")),
                   "growth_per_year": _n(_B(0, 100, inclusive=True, unit="1/year")),
                   "hours_per_day": _n(_B(0, 24, unit="h")), "count": _n(_B(0, 1e8, unit="device")),
                   "device_hours_per_request": _n(_B(0, 1e4, unit="h")), "power_w": _n("power_w"),
                   "fleet_requests_per_day": _n(_B(0, 1e14, unit="request/day")),
                   "allocation": Field("choice", choices=ALLOCATIONS), **_HW, **_DC},
    "inference": {"wh_per_request": _n("wh_per_request"), "task": _NAME,
                  "boundary": Field("choice", choices=("it", "facility")),
                  "parameters_b": _n("parameters_b"), "active_parameters_b": _n("active_parameters_b"),
                  "output_tokens": _n("output_tokens"), "run": _TEXT, "job": _TEXT,
                  "run_requests": _n("requests")},
    "network": {"gb_per_request": _n(_B(0, 1e3, inclusive=True, unit="GB")), "access": _NAME, **_GRID},
    "devices": {"device": _NAME, "share": _SHARE, "seconds_per_request": _n(_B(0, 1e5, unit="s")),
                "daily_use_hours": _n(_B(0, 24, unit="h")), "lifetime_years": _n("lifetime_years"),
                "allocation": Field("choice", choices=DEVICE_RULES), **_GRID},
    "end_of_life": {"co2e_kg": _n("co2e_kg"), "source": _TEXT},
    # cross-device federated training (model/federated.py), and the same model trained centrally beside it
    "federated": {"clients_per_round": _n(_B(1, 1e10, inclusive=True, unit="client")),
                  "rounds": _n(_B(1, 1e7, inclusive=True, unit="round")), "local_epochs": _n("local_epochs"),
                  "epoch_seconds": _n("epoch_seconds"), "model_mb": _n("model_mb"), "device": _NAME,
                  "device_power_w": _n("device_power_w"), "device_embodied_kgco2e": _n("embodied_kgco2e"),
                  "device_lifetime_years": _n("lifetime_years"), "daily_use_hours": _n(_B(0, 24, unit="h")),
                  "allocation": Field("choice", choices=DEVICE_RULES), "network": _NAME,
                  "upload_mbps": _n("upload_mbps"), "download_mbps": _n("download_mbps"), "router_w": _n("router_w"),
                  "idle_w": _n("idle_w"), "server_seconds_per_round": _n("server_seconds_per_round"),
                  "server_power_w": _n("power_w"), "server_location": _NAME, "pue": _PUE, **_GRID},
    "centralised": {"gpu_hours": _n("gpu_hours"), "power_w": _n("power_w"),
                    "allocation": Field("choice", choices=HOLD_RULES), "data_gb": _n("data_gb"), "network": _NAME,
                    "storage_days": _n("storage_days"), "storage": Field("choice", choices=("hdd", "ssd")),
                    **_HW, **_DC},
}


class ScenarioError(InputError):
    """Every problem of a scenario at once: one :class:`InputError` per bad field, each naming its path."""

    def __init__(self, problems: list[InputError], file: str = "") -> None:
        self.problems = list(problems)
        self.file = file
        first = self.problems[0]
        super().__init__(first.field, first.message, first.accepted_msg)

    def lines(self, lang: str = "en") -> list[str]:
        """One line per problem, ``path: what is wrong (accepted: …)``, in ``lang``."""
        return [p.render(lang) for p in self.problems]

    def render(self, lang: str = "en", field: str | None = None) -> str:
        head = Msg("scenario.problems", file=self.file or "scenario", count=len(self.problems)).render(lang)
        return head + "\n  " + "\n  ".join(self.lines(lang))


@dataclass
class Problems:
    """Problems collected while reading a scenario (validation never stops at the first)."""

    items: list[InputError] = field(default_factory=list)

    def add(self, path: str, message: Msg | str, accepted: Msg | str | None = None) -> None:
        self.items.append(InputError(path, message, accepted))

    def error(self, exc: InputError, path: str) -> None:
        """An engine or lookup error, re-attached to the field's path."""
        self.items.append(InputError(path, exc.message, exc.accepted_msg))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, file: str = "") -> None:
        if self.items:
            raise ScenarioError(self.items, file)


@dataclass(frozen=True)
class Spec:
    """A parsed scenario: each section's fields (numbers as :class:`Dist`, names as texts), and the
    device tables. ``paths`` says where each value came from (``deployment.count``)."""

    sections: Mapping[str, Mapping[str, Any]]
    devices: tuple[Mapping[str, Any], ...] = ()

    def has(self, section: str) -> bool:
        return section in self.sections

    def get(self, section: str, name: str, default: Any = None) -> Any:
        return self.sections.get(section, {}).get(name, default)

    def section(self, name: str) -> Mapping[str, Any]:
        return self.sections.get(name, {})

    @property
    def name(self) -> str:
        return str(self.get("scenario", "name", "") or "scenario")

    def title(self, lang: str = "en") -> str:
        sc = self.section("scenario")
        return str(sc.get(f"title_{lang}") or sc.get("title_en") or sc.get("title") or self.name)

    def description(self, lang: str = "en") -> str:
        sc = self.section("scenario")
        return str(sc.get(f"description_{lang}") or sc.get("description_en") or "")


# -- numbers --------------------------------------------------------------------------------------

def _plain(value: Any, path: str, bound: Bound, problems: Problems) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        problems.add(path, Msg("input.not_a_number", value=_short(value)), bound.accepted())
        return None
    if isinstance(value, str):
        try:
            parsed = parse_number_or_range(value, path, "en")
        except InputError as exc:
            problems.add(path, exc.message, exc.accepted_msg)
            return None
        if isinstance(parsed, tuple):
            problems.add(path, Msg("scenario.error.range_in_table", value=value), Msg("scenario.accepted.number"))
            return None
        value = parsed
    v = float(value)
    if not bound.contains(v):
        problems.add(path, Msg("input.out_of_bounds", value=_short(value)), bound.accepted())
        return None
    return v


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def parse_number(value: Any, path: str, bound: Bound, problems: Problems) -> Dist | None:
    """A value, ``"LOW:CENTRAL:HIGH"`` (triangular) or ``{low, central, high, dist, ratio}`` as a :class:`Dist`."""
    accepted = Msg("scenario.accepted.number_or_dist", bounds=bound.accepted())
    if isinstance(value, str) and ":" in value:
        try:
            parsed = parse_number_or_range(value, path, "en")
        except InputError as exc:
            problems.add(path, exc.message, accepted)
            return None
        assert isinstance(parsed, tuple)
        lo, c, hi = parsed
        ends = [_plain(x, path, bound, problems) for x in (lo, c, hi)]
        return None if None in ends else Dist("triangular" if lo < hi else "exact", c, lo, hi)
    if isinstance(value, Mapping):
        return _table(value, path, bound, problems)
    v = _plain(value, path, bound, problems)
    return None if v is None else Dist.exact(v)


def _table(value: Mapping[str, Any], path: str, bound: Bound, problems: Problems) -> Dist | None:
    keys = {"low", "central", "high", "dist", "ratio"}
    bad = [k for k in value if k not in keys]
    for k in bad:
        problems.add(f"{path}.{k}", Msg("scenario.error.unknown_field", name=k, suggestions=_close(k, keys)),
                     Msg("accepted.one_of", values=", ".join(sorted(keys))))
    kind = value.get("dist") or ("lognormal" if "ratio" in value else "triangular")
    if kind not in DISTRIBUTIONS:
        problems.add(f"{path}.dist", Msg("input.unknown_value", value=kind),
                     Msg("accepted.one_of", values=", ".join(DISTRIBUTIONS)))
        return None
    nums = {k: _plain(value[k], f"{path}.{k}", bound, problems) for k in ("low", "central", "high") if k in value}
    if None in nums.values() or bad:
        return None
    if kind == "lognormal":
        ratio = value.get("ratio")
        central = nums.get("central")
        if central is None or isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 1 < ratio <= 1e3:
            problems.add(path, Msg("scenario.error.lognormal"), Msg("scenario.accepted.lognormal"))
            return None
        d = Dist.lognormal(central, float(ratio))
        if not (bound.contains(d.low) and bound.contains(d.high)):
            problems.add(path, Msg("scenario.error.lognormal_bounds", low=d.low, high=d.high), bound.accepted())
            return None
        return d
    if "ratio" in value:
        problems.add(f"{path}.ratio", Msg("scenario.error.ratio_not_lognormal"), Msg("scenario.accepted.lognormal"))
        return None
    if "low" not in nums or "high" not in nums or (kind == "triangular" and "central" not in nums):
        need = "low, high" if kind == "uniform" else "low, central, high"
        problems.add(path, Msg("scenario.error.dist_needs", dist=kind, needs=need), Msg("scenario.accepted.dist"))
        return None
    lo, hi = float(nums["low"] or 0.0), float(nums["high"] or 0.0)
    c = float(nums.get("central") or (lo + hi) / 2)
    if not lo <= c <= hi:
        problems.add(path, Msg("input.range_order_of", low=lo, central=c, high=hi), Msg("scenario.accepted.dist"))
        return None
    return Dist(kind if lo < hi else "exact", c, lo, hi)


def _close(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.5)
    return ", ".join(repr(c) for c in close) or "–"


# -- the document -----------------------------------------------------------------------------------

def _fields(section: str, table: Mapping[str, Any], path: str, problems: Problems) -> dict[str, Any]:
    schema = SECTIONS[section]
    out: dict[str, Any] = {}
    for name, value in table.items():
        fpath = f"{path}.{name}"
        f = schema.get(name)
        if f is None:
            problems.add(fpath, Msg("scenario.error.unknown_field", name=name, suggestions=_close(name, schema)),
                         Msg("accepted.one_of", values=", ".join(schema)))
            continue
        parsed = _field(f, value, fpath, problems)
        if parsed is not None:
            out[name] = parsed
    return out


def _field(f: Field, value: Any, path: str, problems: Problems) -> Any:
    if f.kind == "num":
        assert f.bound is not None
        return parse_number(value, path, f.bound, problems)
    if f.kind == "whole":
        assert f.bound is not None
        v = _plain(value, path, f.bound, problems)
        if v is not None and v != int(v):
            problems.add(path, Msg("input.not_whole", value=_short(value)), f.bound.accepted())
            return None
        return None if v is None else int(v)
    if f.kind == "pue":
        if isinstance(value, str) and not any(ch.isdigit() for ch in value):
            return value
        return parse_number(value, path, BOUNDS["pue"], problems)
    if f.kind == "choice":
        if value not in f.choices:
            problems.add(path, Msg("input.unknown_value", value=_short(value)),
                         Msg("accepted.one_of", values=", ".join(f.choices)))
            return None
        return value
    if f.kind == "texts":
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            problems.add(path, Msg("scenario.error.not_texts", value=_short(value)), Msg("scenario.accepted.texts"))
            return None
        return tuple(value)
    if not isinstance(value, str) or not value.strip():
        problems.add(path, Msg("scenario.error.not_text", value=_short(value)), Msg("scenario.accepted.text"))
        return None
    return value.strip()


def _device_tables(value: Any, problems: Problems) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(value, Mapping):
        yield "devices", value
    elif isinstance(value, list) and value and all(isinstance(x, Mapping) for x in value):
        for i, table in enumerate(value):
            yield f"devices[{i}]", table
    else:
        problems.add("devices", Msg("scenario.error.not_a_table", value=_short(value)),
                     Msg("scenario.accepted.devices"))


def parse(doc: Mapping[str, Any], problems: Problems | None = None) -> Spec:
    """The :class:`Spec` of a TOML document, or :class:`ScenarioError` with every problem (when no
    ``problems`` collector is given; with one, the caller raises after its own checks)."""
    own = problems is None
    problems = Problems() if problems is None else problems
    sections: dict[str, dict[str, Any]] = {}
    devices: list[Mapping[str, Any]] = []
    for name, value in doc.items():
        if name not in SECTIONS:
            problems.add(name, Msg("scenario.error.unknown_section", name=name, suggestions=_close(name, SECTIONS)),
                         Msg("accepted.one_of", values=", ".join(SECTIONS)))
            continue
        if name == "devices":
            for path, table in _device_tables(value, problems):
                devices.append({"_path": path, **_fields("devices", table, path, problems)})
            continue
        if not isinstance(value, Mapping):
            problems.add(name, Msg("scenario.error.not_a_table", value=_short(value)), Msg("scenario.accepted.table"))
            continue
        sections[name] = _fields(name, value, name, problems)
    if "devices" in doc and devices:
        sections["devices"] = {}
    spec = Spec(sections, tuple(devices))
    _rules(doc, spec, problems)
    if own:
        problems.raise_if_any()
    return spec


def _one_of(doc: Mapping[str, Any], section: str, names: tuple[str, ...], problems: Problems, *,
            required: bool = True) -> None:
    table = doc.get(section)
    if not isinstance(table, Mapping):
        return
    given = [n for n in names if n in table]
    if len(given) > 1 or (required and not given):
        key = "scenario.error.one_of_given" if given else "scenario.error.one_of_none"
        problems.add(f"{section}.{(given or names)[0]}", Msg(key, given=", ".join(given)),
                     Msg("scenario.accepted.one_of", names=", ".join(f"{section}.{n}" for n in names)))


def _rules(doc: Mapping[str, Any], spec: Spec, problems: Problems) -> None:
    """Rules between fields: what must be given together, what excludes what."""
    if "scenario" not in doc:
        problems.add("scenario", Msg("scenario.error.missing_section", name="scenario"),
                     Msg("scenario.accepted.scenario"))
    else:
        _one_of(doc, "scenario", ("period_days", "period_years"), problems)
    for section in ("scenario", "data", "training", "deployment", "network", "federated", "centralised"):
        _one_of(doc, section, ("location", "intensity_g_per_kwh"), problems, required=False)
    _one_of(doc, "training", ("hours", "gpu_hours", "run", "job"), problems)
    _one_of(doc, "inference", ("wh_per_request", "task", "parameters_b", "run", "job"), problems)
    _one_of(doc, "deployment", ("requests_per_day", "users"), problems)
    dep = doc.get("deployment")
    if isinstance(dep, Mapping):
        if "users" in dep and "requests_per_user_per_day" not in dep:
            problems.add("deployment.requests_per_user_per_day", Msg("scenario.error.needs", needs="deployment.users"),
                         spec_accepted("deployment", "requests_per_user_per_day"))
        _one_of(doc, "deployment", ("count", "device_hours_per_request"), problems, required=False)
    for section, needs in (("development", "training"), ("retraining", "training"), ("inference", "deployment"),
                           ("deployment", "inference"), ("network", "deployment"), ("devices", "deployment"),
                           ("centralised", "federated")):
        if section in doc and needs not in doc:
            problems.add(section, Msg("scenario.error.section_needs", needs=needs), Msg("scenario.accepted.section",
                                                                                           section=needs))
    for section, required in (("training", ("hardware",)), ("development", ("trainings", "fraction")),
                              ("retraining", ("per_year",)), ("network", ("gb_per_request",)),
                              ("published", ("co2e_kg", "include")),
                              ("federated", ("clients_per_round", "rounds", "epoch_seconds", "model_mb")),
                              ("centralised", ("hardware", "gpu_hours"))):
        table = doc.get(section)
        if isinstance(table, Mapping):
            for name in required:
                if name not in table:
                    problems.add(f"{section}.{name}", Msg("scenario.error.missing"), spec_accepted(section, name))
    for d in spec.devices:
        for name in ("device", "seconds_per_request"):
            if name not in d:
                problems.add(f"{d['_path']}.{name}", Msg("scenario.error.missing"), spec_accepted("devices", name))
    inf = doc.get("inference")
    if isinstance(inf, Mapping):
        if "parameters_b" in inf and "output_tokens" not in inf:
            problems.add("inference.output_tokens", Msg("scenario.error.needs", needs="inference.parameters_b"),
                         spec_accepted("inference", "output_tokens"))
        if "run" in inf and "run_requests" not in inf:
            problems.add("inference.run_requests", Msg("scenario.error.needs", needs="inference.run"),
                         spec_accepted("inference", "run_requests"))
    _federated_rules(doc, problems)
    unit = spec.get("scenario", "unit")
    if unit == "per-user-year" and not (isinstance(dep, Mapping) and "users" in dep):
        problems.add("scenario.unit", Msg("scenario.error.unit_needs_users"), Msg("accepted.one_of",
                                                                                   values=", ".join(UNITS)))
    if unit == "per-request" and "deployment" not in doc:
        problems.add("scenario.unit", Msg("scenario.error.unit_needs_requests"), Msg("accepted.one_of",
                                                                                      values=", ".join(UNITS)))


def _only_with(table: Mapping[str, Any], section: str, names: tuple[str, ...], needs: str,
               problems: Problems) -> None:
    """Each of ``names`` given without ``needs`` is a problem: it applies only with it."""
    if needs in table:
        return
    for name in names:
        if name in table:
            problems.add(f"{section}.{name}", Msg("scenario.error.only_with", needs=f"{section}.{needs}"),
                         spec_accepted(section, needs))


def _federated_rules(doc: Mapping[str, Any], problems: Problems) -> None:
    """The federated phase's rules, those of ``model/federated.py``: the clients' device needs a power; the
    access network or the link's rates; the router and idle powers with the rates; the server's power, grid
    and PUE with its time per round; a manufacturing figure of one's own with its lifetime."""
    fl = doc.get("federated")
    if isinstance(fl, Mapping):
        if "device" not in fl and "device_power_w" not in fl:
            problems.add("federated.device_power_w", Msg("scenario.error.fl_power"),
                         Msg("scenario.accepted.fl_device"))
        _one_of(doc, "federated", ("network", "upload_mbps"), problems, required=False)
        for a, b in (("upload_mbps", "download_mbps"), ("download_mbps", "upload_mbps")):
            if a in fl and b not in fl:
                problems.add(f"federated.{b}", Msg("scenario.error.needs", needs=f"federated.{a}"),
                             spec_accepted("federated", b))
        _only_with(fl, "federated", ("router_w", "idle_w"), "upload_mbps", problems)
        _only_with(fl, "federated", ("server_power_w", "server_location", "pue"), "server_seconds_per_round",
                   problems)
        if "device" not in fl:
            _only_with(fl, "federated", ("device_lifetime_years",), "device_embodied_kgco2e", problems)
        if "device_embodied_kgco2e" in fl and "device_lifetime_years" not in fl:
            problems.add("federated.device_lifetime_years",
                         Msg("scenario.error.needs", needs="federated.device_embodied_kgco2e"),
                         spec_accepted("federated", "device_lifetime_years"))
        if fl.get("allocation") == "share-of-device-time" and "daily_use_hours" not in fl:
            problems.add("federated.daily_use_hours", Msg("scenario.error.needs", needs="federated.allocation"),
                         Msg("scenario.accepted.daily_use"))
    cen = doc.get("centralised")
    if isinstance(cen, Mapping):
        _only_with(cen, "centralised", ("network", "storage_days", "storage"), "data_gb", problems)


def spec_accepted(section: str, name: str) -> Msg | None:
    """The accepted values of a field, in words."""
    f = SECTIONS[section].get(name)
    if f is None:
        return None
    if f.kind in ("num", "whole") and f.bound is not None:
        return f.bound.accepted()
    if f.kind == "choice":
        return Msg("accepted.one_of", values=", ".join(f.choices))
    return Msg("scenario.accepted.text")
