"""``aiceberg data TABLE [SEARCH]``: list and search the reference data, with units and sources."""

from __future__ import annotations

import argparse
import dataclasses

from aiceberg.cli.common import print_json

EXAMPLES = """\
examples:
  aiceberg data hardware h100
  aiceberg data zones france
  aiceberg data pue
  aiceberg data equivalents --json
  aiceberg data sources luccioni
"""

# columns shown in the text table of each file (all columns go to --json)
_SHOWN = {
    "hardware": ("id", "name", "kind", "tdp_w", "idle_w", "memory_gb", "embodied_kgco2e", "year", "source"),
    "zones": ("id", "name_en", "kind", "intensity_g_per_kwh", "basis", "year", "source"),
    "pue": ("id", "name_en", "pue", "pue_low", "pue_high", "year", "source"),
    "network": ("id", "name_en", "kwh_per_gb", "kwh_per_gb_low", "kwh_per_gb_high", "year", "source"),
    "devices": ("id", "name_en", "embodied_kgco2e", "lifetime_years", "use_power_w", "year", "source"),
    "equivalents": ("id", "value", "unit", "label_en", "year", "source"),
    "electricity_per_capita": ("id", "kwh_per_person_year", "basis", "year", "source"),
    "inference": ("id", "name_en", "wh_per_request", "year", "source", "status"),
    "factors": ("id", "value", "unit", "name_en", "year", "source"),
    "sources": ("id", "title", "publisher", "year"),
}


def register(sub: argparse._SubParsersAction) -> None:
    from aiceberg.refdata.schema import TABLES

    p = sub.add_parser("data", help="list and search the reference data (hardware, zones, pue, equivalents…)",
                       description="List and search the sourced reference data. Every row has a unit, "
                       "a year and a source.", epilog=EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("table", choices=list(TABLES), metavar="TABLE", help="one of: " + ", ".join(TABLES))
    p.add_argument("search", nargs="?", help="text to look for in any column (case-insensitive)")
    p.add_argument("--json", action="store_true", help="print the rows as a JSON list")
    p.set_defaults(func=run)


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, tuple):
        return ";".join(v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def run(args: argparse.Namespace) -> int:
    from aiceberg.explain.render import render_table
    from aiceberg.refdata import load_table, normalise

    rows = load_table(args.table)
    if args.search:
        needle = args.search.casefold()
        key = normalise(args.search)
        rows = tuple(r for r in rows if any(
            needle in _cell(v).casefold() or (key and key in normalise(_cell(v)))
            for v in dataclasses.asdict(r).values()))
    if args.json:
        print_json([dataclasses.asdict(r) for r in rows])
        return 0
    if not rows:
        print(f"no row of {args.table} matches {args.search!r}")
        return 0
    cols = _SHOWN[args.table]
    table = [list(cols)] + [[_cell(getattr(r, c))[:48] for c in cols] for r in rows]
    print(render_table(table))
    print(f"\n{len(rows)} row(s). Units are in the column names; sources: 'aiceberg data sources ID'.")
    return 0
