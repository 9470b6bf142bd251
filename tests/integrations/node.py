"""A fake node whose energy the tests decide: a powercap tree (one package and its DRAM) that a test
advances by known amounts per training step, and the temporary store the tracked runs go to."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aiceberg.store import open_store
from fakes.powercap import FakePowercap, server

UJ_PER_KWH = 3_600_000_000_000  # 1 kWh = 3.6 MJ = 3.6e12 µJ
#: What each training step of epoch 1, 2, 3… draws, in µJ: the package (0.5 Wh, 1 Wh, 1.5 Wh) and DRAM (0.1 Wh).
PACKAGE_UJ = (1_800_000_000, 3_600_000_000, 5_400_000_000)
DRAM_UJ = 360_000_000


class FakeNode:
    LAUNCHER_VARS = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "SLURM_PROCID", "SLURM_LOCALID",
                     "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_LOCAL_RANK", "PMI_RANK", "PMIX_RANK")

    def __init__(self, root: Path, *, create: bool = True) -> None:
        """A new node under ``root``, or (``create=False``, in a child process) the one already there."""
        self.root = Path(root)
        self.powercap = server(self.root / "powercap", sockets=1, dram=True) if create else FakePowercap(
            self.root / "powercap")
        self.db = self.root / "runs.db"

    @classmethod
    def from_env(cls) -> FakeNode:
        """The node a parent test made, in a child process (its environment from :func:`subprocess_env`)."""
        return cls(Path(os.environ["AICEBERG_FAKE_NODE"]), create=False)

    def env(self) -> dict[str, str]:
        return {
            "AICEBERG_POWERCAP_ROOT": str(self.root / "powercap"),
            "AICEBERG_DB": str(self.db),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_DATA_HOME": str(self.root / "data"),
            "AICEBERG_FAKE_NODE": str(self.root),
        }

    def step(self, epoch_index: int) -> None:
        """One training step of epoch ``epoch_index`` (from 0) draws its known energy."""
        self.powercap.advance("intel-rapl:0", PACKAGE_UJ[epoch_index])
        self.powercap.advance("intel-rapl:0:1", DRAM_UJ)

    @staticmethod
    def expected_kwh(epoch_index: int, steps: int) -> float:
        """What ``steps`` steps of epoch ``epoch_index`` drew, in kWh: the fake counters' advance."""
        return steps * (PACKAGE_UJ[epoch_index] + DRAM_UJ) / UJ_PER_KWH

    def runs(self) -> list[Any]:
        if not self.db.exists():
            return []
        store = open_store(str(self.db))
        try:
            return store.list_runs()
        finally:
            store.close()

    def phases(self, run_id: str) -> list[Any]:
        store = open_store(str(self.db))
        try:
            return store.phases(run_id)
        finally:
            store.close()


def subprocess_env(node: FakeNode, **extra: str) -> dict[str, str]:
    """The environment of a child process on this node: the source tree importable, the fake node's paths."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICEBERG_") and k not in node.LAUNCHER_VARS}
    here = Path(__file__).parent
    src = here.parents[1] / "src"
    env["PYTHONPATH"] = os.pathsep.join([str(src), str(here), str(here.parents[0]),
                                         *filter(None, [os.environ.get("PYTHONPATH")])])
    env.update(node.env())
    env.update(extra)
    return env
