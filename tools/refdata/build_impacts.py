#!/usr/bin/env python3
"""Regenerate electricity_mixes.csv and embodied_impacts.csv from the published wheels.

Inputs (wheels are zip files; fetch them with
``pip download --no-deps ecologits==0.11.3 boaviztapi==2.5.0 -d WHEELS``):

* ecologits: ``ecologits/data/electricity_mixes.json`` — per zone (ISO 3166-1 alpha-3, ``WOR`` for the world)
  the primary energy (``pe``, MJ/kWh) and abiotic depletion (``adpe``, kgSbeq/kWh) of ADEME Base Empreinte and
  the water consumed to generate a kWh (``wue``, L/kWh, World Resources Institute method); ``warnings`` flag the
  criteria where the world value stands in. Its ``gwp`` is not taken: ``zones.csv`` holds the carbon intensity.
* boaviztapi: ``boaviztapi/data/factors.yml`` — the GPU rows' primary energy and abiotic depletion by the
  same bottom-up model, on the same inputs, as their GWP in ``hardware.csv`` (``tools/refdata/gpu_embodied.py``,
  whose functions are reused here, with BoaviztAPI's ``pe`` and ``adp`` factors in place of ``gwp``; BoaviztAPI's
  ``adp``, in kgSbeq, is the abiotic depletion of elements that EcoLogits also takes from it). The run checks
  that the ``gwp`` factors give back ``hardware.csv``'s GWP, so the three criteria describe one computation.
* ecologits: the constants of ``ecologits/impacts/llm.py`` (read as text, never imported) — its per-GPU
  primary energy and abiotic depletion become the other end of the H100 rows' ranges (as its GWP is in
  ``hardware.csv``), and its GPU server without GPUs (BoaviztAPI's AWS p5.48xlarge) completes
  ``default-server``.
* boaviztapi: ``boaviztapi/data/crowdsourcing/ademe_base_impacts_negaoctet.csv`` — the ADEME / NegaOctet
  device table (ADPe in kgSbeq per device; its GWP column is the one ``devices.csv`` already carries). It has
  no primary-energy column (ADPf, fossil resource use, is a different indicator), so PE stays empty.

Zones are matched on the ``iso3`` column of ``zones.csv`` (the committed data file).

Usage: python tools/refdata/build_impacts.py --wheels WHEELS [--out src/aiceberg/refdata/data]
"""

from __future__ import annotations

import argparse
import ast
import csv
import glob
import io
import json
import sys
import zipfile
from pathlib import Path

MIX_COLUMNS = ["id", "iso3", "pe_mj_per_kwh", "pe_basis", "adpe_kgsbeq_per_kwh", "adpe_basis", "water_l_per_kwh",
               "water_basis", "year", "source", "note"]
EMBODIED_COLUMNS = ["id", "table", "ref", "pe_mj", "pe_mj_low", "pe_mj_high", "adpe_kgsbeq", "adpe_kgsbeq_low",
                    "adpe_kgsbeq_high", "year", "source", "note"]

#: ``hardware.csv`` rows whose range keeps EcoLogits' per-GPU figure (an H100-class board) beside the model's.
ECOLOGITS_GPU_ROWS = ("nvidia-h100-sxm5-80gb", "nvidia-h100-pcie-80gb", "nvidia-h100-nvl-94gb")
#: ``devices.csv`` id → (ADEME/NegaOctet category, type) for the central value, and the high end where a second
#: type of the same device exists (a professional laptop, desktop or television).
DEVICE_ROWS = {
    "smartphone": (("Smartphone", ""), None),
    "tablet": (("Tablet", ""), None),
    "laptop": (("Laptop", "perso"), ("Laptop", "pro")),
    "desktop": (("Desktop", "perso"), ("Desktop", "pro")),
    "monitor": (("Monitor", ""), None),
    "tv": (("Television", "perso"), ("Television", "pro")),
    "box": (("Box", ""), None),
}
MIX_YEAR = 2025  # the release that publishes them (EcoLogits 0.11.3); the package states no data year
MIX_SOURCES = "ademe-base-empreinte;wri-water-electricity-2020;ecologits-0.11"


def wheel(wheels: Path, name: str) -> zipfile.ZipFile:
    found = sorted(glob.glob(str(wheels / f"{name}-*.whl")))
    if not found:
        sys.exit(f"no {name} wheel in {wheels}")
    return zipfile.ZipFile(found[-1])


def fmt(x: float) -> str:
    return repr(float(x)) if x else "0"


def module_constants(source: str) -> dict[str, float]:
    """The module-level ``NAME = number`` assignments of a Python source, without running it."""
    out: dict[str, float] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if isinstance(value, (int, float)):
                out[node.targets[0].id] = float(value)
    return out


def zones_by_iso3(data: Path) -> dict[str, str]:
    with open(data / "zones.csv", encoding="utf-8") as fh:
        return {r["iso3"]: r["id"] for r in csv.DictReader(fh) if r["kind"] == "country" and r["iso3"]}


def mix_rows(eco: zipfile.ZipFile, iso3_to_zone: dict[str, str]) -> list[dict[str, str]]:
    mixes = json.loads(eco.read("ecologits/data/electricity_mixes.json"))["electricity_mixes"]
    rows = []
    for m in mixes:
        zone = "WORLD" if m["name"] == "WOR" else iso3_to_zone.get(m["name"])
        if zone is None:
            continue  # a region with no zone of its own in zones.csv (EEE: the European Economic Area)
        flags = set(m.get("warnings") or ())
        world = [c for c in ("pe", "adpe", "wue") if f"electricity-mix-{c}-world" in flags]
        note = "EcoLogits 0.11.3 electricity_mixes.json"
        if world:
            names = {"pe": "primary energy", "adpe": "abiotic depletion", "wue": "water"}
            note += "; the world average stands in for " + ", ".join(names[c] for c in world)
        rows.append({
            "id": zone, "iso3": "WOR" if zone == "WORLD" else m["name"],
            "pe_mj_per_kwh": fmt(m["pe"]), "pe_basis": "world" if "pe" in world else "zone",
            "adpe_kgsbeq_per_kwh": fmt(m["adpe"]), "adpe_basis": "world" if "adpe" in world else "zone",
            "water_l_per_kwh": fmt(m["wue"]), "water_basis": "world" if "wue" in world else "zone",
            "year": str(MIX_YEAR), "source": MIX_SOURCES, "note": note,
        })
    rows.sort(key=lambda r: (r["id"] != "WORLD", r["id"]))
    return rows


def gpu_impacts(wheels: Path) -> list[tuple[str, dict[str, float], str]]:
    """Per GPU row of ``hardware.csv``: gwp, pe and adp of BoaviztAPI 2.5.0's bottom-up model, and its inputs."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import gpu_embodied as G  # the GWP's own script: the same inputs and formula for every criterion

    factors, specs, default = G.read_wheel(str(wheels))

    def impact(c: dict[str, float], criterion: str) -> float:
        def f(component: str, phase: str) -> float:
            return float(factors[component][phase][criterion]["impact"])

        memory = G.effective_area(c["memory_gb"] * G.VRAM_MM2_PER_GB / c["memory_dies"]) * c["memory_dies"]
        distribution = c["mass_kg"] * (f("transport_boat", "distribution") * c["boat_km"]
                                       + f("transport_truck", "distribution") * c["truck_km"]
                                       + f("transport_plane", "distribution") * c["plane_km"])
        return (f("casing", "manufacture") * c["casing_kg"] + f("heatsink", "manufacture") * c["heatsink_kg"]
                + f("pwb", "manufacture") * c["pwb_cm2"] + f("gpu", "manufacture") * c["die_effective_mm2"]
                + f("vram", "manufacture") * memory + f("upstream_transport", "manufacture") * c["mass_kg"]
                + distribution + f("end_of_life", "eol") * c["mass_kg"])

    cards = [(hid, G.card_inputs(specs[name], default), f"BoaviztAPI gpu_specs '{name}'")
             for hid, name in G.FROM_BOAVIZTA.items()]
    cards.append(("default-gpu", G.card_inputs({"die_surface": G.effective_area(float(default["gpu_surface"])),
                                                "vram": default["vram"], "number": default["vram_dies"]}, default),
                  "BoaviztAPI archetype DEFAULT 'Large GPU'"))
    for hid, spec in G.OWN_INPUTS.items():
        c = G.card_inputs(specs[spec["board_from"]], default)
        if "die_from" in spec:
            donor = G.card_inputs(specs[spec["die_from"]], default)
            for key in ("die_effective_mm2", "memory_gb", "memory_dies"):
                c[key] = donor[key]
        else:
            c["die_effective_mm2"] = G.effective_area(spec["die_mm2"]) * spec["dies"]
            c["memory_gb"], c["memory_dies"] = spec["memory_gb"], spec["memory_dies"]
        cards.append((hid, c, "inputs of tools/refdata/gpu_embodied.py (sourced there)"))
    return [(hid, {k: impact(c, k) for k in ("gwp", "pe", "adp")}, why) for hid, c, why in cards]


def embodied_rows(eco: zipfile.ZipFile, boavizta: zipfile.ZipFile, wheels: Path, data: Path) -> list[dict[str, str]]:
    k = module_constants(eco.read("ecologits/impacts/llm.py").decode("utf-8"))
    with open(data / "hardware.csv", encoding="utf-8") as fh:
        gwp_of = {r["id"]: r["embodied_kgco2e"] for r in csv.DictReader(fh)}
    rows = []
    for ref, v, why in gpu_impacts(wheels):
        if abs(float(gwp_of[ref]) - round(v["gwp"], 1)) > 0.051:
            sys.exit(f"{ref}: the bottom-up GWP {v['gwp']:.1f} is not hardware.csv's {gwp_of[ref]}: rerun "
                     "tools/refdata/gpu_embodied.py --check first")
        pe, adpe = round(v["pe"], 1), float(f"{v['adp']:.4g}")
        pe_range = adpe_range = None
        note = (f"BoaviztAPI 2.5.0 bottom-up GPU model, pe and adp factors, on the inputs of this row's GWP "
                f"({v['gwp']:.1f} kg; {why})")
        source = "boavizta-api-2.5"
        if ref in ECOLOGITS_GPU_ROWS:
            pe_e, adpe_e = k["GPU_EMBODIED_IMPACT_PE"], k["GPU_EMBODIED_IMPACT_ADPE"]
            pe_range = (min(pe_e, pe), max(pe_e, pe))
            adpe_range = (min(adpe_e, adpe), max(adpe_e, adpe))
            note += (f"; range: EcoLogits 0.11.3's per-GPU figures ({pe_e:g} MJ, {adpe_e:g} kgSbeq, with its "
                     "273-kg GWP)")
            source += ";ecologits-0.11"
        rows.append(_row(f"hardware:{ref}", "hardware", ref, pe, pe_range, adpe, adpe_range, 2025, source, note))
    rows.append(_row("hardware:default-server", "hardware", "default-server", k["SERVER_EMBODIED_IMPACT_PE"], None,
                     k["SERVER_EMBODIED_IMPACT_ADPE"], None, 2025, "ecologits-0.11;boavizta-api-2.5",
                     "EcoLogits 0.11.3 SERVER_EMBODIED_IMPACT_PE and _ADPE: BoaviztAPI's AWS p5.48xlarge without its "
                     "GPUs, whose GWP (5,700 kg) is this row's high end; its central GWP is BLOOM's 2,500 kg, so "
                     "these lean high"))
    table = list(csv.DictReader(io.StringIO(
        boavizta.read("boaviztapi/data/crowdsourcing/ademe_base_impacts_negaoctet.csv").decode("utf-8"))))

    def adpe(category: str, kind: str) -> float:
        hit = next(r for r in table if r["Category"] == category and r["type"] == kind)
        return float(hit["ADPe"].replace(",", "."))

    for ref, (central, high) in DEVICE_ROWS.items():
        c = adpe(*central)
        h = adpe(*high) if high else None
        note = f"ADEME Base Empreinte / NegaOctet, as shipped in BoaviztAPI 2.5.0 ({' '.join(central).strip()})"
        if h is not None and high is not None:
            note += f"; range = the {central[1]} and {high[1]} figures"
        rows.append(_row(f"devices:{ref}", "devices", ref, None, None, c, (min(c, h), max(c, h)) if h else None, 2022,
                         "ademe-negaoctet;boavizta-api-2.5", note + "; no primary-energy figure in this table"))
    return rows


def _row(rid: str, table: str, ref: str, pe: float | None, pe_range: tuple[float, float] | None, adpe: float,
         adpe_range: tuple[float, float] | None, year: int, source: str, note: str) -> dict[str, str]:
    def cell(x: float | None) -> str:
        return "" if x is None else fmt(x)

    return {"id": rid, "table": table, "ref": ref, "pe_mj": cell(pe),
            "pe_mj_low": cell(pe_range[0]) if pe_range else "", "pe_mj_high": cell(pe_range[1]) if pe_range else "",
            "adpe_kgsbeq": cell(adpe), "adpe_kgsbeq_low": cell(adpe_range[0]) if adpe_range else "",
            "adpe_kgsbeq_high": cell(adpe_range[1]) if adpe_range else "", "year": str(year), "source": source,
            "note": note}


def write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheels", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("src/aiceberg/refdata/data"))
    args = ap.parse_args()
    eco, boavizta = wheel(args.wheels, "ecologits"), wheel(args.wheels, "boaviztapi")
    mixes = mix_rows(eco, zones_by_iso3(args.out))
    write(args.out / "electricity_mixes.csv", MIX_COLUMNS, mixes)
    embodied = embodied_rows(eco, boavizta, args.wheels, args.out)
    write(args.out / "embodied_impacts.csv", EMBODIED_COLUMNS, embodied)
    print(f"{len(mixes)} electricity mixes, {len(embodied)} embodied rows written to {args.out}")


if __name__ == "__main__":
    main()
