"""Argument helpers shared by the sub-commands: numbers, ranges, and fields named as flags.

Numbers and ranges are read with the project's one rule per language (``aiceberg.i18n.parse``: in
English ``1.5`` and ``1,500``; in French ``1,5`` and ``1 500``; ``LOW:CENTRAL:HIGH`` in both), in the
language of ``--lang``. Their bounds are the engine's (``aiceberg.model.inputs.BOUNDS``), checked by
the engine. Options are stored under the engine's API names (``--intensity`` → ``intensity_g_per_kwh``),
and an error about a field is shown with its flag through one mapping, :func:`flag_names`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import Any, overload

from aiceberg.errors import InputError
from aiceberg.i18n import LANGS, Msg
from aiceberg.i18n.parse import parse_number_or_range, parse_whole

RANGE_HELP = "a number, or LOW:CENTRAL:HIGH for a range"


def cli_lang(args: argparse.Namespace) -> str:
    """The language of ``--lang`` when it is a known one (numbers and errors follow it), else English."""
    lang = getattr(args, "lang", None)
    return lang if lang in LANGS else LANGS[0]


def parse_q(text: str | None, field: str, *, allow_zero: bool = False, lang: str = "en") -> Any:
    """A number or a ``LOW:CENTRAL:HIGH`` range (None stays None), refused when negative (or 0 unless
    ``allow_zero``): for options without an engine bound (``tour --seconds``)."""
    if text is None:
        return None
    value = parse_number_or_range(text, field, lang)
    low = value[0] if isinstance(value, tuple) else value
    if low < 0 or (low == 0 and not allow_zero):
        raise InputError(field, Msg("input.out_of_bounds", value=str(text).strip()),
                         Msg("accepted.number_min", op="≥" if allow_zero else ">", low=0))
    return value


@overload
def parse_count(text: str, field: str, lang: str = ...) -> int: ...
@overload
def parse_count(text: None, field: str, lang: str = ...) -> None: ...
@overload
def parse_count(text: str | None, field: str, lang: str = ...) -> int | None: ...
def parse_count(text: str | None, field: str, lang: str = "en") -> int | None:
    """A whole number >= 1 (None stays None)."""
    if text is None:
        return None
    value = parse_whole(text, field, lang)
    if value < 1:
        raise InputError(field, Msg("input.out_of_bounds", value=str(text).strip()), Msg("accepted.whole"))
    return value


def numbers(args: argparse.Namespace, dests: Iterable[str]) -> dict[str, Any]:
    """``{dest: number or (low, central, high)}`` for each of ``dests`` given on the command line (others
    None), read in ``--lang``'s rule. Bounds are left to the engine, which names the field."""
    lang = cli_lang(args)
    return {d: None if getattr(args, d) is None else parse_number_or_range(getattr(args, d), d, lang)
            for d in dests}


def flag_names(parser: argparse.ArgumentParser, args: argparse.Namespace) -> dict[str, str]:
    """argparse dest → its option string (``hours`` → ``--hours``) for the sub-command that ``args`` ran:
    the one mapping through which an error naming a field by its API name shows the user's flag."""
    flags: dict[str, str] = {}
    current: argparse.ArgumentParser | None = parser
    while current is not None:
        chosen = None
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = action.choices.get(getattr(args, action.dest, None) or "")
            elif action.option_strings and action.dest not in flags:
                flags[action.dest] = max(action.option_strings, key=len)
            elif not action.option_strings and action.dest not in flags:
                flags[action.dest] = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
        current = chosen
    return flags


def add_output_args(p: argparse.ArgumentParser, *, country: bool = True) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--lang", default="en", help="language of labels, numbers and errors: en (default) or fr "
                   "(in French, type numbers with a decimal comma: 1,5)")
    if country:
        p.add_argument("--country",
                       help="country whose per-person electricity is used for equivalents "
                            "(default: the country of the grid zone, else FR)")


def add_location_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--location", metavar="ZONE",
                   help="ISO country code or name, or a cloud region (aws:us-east-1, gcp:europe-west1…)")
    p.add_argument("--intensity", dest="intensity_g_per_kwh", metavar="G_PER_KWH",
                   help="grid carbon intensity in gCO2e/kWh, instead of --location (" + RANGE_HELP + ")")
    p.add_argument("--pue", help="power usage effectiveness: a number >= 1 or a class/provider "
                                 "(google, aws, hpc…; see 'aiceberg data pue'); default: the documented average")


def location_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """``location``, ``intensity_g_per_kwh`` and ``pue`` (a number or range when it has digits, else a class)."""
    pue: Any = args.pue
    if pue is not None and any(ch.isdigit() for ch in pue):
        pue = parse_number_or_range(pue, "pue", cli_lang(args))
    return {"location": args.location, "pue": pue, **numbers(args, ("intensity_g_per_kwh",))}


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
