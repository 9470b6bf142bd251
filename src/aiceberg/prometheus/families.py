"""What a fleet's exporters publish, and what aiceberg makes of it: node, device, domain, unit, overlaps.

| exporter | metric | kind | unit → aiceberg |
|---|---|---|---|
| NVIDIA DCGM exporter | ``DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION`` | counter since boot | mJ → J |
| NVIDIA DCGM exporter | ``DCGM_FI_DEV_POWER_USAGE`` (only for a GPU without the counter) | gauge | W, integrated |
| Kepler ≥ 0.10 | ``kepler_node_cpu_joules_total{zone}`` | counter | J |
| Kepler < 0.10 | ``kepler_node_{package,core,uncore,dram,platform,other,gpu}_joules_total`` | counter | J |
| Scaphandre | ``scaph_host_power_microwatts`` | gauge | µW → W, integrated |

Node-level series only: a container's, pod's or process's series are shares of its node's, and adding
them would count the node twice. Within a node no joule is counted twice either: a RAPL ``core`` or
``uncore`` zone is inside its package, a package, DRAM or ``other`` inside ``psys``/``platform``;
across exporters, Kepler's CPU side wins over Scaphandre's host figure and DCGM wins over Kepler's GPU
figure. A channel left out that way stays in the run (its samples, "not counted") and a warning says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from aiceberg.i18n import Msg
from aiceberg.prometheus.api import Series

__all__ = ["GROUP_LABELS", "QUERIES", "ImportedChannel", "node_channels", "node_of"]

#: The label that names a series' node, in order of preference (``--group-by`` chooses another).
GROUP_LABELS = ("Hostname", "node_name", "node", "kubernetes_node", "instance")

DCGM_ENERGY = "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION"
DCGM_POWER = "DCGM_FI_DEV_POWER_USAGE"
SCAPH_HOST = "scaph_host_power_microwatts"
KEPLER_NEW = "kepler_node_cpu_joules_total"
#: parts of ``kepler_node_cpu_joules_total`` (active + idle): never added to it
KEPLER_PARTS = ("kepler_node_cpu_active_joules_total", "kepler_node_cpu_idle_joules_total")
_KEPLER_OLD = re.compile(r"kepler_node_(package|core|uncore|dram|platform|other|gpu)_joules_total")

#: (family, PromQL with ``{sel}`` for the label matchers, or ``{csel}`` for them after a comma)
QUERIES: tuple[tuple[str, str], ...] = (
    ("dcgm", DCGM_ENERGY + "{{{sel}}}"),
    ("dcgm", DCGM_POWER + "{{{sel}}}"),
    ("kepler", '{{__name__=~"kepler_node_.+_joules_total"{csel}}}'),
    ("scaphandre", SCAPH_HOST + "{{{sel}}}"),
)

#: role of a zone → aiceberg's domain
_DOMAIN = {"package": "cpu", "core": "cpu", "uncore": "cpu", "dram": "dram", "psys": "psys", "other": "system",
           "gpu": "gpu", "host": "system"}
_CPU_SIDE = ("package", "core", "uncore", "dram", "psys", "other")


@dataclass
class ImportedChannel:
    """One device of one node, from one exporter: its points (unix seconds → J or W) and what it is."""

    id: str
    family: str
    metric: str
    node: str
    role: str  # package, core, uncore, dram, psys, other, gpu, host
    kind: str  # counter (cumulative J) or power (W)
    label: str
    points: dict[float, float] = field(default_factory=dict)
    gpu_model: str | None = None
    device_index: int | None = None
    included_in: str | None = None

    @property
    def domain(self) -> str:
        return _DOMAIN[self.role]


def node_of(labels: dict[str, str], group_by: str | None = None) -> str:
    """The node a series belongs to: ``group_by``'s value, else the first of :data:`GROUP_LABELS` it has
    (an ``instance``'s port removed, so that two exporters on one host make one node)."""
    for name in (group_by,) if group_by else GROUP_LABELS:
        value = labels.get(name, "").strip()
        if value:
            if name == "instance":
                value = re.sub(r":[0-9]+$", "", value).strip("[]")
            return value
    return "unknown"


def _scaled(points: dict[float, float], scale: float) -> dict[float, float]:
    return {t: v * scale for t, v in points.items()} if scale != 1.0 else dict(points)


def _add(out: dict[tuple[str, str], ImportedChannel], ch: ImportedChannel, points: dict[float, float]) -> None:
    """Merge a series into its channel (one GPU seen under several pods' labels is one device)."""
    found = out.setdefault((ch.node, ch.id), ch)
    for t, v in points.items():
        found.points.setdefault(t, v)


def _dcgm(series: Series, node: str) -> ImportedChannel:
    lab = series.labels
    gpu = lab.get("gpu") or lab.get("UUID") or lab.get("device") or "0"
    model = lab.get("modelName") or None
    energy = series.name == DCGM_ENERGY
    return ImportedChannel(f"dcgm:gpu-{gpu}", "dcgm", series.name, node, "gpu", "counter" if energy else "power",
                           f"GPU {gpu}: {model or 'GPU'} ({'energy' if energy else 'power'})", gpu_model=model,
                           device_index=int(gpu) if gpu.isdigit() else None)


def _kepler_role(series: Series) -> tuple[str, str] | None:
    """(role, id suffix) of a Kepler node series, or None when it is not one aiceberg adds."""
    name = series.name
    if name == KEPLER_NEW:
        zone = series.labels.get("zone", "package").lower()
        role = next((r for r in ("package", "uncore", "core", "dram", "psys") if zone.startswith(r)), None)
        if zone == "platform":
            role = "psys"
        return None if role is None else (role, zone)
    m = _KEPLER_OLD.fullmatch(name)
    if m is None:
        return None
    role = {"platform": "psys"}.get(m.group(1), m.group(1))
    mode = series.labels.get("mode")
    return role, m.group(1) + (f":{mode}" if mode else "")


def node_channels(
    found: Iterable[tuple[str, Series]], group_by: str | None = None
) -> tuple[dict[str, list[ImportedChannel]], list[Msg]]:
    """The channels of each node from the series of every query (``(family, series)``), with the
    overlaps decided, and the warnings about what was left out."""
    energy: dict[tuple[str, str], ImportedChannel] = {}
    power: dict[tuple[str, str], ImportedChannel] = {}
    others: dict[tuple[str, str], ImportedChannel] = {}
    skipped: set[str] = set()
    found = list(found)
    paths: dict[tuple[str, str], set[str]] = {}  # (node, Kepler zone) → the RAPL paths it comes from
    for family, series in found:
        if family == "kepler" and (role := _kepler_role(series)) is not None:
            key = (node_of(series.labels, group_by), role[1])
            paths.setdefault(key, set()).add(series.labels.get("path", ""))
    for family, series in found:
        node = node_of(series.labels, group_by)
        if family == "dcgm":
            ch = _dcgm(series, node)
            scale = 0.001 if ch.kind == "counter" else 1.0  # the counter is in mJ
            _add(energy if ch.kind == "counter" else power, ch, _scaled(series.points, scale))
        elif family == "scaphandre":
            ch = ImportedChannel("scaphandre:host", "scaphandre", SCAPH_HOST, node, "host", "power",
                                 "host (Scaphandre)")
            _add(others, ch, _scaled(series.points, 1e-6))  # µW
        else:
            role = _kepler_role(series)
            if role is None:
                if series.name not in KEPLER_PARTS:
                    skipped.add(series.name)
                continue
            name = role[1]
            if len(paths[(node, name)]) > 1:  # one zone per socket: each its own device
                name += "@" + series.labels.get("path", "").rstrip("/").rsplit("/", 1)[-1]
            ch = ImportedChannel(f"kepler:{name}", "kepler", series.name, node, role[0], "counter", f"Kepler {name}")
            _add(others, ch, dict(series.points))
    by_node: dict[str, list[ImportedChannel]] = {}
    for key, ch in [*energy.items(), *power.items(), *others.items()]:
        if ch.kind == "power" and ch.family == "dcgm" and key in energy:
            continue  # the GPU's energy counter wins over its power gauge
        by_node.setdefault(ch.node, []).append(ch)
    warnings: list[Msg] = [Msg("prometheus.import.not_imported", metric=name) for name in sorted(skipped)]
    for node, chans in sorted(by_node.items()):
        warnings += _overlaps(node, chans)
    return dict(sorted(by_node.items())), warnings


def _first(chans: Sequence[ImportedChannel], *roles: str, family: str | None = None) -> ImportedChannel | None:
    return next((c for c in chans if c.role in roles and (family is None or c.family == family)), None)


def _overlaps(node: str, chans: list[ImportedChannel]) -> list[Msg]:
    """Mark the channels whose energy another channel of the node already counts."""
    warnings: list[Msg] = []
    psys = _first(chans, "psys", family="kepler")
    package = _first(chans, "package", family="kepler")
    for c in chans:
        if c.family != "kepler":
            continue
        if psys is not None and c.role in _CPU_SIDE and c.role != "psys":  # psys's modes (dynamic, idle) all count
            c.included_in = psys.id
        elif c.role in ("core", "uncore") and package is not None:
            c.included_in = package.id
    kepler_cpu = next((c for c in chans if c.family == "kepler" and c.role in _CPU_SIDE and c.included_in is None),
                      None)
    dcgm = _first(chans, "gpu", family="dcgm")
    for c in chans:
        if c.family == "scaphandre" and kepler_cpu is not None:
            c.included_in = kepler_cpu.id
            warnings.append(Msg("prometheus.import.overlap", node=node, left=c.id, kept=kepler_cpu.id))
        elif c.family == "kepler" and c.role == "gpu" and dcgm is not None:
            c.included_in = dcgm.id
            warnings.append(Msg("prometheus.import.overlap", node=node, left=c.id, kept=dcgm.id))
    return warnings
