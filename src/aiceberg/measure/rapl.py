"""RAPL energy counters through the Linux powercap sysfs interface.

Layout (``/sys/class/powercap``, or ``$AICEBERG_POWERCAP_ROOT``)::

    intel-rapl:0        name=package-0   socket 0 (Intel, and AMD Zen since Linux 5.8)
    intel-rapl:0:0      name=core        inside package-0
    intel-rapl:0:1      name=uncore      inside package-0 (integrated graphics on client chips)
    intel-rapl:0:2      name=dram        beside package-0: *not* included in it
    intel-rapl:1        name=package-1   socket 1 — or name=psys (the whole platform) on laptops
    intel-rapl-mmio:0   name=package-0   the same package through MMIO: skipped, it would count twice

Each zone has ``energy_uj`` (a counter in microjoules that wraps at ``max_energy_range_uj``).
Nesting is recorded in ``Channel.included_in`` so that sums never count a joule twice: ``core`` and
``uncore`` are included in their package; packages and ``dram`` are included in ``psys`` when a psys
zone exists (it covers the whole SoC).

Since Linux 5.10 (CVE-2020-8694, "Platypus"), ``energy_uj`` is readable by root only.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiceberg.errors import SensorUnavailable
from aiceberg.i18n import Msg
from aiceberg.measure.base import Channel, Domain, EnergyReading, Method, Text, joined

__all__ = ["ENV_ROOT", "PERMISSION_FIX", "RaplSensor", "RaplZone", "default_root", "scan_zones"]

ENV_ROOT = "AICEBERG_POWERCAP_ROOT"
DEFAULT_ROOT = "/sys/class/powercap"
_PREFIXES = ("intel-rapl:", "intel-rapl-mmio:")

#: Since Linux 5.10 ``energy_uj`` is readable by root only: how to grant read access (``measure.rapl.permission_fix``).
PERMISSION_FIX = Msg(
    "measure.rapl.permission_fix",
    chmod="sudo chmod o+r /sys/class/powercap/intel-rapl:*/energy_uj /sys/class/powercap/intel-rapl:*:*/energy_uj",
    rule_file="/etc/udev/rules.d/90-aiceberg-rapl.rules",
    rule='SUBSYSTEM=="powercap", ACTION=="add", RUN+="/bin/chmod o+r /sys%p/energy_uj"',
    trigger="sudo udevadm trigger --subsystem-match=powercap",
)

ReadFile = Callable[[str], bytes]


def read_small_file(path: str) -> bytes:
    """Read a small (sysfs/procfs) file in one system call. Raises ``OSError``."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


def default_root(root: str | os.PathLike[str] | None = None) -> str:
    """The powercap folder: ``root``, else ``$AICEBERG_POWERCAP_ROOT``, else ``/sys/class/powercap``."""
    if root is not None:
        return os.fspath(root)
    return os.environ.get(ENV_ROOT) or DEFAULT_ROOT


@dataclass(frozen=True)
class RaplZone:
    """One powercap zone, resolved once when the sensor opens."""

    zone: str  # folder name, e.g. "intel-rapl:0:1"
    name: str  # content of ``name``, e.g. "dram"
    energy_path: str
    max_range_uj: int | None
    parent: str | None  # folder name of the parent zone, for sub-zones
    socket: int | None


def _domain(name: str) -> Domain:
    if name == "dram":
        return "dram"
    if name == "psys":
        return "psys"
    return "cpu"


def _socket(zone: str, name: str) -> int | None:
    if name == "psys":
        return None
    # "package-1" or "package-0-die-1" → 1 / 0; otherwise the top-level index of the folder name.
    if name.startswith("package-"):
        head = name[len("package-") :].split("-", 1)[0]
        if head.isdigit():
            return int(head)
    parts = zone.split(":")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def scan_zones(root: str, read_file: ReadFile = read_small_file) -> list[RaplZone]:
    """List the RAPL zones under ``root`` (no counter is read). Skips MMIO duplicates of MSR zones."""
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        return []
    zones: list[RaplZone] = []
    for entry in entries:
        if not entry.startswith(_PREFIXES):
            continue
        folder = os.path.join(root, entry)
        try:
            name = read_file(os.path.join(folder, "name")).decode(errors="replace").strip()
        except OSError:
            continue
        try:
            max_range: int | None = int(read_file(os.path.join(folder, "max_energy_range_uj")))
        except (OSError, ValueError):
            max_range = None
        parts = entry.split(":")
        parent = ":".join(parts[:2]) if len(parts) > 2 else None
        zones.append(
            RaplZone(
                zone=entry,
                name=name,
                energy_path=os.path.join(folder, "energy_uj"),
                max_range_uj=max_range if max_range and max_range > 0 else None,
                parent=parent,
                socket=_socket(entry, name),
            )
        )
    # An MMIO zone repeats a package that the MSR interface already gives: keep only one.
    msr_names = {(z.name, z.parent is None) for z in zones if not z.zone.startswith("intel-rapl-mmio:")}
    return [
        z
        for z in zones
        if not (z.zone.startswith("intel-rapl-mmio:") and (z.name, z.parent is None) in msr_names)
    ]


class RaplSensor:
    """Every readable RAPL zone of every socket, as cumulative joules since the sensor opened.

    Args:
        root: the powercap folder (default ``$AICEBERG_POWERCAP_ROOT`` or ``/sys/class/powercap``).
        read_file: how a file is read (a seam for tests and for error injection; default one
            ``os.open``/``os.read``/``os.close`` per file).
        clock: monotonic clock in seconds.

    Raises:
        SensorUnavailable: no RAPL zone, or no zone whose counter can be read (with the fix).
    """

    name = "rapl"
    method: Method = "measured"

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        *,
        read_file: ReadFile = read_small_file,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.root = default_root(root)
        self._read_file = read_file
        self._clock = clock
        zones = scan_zones(self.root, read_file)
        if not zones:
            raise SensorUnavailable("rapl", Msg("measure.rapl.no_zone", root=self.root),
                                    Msg("measure.rapl.no_zone_fix", variable=ENV_ROOT))
        self.skipped: dict[str, Text] = {}
        readable: list[tuple[RaplZone, int]] = []
        denied = False
        for zone in zones:
            try:
                readable.append((zone, self._raw(zone)))
            except PermissionError:
                denied = True
                self.skipped[zone.zone] = Msg("measure.rapl.denied")
            except (OSError, ValueError) as exc:
                self.skipped[zone.zone] = Msg("measure.rapl.unreadable", error=exc.__class__.__name__)
        if not readable:
            if denied:
                raise SensorUnavailable("rapl", Msg("measure.rapl.not_readable", zones=len(zones), root=self.root),
                                        PERMISSION_FIX)
            raise SensorUnavailable("rapl", Msg("measure.rapl.none_readable", root=self.root, zones=joined(
                Msg("measure.named", name=k, text=v) for k, v in self.skipped.items())))
        self.zones = [z for z, _ in readable]
        self._channels = self._make_channels(self.zones)
        self._ids = [c.id for c in self._channels]
        self._last_uj = [raw for _, raw in readable]
        self._total_uj = [0] * len(self.zones)

    @staticmethod
    def _make_channels(zones: list[RaplZone]) -> list[Channel]:
        ids: dict[str, str] = {}
        names: set[str] = set()
        for z in zones:
            base = z.name if z.parent is None else None
            if base is None:
                parent_name = next((p.name for p in zones if p.zone == z.parent), z.parent or "")
                base = f"{parent_name}:{z.name}"
            cid = f"rapl:{base}"
            if cid in names:  # two zones with one name (rare multi-die parts): keep them apart
                cid = f"rapl:{z.zone}:{z.name}"
            names.add(cid)
            ids[z.zone] = cid
        psys = next((ids[z.zone] for z in zones if z.name == "psys" and z.parent is None), None)
        zone_names = {z.zone: z.name for z in zones}  # a core's label names its package: "RAPL core (package-0)"
        channels = []
        for z in zones:
            if z.parent is not None and z.name != "dram":
                included = ids.get(z.parent)  # core, uncore: inside their package
            elif z.name != "psys" and psys is not None:
                included = psys  # a package or dram on a platform that has psys
            else:
                included = None
            channels.append(
                Channel(
                    id=ids[z.zone],
                    domain=_domain(z.name),
                    label=f"RAPL {z.name}" + (f" ({zone_names.get(z.parent, z.parent)})" if z.parent else ""),
                    device_index=z.socket,
                    included_in=included,
                )
            )
        return channels

    def _raw(self, zone: RaplZone) -> int:
        return int(self._read_file(zone.energy_path))

    def channels(self) -> list[Channel]:
        return list(self._channels)

    def read(self) -> EnergyReading:
        energy: dict[str, float] = {}
        errors: dict[str, Text] = {}
        for i, zone in enumerate(self.zones):
            try:
                raw = int(self._read_file(zone.energy_path))
            except (OSError, ValueError) as exc:
                errors[self._ids[i]] = f"{zone.energy_path}: {exc.__class__.__name__}: {exc}"
                continue
            delta = raw - self._last_uj[i]
            if delta < 0:
                if zone.max_range_uj is None:
                    # Cannot tell a wrap from a reset: a gap, and a new baseline.
                    self._last_uj[i] = raw
                    errors[self._ids[i]] = Msg("measure.rapl.backwards")
                    continue
                delta += zone.max_range_uj + 1
            self._last_uj[i] = raw
            self._total_uj[i] += delta
            energy[self._ids[i]] = self._total_uj[i] * 1e-6
        return EnergyReading(t_s=self._clock(), energy_j=energy, errors=errors)

    def close(self) -> None:
        """Nothing to release: files are opened per read."""
