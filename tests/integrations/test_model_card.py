"""``co2_eq_emissions`` into a model card's README: the existing export's block, placed in the front matter."""

from __future__ import annotations

from pathlib import Path

from node import FakeNode

from aiceberg.explain.exports import model_card_yaml
from aiceberg.integrations.model_card import merge_front_matter, training_card, write_model_card
from aiceberg.integrations.session import TrainingSession

BLOCK = 'co2_eq_emissions:\n  emissions: 12.5\n  source: "aiceberg"\n  # a comment of the block\n'


def test_a_readme_without_front_matter_gets_one_on_top() -> None:
    assert merge_front_matter("", BLOCK) == f"---\n{BLOCK}---\n"
    assert merge_front_matter("# My model\n\nText.\n", BLOCK) == f"---\n{BLOCK}---\n\n# My model\n\nText.\n"


def test_the_block_replaces_its_key_and_keeps_every_other_one_in_place() -> None:
    readme = (
        "---\n"
        "license: apache-2.0\n"
        "co2_eq_emissions:\n"
        "  emissions: 99\n"
        "  source: old\n"
        "tags:\n"
        "- generated_from_trainer\n"
        "- text\n"
        "# a top-level comment\n"
        "model-index:\n"
        "  - name: out\n"
        "---\n"
        "\n"
        "# out\n"
    )
    merged = merge_front_matter(readme, BLOCK)
    assert merged == (
        "---\n"
        "license: apache-2.0\n"
        "tags:\n"
        "- generated_from_trainer\n"
        "- text\n"
        "# a top-level comment\n"
        "model-index:\n"
        "  - name: out\n"
        f"{BLOCK}"
        "---\n"
        "\n"
        "# out\n"
    )
    assert merge_front_matter(merged, BLOCK) == merged  # writing it again changes nothing


def test_an_unclosed_front_matter_is_left_alone_below_ours() -> None:
    readme = "---\nlicense: mit\n# no closing fence\n"
    assert merge_front_matter(readme, BLOCK) == f"---\n{BLOCK}---\n\n{readme}"


def test_a_finished_run_writes_the_exports_block_into_a_folder_or_a_file(node: FakeNode, tmp_path: Path) -> None:
    session = TrainingSession(tracks=True, logs=True, options={"location": "FR", "interval_s": 60})
    session.begin(total_epochs=1)
    session.epoch_begin(1)
    node.step(0)
    session.epoch_end()
    session.end()
    assert session.result is not None
    out = tmp_path / "cards"
    block = training_card(session.result, training_type="fine-tuning", path=out / "model")
    assert block == model_card_yaml(session.result.summary, training_type="fine-tuning")
    assert (out / "model" / "README.md").read_text("utf-8") == f"---\n{block}---\n"
    card = out / "CARD.md"
    card.write_text("# Card\n", "utf-8")
    assert write_model_card(card, block) == card
    assert card.read_text("utf-8") == f"---\n{block}---\n\n# Card\n"
    assert sorted(p.name for p in out.iterdir()) == ["CARD.md", "model"]  # no temporary file left
