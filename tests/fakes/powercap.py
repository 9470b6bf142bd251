"""A fake powercap sysfs tree, shaped like ``/sys/class/powercap``.

Sub-zones live inside their parent folder and are linked from the top level, as in sysfs::

    root/intel-rapl/enabled
    root/intel-rapl:0/{name,energy_uj,max_energy_range_uj}
    root/intel-rapl:0/intel-rapl:0:0/{...}
    root/intel-rapl:0:0 -> intel-rapl:0/intel-rapl:0:0
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: A typical ``max_energy_range_uj`` (Intel server, 2^32 × 61 µJ).
MAX_RANGE_UJ = 262143328850


class FakePowercap:
    """Build and drive a fake powercap tree under ``root``."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        (self.root / "intel-rapl").mkdir(parents=True, exist_ok=True)
        (self.root / "intel-rapl" / "enabled").write_text("1\n")
        self.max_range: dict[str, int | None] = {}

    def path(self, zone: str) -> Path:
        return self.root / zone

    def add_zone(
        self, zone: str, name: str, energy_uj: int = 0, max_range_uj: int | None = MAX_RANGE_UJ
    ) -> Path:
        """Add a zone (``intel-rapl:0``) or a sub-zone (``intel-rapl:0:1``, inside its parent)."""
        parts = zone.split(":")
        if len(parts) > 2:
            parent = ":".join(parts[:2])
            folder = self.root / parent / zone
            folder.mkdir(parents=True)
            os.symlink(os.path.join(parent, zone), self.root / zone)
        else:
            folder = self.root / zone
            folder.mkdir(parents=True)
        (folder / "name").write_text(name + "\n")
        (folder / "energy_uj").write_text(f"{energy_uj}\n")
        if max_range_uj is not None:
            (folder / "max_energy_range_uj").write_text(f"{max_range_uj}\n")
        self.max_range[zone] = max_range_uj
        return folder

    def energy(self, zone: str) -> int:
        return int((self.path(zone) / "energy_uj").read_text())

    def set_energy(self, zone: str, uj: int) -> None:
        (self.path(zone) / "energy_uj").write_text(f"{uj}\n")

    def advance(self, zone: str, uj: int) -> None:
        """Add ``uj`` microjoules to a counter, wrapping at ``max_energy_range_uj`` as the hardware does."""
        value = self.energy(zone) + uj
        top = self.max_range.get(zone)
        if top is not None:
            value %= top + 1
        self.set_energy(zone, value)

    def remove_energy_file(self, zone: str) -> None:
        """The counter disappears (driver unloaded, hot-unplug)."""
        (self.path(zone) / "energy_uj").unlink()

    def make_unreadable(self, zone: str) -> None:
        """Make reading ``energy_uj`` fail even as root: the file becomes a directory (EISDIR)."""
        f = self.path(zone) / "energy_uj"
        if f.is_dir():
            return
        f.unlink()
        f.mkdir()

    def make_readable(self, zone: str, uj: int) -> None:
        f = self.path(zone) / "energy_uj"
        if f.is_dir():
            shutil.rmtree(f)
        self.set_energy(zone, uj)


def server(root: Path | str, sockets: int = 2, dram: bool = True, energy_uj: int = 0) -> FakePowercap:
    """A server: ``package-N`` with ``core``, (``uncore``,) and ``dram`` per socket."""
    pc = FakePowercap(root)
    for s in range(sockets):
        pc.add_zone(f"intel-rapl:{s}", f"package-{s}", energy_uj)
        pc.add_zone(f"intel-rapl:{s}:0", "core", energy_uj)
        if dram:
            pc.add_zone(f"intel-rapl:{s}:1", "dram", energy_uj)
    return pc


def laptop(root: Path | str, energy_uj: int = 0, mmio: bool = True) -> FakePowercap:
    """A laptop: ``package-0`` with ``core`` and ``uncore``, ``psys`` as ``intel-rapl:1``, and the
    MMIO copy of ``package-0`` (``intel-rapl-mmio:0``) that must not be counted twice."""
    pc = FakePowercap(root)
    pc.add_zone("intel-rapl:0", "package-0", energy_uj)
    pc.add_zone("intel-rapl:0:0", "core", energy_uj)
    pc.add_zone("intel-rapl:0:1", "uncore", energy_uj)
    pc.add_zone("intel-rapl:1", "psys", energy_uj)
    if mmio:
        pc.add_zone("intel-rapl-mmio:0", "package-0", energy_uj)
    return pc
