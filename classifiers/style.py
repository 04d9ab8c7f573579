"""Surface variation for generated messages: register, slang, typos, case, emoji, platform style.

Generators write a message once in neutral wording; :func:`stylize` then rewrites it the way
people actually type in chats, so the classifier learns the content and not one spelling.
Every function takes a seeded :class:`random.Random` and is deterministic for a given seed.
"""

from __future__ import annotations

import random
import re

_SLANG: tuple[tuple[str, str], ...] = (
    (r"\byou\b", "u"),
    (r"\byour\b", "ur"),
    (r"\byou're\b", "ur"),
    (r"\bare\b", "r"),
    (r"\bplease\b", "pls"),
    (r"\bright now\b", "rn"),
    (r"\bgoing to\b", "gonna"),
    (r"\bwant to\b", "wanna"),
    (r"\bbecause\b", "cuz"),
    (r"\bokay\b", "ok"),
    (r"\bthough\b", "tho"),
    (r"\bpictures\b", "pics"),
    (r"\bpicture\b", "pic"),
    (r"\bdon't\b", "dont"),
    (r"\bI'm\b", "im"),
    (r"\bI am\b", "im"),
    (r"\bwhat\b", "wat"),
    (r"\bto be honest\b", "tbh"),
    (r"\bI don't know\b", "idk"),
    (r"\bseriously\b", "srsly"),
    (r"\bwith\b", "w"),
    (r"\bfor\b", "4"),
    (r"\bto\b", "2"),
    (r"\bbefore\b", "b4"),
    (r"\bpeople\b", "ppl"),
    (r"\bmessage\b", "msg"),
    (r"\btomorrow\b", "tmrw"),
    (r"\bminutes\b", "mins"),
    (r"\bnudes\b", "noodz"),
    (r"\bvideo\b", "vid"),
    (r"\bthanks\b", "thx"),
    (r"\breally\b", "rly"),
    (r"\bsomeone\b", "sm1"),
)
_EMOJI_TAILS = (
    "😭",
    "😳",
    "🙏",
    "😡",
    "💀",
    "😈",
    "😏",
    "🤡",
    "‼️",
    "🥺",
    "😬",
    "⏰",
    "💸",
    "👀",
    "😂",
    "🤣",
    "😘",
    "❤️",
    "🔥",
    "😩",
    "🙄",
    "✌️",
    "👍",
    "🤷",
)
_OPENERS = (
    "",
    "",
    "",
    "yo ",
    "hey ",
    "listen ",
    "bro ",
    "ok so ",
    "look ",
    "hi ",
    "omg ",
    "um ",
    "lol ",
    "guys ",
    "hello ",
    "hey there ",
)
_KEYBOARD_NEIGHBOURS = "qwertyuiopasdfghjklzxcvbnm"


def typo(text: str, rng: random.Random, rate: float = 0.04) -> str:
    """Drop, double or swap a few letters, like fast thumb typing."""
    chars = list(text)
    out: list[str] = []
    i = 0
    while i < len(chars):
        ch = chars[i]
        if ch.isalpha() and rng.random() < rate:
            kind = rng.randrange(4)
            if kind == 0:  # drop
                i += 1
                continue
            if kind == 1:  # double
                out.extend((ch, ch))
            elif kind == 2 and i + 1 < len(chars) and chars[i + 1].isalpha():  # swap
                out.extend((chars[i + 1], ch))
                i += 2
                continue
            else:  # neighbouring key
                out.append(rng.choice(_KEYBOARD_NEIGHBOURS))
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def slangify(text: str, rng: random.Random, rate: float = 0.6) -> str:
    """Replace common words with chat abbreviations, each rule with probability ``rate``."""
    for pattern, repl in _SLANG:
        if rng.random() < rate:
            text = re.sub(pattern, repl, text, flags=re.IGNORECASE)
    return text


def stylize(text: str, rng: random.Random) -> str:
    """Rewrite one message in a random chat register."""
    if rng.random() < 0.5:
        text = slangify(text, rng, rate=rng.choice((0.3, 0.6, 0.9)))
    if rng.random() < 0.3:
        text = rng.choice(_OPENERS) + text
    roll = rng.random()
    if roll < 0.55:
        text = text.lower()
    elif roll < 0.6:
        text = text.upper()
    if rng.random() < 0.35:
        text = re.sub(r"[.,;:]", "", text)
    if rng.random() < 0.3:
        text = re.sub(r"[.!?]\s+", lambda m: rng.choice(("\n", " ", "... ", "!! ")), text)
    if rng.random() < 0.3:
        text = typo(text, rng, rate=rng.choice((0.02, 0.04, 0.07)))
    if rng.random() < 0.3:
        text = (
            text.rstrip(".")
            + " "
            + "".join(rng.choice(_EMOJI_TAILS) for _ in range(rng.randint(1, 3)))
        )
    if rng.random() < 0.1:
        text = text.rstrip(".!?") + rng.choice(("?!", "!!!", "??", "..."))
    return re.sub(r" {2,}", " ", text).strip()
