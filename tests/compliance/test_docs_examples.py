"""docs/compliance.md's examples are what the commands beside them print today."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_example_matches_its_command() -> None:
    path = ROOT / "tools" / "docs" / "compliance_examples.py"
    spec = importlib.util.spec_from_file_location("compliance_examples", path)
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    text = tool.DOC.read_text("utf-8")
    blocks = tool.BLOCK.findall(text)
    assert len(blocks) == 6  # Markdown (en, fr), JSON, CycloneDX, SPDX, model card
    _, changed = tool.regenerate(text)
    assert changed == [], f"regenerate with: python tools/docs/compliance_examples.py ({changed})"
