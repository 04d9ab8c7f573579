"""Text normalisation applied before classification (minimal first version).

Obfuscation-resistant normalisation (confusables, leetspeak, spaced letters, emoji, markdown)
is extended by the detector work; this keeps the contract: ``normalize(text) -> str``.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u034f\u180e]")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Return a lower-cased, NFKC-folded copy of ``text`` without invisible characters."""
    folded = unicodedata.normalize("NFKC", text)
    folded = _INVISIBLE.sub("", folded)
    folded = "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in folded)
    return _SPACES.sub(" ", folded).strip().lower()
