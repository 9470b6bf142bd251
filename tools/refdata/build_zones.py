#!/usr/bin/env python3
"""Regenerate zones.csv and electricity_per_capita.csv from published wheels.

Inputs (wheels are zip files; fetch them with
``pip download --no-deps codecarbon==3.3.2 pycountry==26.2.16 -d WHEELS``):

* codecarbon: ``data/private_infra/global_energy_mix.json`` (Our World in Data / Ember,
  CC BY 4.0), ``data/cloud/impact.csv`` (Google Cloud region carbon data, 2023),
  ``data/private_infra/2023/usa_emissions.json`` (EPA eGRID2023 state rates, lb/MWh).
* pycountry: ISO 3166-1 names and the French translations (gettext domain iso3166-1).

Hand-curated rows (WORLD, France's World Bank per-capita figure, the cloud region
tables of AWS, Azure, OVHcloud and Scaleway) are constants below, each with its source.

Usage: python tools/refdata/build_zones.py --wheels WHEELS [--out src/aiceberg/refdata/data]
"""

from __future__ import annotations

import argparse
import csv
import gettext
import glob
import io
import json
import sys
import tempfile
import zipfile
from pathlib import Path

LB_PER_MWH_TO_G_PER_KWH = 0.45359237  # 1 lb = 453.59237 g; per MWh -> per kWh

ZONE_COLUMNS = [
    "id",
    "kind",
    "name_en",
    "name_fr",
    "iso3",
    "provider",
    "location",
    "intensity_g_per_kwh",
    "intensity_g_per_kwh_low",
    "intensity_g_per_kwh_high",
    "basis",
    "year",
    "source",
    "aliases",
    "note",
]
PERCAP_COLUMNS = ["id", "kwh_per_person_year", "basis", "year", "source", "note"]

# Regions with no ISO 3166-1 entry in OWID's table, or OWID aggregates: skipped.
# Cloud regions without a per-region figure published by the provider:
# (provider, region, ISO-2 country, US state code or "", city)
AWS_REGIONS = [
    ("us-east-1", "US", "VA", "N. Virginia"),
    ("us-east-2", "US", "OH", "Ohio"),
    ("us-west-1", "US", "CA", "N. California"),
    ("us-west-2", "US", "OR", "Oregon"),
    ("ca-central-1", "CA", "", "Montreal"),
    ("sa-east-1", "BR", "", "Sao Paulo"),
    ("eu-west-1", "IE", "", "Ireland"),
    ("eu-west-2", "GB", "", "London"),
    ("eu-west-3", "FR", "", "Paris"),
    ("eu-central-1", "DE", "", "Frankfurt"),
    ("eu-north-1", "SE", "", "Stockholm"),
    ("eu-south-1", "IT", "", "Milan"),
    ("ap-northeast-1", "JP", "", "Tokyo"),
    ("ap-northeast-2", "KR", "", "Seoul"),
    ("ap-southeast-1", "SG", "", "Singapore"),
    ("ap-southeast-2", "AU", "", "Sydney"),
    ("ap-south-1", "IN", "", "Mumbai"),
]
AZURE_REGIONS = [
    ("eastus", "US", "VA", "Virginia"),
    ("eastus2", "US", "VA", "Virginia"),
    ("centralus", "US", "IA", "Iowa"),
    ("westus", "US", "CA", "California"),
    ("westus2", "US", "WA", "Washington"),
    ("canadacentral", "CA", "", "Toronto"),
    ("brazilsouth", "BR", "", "Sao Paulo State"),
    ("northeurope", "IE", "", "Ireland"),
    ("westeurope", "NL", "", "Netherlands"),
    ("francecentral", "FR", "", "Paris"),
    ("germanywestcentral", "DE", "", "Frankfurt"),
    ("uksouth", "GB", "", "London"),
    ("swedencentral", "SE", "", "Gavle and Sandviken"),
    ("switzerlandnorth", "CH", "", "Zurich"),
    ("japaneast", "JP", "", "Tokyo, Saitama"),
    ("southeastasia", "SG", "", "Singapore"),
    ("australiaeast", "AU", "", "New South Wales"),
    ("centralindia", "IN", "", "Pune"),
]
OVH_REGIONS = [
    ("gra", "FR", "", "Gravelines"),
    ("rbx", "FR", "", "Roubaix"),
    ("sbg", "FR", "", "Strasbourg"),
    ("bhs", "CA", "", "Beauharnois (Quebec)"),
    ("waw", "PL", "", "Warsaw (Ozarow Mazowiecki)"),
    ("lon", "GB", "", "London (Erith)"),
    ("de", "DE", "", "Limburg (Frankfurt area)"),
]
SCALEWAY_REGIONS = [
    ("fr-par", "FR", "", "Paris"),
    ("nl-ams", "NL", "", "Amsterdam"),
    ("pl-waw", "PL", "", "Warsaw"),
]
PROVIDER_NAMES = {
    "aws": "AWS",
    "azure": "Microsoft Azure",
    "ovhcloud": "OVHcloud",
    "scaleway": "Scaleway",
    "gcp": "Google Cloud",
}
# Aliases people write for some regions.
EXTRA_ALIASES = {"ovhcloud:de": ["ovhcloud:fra", "ovh:de", "ovh:fra"], "gcp:me-central1": ["gcp:me-cenrtal1"]}

WORLD_ROW = {
    "id": "WORLD",
    "kind": "world",
    "name_en": "World average",
    "name_fr": "Moyenne mondiale",
    "iso3": "",
    "provider": "",
    "location": "",
    "intensity_g_per_kwh": "480",
    "intensity_g_per_kwh_low": "436",
    "intensity_g_per_kwh_high": "486",
    "basis": "lifecycle",
    "year": "2023",
    "source": "ember-ger-2024;ember-ger-2023;iea-ghg-status-2019",
    "aliases": "world;monde;global;WOR;OWID_WRL",
    "note": (
        "Ember Global Electricity Review 2024: 480 gCO2e/kWh in 2023 (lifecycle, down from "
        "486 in 2022 on the same basis). Low 436 = Ember Global Electricity Review 2023 "
        "figure for 2022 (earlier method); IEA 2019 report gave 475 (2018, carried by "
        "CodeCarbon's carbon_intensity_per_source.json); EcoLogits' WOR mix 458. Range = "
        "spread of these published world averages."
    ),
}


def extract(wheels: Path, name: str, tmp: Path) -> Path:
    matches = sorted(glob.glob(str(wheels / f"{name}-*.whl")))
    if not matches:
        sys.exit(f"no {name} wheel in {wheels}: pip download --no-deps {name} -d {wheels}")
    dest = tmp / name
    with zipfile.ZipFile(matches[-1]) as zf:
        zf.extractall(dest)
    return dest


def load_pycountry(root: Path):
    sys.path.insert(0, str(root))
    import pycountry

    fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    return pycountry, fr


def fmt(x: float, nd: int = 1) -> str:
    s = f"{x:.{nd}f}".rstrip("0").rstrip(".")
    return s or "0"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheels", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("src/aiceberg/refdata/data"))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        cc = extract(args.wheels, "codecarbon", tmp) / "codecarbon" / "data"
        pycountry, fr = load_pycountry(extract(args.wheels, "pycountry", tmp))

        mix = json.loads((cc / "private_infra" / "global_energy_mix.json").read_text())
        usa = json.loads((cc / "private_infra" / "2023" / "usa_emissions.json").read_text())
        with open(cc / "cloud" / "impact.csv", encoding="utf-8-sig") as f:
            gcp = [r for r in csv.DictReader(f) if r["provider"] == "gcp"]

        zones: list[dict] = [WORLD_ROW]
        percap: list[dict] = []
        by_iso2: dict[str, dict] = {}
        for iso3, rec in sorted(mix.items()):
            c = pycountry.countries.get(alpha_3=iso3)
            if c is None:
                continue
            name_en = getattr(c, "common_name", None) or c.name
            name_fr = fr.gettext(c.name)
            aliases = [name_en, c.name, name_fr, iso3, rec["country_name"]]
            seen, uniq = set(), []
            for a in aliases:
                if a and a.lower() not in seen and a.lower() != c.alpha_2.lower():
                    seen.add(a.lower())
                    uniq.append(a)
            row = {
                "id": c.alpha_2,
                "kind": "country",
                "name_en": name_en,
                "name_fr": name_fr,
                "iso3": iso3,
                "provider": "",
                "location": c.alpha_2,
                "intensity_g_per_kwh": fmt(rec["carbon_intensity"]),
                "intensity_g_per_kwh_low": "",
                "intensity_g_per_kwh_high": "",
                "basis": "lifecycle",
                "year": str(rec["year"]),
                "source": "owid-ember-energy;codecarbon-data",
                "aliases": ";".join(uniq),
                "note": (
                    f"OWID carbon intensity of electricity generation, {rec['year']} "
                    "(Ember / Energy Institute data), as shipped by CodeCarbon 3.3.2."
                ),
            }
            zones.append(row)
            by_iso2[c.alpha_2] = row
            if rec.get("per_capita_Wh"):
                # OWID's per_capita_electricity is in kWh per person; CodeCarbon names it *_Wh.
                percap.append(
                    {
                        "id": c.alpha_2,
                        "kwh_per_person_year": fmt(rec["per_capita_Wh"], 0),
                        "basis": "generation",
                        "year": str(rec["year"]),
                        "source": "owid-ember-energy;codecarbon-data",
                        "note": (
                            "Electricity generation per person (OWID per_capita_electricity, kWh), "
                            "not consumption; CodeCarbon's key is named per_capita_Wh but the "
                            "values are kWh (France 7,939 = OWID's 7.9 MWh)."
                        ),
                    }
                )
        # France: the talk's figure (World Bank, consumption) replaces OWID generation.
        for r in percap:
            if r["id"] == "FR":
                r.update(
                    {
                        "kwh_per_person_year": "6940",
                        "basis": "consumption",
                        "year": "2014",
                        "source": "worldbank-eg-use-elec-2014;seed-talk-lig-2023",
                        "note": (
                            "World Bank WDI EG.USE.ELEC.KH.PC, France 2014: 6,940 kWh per "
                            "capita (IEA data; series discontinued after 2014); the talk's "
                            "6.94 MWh. OWID generation per capita for 2023: 7,939 kWh."
                        ),
                    }
                )

        # US states from EPA eGRID2023 (combustion basis). A state name that is also a
        # country's name (Georgia) is not used as a bare alias.
        country_names = {a.lower() for r in by_iso2.values() for a in r["aliases"].split(";")}
        state_rows: dict[str, dict] = {}
        meta = usa.get("_source", {})
        for name, rec in sorted(usa.items()):
            if name.startswith("_") or not isinstance(rec, dict) or len(rec.get("regionCode", "")) != 2:
                continue
            code = rec["regionCode"]
            g = rec["emissions"] * LB_PER_MWH_TO_G_PER_KWH
            row = {
                "id": f"US-{code}",
                "kind": "subnational",
                "name_en": name.title(),
                "name_fr": "",
                "iso3": "USA",
                "provider": "",
                "location": "US",
                "intensity_g_per_kwh": fmt(g),
                "intensity_g_per_kwh_low": "",
                "intensity_g_per_kwh_high": "",
                "basis": "combustion",
                "year": str(meta.get("year", 2023)),
                "source": "epa-egrid-2023;codecarbon-data",
                "aliases": ";".join(
                    ([] if name.title().lower() in country_names else [name.title()])
                    + [f"{name.title()}, US", f"{name.title()} (US state)"]
                ),
                "note": (
                    f"EPA eGRID2023 state annual CO2e total output emission rate "
                    f"({meta.get('field', 'STC2ERTA')}) {rec['emissions']} lb/MWh converted to "
                    "g/kWh (x 0.45359237). Stack emissions only: no upstream lifecycle share, "
                    "so not directly comparable with OWID's lifecycle country values."
                ),
            }
            zones.append(row)
            state_rows[code] = row

        # Google Cloud: Google's own 2023 grid carbon intensity per region.
        for r in gcp:
            region = r["region"].strip()
            fixed = region.replace("me-cenrtal1", "me-central1")
            iso2 = pycountry.countries.get(alpha_3=r["countryIsoCode"]).alpha_2
            if r["city"] == "Hong Kong":
                iso2 = "HK"
            note = (
                f"Google Cloud region carbon data, 2023 grid carbon intensity (location-based, "
                f"average lifecycle gross emissions) for {r['city']}; as carried by CodeCarbon "
                "3.3.2 impact.csv (PR #610, values from GoogleCloudPlatform/region-carbon-info "
                "data/yearly/2023.csv)."
            )
            if fixed != region:
                note += " CodeCarbon misspells the region me-cenrtal1."
            if fixed == "us-central1":
                note += (
                    " The BLOOM inference study (Luccioni et al.) used 394 gCO2e/kWh for this region in 2022."
                )
            zones.append(
                {
                    "id": f"gcp:{fixed}",
                    "kind": "cloud",
                    "name_en": f"Google Cloud {fixed} ({r['city']})",
                    "name_fr": f"Google Cloud {fixed} ({r['city']})",
                    "iso3": "",
                    "provider": "gcp",
                    "location": iso2,
                    "intensity_g_per_kwh": r["impact"],
                    "intensity_g_per_kwh_low": "",
                    "intensity_g_per_kwh_high": "",
                    "basis": "lifecycle",
                    "year": "2023",
                    "source": "google-region-carbon-2023;codecarbon-data",
                    "aliases": ";".join(
                        [f"google:{fixed}", f"gcp-{fixed}", *EXTRA_ALIASES.get(f"gcp:{fixed}", [])]
                    ),
                    "note": note,
                }
            )

        for provider, table in (
            ("aws", AWS_REGIONS),
            ("azure", AZURE_REGIONS),
            ("ovhcloud", OVH_REGIONS),
            ("scaleway", SCALEWAY_REGIONS),
        ):
            for region, iso2, state, city in table:
                zid = f"{provider}:{region}"
                base = state_rows.get(state) if state else by_iso2[iso2]
                where = f"US state {state} (EPA eGRID2023)" if state else f"country {iso2} (OWID)"
                aliases = [f"{provider}-{region}", *EXTRA_ALIASES.get(zid, [])]
                if provider == "ovhcloud":
                    aliases.append(f"ovh:{region}")
                zones.append(
                    {
                        "id": zid,
                        "kind": "cloud",
                        "name_en": f"{PROVIDER_NAMES[provider]} {region} ({city})",
                        "name_fr": f"{PROVIDER_NAMES[provider]} {region} ({city})",
                        "iso3": "",
                        "provider": provider,
                        "location": iso2,
                        "intensity_g_per_kwh": base["intensity_g_per_kwh"],
                        "intensity_g_per_kwh_low": "",
                        "intensity_g_per_kwh_high": "",
                        "basis": base["basis"],
                        "year": base["year"],
                        "source": base["source"] + ";" + f"{provider}-regions",
                        "aliases": ";".join(aliases),
                        "note": (
                            (
                                f"Average of the region's location, the {where}: "
                                if state
                                else f"Country average of the region's location, the {where}: "
                            )
                            + f"{PROVIDER_NAMES[provider]} publishes no per-region grid intensity."
                        ),
                    }
                )

    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out / "zones.csv", ZONE_COLUMNS, zones)
    write(args.out / "electricity_per_capita.csv", PERCAP_COLUMNS, percap)
    print(f"zones: {len(zones)} rows; electricity_per_capita: {len(percap)} rows")


def write(path: Path, columns: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    path.write_text(buf.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
