"""``aiceberg case list|show NAME``: the seed's case studies, published beside reproduced."""

from __future__ import annotations

import argparse

from aiceberg.cli.common import add_output_args, print_json

EXAMPLES = """\
examples:
  aiceberg case list
  aiceberg case show bloom-training
  aiceberg case show chatgpt-usage --lang fr
  aiceberg case show gpt3-training --json
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("case", help="the published case studies (BLOOM, GPT-3, Stable Diffusion…), reproduced",
                       description="Published footprints reproduced by the engine, with the deviation, the "
                       "publication's convention, and the complete iceberg view beside them.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    csub = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    ls = csub.add_parser("list", help="list the cases", epilog="example:\n  aiceberg case list --json",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    add_output_args(ls, country=False)
    ls.set_defaults(func=run_list)
    show = csub.add_parser("show", help="show one case", epilog="example:\n  aiceberg case show bloom-training",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    show.add_argument("name", help="case name (see 'aiceberg case list')")
    add_output_args(show)
    show.set_defaults(func=run_show)


def run_list(args: argparse.Namespace) -> int:
    from aiceberg.cases import list_cases
    from aiceberg.i18n import check_lang

    lang = check_lang(args.lang, "--lang")
    cases = list_cases()
    if args.json:
        print_json([{"name": c.name, "title": c.title(lang), "sources": list(c.sources)} for c in cases])
    else:
        width = max(len(c.name) for c in cases)
        for c in cases:
            print(f"{c.name.ljust(width)}  {c.title(lang)}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from aiceberg.cases import get_case
    from aiceberg.explain.case_text import case_dict, case_text
    from aiceberg.i18n import check_lang

    lang = check_lang(args.lang, "--lang")
    result = get_case(args.name).run()
    if args.json:
        print_json(case_dict(result, lang))
    else:
        print(case_text(result, lang, args.country))
    return 0
