"""The training's ``co2_eq_emissions`` in a Hugging Face model card (the README's YAML front matter).

The block itself is the existing export (:func:`aiceberg.explain.exports.model_card_yaml`: ``emissions`` in
grams, ``source``, ``training_type``, ``geographical_location``, ``hardware_used``; a job's total through
:func:`aiceberg.explain.compliance.job_compliance`, as ``aiceberg jobs export``); this module puts it in
a README: into its front matter when it has one (replacing a ``co2_eq_emissions`` already there, keeping
every other key and the text below as they are), or as a new front matter on top. No YAML library is
needed: the block is top-level keys, each followed by its indented lines.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from aiceberg.errors import InputError
from aiceberg.explain.compliance import job_compliance
from aiceberg.explain.compliance.model_card import model_card_yaml as card_yaml
from aiceberg.explain.exports import model_card_yaml
from aiceberg.i18n import t
from aiceberg.jobs import JobSummary
from aiceberg.measure.result import RunResult

__all__ = ["TRAINING_TYPES", "co2_block", "merge_front_matter", "training_card", "write_model_card"]

log = logging.getLogger("aiceberg.integrations")

#: The model card's accepted ``training_type`` values.
TRAINING_TYPES = ("pre-training", "fine-tuning")

_FENCE = "---"
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def co2_block(result: RunResult, *, training_type: str = "pre-training", scope: str = "operational",
              job: JobSummary | None = None) -> str:
    """The ``co2_eq_emissions`` YAML block of a finished run (``aiceberg runs export --format model-card``), or
    of the training's total over its job's nodes where ``job`` is given (``aiceberg jobs export``). A run
    of a job given alone says in ``source`` that it is only its node's figure."""
    if job is not None:
        return card_yaml(job_compliance(job), training_type=training_type, scope=scope)
    return model_card_yaml(result.summary, training_type=training_type, scope=scope)


def _keys(block: str) -> set[str]:
    return {m.group(1) for line in block.splitlines() if (m := _TOP_KEY.match(line))}


def merge_front_matter(text: str, block: str) -> str:
    """``text`` (a README) with ``block``'s top-level keys in its YAML front matter, replacing them there."""
    keys = _keys(block)
    block = block if block.endswith("\n") else block + "\n"
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != _FENCE:
        rest = text if not text or text.startswith("\n") else "\n" + text
        return f"{_FENCE}\n{block}{_FENCE}\n{rest}"
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") == _FENCE), None)
    if end is None:  # an unclosed front matter: not YAML we can edit; put ours on top
        return f"{_FENCE}\n{block}{_FENCE}\n\n{text}"
    kept: list[str] = []
    skipping = False
    for line in lines[1:end]:
        m = _TOP_KEY.match(line)
        if m:
            skipping = m.group(1) in keys
        elif line.strip() and not line[0].isspace() and not line.startswith("-"):
            skipping = False  # a top-level comment; "- item" lines at column 0 belong to the key above
        if not skipping:
            kept.append(line)
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += "\n"
    return "".join([lines[0], *kept, block, *lines[end:]])


def write_model_card(path: str | os.PathLike[str], block: str) -> Path:
    """Put ``block`` in the README at ``path`` (a file, or a folder holding ``README.md``), created if absent.

    Written to a temporary file then renamed, so a reader never sees half a card. Returns the file's path.
    """
    target = Path(path)
    if target.is_dir() or not target.suffix:
        target = target / "README.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    text = target.read_text("utf-8") if target.exists() else ""
    tmp = target.with_name(f".{target.name}.aiceberg-{os.getpid()}")
    tmp.write_text(merge_front_matter(text, block), "utf-8")
    os.replace(tmp, target)
    return target


def training_card(
    result: RunResult, *, training_type: str, path: str | os.PathLike[str] | None, lang: str = "en",
    job: JobSummary | None = None,
) -> str | None:
    """The callbacks' last step: the training's block (its job's total where ``job`` is given, else the
    run's), written into the README at ``path`` when one is given.

    ``None`` when the run has no footprint (the engine could not compute one): the log says why, and no
    card is touched.
    """
    try:
        block = co2_block(result, training_type=training_type, job=job)
    except InputError as exc:
        log.warning(t("integrations.model_card.skipped", lang, reason=exc.render(lang)))
        return None
    if path is not None:
        written = write_model_card(path, block)
        log.info(t("integrations.model_card.written", lang, path=str(written)))
    return block
