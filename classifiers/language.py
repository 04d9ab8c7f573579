"""A cheap guess whether a message is English, for routing.

The detector's base model is English-only (see MODEL_CARD.md): on other languages its recall is
poor. Policies can use :func:`looks_english` to treat a non-English message conservatively (for
example, escalate for human review when any score is raised) instead of trusting a low score.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+")
_ENGLISH = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "am",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "because",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "dont",
        "don't",
        "for",
        "from",
        "get",
        "go",
        "got",
        "had",
        "has",
        "have",
        "he",
        "her",
        "hey",
        "hi",
        "him",
        "his",
        "how",
        "i",
        "i'm",
        "if",
        "im",
        "in",
        "is",
        "it",
        "its",
        "just",
        "know",
        "like",
        "lol",
        "me",
        "my",
        "no",
        "not",
        "now",
        "of",
        "ok",
        "on",
        "or",
        "our",
        "out",
        "pay",
        "pic",
        "pics",
        "please",
        "pls",
        "r",
        "send",
        "she",
        "so",
        "some",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "they",
        "this",
        "to",
        "u",
        "up",
        "ur",
        "us",
        "want",
        "was",
        "we",
        "what",
        "when",
        "where",
        "who",
        "why",
        "will",
        "with",
        "would",
        "yeah",
        "yes",
        "you",
        "your",
    ]
)


def looks_english(text: str, *, min_share: float = 0.2) -> bool:
    """True when at least ``min_share`` of the words are common English words, or the text has
    too few letters to tell. Texts mostly in a non-Latin script are never English."""
    words = _WORD.findall(text.lower())
    if len(words) < 4:
        return True
    non_latin = sum(1 for w in words if not w.isascii())
    if non_latin > len(words) / 2:
        return False
    return sum(1 for w in words if w in _ENGLISH) / len(words) >= min_share
