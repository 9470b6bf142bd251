"""Name lookups over the reference data: case-insensitive, with aliases and "did you mean"."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any

from aiceberg.errors import UnknownNameError
from aiceberg.i18n import LANGS, Localised, Msg, has, t
from aiceberg.refdata.loader import follows_data, load_table

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_LOOKALIKES = str.maketrans({"o": "0", "l": "1", "i": "1"})


@lru_cache(maxsize=4096)  # a pure function of the text, asked several times per estimate for the same names
def normalise(name: str) -> str:
    """``"NVIDIA A100-SXM4-80GB"`` and ``"nvidia a100 sxm4 80gb"`` both give ``"nvidiaa100sxm480gb"``."""
    return _NON_ALNUM.sub("", name.casefold())


# What /proc/cpuinfo writes around a CPU's model: trade marks, the base clock ("CPU @ 2.90GHz"), the core
# count ("48-Core Processor"), the generation ("12th Gen"), the integrated graphics ("with Radeon Graphics").
_CPU_NOISE = re.compile(
    r"\((?:r|tm|c)\)|[®™©]"
    r"|\b\d+(?:st|nd|rd|th)\s+gen(?:eration)?\b"
    r"|@\s*\d+(?:\.\d+)?\s*[gm]hz\b"
    r"|\b(?:\d+|dual|quad|six|eight|twelve|sixteen)-core\b"
    r"|\bwith\s+radeon\b.*$"
    r"|\b(?:cpu|processor)\b",
    re.IGNORECASE,
)


def cpu_model_name(text: str) -> str:
    """A CPU's name as ``/proc/cpuinfo`` writes it, without the noise around the model:
    ``"Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz"`` → ``"Intel Xeon Platinum 8375C"``,
    ``"AMD EPYC 7R13 48-Core Processor"`` → ``"AMD EPYC 7R13"``."""
    return " ".join(_CPU_NOISE.sub(" ", text).split())


def names_cpu_model(text: str) -> bool:
    """Whether a CPU's name names a model once the noise is gone: Google Cloud's Intel VMs report only
    ``"Intel(R) Xeon(R) CPU @ 2.60GHz"`` (no model), some hypervisors ``"AMD EPYC"``; every model has a
    number (``8375C``, ``7R13``, ``i7-1260P``, ``Graviton2``)."""
    return any(c.isdigit() for c in cpu_model_name(text))


def _names(table: str, row: Any) -> list[str]:
    names = [row.id]
    for attr in ("name", "name_en", "name_fr", "iso3"):
        value = getattr(row, attr, "")
        if value:
            names.append(value)
    names.extend(getattr(row, "aliases", ()))
    if table == "zones" and row.kind == "cloud" and ":" in row.id:
        names.append(row.id.split(":", 1)[1])  # "us-east-1" alone, when no other zone claims it
    return names


@follows_data
def _index(table: str) -> dict[str, Any]:
    index: dict[str, Any] = {}
    ambiguous: set[str] = set()
    rows = load_table(table)
    # ids and explicit names win over derived ones: index them first
    for row in rows:
        index[normalise(row.id)] = row
    for row in rows:
        for n in _names(table, row)[1:]:
            key = normalise(n)
            if not key or (key in index and index[key] is row):
                continue
            if key in index:
                ambiguous.add(key)
                continue
            index[key] = row
    for key in ambiguous:
        if normalise(index[key].id) != key:
            del index[key]
    # weak names (a per-request figure's task; a CPU's names without their noise) go to the first row that
    # has them, unless taken
    for row in rows:
        key = normalise(getattr(row, "task", "") or "")
        if key and key not in index:
            index[key] = row
        if getattr(row, "kind", "") == "cpu":
            for n in _names(table, row):
                key = normalise(cpu_model_name(n))
                if key and key not in index:
                    index[key] = row
    return index


def clear_cache() -> None:
    """Forget the name indexes (``loader.clear_cache`` does it too, with every cache that follows the data)."""
    _index.cache_clear()


def find(table: str, name: str) -> Any | None:
    """The row named ``name`` (id, name or alias, any case or punctuation), or None. A hardware name is
    also tried without what ``/proc/cpuinfo`` writes around a CPU's model (:func:`cpu_model_name`)."""
    index = _index(table)
    row = index.get(normalise(name))
    if row is None and table == "hardware":
        key = normalise(cpu_model_name(name))
        row = index.get(key) if key else None
    return row


#: How close a typed name must be to a known one to be suggested (difflib's ratio, 0–1). 0.8 accepts one or
#: two letters wrong or swapped in a country's name ("Frnace", "Germny", "Untied States") and refuses
#: names that merely share letters ("Atlantis" is 0.67 from "Albania").
SUGGEST_CUTOFF = 0.8
#: Suggestions within this distance of the best one are shown with it; farther ones are noise.
SUGGEST_SPREAD = 0.1


def suggest(table: str, name: str, n: int = 3) -> list[str]:
    """The ids of the rows whose names are closest to ``name``, best first, for a "did you mean".

    Each row is scored by its best name (id, names in both languages, aliases) with difflib's ratio on
    the normalised text, trying letters typed for look-alike digits too (``h1OO``). A row is suggested
    when its score reaches ``SUGGEST_CUTOFF`` and is within ``SUGGEST_SPREAD`` of the best; when none
    does, rows with a name that contains the typed text (``xeon``, at least 3 characters) are offered.
    """
    key = normalise(name)
    if not key:
        return []
    index = _index(table)
    variants = tuple(dict.fromkeys((key, key.translate(_LOOKALIKES))))
    best: dict[str, float] = {}
    matcher = difflib.SequenceMatcher(autojunk=False)
    for v in variants:
        matcher.set_seq2(v)
        for k, row in index.items():
            matcher.set_seq1(k)
            if matcher.real_quick_ratio() < SUGGEST_CUTOFF or matcher.quick_ratio() < SUGGEST_CUTOFF:
                continue
            score = matcher.ratio()
            if score >= SUGGEST_CUTOFF and score > best.get(row.id, 0.0):
                best[row.id] = score
    if best:
        top = max(best.values())
        ranked = sorted((rid for rid, sc in best.items() if sc >= top - SUGGEST_SPREAD), key=lambda r: -best[r])
        return ranked[:n]
    if len(key) < 3:
        return []
    out: list[str] = []
    for k, row in index.items():
        if key in k and row.id not in out:
            out.append(row.id)
            if len(out) == n:
                break
    return out


def display_name(row: Any, lang: str = "en") -> str:
    """A row's name for people (``France``, ``NVIDIA H100 SXM5 80GB``), or "" when it only repeats the id."""
    text = (getattr(row, f"name_{lang}", "") or getattr(row, "name_en", "") or getattr(row, "name", "") or "")
    return "" if normalise(text) == normalise(row.id) else text


def hardware_name(row: Any) -> str | Localised:
    """A hardware row's name for a sentence: the data's (a product name is the same in every language), or,
    for the rows whose name describes them in English (the class defaults, the generic server archetypes,
    "per chip"), its text in each language from the catalog (``hardware.<id>``)."""
    key = f"hardware.{row.id}"
    if not has(key):
        return str(row.name)
    return Localised(**{lang: t(key, lang) for lang in LANGS})


def get(table: str, name: str, *, field: str, what: str | Msg, hint: str | Msg | None = None) -> Any:
    """Like ``find`` but raises ``UnknownNameError`` naming ``field``, with the closest names."""
    if not isinstance(name, str) or not name.strip():
        raise UnknownNameError(field, str(name), [], what, hint)
    row = find(table, name)
    if row is None:
        close = suggest(table, name)
        index = {r.id: r for r in load_table(table)}
        labels = {rid: {lang: display_name(index[rid], lang) for lang in LANGS} for rid in close
                  if display_name(index[rid])}
        raise UnknownNameError(field, name, close, what, hint, labels=labels)
    return row
