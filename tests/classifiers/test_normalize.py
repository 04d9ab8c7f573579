"""The normaliser folds obfuscations back to plain text and never crashes."""

from __future__ import annotations

import pytest

from classifiers.normalize import normalize


@pytest.mark.parametrize(
    ("obfuscated", "plain"),
    [
        ("S3ND N00DZ", "send noodz"),
        ("p!cs", "pics"),
        ("ѕеnd me рісѕ", "send me pics"),  # Cyrillic look-alikes
        ("𝐬𝐞𝐧𝐝 𝐦𝐞 𝐧𝐮𝐝𝐞𝐬", "send me nudes"),  # mathematical bold
        ("ｓｅｎｄ ｎｕｄｅｓ", "send nudes"),  # full width
        ("s\u200be\u200cn\u200dd\u2060 nudes", "send nudes"),  # zero-width
        ("s e n d  n u d e s", "send nudes"),
        ("n.u.d.e.s", "nudes"),
        ("n-u-d-e-s", "nudes"),
        ("||send me pics||", "send me pics"),
        ("**pay** me `now` ~~or~~ __else__", "pay me now or else"),
        ("send 📸", "send photo"),
        ("z̷̛a̴l̵g̶o̷", "zalgo"),
        ("PLEEEEEEASE", "pleeease"),
        ("send me a n u d e s", "send me a nudes"),  # the article stays a word
        ("i s e n d", "i send"),
        ("i n s t a", "insta"),  # a word that starts with the letter stays whole
        ("voy a p u b l i c a r", "voy a publicar"),
        # Look-alike letters from Unicode's confusables data, and small capitals.
        ("ꜱᴇɴᴅ ɴᴜᴅᴇꜱ", "send nudes"),
        ("ѕеոԁ ոսԁеѕ", "send nudes"),  # every letter Cyrillic or Armenian, no Latin left
        ("рау ոօw", "pay now"),
        ("ɑll ⲣics", "all pics"),
        ("sеոd mе ɡırls", "send me girls"),
        ("уоur fαmιly", "your family"),
        ("ҽvҽrყonҽ", "everyone"),
        ("ᴅᴇʟᴇᴛᴇ", "delete"),
        # Enclosed, squared and parenthesised letters that NFKC leaves alone.
        ("🅢🅔🅝🅓 🆂🅴🅽🅳 ⓈⒺⓃⒹ ⒮⒠⒩⒟ 🄢🄔🄝🄓", "send send send send send"),
        ("🅿🅰🆈 ❶⓿", "pay 10"),
        # Regional indicators: a run of them is a word; spaced-out ones are spaced letters.
        ("🇸🇪🇳🇩 🇳🇺🇩🇪🇸", "send nudes"),
        ("🇸 🇪 🇳 🇩", "send"),
        ("send 🇵🇮🇨🇸", "send pics"),
        # Upside-down text.
        ("sǝpnu puǝs", "send nudes"),
        ("ɯǝɥʇ sǝǝs ʎlᴉɯɐɟ ɹnoʎ ɹo ʎɐd", "pay or your family sees them"),
        ("i have your sǝpnu", "i have your nudes"),
        ("¿ʇɐɥʍ", "what?"),
        # Text reversed behind a right-to-left override displays as the plain text.
        ("\u202esedun dnes", "send nudes"),
        ("send me \u202escip\u202c now", "send me pics now"),
        # Any run of separators between single letters.
        ("s  e  n  d   n u d e s", "send nudes"),
        ("s.e.n.d", "send"),
        ("s - e - n - d", "send"),
        ("s_e_n_d", "send"),
        ("s . e . n . d  n . u . d . e . s", "send nudes"),
        ("s.e.n.d n.u.d.e.s", "send nudes"),
        ("p·i·c·s", "pics"),
        ("s\u200b \u200be\u200b \u200bn\u200b \u200bd", "send"),
        ("send me a  n  u  d  e  s", "send me a nudes"),
        # Leetspeak tails.
        ("53nd nud3z", "send nudez"),
        ("p1cs", "pics"),
        ("$3nd n00d5", "send noods"),
    ],
)
def test_obfuscations_fold_to_plain_text(obfuscated: str, plain: str) -> None:
    assert normalize(obfuscated) == normalize(plain)


@pytest.mark.parametrize(
    "text",
    [
        "pay $50k by 10pm",
        "meet at 3rd street at 24h",
        "@john hi",
        "£600",
        "i'm 13",
        "r u a girl",
        "send 300euros now",
        "give me 200eur",
        "50bucks or else",
        "$500 by the 22nd",
        "pay 1000 now",
        "meet on the 1st or the 3rd, not the 11th",
        "i am a b c",
        "@sunny_k88 dm me",
        "bluemoon_77",
    ],
)
def test_numbers_mentions_and_short_words_survive(text: str) -> None:
    assert normalize(text) == text.lower()


def test_russian_text_stays_cyrillic() -> None:
    assert normalize("Привет, как дела?") == "привет, как дела?"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Привет, как дела?", "привет, как дела?"),
        ("привет. send me a photo please", "привет. send me a photo please"),
        ("Καλημέρα, τι κάνεις;", "καλημερα, τι κανεις;"),
        ("Բարի լույս, ընկեր", "բարի լույս, ընկեր"),
        # A Russian word with Latin letters in it is mapped, but only with the letters that the
        # Russian keyword rules map back (not г or ь).
        ("гoлые eсть", "гoлыe ectь"),
    ],
)
def test_real_text_in_other_scripts_stays(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello ǝ world", "hello ǝ world"),
        ("the schwa ǝ is a vowel", "the schwa ǝ is a vowel"),
        ("thǝ end", "thǝ end"),
        ("ǝ", "ǝ"),
        # Turkish dotless i is a look-alike of i, not a sign of upside-down text.
        ("İstanbul'da ılık bir gün", "istanbul'da ilik bir gun"),
    ],
)
def test_a_stray_turned_letter_does_not_reverse_the_text(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_whitespace_and_case() -> None:
    # Line breaks survive, one each: the detector splits sentences at them.
    assert normalize("  Hello\n\n  THERE\t ") == "hello\nthere"
    assert normalize("Hello   THERE\t ") == "hello there"
    assert normalize("") == ""


@pytest.mark.parametrize(
    "text",
    [
        "\ud800lone surrogate\udfff",
        "\x00\x01\x1b[31mred\x7f",
        "\u202eevil bidi",
        "\ufffd" * 10,
        "x" * 100_000,
        "a b " * 25_000,
        "🍆" * 5_000,
        "1" * 50_000,
        "\U000e0041tag",
        "\u202e" * 1000 + "\u202c" * 1000,
        "ǝ " * 50_000,
        "🇸" * 20_000,
        "s  " * 50_000,
        "\n" * 100_000,
        "~`|*_" * 20_000,
    ],
)
def test_hostile_input_never_crashes(text: str) -> None:
    out = normalize(text)
    assert isinstance(out, str)
    out.encode("utf-8")  # no lone surrogates left


def test_normalize_is_idempotent_on_common_text() -> None:
    for text in (
        "I have your pics. Pay £600 or your family sees them",
        "s3nd p!cs 📸 ||now||",
        "hey what's up lol",
    ):
        once = normalize(text)
        assert normalize(once) == once


def test_non_str_is_a_clear_error() -> None:
    with pytest.raises(TypeError):
        normalize(b"bytes")  # type: ignore[arg-type]
