"""Run ``aiceberg`` with only the ``run`` and ``runs`` sub-commands (tests of those, isolated from
the other commands' modules): ``python cli_harness.py run -- CMD``."""

import sys

import aiceberg.cli as cli

cli.COMMANDS = ("run", "runs")

if __name__ == "__main__":
    sys.exit(cli.main())
