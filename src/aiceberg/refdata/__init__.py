"""Sourced reference data: hardware, grid intensities, PUE, network, devices, equivalents, sources.

Everything loads lazily on first use and is validated against ``schema.py``. Lookups are
case-insensitive, accept aliases, and raise ``UnknownNameError`` with the closest names.
"""

from __future__ import annotations

from aiceberg.i18n import Msg
from aiceberg.refdata.loader import (
    clear_cache,
    data_dir,
    data_generation,
    follows_data,
    load_table,
    on_data_change,
    set_data_dir,
)
from aiceberg.refdata.lookup import (
    cpu_model_name,
    find,
    get,
    hardware_name,
    names_cpu_model,
    normalise,
    suggest,
)
from aiceberg.refdata.schema import (
    TABLES,
    Device,
    ElectricityMix,
    EmbodiedImpacts,
    Equivalent,
    Hardware,
    InferenceFigure,
    Network,
    PerCapita,
    Pue,
    Source,
    Wue,
    Zone,
)

__all__ = [
    "TABLES",
    "Device",
    "ElectricityMix",
    "EmbodiedImpacts",
    "Equivalent",
    "Hardware",
    "InferenceFigure",
    "Network",
    "PerCapita",
    "Pue",
    "Source",
    "Wue",
    "Zone",
    "clear_cache",
    "cpu_model_name",
    "data_dir",
    "data_generation",
    "find",
    "find_hardware",
    "follows_data",
    "get",
    "get_device",
    "get_equivalent",
    "get_hardware",
    "get_inference_figure",
    "get_network",
    "get_per_capita",
    "get_pue",
    "get_source",
    "get_zone",
    "hardware_name",
    "load_table",
    "names_cpu_model",
    "normalise",
    "on_data_change",
    "set_data_dir",
    "suggest",
]


def find_hardware(name: str) -> Hardware | None:
    """The hardware row for a name, alias, NVML or ``/proc/cpuinfo`` model string, or None."""
    return find("hardware", name)


def get_hardware(name: str, field: str = "hardware") -> Hardware:
    return get("hardware", name, field=field, what=Msg("input.what.hardware"), hint=Msg("accepted.hardware"))


def get_zone(name: str, field: str = "location") -> Zone:
    return get("zones", name, field=field, what=Msg("input.what.zone"),
               hint=Msg("accepted.zone", region="aws:us-east-1"))


def get_pue(name: str, field: str = "pue") -> Pue:
    return get("pue", name, field=field, what=Msg("input.what.pue"), hint=Msg("accepted.pue"))


def get_network(name: str, field: str = "network") -> Network:
    return get("network", name, field=field, what=Msg("input.what.network"), hint=_one_of("network"))


def get_device(name: str, field: str = "device") -> Device:
    return get("devices", name, field=field, what=Msg("input.what.device"), hint=_one_of("devices"))


def get_equivalent(name: str) -> Equivalent:
    return get("equivalents", name, field="equivalent", what=Msg("input.what.equivalent"),
               hint=_one_of("equivalents"))


def get_per_capita(country: str, field: str = "country") -> PerCapita | None:
    """Electricity per person and year for a country's ISO-2 code (or name), if the data has it."""
    zone = find("zones", country)
    key = zone.id if zone is not None else country
    return find("electricity_per_capita", key)


def get_inference_figure(name: str, field: str = "task") -> InferenceFigure:
    return get("inference", name, field=field, what=Msg("input.what.task"), hint=_one_of("inference"))


def get_source(source_id: str) -> Source | None:
    return find("sources", source_id)


def _one_of(table: str) -> Msg:
    return Msg("accepted.one_of", values=", ".join(r.id for r in load_table(table)))
