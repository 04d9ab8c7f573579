"""Property tests for the normaliser: idempotent, never raises, and a disguised message
normalises to the same text as the plain one."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.normalize import normalize

# Small budgets, derandomised so that CI runs the same examples every time.
QUICK = settings(max_examples=150, deadline=None, derandomize=True, database=None)
THOROUGH = settings(max_examples=400, deadline=None, derandomize=True, database=None)

# Any code point, lone surrogates and unassigned ones included ...
ANY_CHAR = st.characters(exclude_categories=())
# ... mixed with the characters the normaliser treats specially, which random code points
# rarely hit.
SPECIAL = st.sampled_from(
    list("abcdeinopsuxyz ABC  ...--__**||~~``#>\n\t$@!£€013579,'()¿¡/+·")
    + list("ɐǝɥɹʇʎʌʍɯʞɟƃɔıᴉɾ∀⊥∩ʃן")  # upside-down
    + list("ѕеоаріхуклмнтпджщыбзгηαμωոսԁ")  # look-alikes and real Cyrillic, Greek, Armenian
    + list("ᴀʙᴄɑɪłøß")  # small capitals, Latin letters
    + ["\u202e", "\u202c", "\u200b", "\u200d", "\u00ad", "\ufe0f", "🇸", "🇪", "🅢", "🆂", "📸"]
    + ["İ", "ǅ", "ﬀ", "㎒", "\u0301", "\u0307", "\ud800", "\x00", "\u2028", "𝐬"]
)
TEXT = st.text(st.one_of(ANY_CHAR, SPECIAL), max_size=40)


@THOROUGH
@given(TEXT)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@QUICK
@given(st.text(ANY_CHAR))
def test_normalize_is_idempotent_on_any_unicode(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@QUICK
@given(st.one_of(st.text(ANY_CHAR), TEXT))
def test_normalize_never_raises_and_returns_clean_text(text: str) -> None:
    out = normalize(text)
    assert isinstance(out, str)
    out.encode("utf-8")  # no lone surrogates left
    assert out == out.strip()
    assert "  " not in out
    assert "\n\n" not in out


def test_a_megabyte_of_mixed_obfuscation() -> None:
    line = "hey s e n d \u202escip\u202c 🇸🇪 ѕеnd ||n00dz|| ᴀʙᴄ sǝpnu \ud800\x00 z̷a̴l̵g̶o £600 ok"
    assert normalize(line) == "hey send pics se send noodz abc nudes zalgo £600 ok"
    count = 1_000_000 // len(line)
    assert normalize("\n".join([line] * count)) == "\n".join([normalize(line)] * count)


# --- plain and disguised messages normalise alike -------------------------------------------

WORDS = (
    "send nudes pics pay now or your family sees them me money photos tonight everyone delete "
    "private video snap police school friends post"
).split()
MESSAGE = st.lists(st.sampled_from(WORDS), min_size=2, max_size=6).map(" ".join)

SMALL_CAPITALS = dict(zip("abcdefghijklmnopqrstuvwyz", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ", strict=True))
# Cyrillic and Armenian letters that look like Latin ones.
LOOK_ALIKES = {
    "a": "а", "b": "в", "c": "с", "d": "ԁ", "e": "е", "h": "һ", "i": "і", "j": "ј", "k": "к",
    "m": "м", "n": "ո", "o": "о", "p": "р", "q": "ԛ", "s": "ѕ", "t": "т", "u": "ս", "v": "ѵ",
    "w": "ԝ", "x": "х", "y": "у",
}  # fmt: skip
UPSIDE_DOWN = {
    "a": "ɐ", "b": "q", "c": "ɔ", "d": "p", "e": "ǝ", "f": "ɟ", "g": "ƃ", "h": "ɥ", "i": "ᴉ",
    "j": "ɾ", "k": "ʞ", "l": "l", "m": "ɯ", "n": "u", "o": "o", "p": "d", "q": "b", "r": "ɹ",
    "s": "s", "t": "ʇ", "u": "n", "v": "ʌ", "w": "ʍ", "x": "x", "y": "ʎ", "z": "z", " ": " ",
}  # fmt: skip
ENCLOSED_BASES = (0x1F150, 0x1F170, 0x1F130, 0x24B6, 0x249C)  # 🅐 🅰 🄰 Ⓐ ⒜
SEPARATORS = [" ", ".", "-", "_", "*", "|", "/", "+", "~", "·"]


def _swap(letters: dict[str, str]) -> Callable[[st.DrawFn, str], str]:
    """Swap each letter that has a stand-in for it, or only some of them."""

    def disguise(draw: st.DrawFn, plain: str) -> str:
        everywhere = draw(st.booleans())
        return "".join(
            letters[ch] if ch in letters and (everywhere or draw(st.booleans())) else ch
            for ch in plain
        )

    return disguise


def _regional(draw: st.DrawFn, plain: str) -> str:
    return "".join(chr(0x1F1E6 + ord(ch) - ord("a")) if ch != " " else " " for ch in plain)


def _upside_down(draw: st.DrawFn, plain: str) -> str:
    dotless = draw(st.booleans())
    return "".join("ı" if ch == "i" and dotless else UPSIDE_DOWN[ch] for ch in reversed(plain))


def _bidi_override(draw: st.DrawFn, plain: str) -> str:
    words = plain.split(" ")
    cut = draw(st.integers(0, len(words) - 1))
    before, after = " ".join(words[:cut]), " ".join(words[cut:])
    return (before + " " if before else "") + "\u202e" + after[::-1]


def _spaced(draw: st.DrawFn, plain: str) -> str:
    gap = "".join(draw(st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=3)))
    return (gap + " " + gap).join(gap.join(word) for word in plain.split(" "))


def _enclosed(draw: st.DrawFn, plain: str) -> str:
    return "".join(
        chr(draw(st.sampled_from(ENCLOSED_BASES)) + ord(ch) - ord("a")) if ch != " " else " "
        for ch in plain
    )


DISGUISES: dict[str, Callable[[st.DrawFn, str], str]] = {
    "small capitals": _swap(SMALL_CAPITALS),
    "look-alikes": _swap(LOOK_ALIKES),
    "regional indicators": _regional,
    "upside-down": _upside_down,
    "bidi override": _bidi_override,
    "spaced letters": _spaced,
    "enclosed letters": _enclosed,
}


@st.composite
def disguised_messages(draw: st.DrawFn) -> tuple[str, str, str]:
    plain = draw(MESSAGE)
    name = draw(st.sampled_from(sorted(DISGUISES)))
    return name, plain, DISGUISES[name](draw, plain)


@THOROUGH
@given(disguised_messages())
def test_plain_and_disguised_messages_normalise_alike(example: tuple[str, str, str]) -> None:
    name, plain, disguised = example
    assert normalize(disguised) == normalize(plain), (name, disguised)


@QUICK
@given(MESSAGE)
def test_plain_messages_are_already_normal(plain: str) -> None:
    assert normalize(plain) == plain
