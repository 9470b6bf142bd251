"""Deprecated: the report's old label lookup, now a thin wrapper over the one catalog (``report.*``).

The report's words live in ``aiceberg/i18n/messages/report.toml``; this name stays only until the web
pages call ``aiceberg.i18n.t("report.…")`` themselves.
"""

from __future__ import annotations

from aiceberg.explain.i18n import label
from aiceberg.i18n import has
from aiceberg.i18n import t as catalog_t

__all__ = ["t"]


def t(key: str, lang: str = "en", **kwargs: object) -> str:
    """The report label ``key`` (``kind:run``, ``headline``…) in ``lang``; else a part or heading label."""
    full = "report." + key.replace(":", ".")
    return catalog_t(full, lang, **kwargs) if has(full) else label(key, lang)
