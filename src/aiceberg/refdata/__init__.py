"""Sourced reference data: hardware, grid intensities, PUE, network, devices, equivalents, sources.

Everything loads lazily on first use and is validated against ``schema.py``. Lookups are
case-insensitive, accept aliases, and raise ``UnknownNameError`` with the closest names.
"""

from __future__ import annotations

from aiceberg.refdata.loader import clear_cache, data_dir, load_table, set_data_dir
from aiceberg.refdata.lookup import find, get, normalise, suggest
from aiceberg.refdata.schema import (
    TABLES,
    Device,
    Equivalent,
    Hardware,
    InferenceFigure,
    Network,
    PerCapita,
    Pue,
    Source,
    Zone,
)

__all__ = [
    "TABLES",
    "Device",
    "Equivalent",
    "Hardware",
    "InferenceFigure",
    "Network",
    "PerCapita",
    "Pue",
    "Source",
    "Zone",
    "clear_cache",
    "data_dir",
    "find",
    "find_hardware",
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
    "load_table",
    "normalise",
    "set_data_dir",
    "suggest",
]


def find_hardware(name: str) -> Hardware | None:
    """The hardware row for a name, alias, NVML or ``/proc/cpuinfo`` model string, or None."""
    return find("hardware", name)


def get_hardware(name: str, field: str = "hardware") -> Hardware:
    return get("hardware", name, field=field, what="hardware",
               hint="see 'aiceberg data hardware'")


def get_zone(name: str, field: str = "location") -> Zone:
    return get("zones", name, field=field, what="zone",
               hint="an ISO country code (FR), a country name, or a cloud region (aws:us-east-1); "
               "see 'aiceberg data zones'")


def get_pue(name: str, field: str = "pue") -> Pue:
    return get("pue", name, field=field, what="data-centre class",
               hint="a number >= 1 or one of 'aiceberg data pue'")


def get_network(name: str, field: str = "network") -> Network:
    ids = ", ".join(r.id for r in load_table("network"))
    return get("network", name, field=field, what="network access type", hint=ids)


def get_device(name: str, field: str = "device") -> Device:
    ids = ", ".join(r.id for r in load_table("devices"))
    return get("devices", name, field=field, what="device", hint=ids)


def get_equivalent(name: str) -> Equivalent:
    return get("equivalents", name, field="equivalent", what="equivalent")


def get_per_capita(country: str, field: str = "country") -> PerCapita | None:
    """Electricity per person and year for a country's ISO-2 code (or name), if the data has it."""
    zone = find("zones", country)
    key = zone.id if zone is not None else country
    return find("electricity_per_capita", key)


def get_inference_figure(name: str, field: str = "task") -> InferenceFigure:
    ids = ", ".join(r.id for r in load_table("inference"))
    return get("inference", name, field=field, what="per-request figure", hint=ids)


def get_source(source_id: str) -> Source | None:
    return find("sources", source_id)
