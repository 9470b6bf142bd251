"""Regenerate the examples of docs/compliance.md: each block follows a marker naming the command that prints it.

    python tools/docs/compliance_examples.py           # rewrite the blocks from what the commands print today
    python tools/docs/compliance_examples.py --check   # exit 1, naming the block, when one differs

A block is written as

    <!-- example: report --case bloom-training --format model-card -->
    ```yaml
    …what `aiceberg report --case bloom-training --format model-card` prints…
    ```

The commands run with SOURCE_DATE_EPOCH=1735689600 (2025-01-01T00:00:00Z), so the documents' creation time
(and the CycloneDX serial number derived from it) is the same on every run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "compliance.md"
EPOCH = "1735689600"
BLOCK = re.compile(r"(<!-- example: (?P<args>.+?) -->\n```(?P<lang>\w*)\n)(?P<body>.*?)(```)", re.S)


def run(args: str) -> str:
    """What ``aiceberg ARGS`` prints, with the documents' creation time fixed."""
    from aiceberg.cli import main

    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            code = main(shlex.split(args))
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    if code:
        raise SystemExit(f"aiceberg {args}: exit code {code}")
    return out.getvalue()


def regenerate(text: str) -> tuple[str, list[str]]:
    """``text`` with every example block rewritten, and the commands whose block changed."""
    changed: list[str] = []

    def fill(m: re.Match[str]) -> str:
        body = run(m.group("args"))
        if not body.endswith("\n"):
            body += "\n"
        if body != m.group("body"):
            changed.append(m.group("args"))
        return m.group(1) + body + "```"

    return BLOCK.sub(fill, text), changed


def main(argv: list[str]) -> int:
    text = DOC.read_text("utf-8")
    new, changed = regenerate(text)
    if "--check" in argv:
        for args in changed:
            print(f"{DOC.relative_to(ROOT)}: the example of 'aiceberg {args}' differs from what it prints today "
                  "(python tools/docs/compliance_examples.py rewrites it)", file=sys.stderr)
        return 1 if changed else 0
    if new != text:
        DOC.write_text(new, "utf-8")
    print(f"{DOC.relative_to(ROOT)}: {len(changed)} example(s) rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
