"""One dataclass per reference-data file: the dataclass *is* the file's schema.

Column types come from the annotations (``str``, ``float``, ``int``, ``float | None``, ``tuple[str, ...]``
for ``;``-separated lists). Field metadata declares the unit of numeric columns and the accepted values
of enumerated ones. Every row of every file must have a ``year`` and a ``source`` (ids that resolve in
``sources.csv``): the loader refuses the file otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def unit(u: str, *, required: bool = False) -> Any:
    """A numeric column in unit ``u``; a required one may not be empty."""
    return field(default=0.0 if required else None, metadata={"unit": u, "required": required})


def choice(*values: str) -> Any:
    """An enumerated column: the cell must be one of ``values``."""
    return field(default="", metadata={"choices": values, "required": True})


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    year: int
    url: str = ""
    licence: str = ""
    note: str = ""


@dataclass(frozen=True)
class Hardware:
    id: str
    name: str
    kind: str = choice("gpu", "tpu", "cpu", "server", "client")
    vendor: str = ""
    aliases: tuple[str, ...] = ()
    tdp_w: float | None = unit("W")
    #: ``published`` (vendor datasheet) or ``derived`` (a cloud-custom part given the figure of the closest
    #: published part, reasoning in ``note``); empty for the older rows, which are all datasheet figures
    tdp_status: str = ""
    idle_w: float | None = unit("W")
    idle_status: str = ""
    #: where the idle power comes from (source ids), when it is not from the row's ``source``
    idle_source: tuple[str, ...] = ()
    memory_gb: float | None = unit("GB")
    threads: int | None = unit("thread")
    peak_tflops: float | None = unit("TFLOP/s")
    peak_precision: str = ""
    embodied_kgco2e: float | None = unit("kgCO2e")
    embodied_kgco2e_low: float | None = unit("kgCO2e")
    embodied_kgco2e_high: float | None = unit("kgCO2e")
    embodied_status: str = ""
    embodied_source: tuple[str, ...] = ()
    year: int = 0
    source: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Zone:
    id: str
    kind: str = choice("world", "country", "subnational", "cloud")
    name_en: str = ""
    name_fr: str = ""
    iso3: str = ""
    provider: str = ""
    location: str = ""
    intensity_g_per_kwh: float = unit("gCO2e/kWh", required=True)
    intensity_g_per_kwh_low: float | None = unit("gCO2e/kWh")
    intensity_g_per_kwh_high: float | None = unit("gCO2e/kWh")
    basis: str = ""
    year: int = 0
    source: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Pue:
    id: str
    name_en: str = ""
    name_fr: str = ""
    pue: float = unit("1", required=True)
    pue_low: float | None = unit("1")
    pue_high: float | None = unit("1")
    year: int = 0
    source: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Network:
    id: str
    name_en: str = ""
    name_fr: str = ""
    kwh_per_gb: float = unit("kWh/GB", required=True)
    kwh_per_gb_low: float | None = unit("kWh/GB")
    kwh_per_gb_high: float | None = unit("kWh/GB")
    year: int = 0
    source: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Device:
    id: str
    name_en: str = ""
    name_fr: str = ""
    embodied_kgco2e: float = unit("kgCO2e", required=True)
    embodied_kgco2e_low: float | None = unit("kgCO2e")
    embodied_kgco2e_high: float | None = unit("kgCO2e")
    lifetime_years: float = unit("year", required=True)
    lifetime_years_low: float | None = unit("year")
    lifetime_years_high: float | None = unit("year")
    use_power_w: float | None = unit("W")
    year: int = 0
    source: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Equivalent:
    id: str
    value: float = field(default=0.0, metadata={"required": True})
    unit: str = field(default="", metadata={"required": True})
    label_en: str = ""
    label_fr: str = ""
    year: int = 0
    source: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class PerCapita:
    id: str
    kwh_per_person_year: float = unit("kWh/person/year", required=True)
    basis: str = choice("consumption", "generation")
    year: int = 0
    source: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class InferenceFigure:
    id: str
    task: str = ""
    name_en: str = ""
    name_fr: str = ""
    wh_per_request: float = unit("Wh", required=True)
    wh_per_request_low: float | None = unit("Wh")
    wh_per_request_high: float | None = unit("Wh")
    #: what the figure includes: ``it`` (the servers alone: the PUE is added) or ``facility`` (the data
    #: centre's overhead already in it: no PUE is added)
    boundary: str = choice("it", "facility")
    year: int = 0
    source: tuple[str, ...] = ()
    status: str = ""
    note: str = ""


#: file stem → row type. The order is the order ``aiceberg data`` lists them.
TABLES: dict[str, type] = {
    "hardware": Hardware,
    "zones": Zone,
    "pue": Pue,
    "network": Network,
    "devices": Device,
    "equivalents": Equivalent,
    "electricity_per_capita": PerCapita,
    "inference": InferenceFigure,
    "sources": Source,
}


@dataclass(frozen=True)
class EngineFactor:
    """A constant of the engine's models (memory power per GB, default lifetime, utilisation…)."""

    id: str
    value: float = field(default=0.0, metadata={"required": True})
    value_low: float | None = None
    value_high: float | None = None
    unit: str = field(default="", metadata={"required": True})
    name_en: str = ""
    name_fr: str = ""
    year: int = 0
    source: tuple[str, ...] = ()
    note: str = ""


TABLES["factors"] = EngineFactor


@dataclass(frozen=True)
class ElectricityMix:
    """Impacts of a kWh of a zone's electricity beyond its carbon (which ``zones.csv`` holds): primary energy,
    abiotic resource depletion (elements) and the water consumed off site to generate it.

    ``id`` is a ``zones.csv`` country id (ISO 3166-1 alpha-2) or ``WORLD``; a subnational zone or a cloud
    region takes the row of its ``location``. ``*_basis`` is ``zone`` where the zone has its own figure and
    ``world`` where the publisher put the world average in its place (flagged in the output)."""

    id: str
    iso3: str = ""
    pe_mj_per_kwh: float = unit("MJ/kWh", required=True)
    pe_basis: str = choice("zone", "world")
    adpe_kgsbeq_per_kwh: float = unit("kgSbeq/kWh", required=True)
    adpe_basis: str = choice("zone", "world")
    water_l_per_kwh: float = unit("L/kWh", required=True)
    water_basis: str = choice("zone", "world")
    year: int = 0
    source: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class EmbodiedImpacts:
    """A device's manufacturing impacts beyond its GWP (which ``hardware.csv`` / ``devices.csv`` hold):
    primary energy and abiotic resource depletion, per unit, whole life of the cited model. ``table`` and
    ``ref`` name the row they complete; an empty cell is a criterion with no published figure."""

    id: str
    table: str = choice("hardware", "devices")
    ref: str = field(default="", metadata={"required": True})
    pe_mj: float | None = unit("MJ")
    pe_mj_low: float | None = unit("MJ")
    pe_mj_high: float | None = unit("MJ")
    adpe_kgsbeq: float | None = unit("kgSbeq")
    adpe_kgsbeq_low: float | None = unit("kgSbeq")
    adpe_kgsbeq_high: float | None = unit("kgSbeq")
    year: int = 0
    source: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Wue:
    """The water a data centre consumes on site per kWh of IT electricity (water usage effectiveness)."""

    id: str
    name_en: str = ""
    name_fr: str = ""
    wue_l_per_kwh: float = unit("L/kWh", required=True)
    wue_l_per_kwh_low: float | None = unit("L/kWh")
    wue_l_per_kwh_high: float | None = unit("L/kWh")
    year: int = 0
    source: tuple[str, ...] = ()
    note: str = ""


TABLES["electricity_mixes"] = ElectricityMix
TABLES["embodied_impacts"] = EmbodiedImpacts
TABLES["wue"] = Wue
