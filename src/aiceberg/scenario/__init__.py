"""Scenarios of a whole AI service over a period: its data, trainings, deployment, requests, network, users'
devices and end of life, with ranges or distributions on every number, a chosen allocation of embodied
impacts and a reporting unit.

::

    from aiceberg.scenario import load, loads, templates
    sc = load("service.toml")                 # ScenarioError lists every problem, with its field path
    res = sc.run(samples=100_000, seed=1, compare_allocations=True)
    res.total                                 # (kWh, kgCO2e) as Q
    result_dict(res, "fr")                    # the JSON of ``aiceberg scenario run --json``

The file format, the templates and the method are in ``docs/scenarios.md``. This layer sits beside
``cases``: it evaluates with the engine (``model``) and may read measured runs from the ``store``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiceberg.errors import InputError, UnknownNameError
from aiceberg.i18n import Msg
from aiceberg.model.uncertainty import FLOAT
from aiceberg.scenario.analysis import ScenarioResult, analyse
from aiceberg.scenario.build import Compiled, Input, compile_spec
from aiceberg.scenario.export import result_dict
from aiceberg.scenario.formulas import PHASES, evaluate
from aiceberg.scenario.spec import ALLOCATIONS, UNITS, Problems, ScenarioError, Spec, parse
from aiceberg.scenario.store_link import StoreOpener

__all__ = ["ALLOCATIONS", "PHASES", "UNITS", "Input", "Scenario", "ScenarioError", "ScenarioResult", "Template",
           "get_template", "load", "loads", "result_dict", "templates"]

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Scenario:
    """A validated scenario, ready to run."""

    spec: Spec
    compiled: Compiled
    file: str = ""

    @property
    def name(self) -> str:
        return self.spec.name

    def title(self, lang: str = "en") -> str:
        return self.spec.title(lang)

    def run(self, *, samples: int = 0, seed: int | None = 0, compare_allocations: bool = False) -> ScenarioResult:
        """The result (see :func:`aiceberg.scenario.analysis.analyse`); ``samples`` > 0 needs ``[analysis]``."""
        return analyse(self.spec, self.compiled, samples=samples, seed=seed,
                       compare_allocations=compare_allocations, file=self.file)


def from_dict(doc: Mapping[str, Any], file: str = "", opener: StoreOpener | None = None) -> Scenario:
    """A scenario from a TOML document already read; :class:`ScenarioError` with every problem."""
    problems = Problems()
    spec = parse(doc, problems)
    compiled = compile_spec(spec, problems, opener)
    if not problems:
        _check_published(spec, compiled, problems)
    problems.raise_if_any(file)
    return Scenario(spec, compiled, file)


def _check_published(spec: Spec, compiled: Compiled, problems: Problems) -> None:
    include = spec.get("published", "include", ())
    if not include:
        return
    names = set(evaluate(compiled.plan, {k: i.dist.central for k, i in compiled.inputs.items()}, FLOAT).parts)
    for name in include:
        if name not in names:
            problems.add("published.include", Msg("scenario.error.unknown_part", name=name),
                         Msg("accepted.one_of", values=", ".join(sorted(names))))


def loads(text: str, file: str = "scenario.toml", opener: StoreOpener | None = None) -> Scenario:
    """A scenario from the text of a TOML file."""
    import tomllib

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([InputError(file, Msg("scenario.error.toml", reason=str(exc)))], file) from None
    return from_dict(doc, file, opener)


def load(path: str | os.PathLike[str], opener: StoreOpener | None = None) -> Scenario:
    """A scenario from a TOML file (``InputError`` when it cannot be read)."""
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("FILE", Msg("scenario.error.unreadable", path=str(p), reason=exc.__class__.__name__),
                         Msg("scenario.accepted.file")) from None
    return loads(text, p.name, opener)


@dataclass(frozen=True)
class Template:
    name: str
    path: Path

    def text(self) -> str:
        return self.path.read_text("utf-8")

    def scenario(self) -> Scenario:
        return loads(self.text(), self.path.name)


def templates() -> list[Template]:
    """The templates shipped with aiceberg, by name."""
    return [Template(p.stem, p) for p in sorted(TEMPLATES.glob("*.toml"))]


def get_template(name: str) -> Template:
    """One template, or ``UnknownNameError`` with the closest names."""
    found = {t.name: t for t in templates()}
    if name in found:
        return found[name]
    close = difflib.get_close_matches(name, list(found), n=3, cutoff=0.4)
    raise UnknownNameError("TEMPLATE", name, close, Msg("scenario.what.template"),
                           Msg("accepted.one_of", values=", ".join(found)))
