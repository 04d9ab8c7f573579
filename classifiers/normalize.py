"""Text normalisation applied to every message before classification.

People who send sextortion or grooming messages, and filters' own users, hide words from keyword
filters: look-alike letters from other scripts (``рау`` in Cyrillic), small capitals (``ꜱᴇɴᴅ``),
mathematical, full-width, enclosed or regional-indicator letters (``𝐬𝐞𝐧𝐝``, ``🅢🅔🅝🅓``,
``🇸🇪🇳🇩``), upside-down text (``sǝpnu puǝs``), text reversed behind a right-to-left override,
leetspeak (``n00dz``, ``53nd``), invisible characters between letters, spaced-out letters
(``s e n d``, ``s - e - n - d``), emoji in place of words (``send 📸``) and chat markdown
(``||spoiler||``). :func:`normalize` folds these back to plain lower-case text so that the
classifier sees the same input for the plain and the obfuscated message. The classifier is
trained on normalised text.

Look-alike letters come from Unicode's confusables data (the ``confusable-homoglyphs`` package)
plus a short hand-made list of what that data lacks (small capitals, letters with hooks or
strokes). Latin-script look-alikes are always mapped. Letters of other scripts are mapped inside
a word that also has ASCII letters, and everywhere when every non-ASCII letter of the text has a
Latin look-alike; real Russian, Greek or Armenian text, which has letters with no look-alike,
stays as it is.

Contract: ``normalize(text: str) -> str`` is pure, linear in the length of the text, idempotent
(``normalize(normalize(t)) == normalize(t)``), and accepts any ``str`` (lone surrogates, control
characters, very long strings) without raising. Line breaks survive as single ``"\\n"``: the
detector splits sentences at them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from importlib.resources import files

__all__ = ["normalize"]

# Zero-width, joiners, bidi controls, soft hyphen, variation selectors, tag characters, fillers.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
_SURROGATES = re.compile("[\ud800-\udfff]")
# A RIGHT-TO-LEFT OVERRIDE displays the letters after it in reverse order, up to the next bidi
# control or the end of the line: "\u202esedun" shows as "nudes".
_OVERRIDE = re.compile("\u202e([^\u202a-\u202e\u2066-\u2069\n]*)")
# Regional indicators spell letters (🇸🇪🇳🇩); a run of them is a word of its own.
_REGIONAL = re.compile("[\U0001f1e6-\U0001f1ff]+")

# --- look-alike letters ---------------------------------------------------------------------

# Standard Russian letters that may be mapped to Latin: exactly those that the Russian keyword
# rules map back (classifiers.multilingual). Others with a weak resemblance (г r, ь b) and
# letters that only look like digits (з 3, б 6) stay Cyrillic, so a Russian word with a Latin
# letter in it still reads as Russian there.
_RUSSIAN = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
_RUSSIAN_MAPPED = "авекмнорстух"
# Where the lower-case letter reads differently from its capital (Unicode maps capital eta to H;
# lower-case η is used for n) or Unicode has no entry.
_OVERRIDES = {"η": "n", "μ": "u", "ω": "w", "ӏ": "l"}
# Latin letters that the confusables data does not map to ASCII: small capitals, and letters
# with hooks, strokes or bars, which decomposition does not strip.
_LATIN_EXTRA = {
    pair[0]: pair[1]
    for pair in (
        "ᴀa ʙb ᴄc ᴅd ᴇe ꜰf ɢg ʜh ɪi ᴊj ᴋk ʟl ᴍm ɴn ᴏo ᴘp ꞯq ʀr ꜱs ᴛt ᴜu ᴠv ᴡw ʏy ᴢz"
        " ɓb ƀb ƈc ȼc ɗd ɖd đd ɇe ɛe ƒf ɠg ǥg ɦh ħh ɨi ɉj ƙk łl ɫl ɬl"
        " ɭl ɱm ɲn ɳn øo ƥp ʠq ɍr ɽr ʂs ƭt ʈt ŧt ʉu ⱳw ƴy ɏy ƶz ȥz ʐz"
    ).split()
}


def _confusable_targets() -> dict[str, list[str]]:
    """Each non-ASCII character of Unicode's confusables data -> the single ASCII letters and
    digits it is confusable with, in the data's order."""
    raw = files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8")
    data: dict[str, list[dict[str, str]]] = json.loads(raw)
    targets: dict[str, list[str]] = {}

    def add(char: str, target: str) -> None:
        if len(char) == 1 and not char.isascii() and len(target) == 1 and target.isascii():
            if target.isalnum() and target not in targets.setdefault(char, []):
                targets[char].append(target)

    for key, entries in data.items():
        for entry in entries:
            other = entry.get("c", "")
            add(key, other)
            add(other, key)
    return targets


def _lookalike_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(Latin-script look-alikes, other scripts' look-alikes): lower-case letter -> ASCII letter.

    Keys are letters as they are when the tables are used: lower case, unchanged by NFKC and by
    decomposition. A letter maps to a letter it is confusable with (lower-case targets first),
    or else to what its capital is confusable with (Cyrillic т, н from Т, Н). Targets that are
    digits are left out: a letter turned into a digit would split words."""
    targets = _confusable_targets()

    def letter_for(char: str) -> str | None:
        own = [t for t in targets.get(char, ()) if t.isalpha()]
        for target in own:
            if target.islower():
                return target
        if own:
            return own[0].lower()
        capital = char.upper()
        if len(capital) == 1 and capital != char:
            for target in targets.get(capital, ()):
                if target.isalpha():
                    return target.lower()
        return None

    candidates = set(targets) | {c.lower() for c in targets if len(c.lower()) == 1}
    latin: dict[str, str] = {}
    other: dict[str, str] = {}
    for char in sorted(candidates):
        if not unicodedata.category(char).startswith("L") or char.lower() != char:
            continue
        if unicodedata.normalize("NFKD", char) != char or char.isascii():
            continue
        if char in _RUSSIAN and char not in _RUSSIAN_MAPPED:
            continue
        letter = _OVERRIDES.get(char) or letter_for(char)
        if letter is None:
            continue
        if unicodedata.name(char, "").startswith("LATIN "):
            latin[char] = letter
        else:
            other[char] = letter
    for char, letter in _OVERRIDES.items():
        other[char] = letter
    latin.update(_LATIN_EXTRA)
    return latin, other


_LATIN_LOOKALIKES, _SCRIPT_LOOKALIKES = _lookalike_tables()
_LOOKALIKES = {**_SCRIPT_LOOKALIKES, **_LATIN_LOOKALIKES}
_LATIN_TABLE = str.maketrans(_LATIN_LOOKALIKES)
_SCRIPT_TABLE = str.maketrans(_SCRIPT_LOOKALIKES)
_LOOKALIKE_TABLE = str.maketrans(_LOOKALIKES)
_SCRIPT_CHARS = re.escape("".join(sorted(_SCRIPT_LOOKALIKES)))
_SCRIPT_LOOKALIKE = re.compile(f"[{_SCRIPT_CHARS}]")
# Weak look-alikes (г r, ь b): used only when a whole text is swapped letter for letter, where
# nothing Russian is left to protect.
_WEAK_LOOKALIKES = {"г": "r", "ь": "b"}
_WHOLE_TEXT_TABLE = str.maketrans({**_SCRIPT_LOOKALIKES, **_WEAK_LOOKALIKES})
# A letter (or other word character) outside ASCII with no Latin look-alike, weak ones aside.
_NO_WEAK_LOOKALIKE = re.compile(
    rf"[^\W\d_a-z{_SCRIPT_CHARS}{re.escape(''.join((*_WEAK_LOOKALIKES, *_LATIN_LOOKALIKES)))}]")
_ASCII_LETTER = re.compile("[a-z]")
_NON_ASCII_LETTER = re.compile(r"[^\W\d_a-z]")


def _enclosed_letters() -> dict[int, str]:
    """Circled, squared and parenthesised letters and digits that NFKC leaves alone (🅢, 🆂, ❶)
    or folds with brackets ((a)) -> the plain letter or digit."""
    digits = "ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE".split()
    letter = re.compile(r"LATIN (?:CAPITAL|SMALL) LETTER ([A-Z])$")
    digit = re.compile(rf"DIGIT ({'|'.join(digits)})$")
    table: dict[int, str] = {}
    for code in (*range(0x2460, 0x2500), *range(0x2776, 0x2794), *range(0x1F100, 0x1F1E6)):
        name = unicodedata.name(chr(code), "")
        if found := letter.search(name):
            table[code] = found.group(1).lower()
        elif found := digit.search(name):
            if not unicodedata.normalize("NFKC", chr(code)).isascii():
                table[code] = str(digits.index(found.group(1)))
    return table


_ENCLOSED_TABLE = _enclosed_letters()

# --- upside-down text -----------------------------------------------------------------------

# Turned letters: their presence is the sign of upside-down text ("sǝpnu puǝs").
_TURNED = {
    "ɐ": "a", "ɔ": "c", "ǝ": "e", "ɟ": "f", "ƃ": "g", "ᵷ": "g", "ɥ": "h", "ᴉ": "i", "ɾ": "j",
    "ʞ": "k", "ɯ": "m", "ɹ": "r", "ʇ": "t", "ʌ": "v", "ʍ": "w", "ʎ": "y", "∀": "a", "ⅎ": "f",
    "⅁": "g", "˥": "l", "ꞁ": "l", "ᴚ": "r", "⊥": "t", "∩": "u",
}  # fmt: skip
# Characters upside-down text also uses, which say nothing on their own.
_FLIPPED = {
    "ı": "i", "ʃ": "l", "ן": "l", "b": "q", "q": "b", "d": "p", "p": "d", "n": "u", "u": "n",
    "o": "o", "s": "s", "x": "x", "z": "z", "l": "l", "6": "9", "9": "6", "¿": "?", "¡": "!",
    "'": ",", ",": "'", "(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">",
    ">": "<", "⅋": "&",
}  # fmt: skip
_UNFLIP = {**_FLIPPED, **_TURNED}
# Look-alike letters in upside-down text turn as the letter they look like.
_UNFLIP.update(
    (char, _FLIPPED[letter])
    for char, letter in _LOOKALIKES.items()
    if letter in _FLIPPED and char not in _UNFLIP
)
_SIGNAL = re.compile(f"[{re.escape(''.join(_TURNED))}]")
_UPSIDE_DOWN_LETTERS = "".join(c for c in _UNFLIP if c.isalpha())
# A letter that an upside-down text cannot contain (its turned form is not a letter we know).
_NOT_UPSIDE_DOWN = re.compile(rf"(?![{re.escape(_UPSIDE_DOWN_LETTERS)}])[^\W\d_]")
# Letters, and what leetspeak may make letters of later (so that folding again finds no more).
_LETTERLIKE = re.compile(rf"[^\W_]|[$@!|€£]|{_SIGNAL.pattern}")
_TOKEN = re.compile(r"\S+")

# --- leetspeak ------------------------------------------------------------------------------

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
# The same without "_", which separates spaced-out letters (s_e_n_d) and words (snake_case),
# except in a mention (@sunny_k88), which stays whole and as it is.
_LEET_WORD = re.compile(r"@[\w@$!|€£]+|(?:[^\W_]|[@$!|€£])+")
# Numbers with a unit or ordinal stay numbers: 24h, 10pm, 3rd, 100k, 13yo, 5mins, 2x, 4u.
_NUMBER_WITH_UNIT = re.compile(
    r"\d+(?:[.,]\d+)?(?P<unit>st|nd|rd|th|h|hr|hrs|hour|hours|m|min|mins|s|sec|secs|k|pm|am|yo|"
    r"yrs?|x|gb|mb|kb|p|d|days?|w|wks?|u|ur|g|"
    r"eur|euros?|usd|dollars?|bucks|quid|pounds?|gbp|btc|cad|aud|inr|rs|pesos?|reais)?"
)
_ORDINAL_DIGIT = {"st": "1", "nd": "2", "rd": "3"}
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

# --- markdown, spacing ----------------------------------------------------------------------

# Runs of markdown characters; a run goes or stays as a whole (see _unmark), so what is left
# never forms new markdown.
_MARK_RUN = re.compile(r"[`~|*_]+")
_HEADER = re.compile(r"^[^\S\n]*(?:(?:#{1,6}|>+|-#)[^\S\n]+)+", re.MULTILINE)
_REPEATS = re.compile(r"(\D)\1{2,}")  # digits stay: "1000" is an amount
# Runs of >= 4 single letters with separators between them: "s e n d", "n.u.d.e.s",
# "s - e - n - d", "s  e  n  d   n u d e s". Line breaks are not separators.
_SEPARATORS = " \t.\\-_*|/+~·•‧∙⋅–—"
# The run starts after no letter, digit or leet symbol ("6@-b-c-d" is not spaced letters).
_SPACED = re.compile(
    rf"(?<![^\W_])(?<![@$!€£])(?:[^\W\d_][{_SEPARATORS}]+){{3,}}[^\W\d_](?![^\W\d_])"
)
_GAP = re.compile(f"[{_SEPARATORS}]+")
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
_SPACES = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r"\s*\n\s*")

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
    """Decompose, drop combining marks (zalgo text, accents)."""
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _printable(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in "\n\t " else " " for ch in text)


def _unflip(text: str) -> str:
    """Undo upside-down text: reverse each run of words that only upside-down text could be made
    of, and turn its letters back. Ordinary text has letters (a, e, t, h, r...) that upside-down
    text does not, so a stray ǝ in it changes nothing; a run also needs a clear sign: two turned
    letters, or one among three letters or more."""
    if not _SIGNAL.search(text):
        return text
    tokens = list(_TOKEN.finditer(text))
    pieces: list[str] = []
    done = 0
    i = 0
    while i < len(tokens):
        j = i
        signals = letters = 0
        while j < len(tokens) and not _NOT_UPSIDE_DOWN.search(tokens[j].group()):
            signals += len(_SIGNAL.findall(tokens[j].group()))
            letters += len(_LETTERLIKE.findall(tokens[j].group()))
            j += 1
        if j == i:
            i += 1
            continue
        if signals >= 2 or (signals and letters >= 3):
            start, end = tokens[i].start(), tokens[j - 1].end()
            pieces.append(text[done:start])
            pieces.append("".join(_UNFLIP.get(ch, ch) for ch in reversed(text[start:end])))
            done = end
        i = j
    pieces.append(text[done:])
    return "".join(pieces)


def _wordish(char: str) -> bool:
    return char.isalnum() or char in "@$!|€£"  # leetspeak may turn the symbols into letters


def _unmark(match: re.Match[str]) -> str:
    """Drop a run of markdown characters: code (`), spoilers (||), bold (**, __), strike (~~),
    any other mix of them; a lone * or _ only at the edge of a word (*word*), not inside one
    (snake_case, s*e*n*d). A lone | or ~ stays (leetspeak, "~5 mins")."""
    run = match.group()
    if len(run) > 1 or "`" in run:
        return ""
    if run in "*_":
        text, start, end = match.string, match.start(), match.end()
        before = start > 0 and _wordish(text[start - 1])
        after = end < len(text) and _wordish(text[end])
        if before != after:
            return ""
    return run


def _unconfuse(text: str) -> str:
    """Map other scripts' look-alike letters to Latin inside words that have ASCII letters too,
    or everywhere when every non-ASCII letter of the text has a Latin look-alike. Text with
    letters that have none (Russian, Greek, Armenian) keeps its other words as they are."""
    if not _SCRIPT_LOOKALIKE.search(text):
        return text
    if not _NO_WEAK_LOOKALIKE.search(text):
        return text.translate(_WHOLE_TEXT_TABLE)
    return _WORD.sub(_unconfuse_word, text)


def _unconfuse_word(match: re.Match[str]) -> str:
    word = match.group()
    if _ASCII_LETTER.search(word) and _SCRIPT_LOOKALIKE.search(word):
        return word.translate(_SCRIPT_TABLE)
    return word


def _is_number(core: str) -> bool:
    """24h, $50k, £600, 3rd: a number with a unit, not a leet word (53nd is "send")."""
    found = _NUMBER_WITH_UNIT.fullmatch(core.lstrip("$£€"))
    if found is None:
        return False
    unit = found.group("unit")
    if unit in _ORDINAL_DIGIT:
        number = found.group()[: -len(unit)]
        teen = len(number) > 1 and number[-2] == "1"
        return number[-1] == _ORDINAL_DIGIT[unit] and not teen
    return True


def _unleet_word(match: re.Match[str]) -> str:
    word = match.group()
    core = word.rstrip("!|")  # "help!!" keeps its exclamation marks
    tail = word[len(core) :]
    if core in _LEET_WORDS:
        return _LEET_WORDS[core] + tail
    if not core or not any(ch in _LEET for ch in core) or core[0] == "@":  # @ starts a mention
        return word
    # Leetspeak is ASCII letters with digits and symbols in between.
    if not _ASCII_LETTER.search(core) or _NON_ASCII_LETTER.search(core) or _is_number(core):
        return word
    return core.translate(_LEET_TABLE) + tail


def _weight(gap: str) -> tuple[int, int]:
    return sum(ch.isspace() for ch in gap), len(gap)


def _word_breaks(weights: list[tuple[int, int]]) -> list[bool]:
    """Which gaps of a spaced run separate words. Equal gaps in a row are one block. A lone gap
    heavier than the blocks beside it is a break ("s e n d  n u d e s", "s.e.n.d n.u.d.e.s",
    "s  e  n  d   n u d e s"), and so is a lone gap lighter than longer blocks on both sides
    ("s . e . n . d  n . u . d . e . s"). A longer block heavier than the longer blocks on both
    sides is breaks too: one-letter words ("s e n d  a  n u d e s")."""
    blocks: list[list[int]] = []  # [weight index, length]
    for k, weight in enumerate(weights):
        if blocks and weights[blocks[-1][0]] == weight:
            blocks[-1][1] += 1
        else:
            blocks.append([k, 1])
    breaks = [False] * len(weights)
    for b, (first, length) in enumerate(blocks):
        weight = weights[first]
        beside = [blocks[n] for n in (b - 1, b + 1) if 0 <= n < len(blocks)]
        if not beside:
            continue
        heavier = all(weight > weights[other] for other, _ in beside)
        lighter = all(weight < weights[other] for other, _ in beside)
        long_beside = all(other_length > 1 for _, other_length in beside)
        if length == 1:
            brk = heavier or (lighter and long_beside and len(beside) == 2)
        else:
            brk = heavier and long_beside and len(beside) == 2
        if brk:
            breaks[first : first + length] = [True] * length
    return breaks


def _unspace(match: re.Match[str]) -> str:
    """Join spaced-out letters, into several words where the gaps say so (see _word_breaks)."""
    run = match.group()
    letters = _GAP.split(run)
    weights = [_weight(gap) for gap in _GAP.findall(run)]
    words: list[list[str]] = [[letters[0]]]
    spaced_after_first: list[bool] = [weights[0][0] > 0]
    for k, brk in enumerate(_word_breaks(weights)):
        if brk:
            words.append([])
            spaced_after_first.append(k + 1 < len(weights) and weights[k + 1][0] > 0)
        words[-1].append(letters[k + 1])
    out: list[str] = []
    for word, spaced in zip(words, spaced_after_first, strict=True):
        joined = "".join(word)
        folded = joined.translate(_LOOKALIKE_TABLE)
        if (
            spaced
            and len(word) > 1
            and folded[0] in _ONE_LETTER_WORDS
            and folded[1:] in _SPACED_WORDS
            and folded not in _SPACED_WORDS
        ):
            out.extend((joined[0], joined[1:]))
        else:
            out.append(joined)
    # Four or more one-letter words in a row would be a spaced run again: join them.
    merged: list[str] = []
    singles: list[str] = []
    for word in [*out, ""]:
        if len(word) == 1:
            singles.append(word)
            continue
        merged.extend(["".join(singles)] if len(singles) >= 4 else singles)
        singles = []
        if word:
            merged.append(word)
    return " ".join(merged)


# Common short words of the languages the detector reads, to tell which way an overridden run
# reads: written backwards for display (the evasion) or plain with a stray override (noise).
_COMMON_WORDS = frozenset(
    "the you your to and or me my is it of in on for that this will be are have if not with "
    "all at so do we he she they them send pay now de la el que en los las der die das und ist "
    "ich du le les et est pas une des il je vous di che non per da em um uma os as".split()
)
_LETTER_WORDS = re.compile(r"[^\W\d_]{2,}")


def _unreverse(match: re.Match[str]) -> str:
    """The run after a RIGHT-TO-LEFT OVERRIDE as it is displayed (reversed), unless it reads
    as plain text already (more common words forwards than backwards)."""
    run = match.group(1)
    backwards = run[::-1]

    def common(text: str) -> int:
        return sum(w.lower() in _COMMON_WORDS for w in _LETTER_WORDS.findall(text))

    return run if common(run) > common(backwards) else backwards


def _fold(text: str) -> str:
    """One pass of normalisation (see :func:`normalize`)."""
    folded = _SURROGATES.sub("", text)
    folded = _OVERRIDE.sub(_unreverse, folded)
    folded = _EMOJI.sub(lambda m: f" {_EMOJI_WORDS[m.group()]} ", folded)
    folded = _REGIONAL.sub(
        lambda m: " " + "".join(chr(ord(ch) - 0x1F1E6 + 97) for ch in m.group()) + " ", folded
    )
    folded = folded.translate(_ENCLOSED_TABLE)
    folded = unicodedata.normalize("NFKC", folded).lower()
    folded = _strip_marks(folded)
    folded = _printable(_INVISIBLE.sub("", folded))
    folded = _unflip(folded)
    folded = _HEADER.sub("", _MARK_RUN.sub(_unmark, folded))
    folded = folded.translate(_LATIN_TABLE)
    folded = _SPACED.sub(_unspace, folded)
    folded = _unconfuse(folded)
    folded = _LEET_WORD.sub(_unleet_word, folded)
    folded = _REPEATS.sub(r"\1\1", folded)
    # Line breaks survive (one each): they end sentences, which the detector scores one by one.
    return _LINE_BREAKS.sub("\n", _SPACES.sub(" ", folded)).strip()


def normalize(text: str) -> str:
    """Return a lower-case, de-obfuscated copy of ``text`` (see the module docstring)."""
    if not isinstance(text, str):
        raise TypeError(f"normalize() expects str, got {type(text).__name__}")
    folded = _fold(text)
    # One pass can uncover more to fold (markdown inside markdown, a letter that leetspeak
    # restores next to a lone *). Folding again until nothing changes keeps normalize()
    # idempotent; nearly every text is stable after the first pass.
    for _ in range(4):
        again = _fold(folded)
        if again == folded:
            break
        folded = again
    return folded
