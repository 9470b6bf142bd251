"""``aiceberg tour``: the main job on the embedded defaults."""

from __future__ import annotations

import argparse

EXAMPLES = """\
examples:
  aiceberg tour
  aiceberg tour --lang fr
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tour", help="the main job: estimate a training run and explain BLOOM's footprint",
                       description="A short tour on the embedded defaults: estimates a training run "
                       "(8 × A100 for 24 h in France) and reproduces the BLOOM case with its equivalents.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lang", default="en", help="en (default) or fr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aiceberg.cases import get_case
    from aiceberg.explain.case_text import case_text
    from aiceberg.explain.i18n import check_lang
    from aiceberg.explain.render import footprint_text
    from aiceberg.model.training import estimate_training

    lang = check_lang(args.lang, "--lang")
    head = {"en": "1. An estimate: 8 × NVIDIA A100 for 24 hours in France",
            "fr": "1. Une estimation : 8 × NVIDIA A100 pendant 24 heures en France"}[lang]
    print(head + "\n")
    print(footprint_text(estimate_training("a100", count=8, hours=24, location="FR"), lang))
    head = {"en": "2. A published case, reproduced and completed", "fr": "2. Un cas publié, reproduit et complété"}
    print("\n\n" + head[lang] + "\n")
    print(case_text(get_case("bloom-training").run(), lang))
    return 0
