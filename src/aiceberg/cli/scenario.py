"""``aiceberg scenario templates|init|run|compare``: the whole life of an AI service, with its uncertainty."""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXAMPLES = """\
examples:
  aiceberg scenario templates
  aiceberg scenario init chatgpt-month -o chatgpt.toml
  aiceberg scenario run chatgpt.toml
  aiceberg scenario run chatgpt.toml --samples 100000 --seed 1 --compare-allocations --html chatgpt.html
  aiceberg scenario run chatgpt.toml --json --lang fr
  aiceberg scenario compare chatgpt.toml open-chatbot.toml
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenario", help="the whole life of an AI service: scenarios, allocation choices, uncertainty",
                       description="Describe an AI service over a period (data, trainings, federated training "
                       "beside its centralised counterpart, deployment, requests, network, users' devices, end of "
                       "life) in a TOML file; every number may be a range or a distribution. See docs/scenarios.md.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    ssub = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    ls = ssub.add_parser("templates", help="list the templates")
    ls.add_argument("--json", action="store_true", help="print a JSON list of {name, title, description}")
    ls.add_argument("--lang", default="en", help="language: en (default) or fr")
    ls.set_defaults(func=run_templates)
    init = ssub.add_parser("init", help="write a template to a file to edit")
    init.add_argument("template", metavar="TEMPLATE", help="a template name (see 'aiceberg scenario templates')")
    init.add_argument("-o", "--output", metavar="FILE",
                      help="where to write it (default: TEMPLATE.toml; '-' for stdout)")
    init.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    init.add_argument("--lang", default="en", help="language: en (default) or fr")
    init.set_defaults(func=run_init)
    run = ssub.add_parser("run", help="evaluate a scenario file: phases with ranges, per-unit figure, what drives it",
                          epilog="example:\n  aiceberg scenario run service.toml --samples 100000 "
                          "--compare-allocations",
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("file", metavar="FILE", help="a scenario TOML file (or a template name)")
    run.add_argument("--json", action="store_true", help="print the result as JSON (keys in docs/scenarios.md)")
    run.add_argument("--html", metavar="PATH", help="write a self-contained HTML report there")
    run.add_argument("--lang", default="en", help="language: en (default) or fr")
    run.add_argument("--samples", metavar="N", help="Monte Carlo samples, with Sobol sensitivity (needs the "
                     "[analysis] extra: numpy); e.g. 100000")
    run.add_argument("--seed", metavar="N", default="0", help="the random seed (default 0): the same seed gives "
                     "the same percentiles")
    run.add_argument("--compare-allocations", action="store_true",
                     help="show the total under each allocation rule, lifetime and number of trainings")
    run.add_argument("--db", metavar="PATH", help="the run store for run = … inputs (default: AICEBERG_DB)")
    run.set_defaults(func=run_run)
    cmp = ssub.add_parser("compare", help="two scenarios side by side, phase by phase")
    cmp.add_argument("a", metavar="A", help="a scenario file (or a template name)")
    cmp.add_argument("b", metavar="B", help="another one")
    cmp.add_argument("--json", action="store_true", help="print both results and their ratio as JSON")
    cmp.add_argument("--lang", default="en", help="language: en (default) or fr")
    cmp.add_argument("--db", metavar="PATH", help="the run store for run = … inputs")
    cmp.set_defaults(func=run_compare)


def _load(name: str, db: str | None) -> Any:
    import os

    from aiceberg.scenario import get_template, load

    opener = None
    if db:
        from aiceberg.store import open_store

        def opener() -> Any:
            return open_store(db, readonly=True, create=False)
    if not os.path.exists(name) and not name.endswith(".toml"):
        return get_template(name).scenario()
    return load(name, opener)


def run_templates(args: argparse.Namespace) -> int:
    from aiceberg.cli.common import print_json
    from aiceberg.i18n import check_lang
    from aiceberg.scenario import templates

    lang = check_lang(args.lang, "--lang")
    rows = []
    for tpl in templates():
        sc = tpl.scenario()
        rows.append({"name": tpl.name, "title": sc.title(lang), "description": sc.spec.description(lang)})
    if args.json:
        print_json(rows)
    else:
        width = max(len(r["name"]) for r in rows)
        for r in rows:
            print(f"{r['name'].ljust(width)}  {r['title']}")
    return 0


def run_init(args: argparse.Namespace) -> int:
    import os

    from aiceberg.errors import InputError
    from aiceberg.i18n import Msg, check_lang
    from aiceberg.scenario import get_template

    check_lang(args.lang, "--lang")
    tpl = get_template(args.template)
    out = args.output or f"{tpl.name}.toml"
    if out == "-":
        sys.stdout.write(tpl.text())
        return 0
    if os.path.exists(out) and not args.force:
        raise InputError("output", Msg("scenario.cli.exists", path=out), Msg("scenario.cli.exists_hint"))
    try:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(tpl.text())
    except OSError as exc:
        raise InputError("output", Msg("cli.report.cannot_write", path=out, reason=exc.strerror or str(exc))) from None
    print(Msg("scenario.cli.written", path=out, template=tpl.name).render(args.lang))
    return 0


def run_run(args: argparse.Namespace) -> int:
    from aiceberg.cli.common import cli_lang, parse_count, print_json
    from aiceberg.errors import InputError
    from aiceberg.explain.scenario_text import scenario_text
    from aiceberg.i18n import Msg, check_lang
    from aiceberg.i18n.parse import parse_whole
    from aiceberg.scenario import result_dict

    lang = check_lang(args.lang, "--lang")
    samples = parse_count(args.samples, "--samples", cli_lang(args)) if args.samples else 0
    if samples and samples > 10_000_000:
        raise InputError("--samples", Msg("input.out_of_bounds", value=args.samples),
                         Msg("accepted.whole_between", op="≥", low=1, high="10⁷"))
    seed = parse_whole(args.seed, "--seed", cli_lang(args))
    sc = _load(args.file, args.db)  # a ScenarioError lists every problem; the CLI prints them, exit code 2
    res = sc.run(samples=samples, seed=seed, compare_allocations=args.compare_allocations)
    data = result_dict(res, lang)
    if args.html:
        from aiceberg.cli.report import _write
        from aiceberg.explain.scenario_report import scenario_html

        _write(args.html, scenario_html(data, lang))
    if args.json:
        print_json(data)
    elif args.html != "-":
        print(scenario_text(data, lang))
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from aiceberg.cli.common import print_json
    from aiceberg.explain.scenario_text import compare_text
    from aiceberg.i18n import check_lang
    from aiceberg.scenario import result_dict

    lang = check_lang(args.lang, "--lang")
    a, b = _load(args.a, args.db), _load(args.b, args.db)
    da, db = result_dict(a.run(), lang), result_dict(b.run(), lang)
    if args.json:
        ca, cb = da["total"]["co2e_kg"], db["total"]["co2e_kg"]
        print_json({"a": da, "b": db, "ratio_b_over_a": cb / ca if ca else None})
    else:
        print(compare_text(da, db, lang))
    return 0
