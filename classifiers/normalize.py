"""Text normalisation applied to every message before classification.

People who send sextortion or grooming messages, and filters' own users, hide words from keyword
filters: look-alike letters from other scripts (``рау`` in Cyrillic), mathematical or full-width
letters (``𝐬𝐞𝐧𝐝``), leetspeak (``n00dz``), invisible characters between letters, spaced-out
letters (``s e n d``), emoji in place of words (``send 📸``) and chat markdown (``||spoiler||``).
:func:`normalize` folds these back to plain lower-case text so that the classifier sees the same
input for the plain and the obfuscated message. The classifier is trained on normalised text.

Contract: ``normalize(text: str) -> str`` is pure, linear in the length of the text, and accepts
any ``str`` (lone surrogates, control characters, very long strings) without raising.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize"]

# Zero-width, joiners, bidi controls, soft hyphen, variation selectors, tag characters, fillers.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
_SURROGATES = re.compile("[\ud800-\udfff]")

# Cyrillic and Greek letters that look like Latin ones (after lower-casing).
_CONFUSABLES: dict[str, str] = {
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "һ": "h",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "ɡ": "g",
    "ı": "i",
    "ɩ": "i",
    "ո": "n",
    "ս": "u",
    "օ": "o",
    "α": "a",
    "β": "b",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    "γ": "y",
    "ϲ": "c",
    "ϳ": "j",
}
_CONFUSABLE_TABLE = str.maketrans(_CONFUSABLES)
_LATIN = re.compile("[a-z]")
_CYRILLIC_OR_GREEK = re.compile("[\u0370-\u03ff\u0400-\u052f]")

_LEET: dict[str, str] = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "9": "g",
    "@": "a",
    "$": "s",
    "!": "i",
    "|": "l",
    "€": "e",
    "£": "l",
}
_LEET_TABLE = str.maketrans(_LEET)
# A "word" that mixes letters with leet characters, e.g. n00dz, s3nd, p!cs, $ext.
_WORD = re.compile(r"[\w@$!|€£]+")
# Numbers with a unit or ordinal stay numbers: 24h, 10pm, 3rd, 100k, 13yo, 5mins, 2x, 4u.
_NUMBER_WITH_UNIT = re.compile(
    r"\d+(?:[.,]\d+)?(?:st|nd|rd|th|h|hr|hrs|hour|hours|m|min|mins|s|sec|secs|k|pm|am|yo|yrs?|"
    r"x|gb|mb|kb|p|d|days?|w|wks?|u|ur|g|"
    r"eur|euros?|usd|dollars?|bucks|quid|pounds?|gbp|btc|cad|aud|inr|rs|pesos?|reais)?"
)
_LEET_WORDS = {
    "m8": "mate",
    "gr8": "great",
    "l8r": "later",
    "l8": "late",
    "h8": "hate",
    "w8": "wait",
    "2day": "today",
    "2nite": "tonight",
    "2moro": "tomorrow",
    "b4": "before",
    "4ever": "forever",
    "1ce": "once",
    "any1": "anyone",
    "some1": "someone",
    "no1": "no one",
}

_MARKDOWN = re.compile(
    r"\|\||\*\*+|__+|~~+|`+|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)|^\s*(?:#{1,6}|>+|-#)\s+",
    re.MULTILINE,
)
_REPEATS = re.compile(r"(.)\1{2,}")
# Runs of >= 4 single letters separated by one separator: "s e n d", "n.u.d.e.s", "p-i-c".
_SPACED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .\-_*|/+~]){3,}[^\W\d_](?![^\W\d_])")
_SPACED_SEP = re.compile(r"[ .\-_*|/+~]")
# A spaced run swallows a one-letter word before it: "send me a n u d e s" is "a nudes", not
# "anudes". These are the words people space out to dodge filters; when the run minus its first
# letter is one of them, and the whole run is not, the first letter stays a word of its own.
_ONE_LETTER_WORDS = frozenset("aiu")
_SPACED_WORDS = frozenset(
    "nudes nude noods noodz nudez naked pics pictures picture photo photos selfie selfies video "
    "videos send sexy snap snapchat insta instagram telegram whatsapp kik cam webcam boobs tits "
    "dick cock pussy money cash bitcoin crypto paypal cashapp venmo pay police family parents "
    "friends followers secret delete private leak post expose everyone "
    "fotos foto publicar enviar desnuda desnudo pelada pelado nackt nacktbilder envoyer".split()
)
_SPACES = re.compile(r"\s+")

_EMOJI_WORDS: dict[str, str] = {
    "📸": "photo",
    "📷": "photo",
    "🤳": "selfie",
    "🖼": "picture",
    "🎥": "video",
    "📹": "video",
    "📼": "video",
    "🎦": "video",
    "📱": "phone",
    "📞": "call",
    "☎": "call",
    "💻": "computer",
    "💰": "money",
    "💵": "money",
    "💸": "money",
    "💲": "money",
    "🤑": "money",
    "💳": "card",
    "🎁": "gift",
    "₿": "bitcoin",
    "🪙": "coin",
    "🏦": "bank",
    "🍆": "dick",
    "🍑": "ass",
    "💦": "wet",
    "🔞": "nsfw",
    "🫦": "lips",
    "👅": "tongue",
    "👙": "bikini",
    "🩲": "underwear",
    "👗": "dress",
    "🛏": "bed",
    "🚿": "shower",
    "🛁": "bath",
    "🤫": "secret",
    "🔒": "private",
    "🔐": "private",
    "🗑": "delete",
    "⏰": "time",
    "⏳": "time",
    "⌛": "time",
    "⏱": "time",
    "👨‍👩‍👧": "family",
    "👪": "family",
    "👮": "police",
    "🚓": "police",
    "😭": "crying",
    "😢": "crying",
    "😰": "scared",
    "😨": "scared",
    "😱": "scared",
    "🆘": "help",
    "🔥": "hot",
    "😈": "naughty",
    "😏": "smirk",
    "🥵": "hot",
    "🌶": "spicy",
}
_EMOJI = re.compile("|".join(sorted((re.escape(e) for e in _EMOJI_WORDS), key=len, reverse=True)))


def _strip_marks(text: str) -> str:
    """Decompose, drop combining marks (zalgo text, accents), recompose."""
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _unconfuse(text: str) -> str:
    """Map Cyrillic/Greek look-alikes to Latin when the text mixes scripts inside a word or is
    mostly Latin. Text written wholly in Cyrillic or Greek (Russian, Greek) is left alone."""
    if not _CYRILLIC_OR_GREEK.search(text):
        return text
    latin = len(_LATIN.findall(text))
    foreign = len(_CYRILLIC_OR_GREEK.findall(text))
    mixed_word = any(_LATIN.search(w) and _CYRILLIC_OR_GREEK.search(w) for w in _WORD.findall(text))
    if mixed_word or latin >= foreign:
        return text.translate(_CONFUSABLE_TABLE)
    return text


def _unleet_word(match: re.Match[str]) -> str:
    word = match.group()
    core = word.rstrip("!|")  # "help!!" keeps its exclamation marks
    tail = word[len(core) :]
    if core in _LEET_WORDS:
        return _LEET_WORDS[core] + tail
    if not core or not any(ch in _LEET for ch in core) or not any(ch.isalpha() for ch in core):
        return word
    if core[0] == "@":  # a mention
        return word
    if _NUMBER_WITH_UNIT.fullmatch(core.lstrip("$£€")):  # 24h, $50k, £600
        return word
    return core.translate(_LEET_TABLE) + tail


def _unspace(match: re.Match[str]) -> str:
    run = match.group()
    joined = _SPACED_SEP.sub("", run)
    if (
        run[0] in _ONE_LETTER_WORDS
        and run[1] == " "
        and joined[1:] in _SPACED_WORDS
        and joined not in _SPACED_WORDS
    ):
        return f"{run[0]} {joined[1:]}"
    return joined


def normalize(text: str) -> str:
    """Return a lower-case, de-obfuscated copy of ``text`` (see the module docstring)."""
    if not isinstance(text, str):
        raise TypeError(f"normalize() expects str, got {type(text).__name__}")
    if not text:
        return ""
    folded = _SURROGATES.sub("", text)
    folded = _EMOJI.sub(lambda m: f" {_EMOJI_WORDS[m.group()]} ", folded)
    folded = unicodedata.normalize("NFKC", folded)
    folded = _INVISIBLE.sub("", folded)
    folded = "".join(ch if ch.isprintable() or ch in "\n\t " else " " for ch in folded)
    folded = _strip_marks(folded).lower()
    folded = _MARKDOWN.sub("", folded)
    folded = _unconfuse(folded)
    folded = _SPACED.sub(_unspace, folded)
    folded = _WORD.sub(_unleet_word, folded)
    folded = _REPEATS.sub(r"\1\1", folded)
    return _SPACES.sub(" ", folded).strip()
