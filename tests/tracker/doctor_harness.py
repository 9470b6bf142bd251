"""Run ``aiceberg`` with only the ``doctor`` and ``tour`` sub-commands: ``python doctor_harness.py doctor``."""

import sys

import aiceberg.cli as cli

cli.COMMANDS = ("doctor", "tour", "runs")

if __name__ == "__main__":
    sys.exit(cli.main())
