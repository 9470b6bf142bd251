"""``aiceberg equivalents``: relatable equivalents of an amount of CO2e and electricity."""

from __future__ import annotations

import argparse

from aiceberg.cli.common import add_output_args, parse_q, print_json

EXAMPLES = """\
examples:
  aiceberg equivalents --co2e-kg 50500 --energy-kwh 433196
  aiceberg equivalents --co2e-kg 44347000 --lang fr
  aiceberg equivalents --co2e-kg 1000:1200:1500 --json
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("equivalents", help="flights, years of a person's electricity, forest area… for an amount",
                       description="Relatable equivalents of an amount of CO2e (and of electricity), each "
                       "from a sourced factor, with its range.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--co2e-kg", required=True, help="emissions in kgCO2e (a number or LOW:CENTRAL:HIGH)")
    p.add_argument("--energy-kwh", help="electricity in kWh, for the energy-based equivalents")
    add_output_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aiceberg.explain.equivalents import equivalent_dict, equivalents, readable
    from aiceberg.i18n import check_lang, t
    from aiceberg.i18n import numbers as N
    from aiceberg.model.quantity import as_q

    lang = check_lang(args.lang, "--lang")
    co2 = as_q(parse_q(args.co2e_kg, "--co2e-kg", allow_zero=True), "--co2e-kg")
    energy = parse_q(args.energy_kwh, "--energy-kwh", allow_zero=True)
    eq = equivalents(co2, as_q(energy, "--energy-kwh") if energy is not None else None, args.country or "FR")
    if args.json:
        print_json({"co2e_kg": co2.central, "energy_kwh": energy if not isinstance(energy, tuple) else energy[1],
                    "equivalents": {k: equivalent_dict(v, lang) for k, v in eq.items()}})
        return 0
    shown = readable(eq)
    for s in shown:  # the readable ones, each at its best scale; --json keeps every value
        rng = N.span(s.value, "", lang)
        print(f"{N.number(s.value.central, lang):>14}  {s.label(lang)}" + (f"  ({rng})" if rng else ""))
    if not shown:
        print(t("cli.equivalents.none_readable", lang))
    return 0
