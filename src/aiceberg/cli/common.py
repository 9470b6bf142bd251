"""Argument helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any, overload

from aiceberg.errors import InputError

RANGE_HELP = "a number, or LOW:CENTRAL:HIGH for a range"


def parse_q(text: str | None, field: str, *, allow_zero: bool = False) -> Any:
    """A number or a ``LOW:CENTRAL:HIGH`` range from the command line (None stays None)."""
    if text is None:
        return None
    accepted = ("a number >= 0" if allow_zero else "a number > 0") + " or LOW:CENTRAL:HIGH"
    parts = str(text).replace("_", "").split(":")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InputError(field, f"{text!r} is not a number", accepted) from None
    if any(not math.isfinite(v) for v in values):
        raise InputError(field, f"{text!r} is not a finite number", accepted)
    if len(values) == 1:
        v = values[0]
        if v < 0 or (v == 0 and not allow_zero):
            raise InputError(field, f"{text!r} is out of range", accepted)
        return v
    if len(values) != 3:
        raise InputError(field, f"{text!r} is not LOW:CENTRAL:HIGH", accepted)
    lo, c, hi = values
    if not (0 <= lo <= c <= hi) or (lo == 0 and not allow_zero):
        raise InputError(field, f"{text!r}: need 0 < LOW <= CENTRAL <= HIGH", accepted)
    return (lo, c, hi)


@overload
def parse_count(text: str, field: str) -> int: ...
@overload
def parse_count(text: None, field: str) -> None: ...
@overload
def parse_count(text: str | None, field: str) -> int | None: ...
def parse_count(text: str | None, field: str) -> int | None:
    if text is None:
        return None
    try:
        number = float(str(text).replace("_", ""))
    except ValueError:
        raise InputError(field, f"{text!r} is not a whole number", "a whole number >= 1") from None
    if not math.isfinite(number) or number != int(number):
        raise InputError(field, f"{text!r} is not a whole number", "a whole number >= 1")
    value = int(number)
    if value < 1:
        raise InputError(field, f"{text!r} is out of range", "a whole number >= 1")
    return value


def add_output_args(p: argparse.ArgumentParser, *, country: bool = True) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--lang", default="en", help="language of labels and numbers: en (default) or fr")
    if country:
        p.add_argument("--country",
                       help="country whose per-person electricity is used for equivalents "
                            "(default: the country of the grid zone, else FR)")


def add_location_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--location", metavar="ZONE",
                   help="ISO country code or name, or a cloud region (aws:us-east-1, gcp:europe-west1…)")
    p.add_argument("--intensity", metavar="G_PER_KWH",
                   help="grid carbon intensity in gCO2e/kWh, instead of --location (" + RANGE_HELP + ")")
    p.add_argument("--pue", help="power usage effectiveness: a number >= 1 or a class/provider "
                                 "(google, aws, hpc…; see 'aiceberg data pue'); default: the documented average")


def location_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    pue: Any = args.pue
    if pue is not None:
        try:
            pue = parse_q(pue, "--pue")
        except InputError:
            if any(ch.isdigit() for ch in pue) and not any(ch.isalpha() for ch in pue):
                raise
    return {"location": args.location, "intensity_g_per_kwh": parse_q(args.intensity, "--intensity"),
            "pue": pue}


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
