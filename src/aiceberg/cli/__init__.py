"""The ``aiceberg`` command line: a thin adapter that parses, calls the API and renders.

Each sub-command lives in its own module of this package, with a ``register(subparsers)`` function
that adds its parser and sets ``func`` (called with the parsed namespace, returns an exit code).
Errors of the project (``AicebergError``) become one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules under aiceberg.cli that register sub-commands, in the order --help lists them.
COMMANDS: tuple[str, ...] = (
    "tour",
    "estimate",
    "case",
    "equivalents",
    "data",
    "doctor",
    "run",
    "runs",
    "jobs",
    "exporter",
    "importer",
    "serve",
    "report",
    "scenario",
)

EPILOG = """\
examples:
  aiceberg tour                                   measure a tiny training here, estimate it, explain BLOOM
  aiceberg run --location FR -- python train.py   measure a command while it runs, and store the run
  aiceberg estimate training --hardware a100 --count 8 --hours 24 --location FR
  aiceberg case show bloom-training
  aiceberg equivalents --co2e-kg 50500 --lang fr
  aiceberg data hardware h100
  aiceberg scenario run chatgpt-month --samples 100000 --compare-allocations
  aiceberg report --case bloom-training           an HTML report that opens offline
"""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line and exits 2 (argparse's own code)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    from aiceberg import __version__

    parser = _Parser(
        prog="aiceberg",
        description="The whole iceberg of an AI workload's environmental footprint: "
        "measure what runs, estimate what cannot be measured, explain it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"aiceberg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"aiceberg.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from aiceberg.errors import AicebergError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except AicebergError as exc:  # one line, in the language asked for (--lang) when the command has one
        from aiceberg.cli.common import cli_lang
        from aiceberg.i18n import t

        print(t("cli.error", cli_lang(args), message=_error_text(exc, parser, args)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _error_text(exc: Exception, parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    """The error in ``--lang``'s language, a field named by its API name shown as the user's flag."""
    from aiceberg.cli.common import cli_lang, flag_names
    from aiceberg.errors import AicebergError, InputError

    lang = cli_lang(args)
    if isinstance(exc, InputError):
        return exc.render(lang, flag_names(parser, args).get(exc.field, exc.field))
    return exc.render(lang) if isinstance(exc, AicebergError) else str(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
