"""The case studies of the seed talk: published inputs and outputs, reproduced and completed.

Each case is a TOML file in ``refdata/data/cases/`` (:mod:`aiceberg.cases.case`); a *recipe*
(:mod:`aiceberg.cases.recipes`) turns its inputs into two footprints: the reproduction under the
publication's convention, and the complete iceberg view. ``get_case(name).run()`` does both.
"""

from __future__ import annotations

import difflib

from aiceberg.cases import recipes as recipes  # registers the recipes in RECIPES
from aiceberg.cases.case import Case, CaseResult, Published, load_case
from aiceberg.errors import UnknownNameError
from aiceberg.i18n import Msg
from aiceberg.refdata.loader import data_dir, follows_data

__all__ = ["Case", "CaseResult", "Published", "get_case", "list_cases"]


@follows_data  # a case list that follows the data folder (refdata.set_data_dir)
def _cases() -> dict[str, Case]:
    paths = sorted((data_dir() / "cases").glob("*.toml"))
    return {c.name: c for c in map(load_case, paths)}


def list_cases() -> list[Case]:
    return list(_cases().values())


def get_case(name: str) -> Case:
    cases = _cases()
    if name in cases:
        return cases[name]
    close = difflib.get_close_matches(name, list(cases), n=3, cutoff=0.4)
    raise UnknownNameError("case", name, close, Msg("input.what.case"), ", ".join(cases))
