"""Making any text safe to store and hash."""

from __future__ import annotations

import hashlib


def clean_text(text: str, max_chars: int) -> str:
    """Make any str storable and bounded: lone surrogates and NULs replaced, and very long
    texts cut to their head and tail (where threats and demands usually sit)."""
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")
    if len(text) > max_chars:
        half = max_chars // 2
        text = text[:half] + "\n[…]\n" + text[-half:]
    return text


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
