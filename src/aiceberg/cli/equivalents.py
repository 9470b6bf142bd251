"""``aiceberg equivalents``: relatable equivalents of an amount of CO2e and electricity."""

from __future__ import annotations

import argparse

from aiceberg.cli.common import add_output_args, numbers, print_json

EXAMPLES = """\
examples:
  aiceberg equivalents --co2e-kg 50500 --energy-kwh 433196
  aiceberg equivalents --co2e-kg 44347000 --lang fr
  aiceberg equivalents --co2e-kg 1000:1200:1500 --json
  aiceberg equivalents --co2e-kg 24,69 --energy-kwh 433196 --country DE --lang fr
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("equivalents", help="flights, years of a person's electricity, forest area… for an amount",
                       description="Relatable equivalents of an amount of CO2e (and of electricity), each "
                       "from a sourced factor, with its range.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--co2e-kg", required=True, help="emissions in kgCO2e (a number or LOW:CENTRAL:HIGH)")
    p.add_argument("--energy-kwh", help="electricity in kWh, for the energy-based equivalents")
    add_output_args(p)
    for action in p._actions:
        if action.dest == "country":
            action.help = ("with --energy-kwh: the country whose per-person electricity is used "
                           "(default FR)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aiceberg import refdata
    from aiceberg.explain.equivalents import equivalent_dict, equivalents, readable
    from aiceberg.i18n import Msg, check_lang, t
    from aiceberg.i18n import numbers as N
    from aiceberg.model.inputs import check_q, refuse_unused

    lang = check_lang(args.lang, "lang")
    given = numbers(args, ("co2e_kg", "energy_kwh"))
    co2 = check_q("co2e_kg", given["co2e_kg"])
    energy = None if given["energy_kwh"] is None else check_q("energy_kwh", given["energy_kwh"])
    if energy is None:
        refuse_unused({"country": args.country}, Msg("input.needs.energy_kwh"))
    elif args.country is not None:
        refdata.get_zone(args.country, "country")  # an unknown country gets the closest names
    eq = equivalents(co2, energy, args.country or "FR")
    if args.json:
        print_json({"co2e_kg": co2.central, "energy_kwh": None if energy is None else energy.central,
                    "equivalents": {k: equivalent_dict(v, lang) for k, v in eq.items()}})
        return 0
    shown = readable(eq)
    for s in shown:  # the readable ones, each at its best scale; --json keeps every value
        rng = N.span(s.value, "", lang)
        print(f"{N.number(s.value.central, lang):>14}  {s.label(lang)}" + (f"  ({rng})" if rng else ""))
    if not shown:
        print(t("cli.equivalents.none_readable", lang))
    return 0
