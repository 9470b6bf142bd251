"""The multi-criteria data: each row completes a row that exists, and the generator rebuilds the files."""

import csv
import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiceberg import refdata

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "aiceberg" / "refdata" / "data"


def test_every_mix_is_a_zone_and_the_world_is_there():
    zones = {z.id for z in refdata.load_table("zones")}
    mixes = refdata.load_table("electricity_mixes")
    assert {m.id for m in mixes} <= zones
    world = refdata.find("electricity_mixes", "WORLD")
    assert (world.pe_basis, world.adpe_basis, world.water_basis) == ("zone", "zone", "zone")
    # a country flagged 'world' carries the world's own figure, as its publisher did
    for m in mixes:
        for c, col in (("pe", "pe_mj_per_kwh"), ("adpe", "adpe_kgsbeq_per_kwh"), ("water", "water_l_per_kwh")):
            if getattr(m, c + "_basis") == "world":
                assert getattr(m, col) == getattr(world, col), (m.id, c)


def test_every_embodied_row_completes_a_row_that_has_a_gwp():
    for row in refdata.load_table("embodied_impacts"):
        target = refdata.find(row.table, row.ref)
        assert target is not None and target.id == row.ref, row.id
        assert target.embodied_kgco2e is not None, row.id
        assert row.id == f"{row.table}:{row.ref}"


def test_every_operator_wue_names_a_pue_operator():
    pue = {p.id for p in refdata.load_table("pue")}
    assert {w.id for w in refdata.load_table("wue")} - {"unknown"} <= pue


@pytest.mark.skipif(not os.environ.get("AICEBERG_WHEELS"),
                    reason="set AICEBERG_WHEELS to a folder with the ecologits 0.11.3 and boaviztapi 2.5.0 wheels "
                           "(pip download --no-deps ecologits==0.11.3 boaviztapi==2.5.0 -d DIR) to rebuild the files")
def test_the_generator_rebuilds_the_files(tmp_path):
    wheels = Path(os.environ["AICEBERG_WHEELS"])
    assert glob.glob(str(wheels / "ecologits-0.11.3-*.whl"))
    for name in ("zones.csv", "hardware.csv"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    subprocess.run([sys.executable, str(ROOT / "tools/refdata/build_impacts.py"), "--wheels", str(wheels), "--out",
                    str(tmp_path)], check=True, capture_output=True)
    for name in ("electricity_mixes.csv", "embodied_impacts.csv"):
        with open(tmp_path / name, encoding="utf-8") as a, open(DATA / name, encoding="utf-8") as b:
            assert list(csv.reader(a)) == list(csv.reader(b)), name
