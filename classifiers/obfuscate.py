"""Obfuscations that people use to slip past filters, for augmentation and for tests.

Each function rewrites text the way an evader would (look-alike letters, leetspeak, invisible
characters, spaced-out letters, emoji for words, markdown). Training applies them to positives
and negatives alike, after which :func:`classifiers.normalize.normalize` is applied, so the model
learns what survives normalisation and never learns "obfuscated means bad".
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

_LOOKALIKE = {
    "a": "а",
    "e": "е",
    "o": "о",
    "p": "р",
    "c": "с",
    "x": "х",
    "y": "у",
    "i": "і",
    "s": "ѕ",
    "k": "к",
}
_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
_INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
_WORD_EMOJI = {
    "photo": "📸",
    "photos": "📸",
    "pic": "📸",
    "pics": "📸",
    "picture": "📸",
    "video": "🎥",
    "vid": "🎥",
    "money": "💰",
    "cash": "💵",
    "gift": "🎁",
    "secret": "🤫",
    "phone": "📱",
    "time": "⏰",
    "family": "👪",
    "police": "👮",
}
_MATH_BOLD_A = 0x1D41A  # 𝐚


def lookalikes(text: str, rng: random.Random, rate: float = 0.5) -> str:
    """Swap Latin letters for Cyrillic look-alikes."""
    return "".join(_LOOKALIKE[c] if c in _LOOKALIKE and rng.random() < rate else c for c in text)


def leetspeak(text: str, rng: random.Random, rate: float = 0.5) -> str:
    """Swap letters inside words for digits (``nudes`` -> ``nud3s``); numbers are untouched."""

    def word(m: re.Match[str]) -> str:
        w = m.group()
        if len(w) < 3:
            return w
        return "".join(_LEET[c] if c in _LEET and rng.random() < rate else c for c in w)

    return re.sub(r"[a-z]+", word, text)


def invisible(text: str, rng: random.Random, rate: float = 0.3) -> str:
    """Insert zero-width and other invisible characters between letters."""
    return "".join(
        c + (rng.choice(_INVISIBLE) if c.isalpha() and rng.random() < rate else "") for c in text
    )


def spaced(text: str, rng: random.Random) -> str:
    """Spell one or two longer words letter by letter (``s e n d``, ``n.u.d.e.s``)."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    sep = rng.choice((" ", ".", "-", "*"))
    for i in rng.sample(candidates, k=min(len(candidates), rng.randint(1, 2))):
        words[i] = sep.join(words[i])
    return " ".join(words)


def emoji_words(text: str, rng: random.Random) -> str:
    """Replace words that have an emoji equivalent with that emoji."""
    return re.sub(r"[a-z]+", lambda m: _WORD_EMOJI.get(m.group(), m.group()), text)


def markdown(text: str, rng: random.Random) -> str:
    """Wrap the message or some words in Discord/Telegram markdown."""
    style = rng.choice(("||{}||", "**{}**", "`{}`", "~~{}~~", "__{}__", "*{}*"))
    if rng.random() < 0.5:
        return style.format(text)
    return re.sub(
        r"[a-z]{4,}", lambda m: style.format(m.group()) if rng.random() < 0.4 else m.group(), text
    )


def math_letters(text: str, rng: random.Random) -> str:
    """Write the message in Unicode mathematical bold letters."""
    return "".join(chr(_MATH_BOLD_A + ord(c) - ord("a")) if "a" <= c <= "z" else c for c in text)


OBFUSCATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "lookalikes": lookalikes,
    "leetspeak": leetspeak,
    "invisible": invisible,
    "spaced": spaced,
    "emoji_words": emoji_words,
    "markdown": markdown,
    "math_letters": math_letters,
}


def obfuscate(text: str, rng: random.Random) -> str:
    """Apply one or two random obfuscations to lower-cased ``text``."""
    text = text.lower()
    for name in rng.sample(sorted(OBFUSCATIONS), k=rng.choice((1, 1, 2))):
        text = OBFUSCATIONS[name](text, rng)
    return text
