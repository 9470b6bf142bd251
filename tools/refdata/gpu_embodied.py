#!/usr/bin/env python3
"""Recompute the GPU embodied figures of hardware.csv with BoaviztAPI 2.5.0's bottom-up GPU model.

The one method used for every GPU row (see refdata/data/README.md): the manufacturing, transport and
end-of-life GWP of a card is the sum of

* the compute die(s): effective wafer area (die area with kerf, wafer-edge loss and a yield loss that
  grows with the die) × a GWP factor per mm²;
* the memory: capacity × 15.5 mm² per GB, spread over the memory dies, each die's effective area as
  above, × a GWP factor per mm²;
* the printed wiring board (per cm²), the heatsink and the casing (per kg);
* upstream transport, distribution (boat, truck, plane: per km and kg) and end of life (per kg).

The factors and the model's constants (15.5 mm²/GB, 0.2 mm kerf, 300 mm wafers, the yield curve) are
BoaviztAPI 2.5.0's, read from its wheel (``boaviztapi/data/factors.yml``) or quoted from its
``models/component/gpu.py``; the per-card inputs are its ``crowdsourcing/gpu_specs.csv`` entries, or, for
cards it does not list, the inputs below, each with its source. This is an independent implementation
of the published formula (no BoaviztAPI code), checked against the values BoaviztAPI itself returns
(``--check``).

Usage:
    pip download --no-deps boaviztapi==2.5.0 -d WHEELS
    python tools/refdata/gpu_embodied.py --wheels WHEELS            # table: id, inputs, kgCO2e
    python tools/refdata/gpu_embodied.py --wheels WHEELS --check    # compare with hardware.csv
"""

from __future__ import annotations

import argparse
import csv
import glob
import io
import math
import sys
import zipfile
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parents[2] / "src" / "aiceberg" / "refdata" / "data"

# BoaviztAPI 2.5.0, boaviztapi/models/component/gpu.py (constants of the published model)
KERF_MM = 0.2
WAFER_DIAMETER_MM = 300.0
VRAM_MM2_PER_GB = 15.5

#: hardware.csv id -> BoaviztAPI gpu_specs.csv entry (the card's own inputs, as BoaviztAPI completes them)
FROM_BOAVIZTA = {
    "nvidia-v100-pcie-16gb": "NVIDIA Tesla V100 PCIe 16GB",
    "nvidia-v100-pcie-32gb": "NVIDIA Tesla V100 PCIe 32GB",
    "nvidia-v100-sxm2-16gb": "NVIDIA Tesla V100 SXM2 16GB",
    "nvidia-v100-sxm2-32gb": "NVIDIA Tesla V100 SXM2 32GB",
    "nvidia-a100-pcie-40gb": "NVIDIA A100 PCIe 40GB",
    "nvidia-a100-pcie-80gb": "NVIDIA A100 PCIe 80GB",
    "nvidia-a100-sxm4-40gb": "NVIDIA A100 SXM4 40GB",
    "nvidia-a100-sxm4-80gb": "NVIDIA A100 SXM4 80GB",
    "nvidia-h100-sxm5-80gb": "NVIDIA H100 SXM 80GB",
    "nvidia-h100-pcie-80gb": "NVIDIA H100 PCIe 80GB",
    "nvidia-h100-nvl-94gb": "NVIDIA H100 NVL 94GB",
    "nvidia-h200-sxm-141gb": "NVIDIA H200 SXM 141GB",
    "nvidia-b200-180gb": "NVIDIA B200 180GB",
    "nvidia-l4": "NVIDIA L4",
    "nvidia-l40s": "NVIDIA L40S 48GB",
    "nvidia-t4": "NVIDIA T4",
    "nvidia-a10": "NVIDIA A10",
    "nvidia-p100-pcie-16gb": "NVIDIA P100",
    "amd-mi300x": "AMD Instinct MI300X 192GB",
}

#: Cards BoaviztAPI does not list: compute die area (mm², one die), compute dies, memory (GB), memory
#: dies, and the BoaviztAPI entry of the same form factor whose board area, masses and transport are
#: used. Each with the source of its inputs.
OWN_INPUTS = {
    "nvidia-a40": dict(
        die_mm2=628.4, dies=1, memory_gb=48, memory_dies=24, board_from="NVIDIA L40S 48GB",
        why="GA102 die 628.4 mm² (NVIDIA Ampere GA102 whitepaper); 48 GB GDDR6 (datasheet) on 24 dies, "
            "BoaviztAPI's 2 GB per GDDR6 die (its L40S 48GB entry); board of its L40S entry (same dual-slot "
            "passive PCIe card)"),
    "nvidia-rtx-3090": dict(
        die_mm2=628.4, dies=1, memory_gb=24, memory_dies=12, board_from="NVIDIA Titan RTX",
        why="GA102 die 628.4 mm² (NVIDIA Ampere GA102 whitepaper); 24 GB GDDR6X, 2 GB per die as in "
            "BoaviztAPI's GDDR entries; board of its Titan RTX entry (consumer dual-slot card)"),
    "nvidia-rtx-4090": dict(
        die_mm2=608.5, dies=1, memory_gb=24, memory_dies=12, board_from="NVIDIA Titan RTX",
        why="AD102 die 608.5 mm² (NVIDIA Ada GPU architecture whitepaper); 24 GB GDDR6X, 2 GB per die as in "
            "BoaviztAPI's GDDR entries; board of its Titan RTX entry (consumer card)"),
    "nvidia-p100-sxm2-16gb": dict(
        die_from="NVIDIA P100", board_from="NVIDIA Tesla V100 SXM2 16GB",
        why="die and 16 GB HBM2 of BoaviztAPI's P100 entry; board of its V100 SXM2 16GB entry (same SXM2 module)"),
    "amd-mi210": dict(
        die_mm2=790.0, dies=1, memory_gb=64, memory_dies=4, board_from="NVIDIA A100 PCIe 80GB",
        why="one CDNA 2 graphics compute die, about 790 mm² (Tom's Hardware's estimate from photographs; AMD "
            "publishes no die area); 64 GB HBM2e on a 4096-bit interface (AMD specifications), i.e. four "
            "stacks; board of BoaviztAPI's A100 PCIe 80GB entry (dual-slot HBM PCIe card)"),
    "amd-mi250x": dict(
        die_mm2=790.0, dies=2, memory_gb=128, memory_dies=8, board_from="AMD Instinct MI300X 192GB",
        why="two CDNA 2 graphics compute dies of about 790 mm² each (Tom's Hardware's estimate; AMD publishes "
            "no die area); 128 GB HBM2e (AMD specifications), 64 GB per die on a 4096-bit interface (Tom's "
            "Hardware), i.e. eight stacks; board of BoaviztAPI's MI300X entry (same OAM module)"),
}


def effective_area(die_mm2: float) -> float:
    """Wafer area one good die costs (BoaviztAPI 2.5.0's circular-wafer model), mm²."""
    side = math.sqrt(die_mm2) + KERF_MM
    area = side * side
    wafer = math.pi * (WAFER_DIAMETER_MM / 2) ** 2
    per_wafer = wafer / area - math.pi * WAFER_DIAMETER_MM / math.sqrt(2 * area)
    usable = math.exp(-math.sqrt(area / 100 * 0.1))
    return area * (wafer / (per_wafer * area)) / usable


def read_wheel(wheels: str) -> tuple[dict, dict[str, dict], dict]:
    paths = sorted(glob.glob(str(Path(wheels) / "boaviztapi-2.5.0-*.whl")))
    if not paths:
        sys.exit(f"no boaviztapi-2.5.0 wheel in {wheels}: pip download --no-deps boaviztapi==2.5.0 -d {wheels}")
    with zipfile.ZipFile(paths[0]) as z:
        factors = yaml.safe_load(z.read("boaviztapi/data/factors.yml"))["gpu"]
        specs_text = z.read("boaviztapi/data/crowdsourcing/gpu_specs.csv").decode()
        arch_text = z.read("boaviztapi/data/archetypes/components/gpu.csv").decode()
    specs = {r["name"]: r for r in csv.DictReader(io.StringIO(specs_text))}
    default = next(r for r in csv.DictReader(io.StringIO(arch_text)) if r["id"] == "DEFAULT")
    return factors, specs, default


def card_inputs(entry: dict, default: dict) -> dict[str, float]:
    """A gpu_specs.csv entry completed as BoaviztAPI completes it (archetype values for empty cells).

    Its ``die_surface`` is already the effective area; its ``unit`` column is not read by BoaviztAPI.
    """
    def num(key: str, arch_key: str) -> float:
        return float(entry[key]) if entry.get(key) else float(default[arch_key])

    return {
        "die_effective_mm2": float(entry["die_surface"]),
        "memory_gb": float(entry["vram"]),
        "memory_dies": float(entry["number"]),
        "pwb_cm2": num("pwb_surface", "pwb_surface"),
        "casing_kg": num("mass_casing", "casing_weight"),
        "heatsink_kg": num("mass_heatsink", "heatsink_weight"),
        "mass_kg": num("mass", "weight"),
        "boat_km": num("distance_boat", "transport_boat"),
        "truck_km": num("distance_truck", "transport_truck"),
        "plane_km": num("distance_plane", "transport_plane"),
    }


def gwp(factors: dict, c: dict[str, float]) -> float:
    """kgCO2e of one card: BoaviztAPI 2.5.0's gpu_impact_embedded, GWP, whole life."""
    def f(component: str, phase: str) -> float:
        return float(factors[component][phase]["gwp"]["impact"])

    memory_effective = effective_area(c["memory_gb"] * VRAM_MM2_PER_GB / c["memory_dies"]) * c["memory_dies"]
    distribution = c["mass_kg"] * (f("transport_boat", "distribution") * c["boat_km"]
                                   + f("transport_truck", "distribution") * c["truck_km"]
                                   + f("transport_plane", "distribution") * c["plane_km"])
    return (f("casing", "manufacture") * c["casing_kg"] + f("heatsink", "manufacture") * c["heatsink_kg"]
            + f("pwb", "manufacture") * c["pwb_cm2"] + f("gpu", "manufacture") * c["die_effective_mm2"]
            + f("vram", "manufacture") * memory_effective + f("upstream_transport", "manufacture") * c["mass_kg"]
            + distribution + f("end_of_life", "eol") * c["mass_kg"])


def compute(wheels: str) -> list[tuple[str, float, str]]:
    factors, specs, default = read_wheel(wheels)
    out: list[tuple[str, float, str]] = []
    for hid, name in FROM_BOAVIZTA.items():
        out.append((hid, gwp(factors, card_inputs(specs[name], default)), f"BoaviztAPI gpu_specs '{name}'"))
    arch = card_inputs({"die_surface": effective_area(float(default["gpu_surface"])), "vram": default["vram"],
                        "number": default["vram_dies"]}, default)
    out.append(("default-gpu", gwp(factors, arch), "BoaviztAPI archetype DEFAULT 'Large GPU'"))
    for hid, spec in OWN_INPUTS.items():
        c = card_inputs(specs[spec["board_from"]], default)
        if "die_from" in spec:
            donor = card_inputs(specs[spec["die_from"]], default)
            for key in ("die_effective_mm2", "memory_gb", "memory_dies"):
                c[key] = donor[key]
        else:
            c["die_effective_mm2"] = effective_area(spec["die_mm2"]) * spec["dies"]
            c["memory_gb"], c["memory_dies"] = spec["memory_gb"], spec["memory_dies"]
        out.append((hid, gwp(factors, c), spec["why"]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheels", required=True, help="folder holding boaviztapi-2.5.0-*.whl")
    ap.add_argument("--check", action="store_true", help="compare with hardware.csv (to 0.1 kg)")
    args = ap.parse_args()
    rows = compute(args.wheels)
    if not args.check:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["id", "embodied_kgco2e", "inputs"])
        for hid, value, why in rows:
            w.writerow([hid, f"{value:.1f}", why])
        return 0
    table = {r["id"]: r for r in csv.DictReader((DATA / "hardware.csv").open(encoding="utf-8"))}
    bad = 0
    for hid, value, _ in rows:
        have = table[hid]["embodied_kgco2e"]
        ok = have != "" and abs(float(have) - round(value, 1)) < 0.051
        bad += not ok
        print(f"{'ok ' if ok else 'DIFF'} {hid:28s} computed {value:8.1f}  hardware.csv {have or '-'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
