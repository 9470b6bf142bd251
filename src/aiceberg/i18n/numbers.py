"""Numbers for people, in English and French: the one formatting policy of the project.

No scientific notation in text meant for people; grouping and decimal marks of the language
(``1,234.5`` / ``1 234,5`` with a narrow no-break space). The fuller policy (significant digits chosen
for the magnitude and the range, SI prefixes, a total and its range in one unit) is built here too, so
that the CLI, the reports and the web share it.
"""

from __future__ import annotations

import math

__all__ = ["NNBSP", "plain"]

#: U+202F NARROW NO-BREAK SPACE: French thousands separator, and the space before ``: ; ? !``.
NNBSP = "\u202f"


def _localise(text: str, lang: str) -> str:
    """``1,234.5`` → ``1 234,5`` in French (the English text uses ``,`` and ``.``)."""
    if lang == "fr":
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", NNBSP)
    return text


def plain(x: float, lang: str = "en", sig: int = 3) -> str:
    """``x`` for a sentence: whole numbers in full, others to ``sig`` significant digits, never ``1e-05``."""
    if isinstance(x, int) or (math.isfinite(x) and x == int(x) and abs(x) < 1e15):
        return _localise(f"{int(x):,}", lang)
    if not math.isfinite(x):
        return str(x)
    exponent = math.floor(math.log10(abs(x)))
    digits = max(sig - 1 - exponent, 0)
    text = f"{round(x, digits):,.{digits}f}"
    return _localise(text, lang)
